"""Domain recognizers, built from the declarative config in models/.

Every recognizer is a Presidio recognizer emitting redact labels directly; Presidio's own
predefined recognizers are kept where we trust them and their entity types are mapped.
"""

from __future__ import annotations

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, predefined_recognizers
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

from redact.config import DetectionConfig
from redact.nlp import PreloadedSpacyNlpEngine
from redact.recognizers.names import NameCueRecognizer
from redact.recognizers.ner import NerRecognizer
from redact.recognizers.patterns import organization_recognizers, pattern_recognizers
from redact.recognizers.places import PlaceRecognizer
from redact.recognizers.roster import Roster, RosterRecognizer
from redact.recognizers.rows import DelimitedRowRecognizer

__all__ = ["Roster", "build_analyzer"]


def presidio_label_map(config: DetectionConfig) -> dict[str, str]:
    """Presidio entity type -> redact label, for the predefined recognizers we use."""
    mapping = {}
    for class_name, label in config.presidio.items():
        recognizer = getattr(predefined_recognizers, class_name)()
        for entity in recognizer.supported_entities:
            mapping[entity] = label
    return mapping


def build_analyzer(config: DetectionConfig, engine: PreloadedSpacyNlpEngine,
                   roster: Roster | None = None) -> AnalyzerEngine:
    registry = RecognizerRegistry(supported_languages=["en"])
    for class_name in config.presidio:
        cls = getattr(predefined_recognizers, class_name)
        # phonenumbers tries every region it is given; these notes are from US programs.
        recognizer = cls(supported_regions=("US",)) if class_name == "PhoneRecognizer" else cls()
        registry.add_recognizer(recognizer)
    for recognizer in pattern_recognizers(config):
        registry.add_recognizer(recognizer)
    for recognizer in organization_recognizers(config):
        registry.add_recognizer(recognizer)
    registry.add_recognizer(NerRecognizer(config))
    registry.add_recognizer(NameCueRecognizer(config))
    registry.add_recognizer(PlaceRecognizer(config))
    registry.add_recognizer(DelimitedRowRecognizer(config))
    if roster is not None:
        registry.add_recognizer(RosterRecognizer(roster))
    # Whole-word context matching: substring mode lets "id" match inside "said".
    enhancer = LemmaContextAwareEnhancer(context_matching_mode="whole_word")
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"],
                          context_aware_enhancer=enhancer, default_score_threshold=config.threshold)
