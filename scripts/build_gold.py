"""Render annotated sources (``{{LABEL:value}}`` markup) into plain text and gold JSONL.

Usage:
    python scripts/build_gold.py SRC_DIR --gold OUT.jsonl [--text-out DIR]

Every ``*.txt``/``*.md`` file under SRC_DIR becomes one gold line whose id is its path
relative to SRC_DIR. With ``--text-out`` the plain text is also written under DIR, mirroring
SRC_DIR (this is how ``sample_data/`` is produced from ``tests/fixtures/annotated/sample_data``).
See tests/fixtures/ANNOTATION.md for the labels.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from redact.resolve import ATTACHED_TIME

LABELS = {
    "PERSON", "USERNAME", "AGE", "DATE", "PHONE", "EMAIL", "URL", "IP_ADDRESS",
    "ADDRESS", "LOCATION", "ZIP", "ORGANIZATION", "ID",
}
MARK = re.compile(r"\{\{([A-Z_]+):(.*?)\}\}", re.DOTALL)
_MARKED_DATE = re.compile(r"\{\{DATE:(.*?)\}\}")


def attach_times(markup: str) -> str:
    """A time of day written right after a marked date joins the date ("{{DATE:May 5}} at 3pm" ->
    "{{DATE:May 5 at 3pm}}"): ANNOTATION.md counts a timestamp as one DATE."""
    out, pos = [], 0
    for match in _MARKED_DATE.finditer(markup):
        if match.start() < pos:
            continue
        time = ATTACHED_TIME.match(markup, match.end())
        if time is None:
            continue
        out.append(markup[pos:match.end() - 2] + time.group() + "}}")
        pos = time.end()
    return "".join(out) + markup[pos:]


def render(markup: str) -> tuple[str, list[dict]]:
    """Strip the markup; return the plain text and its gold spans."""
    out: list[str] = []
    spans: list[dict] = []
    pos = 0
    length = 0
    for match in MARK.finditer(markup):
        label, value = match.group(1), match.group(2)
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r} at offset {match.start()}")
        if not value or value != value.strip():
            raise ValueError(f"empty or padded value for {label} at offset {match.start()}")
        before = markup[pos:match.start()]
        out.append(before)
        length += len(before)
        spans.append({"start": length, "end": length + len(value), "label": label})
        out.append(value)
        length += len(value)
        pos = match.end()
    out.append(markup[pos:])
    text = "".join(out)
    if "{{" in text or "}}" in text:
        raise ValueError("unbalanced markup left in text")
    return text, spans


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("src", type=Path)
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--text-out", type=Path)
    args = parser.parse_args(argv)
    files = sorted(p for p in args.src.rglob("*") if p.suffix in {".txt", ".md"} and p.is_file())
    lines = []
    for path in files:
        rel = path.relative_to(args.src).as_posix()
        try:
            text, spans = render(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            print(f"{rel}: {exc}", file=sys.stderr)
            return 1
        lines.append(json.dumps({"id": rel, "text": text, "spans": spans}, ensure_ascii=False))
        if args.text_out:
            target = args.text_out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    args.gold.parent.mkdir(parents=True, exist_ok=True)
    args.gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} documents, {sum(len(json.loads(l)['spans']) for l in lines)} spans -> {args.gold}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
