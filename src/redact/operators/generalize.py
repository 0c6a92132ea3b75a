"""Generalisation: ages to bands ("34" -> "30-39", "92" -> "90+"), ZIP codes to their first three
digits (zeroed for the sparsely populated HIPAA ZIP3 areas), dates to the year or month.
Other labels, and values that cannot be read, become a tag."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from redact.operators import Mention, dates, fallback_tag, register

# ZIP3 areas with 20,000 people or fewer (HIPAA Safe Harbor, 2000 census): reported as "000".
RESTRICTED_ZIP3 = frozenset({"036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830",
                             "831", "878", "879", "884", "890", "893"})
_NUMBER = re.compile(r"\d+")


class GeneralizeParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    age_band: int = Field(default=10, ge=1, le=50)
    age_top: int = Field(default=90, ge=1, le=150)  # this age and over -> "90+"
    date: Literal["year", "month"] = "year"


def age_band(age: int, params: GeneralizeParams) -> str:
    if age >= params.age_top:
        return f"{params.age_top}+"
    low = age - age % params.age_band
    return str(low) if params.age_band == 1 else f"{low}-{min(low + params.age_band, params.age_top) - 1}"


def zip3(value: str) -> str | None:
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) not in (5, 9):
        return None
    prefix = digits[:3]
    return "000" if prefix in RESTRICTED_ZIP3 else prefix


def _generalize(label: str, value: str, params: GeneralizeParams) -> str | None:
    if label == "AGE":
        numbers = _NUMBER.findall(value)
        if len(numbers) != 1:
            return None
        return _NUMBER.sub(age_band(int(numbers[0]), params), value)
    if label == "ZIP":
        return zip3(value)
    if label == "DATE":
        parsed = dates.parse(value)
        if parsed is None or not parsed.has_year:
            return None
        if params.date == "month" and parsed.has_month:
            return parsed.date.strftime("%B %Y")
        return str(parsed.date.year)
    return None


@register("generalize", GeneralizeParams)
def generalize(mention: Mention, params: GeneralizeParams) -> str:
    result = _generalize(mention.label, mention.value, params)
    # A value already as coarse as its generalisation ("2026", "90+") still must not pass through.
    return result if result is not None and result != mention.value else fallback_tag(mention)
