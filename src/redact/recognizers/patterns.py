"""Pattern recognizers declared in models/patterns.yaml (regex + context), as Presidio recognizers."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

from redact.config import DetectionConfig


def pattern_recognizers(config: DetectionConfig) -> list[PatternRecognizer]:
    return [
        PatternRecognizer(
            supported_entity=spec.label,
            name=f"redact:{spec.name}",
            patterns=[Pattern(p.name, p.regex, p.score) for p in spec.patterns],
            context=spec.context or None,
            global_regex_flags=spec.flag_bits,
        )
        for spec in config.patterns
    ]


def organization_recognizer(config: DetectionConfig) -> PatternRecognizer:
    """Well-known employers and stores from the lexicon, matched as whole words, case-sensitively."""
    return PatternRecognizer(supported_entity="ORGANIZATION", name="redact:known-organizations",
                             deny_list=list(config.names.lexicon.organizations), deny_list_score=0.7,
                             global_regex_flags=0)
