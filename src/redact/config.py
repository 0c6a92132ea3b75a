"""Detection config (models/*.yaml), validated with pydantic when it loads."""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

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
    enabled: bool = True
    # A rule: an exact format, kept whenever it matches; the learned decision does not judge it.
    rule: bool = False
    score: float | None = Field(default=None, ge=0, le=1)
    flags: list[str] = []
    patterns: list[PatternSpec]
    context: list[str] = []
    # A check that rejects matches no real value could have (recognizers/patterns.py INVALIDATORS).
    invalidator: str | None = None

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


# The cue recognizers' smaller word lists (recognizers/names.py), each a key of lexicon.yaml.
CUE_WORD_LISTS = ("address_fields", "address_withheld", "name_particles", "month_prepositions", "not_names_after_kin",
                  "run_lead_verbs", "run_connectors", "brands_that_are_words", "acronym_cues", "ordinal_words")


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
    fillers: frozenset[str]
    address_fields: frozenset[str] = frozenset()
    address_withheld: frozenset[str] = frozenset()
    name_particles: frozenset[str] = frozenset()
    month_prepositions: frozenset[str] = frozenset()
    not_names_after_kin: frozenset[str] = frozenset()
    run_lead_verbs: frozenset[str] = frozenset()
    run_connectors: frozenset[str] = frozenset()
    brands_that_are_words: frozenset[str] = frozenset()
    acronym_cues: frozenset[str] = frozenset()
    ordinal_words: frozenset[str] = frozenset()
    offices: frozenset[str] = frozenset()
    office_modifiers: frozenset[str] = frozenset()
    jobs: frozenset[str] = frozenset()
    compass_points: frozenset[str] = frozenset()
    eponym_heads: frozenset[str] = frozenset()
    eponym_conditions: frozenset[str] = frozenset()
    exam_findings: frozenset[str] = frozenset()
    name_type_words: frozenset[str] = frozenset()
    name_lead_words: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    measures: frozenset[str] = frozenset()
    capital_shorthand: frozenset[str] = frozenset()
    clinical_endings: frozenset[str] = frozenset()
    word_suffixes: frozenset[str] = frozenset()
    word_prefixes: frozenset[str] = frozenset()
    score_words: frozenset[str] = frozenset()
    grade_heads: frozenset[str] = frozenset()

    @field_validator("titles", "kinship", "list_headers", "roles", "abbreviations", "word_names",
                     "not_names", "person_fields", "place_fields", "generic_place_words", "facility_words",
                     "person_verbs", "medications", "fillers", "offices", "office_modifiers", "jobs",
                     "compass_points", "eponym_heads", "eponym_conditions", "exam_findings", "name_type_words",
                     "name_lead_words", "methods", "units", "measures", "capital_shorthand", "clinical_endings",
                     "score_words", "grade_heads", "word_suffixes", "word_prefixes", *CUE_WORD_LISTS,
                     mode="before")
    @classmethod
    def _lower(cls, words: list[str]) -> frozenset[str]:
        # YAML 1.1 reads bare on/off/yes/no as booleans: insist on strings so a word is never lost.
        bad = [w for w in words if not isinstance(w, str)]
        if bad:
            raise ValueError(f"non-string entries {bad!r}: quote them in the YAML")
        return frozenset(w.lower() for w in words)


    @functools.cached_property
    def organizations_lower(self) -> frozenset[str]:
        return frozenset(o.lower() for o in self.organizations)


class NameSettings(_Strict):
    first_names: frozenset[str]
    last_names: frozenset[str]
    # Evidence only: words many unrelated clinical and counselling documents use.
    domain_vocabulary: frozenset[str] = frozenset()
    # Names that many clinical reports also write in lower case ("burns", "odor"): read as common
    # nouns only on a line in capitals, where case cannot tell.
    common_noun_names: frozenset[str] = frozenset()
    # Given names borne by at least 0.01% of the Census sample: on a line in capitals a rarer one
    # that reports write as a noun ("CHIN", "TEMPLE") reads as the noun.
    frequent_first_names: frozenset[str] = frozenset()
    # Evidence only: one-word drug names, generic and brand.
    drugs: frozenset[str] = frozenset()
    # Names that name a condition in the possessive, head left out ("Asperger's").
    eponyms: frozenset[str] = frozenset()
    # Evidence only: log-odds that a word is a name, per character n-gram of its spelling.
    name_shape: dict[str, float] = Field(default_factory=dict)
    common_word_zipf: float = Field(ge=0, le=8)
    # Evidence only: wordfreq languages whose everyday words tell a word of another language
    # from a name (which is rarely much more common in another language than in English).
    other_languages: tuple[str, ...] = ()
    lexicon: Lexicon

    @field_validator("other_languages")
    @classmethod
    def _known_languages(cls, languages: tuple[str, ...]) -> tuple[str, ...]:
        from wordfreq import available_languages

        unknown = sorted(set(languages) - set(available_languages("small")))
        if unknown:
            raise ValueError(f"wordfreq has no small word list for {', '.join(unknown)}")
        return languages


class PlaceSettings(_Strict):
    towns: frozenset[str]
    states: frozenset[str]
    state_names: frozenset[str]
    # Evidence only (detect/evidence.py): places worldwide, and countries (not identifiers alone).
    world_places: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    cue_words: frozenset[str]
    # Address evidence (resolve.join_address_parts): the codes of states (beside the US states)
    # and of provinces written after a town, and the words that number a flat, floor or route.
    state_codes: frozenset[str] = frozenset()
    province_codes: frozenset[str] = frozenset()
    address_units: tuple[str, ...] = ()

    @field_validator("cue_words", mode="before")
    @classmethod
    def _lower(cls, words: list[str]) -> frozenset[str]:
        return frozenset(str(w).lower() for w in words)


class RegistryEntry(_Strict):
    """One recognizer of the registry (detection.yaml `recognizers:`): a predefined Presidio
    recognizer or one of the project's own components; pattern blocks live in patterns.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    kind: Literal["presidio", "component"]
    enabled: bool = True
    rule: bool = False
    # Replaces the score the recognizer reports (evidence for the decision), when given.
    score: float | None = Field(default=None, ge=0, le=1)
    presidio_class: str | None = Field(default=None, alias="class")
    label: Label | None = None
    regions: list[str] = []
    # A cheap pre-check: the recognizer reads only the stretches of text around this pattern's
    # matches (and nothing when there is none).
    window: str | None = None
    # A check that rejects what it found (recognizers/patterns.py INVALIDATORS), as in a pattern block.
    invalidator: str | None = None

    @field_validator("window")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"window is not a valid regular expression: {exc}") from None
        return pattern

    @model_validator(mode="after")
    def _presidio_needs_class(self) -> RegistryEntry:
        if self.kind == "presidio" and not (self.presidio_class and self.label):
            raise ValueError("a presidio recognizer needs `class` and `label`")
        return self


class CandidateSettings(_Strict):
    # A word below this wordfreq zipf is "rare": proposed as a possible name on caseless lines.
    rare_zipf: float = Field(ge=0, le=8, default=3.0)


class DetectionConfig(_Strict):
    models: list[str] = Field(min_length=1)
    batch_size: int = Field(ge=1, default=64)
    threshold: float = Field(ge=0, le=1)
    decision: str | None = None
    # Only spans the decision is at least this sure of are looked for again across the document.
    propagate_min_score: float = Field(ge=0, le=1, default=0.5)
    ner: dict[str, NerSource]
    recognizers: dict[str, RegistryEntry]
    candidates: CandidateSettings = CandidateSettings()
    patterns: list[PatternRecognizerSpec]
    names: NameSettings
    places: PlaceSettings
    columns: dict[str, Label]

    def enabled(self, name: str) -> bool:
        entry = self.recognizers.get(name)
        return entry is not None and entry.enabled

    @property
    def presidio(self) -> dict[str, RegistryEntry]:
        return {n: e for n, e in self.recognizers.items() if e.kind == "presidio" and e.enabled}

    @property
    def rules(self) -> frozenset[str]:
        """Recognizer names (as spans' sources begin) whose matches are kept without a decision."""
        names = {e.presidio_class for e in self.recognizers.values() if e.kind == "presidio" and e.rule}
        names |= {f"redact:{n}" for n, e in self.recognizers.items() if e.kind == "component" and e.rule}
        names |= {f"redact:{p.name}" for p in self.patterns if p.rule}
        return frozenset(names)

    @property
    def score_overrides(self) -> dict[str, float]:
        """Recognizer name (as it appears in a span's source) -> the score it is given."""
        out = {e.presidio_class: e.score for e in self.recognizers.values()
               if e.kind == "presidio" and e.score is not None}
        out.update({f"redact:{n}": e.score for n, e in self.recognizers.items()
                    if e.kind == "component" and e.score is not None})
        out.update({f"redact:{p.name}": p.score for p in self.patterns if p.score is not None})
        return out

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
        # libyaml's loader where PyYAML was built with it: the shipped patterns load 5x faster.
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
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
        for key in ("domain_vocabulary", "common_noun_names", "frequent_first_names", "drugs", "eponyms"):
            if key in names:
                names[key] = _read_words(base / names[key])
        if "name_shape" in names:
            names["name_shape"] = {gram: float(odds) for gram, odds in
                                  (line.split("\t") for line in _read_lines(base / names["name_shape"]))}
        names["lexicon"] = _read_yaml(base / names["lexicon"])
        raw["names"] = names
        places = dict(raw["places"])
        places["towns"] = _read_lines(base / places["towns"])
        states = [line.split("\t") for line in _read_lines(base / places.pop("states"))]
        places["states"] = [code for code, _ in states]
        places["state_names"] = [name.lower() for _, name in states]
        for key in ("world_places", "countries", "state_codes", "province_codes"):
            if key in places:
                places[key] = _read_lines(base / places[key])
        raw["places"] = places
        return DetectionConfig.model_validate(raw)
    except KeyError as exc:
        raise ConfigError(f"{path}: missing key {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: invalid detection config at {where}: {first['msg']}") from exc
