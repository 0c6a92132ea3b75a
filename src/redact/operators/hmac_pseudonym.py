"""Keyed pseudonyms: "PERSON_3f9a2c1b", HMAC-SHA256 of the linked entity key with the run's secret.

One entity gets one pseudonym in every document and every run with the same secret; without the
secret a pseudonym cannot be turned back into the value (only `redact reveal` with the key file can).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from redact.operators import Mention, register
from redact.operators.keys import digest


class HmacParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # 8 hex digits = 32 bits: collisions are unlikely below tens of thousands of entities per label.
    length: int = Field(default=8, ge=6, le=64)
    brackets: bool = False


@register("hmac", HmacParams, keyed=True)
def pseudonym(mention: Mention, params: HmacParams) -> str:
    code = digest(mention.secret, "hmac", mention.entity).hex()[:params.length]
    text = f"{mention.label}_{code}"
    return f"[{text}]" if params.brackets else text
