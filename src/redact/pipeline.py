"""Orchestration of `redact run`: discover inputs, lock the output folder, hand batches to an
engine (this process, forked workers, or Spark), and account for every document in the journal.

The per-batch work lives in worker.py, the file writing in atomic.py, the journal in resume.py;
this module imports them and nothing imports it back.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from redact.atomic import OutputError, OutputLock, atomic_write, describe, make_private_dirs, remove_stale_temp_files
from redact.errors import ConfigError
from redact.resume import Journal, config_hash
from redact.worker import DEFAULT_MAX_BYTES, Input, Outcome, RunOptions, process_batch, process_shared, share

__all__ = ["DEFAULT_MAX_BYTES", "Input", "Outcome", "RunOptions", "RunResult", "RunStopped", "discover",
           "check_output_dir", "check_secret_file", "default_workers", "run"]

MANIFEST = "manifest.jsonl"
STATS = "stats.json"
CONSENT = "consent.json"   # purpose, as-of date and version of a --consent export (no names)
SPANS = "spans.jsonl"
DOCS_PER_BATCH = 32
# Batches per worker: enough pieces for the pool to even out, few enough to keep batches useful.
BATCHES_PER_WORKER = 4
# Batches queued per worker: enough to keep each busy, few enough to keep memory flat.
IN_FLIGHT_PER_WORKER = 2
# --workers by default: the machine's cores, up to this (each added worker costs memory).
MAX_DEFAULT_WORKERS = 8


class RunStopped(OutputError):
    """The run stopped part way because the output folder failed; the manifest lists exactly the
    outputs that were completed (exit code 3)."""


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def discover(inputs: Iterable[Path]) -> list[Input]:
    """Every file under the inputs, in a stable order, with the relative path it is written to."""
    inputs = [Path(p) for p in inputs]
    found: list[tuple[Path, PurePosixPath]] = []
    # Several inputs: each under its own folder, named after the input and kept distinct even
    # when two inputs share a name ("a/notes", "b/notes" -> "notes", "notes-2").
    prefixes: list[PurePosixPath] = []
    seen: Counter = Counter()
    for root in inputs:
        name = root.resolve().name or "input"
        seen[name] += 1
        prefixes.append(PurePosixPath(name if seen[name] == 1 else f"{name}-{seen[name]}")
                        if len(inputs) > 1 else PurePosixPath())
    for root, prefix in zip(inputs, prefixes):
        if not root.exists():
            raise ConfigError(f"input {root} does not exist")
        if root.is_file():
            found.append((root, prefix / root.name))
            continue
        for path in sorted(root.rglob("*")):
            # Pipes, sockets and links are listed too, so the manifest accounts for them.
            if path.is_symlink() or not path.is_dir():
                found.append((path, prefix / PurePosixPath(path.relative_to(root).as_posix())))
    # Each distinct folder gets a number (in listing order): distinct folders stay distinct
    # after their names are de-identified.
    folder_ids: dict[PurePosixPath, int] = {}
    for _, rel in found:
        for parent in reversed(rel.parents[:-1]):
            folder_ids.setdefault(parent, len(folder_ids) + 1)
    return [Input(i + 1, path, rel, _size(path), tuple(folder_ids[p] for p in reversed(rel.parents[:-1])))
            for i, (path, rel) in enumerate(found)]


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_dir(out: Path, inputs: Iterable[Path]) -> None:
    out = Path(out).resolve()
    for root in inputs:
        root = Path(root).resolve()
        if root.is_dir() and _inside(out, root):
            raise ConfigError(f"output folder {out} is inside input folder {root}",
                              hint="choose an --out outside every input")


def check_secret_file(secret_file: Path | None, out: Path, inputs: Iterable[Path]) -> None:
    """A secret inside an input folder would be processed as a document (and hashed into the
    manifest); inside --out it would ship with the export. Refused either way."""
    if secret_file is None:
        return
    secret = Path(secret_file).resolve()
    for folder, what in [(Path(out), "output"), *((Path(p), "input") for p in inputs)]:
        folder = folder.resolve()
        if (folder.is_dir() or what == "output") and _inside(secret, folder) or secret == folder:
            raise ConfigError(f"--secret-file {secret_file} is inside the {what} folder {folder}",
                              hint="keep the secret outside every input and the export")


# --- the local engine ----------------------------------------------------------------------------
def batches_by_size(items: list[Input], workers: int) -> list[list[Input]]:
    """Consecutive batches of about equal bytes (not equal counts), largest first: a pool that
    takes the next batch when free then finishes its workers at about the same time."""
    if not items:
        return []
    total = sum(max(item.size, 1) for item in items)
    target = max(1, total // max(1, workers * BATCHES_PER_WORKER))
    batches: list[list[Input]] = [[]]
    size = 0
    for item in items:
        if batches[-1] and (size >= target or len(batches[-1]) >= DOCS_PER_BATCH):
            batches.append([])
            size = 0
        batches[-1].append(item)
        size += max(item.size, 1)
    return sorted(batches, key=lambda batch: -sum(i.size for i in batch)) if workers > 1 else batches


def _pool(options: RunOptions) -> ProcessPoolExecutor:
    """Workers forked after the model is loaded here, so they share its memory (copy-on-write);
    where fork is not available, each worker loads the model itself."""
    if "fork" in multiprocessing.get_all_start_methods():
        share(options)
        gc.freeze()  # keep the collector from touching (and so copying) the shared objects
        return ProcessPoolExecutor(options.workers, mp_context=multiprocessing.get_context("fork"))
    return ProcessPoolExecutor(options.workers, initializer=share, initargs=(options,))


def process(items: list[Input], options: RunOptions,
            stop: Callable[[], bool] = lambda: False) -> Iterator[tuple[Input, Outcome]]:
    """(input, outcome) pairs as batches finish; with workers > 1, batches go to a process pool
    sharing one loaded model. No new batch starts once `stop()` says so."""
    batches = batches_by_size(items, options.workers)
    if options.workers <= 1 or len(batches) <= 1:
        for batch in batches:
            if stop():
                return
            yield from zip(batch, process_batch(batch, options))
        return
    window = IN_FLIGHT_PER_WORKER * options.workers
    try:
        with _pool(options) as pool:
            pending: dict[Future, list[Input]] = {}
            queue = iter(batches)
            while True:
                while len(pending) < window and not stop():
                    batch = next(queue, None)
                    if batch is None:
                        break
                    pending[pool.submit(process_shared, batch)] = batch
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield from zip(pending.pop(future), future.result())
    finally:
        gc.unfreeze()


def _engine(options: RunOptions):
    """The `process` of the chosen engine; both yield (input, outcome) pairs."""
    if options.engine == "spark":
        from redact import spark  # PySpark is optional: imported only when asked for

        return spark.process
    if options.engine != "local":
        raise ConfigError(f"unknown engine {options.engine!r}", hint="use local or spark")
    return process


# --- accounting ------------------------------------------------------------------------------------
def spans_record(outcome: Outcome) -> dict:
    spans = outcome.spans or []
    if len(spans) == 1:
        return {"id": outcome.manifest["input"], "spans": spans[0]}
    return {"id": outcome.manifest["input"],
            "spans": [dict(s, segment=i) for i, seg in enumerate(spans) for s in seg]}


@dataclass
class RunResult:
    documents: int
    ok: int
    skipped: int
    quarantined: int
    out: Path
    # Of the above, by status: lines an earlier run finished and this one kept (--resume).
    kept_by_status: dict = field(default_factory=dict)

    @property
    def kept(self) -> int:
        return sum(self.kept_by_status.values())

    def new(self, status: str) -> int:
        """Documents of this status that this run handled itself (not kept)."""
        return getattr(self, status) - self.kept_by_status.get(status, 0)

    @property
    def summary(self) -> str:
        """One line: kept + written + skipped + quarantined = documents."""
        return (f"{self.documents} documents: {self.kept} kept from an earlier run, {self.new('ok')} written, "
                f"{self.new('skipped')} skipped, {self.new('quarantined')} quarantined")

    @property
    def exit_code(self) -> int:
        return 1 if self.quarantined else 0


def _prepare(inputs: list[Path], options: RunOptions) -> None:
    """Every check that can refuse the run, before anything is written (exit 2)."""
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
    _check_consent(options)


def _check_consent(options: RunOptions) -> None:
    """--consent, --purpose and --as-of together, the registry valid and outside --out (it names
    every participant): checked before anything is written."""
    if options.consent is None:
        if options.purpose is not None or options.as_of is not None:
            raise ConfigError("--purpose and --as-of need --consent FILE", hint="pass the consent registry")
        return
    consent = Path(options.consent).resolve()
    out = Path(options.out).resolve()
    if _inside(consent, out):
        raise ConfigError(f"--consent {options.consent} is inside the output folder {options.out}",
                          hint="keep the registry outside the export")
    options.consent_rule()   # loads and validates the registry (ConfigError on any mistake)


def run(inputs: list[Path], options: RunOptions,
        progress: Callable[[int], None] | None = None,
        warn: Callable[[str], None] | None = None) -> RunResult:
    """De-identify every input document into options.out; see the CLI contract in the README.

    Raises ConfigError (nothing written), LockedError (another run holds --out: nothing written),
    OutputError (the output folder cannot be written: nothing written) or RunStopped (the folder
    failed part way: the manifest lists exactly the outputs completed; rerun with --resume)."""
    _prepare(inputs, options)
    items = discover(inputs)
    if not options.roots:
        options.roots = tuple(Path(p).resolve() for p in inputs)
    options.config_digest = config_hash(options)  # recomputed: the options may have changed since
    try:
        make_private_dirs(options.out)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {options.out}: {describe(exc)}") from None
    with OutputLock(options.out):
        remove_stale_temp_files(options.out)
        try:
            journal = Journal.open(options, MANIFEST, SPANS, resume=options.resume)
        except OSError as exc:
            raise OutputError(f"cannot write to output folder {options.out}: {describe(exc)}") from None
        options.previous = journal.previous
        return _run_locked(items, options, journal, progress, warn or _print_warning)


def consent_record(options: RunOptions, version: int = 1) -> dict:
    """What a --consent export was made under, for `redact withdraw`: no name, no registry bytes.
    `base` is the configuration digest without the consent options: withdraw checks it."""
    rule = options.consent_rule()
    return {"version": version, "purpose": rule.purpose, "as_of": rule.as_of.isoformat(),
            "base_config": base_config(options)}


def base_config(options: RunOptions) -> str:
    """The configuration digest without what a later version may change (consent, spans, key)."""
    import dataclasses

    return config_hash(dataclasses.replace(options, consent=None, purpose=None, as_of=None, key_file=None,
                                           write_spans=False))


def _print_warning(message: str) -> None:
    print(f"redact: warning: {message}", file=sys.stderr)


def _run_locked(items: list[Input], options: RunOptions, journal: Journal,
                progress: Callable[[int], None] | None, warn: Callable[[str], None]) -> RunResult:
    from redact.stats import StatsBuilder

    key_entries: dict = {}
    failures: list[str] = []  # why the output folder failed; the engine starts no batch after one
    kept: Counter = Counter()
    try:
        for item, outcome in _engine(options)(items, options, lambda: bool(failures)):
            if outcome.kept:
                journal.keep(item.ordinal, outcome.manifest)
                kept[outcome.manifest.get("status")] += 1
            elif outcome.fatal:
                failures.append(outcome.fatal)
                continue  # not written, not listed: redone by --resume
            else:
                status = outcome.manifest["status"]
                line = dict(outcome.manifest, words=outcome.words, segments=outcome.segments)
                try:
                    journal.record(item.ordinal, line, outcome.source_key,
                                   spans_record(outcome) if status == "ok" else None)
                except OSError as exc:
                    # A complete output with no line would be an output the manifest misses.
                    if status == "ok":
                        (options.out / outcome.manifest["output"]).unlink(missing_ok=True)
                    failures.append(describe(exc))
                    continue
                # Column names only, never values; the input path as the user typed it, on
                # their own screen (stderr), never in a file.
                for note in outcome.manifest.get("notes", ()):
                    warn(f"{item.path}: {note}")
                if outcome.replacements and status == "ok":
                    key_entries[outcome.manifest["output"]] = outcome.replacements
            if progress:
                progress(1)
    finally:
        journal.close()
    try:
        lines = journal.finish()
    except OSError as exc:
        failures.append(describe(exc))  # the appended journal stays: every line in it is true
        lines = []
    if failures:
        raise RunStopped(f"run stopped: the output folder {options.out} failed ({failures[0]}); "
                         f"{len(journal.lines)} of {len(items)} documents are in the manifest")
    # Stats over the whole manifest, so a resumed run publishes the same numbers as one pass.
    stats = StatsBuilder()
    counts: Counter = Counter()
    for line in lines:
        stats.add(Outcome(line, words=line.get("words", 0), segments=line.get("segments", 0)))
        counts[line["status"]] += 1
    try:
        atomic_write(options.out / STATS, (json.dumps(stats.build(), indent=2) + "\n").encode())
        if options.consent is not None:
            atomic_write(options.out / CONSENT, (json.dumps(consent_record(options), indent=2) + "\n").encode())
        if options.key_file is not None:
            from redact.keystore import write_key

            write_key(options.key_file, key_entries, options.secret)
    except OSError as exc:
        raise RunStopped(f"run stopped: cannot write {STATS} or the key file ({describe(exc)}); "
                         "the manifest is complete") from None
    return RunResult(len(items), counts["ok"], counts["skipped"], counts["quarantined"], options.out,
                     kept_by_status=dict(kept))
