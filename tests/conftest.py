"""Shared fixtures. The real spaCy model loads once per test session (`redactor`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE_DATA = ROOT / "sample_data"


def read_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def redactor():
    """The real pipeline (spaCy model + Presidio) with the default policy."""
    from redact import Redactor

    return Redactor("tags")


@pytest.fixture(scope="session")
def sample_gold() -> list[dict]:
    return read_gold(FIXTURES / "sample_data.gold.jsonl")


@pytest.fixture
def cli():
    """Invoke the click CLI in-process: cli(["run", ...]) -> click.testing.Result."""
    from click.testing import CliRunner

    from redact.cli import main

    runner = CliRunner()

    def invoke(args, **kwargs):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)
    return invoke
