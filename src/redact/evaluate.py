"""Gold loading and scoring for `redact eval`.

Mention recall is label-blind: a gold mention is caught when every non-space character of it is
covered by predicted spans of any label. Character precision is the share of predicted
non-space characters that fall inside some gold mention. F2 weighs recall four times precision.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from redact.errors import ConfigError


@dataclass
class GoldDoc:
    id: str
    text: str
    spans: list[dict]


@dataclass
class Score:
    mentions: int = 0
    caught: int = 0
    pred_chars: int = 0
    pred_chars_correct: int = 0

    @property
    def recall(self) -> float | None:
        return self.caught / self.mentions if self.mentions else None

    @property
    def precision(self) -> float | None:
        return self.pred_chars_correct / self.pred_chars if self.pred_chars else None

    @property
    def f2(self) -> float | None:
        r, p = self.recall, self.precision
        if r is None or p is None or (4 * p + r) == 0:
            return None
        return 5 * p * r / (4 * p + r)

    def to_json(self) -> dict:
        def rnd(x):
            return None if x is None else round(x, 4)
        return {"mentions": self.mentions, "caught": self.caught, "recall": rnd(self.recall),
                "pred_chars": self.pred_chars, "precision": rnd(self.precision), "f2": rnd(self.f2)}


@dataclass
class Report:
    overall: Score = field(default_factory=Score)
    by_label: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    leaks: list[dict] = field(default_factory=list)
    false_positives: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"overall": self.overall.to_json(),
                "by_label": {k: v.to_json() for k, v in sorted(self.by_label.items())},
                "leaks": self.leaks}


def read_jsonl(path: Path) -> Iterable[dict]:
    try:
        with Path(path).open(encoding="utf-8") as handle:
            for n, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError:
                        raise ConfigError(f"{path}: line {n} is not valid JSON") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc


CORPORA_ENV = "REDACT_CORPORA"


def find_corpora(gold_path: Path, explicit: Path | None = None) -> Path | None:
    """Where the real-text corpora are: --corpora, $REDACT_CORPORA, or the nearest
    `shared/corpora` above the gold file (the project's layout on developer machines and in CI)."""
    if explicit or os.environ.get(CORPORA_ENV):
        return Path(explicit or os.environ[CORPORA_ENV])
    for folder in Path(gold_path).resolve().parents:
        if (folder / "shared" / "corpora").is_dir():
            return folder / "shared" / "corpora"
    return None


class _Corpora:
    """Lazily read corpus files, {id: text} each."""

    def __init__(self, root: Path | None) -> None:
        self.root, self.files = root, {}

    def text(self, name: str, doc: str) -> str:
        if name not in self.files:
            if self.root is None or not (self.root / name).is_file():
                raise ConfigError(f"gold joins corpus {name!r}, which is not under {self.root}",
                                  hint="pass --corpora DIR or set REDACT_CORPORA")
            self.files[name] = {str(r["id"]): r["text"] for r in read_jsonl(self.root / name)}
        try:
            return self.files[name][doc]
        except KeyError:
            raise ConfigError(f"corpus {name!r} has no document {doc!r}") from None


def _joined_text(rec: dict, corpora: _Corpora, where: str) -> str:
    """The text of a gold line kept as offsets into a corpus (research-only text stays out of the
    repository): its pieces joined by newlines, checked against the recorded SHA-256."""
    text = "\n".join(corpora.text(rec["corpus"], str(p["doc"]))[p["start"]:p["end"]] for p in rec["parts"])
    if rec.get("sha256") and hashlib.sha256(text.encode()).hexdigest() != rec["sha256"]:
        raise ConfigError(f"{where}: the corpus text differs from the one annotated (sha256 mismatch)")
    return text


def check_spans(spans: object, text_len: int, where: str) -> list[dict]:
    """Spans as scoring needs them: a list of {start, end, label} with integer offsets inside the
    text, start < end, and a known label; anything else is a one-line ConfigError naming `where`."""
    from redact.config import LABELS

    if not isinstance(spans, list):
        raise ConfigError(f"{where}: spans must be a list, not {type(spans).__name__}")
    for i, span in enumerate(spans):
        at = f"{where}: span {i + 1}"
        if not isinstance(span, dict):
            raise ConfigError(f"{at} must be an object with start, end and label")
        start, end, label = span.get("start"), span.get("end"), span.get("label")
        if type(start) is not int or type(end) is not int:  # bool is an int too: refused
            raise ConfigError(f"{at}: start and end must be integers")
        if not 0 <= start < end:
            raise ConfigError(f"{at}: start {start} must be at least 0 and below end {end}")
        if end > text_len:
            raise ConfigError(f"{at}: end {end} is past the end of the text ({text_len} characters)")
        if label not in LABELS:
            raise ConfigError(f"{at}: unknown label {label!r}", hint="known: " + ", ".join(LABELS))
    return spans


def check_predictions(gold: list[GoldDoc], predicted: dict[str, object], where: str) -> dict[str, list[dict]]:
    """Predicted spans checked against their gold text; predictions must name at least one gold id."""
    texts = {doc.id: len(doc.text) for doc in gold}
    if gold and predicted and not set(predicted) & set(texts):
        raise ConfigError(f"{where}: no predicted id matches an id of the gold file",
                          hint="predictions must use the gold ids (as `redact detect` keeps them)")
    return {doc_id: check_spans(spans, texts[doc_id], f"{where}: id {doc_id!r}") if doc_id in texts else []
            for doc_id, spans in predicted.items()}


def load_gold(path: Path, corpora: Path | None = None, part: str | None = None) -> list[GoldDoc]:
    """Gold documents from GOLD.jsonl: lines with a text, or lines naming a corpus and pieces of
    its documents (joined with the corpora folder). `part` keeps only lines of that part (dev/test)."""
    docs = []
    joined = _Corpora(find_corpora(path, corpora))
    for n, rec in enumerate(read_jsonl(path), 1):
        if not isinstance(rec, dict) or "id" not in rec:
            raise ConfigError(f"{path}: line {n} needs an id")
        if part and rec.get("part") != part:
            continue
        if "corpus" in rec and "parts" in rec:
            text = _joined_text(rec, joined, f"{path}: line {n}")
        elif isinstance(rec.get("text"), str):
            text = rec["text"]
        else:
            raise ConfigError(f"{path}: line {n} needs a text (or a corpus and parts)")
        docs.append(GoldDoc(str(rec["id"]), text, check_spans(rec.get("spans", []), len(text), f"{path}: line {n}")))
    return docs


def score(gold: list[GoldDoc], predicted: dict[str, list[dict]], with_values: bool = False) -> Report:
    """Score predicted spans ({id: [{start, end, label}]}) against gold."""
    report = Report()
    for doc in gold:
        preds = predicted.get(doc.id, [])
        covered = bytearray(len(doc.text) + 1)
        for p in preds:
            covered[p["start"]:p["end"]] = b"\x01" * (p["end"] - p["start"])
        in_gold = bytearray(len(doc.text) + 1)
        for g in doc.spans:
            in_gold[g["start"]:g["end"]] = b"\x01" * (g["end"] - g["start"])
        for g in doc.spans:
            chars = [i for i in range(g["start"], g["end"]) if not doc.text[i].isspace()]
            caught = all(covered[i] for i in chars)
            for s in (report.overall, report.by_label[g["label"]]):
                s.mentions += 1
                s.caught += caught
            if not caught:
                leak = {"id": doc.id, "start": g["start"], "end": g["end"], "label": g["label"]}
                if with_values:
                    leak["value"] = doc.text[g["start"]:g["end"]]
                report.leaks.append(leak)
        for p in preds:
            chars = [i for i in range(p["start"], min(p["end"], len(doc.text))) if not doc.text[i].isspace()]
            right = sum(1 for i in chars if in_gold[i])
            for s in (report.overall, report.by_label[p["label"]]):
                s.pred_chars += len(chars)
                s.pred_chars_correct += right
            if right < len(chars):
                fp = {"id": doc.id, "start": p["start"], "end": p["end"], "label": p["label"]}
                if with_values:
                    fp["value"] = doc.text[p["start"]:p["end"]]
                report.false_positives.append(fp)
    return report


@dataclass
class RedactionRate:
    """How much of a text without gold gets redacted: on real text with few identifiers, most of
    it is over-redaction."""

    chars: int = 0
    redacted: int = 0
    by_label: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    strings: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def share(self) -> float:
        return self.redacted / self.chars if self.chars else 0.0

    def to_json(self, top: int = 0) -> dict:
        out = {"chars": self.chars, "redacted": self.redacted, "share": round(self.share, 5),
               "by_label": {k: {"redacted": v, "share": round(v / self.chars, 5) if self.chars else 0.0}
                            for k, v in sorted(self.by_label.items())}}
        if top:
            out["top_strings"] = {k: c.most_common(top) for k, c in sorted(self.strings.items())}
        return out


def redaction_rate(docs: Iterable[GoldDoc], predicted: dict[str, list[dict]]) -> RedactionRate:
    """Share of non-space characters covered by predicted spans, overall and per label, and the
    redacted strings per label (case-folded) for the most-frequent lists."""
    rate = RedactionRate()
    for doc in docs:
        covered = bytearray(len(doc.text))
        rate.chars += sum(1 for c in doc.text if not c.isspace())
        for p in predicted.get(doc.id, []):
            piece = doc.text[p["start"]:p["end"]]
            fresh = sum(1 for i in range(p["start"], min(p["end"], len(doc.text)))
                        if not covered[i] and not doc.text[i].isspace())
            covered[p["start"]:p["end"]] = b"\x01" * len(covered[p["start"]:p["end"]])
            rate.redacted += fresh
            rate.by_label[p["label"]] += fresh
            rate.strings[p["label"]][" ".join(piece.split()).lower()] += 1
    return rate


def format_table(report: Report) -> str:
    def cell(x):
        return "   -  " if x is None else f"{x:6.3f}"
    rows = [f"{'label':<14}{'mentions':>9}{'caught':>8}  {'recall':>6}  {'c.prec':>6}  {'F2':>6}"]
    for label, s in [*sorted(report.by_label.items()), ("ALL", report.overall)]:
        rows.append(f"{label:<14}{s.mentions:>9}{s.caught:>8}  {cell(s.recall)}  {cell(s.precision)}  {cell(s.f2)}")
    return "\n".join(rows)
