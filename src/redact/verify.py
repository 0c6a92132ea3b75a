"""`redact verify`: a second, independent detection pass over an export, looking for residuals.

Run's own detection is not repeated or doubled: verify is a separate, optional pass. Before
detecting, the placeholders a run writes ("[PERSON_1]", "PERSON_3f9a2c1b", "*****") are masked
to a same-length run of a neutral character, so offsets still point into the exported file and a
placeholder does not make its neighbours look like names ("with [PERSON_1]" would otherwise
read as "with <proper noun>"). Spans wholly inside a mask are our own replacements, not findings.

Every format the run writes is read in full: text and captions whole (headers, cue ids, styles
included), CSV/TSV/JSONL whole (headers and keys included), every XML part of DOCX and XLSX
(paragraphs, comments, notes, tracked changes, field codes, properties, alt text, authors, sheet
names, defined names, shared strings, formulas), Parquet column names, schema and field metadata
and every value, and each file's own path. Detection runs on the normalised view (see
redact.normalize), so a name split by an invisible character or written with entities is found.

Findings carry file, segment, offsets and label, never the text they cover.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from redact.config import LABELS
from redact.errors import ConfigError, InputError
from redact.spans import Span

MANIFEST, STATS, SPANS = "manifest.jsonl", "stats.json", "spans.jsonl"
ACCOUNT_FILES = frozenset({MANIFEST, STATS, SPANS})
MASK_CHAR = "_"
_LABELS = "|".join(sorted(LABELS, key=len, reverse=True))
# What the operators write in place of an identifier (tag, hmac, mask). Surrogate values and
# shifted dates look like real ones by design: findings of those types need a human look.
PLACEHOLDERS = (
    re.compile(rf"\[(?:{_LABELS})(?:_[0-9A-Za-z]+)?\]"),      # tag: [PERSON_1], [DATE]
    re.compile(rf"\[?\b(?:{_LABELS})_[0-9a-f]{{6,64}}\b\]?"),  # hmac: PERSON_3f9a2c1b
    re.compile(r"\*+(?:[-. ()/]*\*+)*"),                       # mask: ****, ***-***
)


@dataclass(frozen=True)
class Finding:
    file: str
    segment: int
    start: int
    end: int
    label: str
    score: float
    part: str = "content"   # "content" or "file name"


@dataclass
class FileReport:
    file: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None       # could not be checked: counts as a failure (fail closed)
    in_manifest: bool = True


@dataclass
class VerifyReport:
    files: list[FileReport]
    problems: list[str]            # missing outputs and the like; never a value
    policy: str | None = None

    @property
    def findings(self) -> int:
        return sum(len(f.findings) for f in self.files)

    @property
    def unchecked(self) -> int:
        return sum(f.error is not None for f in self.files)

    @property
    def clean(self) -> bool:
        return not (self.findings or self.unchecked or self.problems)

    def to_json(self) -> dict:
        return {"clean": self.clean, "files_checked": len(self.files) - self.unchecked,
                "findings": self.findings, "unchecked": self.unchecked, "problems": self.problems,
                "policy": self.policy, "files": [asdict(f) for f in self.files]}


def mask_placeholders(text: str, patterns: Sequence[re.Pattern] = PLACEHOLDERS) -> tuple[str, list[tuple[int, int]]]:
    """(text with every placeholder replaced by a same-length neutral run, the masked regions)."""
    regions = sorted((m.start(), m.end()) for p in patterns for m in p.finditer(text) if m.end() > m.start())
    merged: list[tuple[int, int]] = []
    for start, end in regions:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    chars = list(text)
    for start, end in merged:
        chars[start:end] = MASK_CHAR * (end - start)
    return "".join(chars), merged


def residuals(spans: Iterable[Span], regions: Sequence[tuple[int, int]], masked: str) -> list[Span]:
    """Spans not explained by a placeholder: those inside a mask go, those overlapping one are
    trimmed to the unmasked part (kept if any word character is left)."""
    out = []
    for span in spans:
        start, end = span.start, span.end
        for r_start, r_end in regions:
            if r_start <= start < r_end:
                start = r_end
            if r_start < end <= r_end:
                end = r_start
        if start < end and re.search(r"\w", masked[start:end].replace(MASK_CHAR, "")):
            out.append(Span(start, end, span.label, span.score, span.source))
    return out


def export_files(folder: Path) -> tuple[list[tuple[str, bool]], list[str], str | None]:
    """(files to check as (relative path, listed in manifest), problems, policy name)."""
    problems: list[str] = []
    listed: list[str] = []
    policy = None
    manifest = folder / MANIFEST
    if manifest.is_file():
        for n, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
            try:
                record = json.loads(line)
            except ValueError:
                problems.append(f"{MANIFEST} line {n} is not valid JSON")
                continue
            policy = policy or record.get("policy")
            output = record.get("output")
            if record.get("status") == "ok" and isinstance(output, str):
                if (folder / output).is_file():
                    listed.append(output)
                else:
                    problems.append(f"{output}: listed in the manifest but missing")
    else:
        problems.append(f"no {MANIFEST}: every file is checked, none is accounted for")
    known = set(listed)
    others = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                    if p.is_file() and p.name not in ACCOUNT_FILES)
    files = [(rel, True) for rel in listed] + [(rel, False) for rel in others if rel not in known]
    return files, problems, policy


# Attributes of office XML that hold free text or a person (local names).
_TEXT_ATTRIBUTES = frozenset({"author", "initials", "descr", "title", "alt", "userId", "providerId", "ed",
                              "edGrp", "name", "val", "Target", "creator", "lastModifiedBy", "displayName",
                              "tooltip", "location", "anchor"})
# Attribute values that are structure, not text: numbers, ids, booleans, measures, hex and enums.
_STRUCTURAL = re.compile(r"[-+]?[\d.,%]+(?:pt|in|cm|mm|emu)?|#|[0-9A-Fa-f]{8}|true|false|on|off|"
                         r"[a-z][A-Za-z]*|_[A-Za-z]+\d*|\{[0-9A-Fa-f-]+\}")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def zip_texts(data: bytes, kind: str) -> list[str]:
    """Every text of every XML part of an office zip (DOCX, XLSX): each Word paragraph whole
    (deleted text and field codes included), every other text node, every attribute that holds
    text, and the names of the members."""
    from redact.io.archive import open_checked, parse_xml, read_member

    archive = open_checked(data, kind)
    out: list[str] = []
    for info in archive.infolist():
        out.append(info.filename.replace("/", " ").replace("_", " "))
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        root = parse_xml(read_member(archive, info, kind), kind)
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            local = _local(el.tag)
            for name, value in el.attrib.items():
                if _local(name) in _TEXT_ATTRIBUTES and value.strip() and not _STRUCTURAL.fullmatch(value):
                    out.append(value)
            if local == "p":   # a paragraph (Word or DrawingML): its text runs joined
                text = "".join((t.text or "") if _local(t.tag) != "tab" else "\t" for t in el.iter()
                               if _local(t.tag) in {"t", "delText", "instrText", "tab"}
                               and next(t.iterancestors(el.tag), None) is el)
                if text.strip():
                    out.append(text)
                continue
            if el.text and el.text.strip() and not _in_paragraph(el):
                if local == "v" and el.getparent() is not None and el.getparent().get("t") not in {"str", "inlineStr"}:
                    continue   # a spreadsheet's number or shared-string index
                out.append(el.text)
    return out


def _in_paragraph(el) -> bool:
    return any(_local(a.tag) == "p" for a in el.iterancestors())


def parquet_texts(path: Path) -> list[str]:
    """Column names, schema and field metadata, and every value of a Parquet file."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception:
        raise InputError("corrupt or unreadable Parquet file") from None
    schema = table.schema
    out = [" | ".join(schema.names)]
    for key, value in (schema.metadata or {}).items():
        out.append(f"{key.decode('utf-8', 'replace')}: {value.decode('utf-8', 'replace')}")
    for f in schema:
        for key, value in (f.metadata or {}).items():
            out.append(f"{key.decode('utf-8', 'replace')}: {value.decode('utf-8', 'replace')}")
    for column in table.columns:
        out.extend(str(v) for v in column.to_pylist() if v is not None and str(v).strip())
    return out


def _segments(path: Path) -> list[str]:
    """The text of one exported file, every part of it, through its format's reader."""
    from redact.io.text import decode

    suffix = path.suffix.lower()
    if suffix in {".docx", ".xlsx", ".docm", ".xlsm", ".pptx"}:
        return zip_texts(path.read_bytes(), f"{suffix[1:].upper()} file")
    if suffix == ".parquet":
        return parquet_texts(path)
    data = path.read_bytes()
    return [decode(data)[0]]  # text, CSV/TSV/JSONL, captions: whole, headers and metadata included


def path_text(rel: str) -> str:
    """A relative path as words for detection, without the run's ordinal prefix:
    "notes/0007_jsmith_intake.txt" -> "notes / jsmith intake .txt"."""
    parts = PurePosixPath(rel).parts
    words = [re.sub(r"[_\-]+", " ", part) for part in parts[:-1]]
    name = PurePosixPath(rel).name
    stem, dot, suffix = name.rpartition(".") if "." in name[1:] else (name, "", "")
    stem = re.sub(r"^\d{4,}_", "", stem)
    words.append(re.sub(r"[_\-]+", " ", stem) + (f" .{suffix}" if dot else ""))
    return " / ".join(words)


def verify(folder: Path, redactor, patterns: Sequence[re.Pattern] = PLACEHOLDERS) -> VerifyReport:
    """Re-scan an export folder with `redactor`'s detector (and roster, if it has one)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder} is not a folder")
    files, problems, policy = export_files(folder)
    reports: list[FileReport] = []
    texts: list[tuple[FileReport, int, str, list[tuple[int, int]]]] = []
    for rel, in_manifest in files:
        report = FileReport(rel, in_manifest=in_manifest)
        reports.append(report)
        try:
            segments = _segments(folder / rel)
        except InputError as exc:
            report.error = str(exc)
            continue
        except Exception as exc:  # fail closed: a file we cannot read is not a clean file
            report.error = f"cannot read: {type(exc).__name__}"
            continue
        for n, segment in enumerate(segments):
            masked, regions = mask_placeholders(segment, patterns)
            texts.append((report, n, masked, regions))
    for report in reports:
        masked, regions = mask_placeholders(path_text(report.file), patterns)
        texts.append((report, -1, masked, regions))
    detected = redactor.detect(masked for _, _, masked, _ in texts)
    for (report, n, masked, regions), spans in zip(texts, detected):
        for span in residuals(spans, regions, masked):
            report.findings.append(Finding(report.file, max(n, 0), span.start, span.end, span.label,
                                           round(span.score, 4), "file name" if n < 0 else "content"))
    return VerifyReport(reports, problems, policy)
