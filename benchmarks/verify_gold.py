"""How good a second opinion `redact verify` is, measured on an export of gold text.

Writes each gold document as a text file, runs `redact run` on them (the library behind the CLI,
tags policy), runs `redact verify` on the export, and maps every finding back to the input
(through the spans the run records with --spans). A finding is true when it covers part of a gold mention
the run left in the text (a leak), false otherwise.

    python benchmarks/verify_gold.py tests/fixtures/real/real.gold.jsonl --part dev
    python benchmarks/verify_gold.py tests/fixtures/corpus/test.gold.jsonl

Prints counts by label, never a value.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from redact.api import Redactor  # noqa: E402
from redact.evaluate import GoldDoc, load_gold  # noqa: E402
from redact.pipeline import RunOptions, run  # noqa: E402
from redact.verify import PLACEHOLDERS, SPANS, verify  # noqa: E402

TAG = PLACEHOLDERS[0]


def input_offsets(source: str, output: str, spans: list[dict]) -> list[int | None]:
    """For each character of `output`, the offset of the same character in `source` (None inside
    the tag the run wrote in place of a span)."""
    where: list[int | None] = []
    pos = 0
    for span in sorted(spans, key=lambda s: s["start"]):
        if span["start"] < pos:
            continue
        where += range(pos, span["start"])
        tag = TAG.match(output, len(where))
        if tag is None:
            raise SystemExit("the export is not the input with tags in place of spans: use the tags policy")
        where += [None] * (tag.end() - tag.start())
        pos = span["end"]
    return where + list(range(pos, len(source)))


def leaked(doc: GoldDoc, spans: list[dict]) -> list[dict]:
    """Gold mentions with a non-space character outside every span (as `redact eval` counts)."""
    covered = bytearray(len(doc.text))
    for span in spans:
        covered[span["start"]:span["end"]] = b"\x01" * (span["end"] - span["start"])
    return [g for g in doc.spans
            if not all(covered[i] for i in range(g["start"], g["end"]) if not doc.text[i].isspace())]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold", type=Path)
    ap.add_argument("--part", choices=["dev", "test"])
    ap.add_argument("--corpora", type=Path)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()

    docs = load_gold(args.gold, args.corpora, args.part)
    with tempfile.TemporaryDirectory() as tmp:
        inputs, out = Path(tmp) / "in", Path(tmp) / "out"
        inputs.mkdir()
        for n, doc in enumerate(docs):
            (inputs / f"doc{n:05d}.txt").write_text(doc.text, encoding="utf-8")
        run([inputs], RunOptions(out=out, workers=args.workers, write_spans=True), warn=lambda message: None)
        spans = {rec["id"]: rec["spans"] for rec in map(json.loads, (out / SPANS).read_text().splitlines())}
        report = verify(out, Redactor("tags"))
        true, false, leaks, found, unscored = Counter(), Counter(), 0, 0, 0
        for file_report in report.files:
            # The run numbers its outputs in input order ("0001_..."); the rest of a name may be
            # redacted, and verify withholds a name it finds something in.
            prefix = Path(file_report.file).name.split("_", 1)[0]
            if not prefix.isdigit():
                unscored += 1
                continue
            doc = docs[int(prefix) - 1]
            output = (out / file_report.file).read_text(encoding="utf-8")
            where = input_offsets(doc.text, output, spans[file_report.file])
            gone = leaked(doc, spans[file_report.file])
            leaks += len(gone)
            hit = set()
            for finding in file_report.findings:
                if finding.part != "content":
                    false["(file name)"] += 1
                    continue
                covered = {where[i] for i in range(finding.start, finding.end) if where[i] is not None}
                hits = [k for k, g in enumerate(gone) if any(g["start"] <= i < g["end"] for i in covered)]
                (true if hits else false)[finding.label] += 1
                hit.update(hits)
            found += len(hit)
    n_true, n_false = sum(true.values()), sum(false.values())
    print(f"{len(docs)} documents; the export leaks {leaks} gold mentions"
          + (f"; {unscored} outputs not scored (name withheld)" if unscored else ""))
    print(f"verify: {n_true + n_false} findings, {n_true} on a leak, {n_false} false "
          f"(precision {n_true / max(n_true + n_false, 1):.3f}); leaks found {found} of {leaks} "
          f"(recall {found / max(leaks, 1):.3f})")
    print(f"{'label':14} {'true':>5} {'false':>5}")
    for label in sorted(true.keys() | false.keys()):
        print(f"{label:14} {true[label]:5d} {false[label]:5d}")


if __name__ == "__main__":
    main()
