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


CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots the browser tests keep (git-ignored)


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright, offline. CI (REDACT_REQUIRE_BROWSER=1)
    installs the browser and fails when it is missing; elsewhere the browser tests skip."""
    import os

    if not CHROMIUM.exists():
        if os.environ.get("REDACT_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page whose console errors and network requests are recorded for assertions:
    `page.console_errors`, `page.requests` (every URL the page asked for)."""
    context = browser.new_context()
    page = context.new_page()
    page.console_errors = []
    page.requests = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()
