"""A case-restored view of lower-case and ALL-CAPS lines, which the spaCy pipeline reads instead of
the original.

spaCy's English models lean on capitalisation: in a text-message log ("marcus has the car") or an
ALL-CAPS transcript ("I GOT A CALL FROM REZIN") they miss most names. The view lower-cases such
lines and capitalises sentence starts and words likely to be proper nouns (names in the census
lists that are not everyday words, and words too rare to be everyday English). It keeps every
character offset, so entities found in the view map straight back onto the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Where a doc read from a case-restored copy keeps the text as written (doc.user_data).
SOURCE_TEXT = "redact_source_text"

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:]\s*$")


def same_length_case(text: str, upper: bool) -> str:
    """Case-map char by char, leaving chars whose mapping changes length (ß -> SS) alone."""
    out = []
    for c in text:
        mapped = c.upper() if upper else c.lower()
        out.append(mapped if len(mapped) == 1 else c)
    return "".join(out)


def recase_line(line: str, is_proper: Callable[[str], bool],
                is_title: Callable[[str], bool] = lambda word: False) -> str:
    lowered = same_length_case(line, upper=False)
    out, pos, previous_word = [], 0, ""
    for match in _WORD.finditer(lowered):
        word = match.group()
        before = lowered[pos:match.start()]
        # Linear in the line's length: only the previous word and the gap are looked at.
        # A dot straight after a single letter spells shorthand or initials ("p.r.n.", "e.g."), not a
        # sentence end; nor does a title's own ("dr. long"), and a name follows it.
        after_title = before.rstrip() == "." and is_title(previous_word.lower())
        sentence_start = not previous_word or (_SENTENCE_END.search(previous_word + before)
                                               and not (before == "." and len(previous_word) == 1)
                                               and not after_title)
        out.append(before)
        titled = is_title(word) and lowered.startswith(".", match.end())
        if sentence_start or after_title or titled or is_proper(word):
            word = same_length_case(word[0], upper=True) + word[1:]
        out.append(word)
        previous_word = word
        pos = match.end()
    out.append(lowered[pos:])
    return "".join(out)


def recase(text: str, is_caseless: Callable[[str], bool], is_proper: Callable[[str], bool],
           is_title: Callable[[str], bool] = lambda word: False) -> str | None:
    """text with its caseless lines case-restored (lines with case kept as they are), or None when
    every line has case (nothing to restore). A short title written with its full stop ("mrs.")
    is capitalised, and so is the name after it (`is_title` says which words are such titles)."""
    lines = text.split("\n")
    changed = False
    for i, line in enumerate(lines):
        if is_caseless(line):
            lines[i] = recase_line(line, is_proper, is_title)
            changed = True
    return "\n".join(lines) if changed else None


def source_text(doc) -> str:
    """The text of a spaCy doc as written, whether the pipeline read it or a case-restored copy."""
    # Not .get(key, doc.text): spaCy rebuilds doc.text on every access.
    return doc.user_data[SOURCE_TEXT] if SOURCE_TEXT in doc.user_data else doc.text
