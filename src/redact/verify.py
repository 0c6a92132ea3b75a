"""`redact verify`: a second, independent detection pass over an export, looking for residuals.

Run's own detection is not repeated or doubled: verify is a separate, optional pass. Before
detecting, the placeholders a run writes ("[PERSON_1]", "PERSON_3f9a2c1b", "*****", a picture
renamed "part17.png") are masked to a same-length run of a neutral character, so offsets still
point into the exported file and a placeholder does not make its neighbours look like names
("with [PERSON_1]" would otherwise read as "with <proper noun>"). Spans wholly inside a mask are
our own replacements, not findings.

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from redact.config import LABELS
from redact.errors import ConfigError, InputError
from redact.io.docx import NEUTRAL_NAME
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
    NEUTRAL_NAME,                                              # a Word file's renamed picture: part17.png
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


def residuals(spans: Iterable[Span], regions: Sequence[tuple[int, int]], masked: str,
              is_plain: Callable[[str], bool] = lambda word: False) -> list[Span]:
    """Spans not explained by a placeholder: those inside a mask go, those overlapping one are
    trimmed to the unmasked part, kept if a word is left that could be a name: everyday words
    in or beside a placeholder ("[ORGANIZATION_1] front desk") were read as the rest of the name
    it replaced (`is_plain` says which words are such)."""
    out = []
    for span in spans:
        start, end = span.start, span.end
        for r_start, r_end in regions:
            if r_start <= start < r_end:
                start = r_end
            if r_start < end <= r_end:
                end = r_start
        words = re.findall(r"[^\W\d_]+|\d+", masked[start:end].replace(MASK_CHAR, " ")) if start < end else []
        beside = (start, end) != (span.start, span.end) or any(
            0 <= start - r_end <= 1 and not masked[r_end:start].strip() or 0 <= r_start - end <= 1
            and not masked[end:r_start].strip() for r_start, r_end in regions)
        if words and not (beside and all(is_plain(w) for w in words)):
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


# Attributes of office XML that hold free text or name a person (local names), on any element ...
_TEXT_ATTRIBUTES = frozenset({"author", "initials", "descr", "title", "alt", "userId", "providerId", "ed",
                              "edGrp", "creator", "lastModifiedBy", "displayName", "tooltip"})
# ... and on these elements only (elsewhere they are style names, ids and enums).
_ELEMENT_ATTRIBUTES = {"docPr": {"name"}, "cNvPr": {"name"}, "alias": {"val"}, "tag": {"val"},
                       "docVar": {"name", "val"}, "bookmarkStart": {"name"}, "sheet": {"name"},
                       "definedName": {"name"}, "property": {"name"}, "person": {"author"},
                       "textpath": {"string"}}
# Member names an office package has anyway; any other member name is checked like text.
_STANDARD_MEMBER = re.compile(
    r"(?:\[Content_Types\]|\.rels|[A-Za-z]+\d*(?:\.xml)?\.rels|document|styles|stylesWithEffects|settings|"
    r"webSettings|fontTable|theme\d*|numbering|footnotes|endnotes|comments\w*|people|header\d*|footer\d*|"
    r"core|app|custom|item\d*|itemProps\d*|image\d*|thumbnail|workbook|sheet\d*|sharedStrings|calcChain|"
    r"vmlDrawing\d*|drawing\d*|chart\d*|table\d*|styles\d*|colors\d*|data\d*|layout\d*|quickStyle\d*|"
    r"metadata|connections|externalLink\d*|printerSettings\d*|glossary)\.\w+")


# Package dates (when the file was saved; the run rewrites or drops them) and the software's name.
_SKIPPED_ELEMENTS = frozenset({"created", "modified", "lastPrinted", "Application", "AppVersion"})
# Caption structure that is not text: timings, the arrow, hex colours (blanked, offsets kept).
_CAPTION_STRUCTURE = re.compile(r"(?:\d+:)?\d{2}:\d{2}[.,]\d{1,3}|-->|#[0-9A-Fa-f]{3,8}\b|"
                                r"(?m:^(?:WEBVTT|REGION|STYLE|NOTE|Kind:|Language:))|"
                                r"\b(?:id|width|lines|regionanchor|viewportanchor|scroll|region|align|position|"
                                r"size|line|vertical):\S+")
# A file name has no context: only a finding this confident there is reported.
FILE_NAME_MIN_SCORE = 0.5
# Words of a file name in a script the English detector cannot read (Cyrillic, Katakana, Han ...):
# reported as possible names, as the run would not keep them either.
_FOREIGN_WORD = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]+")


def foreign_words(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "PERSON", FILE_NAME_MIN_SCORE, "verify:script")
            for m in _FOREIGN_WORD.finditer(text)]


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _words_apart(value: str) -> str:
    """Underscores between words ("Seraphina_Lindqvist" in a bookmark) become spaces so detection
    reads the words; a placeholder's own underscore ("[PERSON_1]") stays, so it is still masked."""
    out, pos = [], 0
    for match in PLACEHOLDERS[0].finditer(value):
        out += [value[pos:match.start()].replace("_", " "), match.group()]
        pos = match.end()
    return "".join(out) + value[pos:].replace("_", " ")


def _attribute_texts(el) -> list[str]:
    local = _local(el.tag)
    wanted = _ELEMENT_ATTRIBUTES.get(local, set())
    out = []
    for name, value in el.attrib.items():
        attr = _local(name)
        if (attr in _TEXT_ATTRIBUTES or attr in wanted) and value.strip():
            out.append(_words_apart(value))
    if local == "Relationship" and el.get("TargetMode") == "External" and el.get("Target", "#") != "#":
        out.append(el.get("Target"))
    return out


def zip_texts(data: bytes, kind: str) -> list[str]:
    """Every text of every XML part of an office zip (DOCX, XLSX): each Word paragraph whole
    (deleted text and field codes included), every other text node, every attribute that holds
    text or a person, and the names of members an office file does not always have."""
    from redact.io.archive import open_checked, parse_xml, read_member
    from redact.io.images import metadata_texts

    archive = open_checked(data, kind)
    out: list[str] = []
    for info in archive.infolist():
        base = info.filename.rsplit("/", 1)[-1]
        if not (_STANDARD_MEMBER.fullmatch(base) or base.endswith(".rels")):
            out.append(re.sub(r"[/_]", " ", info.filename))
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            out += metadata_texts(info.filename, read_member(archive, info, kind))   # EXIF, PNG text
            continue
        root = parse_xml(read_member(archive, info, kind), kind)
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            local = _local(el.tag)
            out.extend(_attribute_texts(el))
            if local == "p":   # a paragraph (Word or DrawingML): its text runs joined
                text = "".join((t.text or "") if _local(t.tag) != "tab" else "\t" for t in el.iter()
                               if _local(t.tag) in {"t", "delText", "instrText", "tab"}
                               and next(t.iterancestors(el.tag), None) is el)
                if text.strip():
                    out.append(text)
                continue
            if local in _SKIPPED_ELEMENTS:
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
        if key == b"pandas":   # pandas' own type description: only its names and attrs are free text
            try:
                pandas_meta = json.loads(value)
            except ValueError:
                pandas_meta = {}
            names = [str(c.get("name")) for c in pandas_meta.get("columns", []) if isinstance(c, dict)]
            out.append(" | ".join(names))
            if pandas_meta.get("attrs"):
                out.append(json.dumps(pandas_meta["attrs"], ensure_ascii=False))
            continue
        out.append(f"{key.decode('utf-8', 'replace')}: {value.decode('utf-8', 'replace')}")
    for f in schema:
        for key, value in (f.metadata or {}).items():
            out.append(f"{key.decode('utf-8', 'replace')}: {value.decode('utf-8', 'replace')}")
    for column in table.columns:
        out.extend(str(v) for v in column.to_pylist()
                   if v is not None and str(v).strip() and not _is_number(str(v)))
    return out


def _segments(path: Path) -> list[str]:
    """The text of one exported file, every part of it, through its format's reader."""
    from redact.io.text import decode

    suffix = path.suffix.lower()
    if suffix in {".docx", ".xlsx", ".docm", ".xlsm", ".pptx"}:
        return zip_texts(path.read_bytes(), f"{suffix[1:].upper()} file")
    if suffix == ".parquet":
        return parquet_texts(path)
    text = decode(path.read_bytes())[0]
    if suffix in {".csv", ".tsv", ".tab"}:
        return _table_rows(text, "\t" if suffix != ".csv" else ",")
    if suffix in {".jsonl", ".ndjson"}:
        return [" | ".join(_json_strings(line)) for line in text.splitlines()]
    if suffix in {".vtt", ".srt"}:
        return [_CAPTION_STRUCTURE.sub(lambda m: " " * len(m.group()), text)]
    return [text]  # text: whole


def _is_number(value: str) -> bool:
    from redact.io.tabular import is_plain_number

    return is_plain_number(value)


def _table_rows(text: str, sep: str) -> list[str]:
    """One segment per row: its cells joined by " | ", plain numbers left out (a decimal is no
    date, neighbouring rows' numbers no phone number)."""
    import csv
    import io

    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error:
        return text.splitlines()
    return [" | ".join(c for c in row if c.strip() and not _is_number(c)) for row in rows]


def _json_strings(line: str) -> list[str]:
    """Every key and string value of one JSON line (numbers and booleans left out)."""
    try:
        value = json.loads(line)
    except ValueError:
        return [line]
    out: list[str] = []

    def walk(v) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                out.append(str(k))
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and v.strip():
            out.append(v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and not _is_number(str(v)):
            out.append(str(v))
    walk(value)
    return out


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
        if n < 0:
            spans = [s for s in spans if s.score >= FILE_NAME_MIN_SCORE]
            spans += [f for f in foreign_words(masked) if not any(s.start < f.end and f.start < s.end for s in spans)]
        for span in residuals(spans, regions, masked, redactor.detector.is_plain_word):
            report.findings.append(Finding(report.file, max(n, 0), span.start, span.end, span.label,
                                           round(span.score, 4), "file name" if n < 0 else "content"))
    for n, report in enumerate(reports, 1):
        if any(f.part == "file name" for f in report.findings):
            # The path itself holds the finding: never printed; the listing number finds the file.
            report.file = f"(file {n} of {len(reports)} checked; name withheld: it may hold an identifier)"
            report.findings = [Finding(report.file, f.segment, f.start, f.end, f.label, f.score, f.part)
                               for f in report.findings]
    return VerifyReport(reports, problems, policy)
