"""Keyed derivations shared by the keyed operators: HMAC-SHA256 of the secret over a purpose and a
value. The purpose separates uses, so a pseudonym never reveals a surrogate seed or a date offset."""

from __future__ import annotations

import hashlib
import hmac


def digest(secret: bytes | None, purpose: str, value: str) -> bytes:
    if not secret:
        # Redactor refuses keyed policies without a secret; this guards direct library use.
        raise ValueError("keyed operator used without a secret")
    return hmac.new(secret, f"{purpose}\0{value}".encode(), hashlib.sha256).digest()


def seed(secret: bytes | None, purpose: str, value: str) -> int:
    """A 64-bit integer seed (for Faker / random) derived from the secret."""
    return int.from_bytes(digest(secret, purpose, value)[:8], "big")
