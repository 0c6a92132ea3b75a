"""Policy: which entity types are identifiers, and which operator replaces each (YAML, validated)."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from redact.config import Label
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
        policy = Policy.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"policy {where} is not valid YAML") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid policy {where} at {loc}: {first['msg']}") from exc
    from redact.operators import validate_operator

    for label, spec in [("default", policy.default), *policy.operators.items()]:
        try:
            validate_operator(spec.operator, spec.params)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"invalid policy {where}: operator for {label}: {exc}") from exc
    return policy
