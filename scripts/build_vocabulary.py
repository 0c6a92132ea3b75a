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
Documents holding any window of a test part (tests/fixtures/real) are left out, under every id
the same report is filed as. A word needs
three reports; a word in the name or place gazetteers or in Faker's name lists needs 40 (eponyms
like Foley are everywhere, a clinician's or a town's name is not). MTSamples files many reports
under two or three specialties, so a word that only one distinct report uses, always capitalised
(a town or a clinician named in a report filed three times), is left out: a proper noun of one
report, not vocabulary. Brands and eponyms of one report go with it; measured out of sample on the
real dev text, that cost nothing.
The reports of one collection use only part of clinical English: a condition, an anatomical part
or an injury that fewer than three of them name ("erythematosus", "tarsus", "sprain") is added from
the ICD-10-CM tabular list (its descriptions and notes; public domain, CDC), read from the copy the
`simple_icd_10_cm` package (MIT) ships, needed only to rebuild the list. Only words general English
rarely uses are taken from it (common words, "centre" or "residential", also name programmes and
organisations, and need no list to be read as English), and none whose parts are in the name or
place gazetteers ("graves", "down"). Words it writes only capitalised (eponyms, places) or in
capitals (acronyms, which clash with organisations') stay out.
Reproduce with:

    pip install simple_icd_10_cm
    python scripts/build_vocabulary.py --corpora ../shared/corpora
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree

from build_drugs import gazetteer_words
from wordfreq import zipf_frequency

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
SOURCES = ("mtsamples.jsonl",)
MIN_DOCUMENTS = 3
# A word in the name gazetteers must be far more widespread to count: an eponym (Foley, Bovie,
# Babinski) is in hundreds of reports, a person's name in a handful. The name-list words that three
# reports write in lower case ("burns", "odor", "sprain") go to a second list, common_noun_names.txt:
# common nouns as well as names, which only a line in capitals (no case to tell) reads as nouns.
MIN_DOCUMENTS_FOR_NAMES = 40
# A word of the ICD-10-CM list more frequent than this in general English is left to word frequencies.
ICD_MAX_ZIPF = 3.0


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


def icd_words() -> set[str]:
    """Words of three letters or more that the ICD-10-CM tabular list's descriptions and notes (the
    package's copy of the CDC's XML release) write in lower case somewhere: not its acronyms, nor
    the eponyms it always capitalises."""
    data = resources.files("simple_icd_10_cm") / "data"
    [tabular] = [f for f in data.iterdir() if f.name.endswith(".xml") and "tabular" in f.name]
    words = set()
    with tabular.open("rb") as xml:
        for _, element in ElementTree.iterparse(xml):
            if element.tag in ("desc", "note") and element.text:
                words.update(w for w in WORD.findall(element.text) if len(w) > 2 and w.islower())
            element.clear()
    return words


def _text_key(text: str) -> str:
    """One key per distinct report text, whitespace aside."""
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "gazetteer" / "domain_vocabulary.txt")
    ap.add_argument("--nouns-out", type=Path, default=ROOT / "models" / "gazetteer" / "common_noun_names.txt")
    args = ap.parse_args()
    names = gazetteer_words()  # names and places (gazetteers, Faker): they need MIN_DOCUMENTS_FOR_NAMES
    held_out = test_documents()
    docs = [json.loads(line) for name in SOURCES
            for line in (args.corpora / name).read_text(encoding="utf-8").splitlines()]
    # A held-out report is held out under every id it is filed as.
    held_texts = {_text_key(doc["text"]) for doc in docs if doc["id"] in held_out}
    df: Counter = Counter()
    distinct: Counter = Counter()
    lower_case: set[str] = set()
    lower_df: Counter = Counter()   # distinct reports using the word in lower case
    seen: set[str] = set()
    for doc in docs:
        key = _text_key(doc["text"])
        if key in held_texts:
            continue
        found = [w for w in WORD.findall(doc["text"]) if len(w) > 2]
        df.update({w.lower() for w in found})
        if key not in seen:
            seen.add(key)
            distinct.update({w.lower() for w in found})
            lower = {w for w in found if w.islower()}
            lower_case.update(lower)
            lower_df.update(lower)
    reports = {w for w, n in df.items()
               if n >= (MIN_DOCUMENTS_FOR_NAMES if w in names else MIN_DOCUMENTS)
               and (distinct[w] > 1 or w in lower_case)}
    classification = {w for w in icd_words() if zipf_frequency(w, "en") < ICD_MAX_ZIPF
                      and not any(part.removesuffix("'s").removesuffix("’s") in names for part in w.split("-"))}
    words = sorted(reports | classification)
    args.out.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {args.out} ({len(classification - reports)} from ICD-10-CM alone)")
    # Names that reports also write in lower case: common nouns, read only where case cannot tell.
    vocabulary = reports
    nouns = sorted(w for w in names if lower_df[w] >= MIN_DOCUMENTS and w not in vocabulary)
    args.nouns_out.write_text("\n".join(nouns) + "\n", encoding="utf-8")
    print(f"{len(nouns)} words -> {args.nouns_out}")


if __name__ == "__main__":
    main()
