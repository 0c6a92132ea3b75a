"""The learned decision: which candidate spans are identifiers.

A gradient-boosted tree model (LightGBM, trained by scripts/train_decision.py on annotated real and
synthetic dev data) reads each candidate's evidence row (evidence.py) and gives the probability
that it covers an identifier; a candidate is kept when that probability reaches its label's
operating point, chosen on dev data for recall. The model, its feature vocabularies and the
operating points live in models/decision/ and ship inside the wheel.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from pathlib import Path

import numpy as np
from spacy.lang.en.lex_attrs import like_num

from redact.detect.evidence import CATEGORICAL, FEATURES, WORD
from redact.errors import ConfigError

MODEL_FILE, META_FILE = "model.txt", "meta.json"


def encode(rows: list[dict], vocab: dict[str, list[str]]) -> np.ndarray:
    """The feature matrix: numeric features as they are, categorical ones as their index in the
    model's vocabulary (unseen values are missing)."""
    index = {name: {v: i for i, v in enumerate(values)} for name, values in vocab.items()}
    columns = [(name, index[name] if name in CATEGORICAL else None) for name in FEATURES]
    missing = float("nan")
    # Built as lists and converted once: assigning cell by cell into numpy cost more than the model.
    values = [[row[name] if codes is None else codes.get(row[name], missing) for name, codes in columns]
              for row in rows]
    return np.array(values, dtype=np.float64).reshape(len(rows), len(FEATURES))


def _one_word_beyond(text: str, inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    """Does `outer` hold `inner` and reach past it by at most one word on each side (a gap of one
    space)? A candidate inside a kept one, or beside it, adds nothing to it."""
    if outer[0] > inner[0] or outer[1] < inner[1] or outer == inner:
        return False
    left, right = text[outer[0]:inner[0]], text[inner[1]:outer[1]]
    return all(len(part.split()) <= 1 and "\n" not in part and len(part) - len(part.lstrip()) <= 1
               and len(part) - len(part.rstrip()) <= 1 for part in (left, right))


def decided(text: str, spans: list, probs, thresholds: dict[str, float], default: float,
            rules: list[bool] | None = None, readable: list[bool] | None = None) -> list[bool]:
    """Which candidates stay: rules (exact formats), those at or above their label's operating
    point, and those that only add one word beside a kept candidate of the same label ("faith"
    kept, so "faith r" is too): half a name is still an identifier. A candidate made only of the
    lexicon's readable words (shorthand, drugs, fillers, roles) never stays unless a rule found it."""
    rules = rules or [False] * len(spans)
    # Numbers, in digits or in words, are never "readable words": "Thurs 4/9", "Route 22" and a
    # number read out ("five oh three ...", where "oh" is also a filler) are judged as usual.
    readable = [bool(r) and not _has_number(text[s.start:s.end])
                for s, r in zip(spans, readable or [False] * len(spans))]
    keep = [rule or (not plain and bool(p >= thresholds.get(s.label, default)))
            for s, p, rule, plain in zip(spans, probs, rules, readable)]
    kept_by_label: dict[str, list] = {}
    for s, k in zip(spans, keep):
        if k:
            kept_by_label.setdefault(s.label, []).append((s.start, s.end))
    for bounds in kept_by_label.values():
        bounds.sort()
    for i, s in enumerate(spans):
        if keep[i] or readable[i] or s.label not in kept_by_label:
            continue
        bounds = kept_by_label[s.label]
        n = bisect_right(bounds, (s.end + 1, len(text) + 1))
        for start, end in bounds[max(0, n - 3):n]:
            if _one_word_beyond(text, (start, end), (s.start, s.end)):
                keep[i] = True
                break
    return keep


def _has_number(value: str) -> bool:
    return any(c.isdigit() for c in value) or any(like_num(w) for w in WORD.findall(value))


class Decision:
    """Loads models/decision/ once; `keep(rows)` says which candidates stay."""

    def __init__(self, folder: Path) -> None:
        import lightgbm

        try:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
            self.booster = lightgbm.Booster(model_file=str(folder / MODEL_FILE))
        except (OSError, ValueError, lightgbm.basic.LightGBMError) as exc:
            raise ConfigError(f"cannot load the decision model in {folder}: {type(exc).__name__}",
                              hint="reinstall redact, or retrain with scripts/train_decision.py") from exc
        if tuple(meta["features"]) != FEATURES:
            raise ConfigError(f"the decision model in {folder} was trained on other features",
                              hint="retrain it with scripts/train_decision.py")
        self.vocab: dict[str, list[str]] = meta["vocab"]
        self.thresholds: dict[str, float] = meta["thresholds"]
        self.default_threshold: float = meta["default_threshold"]

    def probabilities(self, rows: list[dict]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        return self.booster.predict(encode(rows, self.vocab), num_threads=1)

    def keep(self, text: str, spans: list, rows: list[dict], rules: list[bool]) -> tuple[list[bool], np.ndarray]:
        probs = self.probabilities(rows)
        readable = [bool(row["readable"]) for row in rows]
        return decided(text, spans, probs, self.thresholds, self.default_threshold, rules, readable), probs
