"""Account stage: aggregate statistics safe to publish. Counts only, never a detected value;
cells below k are suppressed."""

from __future__ import annotations

from collections import Counter

DEFAULT_K = 11


def suppress(counts: dict[str, int], k: int = DEFAULT_K) -> dict[str, int | None]:
    """Counts below k (but above zero) become None."""
    return {key: (None if 0 < value < k else value) for key, value in counts.items()}


class StatsBuilder:
    """Accumulates outcomes of a run (see pipeline.Outcome) into stats.json."""

    def __init__(self, k: int = DEFAULT_K) -> None:
        self.k = k
        self.status = Counter()
        self.entities = Counter()
        self.chars = 0
        self.words = 0
        self.segments = 0

    def add(self, outcome) -> None:
        manifest = outcome.manifest
        self.status[manifest["status"]] += 1
        if manifest["status"] == "ok":
            self.entities.update(manifest["entities"])
            self.chars += manifest["chars"]
            self.words += outcome.words
            self.segments += outcome.segments

    def build(self) -> dict:
        return {
            "documents": sum(self.status.values()),
            "documents_by_status": dict(sorted(self.status.items())),
            "characters": self.chars,
            "words": self.words,
            "segments": self.segments,
            "entities": suppress(dict(sorted(self.entities.items())), self.k),
            "suppression": {"k": self.k, "rule": f"entity counts between 1 and {self.k - 1} are "
                                                 "published as null"},
        }
