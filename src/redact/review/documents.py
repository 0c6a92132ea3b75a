"""An export read for review: the manifest, each output paired with its source, a text view of
both, and where every replacement sits in each.

Outputs are paired with sources by the sha256 of the input bytes the manifest records (the manifest
holds de-identified paths, so paths cannot be matched). Replacement positions come from the run's
spans.jsonl when it has them for a single-text document (exact: the text between spans is copied
unchanged, so the output is gap, replacement, gap, ...); otherwise, and for multi-part documents
(tables, captions, Word paragraphs), by aligning the original and output views word by word with
difflib, a replacement being each stretch that differs.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from redact.errors import ConfigError

MANIFEST = "manifest.jsonl"
SPANS = "spans.jsonl"
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_TAG = re.compile(r"\[([A-Z][A-Z0-9_]*?)(?:_\d+)?\]")


@dataclass(frozen=True)
class Replacement:
    """One replaced stretch: [start, end) in the original view and in the output view."""

    start: int
    end: int
    out_start: int
    out_end: int
    label: str

    def to_json(self) -> dict:
        return {"start": self.start, "end": self.end, "out_start": self.out_start, "out_end": self.out_end,
                "label": self.label}


def manifest_path(export: Path) -> Path:
    path = Path(export) / MANIFEST
    if not path.is_file():
        raise ConfigError(f"{export} has no {MANIFEST}", hint="point at a folder written by `redact run --out`")
    return path


def manifest_sha256(export: Path) -> str:
    return hashlib.sha256(manifest_path(export).read_bytes()).hexdigest()


def read_manifest(export: Path) -> list[dict]:
    path = manifest_path(export)
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            lines.append(json.loads(raw))
        except ValueError:
            raise ConfigError(f"{path}: line {number} is not JSON") from None
    return lines


def read_spans(export: Path) -> dict[str, list[dict]]:
    """Spans per document id (the manifest's de-identified input path); empty without --spans."""
    path = Path(export) / SPANS
    if not path.is_file():
        return {}
    found = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            record = json.loads(raw)
            found[record["id"]] = record["spans"]
    return found


def index_sources(sources: list[Path]) -> dict[str, Path]:
    """sha256 of the bytes -> file, for every regular file under the source inputs."""
    found: dict[str, Path] = {}
    for root in sources:
        root = Path(root)
        if not root.exists():
            raise ConfigError(f"source {root} does not exist")
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if not path.is_file() or path.is_symlink():
                continue
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
            found.setdefault(digest.hexdigest(), path)
    return found


def text_view(path: Path, encoding: str | None = None) -> tuple[str, bool]:
    """(text shown to the reviewer, whether it is the document's single segment as detected).
    Word files are shown paragraph by paragraph, spreadsheets and Parquet as CSV."""
    data = Path(path).read_bytes()
    suffix = Path(path).suffix.lower()
    if suffix == ".docx":
        from redact.io.docx import FORMAT

        return "\n".join(FORMAT.parse(data, Path(path)).segments), False
    if suffix in {".xlsx", ".parquet"}:
        import pandas as pd

        if suffix == ".parquet":
            return pd.read_parquet(io.BytesIO(data)).to_csv(index=False), False
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, header=None)
        return "\n".join(f"# sheet {i + 1}\n" + frame.to_csv(index=False, header=False)
                         for i, frame in enumerate(sheets.values())), False
    from redact.io.text import decode

    text, _ = decode(data, encoding)
    single = suffix in {".txt", ".md", ".text", ".log"}
    return text, single


def _label_of(replacement: str) -> str:
    labels = [m.group(1) for m in _TAG.finditer(replacement)]
    return "+".join(dict.fromkeys(labels)) if labels else "REPLACED"


def align_with_spans(original: str, output: str, spans: list[dict]) -> list[Replacement] | None:
    """Exact positions from the run's spans (offsets into the original): the output is the text
    between spans, unchanged, with each span's replacement in its place. None if they disagree."""
    spans = sorted((s for s in spans if "segment" not in s), key=lambda s: s["start"])
    result, pos, out_pos = [], 0, 0
    for i, span in enumerate(spans):
        gap = original[pos:span["start"]]
        if span["start"] < pos or not output.startswith(gap, out_pos):
            return None
        out_start = out_pos + len(gap)
        if i + 1 < len(spans):
            following = original[span["end"]:spans[i + 1]["start"]]
            if not following:
                return None  # adjacent spans: where one replacement ends is ambiguous
            out_end = output.find(following, out_start)
        else:
            following = original[span["end"]:]
            out_end = len(output) - len(following)
            if not output.endswith(following) or out_end < out_start:
                return None
        if out_end < 0:
            return None
        result.append(Replacement(span["start"], span["end"], out_start, out_end, span["label"]))
        pos, out_pos = span["end"], out_end
    if original[pos:] != output[out_pos:]:
        return None
    return result


def align_by_diff(original: str, output: str) -> list[Replacement]:
    """Each stretch where the output differs from the original, found by a word-level diff."""
    a, b = _TOKENS.findall(original), _TOKENS.findall(output)
    a_at, b_at = _offsets(a), _offsets(b)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    result = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        out = output[b_at[j1]:b_at[j2]]
        result.append(Replacement(a_at[i1], a_at[i2], b_at[j1], b_at[j2], _label_of(out)))
    return result


def _offsets(tokens: list[str]) -> list[int]:
    at = [0]
    for token in tokens:
        at.append(at[-1] + len(token))
    return at


@dataclass
class ReviewDocument:
    id: str
    original: str
    output: str
    replacements: list[Replacement]
    aligned_by: str  # "spans" or "diff"

    def to_json(self) -> dict:
        return {"id": self.id, "original": self.original, "output": self.output, "aligned_by": self.aligned_by,
                "replacements": [r.to_json() for r in self.replacements]}


class Export:
    """An export folder with its manifest, optional spans, and the sources it was made from."""

    def __init__(self, folder: Path, sources: list[Path]) -> None:
        self.folder = Path(folder)
        self.manifest = read_manifest(self.folder)
        self.manifest_sha256 = manifest_sha256(self.folder)
        self.spans = read_spans(self.folder)
        by_sha = index_sources(sources) if sources else {}
        self.lines = {line["output"]: line for line in self.manifest
                      if line.get("status") == "ok" and line.get("output")}
        self.sources = {out: by_sha[line["sha256"]] for out, line in self.lines.items()
                        if line.get("sha256") in by_sha}

    @property
    def words(self) -> int:
        return sum(int(line.get("words", 0)) for line in self.lines.values())

    def unpaired(self) -> int:
        """Written documents whose source was not found (changed or not given): not sampled."""
        return len(self.lines) - len(self.sources)

    def document(self, doc_id: str) -> ReviewDocument:
        line = self.lines[doc_id]
        original, single = text_view(self.sources[doc_id], line.get("encoding"))
        output, _ = text_view(self.folder / doc_id, line.get("encoding"))
        spans = self.spans.get(line["input"])
        if single and spans is not None:
            exact = align_with_spans(original, output, spans)
            if exact is not None:
                return ReviewDocument(doc_id, original, output, exact, "spans")
        return ReviewDocument(doc_id, original, output, align_by_diff(original, output), "diff")
