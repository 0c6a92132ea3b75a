"""Detection config (models/*.yaml), validated with pydantic when it loads."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Annotated

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from redact.errors import ConfigError

LABELS = (
    "PERSON", "USERNAME", "AGE", "DATE", "TIME", "PHONE", "EMAIL", "URL", "IP_ADDRESS",
    "ADDRESS", "LOCATION", "ZIP", "ORGANIZATION", "ID",
)
Label = Annotated[str, Field(pattern="^(" + "|".join(LABELS) + ")$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NerSource(_Strict):
    label: Label
    score: float = Field(ge=0, le=1)


class PatternSpec(_Strict):
    name: str
    regex: str
    score: float = Field(ge=0, le=1)


class PatternRecognizerSpec(_Strict):
    name: str
    label: Label
    flags: list[str] = []
    patterns: list[PatternSpec]
    context: list[str] = []

    @field_validator("flags")
    @classmethod
    def _known_flags(cls, flags: list[str]) -> list[str]:
        for flag in flags:
            if not isinstance(getattr(regex, flag, None), regex.RegexFlag):
                raise ValueError(f"unknown regex flag {flag!r}")
        return flags

    @property
    def flag_bits(self) -> int:
        bits = 0
        for flag in self.flags:
            bits |= getattr(regex, flag)
        return bits

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[PatternSpec]) -> list[PatternSpec]:
        for pattern in patterns:
            try:
                regex.compile(pattern.regex)
            except regex.error as exc:
                raise ValueError(f"pattern {pattern.name!r} does not compile: {exc}") from exc
        return patterns


class Lexicon(_Strict):
    titles: frozenset[str]
    kinship: frozenset[str]
    list_headers: frozenset[str]
    roles: frozenset[str]
    abbreviations: frozenset[str]
    organizations: tuple[str, ...]
    word_names: frozenset[str]
    not_names: frozenset[str]
    person_fields: frozenset[str]
    place_fields: frozenset[str]
    generic_place_words: frozenset[str]
    facility_words: frozenset[str]
    person_verbs: frozenset[str]
    medications: frozenset[str]

    @field_validator("titles", "kinship", "list_headers", "roles", "abbreviations", "word_names",
                     "not_names", "person_fields", "place_fields", "generic_place_words", "facility_words",
                     "person_verbs", "medications", mode="before")
    @classmethod
    def _lower(cls, words: list[str]) -> frozenset[str]:
        # YAML 1.1 reads bare on/off/yes/no as booleans: insist on strings so a word is never lost.
        bad = [w for w in words if not isinstance(w, str)]
        if bad:
            raise ValueError(f"non-string entries {bad!r}: quote them in the YAML")
        return frozenset(w.lower() for w in words)


    @property
    def organizations_lower(self) -> frozenset[str]:
        return frozenset(o.lower() for o in self.organizations)


class NameSettings(_Strict):
    first_names: frozenset[str]
    last_names: frozenset[str]
    common_word_zipf: float = Field(ge=0, le=8)
    lexicon: Lexicon


class PlaceSettings(_Strict):
    towns: frozenset[str]
    states: frozenset[str]
    state_names: frozenset[str]
    cue_words: frozenset[str]

    @field_validator("cue_words", mode="before")
    @classmethod
    def _lower(cls, words: list[str]) -> frozenset[str]:
        return frozenset(str(w).lower() for w in words)


class DetectionConfig(_Strict):
    models: list[str] = Field(min_length=1)
    batch_size: int = Field(ge=1, default=64)
    threshold: float = Field(ge=0, le=1)
    ner: dict[str, NerSource]
    presidio: dict[str, Label]
    patterns: list[PatternRecognizerSpec]
    names: NameSettings
    places: PlaceSettings
    columns: dict[str, Label]

    @field_validator("columns", mode="before")
    @classmethod
    def _lower_keys(cls, columns: dict) -> dict:
        return {str(k).lower(): v for k, v in (columns or {}).items()}


def models_dir() -> Path:
    """The shipped models/ folder: inside the wheel, or at the repo root in a source checkout."""
    packaged = resources.files("redact") / "models"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "models"


def _read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}".splitlines()[0]) from exc


def _read_words(path: Path) -> list[str]:
    try:
        return [w for w in path.read_text(encoding="utf-8").split() if w]
    except OSError as exc:
        raise ConfigError(f"cannot read word list {path}: {exc.strerror}") from exc


def _read_lines(path: Path) -> list[str]:
    try:
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError as exc:
        raise ConfigError(f"cannot read word list {path}: {exc.strerror}") from exc


@functools.lru_cache(maxsize=8)
def load_detection_config(path: Path | None = None) -> DetectionConfig:
    """Load detection.yaml and the files it names (relative to its folder)."""
    path = Path(path) if path else models_dir() / "detection.yaml"
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must be a YAML mapping")
    base = path.parent
    try:
        raw["patterns"] = _read_yaml(base / raw["patterns"])
        names = dict(raw["names"])
        names["first_names"] = _read_words(base / names["first_names"])
        names["last_names"] = _read_words(base / names["last_names"])
        names["lexicon"] = _read_yaml(base / names["lexicon"])
        raw["names"] = names
        places = dict(raw["places"])
        places["towns"] = _read_lines(base / places["towns"])
        states = [line.split("\t") for line in _read_lines(base / places.pop("states"))]
        places["states"] = [code for code, _ in states]
        places["state_names"] = [name.lower() for _, name in states]
        raw["places"] = places
        return DetectionConfig.model_validate(raw)
    except KeyError as exc:
        raise ConfigError(f"{path}: missing key {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: invalid detection config at {where}: {first['msg']}") from exc
