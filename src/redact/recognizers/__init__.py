"""Domain recognizers, built from the declarative config in models/.

Every recognizer is a Presidio recognizer emitting redact labels directly; Presidio's own
predefined recognizers are kept where we trust them and their entity types are mapped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, predefined_recognizers
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

from redact.config import DetectionConfig, RegistryEntry
from redact.errors import ConfigError
from redact.nlp import PreloadedSpacyNlpEngine
from redact.recognizers.names import NameCueRecognizer
from redact.recognizers.ner import NerRecognizer
from redact.recognizers.patterns import invalidator, organization_recognizers, pattern_recognizers
from redact.recognizers.places import PlaceRecognizer
from redact.recognizers.proper_nouns import ProperNounRecognizer
from redact.recognizers.roster import Roster, RosterRecognizer
from redact.recognizers.rows import DelimitedRowRecognizer

__all__ = ["Roster", "build_analyzer"]


def presidio_label_map(config: DetectionConfig) -> dict[str, str]:
    """Presidio entity type -> redact label, for the predefined recognizers we use."""
    mapping = {}
    for entry in config.presidio.values():
        recognizer = getattr(predefined_recognizers, entry.presidio_class)()
        for entity in recognizer.supported_entities:
            mapping[entity] = entry.label
    return mapping


def _presidio(entry: RegistryEntry):
    cls = getattr(predefined_recognizers, entry.presidio_class)
    if entry.window:
        cls = windowed(cls, re.compile(entry.window))
    if entry.invalidator:
        cls = checked(cls, invalidator(entry.invalidator, f"recognizer {entry.presidio_class!r}"))
    # phonenumbers tries every region it is given: the programs' own regions, in the registry.
    return cls(supported_regions=tuple(entry.regions)) if entry.regions else cls()


# Read on this far on each side of a pre-check match, so the recognizer sees what it checks
# around a number (a leading "+", letters glued to it) exactly as in the whole text.
WINDOW_PAD = 30


def windows(text: str, pattern: re.Pattern) -> list[tuple[int, int]]:
    """Merged (start, end) stretches of text around the pattern's matches."""
    out: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        start, end = max(0, match.start() - WINDOW_PAD), min(len(text), match.end() + WINDOW_PAD)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def windowed(cls: type, pattern: re.Pattern) -> type:
    """The Presidio recognizer class, run only on the windows around `pattern`: phonenumbers scans
    the whole text once per region, which cost more than the rest of Presidio on short documents
    and grows with long ones."""

    class Windowed(cls):
        def analyze(self, text, entities, nlp_artifacts=None, *args, **kwargs):
            found = []
            for start, end in windows(text, pattern):
                for result in super().analyze(text[start:end], entities, None, *args, **kwargs) or []:
                    result.start += start
                    result.end += start
                    found.append(result)
            return found

    Windowed.__name__ = Windowed.__qualname__ = cls.__name__
    return Windowed


def checked(cls: type, invalid: Callable[[str], bool | None]) -> type:
    """The Presidio recognizer class, less what `invalid` rejects (a range of readings is no
    phone number, whatever some region's numbering plan allows)."""

    class Checked(cls):
        def analyze(self, text, entities, nlp_artifacts=None, *args, **kwargs):
            found = super().analyze(text, entities, nlp_artifacts, *args, **kwargs) or []
            return [r for r in found if not invalid(text[r.start:r.end])]

    Checked.__name__ = Checked.__qualname__ = cls.__name__
    return Checked


# The project's own recognizers, by their registry name.
COMPONENTS = {
    "ner": lambda config: [NerRecognizer(config)],
    "name-cues": lambda config: [NameCueRecognizer(config)],
    "places": lambda config: [PlaceRecognizer(config)],
    "rows": lambda config: [DelimitedRowRecognizer(config)],
    "proper-nouns": lambda config: [ProperNounRecognizer(config)],
    "known-organizations": organization_recognizers,
}


def build_analyzer(config: DetectionConfig, engine: PreloadedSpacyNlpEngine,
                   roster: Roster | None = None) -> AnalyzerEngine:
    """Presidio's analyzer over every enabled recognizer of the registry."""
    registry = RecognizerRegistry(supported_languages=["en"])
    for name, entry in config.recognizers.items():
        if not entry.enabled:
            continue
        if entry.kind == "presidio":
            registry.add_recognizer(_presidio(entry))
        elif name in COMPONENTS:
            for recognizer in COMPONENTS[name](config):
                registry.add_recognizer(recognizer)
        else:
            raise ConfigError(f"unknown recognizer component {name!r} in the detection config",
                              hint="components: " + ", ".join(sorted(COMPONENTS)))
    for recognizer in pattern_recognizers(config):
        registry.add_recognizer(recognizer)
    if roster is not None:
        registry.add_recognizer(RosterRecognizer(roster))
    # Whole-word context matching: substring mode lets "id" match inside "said".
    enhancer = LemmaContextAwareEnhancer(context_matching_mode="whole_word")
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"],
                          context_aware_enhancer=enhancer, default_score_threshold=config.threshold)
