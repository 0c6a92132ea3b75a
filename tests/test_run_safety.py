"""A run you can trust: one run per output folder, failures as one-line reasons with documented
exit codes, a manifest that lists exactly the complete outputs, each input read once."""

from __future__ import annotations

import ctypes
import errno
import hashlib
import io
import json
import os
import struct
import sys
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest

from redact.atomic import LOCK_NAME, TEMP_PREFIX, OutputLock
from redact.pipeline import RunOptions, run
from redact.resume import read_jsonl


def _corpus(root: Path, n: int = 5) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (root / f"note_{i}.txt").write_text(f"Met with Maria Lopez, call 555-201-{3300 + i:04d}. Room {i}.\n")
    return root


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _outputs(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {
        "manifest.jsonl", "stats.json", "spans.jsonl"}


def _one_line_error(result) -> str:
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


# --- one run per output folder ----------------------------------------------------------------
def test_second_concurrent_run_exits_2_and_writes_nothing(cli, tmp_path):
    corpus, out = _corpus(tmp_path / "in"), tmp_path / "out"
    assert cli(["run", corpus, "--out", out, "-q"]).exit_code == 0
    before = _tree(out)
    with OutputLock(out):  # another run holds the folder
        result = cli(["run", corpus, "--out", out, "-q"])
        assert result.exit_code == 2
        assert "another redact run is writing to" in _one_line_error(result)
        assert {k: v for k, v in _tree(out).items() if k != LOCK_NAME} == before
    assert not (out / LOCK_NAME).exists()  # released and removed: the export holds no lock file
    assert cli(["run", corpus, "--out", out, "-q"]).exit_code == 0


def test_start_up_clean_up_spares_temporaries_of_live_processes(tmp_path):
    corpus, out = _corpus(tmp_path / "in", 2), tmp_path / "out"
    out.mkdir()
    live = out / f"{TEMP_PREFIX}{os.getpid()}-beef-inflight.txt"  # a live process's in-flight file
    dead = out / f"{TEMP_PREFIX}999999999-dead-half.txt"           # left by a killed run
    live.write_text("in flight")
    dead.write_text("half")
    run([corpus], RunOptions(out=out, workers=1))
    assert live.exists() and not dead.exists()


# --- failures as reasons ------------------------------------------------------------------------
def test_undecodable_file_name_is_processed_and_named_safely(cli, tmp_path):
    corpus = _corpus(tmp_path / "in", 1)
    for name in (b"caf\xe9_notes.txt", b"caf\xe9_Maria_Lopez.txt"):  # latin-1 bytes, not UTF-8
        with open(os.path.join(os.fsencode(corpus), name), "wb") as handle:
            handle.write(b"Saw Maria Lopez today.\n")
    out = tmp_path / "out"
    result = cli(["run", corpus, "--out", out, "-q"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3 and all(line["status"] == "ok" for line in lines)
    names = [line["input"] for line in lines]
    assert all("maria" not in n.lower() and "lopez" not in n.lower() for n in names), names
    assert any(n.endswith("_café_notes.txt") for n in names), names  # read as cp1252, words kept
    assert _outputs(out) == {line["output"] for line in lines}


def test_unwritable_output_folder_is_one_line_exit_2(cli, tmp_path, monkeypatch):
    corpus, out = _corpus(tmp_path / "in", 1), tmp_path / "out"
    out.mkdir()
    import redact.atomic

    real_open = os.open

    def read_only(path, flags, *args):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and str(out) in os.fsdecode(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
        return real_open(path, flags, *args)
    monkeypatch.setattr(redact.atomic.os, "open", read_only)
    result = cli(["run", corpus, "--out", out, "-q"])
    assert result.exit_code == 2
    assert "cannot write to output folder" in _one_line_error(result)
    assert list(out.iterdir()) == []


class _FullAfter:
    """Wraps a write function: the first `n` calls succeed, then the disk is full."""

    def __init__(self, fn, n: int) -> None:
        self.fn, self.left = fn, n

    def __call__(self, *args, **kwargs):
        if self.left <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.left -= 1
        return self.fn(*args, **kwargs)


def _check_manifest_matches_outputs(out: Path) -> list[dict]:
    lines = read_jsonl(out / "manifest.jsonl")
    listed = {line["output"] for line in lines if line["status"] == "ok"}
    assert listed == _outputs(out)  # nothing listed that is not complete, nothing complete unlisted
    assert not list(out.rglob(TEMP_PREFIX + "*"))
    return lines


def test_disk_full_while_writing_outputs_stops_with_exit_3(cli, tmp_path, monkeypatch):
    corpus, out = _corpus(tmp_path / "in", 6), tmp_path / "out"
    import redact.worker

    monkeypatch.setattr(redact.worker, "atomic_write", _FullAfter(redact.worker.atomic_write, 2))
    result = cli(["run", corpus, "--out", out, "-q", "--workers", "1"])
    assert result.exit_code == 3, result.output
    assert "run stopped" in _one_line_error(result) and "No space left" in result.output
    lines = _check_manifest_matches_outputs(out)
    assert len(lines) == 2
    monkeypatch.undo()
    resumed = cli(["run", corpus, "--out", out, "--resume", "--workers", "1"])
    assert resumed.exit_code == 0, resumed.output
    assert "2 kept from an earlier run, 4 written" in resumed.output
    assert len(_check_manifest_matches_outputs(out)) == 6


def test_disk_full_while_writing_the_manifest_never_lists_or_misses_an_output(cli, tmp_path, monkeypatch):
    corpus, out = _corpus(tmp_path / "in", 6), tmp_path / "out"
    import redact.resume

    real_append = redact.resume._open_append

    def filling(path):
        handle = real_append(path)
        if path.name == "manifest.jsonl":
            handle.write = _FullAfter(handle.write, 3)
        return handle
    monkeypatch.setattr(redact.resume, "_open_append", filling)
    result = cli(["run", corpus, "--out", out, "-q", "--workers", "1"])
    assert result.exit_code == 3, result.output
    assert "run stopped" in _one_line_error(result)
    assert len(_check_manifest_matches_outputs(out)) == 3


# --- the secret stays out of inputs and the export -------------------------------------------------
@pytest.mark.parametrize("where", ["input", "output"])
def test_secret_file_inside_input_or_output_is_refused(cli, tmp_path, where):
    corpus, out = _corpus(tmp_path / "in", 1), tmp_path / "out"
    folder = corpus if where == "input" else out
    folder.mkdir(exist_ok=True)
    secret = folder / "secret.txt"
    secret.write_text("correct horse battery staple 42\n")
    result = cli(["run", corpus, "--out", out, "--secret-file", secret, "--policy", "hmac", "-q"])
    assert result.exit_code == 2
    assert f"inside the {where} folder" in _one_line_error(result)
    written = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert written == (["secret.txt"] if where == "output" else [])


# --- each input read once -------------------------------------------------------------------------------
_LISTENING: list[_Opens] = []  # counters the audit hook reports to (a hook cannot be removed)
_HOOKED = False


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _LISTENING and isinstance(args[0], (str, bytes, os.PathLike)):
        for counter in _LISTENING:
            counter.saw_python(args[0])


class _Opens:
    """Opens of the files in `folder`, by any means. Python's audit hook sees every open made from
    Python (open, io.open, Path.open and read_bytes, os.open, io.FileIO: zipfile, openpyxl and
    pandas included); on Linux, inotify also sees opens by native code (pyarrow opens a Parquet
    path in C++). inotify merges an event with an identical one just before it, so reads and
    closes are watched too (only two opens in a row with nothing between would count once, and
    the audit hook counts those made from Python). A file's count is the larger of the two."""

    IN_ACCESS, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE, IN_OPEN, IN_Q_OVERFLOW = 0x1, 0x8, 0x10, 0x20, 0x4000

    def __init__(self, folder: Path) -> None:
        self.folder = os.path.abspath(folder)
        self.python: Counter = Counter()
        self.kernel: Counter = Counter()
        self.fd = -1
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
            mask = self.IN_OPEN | self.IN_ACCESS | self.IN_CLOSE_WRITE | self.IN_CLOSE_NOWRITE
            assert self.fd >= 0 and libc.inotify_add_watch(self.fd, os.fsencode(self.folder), mask) >= 0

    def saw_python(self, path) -> None:
        path = os.path.abspath(os.fsdecode(path))
        if os.path.dirname(path) == self.folder:
            self.python[os.path.basename(path)] += 1

    def __enter__(self) -> _Opens:
        global _HOOKED
        if not _HOOKED:
            sys.addaudithook(_audit)
            _HOOKED = True
        _LISTENING.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _LISTENING.remove(self)
        if self.fd < 0:
            return
        try:
            while True:
                try:
                    data = os.read(self.fd, 1 << 20)
                except BlockingIOError:
                    break
                offset = 0
                while offset < len(data):
                    _, mask, _, size = struct.unpack_from("iIII", data, offset)
                    name = data[offset + 16:offset + 16 + size].rstrip(b"\0")
                    offset += 16 + size
                    assert not mask & self.IN_Q_OVERFLOW, "inotify lost events"
                    if mask & self.IN_OPEN and name:
                        self.kernel[os.fsdecode(name)] += 1
        finally:
            os.close(self.fd)

    def counts(self) -> dict[str, int]:
        return {name: max(self.python[name], self.kernel[name]) for name in self.python | self.kernel}


def _table(folder: Path, suffix: str, note: str = "Met Maria Lopez on Tuesday.") -> Path:
    """A small table of the format `suffix`: an id column and a note column."""
    import pandas as pd

    frame = pd.DataFrame({"id": ["1", "2"], "note": [note, "Call 555-201-3300 tomorrow."]})
    path = folder / f"table{suffix}"
    if suffix in (".csv", ".tsv"):
        frame.to_csv(path, sep="," if suffix == ".csv" else "\t", index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_parquet(path)
    return path


TABLE_SUFFIXES = [".csv", ".tsv", ".jsonl", ".xlsx", ".parquet"]


@pytest.mark.parametrize("suffix", TABLE_SUFFIXES)
def test_each_input_is_opened_and_hashed_once(tmp_path, suffix):
    corpus, out = _corpus(tmp_path / "in", 2), tmp_path / "out"
    table = _table(corpus, suffix)
    with _Opens(corpus) as opens:
        result = run([corpus], RunOptions(out=out, workers=1))
    assert result.ok == 3
    assert opens.counts() == {"note_0.txt": 1, "note_1.txt": 1, table.name: 1}
    # The digests of the one streamed read are those of the whole file.
    from redact.worker import input_digests

    line = next(line for line in read_jsonl(out / "manifest.jsonl") if line["input"].endswith(suffix))
    assert (line["sha256"], line["source_key"]) == input_digests(table, PurePosixPath(table.name), None)
    assert line["sha256"] == hashlib.sha256(table.read_bytes()).hexdigest()


def test_resume_keeps_a_finished_table_and_rewrites_a_changed_one(tmp_path):
    import pandas as pd

    corpus, out = tmp_path / "in", tmp_path / "out"
    corpus.mkdir()
    same = _table(corpus, ".csv")
    changed = _table(corpus, ".parquet")
    run([corpus], RunOptions(out=out, workers=1))
    outputs = {Path(line["input"]).suffix: out / line["output"] for line in read_jsonl(out / "manifest.jsonl")}
    before = {suffix: (path.stat().st_ino, path.stat().st_mtime_ns) for suffix, path in outputs.items()}
    _table(corpus, ".parquet", note="Met Darnell Washington on Friday.")
    with _Opens(corpus) as opens:
        result = run([corpus], RunOptions(out=out, workers=1, resume=True))
    assert (result.kept, result.new("ok")) == (1, 1)
    kept = outputs[".csv"].stat()
    assert (kept.st_ino, kept.st_mtime_ns) == before[".csv"]  # not rewritten
    assert (outputs[".parquet"].stat().st_ino, outputs[".parquet"].stat().st_mtime_ns) != before[".parquet"]
    assert "Darnell" not in str(pd.read_parquet(outputs[".parquet"]).to_dict())
    line = next(line for line in read_jsonl(out / "manifest.jsonl") if line["input"].endswith(".parquet"))
    assert line["sha256"] == hashlib.sha256(changed.read_bytes()).hexdigest()
    # Hashed to find the earlier line: kept, read once; changed, read again to be parsed.
    assert opens.counts() == {same.name: 1, changed.name: 2}


def test_table_failing_part_way_is_quarantined_and_still_hashed_whole(tmp_path):
    from redact.io.tabular import CHUNK_ROWS

    corpus, out = tmp_path / "in", tmp_path / "out"
    corpus.mkdir()
    rows = [f"{i},Visit went well" for i in range(CHUNK_ROWS + 200_000)]
    rows[CHUNK_ROWS + 5] += ",an extra field"  # malformed in the second chunk, megabytes before the end
    table = corpus / "visits.csv"
    table.write_text("id,note\n" + "\n".join(rows) + "\n")
    result = run([corpus], RunOptions(out=out, workers=1))
    assert result.quarantined == 1
    [line] = _check_manifest_matches_outputs(out)
    assert line["status"] == "quarantined" and line["reason"].startswith("malformed CSV: a row has 3 fields")
    assert line["sha256"] == hashlib.sha256(table.read_bytes()).hexdigest()  # the rest read through
    assert line["source_key"]


# --- one pass over a text table: its encoding told as it is read ------------------------------------------
def _decoded(data: bytes, fallback: str | None = None) -> tuple[str, str]:
    from redact.io.tabular import TextSource

    source = TextSource(io.BytesIO(data), fallback)
    with source.text(newline="") as handle:
        return handle.read(), source.encoding


def _blocks():
    from redact.io.source import READ_CHUNK
    from redact.io.tabular import HEAD_BYTES

    return HEAD_BYTES, READ_CHUNK


@pytest.mark.parametrize("case", ["utf-8 split at the first block", "utf-8 split at a later block",
                                  "fallback in the first block", "fallback after ascii", "bom utf-8", "bom utf-16"])
def test_one_pass_decoding_reads_as_decoding_the_whole_file(case):
    from redact.io.text import decode

    head, chunk = _blocks()
    data = {
        "utf-8 split at the first block": b"a" * (head - 1) + "é,José\n".encode(),
        "utf-8 split at a later block": b"a" * (head + chunk - 1) + "é,José\n".encode(),
        "fallback in the first block": "José,".encode() + "café\n".encode("cp1252"),
        "fallback after ascii": b"id,note\n" + b"1,ok\n" * head + "2,café\n".encode("cp1252"),
        "bom utf-8": "id,note\n1,José\n".encode("utf-8-sig"),
        "bom utf-16": "id,note\n1,José\n".encode("utf-16"),
    }[case]
    assert _decoded(data, "cp1252") == decode(data, "cp1252")


@pytest.mark.parametrize("fallback, reason", [(None, "not valid UTF-8"), ("cp1252", "mixed encodings")])
def test_bytes_that_are_not_utf8_past_the_first_block_after_utf8_text_are_refused(fallback, reason):
    from redact.errors import InputError

    head, _ = _blocks()
    data = "1,José\n".encode() + b"2,ok\n" * head + "3,café\n".encode("cp1252")
    with pytest.raises(InputError, match=reason):
        _decoded(data, fallback)


def test_nul_past_the_first_block_is_a_binary_file():
    from redact.errors import InputError

    head, _ = _blocks()
    with pytest.raises(InputError, match="binary file"):
        _decoded(b"1,ok\n" * head + b"2,\x00\n")


def test_csv_that_switches_to_the_fallback_part_way_records_it(tmp_path):
    head, _ = _blocks()
    corpus, out = tmp_path / "in", tmp_path / "out"
    corpus.mkdir()
    (corpus / "visits.csv").write_bytes(b"id,note\n" + b"1,ok\n" * head + "2,café au lait\n".encode("cp1252"))
    from redact.tables import ColumnRoles, TableConfig

    kept = TableConfig(columns=ColumnRoles(keep=("note",)))  # written as read: the decoding shows
    assert run([corpus], RunOptions(out=out, workers=1, encoding="cp1252", tables=kept)).ok == 1
    [line] = read_jsonl(out / "manifest.jsonl")
    assert line["encoding"] == "cp1252"
    assert (out / line["output"]).read_text(encoding="utf-8").endswith("2,café au lait\n")


# --- folders and names -------------------------------------------------------------------------------
def test_output_names_keep_ordinary_words_and_distinct_folders(tmp_path):
    root = tmp_path / "in"
    for folder in ("tabular", "Maria Lopez", "Darnell Washington", "ｎｏｔｅｓ"):
        (root / folder).mkdir(parents=True)
        (root / folder / "sessions.txt").write_text("Group met on Monday.\n")
    out = tmp_path / "out"
    run([root], RunOptions(out=out, workers=1))
    lines = read_jsonl(out / "manifest.jsonl")
    folders = [line["output"].split("/")[0] for line in lines]
    assert len(set(folders)) == 4, folders  # distinct input folders stay distinct
    assert "tabular" in folders and "notes" in folders  # ordinary words kept; full-width read as Latin
    assert all(line["output"].endswith("_sessions.txt") for line in lines)
    assert not any(name in line["output"].lower() for line in lines for name in ("maria", "lopez", "darnell"))
    for path in [out, *out.rglob("*")]:  # nested folders owner-only too
        assert (path.stat().st_mode & 0o777) == (0o700 if path.is_dir() else 0o600), path


def test_warnings_name_the_input_as_given_on_stderr_only(cli, tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "jsmith_roster.csv").write_text("name,visits\nJohn Smith,3\n")
    out = tmp_path / "out"
    loud = cli(["run", corpus, "--out", out])
    assert str(corpus / "jsmith_roster.csv") in loud.output  # the user can find the file
    assert "jsmith" not in (out / "manifest.jsonl").read_text()
    quiet = cli(["run", corpus, "--out", tmp_path / "out2", "-q"])
    assert quiet.output == ""
