"""spaCy NER entities as redact spans, with the noise of a small model on staff notes filtered out."""

from __future__ import annotations

import re

from presidio_analyzer import LocalRecognizer, RecognizerResult
from spacy.tokens import Span as SpacySpan

from redact.config import DetectionConfig
from redact.recognizers.names import _caseless, _zipf

MONTH_OR_HOLIDAY = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b|thanksgiving|christmas|easter|"
    r"halloween|new year|independence|memorial day|labor day|veterans day|valentine|juneteenth",
    re.IGNORECASE)
# A month and day in either order, or a year and month ("3/14", "14.03.2026", "2026-03"): not a
# blood pressure or a score ("120/80", "7/10" is caught by the rating check).
NUMERIC_DATE = re.compile(r"(?<![\d/.])(?:(?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])[/.-]"
                          r"(?:0?[1-9]|1[0-2])|(?:19|20)\d{2}[/.-](?:0?[1-9]|1[0-2]))(?!\d)")
# spaCy's OntoNotes DATE covers ages ("34 years old") and durations ("90 days"), which are not dates.
AGE_IN_DATE = re.compile(r"^(\d{1,3})(?=[\s-]*(?:years?|yrs?)[\s-]*old\b)", re.IGNORECASE)
DURATION = re.compile(r"\b(\d+|a|an|one|two|few|several|couple)\s+(days?|weeks?|months?|years?|yrs?|hours?|"
                      r"decades?)\b(?!\s+(?:old))", re.IGNORECASE)
# Two numbers joined by a dash with no year are a range ("CIWA 12-15", oriented "x2-3") or a spine
# level ("L4-5"), not a month and day.
DASH_RANGE = re.compile(r"[^\d\s]*\d{1,2}-\d{1,2}s?")
# A grade's own shape: reflexes "3/3+", a range of grades "2-3/6".
GRADE_SHAPE_AFTER = re.compile(r"\+")
GRADE_SHAPE_BEFORE = re.compile(r"(?<![\d/])\d-$")
YEAR_ONLY = re.compile(r"^(?:(?:in|since|the|of|by|around|early|late|mid)\s+)*'?\d{2,4}s?$", re.IGNORECASE)
LEADING_NOISE = re.compile(r"^(?:(?:the|a|an|my|his|her|their|our)\s+|[\d:/.\[\]()•*>~-]+\s*(?:[ap]m?\s+)?)+",
                           re.IGNORECASE)
# A small model lets entities run across line breaks, tabs, column gaps and field separators.
BREAK = re.compile(r"\n|\t| {2,}|\s?[|;]\s?|\s[-–—]\s|,(?=[^\s\d])")
TRAILING_NOISE = re.compile(r"(?:['’][sS]|'|’|[.,;:!?)\]\"]+)$")
TRAILING_NUMBERS = re.compile(r"(?:\s+[\d.,/%+-]*\d[\d.,/%+-]*)+$")


def _words_pattern(words) -> str:
    return "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True))


class NerRecognizer(LocalRecognizer):
    """Maps doc.ents through config.ner, dropping what the small model gets wrong most often."""

    def __init__(self, config: DetectionConfig) -> None:
        self.sources = config.ner
        self.lexicon = config.names.lexicon
        self.first_names = config.names.first_names
        self.score_before = re.compile(rf"\b(?:{_words_pattern(self.lexicon.score_words)})\b\W{{0,3}}"
                                       r"(?:\w+\W{1,3})?(?:(?:is|was|are|were|about|around|approximately)\W{1,3}){0,2}$",
                                       re.IGNORECASE)
        self.grade_head_after = re.compile(rf"\s+(?:\w+\s+)?(?:{_words_pattern(self.lexicon.grade_heads)})\b",
                                           re.IGNORECASE)
        labels = sorted({s.label for s in config.ner.values()} | {"AGE"})
        super().__init__(supported_entities=labels, name="redact:spacy-ner", supported_language="en")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None:
            return []
        results = []
        for ent in nlp_artifacts.tokens.ents:
            source = self.sources.get(ent.label_)
            if source is None:
                continue
            found = self._judge(ent, source.label, text)
            if found is None:
                continue
            label, start, end = found
            if label in entities and end > start:
                results.append(RecognizerResult(label, start, end, source.score,
                                                recognition_metadata={"recognizer_name": self.name}))
        return results

    def _is_grade(self, text: str, start: int, end: int) -> bool:
        """A fraction after a score's word or before a grade's head, or shaped as a grade."""
        return bool(self.score_before.search(text, max(0, start - 40), start)
                    or GRADE_SHAPE_BEFORE.search(text, max(0, start - 2), start)
                    or GRADE_SHAPE_AFTER.match(text, end) or self.grade_head_after.match(text, end))

    def _judge(self, ent: SpacySpan, label: str, text: str) -> tuple[str, int, int] | None:
        """The (label, start, end) to report for one entity, or None to drop it."""
        value = ent.text
        start = ent.start_char
        piece = BREAK.search(value)
        if piece:
            value = value[:piece.start()]
        lead = LEADING_NOISE.match(value)
        if lead and label != "DATE":
            start += lead.end()
            value = value[lead.end():]
        trail = TRAILING_NOISE.search(value)
        if trail:
            value = value[:trail.start()]
        end = start + len(value)
        lowered = value.lower()
        if not any(c.isalpha() for c in value) and label != "DATE":
            return None
        if label == "DATE":
            age = AGE_IN_DATE.match(value)
            if age:
                return "AGE", start, start + age.end()
            if YEAR_ONLY.match(value) or DURATION.search(value):
                return None
            if not (MONTH_OR_HOLIDAY.search(value) or NUMERIC_DATE.search(value)) or DASH_RANGE.fullmatch(value):
                return None  # today, tomorrow, this afternoon, Tuesday, last week, a bare number, a range
            if self._is_grade(text, start, end):  # doc.text would rebuild the text
                return None  # "pain rated 7/10", strength "5/5": a score, not a date
            return label, start, end
        words = [w.strip(".,'’") for w in lowered.split()]
        noise = self.lexicon.roles | self.lexicon.abbreviations
        if lowered in noise or all(w in noise or w in self.lexicon.titles for w in words):
            return None
        if value.isupper() and len(value.replace(".", "")) <= 4 and label != "PERSON":
            return None  # BP, CT, OOB, ICU tagged as organisations
        if label == "PERSON" and value.isupper() and len(value) <= 3:
            return None
        if label == "PERSON" and (numbers := TRAILING_NUMBERS.search(value)):
            end = start + numbers.start()  # "NSR-ST 90-105": no one's name ends in a reading
        if label == "PERSON" and value.islower() and " " not in value and not _caseless(ent[0]) \
                and _zipf(value) >= 3.5 and value not in self.first_names:
            return None  # "floor", "lease": in text that has case, a lower-case everyday word is no name
        return label, start, end
