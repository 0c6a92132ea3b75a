"""`redact run --engine spark` (local[2]) writes exactly what the local engine writes."""

from __future__ import annotations

import builtins
import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE_DATA

pytestmark = [pytest.mark.spark, pytest.mark.slow]


OFFICE = {".xlsx", ".docx"}
# Office writers stamp the time of writing into these; two local runs differ there too.
TIMESTAMPED = {"docProps/core.xml"}


def _content(path):
    """The file's bytes; for Office files, each zip member's bytes (zip dates are write times)."""
    if path.suffix not in OFFICE:
        return path.read_bytes()
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist() if i.filename not in TIMESTAMPED}


def _tree(root):
    return {p.relative_to(root).as_posix(): _content(p) for p in sorted(root.rglob("*")) if p.is_file()}


def test_spark_engine_matches_local_engine(cli, tmp_path, monkeypatch):
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("PySpark needs a Java runtime")
    local, spark = tmp_path / "local", tmp_path / "spark"
    result = cli(["run", SAMPLE_DATA, "--out", local, "--spans", "--workers", "2", "--engine", "local", "-q"])
    assert result.exit_code == 0, result.output
    # The driver lists the inputs but never reads one: executors read (and hash) each input once.
    driver_reads = []
    real_os_open, real_io_open = os.open, io.open

    def note(path):
        if isinstance(path, (str, bytes, os.PathLike)) and SAMPLE_DATA in Path(os.fsdecode(path)).resolve().parents:
            driver_reads.append(Path(os.fsdecode(path)).name)
    monkeypatch.setattr(os, "open", lambda path, *a, **k: (note(path), real_os_open(path, *a, **k))[1])
    opener = lambda path, *a, **k: (note(path), real_io_open(path, *a, **k))[1]  # noqa: E731
    monkeypatch.setattr(builtins, "open", opener)
    monkeypatch.setattr(io, "open", opener)
    result = cli(["run", SAMPLE_DATA, "--out", spark, "--spans", "--workers", "2", "--engine", "spark", "-q"])
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert driver_reads == []

    expected, got = _tree(local), _tree(spark)
    assert sorted(got) == sorted(expected)
    assert len(expected) > 20  # every sample document, manifest, stats and spans
    for name in expected:
        if name.endswith(".jsonl"):  # line by line, for a readable failure (no values in these)
            assert got[name].splitlines() == expected[name].splitlines(), name
        assert got[name] == expected[name], f"{name} differs between engines"


def test_engine_option_is_documented(cli):
    result = cli(["run", "--help"])
    assert "--engine [local|spark]" in result.output
    assert "--spark-master" in result.output
