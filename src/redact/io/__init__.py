"""Readers and writers, one module per format. A format parses a file's bytes into text segments
and renders the redacted segments back into the same format and shape."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from redact.io import text as _text


class Parsed(Protocol):
    """A parsed input: the text segments to redact, and how to put the file back together."""

    segments: Sequence[str]
    encoding: str

    def render(self, redacted: Sequence[str]) -> bytes: ...


class Format(Protocol):
    name: str
    suffixes: tuple[str, ...]

    def parse(self, data: bytes, path: Path, fallback_encoding: str | None = None) -> Parsed: ...


FORMATS: list[Format] = [_text.FORMAT]


def format_for(path: Path) -> Format | None:
    suffix = path.suffix.lower()
    return next((f for f in FORMATS if suffix in f.suffixes), None)


def supported_suffixes() -> list[str]:
    return sorted(s for f in FORMATS for s in f.suffixes)
