"""Broad candidates for the learned decision: proper-noun runs and words too rare to be English.

NER and the cue recognizers miss names nobody wrote a rule for: a party's acronym, a university
named by its town, an MRT station in a lower-case text message. This recognizer proposes them
generously, at a low score, and decides nothing: the decision stage (detect/decide.py) weighs the
evidence (part of speech, case, word frequency, gazetteers, context) and drops ordinary words.
"""

from __future__ import annotations

from presidio_analyzer import LocalRecognizer, RecognizerResult
from spacy.tokens import Doc, Token

from redact.config import DetectionConfig
from redact.recognizers.names import _caseless, _zipf

SCORE = 0.3
MAX_RUN = 5
NER_TYPES = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "FAC": "ORGANIZATION", "GPE": "LOCATION", "LOC": "LOCATION"}


class ProperNounRecognizer(LocalRecognizer):
    """Runs of PROPN tokens in cased text and runs of rare words on caseless lines."""

    def __init__(self, config: DetectionConfig) -> None:
        self.first_names = config.names.first_names
        self.towns = frozenset(t.lower() for t in config.places.towns)
        self.rare_zipf = config.candidates.rare_zipf
        # Inside a run of proper nouns these keep it going: "University of Bath", "Marks & Spencer".
        lex = config.names.lexicon
        self.connectors = lex.run_connectors | lex.name_particles | {"&"}
        super().__init__(supported_entities=["PERSON", "LOCATION", "ORGANIZATION"], name="redact:proper-nouns",
                         supported_language="en")

    def load(self) -> None:
        pass

    def _proposes(self, tok: Token) -> bool:
        if not tok.is_alpha or len(tok.text) < 2 or tok.lower_ in self.connectors:
            return False
        if _caseless(tok):
            return len(tok.text) >= 3 and _zipf(tok.lower_) < self.rare_zipf
        return tok.pos_ == "PROPN" or (tok.text[0].isupper() and not tok.is_sent_start
                                       and _zipf(tok.lower_) < self.rare_zipf)

    def _label(self, doc: Doc, start: int, end: int, words: list[str]) -> str:
        """NER's type where it has an opinion on these words; else a guess from the gazetteers."""
        for tok in doc[start:end]:
            if tok.ent_type_ in NER_TYPES:
                return NER_TYPES[tok.ent_type_]
        joined = " ".join(words)
        if joined in self.towns:
            return "LOCATION"
        if len(words) <= 3 and words[0] in self.first_names:
            return "PERSON"
        return "ORGANIZATION"

    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None:
            return []
        doc: Doc = nlp_artifacts.tokens
        results, i = [], 0
        while i < len(doc):
            if not self._proposes(doc[i]):
                i += 1
                continue
            j = i + 1
            while j < len(doc) and j - i < MAX_RUN and "\n" not in doc[j - 1].whitespace_:
                if self._proposes(doc[j]):
                    j += 1
                elif doc[j].lower_ in self.connectors and j + 1 < len(doc) and self._proposes(doc[j + 1]):
                    j += 2
                else:
                    break
            # The run, and each word of a longer run on its own: the decision can keep "Ariel Castro"
            # out of a headline without keeping the headline.
            pieces = [(i, j)] + ([(k, k + 1) for k in range(i, j) if self._proposes(doc[k])] if j - i > 1 else [])
            for a, b in pieces:
                label = self._label(doc, a, b, [t.lower_ for t in doc[a:b] if t.lower_ not in self.connectors])
                if label in entities:
                    results.append(RecognizerResult(label, doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text), SCORE,
                                                    recognition_metadata={"recognizer_name": self.name}))
            i = j
        return results
