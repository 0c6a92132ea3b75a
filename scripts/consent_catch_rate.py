"""Catch rate of the consent sentence rule (redact.withhold) on annotated synthetic notes.

    python scripts/consent_catch_rate.py [NOTES] [REGISTRY]

NOTES (default tests/fixtures/consent/notes.txt): notes separated by "=== id" lines, each sentence
that tells a withdrawn participant's story wrapped in ⟦ ⟧. A marked sentence is caught when the
rule withholds at least CAUGHT_SHARE of its characters. Also counts the sentences withheld that
were not marked (over-withholding). Prints JSON; `measure` is what tests/test_consent.py checks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT / "tests" / "fixtures" / "consent" / "notes.txt"
REGISTRY = ROOT / "tests" / "fixtures" / "consent" / "registry.yaml"
AS_OF = dt.date(2026, 3, 5)   # after both withdrawals in the registry
CAUGHT_SHARE = 0.9


def read_notes(path: Path) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """(id, text without marks, marked character ranges) per note."""
    notes = []
    body = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    for block in re.split(r"^=== ", body, flags=re.M)[1:]:
        note_id, _, raw = block.partition("\n")
        text, marks, start = "", [], None
        for piece in re.split(r"([⟦⟧])", raw):
            if piece == "⟦":
                start = len(text)
            elif piece == "⟧":
                marks.append((start, len(text)))
            else:
                text += piece
        notes.append((note_id.strip(), text, marks))
    return notes


def measure(notes_path: Path = NOTES, registry_path: Path = REGISTRY, nlp=None) -> dict:
    from redact.consent import ConsentRule, load_registry
    from redact.withhold import attribute_sentences, sentence_parser

    if nlp is None:
        from redact.config import load_detection_config
        from redact.nlp import load_spacy, resolve_model_name

        nlp = load_spacy(resolve_model_name(load_detection_config(None), None))
    rule = ConsentRule(load_registry(registry_path), "research", AS_OF)
    parse = sentence_parser(nlp)
    notes = read_notes(notes_path)
    marked = caught = over = 0
    missed: list[str] = []
    for (note_id, text, marks), doc in zip(notes, parse([t for _, t, _ in notes])):
        withheld = [(s, e) for s, e, _ in attribute_sentences(doc, rule)]
        covered = set()
        for s, e in withheld:
            covered.update(i for i in range(s, e) if not text[i].isspace())
        for s, e in marks:
            chars = [i for i in range(s, e) if not text[i].isspace()]
            marked += 1
            if sum(i in covered for i in chars) >= CAUGHT_SHARE * len(chars):
                caught += 1
            else:
                missed.append(note_id)
        inside = set()
        for s, e in marks:
            inside.update(range(s, e))
        over += sum(1 for s, e in withheld if not any(i in inside for i in range(s, e)))
    return {"notes": len(notes), "attributed_sentences": marked, "caught": caught,
            "catch_rate": round(caught / marked, 3) if marked else None,
            "withheld_but_not_attributed": over, "missed_in": missed}


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:3]]
    print(json.dumps(measure(*args), indent=2))
