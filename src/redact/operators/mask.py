"""Masking: "Maria Lopez" -> "***********"; with keep_last=4, "555-201-3344" -> "********3344"."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from redact.operators import Mention, fallback_tag, register


class MaskParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    char: str = Field(default="*", min_length=1, max_length=1)
    # Never more than half of the letters and digits are kept, whatever this says.
    keep_last: int = Field(default=0, ge=0, le=8)
    # Keep spaces and punctuation ("***-***-3344"); off by default, as word lengths can hint at a name.
    keep_separators: bool = False


@register("mask", MaskParams)
def mask(mention: Mention, params: MaskParams) -> str:
    value = mention.value
    alnum = sum(c.isalnum() for c in value)
    keep = min(params.keep_last, alnum // 2)
    # The kept tail starts at the keep-th letter or digit from the end.
    cut = len(value)
    for _ in range(keep):
        cut = next(i for i in range(cut - 1, -1, -1) if value[i].isalnum())
    head = "".join(c if params.keep_separators and not c.isalnum() else params.char for c in value[:cut])
    masked = head + value[cut:]
    # A value made only of the mask character (or of separators) would come back unchanged.
    return masked if masked != value else fallback_tag(mention)
