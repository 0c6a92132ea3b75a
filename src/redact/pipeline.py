"""Orchestration of `redact run`: discover inputs, batch them through detection (in worker
processes when asked), write outputs atomically, and account for every document."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path, PurePosixPath

from redact.api import Redactor
from redact.errors import ConfigError, InputError
from redact.io import format_for
from redact.io.paths import deidentify_path

MANIFEST = "manifest.jsonl"
STATS = "stats.json"
SPANS = "spans.jsonl"
DOCS_PER_BATCH = 32
DEFAULT_MAX_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Input:
    ordinal: int
    path: Path
    rel: PurePosixPath


@dataclass
class Outcome:
    """What happened to one input document: its manifest line, plus what the stats need."""

    manifest: dict
    spans: list | None = None
    words: int = 0
    segments: int = 0


@dataclass
class RunOptions:
    out: Path
    policy: str = "tags"
    model: str | None = None
    config: Path | None = None
    roster: Path | None = None
    secret: bytes | None = None
    workers: int = 1
    write_spans: bool = False
    encoding: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    extra: dict = field(default_factory=dict)


def discover(inputs: Iterable[Path]) -> list[Input]:
    """Every file under the inputs, in a stable order, with the relative path it is written to."""
    inputs = [Path(p) for p in inputs]
    found: list[tuple[Path, PurePosixPath]] = []
    for root in inputs:
        if not root.exists():
            raise ConfigError(f"input {root} does not exist")
        prefix = PurePosixPath(root.resolve().name) if len(inputs) > 1 else PurePosixPath()
        if root.is_file():
            found.append((root, prefix / root.name))
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() or path.is_symlink():
                found.append((path, prefix / PurePosixPath(path.relative_to(root).as_posix())))
    return [Input(i + 1, path, rel) for i, (path, rel) in enumerate(found)]


def check_output_dir(out: Path, inputs: Iterable[Path]) -> None:
    out = out.resolve()
    for root in inputs:
        root = Path(root).resolve()
        if root.is_dir() and (out == root or root in out.parents):
            raise ConfigError(f"output folder {out} is inside input folder {root}",
                              hint="choose an --out outside every input")


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, owner-only, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- worker side -------------------------------------------------------------------------------
_REDACTOR: Redactor | None = None


def _init_worker(options: RunOptions) -> None:
    global _REDACTOR
    _REDACTOR = Redactor(options.policy, model=options.model, config=options.config,
                         roster=options.roster, secret=options.secret)


def _name_test(redactor: Redactor) -> Callable[[str], bool]:
    names = redactor.detector.names
    # With no context in a file name, any word that can be a name is treated as one.
    return lambda word: names.is_known_name(word) and (word in names.lex.word_names or not
                                                         names.is_everyday_word(word) or len(word) < 5)


def _read(item: Input, options: RunOptions):
    """(manifest base, parsed) for one input; raises InputError with a one-line reason."""
    if item.path.is_symlink():
        raise InputError("symbolic link (not followed)")
    fmt = format_for(item.path)
    if fmt is None:
        raise InputError(f"unsupported file type {item.path.suffix or '(none)'!r}")
    try:
        size = item.path.stat().st_size
        if size > options.max_bytes:
            raise InputError(f"file too large ({size} bytes > --max-bytes {options.max_bytes})")
        data = item.path.read_bytes()
    except PermissionError:
        raise InputError("permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}") from None
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise InputError("empty file")
    return sha, fmt.parse(data, item.path, options.encoding)


def _process(items: list[Input], options: RunOptions) -> list[Outcome]:
    redactor = _REDACTOR
    is_name = _name_test(redactor)
    outcomes: list[Outcome] = []
    parsed_docs = []
    for item in items:
        out_rel = deidentify_path(item.rel, item.ordinal, is_name)
        base = {"input": out_rel.as_posix(), "sha256": None, "output": None, "status": "quarantined",
                "reason": None, "entities": {}, "chars": 0}
        outcome = Outcome(base)
        outcomes.append(outcome)
        try:
            sha, parsed = _read(item, options)
        except InputError as exc:
            base["status"] = "skipped" if _is_skip(exc) else "quarantined"
            base["reason"] = str(exc)
            if item.path.is_file() and not item.path.is_symlink():
                try:
                    base["sha256"] = hashlib.sha256(item.path.read_bytes()).hexdigest()
                except OSError:
                    pass
            continue
        except Exception as exc:  # a parser bug or a malformed file: fail closed
            base["reason"] = f"could not parse: {type(exc).__name__}"
            continue
        base["sha256"] = sha
        base["encoding"] = parsed.encoding
        parsed_docs.append((outcome, parsed, out_rel))
    for outcome, parsed, out_rel in parsed_docs:
        try:
            _redact_one(outcome, parsed, out_rel, redactor, options)
        except Exception as exc:  # never write a document we could not fully process
            outcome.manifest.update(status="quarantined", output=None, entities={},
                                    reason=f"processing failed: {type(exc).__name__}")
    return outcomes


def _is_skip(exc: InputError) -> bool:
    reason = str(exc)
    return reason.startswith(("unsupported file type", "empty file", "symbolic link"))


def _redact_one(outcome: Outcome, parsed, out_rel: PurePosixPath, redactor: Redactor,
                options: RunOptions) -> None:
    segments = list(parsed.segments)
    all_spans = list(redactor.detect(segments))
    replace = redactor.replacer()
    redacted = [replace(text, spans) for text, spans in zip(segments, all_spans)]
    data = parsed.render(redacted)
    atomic_write(options.out / out_rel, data)
    counts = Counter(s.label for spans in all_spans for s in spans)
    outcome.manifest.update(status="ok", output=out_rel.as_posix(), entities=dict(sorted(counts.items())),
                            chars=sum(len(t) for t in segments))
    outcome.words = sum(len(t.split()) for t in segments)
    outcome.segments = len(segments)
    if options.write_spans:
        outcome.spans = [[s.to_json() for s in spans] for spans in all_spans]


def _batches(items: list[Input], size: int) -> Iterator[list[Input]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def process(items: list[Input], options: RunOptions) -> Iterator[Outcome]:
    """Outcomes in input order; with workers > 1 batches go to a process pool, each worker
    loading the model once."""
    if options.workers <= 1:
        _init_worker(options)
        for batch in _batches(items, DOCS_PER_BATCH):
            yield from _process(batch, options)
        return
    # Smaller batches keep both workers busy to the end.
    size = max(1, min(DOCS_PER_BATCH, len(items) // (options.workers * 4) or 1))
    with ProcessPoolExecutor(options.workers, initializer=_init_worker, initargs=(options,)) as pool:
        for outcomes in pool.map(_process, _batches(items, size), _repeat(options)):
            yield from outcomes


def _repeat(value):
    while True:
        yield value


def spans_record(outcome: Outcome) -> dict:
    spans = outcome.spans or []
    if len(spans) == 1:
        return {"id": outcome.manifest["input"], "spans": spans[0]}
    return {"id": outcome.manifest["input"],
            "spans": [dict(s, segment=i) for i, seg in enumerate(spans) for s in seg]}


def jsonl(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"


@dataclass
class RunResult:
    documents: int
    ok: int
    skipped: int
    quarantined: int
    out: Path

    @property
    def exit_code(self) -> int:
        return 1 if self.quarantined else 0


def run(inputs: list[Path], options: RunOptions,
        progress: Callable[[int], None] | None = None) -> RunResult:
    """De-identify every input document into options.out; see the CLI contract in the README."""
    from redact.stats import StatsBuilder

    check_output_dir(options.out, inputs)
    items = discover(inputs)
    options.out.mkdir(parents=True, exist_ok=True, mode=0o700)
    stats = StatsBuilder()
    counts = Counter()
    spans_handle = (options.out / SPANS).open("w", encoding="utf-8") if options.write_spans else None
    try:
        with (options.out / MANIFEST).open("w", encoding="utf-8") as manifest:
            os.chmod(manifest.name, 0o600)
            for outcome in process(items, options):
                manifest.write(jsonl(outcome.manifest))
                manifest.flush()
                if spans_handle and outcome.manifest["status"] == "ok":
                    spans_handle.write(jsonl(spans_record(outcome)))
                stats.add(outcome)
                counts[outcome.manifest["status"]] += 1
                if progress:
                    progress(1)
    finally:
        if spans_handle:
            spans_handle.close()
    atomic_write(options.out / STATS, (json.dumps(stats.build(), indent=2) + "\n").encode())
    return RunResult(len(items), counts["ok"], counts["skipped"], counts["quarantined"], options.out)
