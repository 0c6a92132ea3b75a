"""De-identified output paths: file and folder names carry names and dates too ("jsmith_intake.txt").

A name component is read as text: undecodable bytes decoded (UTF-8, else cp1252), NFKC applied
(full-width Latin becomes Latin), cut into words, and run through the same detection as the
documents. A word survives only when detection leaves it alone *and* it is an ordinary word of
its script's language that is not also a person's name (wordfreq, Faker's name lists): with no
context around it, "Hope" or "Jsmith" cannot be told from a person, so they fail closed to `x`.
Scripts with no word list here (CJK, Thai, ...) always become `x`.
"""

from __future__ import annotations

import functools
import importlib
import os
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

import regex
from wordfreq import zipf_frequency

# Words, numbers, and the separators kept between them; every other character becomes "_".
_PIECES = regex.compile(r"(\p{L}[\p{L}\p{M}']*|\d+|[ ._\-+(),]+|.)")
_SEPARATOR = regex.compile(r"[ ._\-+(),]+")
# Everyday words at least this frequent are kept ("tabular" 2.4, "sessions" 4.5); rarer ones could
# be a surname or an ID.
SAFE_WORD_ZIPF = 2.4
# A word that is also a known name is kept only when it is much more often a word ("sessions").
NAME_WORD_ZIPF = 4.0
# script (first word of the Unicode character name) -> (wordfreq language, Faker locales with its names)
SCRIPTS = {
    "LATIN": ("en", ("en_US", "en_GB", "es_MX", "fr_FR", "de_DE", "it_IT", "pt_BR")),
    "CYRILLIC": ("ru", ("ru_RU", "uk_UA", "bg_BG")),
    "GREEK": ("el", ("el_GR",)),
    "ARABIC": ("ar", ("ar_AA",)),
    "HEBREW": ("he", ("he_IL",)),
}
_NAME_LISTS = ("first_names", "last_names", "first_names_male", "first_names_female",
               "last_names_male", "last_names_female")

NameTest = Callable[[str], bool]
Detect = Callable[[Sequence[str]], list[list]]


def readable(part: str) -> str:
    """A path component as text: bytes that were not UTF-8 (kept by Python as lone surrogates)
    read as cp1252, then NFKC. The result always encodes as UTF-8."""
    raw = os.fsencode(part)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return unicodedata.normalize("NFKC", text)


def _script(word: str) -> str:
    letter = next((c for c in word if c.isalpha()), "")
    return unicodedata.name(letter, "UNKNOWN").split(" ")[0] if letter else "UNKNOWN"


@functools.cache
def _names(script: str) -> frozenset[str]:
    """Lower-cased first and last names of the script's Faker locales."""
    found: set[str] = set()
    for locale in SCRIPTS[script][1]:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            continue
        for attr in _NAME_LISTS:
            found.update(str(n).lower() for n in getattr(provider, attr, None) or ())
    return frozenset(found)


def ordinary_word(word: str, is_name: NameTest = lambda w: False) -> bool:
    """A word of its script's language that is not a person's name: safe in a file name."""
    script = _script(word)
    if script not in SCRIPTS or len(word) < 2:
        return False
    low = word.lower()
    zipf = zipf_frequency(low, SCRIPTS[script][0])
    if zipf < SAFE_WORD_ZIPF or low in _names(script):
        return False
    return not (is_name(low) and zipf < NAME_WORD_ZIPF)


def clean(component: str, detected: Sequence[tuple[int, int]] = (),
          is_name: NameTest = lambda w: False) -> str:
    """Keep separators and ordinary words not covered by a detected span; anything else (names,
    digits, symbols) collapses into one 'x' per run of them."""
    out: list[str] = []
    pos = 0
    for piece in _PIECES.findall(component):
        start, pos = pos, pos + len(piece)
        covered = any(s < pos and start < e for s, e in detected)
        if _SEPARATOR.fullmatch(piece):
            out.append(piece)
        elif piece[0].isalpha() and not covered and ordinary_word(piece, is_name):
            out.append(piece)
        elif not out or out[-1] != "x":
            out.append("x")
    return "".join(out).strip(" ") or "x"


def _as_text(component: str) -> str:
    """The component as detection sees it: separators as spaces, so "maria_lopez" reads as words."""
    return _SEPARATOR.sub(lambda m: " " * len(m.group()), component)


def deidentify_paths(rels: Sequence[PurePosixPath], ordinals: Sequence[int],
                     folder_ids: Sequence[Sequence[int]] | None = None,
                     detect: Detect | None = None, is_name: NameTest = lambda w: False) -> list[PurePosixPath]:
    """`notes/jsmith_intake.txt`, 7 -> `notes/0007_x_intake.txt`: names and numbers dropped, the
    input's ordinal keeps outputs distinct; a folder whose name lost anything gets its folder
    number (`x-3`), so distinct input folders stay distinct."""
    texts: dict[tuple[str, bool], str] = {}  # (component, is the file name) -> text
    for rel in rels:
        for i, part in enumerate(rel.parts):
            last = i == len(rel.parts) - 1
            texts.setdefault((part, last), readable(PurePosixPath(part).stem if last else part))
    unique = sorted(set(texts.values()))
    spans = dict(zip(unique, detect([_as_text(t) for t in unique]))) if detect else {}
    cleaned = {t: clean(t, [(s.start, s.end) for s in spans.get(t, ())], is_name) for t in unique}
    out = []
    for n, rel in enumerate(rels):
        ids = folder_ids[n] if folder_ids else ()
        folders = []
        for depth, part in enumerate(rel.parts[:-1]):
            text = texts[part, False]
            name = cleaned[text]
            if name != text and depth < len(ids):
                name = f"{name}-{ids[depth]}"
            folders.append(name)
        stem = cleaned[texts[rel.parts[-1], True]]
        suffix = "".join(c for c in readable(rel.suffix) if c.isascii() and (c.isalnum() or c == "."))
        out.append(PurePosixPath(*folders, f"{ordinals[n]:04d}_{stem}{suffix}"))
    return out


def deidentify_path(rel: PurePosixPath, ordinal: int, is_name: NameTest = lambda w: False,
                    detect: Detect | None = None) -> PurePosixPath:
    """One path (see deidentify_paths)."""
    return deidentify_paths([rel], [ordinal], None, detect, is_name)[0]
