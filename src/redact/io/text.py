"""Plain text and Markdown notes, and speaker-labelled transcripts kept as text."""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redact.errors import InputError

# Tried in order; recorded in the manifest. A declared fallback (--encoding) is tried last.
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, fallback: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Refuses binary data and undecodable bytes with a one-line reason."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise InputError(f"invalid {encoding} despite its byte-order mark") from None
    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if fallback:
            try:
                return data.decode(fallback), fallback
            except (UnicodeDecodeError, LookupError):
                pass
        raise InputError(f"not valid UTF-8 (byte offset {exc.start})",
                         hint="pass --encoding with the file's encoding") from None


def encode(text: str, encoding: str) -> bytes:
    # Written back as read, except legacy fallbacks, which are written as UTF-8.
    return text.encode(encoding if encoding in {"utf-8", "utf-8-sig", "utf-16"} else "utf-8")


@dataclass
class ParsedText:
    segments: Sequence[str]
    encoding: str

    def render(self, redacted: Sequence[str]) -> bytes:
        return encode(redacted[0], self.encoding)


@dataclass(frozen=True)
class TextFormat:
    name: str = "text"
    suffixes: tuple[str, ...] = (".txt", ".md", ".text", ".log")

    def parse(self, data: bytes, path: Path, fallback_encoding: str | None = None) -> ParsedText:
        text, encoding = decode(data, fallback_encoding)
        return ParsedText([text], encoding)


FORMAT = TextFormat()
