"""Pattern recognizers declared in models/patterns.yaml (regex + context), as Presidio recognizers."""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers
import regex
from presidio_analyzer import Pattern, PatternRecognizer

from redact.config import DetectionConfig
from redact.errors import ConfigError

_DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
                "six": "6", "seven": "7", "eight": "8", "nine": "9"}


def spoken_digits(text: str) -> str | None:
    """The digits of a number read out in words ("two oh seven, double five" -> "20755"), or None
    when a word is not a digit."""
    digits, repeat = [], 1
    for word in regex.findall(r"[a-z]+", text.lower()):
        if word == "double":
            repeat = 2
            continue
        if word not in _DIGIT_WORDS:
            return None
        digits.append(_DIGIT_WORDS[word] * repeat)
        repeat = 1
    return "".join(digits) or None


def impossible_north_american_number(text: str) -> bool | None:
    """True for a number read out in words that no North American line has: the area code and the
    exchange never start with 0 or 1, so counting aloud ("one, two, three, ...") is not a phone
    number. Numbers in digits, and read-outs of other lengths (other countries' plans), are not
    judged (None)."""
    digits = spoken_digits(text)
    if digits is None:
        return None
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) == 10:
        return digits[0] in "01" or digits[3] in "01"
    if len(digits) == 7:
        return digits[0] in "01"
    return None


_RANGE = regex.compile(r"(\d{2,3})[sS]?-(\d{2,3})[A-Za-z]{0,3}")
# Short groups joined by two slashes or more: a series of readings (a blood gas "7.36/42/98",
# vitals) or a date; numbering plans write groups with spaces, dots or dashes.
_READINGS = regex.compile(r"\d{1,3}(?:/\d{1,3}){2,}")
_HOURS = r"(?:[01]\d|2[0-3])[0-5]\d"
_CLOCK_RANGE = regex.compile(rf"{_HOURS}\s?[-–]\s?{_HOURS}")


def numeric_range(text: str) -> bool | None:
    """True for two close numbers joined by a dash ("110-130", "80s-90s", "40-60cc"): a range of
    readings, as notes write vital signs, doses and output, not an ID; and for a span of 24-hour
    clock times ("0700-1900", a nursing shift). A second number more than twice the first
    ("12-345"), or longer groups, are not judged (None). Nor is a series of readings joined by
    slashes ("36/42/98") a number."""
    value = text.strip()
    if _CLOCK_RANGE.fullmatch(value) or _READINGS.fullmatch(value):
        return True
    match = _RANGE.fullmatch(value)
    if match is None:
        return None
    low, high = int(match[1]), int(match[2])
    return (low < high <= 2 * low) or None


def impossible_international_number(text: str) -> bool:
    """True unless a number written with its country code ("+44 29 2018 808") has a length that
    country's numbering plan allows (phonenumbers' possible-number check)."""
    try:
        return not phonenumbers.is_possible_number(phonenumbers.parse(text, None))
    except phonenumbers.NumberParseException:
        return True


# Named checks a pattern block can declare as `invalidator:` (Presidio's invalidate_result).
INVALIDATORS: dict[str, Callable[[str], bool | None]] = {
    "north-american-number": impossible_north_american_number,
    "international-number": impossible_international_number,
    "numeric-range": numeric_range,
}


def invalidator(name: str, owner: str) -> Callable[[str], bool | None]:
    """The named check, or a ConfigError naming who asked for it."""
    if name not in INVALIDATORS:
        raise ConfigError(f"{owner} names an unknown invalidator {name!r}",
                          hint=f"one of: {', '.join(sorted(INVALIDATORS))}")
    return INVALIDATORS[name]


class _CheckedPatternRecognizer(PatternRecognizer):
    def __init__(self, invalidator: Callable[[str], bool | None], **kwargs) -> None:
        self._invalidator = invalidator
        super().__init__(**kwargs)

    def invalidate_result(self, pattern_text: str) -> bool | None:
        return self._invalidator(pattern_text)


def pattern_recognizers(config: DetectionConfig) -> list[PatternRecognizer]:
    recognizers = []
    for spec in config.patterns:
        if not spec.enabled:
            continue
        kwargs = dict(supported_entity=spec.label, name=f"redact:{spec.name}",
                      patterns=[Pattern(p.name, p.regex, p.score) for p in spec.patterns],
                      context=spec.context or None, global_regex_flags=spec.flag_bits)
        recognizers.append(_CheckedPatternRecognizer(invalidator(spec.invalidator, f"pattern block {spec.name!r}"),
                                                     **kwargs) if spec.invalidator else PatternRecognizer(**kwargs))
    return recognizers


def organization_recognizers(config: DetectionConfig) -> list[PatternRecognizer]:
    """Well-known employers and stores from the lexicon, as whole words. One-word names (Target,
    Subway) are matched only capitalised; several-word names ("family dollar") in any case."""
    names = config.names.lexicon.organizations
    single = [n for n in names if " " not in n]
    multi = [n for n in names if " " in n]
    return [
        PatternRecognizer(supported_entity="ORGANIZATION", name="redact:known-organizations",
                          deny_list=single, deny_list_score=0.7, global_regex_flags=0),
        PatternRecognizer(supported_entity="ORGANIZATION", name="redact:known-organizations-any-case",
                          deny_list=multi, deny_list_score=0.7, global_regex_flags=regex.IGNORECASE),
    ]
