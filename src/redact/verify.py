"""`redact verify`: a second, independent detection pass over an export, looking for residuals.

Run's own detection is not repeated or doubled: verify is a separate, optional pass. Before
detecting, the placeholders a run writes ("[PERSON_1]", "PERSON_3f9a2c1b", "*****") are masked
to a same-length run of a neutral character, so offsets still point into the exported file and a
placeholder does not make its neighbours look like names ("with [PERSON_1]" would otherwise
read as "with <proper noun>"). Spans wholly inside a mask are our own replacements, not findings.

Findings carry file, segment, offsets and label, never the text they cover.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

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


def _segments(path: Path) -> list[str]:
    """The text of one exported file, through its format's reader when it has one."""
    from redact.io import format_for
    from redact.io.text import decode

    data = path.read_bytes()
    fmt = format_for(path)
    parse = getattr(fmt, "parse", None)
    if parse is not None:
        parsed = parse(data, path, None)
        segments = getattr(parsed, "segments", None)
        if segments is not None:
            return list(segments)
    return [decode(data)[0]]  # streamed formats (CSV, captions) are text too: check them whole


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
    detected = redactor.detect(masked for _, _, masked, _ in texts)
    for (report, n, masked, regions), spans in zip(texts, detected):
        for span in residuals(spans, regions, masked):
            report.findings.append(Finding(report.file, n, span.start, span.end, span.label, round(span.score, 4)))
    return VerifyReport(reports, problems, policy)
