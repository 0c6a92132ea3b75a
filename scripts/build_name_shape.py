"""Build models/gazetteer/name_shape.tsv: how much a word's spelling looks like a name.

A word nobody has listed ("Quennevelt", "periscapular", "Cylch") gets no help from the gazetteers
or from word frequencies, yet its letters say a lot: "-ectomy", "-ular" and "-gram" spell clinical
English, "-ska", "-sen" and "Mc-" spell surnames. This is a naive Bayes model over character
3- and 4-grams (with word-boundary marks): one log-odds per n-gram, names against everyday and
domain words. Evidence for the learned decision (detect/evidence.py), not a rule.

Names: the Census first- and last-name gazetteers. Words: wordfreq's English list (the most
frequent words that are in no name list) and the domain vocabulary (MTSamples words).
Reproduce with:

    python scripts/build_name_shape.py
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GAZETTEER = ROOT / "models" / "gazetteer"
# wordfreq's English words beyond this rank are mostly names, typos and foreign words.
WORD_LIST_SIZE = 60_000
# An n-gram seen fewer times in both classes together says too little to keep.
MIN_COUNT = 5
# Kept only when it moves the odds by at least this much (keeps the file small).
MIN_ABS_LOG_ODDS = 0.25


def main() -> None:
    from wordfreq import top_n_list

    from redact.detect.evidence import name_ngrams

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=GAZETTEER / "name_shape.tsv")
    args = ap.parse_args()
    names = {w for f in ("first_names.txt", "last_names.txt")
             for w in (GAZETTEER / f).read_text(encoding="utf-8").split()}
    domain = set((GAZETTEER / "domain_vocabulary.txt").read_text(encoding="utf-8").split())
    words = {w for w in top_n_list("en", WORD_LIST_SIZE) if w.isalpha() and len(w) >= 3} | domain
    words -= names
    counts = {"name": Counter(), "word": Counter()}
    for cls, vocabulary in (("name", names), ("word", words)):
        for word in vocabulary:
            counts[cls].update(set(name_ngrams(word)))
    totals = {cls: len(v) for cls, v in (("name", names), ("word", words))}
    rows = []
    for gram in counts["name"].keys() | counts["word"].keys():
        n, w = counts["name"][gram], counts["word"][gram]
        if n + w < MIN_COUNT:
            continue
        # Add-one smoothed per-class document frequencies, so unseen grams are not infinite.
        odds = math.log((n + 1) / (totals["name"] + 2)) - math.log((w + 1) / (totals["word"] + 2))
        if abs(odds) >= MIN_ABS_LOG_ODDS:
            rows.append((gram, round(odds, 2)))
    rows.sort()
    args.out.write_text("".join(f"{g}\t{o}\n" for g, o in rows), encoding="utf-8")
    print(f"{len(rows)} n-grams from {totals['name']} names and {totals['word']} words -> {args.out}")


if __name__ == "__main__":
    main()
