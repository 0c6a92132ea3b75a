"""Date shifting: every date moves by one secret offset in days, written in its original shape.

The subject of a shift is the run's secret (plus an optional salt): one offset for every date in
every document, so intervals are kept within and across documents and runs with the same secret
("3/18/2026" and "3/19" stay one day apart). The cost: anyone who learns one true date of the
output learns the offset. Use a fresh salt or secret per release. A date that cannot be read
("tomorrow", "last week", a weekday alone, a year alone) becomes a tag.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from redact.operators import Mention, dates, fallback_tag, register
from redact.operators.keys import seed


class DateShiftParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_days: int = Field(default=-365, ge=-36500, le=36500)
    max_days: int = Field(default=365, ge=-36500, le=36500)
    # Different salts give different offsets with one secret (e.g. one per data release).
    salt: str = ""

    @model_validator(mode="after")
    def _range(self) -> DateShiftParams:
        if self.min_days > self.max_days:
            raise ValueError("min_days is greater than max_days")
        if self.min_days == self.max_days == 0:
            raise ValueError("the range holds no offset other than 0")
        return self


def offset_days(secret: bytes | None, params: DateShiftParams) -> int:
    """The run's offset: derived from the secret, in [min_days, max_days], never 0."""
    has_zero = params.min_days <= 0 <= params.max_days
    choices = params.max_days - params.min_days + 1 - has_zero
    days = params.min_days + seed(secret, "date_shift", params.salt) % choices
    return days + 1 if has_zero and days >= 0 else days


def shift(value: str, days: int) -> str | None:
    """`value` moved by `days`, in its own shape, an attached time of day kept as written; None when
    it cannot be read or would not change."""
    value, time = dates.split_time(value)
    parsed = dates.parse(value)
    if parsed is None or not parsed.has_month:
        return None
    try:
        moved = parsed.date + dt.timedelta(days=days)
    except OverflowError:
        return None
    result = dates.render(parsed, moved)
    return result + time if result is not None and result != value else None


@register("date_shift", DateShiftParams, keyed=True)
def date_shift(mention: Mention, params: DateShiftParams) -> str:
    shifted = shift(mention.value, offset_days(mention.secret, params))
    return shifted if shifted is not None else fallback_tag(mention)
