"""Gender cues around a person mention, so a surrogate name agrees with its text: "my brother
Melissa ... he's" must not stay a woman's name, "her little boy Sara" is a boy.

A kin word or title just before the name decides ("brother", "Mrs.", "little boy"); otherwise the
first third-person pronoun after it in the same sentence or the next one. No cue: None, and the
name's own usual gender is used (see surrogate).
"""

from __future__ import annotations

import re

FEMALE, MALE = "female", "male"
_KIN = {
    FEMALE: "sister daughter wife mother mom mum mommy mama aunt auntie niece granddaughter grandmother "
            "grandma girlfriend girl lady woman mrs ms miss madam stepmother stepdaughter stepsister fiancee "
            "bride widow sis gal",
    MALE: "brother son husband father dad daddy papa uncle nephew grandson grandfather grandpa boyfriend "
          "boy man gentleman mr sir stepfather stepson stepbrother fiance groom widower bro guy",
}
_KIN_WORD = {word: gender for gender, words in _KIN.items() for word in words.split()}
_PRONOUN = {"she": FEMALE, "her": FEMALE, "hers": FEMALE, "herself": FEMALE,
            "he": MALE, "him": MALE, "his": MALE, "himself": MALE}
# How far a kin word may sit before the name ("her little boy Sara": two words between).
KIN_WORDS_BEFORE = 3
# How far after the name a pronoun is looked for: this sentence and the next.
SENTENCES_AFTER = 2
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n")


def _kin_before(text: str, start: int) -> str | None:
    before = _WORDS.findall(text[max(0, start - 60):start])[-KIN_WORDS_BEFORE:]
    return next((_KIN_WORD[w.lower()] for w in reversed(before) if w.lower() in _KIN_WORD), None)


def _pronoun_after(text: str, end: int, stop: int) -> str | None:
    window = text[end:min(stop, end + 400)]
    cut = 0
    for _ in range(SENTENCES_AFTER):
        found = _SENTENCE_END.search(window, cut)
        if not found:
            cut = len(window)
            break
        cut = found.end()
    for word in _WORDS.findall(window[:cut]):
        base = re.split(r"['’]", word.lower())[0]  # "he's" -> "he"
        if base in _PRONOUN:
            return _PRONOUN[base]
    return None


def gender_cue(text: str, start: int, end: int, stop: int | None = None) -> str | None:
    """'female', 'male' or None for the person mention text[start:end]; pronouns are looked for
    only up to `stop` (the next person mention: a pronoun after it may be about that one)."""
    return _kin_before(text, start) or _pronoun_after(text, end, len(text) if stop is None else stop)
