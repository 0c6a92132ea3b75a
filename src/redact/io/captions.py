"""Transcripts with timed cues: WebVTT (.vtt) and SubRip (.srt).

Cue text and NOTE comments are detected: all cue text of a file as one text (one line per cue
line, voice tags shown as "Name: " prefixes) so that names have context, then each line is
replaced with the file's one replacer: a speaker in `<v Darnell>` and "Darnell" inside an
utterance get the same tag. Everything else that can carry a name follows a fixed rule:
- the WEBVTT header line keeps only "WEBVTT"; header metadata lines other than Kind, Language
  and X-TIMESTAMP-MAP are removed;
- cue identifiers become the cue's number (SubRip's numbers are renumbered the same way);
- STYLE blocks are removed; REGION blocks keep their numeric settings, with ids renamed
  region1, region2 ... and cue `region:` settings following them;
- cue settings keep only the standard ones with well-formed values (vertical, line, position,
  size, align, region); SubRip coordinates after the timing are removed;
- tags lose their class names and attributes (`<c.Name>` -> `<c>`, `<font face=...>` -> `<font>`,
  a `#hex` color is kept); `<lang>` keeps a well-formed language code; `<v>` keeps its speaker,
  which is detected with the cue text.
Timings, blank lines and line endings are written back byte for byte. webvtt-py and srt validate
the files; the rewrite is ours.
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


# Header metadata a WebVTT file may keep (no free text in them).
_SAFE_HEADER = re.compile(r"^(?:Kind|Language)\s*:\s*[A-Za-z0-9-]+\s*$|^X-TIMESTAMP-MAP=[A-Za-z0-9:.,=-]+\s*$")
_CUE_SETTING = re.compile(r"^(?:vertical:(?:rl|lr)|line:-?\d+(?:\.\d+)?%?(?:,(?:start|center|end))?|"
                          r"position:\d+(?:\.\d+)?%(?:,(?:line-left|center|line-right))?|size:\d+(?:\.\d+)?%|"
                          r"align:(?:start|center|end|left|right))$")
_REGION_SETTING = re.compile(r"^(?:width:\d+(?:\.\d+)?%|lines:\d+|(?:regionanchor|viewportanchor):"
                             r"\d+(?:\.\d+)?%,\d+(?:\.\d+)?%|scroll:up)$")
_OPEN_TAG = re.compile(r"<([A-Za-z]+)((?:\.[^\s>.]*)*)(?:[ \t]+([^>]*))?>")
_CLOSE_TAG = re.compile(r"</([A-Za-z]+)\s*>")
_TIMESTAMP_TAG = re.compile(rf"<{_VTT_TIME}>")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_HEX_COLOR = re.compile(r"""color\s*=\s*["']?(#[0-9A-Fa-f]{3,8})["']?""", re.IGNORECASE)


def _clean_tag(tag: str) -> str:
    """A cue tag without class names or attributes that could carry a name (see module doc)."""
    if _TIMESTAMP_TAG.fullmatch(tag):
        return tag
    close = _CLOSE_TAG.fullmatch(tag)
    if close:
        return f"</{close.group(1)}>"
    opened = _OPEN_TAG.fullmatch(tag)
    if not opened:
        return ""   # not a tag a player understands: dropped with whatever it holds
    name, rest = opened.group(1), (opened.group(3) or "").strip()
    if name == "v":
        return f"<v {rest}>" if rest else "<v>"
    if name == "lang":
        return f"<lang {rest}>" if _LANGUAGE.fullmatch(rest) else "<lang und>"
    if name.lower() == "font":
        color = _HEX_COLOR.search(rest)
        return f'<{name} color="{color.group(1)}">' if color else f"<{name}>"
    return f"<{name}>"


def clean_tags(text: str) -> str:
    return _TAG.sub(lambda m: _clean_tag(m.group()), text)


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


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
            if s < e and self.text[s:e].strip():   # the space between two formatted words stays a space
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


def _rewrite_region(lines: list[str], block: list[int], regions: dict[str, str]) -> None:
    """A REGION block with its id renamed and only well-formed numeric settings kept."""
    settings = [t for i in block[1:] for t in _body(lines[i]).split()]
    if len(block) == 1:
        settings = _body(lines[block[0]]).split()[1:]
    kept = []
    for setting in settings:
        if setting.startswith("id:"):
            regions.setdefault(setting[3:], f"region{len(regions) + 1}")
            kept.append(f"id:{regions[setting[3:]]}")
        elif _REGION_SETTING.match(setting):
            kept.append(setting)
    end = _ending(lines[block[0]]) or "\n"
    lines[block[0]] = "REGION" + end + "".join(k + end for k in kept)
    for i in block[1:]:
        lines[i] = ""


def _vtt_timing(line: str, regions: dict[str, str]) -> str:
    """The timing line with only standard, well-formed cue settings (regions renamed)."""
    body = _body(line)
    times = re.match(rf"{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}", body).group()
    kept = []
    for setting in body[len(times):].split():
        if setting.startswith("region:"):
            if setting[7:] in regions:
                kept.append(f"region:{regions[setting[7:]]}")
        elif _CUE_SETTING.match(setting):
            kept.append(setting)
    return " ".join([times, *kept]) + _ending(line)


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
        header = blocks[0]
        bom = "\ufeff" if lines[header[0]].startswith("\ufeff") else ""
        lines[header[0]] = bom + "WEBVTT" + _ending(lines[header[0]])
        for i in header[1:]:
            if not _SAFE_HEADER.match(_body(lines[i])):
                lines[i] = ""   # free-text metadata (Author:, Title: ...) removed
        regions: dict[str, str] = {}
        text_lines, cues = [], 0
        for block in blocks[1:]:
            first = _body(lines[block[0]])
            if first.startswith("NOTE"):
                # Comments can name people too: their text is redacted like cue text.
                text_lines += [(block[0], 4)] + [(i, 0) for i in block[1:]]
                continue
            if first.startswith("STYLE"):
                for i in block:
                    lines[i] = ""
                continue
            if first.startswith("REGION"):
                _rewrite_region(lines, block, regions)
                continue
            cues += 1
            timing = 0 if "-->" in first else 1
            if timing >= len(block) or not _VTT_TIMING.match(_body(lines[block[timing]])):
                raise InputError(f"malformed WebVTT: cue {cues} has no valid timing line")
            if timing == 1:
                lines[block[0]] = f"{cues}{_ending(lines[block[0]])}"   # cue identifier: its number
            lines[block[timing]] = _vtt_timing(lines[block[timing]], regions)
            for i in block[timing + 1:]:
                lines[i] = clean_tags(_body(lines[i])) + _ending(lines[i])
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
            lines[block[0]] = f"{cues}{_ending(lines[block[0]])}"
            timing = _body(lines[block[1]])
            times = re.match(rf"\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}", timing)
            lines[block[1]] = times.group() + _ending(lines[block[1]])   # coordinates after it removed
            for i in block[2:]:
                lines[i] = clean_tags(_body(lines[i])) + _ending(lines[i])
            text_lines += [(i, 0) for i in block[2:]]
        if cues != len(subtitles):
            raise InputError(f"malformed SubRip: {cues} blocks but {len(subtitles)} parsable subtitles")
        return CaptionDocument(lines, text_lines, encoding)


FORMATS = [VttFormat(), SrtFormat()]
