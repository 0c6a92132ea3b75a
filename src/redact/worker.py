"""One batch of `redact run`: read each input once (hashing it on the way), detect, replace, write
the output atomically, and say what happened. Used alike by the local engine (in this process or
forked workers) and by Spark executors; it imports neither engine.

A document that was finished by an earlier run with the same bytes and configuration (its
`source_key` and `config` in `RunOptions.previous`, its output still there) is not redone: the
worker reads and hashes it, sees the match and reports it as kept.

Streamed tables (CSV, TSV, JSONL, XLSX, Parquet) are hashed by the reader that parses them
(io.source.HashingReader), so their digests are known once they have been read to the end, after
their output is written. With --resume they are hashed first, to find the earlier run's line; one
that is not kept is then read a second time to parse it (the only input ever read twice).
"""

from __future__ import annotations

import hashlib
import hmac
import stat
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from redact.atomic import atomic_output, atomic_write, describe, is_fatal
from redact.errors import InputError
from redact.io import format_for
from redact.io.paths import deidentify_paths
from redact.io.source import HashingReader, open_input
from redact.spans import Span
from redact.tables import TableConfig

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
KEEP_STATUSES = frozenset({"ok", "skipped", "quarantined"})
SKIP_REASONS = ("unsupported file type", "empty file", "symbolic link", "not a regular file")


@dataclass(frozen=True)
class Input:
    ordinal: int
    path: Path
    rel: PurePosixPath
    size: int = 0  # bytes, from discovery's stat (no read): balances work across workers
    folder_ids: tuple[int, ...] = ()  # a number per folder of `rel`, outermost first (see discover)


@dataclass
class Outcome:
    """What happened to one input document: its manifest line, plus what the stats need."""

    manifest: dict
    spans: list | None = None
    words: int = 0
    segments: int = 0
    # For --key-file only: replacement -> (label, originals). Never written to manifest or stats.
    replacements: dict | None = None
    source_key: str | None = None
    kept: bool = False        # finished by an earlier run: its line is `manifest`, nothing redone
    fatal: str | None = None  # the output folder failed (disk full, read-only): the run stops


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
    keep_formulas: bool = False  # formula-like table cells written as they are (else neutralised)
    engine: str = "local"  # "local" (this machine, --workers processes) or "spark" (redact.spark)
    spark_master: str | None = None  # --engine spark: cluster URL (else spark-submit's, else local[workers])
    # --consent FILE --purpose P --as-of YYYY-MM-DD: the export honours the registry (see consent.py);
    # the registry's names join the roster. as_of is a string so the configuration digest sees it.
    consent: Path | None = None
    purpose: str | None = None
    as_of: str | None = None
    # Set by the run, not by the user: the configuration digest and, with --resume, the earlier
    # run's lines by source_key (see resume.Journal).
    config_digest: str = ""
    previous: dict = field(default_factory=dict)

    def model_key(self) -> tuple:
        """What the loaded Redactor depends on: a worker reloads only when this changes."""
        return (self.policy, self.model, self.config, self.roster, self.secret, self.consent)

    def consent_rule(self):
        """The loaded consent rule of this run, or None without --consent (cached per process)."""
        if self.consent is None:
            return None
        return _consent_rule(self.consent, self.purpose, self.as_of)


# --- digests ---------------------------------------------------------------------------------
def _mac(secret: bytes | None, domain: bytes):
    """A keyed HMAC when there is a secret, else plain sha256; both domain-separated."""
    if secret:
        return hmac.new(secret, domain + b"\0", hashlib.sha256)
    return hashlib.sha256(b"redact:" + domain + b"\0")


class Digests:
    """sha256 of an input's bytes and its source_key (a digest of its relative path and bytes, so
    two files with the same bytes are two documents and the path cannot be recovered from it),
    fed in one pass over the bytes."""

    def __init__(self, rel: PurePosixPath, secret: bytes | None) -> None:
        self.plain = hashlib.sha256()
        self.keyed = _mac(secret, b"source")
        self.keyed.update(rel.as_posix().encode("utf-8", "surrogateescape") + b"\0")

    def update(self, data: bytes) -> None:
        self.plain.update(data)
        self.keyed.update(data)

    def result(self) -> tuple[str, str]:
        return self.plain.hexdigest(), self.keyed.hexdigest()


def input_digests(path: Path, rel: PurePosixPath, secret: bytes | None) -> tuple[str, str] | None:
    """(sha256, source_key) of a regular file, streamed in constant memory; None when it cannot be
    read as a regular file (such inputs have no key and are simply retried on resume)."""
    digests = Digests(rel, secret)
    try:
        with HashingReader(open_input(path), digests) as reader:
            reader.drain()
    except (OSError, InputError):
        return None
    return digests.result()


# --- the model, once per process -------------------------------------------------------------
_REDACTOR = None
_LOADED_FOR: tuple | None = None
_RULES: dict = {}


def _consent_rule(path: Path, purpose: str | None, as_of: str | None):
    from redact.consent import ConsentRule, load_registry, parse_as_of

    key = (str(path), purpose, as_of)
    if key not in _RULES:
        if purpose is None:
            from redact.errors import ConfigError

            raise ConfigError("--consent needs --purpose", hint="--purpose research or --purpose reporting")
        _RULES[key] = ConsentRule(load_registry(path), purpose, parse_as_of(as_of))
    return _RULES[key]


def _roster(options: RunOptions):
    """--roster, plus the consent registry's names and nicknames (always redacted, consent or not)."""
    rule = options.consent_rule()
    if rule is None:
        return options.roster
    from redact.recognizers.roster import Roster

    names, nicknames = rule.registry.roster_entries()
    names = Roster.from_names(names).with_phrases(nicknames)
    return names.merged(Roster.load(options.roster)) if options.roster is not None else names


def load(options: RunOptions):
    """The Redactor for these options, built once per process (a forked worker inherits it)."""
    global _REDACTOR, _LOADED_FOR
    if _REDACTOR is None or _LOADED_FOR != options.model_key():
        from redact.api import Redactor

        _REDACTOR = Redactor(options.policy, model=options.model, config=options.config,
                             roster=_roster(options), secret=options.secret)
        _LOADED_FOR = options.model_key()
    return _REDACTOR


_SHARED: RunOptions | None = None


def share(options: RunOptions) -> None:
    """Make `options` (with the resume map) this process's, and load its model: called in the
    parent before forking (workers inherit both) or as each spawned worker's initializer."""
    global _SHARED
    _SHARED = options
    load(options)


def process_shared(items: Sequence[Input]) -> list[Outcome]:
    """process_batch with the options given to `share`: nothing but the batch is pickled."""
    assert _SHARED is not None, "share(options) first"
    return process_batch(items, _SHARED)


def _name_test(redactor) -> Callable[[str], bool]:
    """Whether a word can be a person's name, by the detector's own name lists."""
    names = redactor.detector.names
    return lambda word: names.is_known_name(word) or word in names.lex.word_names


# --- reading ---------------------------------------------------------------------------------
@contextmanager
def _reading() -> Iterator[None]:
    """OS errors while reading an input as its one-line reason."""
    try:
        yield
    except PermissionError:
        raise InputError("permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {describe(exc)}") from None


def _check_file(item: Input, options: RunOptions) -> None:
    """Refuse what must not be read: links (unless --follow-symlinks and the target stays inside
    an input folder) and anything but a regular file (a FIFO would block the run forever)."""
    path = item.path
    if path.is_symlink():
        if not options.follow_symlinks:
            raise InputError("symbolic link (not followed)")
        target = path.resolve()
        if not any(target == root or root in target.parents for root in options.roots or ()):
            raise InputError("symbolic link leads outside the input folders (not followed)")
    with _reading():
        mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise InputError("not a regular file (folder, pipe, socket or device)")


class _Read:
    """One input's digests and, unless it was kept or refused, its parsed form; for a streamed
    table, the open file it is parsed from, hashing as it goes."""

    def __init__(self) -> None:
        self.digests: tuple[str, str] | None = None
        self.parsed = None
        self.source: HashingReader | None = None

    def finish(self) -> None:
        """Close the streamed input; its digests once the rest is read through (a table that
        failed part way is still hashed whole), None when it cannot be read to the end."""
        if self.source is None:
            return
        try:
            self.source.drain()
            self.digests = self.source.digests.result()
        except InputError:
            self.digests = None
        finally:
            self.close()

    def close(self) -> None:
        if self.source is not None:
            self.source.close()
            self.source = None

    def digests_into(self, outcome: Outcome, base: dict) -> None:
        if self.digests is not None:
            base["sha256"], outcome.source_key = self.digests


def _read(item: Input, options: RunOptions, state: _Read) -> bool:
    """Read and hash the input once; True when an earlier run's line can be kept instead.
    Raises InputError with a one-line reason."""
    _check_file(item, options)
    fmt = format_for(item.path)
    streamed = fmt is not None and hasattr(fmt, "open")
    with _reading():
        size = item.path.stat().st_size
        # A streamed table is hashed by its reader as it is parsed (below, and _Read.finish); with
        # --resume first on its own, as the earlier run's lines are found by digest.
        if fmt is None or size > options.max_bytes or size == 0 or streamed and options.previous:
            state.digests = input_digests(item.path, item.rel, options.secret)
        elif not streamed:
            data = item.path.read_bytes()
            digests = Digests(item.rel, options.secret)
            digests.update(data)
            state.digests = digests.result()
    if _kept(state.digests, options):
        return True
    if fmt is None:
        raise InputError(f"unsupported file type {item.path.suffix or '(none)'!r}")
    if size > options.max_bytes:
        raise InputError(f"file too large ({size} bytes > --max-bytes {options.max_bytes})")
    if size == 0:
        raise InputError("empty file")
    if streamed:  # the read that parses it (with --resume and not kept, its second: see the module docstring)
        with _reading():
            state.source = HashingReader(open_input(item.path), Digests(item.rel, options.secret))
        state.parsed = fmt.open(item.path, item.rel, options, state.source)  # reads as it writes
        return False
    if not data.strip():
        raise InputError("empty file")
    state.parsed = fmt.parse(data, item.path, options.encoding)
    return False


def _kept(digests: tuple[str, str] | None, options: RunOptions) -> bool:
    if digests is None or not options.previous:
        return False
    line = options.previous.get(digests[1])
    return line is not None and line.get("sha256") == digests[0] and _still_valid(line, options)


def _still_valid(line: dict, options: RunOptions) -> bool:
    if line.get("config") != options.config_digest or line.get("status") not in KEEP_STATUSES:
        return False
    if line["status"] != "ok":
        return True
    output = line.get("output")
    return isinstance(output, str) and (Path(options.out) / output).is_file()  # deleted: redo it


# --- one batch -------------------------------------------------------------------------------
def process_batch(items: Sequence[Input], options: RunOptions) -> list[Outcome]:
    """Outcomes of a batch, in its order. Documents are detected together (one nlp.pipe stream);
    when that fails, one at a time, so only the document that fails is quarantined."""
    redactor = load(options)
    out_rels = deidentify_paths([i.rel for i in items], [i.ordinal for i in items], [i.folder_ids for i in items],
                                lambda texts: list(redactor.detect(texts)), _name_test(redactor))
    outcomes: list[Outcome] = []
    parsed_docs = []
    states: list[_Read] = []
    try:
        for item, out_rel in zip(items, out_rels):
            base = {"input": out_rel.as_posix(), "sha256": None, "output": None, "status": "quarantined",
                    "reason": None, "entities": {}, "chars": 0}
            outcome = Outcome(base)
            outcomes.append(outcome)
            state = _Read()
            states.append(state)
            try:
                kept = _read(item, options, state)
            except InputError as exc:
                base["status"] = "skipped" if str(exc).startswith(SKIP_REASONS) else "quarantined"
                base["reason"] = str(exc)
            except Exception as exc:  # a parser bug or a malformed file: fail closed
                base["reason"] = f"could not parse: {type(exc).__name__}"
            else:
                if kept:
                    outcome.kept = True
                    outcome.manifest = options.previous[state.digests[1]]
                else:
                    base["encoding"] = state.parsed.encoding
                    view = _consent_view(item, state.parsed, options, redactor, base)
                    if view is not False:
                        parsed_docs.append((outcome, state, out_rel, view))
                        continue  # digests once written: a streamed table is hashed as it is read
            state.finish()
            state.digests_into(outcome, base)
        try:
            detected = _detect_batch([_segments_of(state.parsed, view) for _, state, _, view in parsed_docs],
                                     redactor)
        except Exception:
            detected = [None] * len(parsed_docs)
        for (outcome, state, out_rel, view), spans in zip(parsed_docs, detected):
            _redact_parsed(outcome, state.parsed, out_rel, redactor, options, spans, view)
            state.finish()
            state.digests_into(outcome, outcome.manifest)
            outcome.manifest["encoding"] = state.parsed.encoding  # a table may switch to --encoding part way
    finally:
        for state in states:
            state.close()
    return outcomes


def _redact_parsed(outcome: Outcome, parsed, out_rel: PurePosixPath, redactor, options: RunOptions,
                   spans: list | None, view) -> None:
    """Write one parsed document; any failure quarantines it (and nothing of it is written)."""
    try:
        _redact_one(outcome, parsed, out_rel, redactor, options, spans, view.segments if view is not None else None)
        if view is not None:
            outcome.manifest["withheld"] = view.withheld.to_manifest()
            outcome.manifest.setdefault("notes", []).extend(view.notes)
            if not outcome.manifest["notes"]:
                del outcome.manifest["notes"]
    except InputError as exc:  # malformed past the first chunk (a streamed table): quarantined
        outcome.manifest.update(status="quarantined", output=None, entities={}, reason=str(exc))
    except OSError as exc:
        outcome.manifest.update(status="quarantined", output=None, entities={},
                                reason=f"could not write output: {describe(exc)}")
        if is_fatal(exc):
            outcome.fatal = describe(exc)
    except Exception as exc:  # never write a document we could not fully process
        outcome.manifest.update(status="quarantined", output=None, entities={},
                                reason=f"processing failed: {type(exc).__name__}")


def _consent_view(item: Input, parsed, options: RunOptions, redactor, base: dict):
    """The consent step (redact.withhold) for one parsed document: None without --consent, False
    when the document cannot be handled under consent (quarantined: fail closed)."""
    rule = options.consent_rule()
    if rule is None:
        return None
    from redact import withhold

    fmt = format_for(item.path)
    try:
        return withhold.apply(parsed, fmt.name if fmt else "", rule, withhold.sentence_parser(redactor.detector.nlp))
    except InputError as exc:
        base["reason"] = str(exc)
    except Exception as exc:  # never write a document whose consent could not be applied
        base["reason"] = f"consent could not be applied: {type(exc).__name__}"
    return False


def _segments_of(parsed, view) -> list[str]:
    if view is not None and view.segments is not None:
        return view.segments
    return list(getattr(parsed, "segments", ()))


def _detect_batch(docs: list[list[str]], redactor) -> list[list[list]]:
    """Spans per segment per document, all documents' segments through one detect stream."""
    flat = iter(redactor.detect(segment for segments in docs for segment in segments))
    return [[next(flat) for _ in segments] for segments in docs]


def _redact_one(outcome: Outcome, parsed, out_rel: PurePosixPath, redactor, options: RunOptions,
                all_spans: list | None = None, segments: list[str] | None = None) -> None:
    """`segments`: what detection and replacement see instead of parsed.segments (the consent
    step's withheld view); parsed.segments stay the original, so render() sees every change."""
    if hasattr(parsed, "write"):
        return _write_driven(outcome, parsed, out_rel, redactor, options)
    segments = list(parsed.segments) if segments is None else segments
    if all_spans is None:
        all_spans = list(redactor.detect(segments))
    if options.consent is not None:
        all_spans = [_outside_markers(text, spans) for text, spans in zip(segments, all_spans)]
    replace = redactor.replacer(record=options.key_file is not None)
    redacted = [replace(text, spans) for text, spans in zip(segments, all_spans)]
    atomic_write(Path(options.out) / out_rel, parsed.render(redacted))
    counts = Counter(s.label for spans in all_spans for s in spans)
    outcome.manifest.update(status="ok", output=out_rel.as_posix(), entities=dict(sorted(counts.items())),
                            chars=sum(len(t) for t in segments))
    outcome.words = sum(len(t.split()) for t in segments)
    outcome.segments = len(segments)
    if options.write_spans:
        outcome.spans = [[s.to_json() for s in spans] for spans in all_spans]
    if options.key_file is not None:
        outcome.replacements = replace.replacements


def _outside_markers(text: str, spans: Sequence[Span]) -> list[Span]:
    """Spans that do not touch a consent marker: "[utterance withheld]" is written as it is (a
    model may take a word of it for a name), and it holds nothing from the source."""
    from redact.withhold import MARKERS

    marks = [(m.start(), m.end()) for m in MARKERS.finditer(text)]
    if not marks:
        return list(spans)
    return [s for s in spans if not any(s.start < end and s.end > start for start, end in marks)]


class DocumentSession:
    """io.Session for one driven document: one replacer for all its chunks, so tag numbers and
    pseudonyms stay consistent across the cells of a table or the cues of a transcript."""

    def __init__(self, redactor, options: RunOptions) -> None:
        self.redactor = redactor
        self.secret = redactor.secret
        self.replacer = redactor.replacer(record=options.key_file is not None)
        self.counts: Counter = Counter()
        self.chars = self.words = self.segments = 0
        self.spans: list | None = [] if options.write_spans else None
        self.markers = options.consent is not None   # consent markers are kept as written

    def detect(self, texts: Sequence[str]) -> list[list[Span]]:
        return list(self.redactor.detect(texts))

    def link(self, text: str, spans: Sequence[Span]) -> None:
        self.replacer.link(text, spans)

    def replace(self, text: str, spans: Sequence[Span]) -> str:
        if self.markers:
            spans = _outside_markers(text, spans)
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


def _write_driven(outcome: Outcome, parsed, out_rel: PurePosixPath, redactor, options: RunOptions) -> None:
    session = DocumentSession(redactor, options)
    with atomic_output(Path(options.out) / out_rel) as handle:
        parsed.write(handle, session)
    outcome.manifest.update(status="ok", output=out_rel.as_posix(), chars=session.chars,
                            entities=dict(sorted(session.counts.items())))
    if parsed.notes:
        outcome.manifest["notes"] = list(parsed.notes)
    outcome.words, outcome.segments, outcome.spans = session.words, session.segments, session.spans
    if options.key_file is not None:
        outcome.replacements = session.replacer.replacements
