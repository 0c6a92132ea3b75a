"""Type tags: "[PERSON_1]", numbered per entity within a document."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from redact.operators import Mention, register


class TagParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    numbered: bool = True


@register("tag", TagParams)
def tag(mention: Mention, params: TagParams) -> str:
    return f"[{mention.label}_{mention.index}]" if params.numbered else f"[{mention.label}]"
