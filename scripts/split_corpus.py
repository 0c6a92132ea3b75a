"""Split the gold corpus into dev and test halves.

The whole corpus is rebuilt, from the project root, with::

    python scripts/generate_corpus.py --n 260 --seed 7 --out tests/fixtures/corpus/generated.gold.jsonl \\
        && python scripts/split_corpus.py

This script

1. renders the hand-written markup documents in ``tests/fixtures/annotated/corpus_hand``
   by calling ``scripts/build_gold.py`` (imported, same as
   ``python scripts/build_gold.py tests/fixtures/annotated/corpus_hand --gold tests/fixtures/corpus/hand.gold.jsonl``);
   a missing or empty folder just yields no hand documents (an empty ``hand.gold.jsonl``);
   a markup error in a hand file stops the script (use ``--no-hand`` to split generated
   documents only);
2. reads ``generated.gold.jsonl`` and ``hand.gold.jsonl``, sanity-checks every span
   (known label, within bounds, non-empty, no surrounding whitespace, no overlaps, unique ids);
3. assigns each document to dev or test, stratified by (source, document type): within each
   stratum the documents are ordered by a stable hash of their id
   (``sha256("redact-corpus-split:" + id)``, never Python's ``hash``) and dealt alternately
   to dev and test; the odd document of odd-sized strata goes alternately to dev and test
   (per source), so every stratum with >= 2 documents appears in both halves and each
   source (hand / generated) is split 50/50 to within one document. The split is
   deterministic; adding or removing a document can only move documents of its own stratum.
   Document type: ``gen_NNNN_<type>`` for generated ids, ``hand_NNN_<type>.txt`` for hand ids
   (otherwise the first folder of the id, or ``misc``);
4. writes ``tests/fixtures/corpus/dev.gold.jsonl`` and ``tests/fixtures/corpus/test.gold.jsonl``
   (documents sorted by id) and prints documents and mentions per split, per source, per
   label and per document type.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.dont_write_bytecode = True  # importing build_gold must not leave __pycache__ behind
sys.path.insert(0, str(HERE))
import build_gold

CORPUS = ROOT / "tests/fixtures/corpus"
HAND_SRC = ROOT / "tests/fixtures/annotated/corpus_hand"
SALT = "redact-corpus-split:"


def load(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_hand(src: Path, out: Path) -> int:
    """Render the hand folder with build_gold; return its exit code."""
    files = [p for p in src.rglob("*") if p.is_file() and p.suffix in {".txt", ".md"}] if src.is_dir() else []
    if not files:
        print(f"note: no hand-written documents in {src} (missing or empty); splitting generated only",
              file=sys.stderr)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("", encoding="utf-8")
        return 0
    return build_gold.main([str(src), "--gold", str(out)])


def problems(doc: dict) -> list[str]:
    out = []
    text = doc.get("text", "")
    if not isinstance(text, str) or "{{" in text or "}}" in text:
        out.append("text missing or contains markup")
    prev_end, prev = -1, None
    for s in sorted(doc.get("spans", []), key=lambda s: (s["start"], s["end"])):
        where = f"{s.get('label')} [{s.get('start')}:{s.get('end')}]"
        if s.get("label") not in build_gold.LABELS:
            out.append(f"unknown label {where}")
        if not (0 <= s["start"] < s["end"] <= len(text)):
            out.append(f"out of bounds or empty {where}")
            continue
        frag = text[s["start"]:s["end"]]
        if frag != frag.strip() or not frag.strip():
            out.append(f"padded/blank span {where}: {frag!r}")
        if s["start"] < prev_end:
            out.append(f"overlap {where} with {prev}")
        prev_end, prev = max(prev_end, s["end"]), where
    return out


def bucket(doc_id: str) -> int:
    digest = hashlib.sha256((SALT + doc_id).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def source(doc_id: str) -> str:
    return "generated" if doc_id.startswith("gen_") else "hand"


def doc_type(doc_id: str) -> str:
    """``gen_0001_group_note`` -> group_note; ``hand_012_discharge.txt`` -> discharge."""
    stem = doc_id.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    parts = stem.split("_", 2)
    if len(parts) == 3 and parts[1].isdigit():
        return parts[2]
    return doc_id.split("/", 1)[0] if "/" in doc_id else "misc"


def split(docs: list[dict]) -> dict[str, str]:
    strata: dict[tuple[str, str], list[str]] = {}
    for d in docs:
        strata.setdefault((source(d["id"]), doc_type(d["id"])), []).append(d["id"])
    assign: dict[str, str] = {}
    sides = ("dev", "test")
    extra = {src: bucket("source:" + src) % 2 for src, _ in strata}  # who gets the next odd doc
    for (src, kind), ids in sorted(strata.items()):
        ids.sort(key=lambda i: (bucket(i), i))
        first = 0
        if len(ids) % 2:
            first = extra[src]
            extra[src] ^= 1
        for n, i in enumerate(ids):
            assign[i] = sides[(first + n) % 2]
    return assign


def report(name: str, docs: list[dict]) -> None:
    labels = Counter(s["label"] for d in docs for s in d["spans"])
    srcs = Counter(source(d["id"]) for d in docs)
    src_m = Counter()
    for d in docs:
        src_m[source(d["id"])] += len(d["spans"])
    print(f"{name}: {len(docs)} docs, {sum(labels.values())} mentions "
          f"({', '.join(f'{k} {srcs[k]} docs/{src_m[k]} mentions' for k in sorted(srcs))})")
    for label in sorted(build_gold.LABELS):
        print(f"    {label:<13}{labels.get(label, 0):>6}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generated", type=Path, default=CORPUS / "generated.gold.jsonl")
    ap.add_argument("--hand-src", type=Path, default=HAND_SRC)
    ap.add_argument("--hand", type=Path, default=CORPUS / "hand.gold.jsonl")
    ap.add_argument("--out-dir", type=Path, default=CORPUS)
    ap.add_argument("--no-hand", action="store_true", help="ignore the hand-written folder")
    args = ap.parse_args(argv)

    if not args.generated.exists():
        print(f"error: {args.generated} not found; run scripts/generate_corpus.py first", file=sys.stderr)
        return 1
    hand: list[dict] = []
    if not args.no_hand:
        if build_hand(args.hand_src, args.hand) != 0:
            print("error: build_gold failed on the hand folder (see above); fix it or pass --no-hand",
                  file=sys.stderr)
            return 1
        hand = load(args.hand)
    docs = load(args.generated) + hand

    bad = 0
    seen: set[str] = set()
    for d in docs:
        if d["id"] in seen:
            print(f"{d['id']}: duplicate id", file=sys.stderr)
            bad += 1
        seen.add(d["id"])
        for p in problems(d):
            print(f"{d['id']}: {p}", file=sys.stderr)
            bad += 1
    if bad:
        print(f"error: {bad} problem(s) in the gold corpus", file=sys.stderr)
        return 1

    assign = split(docs)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    parts = {}
    for name in ("dev", "test"):
        chosen = sorted((d for d in docs if assign[d["id"]] == name), key=lambda d: d["id"])
        parts[name] = chosen
        path = args.out_dir / f"{name}.gold.jsonl"
        path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in chosen), encoding="utf-8")

    print(f"checked {len(docs)} docs, {sum(len(d['spans']) for d in docs)} spans: OK")
    for name, chosen in parts.items():
        report(f"{name} -> {args.out_dir / (name + '.gold.jsonl')}", chosen)
    strata = sorted({(source(d["id"]), doc_type(d["id"])) for d in docs})
    print("document types, docs dev / test:")
    for src, t in strata:
        dv = sum(1 for d in parts["dev"] if (source(d["id"]), doc_type(d["id"])) == (src, t))
        ts = sum(1 for d in parts["test"] if (source(d["id"]), doc_type(d["id"])) == (src, t))
        print(f"    {src:<10}{t:<20}{dv:>4} / {ts:<4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
