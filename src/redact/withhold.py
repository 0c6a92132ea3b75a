"""Consent applied to one document before detection: what a participant without consent for the
export's purpose said or is the subject of becomes a neutral marker, so it never reaches the
detector or the output (README, "Consent and withdrawal", gives the rules and their limits).

- Transcripts (speaker lines in text, WebVTT voices, SubRip speaker prefixes): each utterance of
  such a participant becomes one `[utterance withheld]`, its speaker label and timing kept (the
  label is then de-identified as usual). A line with no label continues the utterance before it.
  A speaker the registry does not list counts as `unlisted` (withheld unless `unlisted: keep`).
- Notes (text that is not a transcript, Word paragraphs, lines of a transcript outside any
  utterance): a sentence is withheld when it names the participant (registry `note_sentences:
  mention`, the default) or, with `note_sentences: subject`, only when it names them before its
  main verb (the subject, or the subject's owner: "Dee's sponsor said ...") or attributes a quote
  to them ("... ," Dee said). Either way a following sentence whose subject is a pronoun (theirs,
  if the registry lists pronouns) and names nobody else continues the chain, which ends at the
  first sentence that does not, or at a blank line. A quote opened in a withheld sentence is
  withheld to its end.
- Tables: the rows whose participant column names such a participant are dropped; in the rows
  kept, text cells that name them follow the note rule.

Counts go to the manifest per document and reason class, never who. `Withheld.removed` holds the
withheld texts in memory only, for `redact withdraw`'s check; it is never written anywhere.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from redact.consent import ConsentRule, normal_label
from redact.errors import InputError

UTTERANCE_MARKER = "[utterance withheld]"
SENTENCE_MARKER = "[sentence withheld]"
MARKERS = re.compile(re.escape(UTTERANCE_MARKER) + "|" + re.escape(SENTENCE_MARKER))
KINDS = ("utterances", "sentences", "rows")
# A speaker line of a text transcript: optional [timestamp] or dash, a short label, a colon.
SPEAKER_LINE = re.compile(
    r"^(?P<lead>[ \t]*(?:\[[0-9:.,]+\][ \t]*)?(?:-[ \t]*)?)"
    r"(?P<label>[^\W\d_][\w'’.\- ]{0,30}?(?:[ \t]*\([^()\n]{1,40}\))?)[ \t]*:"
    r"(?P<gap>[ \t]*)(?P<body>.*?)(?P<end>\r?\n?)$")
# A label seen once ("Date:", "Plan:") is a heading, not a speaker, unless the registry lists it.
MIN_TURNS_PER_LABEL = 2
SPEECH_VERBS = ("said", "says", "say", "shared", "shares", "told", "tells", "asked", "asks", "stated",
                "states", "added", "adds", "explained", "explains", "reported", "reports", "replied",
                "admitted", "admits", "mentioned", "mentions", "wrote", "writes", "texted", "texts",
                "disclosed", "discloses", "described", "describes", "recalled", "recalls", "called")
SPEECH = re.compile(r"(?<!\w)(?:" + "|".join(SPEECH_VERBS) + r")(?!\w)", re.IGNORECASE)
SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "his", "her", "their", "ze", "xe", "zir", "xyr"})
# Withheld texts shorter than this are not looked for by withdraw's check (too common to mean much).
MIN_CHECK_CHARS = 20


@dataclass
class Withheld:
    """What one document lost to consent: counts by (kind, reason), and the texts (memory only)."""

    counts: Counter = field(default_factory=Counter)
    removed: list[str] = field(default_factory=list)

    def add(self, kind: str, reason: str, text: str = "") -> None:
        self.counts[(kind, reason)] += 1
        if len(" ".join(text.split())) >= MIN_CHECK_CHARS:
            self.removed.append(text)

    def to_manifest(self) -> dict:
        """{"utterances": {"withdrawn": 3}, ...}: kinds with something withheld, reasons sorted."""
        out: dict[str, dict[str, int]] = {}
        for (kind, reason), n in sorted(self.counts.items()):
            out.setdefault(kind, {})[reason] = n
        return out


Parse = Callable[[Sequence[str]], list]   # texts -> spaCy Docs (sentences and part-of-speech tags)


# --- notes: sentences --------------------------------------------------------------------------
@dataclass
class _Piece:
    start: int
    end: int
    tokens: list   # spaCy tokens inside [start, end)


def _pieces(doc) -> Iterator[_Piece]:
    """spaCy's sentences, further cut at line ends (a note's lines are often items of their own)."""
    text = doc.text
    for sent in doc.sents:
        start = sent.start_char
        for line in re.finditer(r"[^\n]+", text[sent.start_char:sent.end_char]):
            a, b = start + line.start(), start + line.end()
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                yield _Piece(a, b, [t for t in sent if t.idx >= a and t.idx + len(t) <= b])


def _main_verb_at(piece: _Piece) -> int:
    """Offset of the first verb (the subject comes before it), or the piece's end when none."""
    return next((t.idx for t in piece.tokens if t.pos_ in ("VERB", "AUX")), piece.end)


def _quote_balance(text: str) -> int:
    straight = text.count('"')
    return text.count("“") - text.count("”") + (straight % 2)


def attribute_sentences(doc, rule: ConsentRule) -> list[tuple[int, int, str]]:
    """(start, end, participant id) of the sentences of `doc` that tell a withheld participant's
    story, by the rules in the module docstring."""
    registry = rule.registry
    pattern = rule.mentions
    if pattern is None:
        return []
    text = doc.text
    out: list[tuple[int, int, str]] = []
    chain: str | None = None    # whose story the previous sentence told
    open_quote: str | None = None
    last_end = 0
    for piece in _pieces(doc):
        if "\n\n" in text[last_end:piece.start] or re.search(r"\n[ \t]*\n", text[last_end:piece.start]):
            chain, open_quote = None, None
        last_end = piece.end
        sentence = text[piece.start:piece.end]
        if open_quote is not None:   # inside a quote a withheld sentence opened
            out.append((piece.start, piece.end, open_quote))
            if _quote_balance(sentence) % 2:
                open_quote = None
            continue
        verb_at = _main_verb_at(piece) - piece.start
        who = None
        for match in pattern.finditer(sentence):
            pid = registry.who_is_named(match.group())
            if pid is None:
                continue
            near = sentence[max(0, match.start() - 25):match.end() + 25]
            if registry.note_sentences == "mention" or match.start() < verb_at \
                    or (any(q in sentence for q in '"“”') and SPEECH.search(near)):
                who = pid
                break
        if who is None and chain is not None:
            pre = [t for t in piece.tokens if t.idx - piece.start < verb_at]
            pronouns = registry.participant(chain).pronouns or SUBJECT_PRONOUNS
            names_other = any(t.pos_ == "PROPN" for t in pre)
            if not names_other and any(t.lower_ in pronouns and t.pos_ == "PRON" for t in pre):
                who = chain
        chain = who
        if who is not None:
            out.append((piece.start, piece.end, who))
            if _quote_balance(sentence) % 2:
                open_quote = who
    return out


def withhold_sentences(text: str, rule: ConsentRule, parse: Parse, withheld: Withheld) -> str:
    """The text with each attributed sentence replaced by SENTENCE_MARKER."""
    pattern = rule.mentions
    if pattern is None or not pattern.search(text):
        return text   # no withheld participant is named: nothing to parse
    doc = parse([text])[0]
    pieces = []
    at = 0
    for start, end, pid in attribute_sentences(doc, rule):
        withheld.add("sentences", rule.reason_for(pid), text[start:end])
        pieces += [text[at:start], SENTENCE_MARKER]
        at = end
    return "".join(pieces) + text[at:]


# --- transcripts kept as text -------------------------------------------------------------------
def speaker_lines(lines: Sequence[str], rule: ConsentRule) -> dict[int, re.Match]:
    """Line index -> match, for the lines that open an utterance."""
    matches = {i: m for i, line in enumerate(lines) if (m := SPEAKER_LINE.match(line))}
    seen = Counter(normal_label(m.group("label")) for m in matches.values())
    return {i: m for i, m in matches.items()
            if seen[normal_label(m.group("label"))] >= MIN_TURNS_PER_LABEL
            or rule.registry.lookup(m.group("label")) is not None}


def withhold_text(text: str, rule: ConsentRule, parse: Parse, withheld: Withheld) -> str:
    """A text document: a transcript by its speaker lines, else a note by its sentences."""
    lines = text.splitlines(keepends=True)
    turns = speaker_lines(lines, rule)
    if len(turns) < MIN_TURNS_PER_LABEL:
        return withhold_sentences(text, rule, parse, withheld)
    out: list[str] = []
    loose: list[str] = []   # lines outside every utterance (headings): handled as a note

    def flush() -> None:
        if loose:
            out.append(withhold_sentences("".join(loose), rule, parse, withheld))
            loose.clear()

    reason: str | None = None   # of the utterance the current line belongs to
    in_turn = False
    for i, line in enumerate(lines):
        if i in turns:
            flush()
            match = turns[i]
            reason = rule.reason_for(rule.registry.lookup(match.group("label")))
            in_turn = True
            if reason is None:
                out.append(line)
            else:
                withheld.add("utterances", reason, match.group("body"))
                out.append(line[:match.start("body")] + UTTERANCE_MARKER + match.group("end"))
            continue
        if not line.strip():
            in_turn = False
        if in_turn:
            if reason is None:
                out.append(line)
            else:
                withheld.removed.append(line)   # a continuation of a withheld utterance: gone
            continue
        loose.append(line)
    flush()
    return "".join(out)


# --- captions (WebVTT, SubRip) -------------------------------------------------------------------
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>")
_SRT_SPEAKER = re.compile(r"^(?P<lead>\s*(?:-\s*)?(?:<[^>]*>\s*)*)(?P<label>[^\W\d_][\w'’.\- ]{0,30}?)\s*:\s")


def _caption_speaker(raw: str) -> tuple[str, int] | None:
    """(label, offset where the utterance starts) of a cue line that names its speaker."""
    voice = _VOICE.search(raw)
    if voice and voice.group(1).strip() and not raw[:voice.start()].strip(" -"):
        return voice.group(1).strip(), voice.end()
    prefix = _SRT_SPEAKER.match(raw)
    if prefix:
        return prefix.group("label"), prefix.end()
    return None


def withhold_captions(doc, rule: ConsentRule, withheld: Withheld, parse: Parse) -> None:
    """Rewrite a CaptionDocument's cue lines in place: a withheld utterance keeps its cue, timing
    and speaker (de-identified later with the rest) and says UTTERANCE_MARKER once; its other
    lines in the same cue are removed (a blank line would end the cue). NOTE comments follow the
    note rule, line by line."""
    lines = doc.lines
    kept_text_lines = []
    reason: str | None = None
    previous = None          # line index of the previous cue text line
    note = False
    marked_cue = False       # the current cue already says UTTERANCE_MARKER
    for index, start in doc.text_lines:
        new_cue = previous is None or index != previous + 1
        previous = index
        if new_cue:
            note = start > 0 and lines[index].startswith("NOTE")
            marked_cue = False
        body = lines[index].rstrip("\r\n")
        ending = lines[index][len(body):]
        if note:
            lines[index] = body[:start] + withhold_sentences(body[start:], rule, parse, withheld) + ending
            kept_text_lines.append((index, start))
            continue
        speaker = _caption_speaker(body)
        if speaker is not None:
            reason = rule.reason_for(rule.registry.lookup(speaker[0]))
            marked_cue = False
        if reason is None:
            kept_text_lines.append((index, start))
            continue
        if speaker is not None or not marked_cue:
            cut = speaker[1] if speaker is not None else 0
            withheld.add("utterances", reason, body[cut:])
            lines[index] = body[:cut] + UTTERANCE_MARKER + ending
            kept_text_lines.append((index, start))
            marked_cue = True
        else:
            withheld.removed.append(body)
            lines[index] = ""   # the rest of a withheld utterance within its cue
    doc.text_lines = kept_text_lines


# --- tables --------------------------------------------------------------------------------------
def participant_column(columns: Sequence, rule: ConsentRule) -> object | None:
    wanted = {normal_label(c) for c in rule.registry.participant_columns}
    return next((c for c in columns if normal_label(str(c)) in wanted), None)


def drop_rows(frame, rule: ConsentRule, withheld: Withheld):
    """The frame without the rows of participants whose words may not be used; None when the
    table has no participant column."""
    column = participant_column(frame.columns, rule)
    if column is None:
        return None
    keep = []
    for position, value in enumerate(frame[column].tolist()):
        text = "" if value is None or value != value else str(value).strip()   # NaN != NaN
        reason = rule.reason_for(rule.registry.lookup(text)) if text else None
        if reason is not None:
            row = frame.iloc[position]
            withheld.add("rows", reason)
            withheld.removed.extend(str(v) for v in row.tolist()
                                    if isinstance(v, str) and len(v) >= MIN_CHECK_CHARS)
        keep.append(reason is None)
    return frame[keep]


NO_PARTICIPANT_COLUMN = "consent: no participant column, every row kept (the note rule applies to its text)"


def consented_frame(frame, rule: ConsentRule, parse: Parse, withheld: Withheld, notes: list[str]):
    """A table under consent: the rows of withheld participants dropped, and in the rows kept,
    every text cell that names one of them through the note rule (a facilitator's note about
    them in another participant's row)."""
    kept = drop_rows(frame, rule, withheld)
    if kept is None:
        if NO_PARTICIPANT_COLUMN not in notes:
            notes.append(NO_PARTICIPANT_COLUMN)
        kept = frame
    pattern = rule.mentions
    if pattern is None:
        return kept
    changed = None
    for column in kept.columns:
        for index, value in kept[column].items():
            if isinstance(value, str) and pattern.search(value):
                new = withhold_sentences(value, rule, parse, withheld)
                if new != value:
                    if changed is None:
                        changed = kept.copy()
                    changed.at[index, column] = new   # str values live in object or string columns
    return kept if changed is None else changed


def withhold_table_chunks(chunks: Callable[[], Iterator], rule: ConsentRule, parse: Parse, withheld: Withheld,
                          notes: list[str]) -> Callable[[], Iterator]:
    def filtered() -> Iterator:
        for chunk in chunks():
            yield consented_frame(chunk, rule, parse, withheld, notes)
    return filtered


# --- one parsed document -------------------------------------------------------------------------
@dataclass
class ConsentView:
    """A document as detection sees it under consent: its segments (None for documents that
    write themselves; those were rewritten in place) and what was withheld."""

    segments: list[str] | None
    withheld: Withheld
    notes: list[str] = field(default_factory=list)


def apply(parsed, format_name: str, rule: ConsentRule, parse: Parse) -> ConsentView:
    """Apply the rule to one parsed document. Raises InputError for a format the rule cannot be
    applied to safely (the document is then quarantined: fail closed)."""
    from redact.io.captions import CaptionDocument
    from redact.io.tabular import TableDocument, XlsxDocument

    withheld = Withheld()
    if isinstance(parsed, CaptionDocument):
        withhold_captions(parsed, rule, withheld, parse)
        return ConsentView(None, withheld)
    notes: list[str] = []
    if isinstance(parsed, TableDocument):
        parsed.chunks = withhold_table_chunks(parsed.chunks, rule, parse, withheld, notes)
        return ConsentView(None, withheld, notes)
    if isinstance(parsed, XlsxDocument):
        read = parsed._read
        parsed._read = lambda: {name: consented_frame(frame, rule, parse, withheld, notes)
                                for name, frame in read().items()}
        return ConsentView(None, withheld, notes)
    if hasattr(parsed, "write") or not hasattr(parsed, "segments"):
        raise InputError("consent rules do not cover this file type yet")
    segments = list(parsed.segments)
    if format_name == "text":
        return ConsentView([withhold_text(t, rule, parse, withheld) for t in segments], withheld)
    return ConsentView([withhold_sentences(t, rule, parse, withheld) for t in segments], withheld)



def sentence_parser(nlp) -> Parse:
    """Sentences and part-of-speech tags from the loaded pipeline, without its entity recogniser."""
    wanted = {"tok2vec", "tagger", "senter", "parser", "attribute_ruler", "morphologizer"}
    disabled = [name for name in nlp.pipe_names if name not in wanted]
    return lambda texts: list(nlp.pipe(texts, disable=disabled))
