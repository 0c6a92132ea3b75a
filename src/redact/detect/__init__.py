"""Detect stage: one nlp.pipe pass (caseless lines read case-restored), Presidio recognizers on the
parsed docs, a learned decision over the evidence for each candidate span, resolution.

    candidates (recognizers) -> evidence rows (evidence.py) -> decision (decide.py) -> resolve
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from presidio_analyzer import EntityRecognizer, RecognizerResult
from spacy.lang.en.lex_attrs import like_num
from spacy.lang.en.stop_words import STOP_WORDS

from redact.config import DetectionConfig, load_detection_config, models_dir
from redact.detect import evidence
from redact.detect.decide import Decision
from redact.detect.evidence import EVERYDAY_ZIPF
from redact.nlp import PreloadedSpacyNlpEngine, load_spacy, resolve_model_name, use_offline_public_suffix_list
from redact.policy import Policy, load_policy
from redact.recase import SOURCE_TEXT, recase
from redact.recognizers import Roster, build_analyzer, presidio_label_map
from redact.recognizers.names import (
    RARE_PROPER_ZIPF,
    NameCueRecognizer,
    _line_cases,
    _line_is_caseless,
    is_abbreviated_title,
)
from redact.recognizers.names import _zipf as zipf
from redact.recognizers.ner import NerRecognizer
from redact.recognizers.roster import NAME as ROSTER
from redact.recognizers.rows import DelimitedRowRecognizer
from redact.resolve import (
    AddressParts,
    WordSense,
    cut_around_web_forms,
    expand_to_tokens,
    is_credential_glued,
    join_address_parts,
    resolve,
    split_at_breaks,
)
from redact.spans import Span

# The pipeline reads pieces of at most this many characters, cut at a line break where there is
# one: memory stays flat and no step can be quadratic in a document's length (Presidio's context
# enhancer scans a piece's tokens for every result).
CHUNK_CHARS = 20_000
# spaCy's memory grows with the characters in a batch, not the number of docs: a batch holds at
# most this many (about 0.5 GB), however the text is split into documents.
BATCH_CHARS = 100_000
# A piece cut inside a line reads on this far, so an identifier across the cut is seen whole.
OVERLAP_CHARS = 200


def chunk(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> Iterator[tuple[int, str, int]]:
    """(offset, piece, owned) triples covering text: a span found in a piece belongs to it when it
    starts before `owned` (local offset); the rest of the piece is context read on past a cut made
    inside a line (at a space where there is one)."""
    if not text:
        yield 0, text, 0
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        reach = end
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut > start:
                end = reach = cut + 1
            else:
                space = text.rfind(" ", start + size // 2, end)
                end = space + 1 if space > start else end
                reach = min(end + overlap, len(text))
        yield start, text[start:reach], end - start
        start = end


def batches(views: Iterable[tuple[str, tuple]], max_docs: int,
            max_chars: int = BATCH_CHARS) -> Iterator[list[tuple[str, tuple]]]:
    """The stream of (text, meta) pairs in lists of at most max_docs pairs and max_chars characters
    (a longer single piece goes alone)."""
    batch, chars = [], 0
    for view in views:
        if batch and (len(batch) >= max_docs or chars + len(view[0]) > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(view)
        chars += len(view[0])
    if batch:
        yield batch


def is_country_alone(value: str, label: str, config: DetectionConfig) -> bool:
    """A country named alone is not an identifier (the annotation contract, and HIPAA's
    geographic rule), whatever label it was given; as a person's given name ("Jordan", "India")
    it is. A surname that is also a country ("Wales", "England") alone is the country. Detection
    drops such spans whatever the decision says, and training scores them the same way."""
    value = value.lower().strip(" .,;:!?").removeprefix("the ")
    if value not in config.places.countries:
        return False
    return label != "PERSON" or value.strip(".'’") not in config.names.first_names


# A day and month written with dots ends in a dot or goes on to a year ("12.1.", "12.1.2024"); a
# bare decimal ("WBC 12.1"), or a reading over one ("BUN/Cr 22/1.1"), is what NER took for a date.
_DECIMAL = re.compile(r"(?:\d{1,3}/)?\d{1,3}\.\d{1,2}")


def is_decimal_date(value: str, label: str) -> bool:
    return label == "DATE" and _DECIMAL.fullmatch(value) is not None


def is_age_number(word: str) -> bool:
    """A whole number a person's age can be: digits up to 120, or a number in words ("forty-five")."""
    if word.isdigit():
        return int(word) <= 120
    parts = word.lower().split("-")
    # Not an ordinal ("the third"), nor a count no one's age is.
    return all(like_num(p) and p.isalpha() and not p.endswith(("st", "nd", "rd", "th"))
               and p not in ("hundred", "thousand", "million", "billion") for p in parts)


def _singular_in(words: frozenset[str]) -> Callable[[str], bool]:
    """Membership of a lower-case word or its plural ("specialists" of "specialist")."""
    return lambda word: word in words or word.removesuffix("s") in words


class Detector:
    """Finds identifier spans in texts: the library's detection entry point.

    Loads the spaCy model once; `detect` streams any number of texts through `nlp.pipe`.
    """

    def __init__(self, policy: Policy | str = "tags", model: str | None = None,
                 config: DetectionConfig | Path | None = None, roster: Roster | None = None) -> None:
        use_offline_public_suffix_list()
        self.config = config if isinstance(config, DetectionConfig) else load_detection_config(config)
        self.policy = policy if isinstance(policy, Policy) else load_policy(policy)
        self.model_name = resolve_model_name(self.config, model)
        self.nlp = load_spacy(self.model_name, frozenset(self.config.names.lexicon.titles))
        self.engine = PreloadedSpacyNlpEngine(self.nlp)
        self.analyzer = build_analyzer(self.config, self.engine, roster)
        self.labels = presidio_label_map(self.config)
        self.score_overrides = self.config.score_overrides
        self.rules = self.config.rules | {ROSTER}
        self.entities = sorted({e for r in self.analyzer.registry.recognizers for e in r.supported_entities})
        # In registry order: Presidio's get_recognizers(entities=...) returns a set's order (object
        # addresses), and the order of candidates breaks ties when spans merge, so the same text
        # could come out redacted differently from one process to the next.
        self.recognizers = self.analyzer.registry.get_recognizers(language="en", all_fields=True)
        # Only these can change a score in Presidio's context boost; the others' results (most of
        # them: NER, names, proper nouns) skip its per-result deep copy.
        self.boosted = [r for r in self.recognizers if r.context or
                        type(r).enhance_using_context is not EntityRecognizer.enhance_using_context]
        self.boosted_ids = {r.id for r in self.boosted}
        self.names = NameCueRecognizer(self.config)
        self.rows = DelimitedRowRecognizer(self.config)
        self.ner = NerRecognizer(self.config)
        self.resources = evidence.Resources.from_config(self.config)
        places = self.config.places
        self.address_parts = AddressParts.from_words(places.address_units, places.state_codes | places.states,
                                                     places.province_codes)
        lex = self.names.lex
        self.word_sense = WordSense(
            is_name_part=self._is_name_part, matched_in_same_case=self._matched_in_same_case,
            can_extend=self._can_extend_name, is_form_of_address=self._is_form_of_address,
            is_office=lex.offices.__contains__, is_office_modifier=lex.office_modifiers.__contains__,
            is_job=lex.jobs.__contains__, is_common_word=self._is_common_word,
            is_given_name=self.names.is_first_name, is_known_name=self.names.is_known_name,
            is_compass_point=lex.compass_points.__contains__,
            is_country=self.config.places.countries.__contains__,
            is_eponym_head=lex.eponym_heads.__contains__, is_eponym_condition=lex.eponym_conditions.__contains__,
            names_a_condition=self.config.names.eponyms.__contains__, is_exam_finding=lex.exam_findings.__contains__,
            is_clinical_term=self._is_technical_term,
            is_age_number=is_age_number, is_name_type_word=lex.name_type_words.__contains__,
            is_name_lead_word=lex.name_lead_words.__contains__, is_facility_word=lex.facility_words.__contains__,
            is_name_particle=lex.name_particles.__contains__, is_method=_singular_in(lex.methods),
            is_unit=_singular_in(lex.units), is_measure=lex.measures.__contains__, is_vocabulary=self._is_domain_word,
            is_ordinary=self._is_ordinary, is_foreign_word=self.resources.is_foreign,
            is_credential=lambda word: word in lex.abbreviations or word in lex.jobs or word in lex.titles)
        decision = self.config.decision and models_dir() / self.config.decision
        # Without a decision model every candidate at or above the config threshold is kept.
        self.decision = Decision(decision) if decision else None
        self.candidate_floor = 0.01 if self.decision else self.config.threshold

    def _can_extend_name(self, word: str) -> bool:
        """A capitalised word beside a name that is itself likely part of it: a listed name or a
        word too rare to be everyday English, and no title, role or stop word."""
        names = self.names
        if names.is_non_name(word) or names.is_everyday_word(word) or is_credential_glued(word, self.word_sense):
            return False
        if names.is_known_name(word):
            return zipf(word) < EVERYDAY_ZIPF
        return zipf(word) < 3.0 and not self.resources.is_vocabulary(word)

    def _is_ordinary(self, word: str) -> bool:
        """A lower-case word that names no one and nowhere: not rare (or the domain's vocabulary),
        no given name or town, and a surname only when it is common English too ("peer")."""
        return ((zipf(word) >= RARE_PROPER_ZIPF or self.resources.is_vocabulary(word))
                and not self.names.is_first_name(word) and word not in self.resources.towns
                and (word not in self.names.names.last_names or self._is_common_word(word)))

    def _is_abbreviated_title(self, word: str) -> bool:
        return is_abbreviated_title(word, self.names.lex.titles)

    def _matched_in_same_case(self, term: str) -> bool:
        """Another mention of a detected value is looked for in its own case only when the value is
        also an everyday word (Hope, Will), made of the domain's vocabulary ("EXTREMITIES" once
        mistaken for a name must not take every "extremities" with it), of common English words
        that no name list knows ("Universities" of an organisation read as a person), or of everyday
        words no given-name list knows (a surname that is also a common noun: the "channel" and the
        "apple" of a meeting are not the "Channel" of a name read once)."""
        words, names = term.lower().split(), self.names
        return (names.is_everyday_word(term)
                or all(self.resources.is_vocabulary(w) for w in words)
                or all(self._is_common_non_name(w) for w in words)
                or all(zipf(w) >= EVERYDAY_ZIPF and not names.is_first_name(w) for w in words))

    def _is_domain_word(self, word: str) -> bool:
        """The domain's vocabulary, or a word naming a role in a program ("peer", "recovery coach")."""
        return self.resources.is_vocabulary(word) or word.lower() in self.resources.roles

    def _is_technical_term(self, word: str) -> bool:
        """A clinical term by its form that is no common English ("osteotomy", not "photography")."""
        return self.resources.is_clinical_term(word) and not self._is_common_word(word)

    def _is_common_word(self, word: str) -> bool:
        """Common English, whether or not a name list has it too ("case", "family")."""
        return zipf(word) >= self.config.names.common_word_zipf

    def is_plain_word(self, word: str) -> bool:
        """An everyday word no one is named by: common English no name list knows, or an everyday
        word only a surname list holds ("hall", "court"). Digits are never plain."""
        w = word.lower()
        return w.isalpha() and (self._is_common_non_name(w)
                                or (zipf(w) >= EVERYDAY_ZIPF and not self.names.is_first_name(w)))

    def _is_common_non_name(self, word: str) -> bool:
        """Common English that no name list knows ("universities", a verb)."""
        return zipf(word) >= self.config.names.common_word_zipf and not self.names.is_known_name(word)

    def _is_form_of_address(self, word: str) -> bool:
        """A title, greeting, kin or role word, filler, credential or drug name: beside a name, never
        part of it (a person span split at "and" can leave a drug alone). Words that are also given
        names (May, Will, Grace), initials and stop words ("TO" may be initials) are not, unless
        listed as shorthand ("AM" after a member's name); the drug gazetteer holds no name."""
        lex = self.names.lex
        w = word.lower().strip(".,'’:;")
        if len(w) < 2 or w in lex.word_names:
            return False
        return w in lex.abbreviations or w in self.config.names.drugs or (w not in STOP_WORDS and (
            w in lex.titles or w in lex.kinship or w in lex.roles or w in lex.fillers))

    def is_rule(self, span: Span) -> bool:
        """An exact format, or a name the program listed (--roster): kept whatever the evidence."""
        return (span.source in self.rules or span.source.rsplit(":", 1)[0] in self.rules) \
            and span.score >= self.config.threshold

    def _is_name_part(self, word: str) -> bool:
        """A word of a detected name that is looked for alone elsewhere in the document: a listed
        name, or a capitalised word too rare to be common English. A common word no name list
        knows (a verb that a name run swallowed at the start of a line) would take every sentence
        that starts with it."""
        if self.names.is_non_name(word):
            return False
        return self.names.is_known_name(word) or (word[0].isupper() and not self._is_common_non_name(word)
                                                   and not self.resources.is_vocabulary(word))

    def _spans(self, text: str, artifacts) -> list[Span]:
        """Every recognizer's candidates, however weak: the decision, not a score threshold, says
        what stays. Presidio's analyze() would drop a cue's span when another recognizer reported
        the same one with a higher score; here every source is kept, as evidence."""
        results = []
        for recognizer in self.recognizers:
            found = recognizer.analyze(text=text, entities=self.entities, nlp_artifacts=artifacts) or []
            for r in found:  # as analyze() does: the context enhancer matches results by recognizer id
                r.recognition_metadata = r.recognition_metadata or {}
                r.recognition_metadata.setdefault(RecognizerResult.RECOGNIZER_NAME_KEY, recognizer.name)
                r.recognition_metadata.setdefault(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, recognizer.id)
            results += found
        # Presidio's context-word boost, as analyze() applies it (a private helper: kept optional so
        # a Presidio release that renames it costs the boost, not the run).
        enhance = getattr(self.analyzer, "_enhance_using_context", None)
        if enhance is not None:
            is_boosted = [r.recognition_metadata[RecognizerResult.RECOGNIZER_IDENTIFIER_KEY] in self.boosted_ids
                          for r in results]
            if any(is_boosted):  # returned grouped by recognizer, the order they were found in
                boosted = [r for r, b in zip(results, is_boosted) if b]
                enhanced = iter(enhance(text, boosted, artifacts, self.boosted, None))
                results = [next(enhanced) if b else r for r, b in zip(results, is_boosted)]
        spans = []
        for r in results:
            if r.score < self.candidate_floor or r.end <= r.start:
                continue
            label = self.labels.get(r.entity_type, r.entity_type)
            source = r.recognition_metadata.get(RecognizerResult.RECOGNIZER_NAME_KEY, "")
            pattern = getattr(r.analysis_explanation, "pattern_name", None)
            score = self.score_overrides.get(source, float(r.score))
            spans.append(Span(r.start, r.end, label, score, f"{source}:{pattern}" if pattern else source))
        return spans

    def _is_proper(self, word: str) -> bool:
        """Capitalised in a case-restored line: a name that is not an everyday word, or a word too
        rare for English that is not the domain's vocabulary either (a drug or an anatomical term
        in an ALL-CAPS note is rare, not a name)."""
        names = self.names
        if names.is_non_name(word):
            return False
        if names.is_known_name(word):
            return not names.is_everyday_word(word)
        w = word.lower()
        return len(w) >= 3 and zipf(w) < 2.5 and not (
            self.resources.is_vocabulary(w) or w in self.resources.medications)

    def _views(self, texts: Iterable[str]) -> Iterator[tuple[str, tuple]]:
        """(what spaCy reads, (text number, piece offset, text, piece, owned, recased)) per piece:
        the piece itself, or a copy with its caseless lines case-restored (recase.py), so one NER
        pass serves both."""
        for n, text in enumerate(texts):
            for offset, piece, owned in chunk(text):
                view = recase(piece, _line_is_caseless, self._is_proper, self._is_abbreviated_title)
                yield (view or piece), (n, offset, text, piece, owned, view is not None and view != piece)

    def _piece_candidates(self, texts: Iterable[str],
                          evidence_rows: bool) -> Iterator[tuple[int, str, list[Span], list[dict]]]:
        """(text number, text, candidate spans in text offsets, evidence rows) per piece, in order."""
        docs = (doc for batch in batches(self._views(texts), self.config.batch_size)
                for doc in self.nlp.pipe(batch, as_tuples=True, batch_size=len(batch)))
        for doc, (n, offset, text, piece, owned, recased) in docs:
            if recased:
                doc.user_data[SOURCE_TEXT] = piece  # recognizers and evidence read the text as written
            # Candidates within lines and columns: each piece of a span across a break is judged alone.
            local = split_at_breaks(piece, self._spans(piece, self.engine.artifact(doc)))
            local = cut_around_web_forms(piece, local, self.is_rule)
            local = [s for s in local if s.start < owned]  # the rest is read-on, owned by the next piece
            if recased:
                local = [self._mark_recased(s, doc) for s in local]
            # Evidence describes the span as it will be judged and written: grown to whole words
            # (the "Jackson" of "Jackson-Pratt" is read as the drain, not as a surname).
            local = expand_to_tokens(piece, local)
            rows = evidence.rows(doc, local, self.resources) if evidence_rows else []
            yield n, text, [Span(s.start + offset, s.end + offset, s.label, s.score, s.source) for s in local], rows

    def candidates(self, texts: Iterable[str],
                   evidence_rows: bool = True) -> Iterator[tuple[str, list[Span], list[dict]]]:
        """(text, candidate spans, their evidence rows or [] without `evidence_rows`) per text, in
        order, before any decision (what training and evaluation read)."""
        for _, group in groupby(self._piece_candidates(texts, evidence_rows), key=itemgetter(0)):
            pieces = list(group)
            yield pieces[0][1], [s for p in pieces for s in p[2]], [r for p in pieces for r in p[3]]

    def _mark_recased(self, span: Span, doc) -> Span:
        """NER on a case-restored line is its own kind of evidence (it was guessing the capitals)."""
        starts, caseless = _line_cases(doc)
        if span.source != self.ner.name or not caseless[bisect_right(starts, span.start) - 1]:
            return span
        return Span(span.start, span.end, span.label, span.score, "recased-ner")

    def decide(self, text: str, spans: list[Span], rows: list[dict]) -> list[Span]:
        """The candidates that stay, scored by the decision's probability."""
        if self.decision is None:
            return spans
        # Judged as they will be written: grown to whole words.
        spans = expand_to_tokens(text, spans)
        rules = [self.is_rule(s) for s in spans]
        keep, probs = self.decision.keep(text, spans, rows, rules)
        return [Span(s.start, s.end, s.label, max(float(p), s.score) if rule else float(p), s.source)
                for s, p, k, rule in zip(spans, probs, keep, rules) if k]

    def detect(self, texts: Iterable[str]) -> Iterator[list[Span]]:
        """Resolved spans per text, in order, counted under the policy."""
        # Decided piece by piece: memory holds a piece's evidence, never a whole long document's.
        pieces = self._piece_candidates(texts, evidence_rows=self.decision is not None)
        for _, group in groupby(pieces, key=itemgetter(0)):
            text, kept = "", []
            for _, text, spans, rows in group:
                kept += self.decide(text, spans, rows)
            yield self._finish(text, kept)

    def _finish(self, text: str, spans: list[Span]) -> list[Span]:
        headers = self.rows.header_lines(text)
        spans = [s for s in spans if not any(start <= s.start and s.end <= end for start, end in headers)]
        spans = resolve(text, spans, self.word_sense, self.config.propagate_min_score if self.decision else 0.0,
                        self.is_rule)
        if "ADDRESS" in self.policy.identifiers:
            spans = join_address_parts(text, spans, self.address_parts)
        return [s for s in spans if self.policy.counts(s, text) and not self._country_alone(s, text)
                and not is_decimal_date(text[s.start:s.end], s.label)]

    def _country_alone(self, span: Span, text: str) -> bool:
        return is_country_alone(text[span.start:span.end], span.label, self.config)

    def detect_one(self, text: str) -> list[Span]:
        return next(iter(self.detect([text])))
