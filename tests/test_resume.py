"""Crash safety: a run killed with SIGKILL and rerun with --resume ends as if it ran once."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from redact.pipeline import RunOptions, run
from redact.resume import read_jsonl
from redact.worker import input_digests


def _corpus(root: Path, n: int) -> Path:
    for i in range(n):
        folder = root / ("notes" if i % 2 else "calls")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note_{i:02d}.txt").write_text(
            f"Met with Maria Lopez on 3/{i % 28 + 1}/2026. Call 555-201-{3300 + i:04d} or "
            f"maria{i}@example.org. Room {i}.\n", encoding="utf-8")
    return root


def _manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def _written(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {
        "manifest.jsonl", "stats.json", "spans.jsonl"}


def _stamps(out: Path, lines: list[dict]) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of each listed output: equal before and after means it was not rewritten."""
    return {line["output"]: ((out / line["output"]).stat().st_ino, (out / line["output"]).stat().st_mtime_ns)
            for line in lines if line["status"] == "ok"}


def _check_consistent(out: Path, n: int) -> list[dict]:
    lines = _manifest(out)
    assert len(lines) == n
    assert len({line["source_key"] for line in lines}) == n
    assert all(line["status"] == "ok" for line in lines)
    assert _written(out) == {line["output"] for line in lines}  # no orphan, no temp file
    assert json.loads((out / "stats.json").read_text())["documents"] == n
    spans = [json.loads(line) for line in (out / "spans.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in spans) == sorted(line["input"] for line in lines)
    return lines


def _lines_so_far(out: Path) -> list[dict]:
    return read_jsonl(out / "manifest.jsonl")


def test_sigkill_then_resume_keeps_finished_work_and_writes_every_document_once(tmp_path, cli):
    corpus = _corpus(tmp_path / "in", 40)
    out = tmp_path / "out"
    args = [sys.executable, "-m", "redact", "run", str(corpus), "--out", str(out), "--spans", "-q",
            "--workers", "1"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PYTHONHASHSEED="11"))
    try:
        while proc.poll() is None and len(_lines_so_far(out)) < 3:
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = _lines_so_far(out)
    assert 3 <= len(finished) < 40, "the run was not killed part way"
    before = _stamps(out, finished)
    result = cli(["run", corpus, "--out", out, "--spans", "--resume", "--workers", "1"])
    assert result.exit_code == 0, result.output
    # In another process (another hash seed), the finished documents are recognised and kept.
    assert f"{len(finished)} kept from an earlier run, {40 - len(finished)} written" in result.output
    assert _stamps(out, finished) == before
    lines = _check_consistent(out, 40)
    # The resumed export is the export of one uninterrupted run, byte for byte.
    fresh = tmp_path / "fresh"
    assert cli(["run", corpus, "--out", fresh, "--spans", "-q"]).exit_code == 0
    assert _manifest(fresh) == lines
    for rel in _written(fresh):
        assert (fresh / rel).read_bytes() == (out / rel).read_bytes()
    assert (fresh / "stats.json").read_bytes() == (out / "stats.json").read_bytes()


def test_resume_ignores_torn_line_and_redoes_only_missing(tmp_path):
    corpus = _corpus(tmp_path / "in", 6)
    out = tmp_path / "out"
    run([corpus], RunOptions(out=out, write_spans=True))
    lines = _manifest(out)
    kept = out / lines[0]["output"]
    before = kept.stat().st_mtime_ns
    # As a kill leaves it: two lines lost, a torn last line, a half-written temp output.
    torn = "".join(json.dumps(line) + "\n" for line in lines[:4]) + json.dumps(lines[4])[:40]
    (out / "manifest.jsonl").write_text(torn)
    (out / lines[5]["output"]).unlink()
    (out / "notes" / ".tmp-redact-999999999-dead-abc.txt").write_text("half")  # a killed run's
    time.sleep(0.01)
    result = run([corpus], RunOptions(out=out, write_spans=True, resume=True))
    assert result.ok == 6
    assert _check_consistent(out, 6) == lines
    assert kept.stat().st_mtime_ns == before  # not redone


def test_changed_config_or_bytes_are_redone(tmp_path):
    corpus = _corpus(tmp_path / "in", 3)
    out = tmp_path / "out"
    run([corpus], RunOptions(out=out))
    first = _manifest(out)
    victim = corpus / "calls" / "note_00.txt"
    victim.write_text(victim.read_text() + "Seen again by Dr. Ana Ruiz.\n")
    run([corpus], RunOptions(out=out, resume=True))
    second = _manifest(out)
    assert len(second) == 3
    changed = [a for a, b in zip(first, second) if a != b]
    assert len(changed) == 1 and changed[0]["input"].startswith("calls/")
    run([corpus], RunOptions(out=out, resume=True, policy="mask"))
    third = _manifest(out)
    assert len(third) == 3 and all(t["config"] != s["config"] for s, t in zip(second, third))
    assert "*" in (out / third[0]["output"]).read_text()


def test_identical_bytes_are_two_documents_and_keys_hide_paths(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    for name in ("jsmith_intake.txt", "copy.txt"):
        (corpus / name).write_text("Called Maria Lopez at 555-201-3344.\n")
    out = tmp_path / "out"
    run([corpus], RunOptions(out=out))
    run([corpus], RunOptions(out=out, resume=True))
    lines = _manifest(out)
    assert len(lines) == 2 and lines[0]["sha256"] == lines[1]["sha256"]
    assert lines[0]["source_key"] != lines[1]["source_key"]
    from pathlib import PurePosixPath

    rel = PurePosixPath("jsmith_intake.txt")
    guesses = {hashlib.sha256(rel.as_posix().encode()).hexdigest(),
               hashlib.sha256((rel.as_posix() + lines[0]["sha256"]).encode()).hexdigest()}
    assert not guesses & {line["source_key"] for line in lines}
    plain = input_digests(corpus / rel, rel, None)
    keyed = input_digests(corpus / rel, rel, b"k" * 32)
    assert plain[0] == keyed[0] and plain[1] != keyed[1]


def test_read_jsonl_drops_incomplete_last_line(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_bytes(b'{"a": 1}\nnot json\n{"b": 2}\n{"c":')
    assert read_jsonl(path) == [{"a": 1}, {"b": 2}]


def _subprocess_run(corpus: Path, out: Path, seed: str, *extra: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "redact", "run", str(corpus), "--out", str(out), "--workers", "1", *extra]
    return subprocess.run(args, capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED=seed))


def test_resume_in_another_process_with_another_hash_seed_redoes_nothing(tmp_path):
    corpus = _corpus(tmp_path / "in", 4)
    out = tmp_path / "out"
    first = _subprocess_run(corpus, out, "1")
    assert first.returncode == 0, first.stderr
    lines = _manifest(out)
    before = _stamps(out, lines)
    second = _subprocess_run(corpus, out, "2", "--resume")
    assert second.returncode == 0, second.stderr
    assert "4 kept from an earlier run, 0 written" in second.stderr
    assert _manifest(out) == lines  # same configuration digest in both processes
    assert _stamps(out, lines) == before  # same inode and mtime: not rewritten


def test_config_digest_ignores_dict_and_set_order():
    from redact.resume import canonical, digest_of

    assert digest_of({"b": {3, 1, 2}, "a": frozenset({"y", "x"})}) == digest_of({"a": {"x", "y"}, "b": {2, 3, 1}})
    assert canonical({"s": {"b", "a"}}) == {"s": ["a", "b"]}
