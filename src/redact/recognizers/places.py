"""Towns and cities beyond what NER sees: a GeoNames gazetteer of US places (and, in lower-case
chats, of the world's larger towns) and the "Town, ST" shape of addresses.

spaCy's small model misses many smaller towns ("Olathe", "Fairborn") and almost every place in
lower-case chats ("bus broke down near lafayette"). A place name that is also an everyday word
or a person's name ("Mobile", "Jackson") needs a cue: a preposition of place before it, or a
state after it.
"""

from __future__ import annotations

import re

from presidio_analyzer import LocalRecognizer, RecognizerResult
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from redact.config import DetectionConfig
from redact.recognizers.names import EVERYDAY_NAME_ZIPF, _caseless, _zipf

ZIP = re.compile(r"\d{5}(?:-\d{4})?")
# A single-word place this common in everyday English ("Mobile", "Normal") needs a cue.
EVERYDAY_ZIPF = 4.0


class PlaceRecognizer(LocalRecognizer):
    """LOCATION spans from the US place gazetteer and from "Town, ST" / "Town, State"."""

    def __init__(self, config: DetectionConfig) -> None:
        self.places = config.places
        self.names = config.names
        self._matchers: dict[int, PhraseMatcher] = {}
        super().__init__(supported_entities=["LOCATION"], name="redact:places", supported_language="en")

    def load(self) -> None:
        pass

    def _matcher(self, doc: Doc) -> PhraseMatcher:
        # Built on first use with the pipeline's own vocab and tokenizer rules, so multi-word and
        # hyphenated names ("Winston-Salem", "St. Cloud") tokenise as the text does.
        matcher = self._matchers.get(id(doc.vocab))
        if matcher is None:
            from spacy.lang.en import English

            tokenizer = English(vocab=doc.vocab).tokenizer
            matcher = PhraseMatcher(doc.vocab, attr="LOWER")
            matcher.add("PLACE", list(tokenizer.pipe(sorted(self.places.towns))))
            self._matchers[id(doc.vocab)] = matcher
        return matcher

    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None or "LOCATION" not in entities:
            return []
        doc: Doc = nlp_artifacts.tokens
        found = [(span.start_char, span.end_char, score)
                 for span, score in self._gazetteer(doc) + self._world_after_cue(doc) + self._before_state(doc)]
        return [RecognizerResult("LOCATION", s, e, score, recognition_metadata={"recognizer_name": self.name})
                for s, e, score in found]

    # --- cues ------------------------------------------------------------------------------
    def _state_follows(self, doc: Doc, end: int) -> bool:
        """ "Peoria, IL", "Peoria IL 61602", "peoria, oh 61602", "Peoria, Illinois". A state code
        in lower case or in an ALL-CAPS line ("ok", "OH", "IN") counts only before a ZIP code."""
        i = end + 1 if end < len(doc) and doc[end].text == "," else end
        if i >= len(doc):
            return False
        tok = doc[i]
        zip_next = i + 1 < len(doc) and ZIP.fullmatch(doc[i + 1].text) is not None
        if tok.text.upper() in self.places.states:
            return zip_next or (tok.text.isupper() and not _caseless(tok))
        for n in (1, 2):
            name = doc[i:i + n]
            if name.text.lower() in self.places.state_names and (zip_next or not _caseless(tok)) \
                    and tok.text[0].isupper():
                return True
        return False

    def _cue_before(self, doc: Doc, start: int) -> bool:
        return start > 0 and doc[start - 1].lower_ in self.places.cue_words

    def _ambiguous(self, words: list[str]) -> bool:
        """A one-word place that is also an everyday word or a person's name."""
        if len(words) > 1:
            return False
        w = words[0].lower()
        return _zipf(w) >= EVERYDAY_ZIPF or w in self.names.first_names or w in self.names.last_names \
            or w in self.names.lexicon.word_names

    def _everyday_in_caseless(self, word: str) -> bool:
        """Is a one-word place written without case more likely an everyday word ("in normal")? A
        town that is also a person's name ("Chelsea", "Sterling") is a proper noun in either reading,
        unless English uses it all the time ("hope")."""
        is_name = word in self.names.first_names or word in self.names.last_names
        return _zipf(word) >= (EVERYDAY_NAME_ZIPF if is_name else EVERYDAY_ZIPF)

    # --- sources ---------------------------------------------------------------------------
    def _gazetteer(self, doc: Doc) -> list[tuple[Span, float]]:
        found = []
        for _, start, end in self._matcher(doc)(doc):
            span = doc[start:end]
            if any(t.ent_type_ in {"PERSON", "ORG", "FAC", "GPE", "LOC"} for t in span):
                continue  # NER already placed it; its own span is better
            words = [t.text for t in span if t.is_alpha]
            if not words:
                continue
            cued = self._cue_before(doc, start) or self._state_follows(doc, end)
            if _caseless(span[0]):
                # Lower-case chats and ALL-CAPS transcripts: only with a cue, never an everyday word.
                if cued and not (len(words) == 1 and self._everyday_in_caseless(words[0].lower())):
                    found.append((span, 0.55))
                continue
            if not all(w[0].isupper() for w in words):
                continue
            if cued:
                found.append((span, 0.65))
            elif not self._ambiguous(words) and (not span[0].is_sent_start or span[0].tag_ == "NNP"):
                found.append((span, 0.5))
        return found

    def _world_after_cue(self, doc: Doc) -> list[tuple[Span, float]]:
        """A town or city abroad written in lower case after a cue word ("stuck in chennai"): NER
        reads the capitalised ones, not these. Up to three words, never an everyday word alone."""
        found = []
        for tok in doc[:-1]:
            if tok.lower_ not in self.places.cue_words or not _caseless(doc[tok.i + 1]):
                continue
            for n in (3, 2, 1):
                span = doc[tok.i + 1:tok.i + 1 + n]
                name = span.text.lower()
                if len(span) == n and name in self.places.world_places and name not in self.places.towns \
                        and name not in self.places.countries and len(name) > 3 and not span.ents \
                        and (n > 1 or _zipf(name) < EVERYDAY_ZIPF):
                    found.append((span, 0.55))
                    break
        return found

    def _before_state(self, doc: Doc) -> list[tuple[Span, float]]:
        """The town in "Berea, KY 40403" and "Piqua, PA": up to three capitalised words right
        before a comma and a state code or name."""
        found = []
        lex = self.names.lexicon
        for tok in doc:
            if tok.text != "," or not self._state_follows(doc, tok.i):
                continue
            start = tok.i
            while start > 0 and tok.i - start < 3 and doc[start - 1].is_alpha and (
                    doc[start - 1].text[0].isupper() or _caseless(doc[start - 1])) \
                    and "\n" not in doc[start - 1].whitespace_:
                start -= 1
            words = [t for t in doc[start:tok.i]]
            while words and (words[0].lower_ in lex.roles or words[0].lower_ in lex.titles or words[0].is_stop):
                words = words[1:]
            if words and not any(t.ent_type_ == "PERSON" for t in words):
                found.append((doc[words[0].i:tok.i], 0.6))
        return found
