"""Crash-safe accounting for `redact run`, and `--resume`.

The manifest is a journal: each document's line is appended, flushed and fsynced after its output
has been renamed into place, so a run killed at any moment leaves at worst an output with no line
(redone on resume, same path, same bytes) or an incomplete last line (ignored on resume). At the
end the manifest is rewritten in input order by temp-file-and-rename, so readers never see a torn
file and every input has exactly one line.

Resume is keyed on `source_key`, a digest of the input's relative path *and its bytes* (see
worker.Digests), and on `config`, a digest of everything that decides what a run writes. The
digest is canonical JSON (sorted keys, sets sorted) of the loaded configuration, so it is the same
in every process whatever PYTHONHASHSEED and dictionary order: a resumed run recognises the work
of the run it continues. Whether an input is finished is decided where the input is read (the
worker, or a Spark executor), never by reading inputs here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from redact.atomic import write_jsonl
from redact.worker import KEEP_STATUSES

# Bumped when what a run writes changes for the same inputs and options (e.g. output names).
LAYOUT_VERSION = 2
# Options that do not change what is written (or are hashed separately, like the secret).
_NOT_HASHED = frozenset({"out", "workers", "secret", "resume", "roots", "key_file", "engine", "model",
                         "policy", "spark_master", "config_digest", "previous"})


def secret_fingerprint(secret: bytes | None) -> str | None:
    """Tells whether the secret changed between runs without revealing it."""
    return hmac.new(secret, b"redact:secret-fingerprint", hashlib.sha256).hexdigest() if secret else None


def canonical(value: Any, secret: bytes | None = None) -> Any:
    """A JSON-able form that is the same in every process: mappings by sorted key, sets sorted,
    bytes (keys, secrets) only as a keyed fingerprint, files by content."""
    if isinstance(value, bytes):
        return "bytes:" + hmac.new(secret or b"redact", value, hashlib.sha256).hexdigest()
    if isinstance(value, dict):
        return {str(k): canonical(v, secret) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [canonical(v, secret) for v in value]
    if isinstance(value, (set, frozenset)):
        if all(isinstance(v, str) for v in value):  # word lists: large, and strings sort as they are
            return sorted(value)
        return sorted((canonical(v, secret) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Path):
        if value.is_file():
            digest = hmac.new(secret, b"option-file\0", hashlib.sha256) if secret else hashlib.sha256()
            digest.update(value.read_bytes())
            return digest.hexdigest()
        return str(value)
    if hasattr(value, "model_dump"):  # pydantic
        return canonical(value.model_dump(), secret)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return canonical({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, secret)
    if hasattr(value, "pattern") and hasattr(value, "flags"):  # a compiled regex
        return {"pattern": value.pattern, "flags": int(value.flags)}
    return str(value)


def digest_of(value: Any, secret: bytes | None = None) -> str:
    return hashlib.sha256(json.dumps(canonical(value, secret), sort_keys=True,
                                     ensure_ascii=True).encode()).hexdigest()


def config_hash(options) -> str:
    """Digest of everything that decides what a run writes (see worker.RunOptions): policy,
    spaCy model, detection config files, roster, reading options, secret fingerprint and the
    redact version. Holds no secret and no roster name in the clear."""
    from redact import __version__
    from redact.config import load_detection_config
    from redact.nlp import resolve_model_name
    from redact.policy import load_policy

    detection = load_detection_config(options.config)
    parts = {
        "redact": __version__,
        "layout": LAYOUT_VERSION,
        "policy": digest_of(load_policy(options.policy)),
        "model": resolve_model_name(detection, options.model),
        # The loaded config (patterns, lexicon, gazetteers), not a folder walk: --config may sit anywhere.
        "detection": digest_of(detection),
        "secret": secret_fingerprint(options.secret),
        "key_file": options.key_file is not None,
    }
    # Every other option, so settings added later (table roles, ...) count too; files by content.
    for name in sorted(f.name for f in dataclasses.fields(options)):
        if name not in _NOT_HASHED:
            parts[f"option:{name}"] = canonical(getattr(options, name), options.secret)
    return digest_of(parts)


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


def _open_append(path: Path) -> IO[str]:
    """Append handle, owner-only; a torn last line is closed off first so the next line stands alone."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to an existing file
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        os.write(fd, b"\n")
    return os.fdopen(fd, "a", encoding="utf-8")


@dataclass
class Journal:
    """The manifest (and spans) of one run: what an earlier run finished, and exactly one line
    per input at the end."""

    out: Path
    manifest_path: Path
    spans_path: Path | None
    config: str
    policy: str = ""
    previous: dict[str, dict] = field(default_factory=dict)  # source_key -> line, with --resume
    lines: dict[int, dict] = field(default_factory=dict)     # ordinal -> line of this run (kept or new)
    _manifest: IO[str] | None = None
    _spans: IO[str] | None = None

    @classmethod
    def open(cls, options, manifest_name: str, spans_name: str, resume: bool) -> Journal:
        from redact.policy import load_policy

        out = Path(options.out)
        journal = cls(out, out / manifest_name, out / spans_name if options.write_spans else None,
                      options.config_digest or config_hash(options))
        journal.policy = load_policy(options.policy).name  # so `redact verify` knows the operators
        if resume:
            # The last complete line per source_key with this configuration; the file is kept as
            # it is (and appended to), so a resume killed in turn loses nothing either.
            for line in read_jsonl(journal.manifest_path):
                key = line.get("source_key")
                if isinstance(key, str) and line.get("config") == journal.config \
                        and line.get("status") in KEEP_STATUSES:
                    journal.previous[key] = line
        else:
            write_jsonl(journal.manifest_path, [])
            if journal.spans_path is not None:
                write_jsonl(journal.spans_path, [])
        journal._manifest = _open_append(journal.manifest_path)
        if journal.spans_path is not None:
            journal._spans = _open_append(journal.spans_path)
        return journal

    def keep(self, ordinal: int, line: dict) -> None:
        """An earlier run's line, still true: already in the file, nothing to append."""
        self.lines[ordinal] = line

    def record(self, ordinal: int, line: dict, source_key: str | None, spans: dict | None = None) -> None:
        """Append one document's line durably (its output is already renamed into place). Raises
        OSError when the folder cannot take it (the caller removes the output then)."""
        line = dict(line, policy=self.policy, config=self.config, source_key=source_key)
        if spans is not None and self._spans is not None:
            self._spans.write(json.dumps(spans, ensure_ascii=False) + "\n")
            self._spans.flush()
            os.fsync(self._spans.fileno())
        assert self._manifest is not None
        self._manifest.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._manifest.flush()
        os.fsync(self._manifest.fileno())
        self.lines[ordinal] = line

    def close(self) -> None:
        for handle in (self._manifest, self._spans):
            if handle is not None:
                try:
                    handle.close()
                except OSError:
                    pass  # a full disk: what was flushed and fsynced is what counts
        self._manifest = self._spans = None

    def finish(self) -> list[dict]:
        """Close, and rewrite the manifest (and spans) in input order: exactly one line per input."""
        self.close()
        lines = [line for _, line in sorted(self.lines.items())]
        if self.spans_path is not None:
            wanted = {line["input"] for line in lines if line.get("status") == "ok"}
            latest = {r["id"]: r for r in read_jsonl(self.spans_path) if r.get("id") in wanted}
            write_jsonl(self.spans_path, [latest[line["input"]] for line in lines if line["input"] in latest])
        write_jsonl(self.manifest_path, lines)
        return lines
