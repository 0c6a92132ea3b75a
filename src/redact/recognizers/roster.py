"""Known participant and staff names (`--roster FILE`), matched with their variants in any case.

Two kinds of entry: names (each full name, its parts and nicknames are matched) and phrases
(matched whole only: a deny-list entry "Bay Street Clinic" must not make every "Street" a name).
A CSV roster gives phrases in a `phrase` column; a plain list whose first line is `phrase` holds
only phrases, one per line (the review page's deny-list is such a list).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from presidio_analyzer import PatternRecognizer

from redact.errors import ConfigError

NAME = "redact:roster"
NAME_COLUMNS = ("name", "full_name", "first", "first_name", "last", "last_name", "nickname", "nicknames",
                "preferred_name", "alias", "aliases")
PHRASE_COLUMN = "phrase"


@dataclass(frozen=True)
class Roster:
    """Name variants to always redact: each full name, its parts, and nicknames."""

    variants: frozenset[str]
    phrases: frozenset[str] = frozenset()   # matched whole only, never word by word

    @classmethod
    def from_names(cls, rows: list[list[str]]) -> Roster:
        variants: set[str] = set()
        for row in rows:
            names = [cell.strip() for cell in row if cell and cell.strip()]
            full = " ".join(names)
            for name in names + [full]:
                variants.add(name)
                variants.update(part for part in name.replace(",", " ").split() if len(part) > 1)
        return cls(frozenset(v for v in variants if v))

    def merged(self, other: Roster) -> Roster:
        return Roster(self.variants | other.variants, self.phrases | other.phrases)

    def with_phrases(self, phrases) -> Roster:
        return Roster(self.variants, self.phrases | {" ".join(p.split()) for p in phrases if p and p.strip()})

    @property
    def entries(self) -> frozenset[str]:
        return self.variants | self.phrases

    @classmethod
    def load(cls, path: Path) -> Roster:
        """CSV with a header naming some of NAME_COLUMNS, or plain text with one name per line."""
        try:
            raw = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read roster {path}: {type(exc).__name__}") from exc
        lines = [line for line in raw.splitlines() if line.strip()]
        if not lines:
            raise ConfigError(f"roster {path} is empty")
        if lines[0].strip().lower() == PHRASE_COLUMN:   # a plain list of phrases (commas and quotes are text)
            return cls(frozenset()).with_phrases(lines[1:])
        header = [h.strip().lower() for h in next(csv.reader([lines[0]]))]
        columns = [i for i, h in enumerate(header) if h in NAME_COLUMNS]
        phrase = header.index(PHRASE_COLUMN) if PHRASE_COLUMN in header else None
        if Path(path).suffix.lower() in {".csv", ".tsv"} or len(header) > 1:
            if not columns and phrase is None:
                raise ConfigError(f"roster {path} has no name column",
                                  hint="name a column one of: " + ", ".join((*NAME_COLUMNS, PHRASE_COLUMN)))
            delimiter = "\t" if Path(path).suffix.lower() == ".tsv" else ","
            rows = list(csv.reader(io.StringIO("\n".join(lines[1:])), delimiter=delimiter))
            roster = cls.from_names([[row[i] for i in columns if i < len(row)] for row in rows])
            return roster.with_phrases(row[phrase] for row in rows if phrase is not None and phrase < len(row))
        return cls.from_names([[line] for line in lines])


class RosterRecognizer(PatternRecognizer):
    def __init__(self, roster: Roster) -> None:
        # Longest first so "Maria Lopez" wins over "Maria".
        words = sorted(roster.entries, key=len, reverse=True)
        super().__init__(supported_entity="PERSON", name=NAME, deny_list=words,
                         deny_list_score=0.95)
