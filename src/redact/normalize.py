"""The detection view of a text: what a reader sees, without the characters people and tools
insert to hide or break up a word, and an exact offset map back to the original.

    view = normal_view("Pri\u00adscilla &#80;ark")
    view.text                      # "Priscilla Park"
    view.to_original(10, 14)       # (11, 20): the original characters of "Park", entity included

The view
- decodes HTML character references one at a time (html.unescape semantics per reference, so
  each decoded character maps back to its reference),
- removes zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM), the soft hyphen, bidi
  controls and other invisible format characters,
- applies Unicode NFKC (full-width letters, ligatures, compatibility forms) one grapheme
  cluster at a time, so an NFD name ("Jose\u0301") composes and maps back to all its code points.

A span over the view maps back to the original characters it came from; invisible characters
inside the span, and touching its edges, are covered too, so a replacement leaves none behind.
Pure functions; text that is already normal comes back as is with an identity map.
"""

from __future__ import annotations

import html
import re
import unicodedata
from array import array
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from redact.spans import Span

# Invisible characters that split a word without showing: removed from the view.
INVISIBLE = frozenset(
    "\u00ad"                      # soft hyphen
    "\u034f"                      # combining grapheme joiner
    "\u061c"                      # Arabic letter mark (bidi)
    "\u115f\u1160\u17b4\u17b5\u180e"  # fillers and vowel inherents that render as nothing
    "\u200b\u200c\u200d"          # zero-width space, non-joiner, joiner
    "\u200e\u200f"                # left-to-right / right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible operators
    "\u2066\u2067\u2068\u2069"    # bidi isolates
    "\u206a\u206b\u206c\u206d\u206e\u206f"  # deprecated format controls
    "\u3164\ufeff\uffa0"          # Hangul fillers, BOM / zero-width no-break space
)
_INVISIBLE_RE = re.compile("[" + re.escape("".join(sorted(INVISIBLE))) + "]")
# An HTML character reference: numeric, hex, or named (html.unescape decides which names exist).
_ENTITY = r"&(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{1,31};?)"
_ENTITY_RE = re.compile(_ENTITY)


class OffsetMap:
    """A piecewise map from view offsets to original ranges, built left to right. A "run" maps
    view characters one to one onto consecutive original characters; a "group" maps every view
    character of a decoded reference or normalised cluster onto the whole original range. Memory
    grows with the number of places the view differs from the text, not with its length."""

    def __init__(self) -> None:
        self.view_starts = array("q")   # where each piece starts in the view
        self.orig_starts = array("q")   # where it starts in the original
        self.orig_ends = array("q")     # -1 for a run; the original end for a group
        self.length = 0                 # view characters mapped so far

    def run(self, orig_start: int, length: int) -> None:
        if length <= 0:
            return
        if self.orig_ends and self.orig_ends[-1] == -1 and \
                self.orig_starts[-1] + (self.length - self.view_starts[-1]) == orig_start:
            self.length += length       # continues the previous run
            return
        self._piece(orig_start, -1, length)

    def group(self, orig_start: int, orig_end: int, length: int) -> None:
        if length > 0:
            self._piece(orig_start, orig_end, length)

    def _piece(self, orig_start: int, orig_end: int, length: int) -> None:
        self.view_starts.append(self.length)
        self.orig_starts.append(orig_start)
        self.orig_ends.append(orig_end)
        self.length += length

    def char(self, i: int) -> tuple[int, int]:
        """The original [start, end) of view character i."""
        k = bisect_right(self.view_starts, i) - 1
        if self.orig_ends[k] == -1:
            at = self.orig_starts[k] + i - self.view_starts[k]
            return at, at + 1
        return self.orig_starts[k], self.orig_ends[k]


@dataclass(frozen=True)
class NormalView:
    """The view's text and its map back to the original; `offsets` is None when the view is the
    original text itself."""

    original: str
    text: str
    offsets: OffsetMap | None = None

    @property
    def identity(self) -> bool:
        return self.offsets is None

    def char_range(self, i: int) -> tuple[int, int]:
        """The original [start, end) that view character i came from."""
        return (i, i + 1) if self.offsets is None else self.offsets.char(i)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original range a view range [start, end) came from, grown over invisible
        characters at its edges."""
        if self.offsets is None or start >= end:
            return start, end
        o_start, o_end = self.offsets.char(start)[0], self.offsets.char(end - 1)[1]
        while o_start > 0 and self.original[o_start - 1] in INVISIBLE:
            o_start -= 1
        while o_end < len(self.original) and self.original[o_end] in INVISIBLE:
            o_end += 1
        return o_start, o_end

    def spans_to_original(self, spans: Iterable[Span]) -> list[Span]:
        """Spans over the view as spans over the original, sorted; spans that come to overlap
        (two view spans from one reference or cluster) are merged, keeping the higher score."""
        if self.offsets is None:
            return list(spans)
        mapped = sorted(Span(*self.to_original(s.start, s.end), s.label, s.score, s.source) for s in spans)
        merged: list[Span] = []
        for span in mapped:
            last = merged[-1] if merged else None
            if last is not None and span.start < last.end:
                best = last if last.score >= span.score else span
                merged[-1] = Span(last.start, max(last.end, span.end), best.label, best.score, best.source)
            else:
                merged.append(span)
        return merged


def _is_cluster_start(char: str) -> bool:
    """Where NFKC may start afresh: a starter that is not a Hangul vowel or final jamo (those
    compose with the syllable before them)."""
    return unicodedata.combining(char) == 0 and not ("\u1160" <= char <= "\u11ff")


def _pieces(text: str, base: int) -> list[tuple[str, int, int]]:
    """(character, original start, original end) for a dirty region starting at `base`:
    references decoded, invisibles removed. A reference that decodes to several characters yields
    each with the whole reference's range."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    for match in _ENTITY_RE.finditer(text):
        out.extend((text[i], base + i, base + i + 1) for i in range(pos, match.start()) if text[i] not in INVISIBLE)
        decoded = html.unescape(match.group())
        out.extend((c, base + match.start(), base + match.end()) for c in decoded if c not in INVISIBLE)
        pos = match.end()
    out.extend((text[i], base + i, base + i + 1) for i in range(pos, len(text)) if text[i] not in INVISIBLE)
    return out


def _normalise_region(chars: list[tuple[str, int, int]], out: list[str], offsets: OffsetMap) -> None:
    """NFKC one cluster (a starter and the marks after it) at a time, each output character
    mapped to its cluster's original range."""
    i = 0
    while i < len(chars):
        j = i + 1
        while j < len(chars) and not _is_cluster_start(chars[j][0]):
            j += 1
        cluster = "".join(c for c, _, _ in chars[i:j])
        normal = unicodedata.normalize("NFKC", cluster)
        normal = "".join(c for c in normal if c not in INVISIBLE)
        if normal == cluster:
            for c, s, e in chars[i:j]:
                out.append(c)
                if e - s == 1:
                    offsets.run(s, 1)
                else:
                    offsets.group(s, e, 1)
        else:
            out.append(normal)
            offsets.group(chars[i][1], max(p[2] for p in chars[i:j]), len(normal))
        i = j


# A stretch that may change: references and non-ASCII characters, adjacent ones together.
_DIRTY_RUN = re.compile(rf"(?:{_ENTITY}|[^\x00-\x7f])+")


def normal_view(text: str) -> NormalView:
    """The detection view of `text` with its offset map (see the module docstring). Clean ASCII
    stretches are copied in bulk; only references and non-ASCII runs are looked at closely."""
    if text.isascii() and not _ENTITY_RE.search(text):
        return NormalView(text, text)
    if not _ENTITY_RE.search(text) and not _INVISIBLE_RE.search(text) and unicodedata.is_normalized("NFKC", text):
        return NormalView(text, text)
    out: list[str] = []
    offsets = OffsetMap()
    pos = 0
    for match in _DIRTY_RUN.finditer(text):
        start = match.start()
        # A combining mark belongs with the character before it (NFD "e" + acute).
        if start > pos and not _is_cluster_start(text[start]):
            start -= 1
        out.append(text[pos:start])
        offsets.run(pos, start - pos)
        _normalise_region(_pieces(text[start:match.end()], start), out, offsets)
        pos = match.end()
    out.append(text[pos:])
    offsets.run(pos, len(text) - pos)
    view = "".join(out)
    if view == text:
        return NormalView(text, text)
    return NormalView(text, view, offsets)


def normal_text(text: str) -> str:
    """Just the view's text (for comparing values, e.g. a planted name against an output)."""
    return normal_view(text).text

