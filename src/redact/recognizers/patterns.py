"""Pattern recognizers declared in models/patterns.yaml (regex + context), as Presidio recognizers."""

from __future__ import annotations

import regex
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
        for spec in config.patterns if spec.enabled
    ]


def organization_recognizers(config: DetectionConfig) -> list[PatternRecognizer]:
    """Well-known employers and stores from the lexicon, as whole words. One-word names (Target,
    Subway) are matched only capitalised; several-word names ("family dollar") in any case."""
    names = config.names.lexicon.organizations
    single = [n for n in names if " " not in n]
    multi = [n for n in names if " " in n]
    return [
        PatternRecognizer(supported_entity="ORGANIZATION", name="redact:known-organizations",
                          deny_list=single, deny_list_score=0.7, global_regex_flags=0),
        PatternRecognizer(supported_entity="ORGANIZATION", name="redact:known-organizations-any-case",
                          deny_list=multi, deny_list_score=0.7, global_regex_flags=regex.IGNORECASE),
    ]
