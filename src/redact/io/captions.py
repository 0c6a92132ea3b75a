"""Transcripts with timed cues: WebVTT (.vtt) and SubRip (.srt).

Only cue text changes: headers, cue identifiers, timings, settings, blank lines and line endings
are written back byte for byte. All cue text of a file is detected as one text (one line per cue
line, voice tags shown as "Name: " prefixes) so that names have context, then each line is
replaced with the file's one replacer: a speaker in `<v Darnell>` and "Darnell" inside an
utterance get the same tag. webvtt-py and srt validate the files; the exact rewrite is ours.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from redact.errors import InputError
from redact.io.text import decode, encode
from redact.spans import Span

# Cue lines are detected as one text, a blank line apart: context for NER without spans running
# from one cue into the next.
LINE_BREAK = "\n\n"
_TAG = re.compile(r"<[^>\n]*>")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>")
_VTT_TIME = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_VTT_TIMING = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?$")
_SRT_TIME = r"\d{1,}:\d{2}:\d{2}[,.]\d{1,3}"
_SRT_TIMING = re.compile(rf"^\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s.*)?$")


@dataclass
class View:
    """A cue line as detection sees it (tags out, voice names as 'Name: '), with a map back:
    pieces of (plain offset, raw offset, length)."""

    text: str
    pieces: list[tuple[int, int, int]]

    def to_raw(self, start: int, end: int) -> list[tuple[int, int]]:
        out = []
        for plain, raw, length in self.pieces:
            s, e = max(start, plain), min(end, plain + length)
            if s < e:
                out.append((raw + s - plain, raw + e - plain))
        return out


def view(raw: str, offset: int = 0) -> View:
    """The plain view of raw cue text starting at `offset` within the line."""
    text: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    at = 0

    def add(raw_start: int, value: str) -> None:
        nonlocal at
        if value:
            pieces.append((at, raw_start, len(value)))
            text.append(value)
            at += len(value)

    pos = offset
    for tag in _TAG.finditer(raw, offset):
        add(pos, raw[pos:tag.start()])
        voice = _VOICE.fullmatch(tag.group())
        if voice and voice.group(1).strip():
            add(tag.start() + voice.start(1), voice.group(1))
            text.append(": ")   # a speaker label, as in speaker-labelled text transcripts
            at += 2
        pos = tag.end()
    add(pos, raw[pos:])
    return View("".join(text), pieces)


@dataclass
class CaptionDocument:
    """Lines of the file (with their endings) and which of them carry cue text."""

    lines: list[str]
    text_lines: list[tuple[int, int]]   # (line index, offset where the text starts)
    encoding: str
    notes: list[str] = field(default_factory=list)

    def write(self, sink: BinaryIO, session) -> None:
        lines = list(self.lines)
        raws = [_body(lines[i]) for i, _ in self.text_lines]
        views = [view(raw, start) for raw, (_, start) in zip(raws, self.text_lines)]
        if views:
            joined = LINE_BREAK.join(v.text for v in views)
            per_line = split_by_line(session.detect([joined])[0], views)
            for raw, line_spans in zip(raws, per_line):
                session.link(raw, line_spans)   # "Darnell" in an early cue links to a later "Darnell Washington"
            for (index, _), raw, line_spans in zip(self.text_lines, raws, per_line):
                lines[index] = session.replace(raw, line_spans) + lines[index][len(raw):]
        sink.write(encode("".join(lines), self.encoding))


def split_by_line(spans: Sequence[Span], views: Sequence[View]) -> list[list[Span]]:
    """Spans over the joined text, cut at line ends and tags, in each raw line's offsets."""
    out: list[list[Span]] = []
    start = 0
    for v in views:
        end = start + len(v.text)
        line = []
        for s in spans:
            if s.start < end and s.end > start:
                for a, b in v.to_raw(max(s.start, start) - start, min(s.end, end) - start):
                    line.append(Span(a, b, s.label, s.score, s.source))
        out.append(sorted(line))
        start = end + len(LINE_BREAK)
    return out


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _blocks(lines: list[str]) -> list[list[int]]:
    """Indices of the non-blank lines of each blank-line separated block."""
    blocks, current = [], []
    for i, line in enumerate(lines):
        if _body(line).strip():
            current.append(i)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


@dataclass(frozen=True)
class VttFormat:
    name: str = "vtt"
    suffixes: tuple[str, ...] = (".vtt",)

    def parse(self, data: bytes, path: Path, fallback_encoding: str | None = None) -> CaptionDocument:
        import webvtt

        text, encoding = decode(data, fallback_encoding)
        try:
            captions = webvtt.from_string(text.lstrip("\ufeff")).captions
        except Exception:   # webvtt-py's messages are generic; ours name the problem below
            raise InputError("malformed WebVTT: not a WebVTT file (missing WEBVTT header)") from None
        lines = text.splitlines(keepends=True)
        blocks = _blocks(lines)
        if not blocks or not _body(lines[blocks[0][0]]).lstrip("\ufeff").startswith("WEBVTT"):
            raise InputError("malformed WebVTT: missing WEBVTT header")
        text_lines, cues = [], 0
        for block in blocks[1:]:
            first = _body(lines[block[0]])
            if first.startswith("NOTE"):
                # Comments can name people too: their text is redacted like cue text.
                text_lines += [(block[0], 4)] + [(i, 0) for i in block[1:]]
                continue
            if first.startswith(("STYLE", "REGION")):
                continue
            cues += 1
            timing = 0 if "-->" in first else 1
            if timing >= len(block) or not _VTT_TIMING.match(_body(lines[block[timing]])):
                raise InputError(f"malformed WebVTT: cue {cues} has no valid timing line")
            text_lines += [(i, 0) for i in block[timing + 1:]]
        if cues != len(captions):
            raise InputError(f"malformed WebVTT: {cues} cue blocks but {len(captions)} parsable cues")
        return CaptionDocument(lines, text_lines, encoding)


@dataclass(frozen=True)
class SrtFormat:
    name: str = "srt"
    suffixes: tuple[str, ...] = (".srt",)

    def parse(self, data: bytes, path: Path, fallback_encoding: str | None = None) -> CaptionDocument:
        import srt

        text, encoding = decode(data, fallback_encoding)
        try:
            subtitles = list(srt.parse(text.lstrip("\ufeff")))
        except (srt.SRTParseError, ValueError) as exc:
            where = f" (near character {exc.actual_start})" if isinstance(exc, srt.SRTParseError) else ""
            raise InputError(f"malformed SubRip: unparsable subtitle block{where}") from None
        lines = text.splitlines(keepends=True)
        text_lines, cues = [], 0
        for block in _blocks(lines):
            cues += 1
            if len(block) < 2 or not _SRT_TIMING.match(_body(lines[block[1]])):
                raise InputError(f"malformed SubRip: subtitle {cues} has no valid timing line")
            text_lines += [(i, 0) for i in block[2:]]
        if cues != len(subtitles):
            raise InputError(f"malformed SubRip: {cues} blocks but {len(subtitles)} parsable subtitles")
        return CaptionDocument(lines, text_lines, encoding)


FORMATS = [VttFormat(), SrtFormat()]
