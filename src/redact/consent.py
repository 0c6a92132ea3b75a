"""The consent registry: who the participants are (the names, nicknames and speaker labels that
identify them), which purposes they agreed to, and how that changed over time.

A YAML file, validated with pydantic when it loads (README, "Consent and withdrawal"):

    unlisted: withhold          # speakers and table rows of people not listed: withhold (default) or keep
    note_sentences: mention     # notes: every sentence naming them (default), or `subject` only
    participant_columns: [participant]   # table columns that name the participant of a row
    participants:
      - id: P01                 # a code, never a name: it may appear in error messages
        names: [Dana Whitfield]
        nicknames: [Dee]
        speakers: [DANA]        # speaker labels in transcripts ("DANA:", "<v DANA>")
        pronouns: [she, her]    # optional: the pronoun chain in notes follows only these
    changes:
      - {participant: P01, date: 2026-01-12, change: given, purposes: [reporting, research]}
      - {participant: P01, date: 2026-03-02, change: narrowed, purposes: [reporting]}
      - {participant: P01, date: 2026-04-20, change: withdrawn}

Consent as of a date is the result of every change dated on or before it, in date order (file
order within a day). A participant with no change by then has consented to nothing. Errors are
one line naming the file and the entry (`changes[3]`), never a name from the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from redact.errors import ConfigError

PURPOSES = ("reporting", "research")
CHANGES = ("given", "narrowed", "withdrawn")
# Why something was withheld: the reason classes counted in the manifest and stats (never who).
REASONS = ("no-consent", "narrowed", "withdrawn", "unlisted")
PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers", "they", "them", "their", "theirs",
                      "ze", "zir", "xe", "xem", "xyr"})
DEFAULT_PARTICIPANT_COLUMNS = ("participant", "participant_id", "participant_name", "client", "member",
                               "speaker", "name")
# A nickname or speaker label shorter than this would match everyday letters ("D", "J").
MIN_VARIANT_CHARS = 2

Purpose = Literal["reporting", "research"]


class _Participant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    names: tuple[str, ...] = ()
    nicknames: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    pronouns: tuple[str, ...] = ()

    @field_validator("names", "nicknames", "speakers")
    @classmethod
    def _variants(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(" ".join(str(v).split()) for v in values)
        if any(len(v) < MIN_VARIANT_CHARS for v in cleaned):
            raise ValueError(f"every name, nickname and speaker label needs at least {MIN_VARIANT_CHARS} "
                             "characters")
        return cleaned

    @field_validator("pronouns")
    @classmethod
    def _pronouns(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        lowered = tuple(str(v).lower() for v in values)
        unknown = [v for v in lowered if v not in PRONOUNS]
        if unknown:
            raise ValueError(f"unknown pronoun {unknown[0]!r} (one of: {', '.join(sorted(PRONOUNS))})")
        return lowered


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    participant: str = Field(min_length=1)
    date: dt.date
    change: Literal["given", "narrowed", "withdrawn"]
    purposes: tuple[Literal["reporting", "research", "none"], ...] = ()

    @field_validator("date", mode="before")
    @classmethod
    def _date_only(cls, value):
        # Exactly YYYY-MM-DD (no "3/4/26", no time of day).
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError("not a date (YYYY-MM-DD expected)")
        return value


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unlisted: Literal["withhold", "keep"] = "withhold"
    note_sentences: Literal["mention", "subject"] = "mention"
    participant_columns: tuple[str, ...] = DEFAULT_PARTICIPANT_COLUMNS
    participants: tuple[_Participant, ...] = Field(min_length=1)
    changes: tuple[_Change, ...] = ()


@dataclass(frozen=True)
class Participant:
    id: str
    names: tuple[str, ...]
    nicknames: tuple[str, ...]
    speakers: tuple[str, ...]
    pronouns: frozenset[str]

    @property
    def name_variants(self) -> tuple[str, ...]:
        """Every way the text may name them: full names, each part of a full name, nicknames."""
        parts = [p for n in self.names for p in n.replace(",", " ").split() if len(p) >= MIN_VARIANT_CHARS]
        return tuple(dict.fromkeys([*self.names, *self.nicknames, *parts]))


@dataclass(frozen=True)
class Change:
    participant: str
    date: dt.date
    change: str
    purposes: frozenset[str]


def normal_label(text: str) -> str:
    """A name or label as compared: case-folded, whitespace folded, outer punctuation gone."""
    return " ".join(text.casefold().split()).strip(" .,:;-–—'\"()[]")


@dataclass(frozen=True)
class Registry:
    participants: tuple[Participant, ...]
    changes: tuple[Change, ...]
    unlisted: str = "withhold"
    participant_columns: tuple[str, ...] = DEFAULT_PARTICIPANT_COLUMNS
    # Notes: withhold every sentence that names them ("mention", fail closed) or only those where
    # they are the subject ("subject"). Both follow pronoun chains and attributed quotes.
    note_sentences: str = "mention"

    # --- consent ---------------------------------------------------------------------------
    def purposes_as_of(self, participant: str, as_of: dt.date) -> tuple[frozenset[str], str | None]:
        """(purposes agreed, kind of the last change) as of the date."""
        purposes: frozenset[str] = frozenset()
        last = None
        for change in sorted((c for c in self.changes if c.participant == participant and c.date <= as_of),
                             key=lambda c: c.date):
            purposes = frozenset() if change.change == "withdrawn" else change.purposes
            last = change.change
        return purposes, last

    def reason(self, participant: str | None, purpose: str, as_of: dt.date) -> str | None:
        """None when the participant's words may be used for the purpose as of the date, else the
        reason class they are withheld for (see REASONS). `None` participant: someone not listed."""
        if participant is None:
            return "unlisted" if self.unlisted == "withhold" else None
        purposes, last = self.purposes_as_of(participant, as_of)
        if purpose in purposes:
            return None
        return last if last in ("withdrawn", "narrowed") else "no-consent"

    def withheld_ids(self, purpose: str, as_of: dt.date) -> frozenset[str]:
        return frozenset(p.id for p in self.participants if self.reason(p.id, purpose, as_of))

    # --- who is who ------------------------------------------------------------------------
    @cached_property
    def _by_label(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for p in self.participants:
            for label in (p.id, *p.names, *p.nicknames, *p.speakers):
                table.setdefault(normal_label(label), p.id)
        return table

    @cached_property
    def _label_pattern(self) -> re.Pattern | None:
        words = sorted(self._by_label, key=len, reverse=True)
        if not words:
            return None
        return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)")

    def lookup(self, label: str) -> str | None:
        """The participant a speaker label or table cell names: the whole label first, then the
        longest listed name inside it ("FACILITATOR (Anjali)" -> whoever is listed as Anjali)."""
        key = normal_label(label)
        if not key:
            return None
        if key in self._by_label:
            return self._by_label[key]
        pattern = self._label_pattern
        found = pattern.search(key) if pattern else None
        return self._by_label[found.group(1)] if found else None

    def participant(self, pid: str) -> Participant:
        return next(p for p in self.participants if p.id == pid)

    def roster_entries(self) -> tuple[list[list[str]], list[str]]:
        """(names, phrases) for the roster: every run redacts them wherever they appear, whatever
        the consent. Names are matched with their parts ("Haddad" alone); nicknames only whole
        ("Big Mike" must not make every "big" a name). Speaker labels such as "Client" are roles."""
        return ([[n] for p in self.participants for n in p.names],
                [n for p in self.participants for n in p.nicknames])

    def mention_pattern(self, ids: Iterable[str]) -> re.Pattern | None:
        """Whole-word, any-case matches of the name variants of these participants."""
        variants = sorted({v for p in self.participants if p.id in set(ids) for v in p.name_variants},
                          key=len, reverse=True)
        if not variants:
            return None
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in variants) + r")(?!\w)", re.IGNORECASE)

    def who_is_named(self, text: str) -> str | None:
        """The participant a matched name variant belongs to (the first listed, when shared)."""
        key = normal_label(text)
        for p in self.participants:
            if any(normal_label(v) == key for v in p.name_variants):
                return p.id
        return None


# --- loading -----------------------------------------------------------------------------------
class _Loader(yaml.SafeLoader):
    """Safe YAML with dates left as text: pydantic checks them, with the entry named (PyYAML's own
    date conversion raises a bare ValueError on 2026-13-05)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _where(loc: tuple) -> str:
    """`changes[3].date` from pydantic's location tuple."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fail(path: Path, where: str, message: str) -> ConfigError:
    return ConfigError(f"invalid consent registry {path}: {where}: {message}",
                       hint="see README, 'Consent and withdrawal', for the format")


def load_registry(path: Path) -> Registry:
    """Read and validate the registry; ConfigError (one line, file and entry) when it is wrong."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Loader)
    except OSError as exc:
        raise ConfigError(f"cannot read consent registry {path}: {exc.strerror or type(exc).__name__}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read consent registry {path}: not UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        raise _fail(path, where, "not valid YAML") from None
    if not isinstance(raw, dict):
        raise _fail(path, "file", "expected a mapping with 'participants' and 'changes'")
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "literal_error":
            allowed = first.get("ctx", {}).get("expected", "")
            message = f"unknown value {first.get('input')!r} (expected {allowed})"
        raise _fail(path, _where(first["loc"]), message) from None
    return _check(path, parsed)


def _check(path: Path, parsed: _File) -> Registry:
    """What pydantic's field checks cannot see: references, duplicates and the order of changes."""
    ids: dict[str, int] = {}
    owners: dict[str, str] = {}
    for i, p in enumerate(parsed.participants):
        if p.id in ids:
            raise _fail(path, f"participants[{i}].id", f"the same id as participants[{ids[p.id]}]")
        ids[p.id] = i
        if not (p.names or p.nicknames or p.speakers):
            raise _fail(path, f"participants[{i}]", "needs at least one name, nickname or speaker label")
        for label in (*p.names, *p.nicknames, *p.speakers):
            owner = owners.setdefault(normal_label(label), p.id)
            if owner != p.id:
                raise _fail(path, f"participants[{i}]",
                            f"a name or label also listed for participants[{ids[owner]}] (ambiguous)")
    held: dict[str, frozenset[str]] = {}
    changes: dict[int, Change] = {}
    # Checked in date order (stable: a day's changes as written), kept in file order.
    for i in sorted(range(len(parsed.changes)), key=lambda i: parsed.changes[i].date):
        c = parsed.changes[i]
        where = f"changes[{i}]"
        if c.participant not in ids:
            raise _fail(path, f"{where}.participant", "unknown participant (not an id under 'participants')")
        purposes = frozenset(p for p in c.purposes if p != "none")
        if "none" in c.purposes and len(c.purposes) > 1:
            raise _fail(path, f"{where}.purposes", "'none' cannot be combined with a purpose")
        if c.change == "given" and not c.purposes:
            raise _fail(path, f"{where}.purposes", "'given' needs the purposes agreed (or 'none')")
        if c.change == "withdrawn" and purposes:
            raise _fail(path, f"{where}.purposes", "'withdrawn' takes no purposes")
        if c.change == "narrowed" and not purposes <= held.get(c.participant, frozenset()):
            raise _fail(path, f"{where}.purposes", "'narrowed' can only keep purposes agreed before it")
        held[c.participant] = frozenset() if c.change == "withdrawn" else purposes
        changes[i] = Change(c.participant, c.date, c.change, purposes)
    participants = tuple(Participant(p.id, p.names, p.nicknames, p.speakers, frozenset(p.pronouns))
                         for p in parsed.participants)
    return Registry(participants, tuple(changes[i] for i in sorted(changes)), parsed.unlisted,
                    parsed.participant_columns, parsed.note_sentences)


def parse_as_of(value: str | None) -> dt.date:
    """--as-of: YYYY-MM-DD, or today (UTC) when not given."""
    if value is None:
        return dt.datetime.now(dt.timezone.utc).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--as-of {value!r} is not a date", hint="use YYYY-MM-DD") from None


@dataclass(frozen=True)
class ConsentRule:
    """What one export honours: a registry, a purpose and the date consent is read as of."""

    registry: Registry
    purpose: str
    as_of: dt.date

    def reason_for(self, participant: str | None) -> str | None:
        return self.registry.reason(participant, self.purpose, self.as_of)

    @cached_property
    def withheld(self) -> frozenset[str]:
        return self.registry.withheld_ids(self.purpose, self.as_of)

    @cached_property
    def mentions(self) -> re.Pattern | None:
        """Name variants of the participants withheld (built once per run, not per text)."""
        return self.registry.mention_pattern(self.withheld)
