"""Build models/gazetteer/eponyms.txt: the names that name a condition on their own ("Crohn's").

People write a condition by its eponym in the possessive and leave the head out ("my brother has
Asperger's", "Dad's Parkinson's"): a name the detector reads there is no person but the content a
reader of a peer-support export needs. The names come from the ICD-10-CM tabular list (public
domain, CDC; the copy the `simple_icd_10_cm` package ships, MIT): every capitalised word it writes
in the possessive ("Crohn's disease", "Graves' disease") and never in lower case (not "Farmer's
lung"). A name that is mostly something else in general English is left out: a common word or
surname (wordfreq Zipf 3.5 or more: "Bell", "Wilson", "Still"), a given
name many people bear, or a place ("Huntington", "Addison"); after those the possessive is far more
often a person's or a shop's than a disease's.

    pip install simple_icd_10_cm
    python scripts/build_eponyms.py
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree

from build_drugs import faker_given_names
from wordfreq import zipf_frequency

GAZETTEER = Path(__file__).resolve().parents[1] / "models" / "gazetteer"
POSSESSIVE = re.compile(r"\b([A-Z][a-z]+)(?:'s\b|(?<=s)')")
LOWER_CASE_WORD = re.compile(r"\b[a-z]+\b")
MAX_ZIPF = 3.5


def icd_texts():
    """The descriptions and notes of the ICD-10-CM tabular list."""
    data = resources.files("simple_icd_10_cm") / "data"
    [tabular] = [f for f in data.iterdir() if f.name.endswith(".xml") and "tabular" in f.name]
    with tabular.open("rb") as xml:
        for _, element in ElementTree.iterparse(xml):
            if element.tag in ("desc", "note") and element.text:
                yield element.text
            element.clear()


def _words(name: str) -> set[str]:
    return {line.split("\t")[0].strip().lower() for line in (GAZETTEER / name).read_text(encoding="utf-8").splitlines()}


def main() -> None:
    named, lower_case = set(), set()
    for text in icd_texts():
        named.update(m.group(1).lower() for m in POSSESSIVE.finditer(text))
        lower_case.update(LOWER_CASE_WORD.findall(text))
    given_names = _words("first_names.txt") | faker_given_names()
    eponyms = sorted(named - lower_case - given_names)
    eponyms = [w for w in eponyms if zipf_frequency(w, "en") < MAX_ZIPF]
    (GAZETTEER / "eponyms.txt").write_text("\n".join(eponyms) + "\n", encoding="utf-8")
    print(f"{len(eponyms)} eponyms")


if __name__ == "__main__":
    main()
