"""Detect stage: batch NER through nlp.pipe, Presidio recognizers on the parsed docs, a learned
decision over the evidence for each candidate span, resolution.

    candidates (recognizers) -> evidence rows (evidence.py) -> decision (decide.py) -> resolve
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace

from presidio_analyzer import RecognizerResult

from redact.config import DetectionConfig, load_detection_config, models_dir
from redact.detect import evidence
from redact.detect.decide import Decision
from redact.nlp import PreloadedSpacyNlpEngine, load_spacy, resolve_model_name, use_offline_public_suffix_list
from redact.policy import Policy, load_policy
from redact.recase import recase
from redact.recognizers import Roster, build_analyzer, presidio_label_map
from redact.recognizers.names import NameCueRecognizer, _line_is_caseless
from redact.recognizers.names import _zipf as zipf
from redact.recognizers.ner import NerRecognizer
from redact.recognizers.roster import NAME as ROSTER
from redact.resolve import expand_to_tokens, resolve
from redact.spans import Span

# NER works on pieces of at most this many characters, cut at line breaks; a 50 MB line is cut
# anywhere. Keeps memory flat and stays under spaCy's max_length.
CHUNK_CHARS = 100_000


def chunk(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) pairs covering text, cut after a newline where there is one."""
    if not text:
        yield 0, text
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


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
        self.nlp = load_spacy(self.model_name)
        self.engine = PreloadedSpacyNlpEngine(self.nlp)
        self.analyzer = build_analyzer(self.config, self.engine, roster)
        self.labels = presidio_label_map(self.config)
        self.score_overrides = self.config.score_overrides
        self.rules = self.config.rules | {ROSTER}
        self.entities = sorted({e for r in self.analyzer.registry.recognizers for e in r.supported_entities})
        self.recognizers = self.analyzer.registry.get_recognizers(language="en", entities=self.entities)
        self.names = NameCueRecognizer(self.config)
        self.ner = NerRecognizer(self.config)
        self.resources = evidence.Resources.from_config(self.config)
        decision = self.config.decision and models_dir() / self.config.decision
        # Without a decision model every candidate at or above the config threshold is kept.
        self.decision = Decision(decision) if decision else None
        self.candidate_floor = 0.01 if self.decision else self.config.threshold

    def _can_extend_name(self, word: str) -> bool:
        """A capitalised word beside a name that is itself likely part of it: a listed name or a
        word too rare to be everyday English, and no title, role or stop word."""
        names = self.names
        if names.is_non_name(word) or names.is_everyday_word(word):
            return False
        return (names.is_known_name(word) and zipf(word) < 4.5) or zipf(word) < 3.0

    def is_rule(self, span: Span) -> bool:
        """An exact format, or a name the program listed (--roster): kept whatever the evidence."""
        return (span.source in self.rules or span.source.rsplit(":", 1)[0] in self.rules) \
            and span.score >= self.config.threshold

    def _is_name_part(self, word: str) -> bool:
        return not self.names.is_non_name(word) and (word[0].isupper() or self.names.is_known_name(word))

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
            results = enhance(text, results, artifacts, self.recognizers, None)
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
        names = self.names
        if names.is_non_name(word):
            return False
        return (names.is_known_name(word) and not names.is_everyday_word(word)) or (
            len(word) >= 3 and zipf(word) < 2.5)

    def _recased_spans(self, view: str, doc, text: str) -> list[Span]:
        """Entities found in the case-restored view of a piece (see recase.py), on caseless lines."""
        # The NER recognizer reads only doc.ents: no need for Presidio's full artifacts here.
        results = self.ner.analyze(view, self.ner.supported_entities, SimpleNamespace(tokens=doc))
        spans = []
        for r in results:
            line_start = text.rfind("\n", 0, r.start) + 1
            line_end = text.find("\n", r.start)
            if _line_is_caseless(text[line_start:line_end if line_end != -1 else len(text)]):
                spans.append(Span(r.start, r.end, r.entity_type, float(r.score), "recased-ner"))
        return spans

    def _with_views(self, docs):
        """(view or "", (doc, meta)) for a second NER pass; pieces with case get an empty view."""
        for doc, meta in docs:
            view = recase(doc.text, _line_is_caseless, self._is_proper)
            yield (view or ""), (doc, meta, view is not None)

    def candidates(self, texts: Iterable[str],
                   evidence_rows: bool = True) -> Iterator[tuple[str, list[Span], list[dict]]]:
        """(text, candidate spans, their evidence rows or [] without `evidence_rows`) per text, in
        order, before any decision. Streams: nothing is held beyond the current batch."""
        pieces = ((piece, (n, offset, text)) for n, text in enumerate(texts) for offset, piece in chunk(text))
        docs = self.nlp.pipe(pieces, as_tuples=True, batch_size=self.config.batch_size)
        # The case-restored views go through NER in batches too; the tagger is not needed there.
        views = self.nlp.pipe(self._with_views(docs), as_tuples=True, batch_size=self.config.batch_size,
                              disable=[p for p in ("tagger", "attribute_ruler") if p in self.nlp.pipe_names])
        current, current_text, found, rows = None, "", [], []
        for view_doc, (doc, (n, offset, text), has_view) in views:
            if n != current:
                if current is not None:
                    yield current_text, found, rows
                current, current_text, found, rows = n, text, [], []
            local = self._spans(doc.text, self.engine.artifact(doc))
            if has_view:
                local += self._recased_spans(view_doc.text, view_doc, doc.text)
            if evidence_rows:
                rows += evidence.rows(doc, local, self.resources)
            found += [Span(s.start + offset, s.end + offset, s.label, s.score, s.source) for s in local]
        if current is not None:
            yield current_text, found, rows

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
        for text, spans, rows in self.candidates(texts, evidence_rows=self.decision is not None):
            yield self._finish(text, self.decide(text, spans, rows))

    def _finish(self, text: str, spans: list[Span]) -> list[Span]:
        spans = resolve(text, spans, self._is_name_part, self.names.is_everyday_word, self._can_extend_name,
                        self.config.propagate_min_score if self.decision else 0.0)
        return [s for s in spans if self.policy.counts(s, text)]

    def detect_one(self, text: str) -> list[Span]:
        return next(iter(self.detect([text])))
