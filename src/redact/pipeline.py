"""Orchestration of `redact run`: discover inputs, batch them through detection (in worker
processes when asked), write outputs atomically, and account for every document."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path, PurePosixPath

from redact.api import Redactor
from redact.errors import ConfigError, InputError
from redact.io import format_for
from redact.io.paths import deidentify_path
from redact.resume import Journal, input_digests
from redact.spans import Span
from redact.tables import TableConfig

MANIFEST = "manifest.jsonl"
STATS = "stats.json"
SPANS = "spans.jsonl"
DOCS_PER_BATCH = 32
# Batches queued per worker: enough to keep each busy, few enough to keep memory flat.
IN_FLIGHT_PER_WORKER = 2
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
    # For --key-file only: replacement -> (label, originals). Never written to manifest or stats.
    replacements: dict | None = None


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
    key_file: Path | None = None  # encrypted re-identification key, written outside `out`
    resume: bool = False           # skip inputs already in the manifest (same bytes, same config)
    follow_symlinks: bool = False  # follow links that stay inside an input folder
    roots: tuple[Path, ...] = ()   # resolved input roots (set by run)
    tables: TableConfig | None = None  # column roles for tabular inputs
    engine: str = "local"  # "local" (this machine, --workers processes) or "spark" (redact.spark)
    spark_master: str | None = None  # --engine spark: cluster URL (else spark-submit's, else local[workers])


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
            # Pipes, sockets and links are listed too, so the manifest accounts for them.
            if path.is_symlink() or not path.is_dir():
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
    with atomic_output(path) as handle:
        handle.write(data)


@contextmanager
def atomic_output(path: Path):
    """A binary handle on a temporary file beside `path`, renamed onto it only when the block
    completes; on any error the temporary file is removed (streamed outputs fail closed too)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
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


def _check_file(item: Input, options: RunOptions) -> None:
    """Refuse what must not be read: links (unless --follow-symlinks and the target stays inside
    an input folder) and anything but a regular file (a FIFO would block the run forever)."""
    path = item.path
    if path.is_symlink():
        if not options.follow_symlinks:
            raise InputError("symbolic link (not followed)")
        target = path.resolve()
        roots = options.roots or ()
        if not any(target == root or root in target.parents for root in roots):
            raise InputError("symbolic link leads outside the input folders (not followed)")
    try:
        mode = path.stat().st_mode
    except PermissionError:
        raise InputError("permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise InputError("not a regular file (folder, pipe, socket or device)")


def _read(item: Input, options: RunOptions):
    """(manifest base, parsed) for one input; raises InputError with a one-line reason."""
    _check_file(item, options)
    fmt = format_for(item.path)
    if fmt is None:
        raise InputError(f"unsupported file type {item.path.suffix or '(none)'!r}")
    if hasattr(fmt, "open"):
        return _open_streamed(item, fmt, options)
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


def _open_streamed(item: Input, fmt, options: RunOptions):
    """A format that reads the file itself, in chunks: hashed in blocks, never read whole here."""
    try:
        size = item.path.stat().st_size
        if size > options.max_bytes:
            raise InputError(f"file too large ({size} bytes > --max-bytes {options.max_bytes})")
        if size == 0:
            raise InputError("empty file")
        sha = hashlib.sha256()
        with item.path.open("rb") as handle:
            while block := handle.read(1 << 20):
                sha.update(block)
    except PermissionError:
        raise InputError("permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}") from None
    return sha.hexdigest(), fmt.open(item.path, item.rel, options)


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
                digests = input_digests(item.path, item.rel, None)  # streamed: may be huge
                base["sha256"] = digests[0] if digests else None
            continue
        except Exception as exc:  # a parser bug or a malformed file: fail closed
            base["reason"] = f"could not parse: {type(exc).__name__}"
            continue
        base["sha256"] = sha
        base["encoding"] = parsed.encoding
        parsed_docs.append((outcome, parsed, out_rel))
    # One nlp.pipe stream for the whole batch: per-document calls would run spaCy on batches of
    # one, about twice as slow. A failure anywhere falls back to one document at a time, so only
    # the document that fails is quarantined.
    try:
        detected = _detect_batch([list(getattr(parsed, "segments", ())) for _, parsed, _ in parsed_docs],
                                 redactor)
    except Exception:
        detected = [None] * len(parsed_docs)
    for (outcome, parsed, out_rel), spans in zip(parsed_docs, detected):
        try:
            _redact_one(outcome, parsed, out_rel, redactor, options, spans)
        except InputError as exc:  # malformed past the first chunk (a streamed table): quarantined
            outcome.manifest.update(status="quarantined", output=None, entities={}, reason=str(exc))
        except Exception as exc:  # never write a document we could not fully process
            outcome.manifest.update(status="quarantined", output=None, entities={},
                                    reason=f"processing failed: {type(exc).__name__}")
    return outcomes


def _detect_batch(docs: list[list[str]], redactor: Redactor) -> list[list[list]]:
    """Spans per segment per document, all documents' segments through one detect stream."""
    flat = iter(redactor.detect(segment for segments in docs for segment in segments))
    return [[next(flat) for _ in segments] for segments in docs]


def _is_skip(exc: InputError) -> bool:
    reason = str(exc)
    return reason.startswith(("unsupported file type", "empty file", "symbolic link", "not a regular file"))


def _redact_one(outcome: Outcome, parsed, out_rel: PurePosixPath, redactor: Redactor,
                options: RunOptions, all_spans: list | None = None) -> None:
    if hasattr(parsed, "write"):
        return _write_driven(outcome, parsed, out_rel, redactor, options)
    segments = list(parsed.segments)
    if all_spans is None:
        all_spans = list(redactor.detect(segments))
    replace = redactor.replacer(record=options.key_file is not None)
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
    if options.key_file is not None:
        outcome.replacements = replace.replacements


class DocumentSession:
    """io.Session for one driven document: one replacer for all its chunks, so tag numbers and
    pseudonyms stay consistent across the cells of a table or the cues of a transcript."""

    def __init__(self, redactor: Redactor, options: RunOptions) -> None:
        self.redactor = redactor
        self.secret = redactor.secret
        self.replacer = redactor.replacer(record=options.key_file is not None)
        self.counts: Counter = Counter()
        self.chars = self.words = self.segments = 0
        self.spans: list | None = [] if options.write_spans else None

    def detect(self, texts: Sequence[str]) -> list[list[Span]]:
        return list(self.redactor.detect(texts))

    def link(self, text: str, spans: Sequence[Span]) -> None:
        self.replacer.link(text, spans)

    def replace(self, text: str, spans: Sequence[Span]) -> str:
        self.counts.update(s.label for s in spans)
        self.chars += len(text)
        self.words += len(text.split())
        self.segments += 1
        if self.spans is not None:
            self.spans.append([s.to_json() for s in spans])
        return self.replacer(text, spans)

    def redact(self, texts: Sequence[str]) -> list[str]:
        texts = list(texts)
        return [self.replace(t, spans) for t, spans in zip(texts, self.detect(texts))]


def _write_driven(outcome: Outcome, parsed, out_rel: PurePosixPath, redactor: Redactor,
                  options: RunOptions) -> None:
    session = DocumentSession(redactor, options)
    with atomic_output(options.out / out_rel) as handle:
        parsed.write(handle, session)
    outcome.manifest.update(status="ok", output=out_rel.as_posix(), chars=session.chars,
                            entities=dict(sorted(session.counts.items())))
    if parsed.notes:
        outcome.manifest["notes"] = list(parsed.notes)
    outcome.words, outcome.segments, outcome.spans = session.words, session.segments, session.spans
    if options.key_file is not None:
        outcome.replacements = session.replacer.replacements


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
        yield from _bounded_map(pool, _process, _batches(items, size), options, IN_FLIGHT_PER_WORKER * options.workers)


def _bounded_map(pool: Executor, fn: Callable, batches: Iterable[list[Input]], options: RunOptions,
                 window: int) -> Iterator[Outcome]:
    """pool.map in order, with at most `window` batches submitted at a time: Executor.map submits
    every batch up front, so results pile up in memory when the consumer is slower."""
    pending: deque[Future] = deque()
    for batch in batches:
        pending.append(pool.submit(fn, batch, options))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def _engine(options: RunOptions) -> Callable[[list[Input], RunOptions], Iterator[Outcome]]:
    """The `process` of the chosen engine; both yield the same outcomes in the same order."""
    if options.engine == "spark":
        from redact import spark  # PySpark is optional: imported only when asked for

        return spark.process
    if options.engine != "local":
        raise ConfigError(f"unknown engine {options.engine!r}", hint="use local or spark")
    return process


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
    if options.key_file is not None:
        from redact.keystore import check_key_path

        check_key_path(options.key_file, options.out, inputs)
        if not options.secret:
            raise ConfigError("--key-file needs a secret", hint="set REDACT_SECRET or pass --secret-file")
    if options.tables is not None:
        options.tables.check(options.secret)
    if options.resume and options.key_file is not None:
        raise ConfigError("--resume cannot be combined with --key-file yet",
                          hint="rerun without --resume to rebuild the key file")
    key_entries: dict = {}
    items = discover(inputs)
    if not options.roots:
        options.roots = tuple(Path(p).resolve() for p in inputs)
    options.out.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The manifest is a journal (see resume.py): outputs are renamed into place first, then their
    # line is appended and fsynced, so a killed run can be resumed without redoing or losing any.
    journal = Journal.open(items, options, MANIFEST, SPANS, resume=options.resume)
    if progress and journal.kept:
        progress(len(journal.kept))
    pending = journal.pending(items)
    try:
        for item, outcome in zip(pending, _engine(options)(pending, options)):
            status = outcome.manifest["status"]
            line = dict(outcome.manifest, words=outcome.words, segments=outcome.segments)
            journal.record(item.ordinal, line, spans_record(outcome) if status == "ok" else None)
            for note in outcome.manifest.get("notes", ()):  # column names only, never values
                print(f"redact: warning: {outcome.manifest['input']}: {note}", file=sys.stderr)
            if outcome.replacements and status == "ok":
                key_entries[outcome.manifest["output"]] = outcome.replacements
            if progress:
                progress(1)
    finally:
        journal.close()
    lines = journal.finish()
    # Stats over the whole manifest, so a resumed run publishes the same numbers as one pass.
    stats = StatsBuilder()
    counts = Counter()
    for line in lines:
        stats.add(Outcome(line, words=line.get("words", 0), segments=line.get("segments", 0)))
        counts[line["status"]] += 1
    atomic_write(options.out / STATS, (json.dumps(stats.build(), indent=2) + "\n").encode())
    if options.key_file is not None:
        from redact.keystore import write_key

        write_key(options.key_file, key_entries, options.secret)
    return RunResult(len(items), counts["ok"], counts["skipped"], counts["quarantined"], options.out)
