"""Crash-safe accounting for `redact run`, and `--resume`.

The manifest is a journal: each document's line is appended, flushed and fsynced after its output
has been renamed into place, so a run killed at any moment leaves at worst an output with no line
(redone on resume, same path, same bytes) or an incomplete last line (ignored on resume). Appending
costs one fsync per document; rewriting the whole manifest after every document would cost
O(n^2) bytes. At the end (and when a resume starts) the manifest is rewritten in input order by
temp-file-and-rename, so readers never see a torn file and every input has exactly one line.

Resume is keyed on `source_key`, a digest of the input's relative path *and its bytes*: two
files with identical bytes are still two documents, and the relative path (which may hold a
name, "jsmith_intake.txt") cannot be recovered from the key. With a secret it is an HMAC; without
one it is sha256 over a domain prefix, the path and the whole content: guessing the path needs
the document itself, which the published input sha256 does not give (the key is not computed
from that sha256, so knowing it does not help a dictionary attack on the path).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

READ_CHUNK = 1 << 20
TEMP_PREFIX = ".tmp-"
KEEP_STATUSES = frozenset({"ok", "skipped", "quarantined"})
# Options that do not change what is written (or are hashed separately, like the secret).
_NOT_HASHED = frozenset({"out", "workers", "secret", "resume", "roots", "key_file", "engine", "model",
                         "policy"})


# --- digests ---------------------------------------------------------------------------------
def _mac(secret: bytes | None, domain: bytes):
    """A keyed HMAC when there is a secret, else plain sha256; both domain-separated."""
    if secret:
        return hmac.new(secret, domain + b"\0", hashlib.sha256)
    return hashlib.sha256(b"redact:" + domain + b"\0")


def input_digests(path: Path, rel: PurePosixPath, secret: bytes | None) -> tuple[str, str] | None:
    """(sha256 of the bytes, source_key) of a regular file, streamed in constant memory.

    None when the file cannot be read as a regular file (unreadable, FIFO, dangling link): such
    inputs have no key and are simply retried on resume, which costs nothing.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        plain = hashlib.sha256()
        keyed = _mac(secret, b"source")
        keyed.update(rel.as_posix().encode("utf-8", "surrogateescape") + b"\0")
        try:
            while chunk := handle.read(READ_CHUNK):
                plain.update(chunk)
                keyed.update(chunk)
        except OSError:
            return None
    return plain.hexdigest(), keyed.hexdigest()


def secret_fingerprint(secret: bytes | None) -> str | None:
    """Tells whether the secret changed between runs without revealing it."""
    return hmac.new(secret, b"redact:secret-fingerprint", hashlib.sha256).hexdigest() if secret else None


def _file_digest(path: Path | None, secret: bytes | None, domain: bytes) -> str | None:
    if path is None:
        return None
    digest = _mac(secret, domain)
    digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def _canonical(value: Any, secret: bytes | None) -> Any:
    """JSON-able form of extra options; bytes (keys, secrets) only as a keyed fingerprint."""
    if isinstance(value, bytes):
        return "bytes:" + hmac.new(secret or b"redact", value, hashlib.sha256).hexdigest()
    if isinstance(value, dict):
        return {str(k): _canonical(v, secret) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v, secret) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(str(_canonical(v, secret)) for v in value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Path):
        return _file_digest(value, secret, b"option-file") if value.is_file() else str(value)
    if hasattr(value, "model_dump"):  # pydantic
        return _canonical(value.model_dump(), secret)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _canonical({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, secret)
    return str(value)


def config_hash(options) -> str:
    """Digest of everything that decides what a run writes (see pipeline.RunOptions): policy,
    spaCy model, detection config files, roster, reading options, secret fingerprint and the
    redact version. Holds no secret and no roster name in the clear."""
    from redact import __version__
    from redact.config import load_detection_config
    from redact.nlp import resolve_model_name
    from redact.policy import load_policy

    policy = load_policy(options.policy)
    detection = load_detection_config(options.config)
    parts = {
        "redact": __version__,
        "policy": policy.model_dump_json(),
        "model": resolve_model_name(detection, options.model),
        # The loaded config (patterns, lexicon, gazetteers), not a folder walk: --config may sit anywhere.
        "detection": hashlib.sha256(json.dumps(_canonical(detection, None), sort_keys=True).encode()).hexdigest(),
        "secret": secret_fingerprint(options.secret),
    }
    # Every other option, so settings added later (table roles, ...) count too; files by content.
    for name in sorted(f.name for f in dataclasses.fields(options)):
        if name not in _NOT_HASHED:
            parts[f"option:{name}"] = _canonical(getattr(options, name), options.secret)
    parts["option:key_file"] = options.__dict__.get("key_file") is not None
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


# --- the journal -------------------------------------------------------------------------------
def read_jsonl(path: Path) -> list[dict]:
    """Complete, valid JSON-object lines; a torn last line (killed mid-write) is ignored."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    records = []
    for line in raw.split(b"\n")[:-1]:  # the part after the last newline is incomplete
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def remove_temp_files(out: Path) -> int:
    """Half-written outputs of a killed run (atomic_write's temp files): never published."""
    removed = 0
    for path in out.rglob(TEMP_PREFIX + "*"):
        if path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _open_private(path: Path, mode: str) -> IO[str]:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to an existing file
    return os.fdopen(fd, mode, encoding="utf-8")


def _write_atomic_lines(path: Path, records: Iterable[dict]) -> None:
    from redact.pipeline import atomic_write, jsonl

    atomic_write(path, "".join(jsonl(r) for r in records).encode("utf-8"))


@dataclass
class Journal:
    """The manifest (and spans) of one run: what to redo, and exactly one line per input."""

    out: Path
    manifest_path: Path
    spans_path: Path | None
    config: str
    keys: dict[int, tuple[str, str] | None]
    policy: str = ""
    kept: dict[int, dict] = field(default_factory=dict)
    new: dict[int, dict] = field(default_factory=dict)
    _manifest: IO[str] | None = None
    _spans: IO[str] | None = None

    @classmethod
    def open(cls, items: list, options, manifest_name: str, spans_name: str, resume: bool) -> Journal:
        out = options.out
        journal = cls(out, out / manifest_name, out / spans_name if options.write_spans else None,
                      config_hash(options),
                      {item.ordinal: input_digests(item.path, item.rel, options.secret) for item in items})
        from redact.policy import load_policy

        journal.policy = load_policy(options.policy).name  # so `redact verify` knows the operators
        remove_temp_files(out)
        if resume:
            journal._match(items)
        kept_ids = {line["input"] for line in journal.kept.values()}
        _write_atomic_lines(journal.manifest_path, journal.kept.values())
        journal._manifest = _open_private(journal.manifest_path, "a")
        if journal.spans_path is not None:
            # Spans of kept documents survive; spans of anything redone are written again.
            spans = [r for r in read_jsonl(journal.spans_path) if r.get("id") in kept_ids] if resume else []
            seen: set[str] = set()
            _write_atomic_lines(journal.spans_path,
                                [r for r in spans if not (r["id"] in seen or seen.add(r["id"]))])
            journal._spans = _open_private(journal.spans_path, "a")
        return journal

    def _match(self, items: list) -> None:
        previous: dict[str, dict] = {}
        for line in read_jsonl(self.manifest_path):
            key = line.get("source_key")
            if isinstance(key, str) and key not in previous:
                previous[key] = line
        for item in items:
            digests = self.keys[item.ordinal]
            if digests is None:
                continue
            sha, key = digests
            line = previous.get(key)
            if (line is None or line.get("sha256") != sha or line.get("config") != self.config
                    or line.get("status") not in KEEP_STATUSES):
                continue
            if line["status"] == "ok" and not (isinstance(line.get("output"), str)
                                               and (self.out / line["output"]).is_file()):
                continue  # its output was deleted: redo it
            self.kept[item.ordinal] = line

    def pending(self, items: list) -> list:
        return [item for item in items if item.ordinal not in self.kept]

    def record(self, ordinal: int, line: dict, spans: dict | None = None) -> None:
        """Append one document's line durably (its output is already renamed into place)."""
        digests = self.keys.get(ordinal)
        line = dict(line, policy=self.policy, config=self.config, source_key=digests[1] if digests else None)
        if spans is not None and self._spans is not None:
            self._spans.write(json.dumps(spans, ensure_ascii=False) + "\n")
            self._spans.flush()
            os.fsync(self._spans.fileno())
        assert self._manifest is not None
        self._manifest.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._manifest.flush()
        os.fsync(self._manifest.fileno())
        self.new[ordinal] = line

    def close(self) -> None:
        for handle in (self._manifest, self._spans):
            if handle is not None:
                handle.close()
        self._manifest = self._spans = None

    def finish(self) -> list[dict]:
        """Close, and rewrite the manifest in input order: exactly one line per input."""
        self.close()
        lines = [line for _, line in sorted({**self.kept, **self.new}.items())]
        _write_atomic_lines(self.manifest_path, lines)
        return lines
