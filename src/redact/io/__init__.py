"""Readers and writers, one module per format. A format parses a file's bytes into text segments
and renders the redacted segments back into the same format and shape.

Formats that need more than "segments in, segments out" (tables streamed in chunks, captions whose
cues are detected together but replaced line by line) return a `Driven` document instead: it
writes its output to a binary sink itself, calling back into a `Session` that detects and
replaces with the one replacer of the document."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from redact.io import text as _text
from redact.spans import Span


class Parsed(Protocol):
    """A parsed input: the text segments to redact, and how to put the file back together."""

    segments: Sequence[str]
    encoding: str

    def render(self, redacted: Sequence[str]) -> bytes: ...


class Session(Protocol):
    """What a driven document may ask of the pipeline while it writes (one per document)."""

    secret: bytes | None

    def detect(self, texts: Sequence[str]) -> list[list[Span]]: ...

    def link(self, text: str, spans: Sequence[Span]) -> None: ...

    def replace(self, text: str, spans: Sequence[Span]) -> str: ...

    def redact(self, texts: Sequence[str]) -> list[str]: ...


class Driven(Protocol):
    """A document that writes itself: reads its source (in chunks, if large) and writes the
    redacted form to `sink`. Raises InputError for a malformed source; the pipeline then removes
    the partial output. `notes` end up in the manifest line (column names, never values)."""

    encoding: str | None
    notes: list[str]

    def write(self, sink: BinaryIO, session: Session) -> None: ...


class Format(Protocol):
    name: str
    suffixes: tuple[str, ...]

    def parse(self, data: bytes, path: Path, fallback_encoding: str | None = None) -> Parsed | Driven: ...


class StreamedFormat(Protocol):
    """A format that reads the file itself as it writes (never read whole into memory by the
    pipeline). `source` is the open file, read once front to back (the run passes a
    source.HashingReader, which hashes what is read); without it the format opens `path`."""

    name: str
    suffixes: tuple[str, ...]

    def open(self, path: Path, rel, options, source: BinaryIO | None = None) -> Driven: ...


def _formats() -> list:
    from redact.io import captions, docx, tabular

    return [_text.FORMAT, *tabular.FORMATS, *captions.FORMATS, docx.FORMAT]


FORMATS: list[Format | StreamedFormat] = _formats()


def format_for(path: Path) -> Format | None:
    suffix = path.suffix.lower()
    return next((f for f in FORMATS if suffix in f.suffixes), None)


def supported_suffixes() -> list[str]:
    return sorted(s for f in FORMATS for s in f.suffixes)
