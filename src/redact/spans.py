"""The one internal span and document types; Presidio's types are converted at the edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Span:
    """A detected identifier: character offsets into the original text, end exclusive."""

    start: int
    end: int
    label: str
    score: float = 1.0
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"invalid span offsets {self.start}..{self.end}")

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, "score": round(self.score, 4)}

