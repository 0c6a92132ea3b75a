"""Reading a date in whatever shape it was written ("3/18/2026", "Nov. 20", "Tuesday, March 3rd",
"2026-03-18", "7/22") and writing another date in the same shape. Not an operator: shared by
date_shift and generalize.

dateutil reads the value; which fields the text really holds (year? day?) is found by reading it
twice with two different defaults. Writing re-uses the original tokens and checks the result by
reading it back; anything that does not round-trip gives None, and the caller falls back to a tag.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from dateutil import parser

from redact.resolve import ATTACHED_TIME

_DEFAULTS = (dt.datetime(2000, 1, 1), dt.datetime(2004, 2, 2))  # both leap years, so "2/29" reads
_TOKEN = re.compile(r"\d+|[^\W\d_]+|[\W_]+")
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower() for name in calendar.day_name} | {name.lower() for name in calendar.day_abbr}
_WEEKDAYS |= {"tues", "thur", "thurs"}
_SUFFIXES = {"st", "nd", "rd", "th"}
_TRAILING_TIME = re.compile(rf"(?:{ATTACHED_TIME.pattern})\Z", ATTACHED_TIME.flags)


@dataclass(frozen=True)
class ParsedDate:
    date: dt.date
    has_year: bool
    has_month: bool
    has_day: bool
    tokens: tuple[tuple[str, str], ...]  # (role, original text); role "" for literal text


def _read(value: str) -> tuple[dt.date, bool, bool, bool] | None:
    try:
        first, second = (parser.parse(value, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError, TypeError):
        return None
    if first.time() != dt.time() or first.tzinfo is not None:
        return None  # a time of day in the span: not a plain date
    has_year, has_month, has_day = (first.year == second.year, first.month == second.month,
                                    first.day == second.day)
    return first.date(), has_year, has_month, has_day


def split_time(value: str) -> tuple[str, str]:
    """(the date, its attached time of day) of a timestamp: "3/8 12:09am" -> ("3/8", " 12:09am");
    a date without a time -> (value, "")."""
    match = _TRAILING_TIME.search(value, 1)
    return (value[:match.start()], value[match.start():]) if match else (value, "")


def parse(value: str) -> ParsedDate | None:
    """The date a value holds; an attached time of day is not read (split_time)."""
    value = split_time(value)[0]
    read = _read(value)
    if read is None:
        return None
    date, has_year, has_month, has_day = read
    # Numbers are matched to fields in dateutil's own (month-first) order.
    wanted = [role for role, has in (("month", has_month), ("day", has_day), ("year", has_year)) if has]
    texts = _TOKEN.findall(value)
    # A month written as a word takes the month: "01 January 2000" has no numeric month.
    named = has_month and any(_MONTHS.get(t.lower()) == date.month for t in texts)
    if named:
        wanted.remove("month")
    tokens: list[tuple[str, str]] = []
    previous = ""
    for text in texts:
        low = text.lower()
        role = ""
        if text.isdigit():
            n = int(text)
            fits = {"month": n == date.month and len(text) <= 2, "day": n == date.day and len(text) <= 2,
                    "year": n == date.year if len(text) == 4 else len(text) == 2 and n == date.year % 100}
            role = next((r for r in wanted if fits[r]), "")
            if not role:
                return None  # a number we cannot place (a time, a range): fail closed
            wanted.remove(role)
        elif named and _MONTHS.get(low) == date.month:
            role = "monthname"
            named = False
        elif low in _WEEKDAYS:
            role = "weekday"
        elif low in _SUFFIXES and previous == "day":
            role = "suffix"
        tokens.append((role, text))
        previous = role
    if wanted:
        return None
    return ParsedDate(date, has_year, has_month, has_day, tuple(tokens))


def case_like(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template.islower():
        return word.lower()
    return word


def _ordinal(day: int) -> str:
    return "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def render(parsed: ParsedDate, date: dt.date) -> str | None:
    """`date` written in the shape of the parsed original, or None when it would not read back."""
    out = []
    # "03/05" pads every month and day to two digits; "3/5" pads none.
    padded = any(role in ("month", "day") and text.startswith("0") for role, text in parsed.tokens)
    for role, text in parsed.tokens:
        if role == "year":
            out.append(str(date.year) if len(text) == 4 else f"{date.year % 100:02d}")
        elif role in ("month", "day"):
            n = date.month if role == "month" else date.day
            out.append(f"{n:02d}" if padded else str(n))
        elif role == "monthname":
            full = text.lower() in {m.lower() for m in calendar.month_name if m}
            name = calendar.month_name[date.month] if full else calendar.month_abbr[date.month]
            if text.lower() == "sept" and date.month == 9:
                name = "Sept"
            out.append(case_like(text, name))
        elif role == "weekday":
            full = text.lower() in {d.lower() for d in calendar.day_name}
            name = calendar.day_name[date.weekday()] if full else calendar.day_abbr[date.weekday()]
            out.append(case_like(text, name))
        elif role == "suffix":
            out.append(case_like(text, _ordinal(date.day)))
        else:
            out.append(text)
    result = "".join(out)
    back = _read(result)
    if back is None:
        return None
    got, *has = back
    if tuple(has) != (parsed.has_year, parsed.has_month, parsed.has_day):
        return None
    same = ((not parsed.has_year or got.year == date.year) and got.month == date.month
            and (not parsed.has_day or got.day == date.day))
    return result if same else None
