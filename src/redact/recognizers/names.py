"""Person names beyond what NER sees: speaker labels, titles, kinship words, attendee lists and a
census-name gazetteer gated by capitalisation, part of speech and everyday-word frequency."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from presidio_analyzer import LocalRecognizer, RecognizerResult
from spacy.tokens import Doc, Token
from wordfreq import zipf_frequency

from redact.config import DetectionConfig

# "[00:03:12] BRENDA:", "FACILITATOR (Anjali):", "[3/14 9:02pm] tina:", "Dr. Okafor:"
SPEAKER = re.compile(
    r"^[ \t>*-]*(?:[\[(][^\]\)\n]{1,32}[\])][ \t]*(?:-[ \t]*)?|\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]m)?[ \t]+(?:-[ \t]*)?)?"
    r"(?P<label>[^\W\d_][\w.'’ -]{0,38}?)"
    r"(?:[ \t]*\((?P<inner>[^)\n]{1,40})\))?[ \t]*:(?!\d)",
    re.MULTILINE)
LIST_LINE = re.compile(r"^[ \t>*-]*(?P<header>[A-Za-z][A-Za-z -]{1,24}?)[ \t]*:[ \t]*(?P<items>[^\n]+)$",
                       re.MULTILINE)
LIST_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b|&|\+)\s*")
PARTICLES = {"van", "von", "de", "del", "della", "der", "den", "da", "di", "la", "le", "st", "st.", "bin", "ibn", "al"}
NAME_TOKEN = re.compile(r"^[^\W\d_][\w'’-]*\.?$")


class NameCueRecognizer(LocalRecognizer):
    """Finds PERSON spans from cues in the text around a name, not the name alone."""

    def __init__(self, config: DetectionConfig) -> None:
        self.names = config.names
        self.lex = config.names.lexicon
        self.word_zipf = config.names.common_word_zipf
        super().__init__(supported_entities=["PERSON"], name="redact:name-cues", supported_language="en")

    def load(self) -> None:
        pass

    # --- word judgements -------------------------------------------------------------------
    def is_known_name(self, word: str) -> bool:
        w = word.lower().strip(".'’")
        return w in self.names.first_names or w in self.names.last_names

    def is_first_name(self, word: str) -> bool:
        return word.lower().strip(".'’") in self.names.first_names

    def is_everyday_word(self, word: str) -> bool:
        """A word whose everyday use outweighs its use as a name (hope, will, brown, may)."""
        w = word.lower().strip(".'’")
        return w in self.lex.word_names or _zipf(w) >= 5.0

    def is_non_name(self, word: str) -> bool:
        w = word.lower().strip(".,'’:;")
        return (w in self.lex.roles or w in self.lex.abbreviations or w in self.lex.titles
                or w in self.lex.not_names or w in self.lex.kinship or w in self.lex.list_headers)

    def looks_like_name(self, word: str, caseless: bool) -> bool:
        """A plausible name token: Capitalised (or any case in caseless text), not a known non-name."""
        if not NAME_TOKEN.match(word) or self.is_non_name(word):
            return False
        if word[0].isupper():
            return not (word.isupper() and len(word) > 1 and not caseless and not self.is_known_name(word))
        return caseless and self.is_known_name(word) and not self.is_everyday_word(word)

    # --- analysis -------------------------------------------------------------------------
    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None or "PERSON" not in entities:
            return []
        doc: Doc = nlp_artifacts.tokens
        found: list[tuple[int, int, float]] = []
        found += self._speaker_labels(text)
        found += self._list_items(text)
        found += self._after_cue_words(doc)
        found += self._gazetteer(doc)
        return [RecognizerResult("PERSON", s, e, score, recognition_metadata={"recognizer_name": self.name})
                for s, e, score in found if e > s]

    def _name_words(self, text: str, offset: int, caseless: bool) -> list[tuple[int, int]]:
        """Spans of the name words in a short label ("Dr. Okafor" -> "Okafor")."""
        spans = []
        for m in re.finditer(r"[^\W\d_][\w'’.-]*", text):
            word = m.group().rstrip(".")
            if self.is_non_name(word) or word.lower() in PARTICLES:
                continue
            if caseless or word[0].isupper() or self.is_known_name(word):
                spans.append((offset + m.start(), offset + m.start() + len(word)))
        return spans

    def _speaker_labels(self, text: str) -> list[tuple[int, int, float]]:
        matches = list(SPEAKER.finditer(text))
        counts = Counter(m.group("label").strip().lower() for m in matches)
        found = []
        for m in matches:
            label = m.group("label").strip()
            words = label.split()
            if m.group("inner"):
                inner_start = m.start("inner")
                found += [(s, e, 0.85) for s, e in self._name_words(m.group("inner"), inner_start, True)]
            if len(words) > 3 or label.lower() in self.lex.roles or all(self.is_non_name(w) for w in words):
                continue
            known = any(self.is_known_name(w) for w in words)
            repeated = counts[label.lower()] >= 2 and not all(self.is_everyday_word(w) for w in words)
            if not (known or repeated):
                continue
            if not all(w[0].isupper() or w.islower() for w in words):
                continue
            found += [(s, e, 0.8) for s, e in self._name_words(label, m.start("label"), True)]
        return found

    def _list_items(self, text: str) -> list[tuple[int, int, float]]:
        found = []
        for m in LIST_LINE.finditer(text):
            if m.group("header").strip().lower() not in self.lex.list_headers:
                continue
            items_start = m.start("items")
            pos = 0
            for part in LIST_SPLIT.split(m.group("items")):
                idx = m.group("items").find(part, pos)
                pos = idx + len(part)
                if not part or any(c.isdigit() for c in part) or len(part.split()) > 4 or "@" in part:
                    continue
                found += [(s, e, 0.75) for s, e in self._name_words(part, items_start + idx, True)
                          if self.looks_like_name(text[s:e], caseless=True)]
        return found

    def _following_name(self, doc: Doc, i: int, caseless: bool) -> tuple[int, int] | None:
        """The name starting at token i (1-3 tokens, particles allowed inside), if there is one."""
        if i >= len(doc) or not self.looks_like_name(doc[i].text, caseless):
            return None
        j = i + 1
        while j < len(doc) and j < i + 4:
            tok = doc[j]
            if tok.text.lower() in PARTICLES and j + 1 < len(doc) and doc[j + 1].text[:1].isupper():
                j += 1
                continue
            if tok.text[:1].isupper() and self.looks_like_name(tok.text, False) and not tok.is_sent_start:
                j += 1
                continue
            if caseless and self.is_known_name(tok.text) and not self.is_everyday_word(tok.text):
                j += 1
                continue
            break
        return doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)

    def _after_cue_words(self, doc: Doc) -> list[tuple[int, int, float]]:
        found = []
        for tok in doc:
            word = tok.text.lower().rstrip(".")
            is_title = word in self.lex.titles
            if not (is_title or word in self.lex.kinship):
                continue
            nxt = tok.i + 1
            while nxt < len(doc) and doc[nxt].text in {",", ":", "-", "(", '"', "“", "'"}:
                nxt += 1
            if nxt >= len(doc):
                continue
            caseless = _caseless(tok)
            candidate = doc[nxt]
            if not (candidate.text[:1].isupper() or (caseless and self.is_known_name(candidate.text))):
                continue
            if candidate.text[:1].isupper() and not is_title and self.is_everyday_word(candidate.text) \
                    and candidate.tag_ not in {"NNP", "NNPS"}:
                continue
            span = self._following_name(doc, nxt, caseless)
            if span:
                found.append((*span, 0.8 if is_title else 0.7))
        return found

    def _gazetteer(self, doc: Doc) -> list[tuple[int, int, float]]:
        found = []
        for tok in doc:
            text = tok.text
            if len(text) < 2 or not text.isalpha() or not self.is_known_name(text) or self.is_non_name(text):
                continue
            if tok.ent_type_ and tok.ent_type_ not in {"PERSON", "ORG", "NORP"}:
                continue  # the model placed it in a date, place or number: let NER decide
            caseless = _caseless(tok)
            everyday = self.is_everyday_word(text)
            if caseless:
                # Lower-case chat or ALL-CAPS transcripts: only names rare as everyday words.
                if everyday or not self.is_first_name(text) or _zipf(text.lower()) >= self.word_zipf + 1.2:
                    continue
                found.append((tok.idx, tok.idx + len(text), 0.55))
            elif text[0].isupper() and not text.isupper():
                if everyday and (tok.is_sent_start or tok.tag_ not in {"NNP", "NNPS"}):
                    continue
                if tok.tag_ not in {"NNP", "NNPS"} and tok.is_sent_start:
                    continue
                found.append((tok.idx, tok.idx + len(text), 0.5 if everyday else 0.6))
        return found


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


def _caseless(tok: Token) -> bool:
    """True when the token's line carries no case information (all lower or all upper)."""
    doc = tok.doc
    text = doc.text
    start = text.rfind("\n", 0, tok.idx) + 1
    end = text.find("\n", tok.idx)
    line = text[start: end if end != -1 else len(text)]
    return _line_is_caseless(line)


@lru_cache(maxsize=4096)
def _line_is_caseless(line: str) -> bool:
    # Ignore a leading speaker label or timestamp, which are often upper case on their own.
    body = line.split(":", 1)[1] if ":" in line[:40] else line
    letters = [c for c in body if c.isalpha()]
    if len(letters) < 8:
        return False
    upper = sum(c.isupper() for c in letters)
    return upper <= max(1, len(letters) // 60) or upper >= len(letters) * 0.9
