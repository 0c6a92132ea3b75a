"""How many words a review needs, which documents to read, and the exact bound on what it found.

The residual rate is modelled per word: each reviewed word is a trial and each identifier the
reviewer finds unredacted is a success, so k misses in n words give the one-sided exact
(Clopper-Pearson) upper bound beta.ppf(confidence, k + 1, n - k). Words are read in whole documents
(a cluster sample), which the binomial model ignores; stratifying by format and folder keeps the
sample spread over the kinds of text the export holds.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

PER = 1000  # rates are reported per 1,000 words


def upper_bound(misses: int, words: int, confidence: float) -> float:
    """One-sided exact upper confidence bound on misses per word (Clopper-Pearson)."""
    from scipy.stats import beta

    if words <= 0:
        return 1.0
    if misses >= words:
        return 1.0
    return float(beta.ppf(confidence, misses + 1, words - misses))


def words_needed(target_rate: float, confidence: float) -> int:
    """Words to review so that finding no miss bounds the rate below target_rate per 1,000 words:
    the smallest n with 1 - (1 - p)^n >= confidence, i.e. upper_bound(0, n) <= p."""
    p = target_rate / PER
    if not 0 < p < 1 or not 0 < confidence < 1:
        raise ValueError("target rate must be in (0, 1000) per 1,000 words and confidence in (0, 1)")
    return math.ceil(math.log(1 - confidence) / math.log(1 - p))


@dataclass(frozen=True)
class Candidate:
    """A document that can be sampled: its id (output path), stratum and word count."""

    id: str
    stratum: str
    words: int


def stratum_of(path: str) -> str:
    """Format and top folder of an export path, e.g. 'txt notes' ('.' for files at the top)."""
    parts = path.split("/")
    suffix = parts[-1].rsplit(".", 1)[-1].lower() if "." in parts[-1] else "(none)"
    return f"{suffix} {parts[0] if len(parts) > 1 else '.'}"


def draw_sample(candidates: Sequence[Candidate], words: int, seed: int) -> list[str]:
    """Ids of documents to review: each stratum gets its share of `words` in proportion to its
    word count (at least one document), documents drawn at random within it; all of them when the
    export is smaller than the sample. Same candidates and seed, same sample."""
    total = sum(c.words for c in candidates)
    if total <= words:
        return [c.id for c in candidates]
    strata: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        strata[c.stratum].append(c)
    rng = random.Random(seed)
    chosen: list[str] = []
    for name in sorted(strata):
        docs = sorted(strata[name], key=lambda c: c.id)
        rng.shuffle(docs)
        share = words * sum(c.words for c in docs) / total
        taken = 0
        for doc in docs:
            if taken >= share and taken > 0:
                break
            chosen.append(doc.id)
            taken += doc.words
    order = {c.id: i for i, c in enumerate(candidates)}
    return sorted(chosen, key=order.__getitem__)
