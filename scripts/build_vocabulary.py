"""Build models/gazetteer/domain_vocabulary.txt: words many different real clinical reports use.

An identifier belongs to one document's people and places; a word that dozens of unrelated
reports or meetings use (a drug, a heading, an instrument, a filler) is the domain's vocabulary.
wordfreq knows general English, not "Vicryl", "HEENT" or "mm-hmm": this list is evidence for the
decision (detect/evidence.py), not a rule.

Source: MTSamples (CC0) in ../shared/corpora, transcribed reports with the patients' and most
clinicians' names already removed. Sets where the same people write or speak again and again are
left out on purpose, since their names would pass for vocabulary: Counsel Chat (the same
therapists sign dozens of answers, some with handles in the text) and meeting transcripts (one
research group meets in dozens of them).
Documents holding any window of a test part (tests/fixtures/real) are left out, with every copy of
them: MTSamples files many reports under two or more specialties, so reports are counted once per
distinct text (counted per file, a town or a clinician's name in one report filed three times
passed for vocabulary). A word needs three reports, or one that writes it in lower case when
general English does not know it (jargon: "parapneumonic", "eschar"; a name or a brand is written
with its capital, and everyday words are wordfreq's to judge); a word in the name or place
gazetteers or in Faker's name lists needs 18 reports whatever its case (eponyms like Foley are
everywhere, a clinician's or a town's name is not).
Reproduce with:

    python scripts/build_vocabulary.py --corpora ../shared/corpora
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

from build_drugs import gazetteer_words
from wordfreq import zipf_frequency

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
SOURCES = ("mtsamples.jsonl",)
MIN_DOCUMENTS = 3
# A word in the name gazetteers must be far more widespread to count: an eponym (Foley, Bovie,
# Babinski) is in hundreds of reports, a person's name in a handful. (40 files before reports were
# counted once per distinct text: about 18 distinct reports.)
MIN_DOCUMENTS_FOR_NAMES = 18
# Below this wordfreq Zipf frequency a word is unknown to general English: jargon.
JARGON_ZIPF = 3.0


def test_documents() -> set[str]:
    """Documents with a window in a test part of the real gold or the unlabeled selections."""
    out = set()
    real = ROOT / "tests" / "fixtures" / "real"
    for path in [real / "real.gold.jsonl", *sorted((real / "unlabeled").glob("*.jsonl"))]:
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec.get("part") == "test":
                out.update(p["doc"] for p in rec["parts"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "gazetteer" / "domain_vocabulary.txt")
    args = ap.parse_args()
    names = gazetteer_words()  # names and places (gazetteers, Faker): they need MIN_DOCUMENTS_FOR_NAMES
    held_out = test_documents()
    reports: dict[str, str] = {}  # one per distinct text (whitespace aside)
    held_texts: set[str] = set()
    for name in SOURCES:
        with (args.corpora / name).open(encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                key = hashlib.sha1(" ".join(doc["text"].split()).encode()).hexdigest()
                reports.setdefault(key, doc["text"])
                if doc["id"] in held_out:
                    held_texts.add(key)
    df: Counter = Counter()
    lower_case: set[str] = set()
    for key, text in reports.items():
        if key not in held_texts:
            found = [w for w in WORD.findall(text) if len(w) > 2]
            df.update({w.lower() for w in found})
            lower_case.update(w for w in found if w.islower())
    words = sorted(w for w, n in df.items() if n >= MIN_DOCUMENTS_FOR_NAMES or (w not in names and (
        n >= MIN_DOCUMENTS or (w in lower_case and zipf_frequency(w, "en") < JARGON_ZIPF))))
    args.out.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words from {len(reports) - len(held_texts)} distinct reports -> {args.out}")


if __name__ == "__main__":
    main()
