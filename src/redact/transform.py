"""Transform stage: link mentions of one entity, then replace each span with its operator's output."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from redact.normalize import normal_text
from redact.operators import OPERATORS, Mention, validate_operator
from redact.policy import Policy
from redact.spans import Span

_TITLE = re.compile(r"^(?:(?:dr|mr|mrs|ms|miss|mx|officer|pastor|rev|sister|brother|coach)\.?\s+)+",
                    re.IGNORECASE)


def normalise(label: str, value: str) -> str:
    """A canonical form of a value, so spelling variants of one identifier share a key (written
    with invisible characters, entities or decomposed accents, it is still the same one)."""
    value = normal_text(value)
    if label in {"PHONE", "ID", "ZIP", "IP_ADDRESS"}:
        digits = re.sub(r"[^0-9A-Za-z]", "", value).lower()
        return digits[-10:] if label == "PHONE" else digits
    value = _TITLE.sub("", value.strip())
    value = re.sub(r"['’][sS]$", "", value)
    return " ".join(re.findall(r"[\w@.-]+", value.lower()))


def _genders(text: str, spans: Sequence[Span], keys: Sequence[str]) -> dict[str, str]:
    """Per person entity, the first gender cue found around any of its mentions, so every
    mention of one person gets a surrogate of one gender."""
    from redact.operators.gender import gender_cue

    people = [(s, k) for s, k in zip(spans, keys) if s.label == "PERSON"]
    found: dict[str, str] = {}
    for i, (span, key) in enumerate(people):
        if key not in found:
            stop = people[i + 1][0].start if i + 1 < len(people) else None
            cue = gender_cue(text, span.start, span.end, stop)
            if cue:
                found[key] = cue
    return found


class Replacer:
    """Replaces spans in the segments of one document (a file, or the cells of one table).

    Mentions are linked to entities across all segments it sees: "Maria Lopez", "Ms. Lopez" and
    "maria" share one key, so one tag number and one pseudonym. A person mention whose words are
    all part of a longer name already seen is linked to that name (the first, when several fit).
    """

    def __init__(self, policy: Policy, secret: bytes | None = None, record: bool = False) -> None:
        self.policy = policy
        self.secret = secret
        # With record=True: replacement -> (label, originals in order), for the re-identification key.
        self.record = record
        self.replacements: dict[str, tuple[str, list[str]]] = {}
        self.numbers: dict[str, dict[str, int]] = defaultdict(dict)
        self.full_names: list[tuple[str, frozenset[str]]] = []
        self._operators = {}

    def _operator(self, label: str):
        if label not in self._operators:
            spec = self.policy.operator_for(label)
            self._operators[label] = (OPERATORS[spec.operator].fn, validate_operator(spec.operator, spec.params))
        return self._operators[label]

    def link(self, text: str, spans: Sequence[Span]) -> list[str]:
        """An entity key per span."""
        values = [normalise(s.label, text[s.start:s.end]) for s in spans]
        for span, value in sorted(zip(spans, values), key=lambda sv: -len(sv[1].split())):
            if span.label == "PERSON" and value:
                words = frozenset(value.split())
                if not any(words <= known for _, known in self.full_names):
                    self.full_names.append((value, words))
        keys = []
        for span, value in zip(spans, values):
            if span.label == "PERSON":
                words = frozenset(value.split())
                value = next((name for name, known in self.full_names if words <= known), value)
            keys.append(f"{span.label}:{value}")
        return keys

    def __call__(self, text: str, spans: Sequence[Span]) -> str:
        """The de-identified text: every span replaced by its policy operator's output."""
        out, pos = [], 0
        keys = self.link(text, spans)
        genders = _genders(text, spans, keys)
        for span, key in zip(spans, keys):
            per_label = self.numbers[span.label]
            index = per_label.setdefault(key, len(per_label) + 1)
            fn, params = self._operator(span.label)
            original = text[span.start:span.end]
            replacement = fn(Mention(span.label, original, key, index, self.secret, genders.get(key)), params)
            if self.record:
                originals = self.replacements.setdefault(replacement, (span.label, []))[1]
                if original not in originals:
                    originals.append(original)
            out.append(text[pos:span.start])
            out.append(replacement)
            pos = span.end
        out.append(text[pos:])
        return "".join(out)
