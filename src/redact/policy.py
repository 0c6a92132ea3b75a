"""Policy: which entity types are identifiers, and which operator replaces each (YAML, validated)."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from redact.config import LABELS, Label
from redact.errors import ConfigError
from redact.spans import Span


class OperatorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    operator: str
    params: dict[str, Any] = {}


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    identifiers: frozenset[Label] = Field(min_length=1)
    # Under HIPAA Safe Harbor an age is an identifier only above 89.
    age_over: int | None = None
    default: OperatorSpec
    operators: dict[Label, OperatorSpec] = {}

    @model_validator(mode="before")
    @classmethod
    def _known_labels(cls, raw: Any) -> Any:
        # A clearer message than the label pattern's, for the commonest mistake (e.g. NAME for PERSON).
        if isinstance(raw, dict):
            labels = list(raw.get("identifiers") or []) + list(raw.get("operators") or {})
            unknown = sorted({str(x) for x in labels} - set(LABELS))
            if unknown:
                raise ValueError(f"unknown label {unknown[0]!r} (known: {', '.join(LABELS)})")
        return raw

    @model_validator(mode="after")
    def _operators_are_identifiers(self) -> Policy:
        extra = sorted(set(self.operators) - self.identifiers)
        if extra:
            raise ValueError(f"operator given for {extra[0]}, which is not in identifiers")
        return self

    def operator_for(self, label: str) -> OperatorSpec:
        return self.operators.get(label, self.default)

    def counts(self, span: Span, text: str) -> bool:
        """Whether this detected span is an identifier under the policy."""
        if span.label not in self.identifiers:
            return False
        if span.label == "AGE" and self.age_over is not None:
            digits = "".join(c for c in text[span.start:span.end] if c.isdigit())
            return bool(digits) and int(digits) > self.age_over
        return True

    @property
    def needs_secret(self) -> bool:
        from redact.operators import KEYED_OPERATORS

        specs = [self.default, *self.operators.values()]
        return any(spec.operator in KEYED_OPERATORS for spec in specs)


def preset_names() -> list[str]:
    return sorted(p.name.removesuffix(".yaml") for p in resources.files("redact.presets").iterdir()
                  if p.name.endswith(".yaml"))


@functools.lru_cache(maxsize=16)
def load_policy(name_or_path: str = "tags") -> Policy:
    """A preset by name (see preset_names()) or a YAML policy file."""
    if name_or_path in preset_names():
        source = resources.files("redact.presets") / f"{name_or_path}.yaml"
        text = source.read_text(encoding="utf-8")
        where = f"preset {name_or_path!r}"
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise ConfigError(f"no policy preset or file named {name_or_path!r}",
                              hint="presets: " + ", ".join(preset_names()))
        text = path.read_text(encoding="utf-8")
        where = str(path)
    try:
        raw = yaml.safe_load(text)
        if not isinstance(raw, dict):
            raise ConfigError(f"policy {where} must be a YAML mapping (name, identifiers, default, ...)")
        policy = Policy.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"policy {where} is not valid YAML") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        msg = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"invalid policy {where}" + (f" at {loc}" if loc else "") + f": {msg}") from exc
    from redact.operators import validate_operator

    for label, spec in [("default", policy.default), *policy.operators.items()]:
        try:
            validate_operator(spec.operator, spec.params)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"invalid policy {where}: operator for {label}: {exc}") from exc
    return policy
