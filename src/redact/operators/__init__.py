"""Operators: small pure functions that turn one mention into its replacement.

Each operator is registered with a pydantic model of its parameters, checked when a policy loads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError


@dataclass(frozen=True)
class Mention:
    """One detected identifier, as an operator sees it."""

    label: str
    value: str        # the original text
    entity: str       # linked entity key: all mentions of one person share it
    index: int        # 1-based number of the entity among this label's entities in the document
    secret: bytes | None = None
    gender: str | None = None  # "female"/"male" from cues around a person mention (operators.gender)


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Operator:
    fn: Callable[[Mention, BaseModel], str]
    params: type[BaseModel]
    keyed: bool = False


OPERATORS: dict[str, Operator] = {}


def register(name: str, params: type[BaseModel] = NoParams, keyed: bool = False):
    def wrap(fn: Callable[[Mention, BaseModel], str]):
        OPERATORS[name] = Operator(fn, params, keyed)
        return fn
    return wrap


def fallback_tag(mention: Mention) -> str:
    """The tag an operator falls back to when it cannot make a safe replacement; never the value."""
    tag = f"[{mention.label}]"
    return tag if tag != mention.value else "[REDACTED]"


def validate_operator(name: str, params: dict) -> BaseModel:
    if name not in OPERATORS:
        raise ValueError(f"unknown operator {name!r} (known: {', '.join(sorted(OPERATORS))})")
    try:
        return OPERATORS[name].params.model_validate(params or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(map(str, first["loc"]))
        msg = first["msg"].removeprefix("Value error, ")
        raise ValueError(f"{name}: " + (f"parameter {loc}: " if loc else "") + msg) from None


from redact.operators import date_shift as _date_shift  # noqa: E402,F401  (these register operators)
from redact.operators import generalize as _generalize  # noqa: E402,F401
from redact.operators import hmac_pseudonym as _hmac  # noqa: E402,F401
from redact.operators import mask as _mask  # noqa: E402,F401
from redact.operators import surrogate as _surrogate  # noqa: E402,F401
from redact.operators import tag as _tag  # noqa: E402,F401

KEYED_OPERATORS = frozenset(name for name, op in OPERATORS.items() if op.keyed)
