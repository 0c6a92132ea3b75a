"""The `redact stats` report in a real headless Chromium: loads offline with no console error and
no request but its own file, every chart has a text alternative, and it reads with scripts off.
Screenshots go to tests/artifacts/ (from sample_data, and from a larger generated table)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import ARTIFACTS, SAMPLE_DATA

SECRET = "synthetic-test-secret-0123456789"
# Synthetic programs: (name, sessions per month on average); the last is small enough to be merged.
PROGRAMS = [("Harbor Recovery", 14), ("Lighthouse Women's Circle", 9), ("Anchor Peer Line", 18),
            ("Family Night", 6), ("Tideway Youth", 3), ("Driftwood Reentry", 0.4)]
WORDS = "checked in talked about the week housing work sleep sponsor meeting plan goals family ride".split()


def synthetic_sessions(path: Path, months: int = 15, seed: int = 20260301) -> Path:
    """A generated session table (invented programs, ids and words; no real person), with the
    columns of sample_data's sessions.csv that `redact stats` reads."""
    rng = random.Random(seed)
    lines = ["participant,date,program,note"]
    for p, (program, rate) in enumerate(PROGRAMS):
        pool = [f"SYN-{p}{n:03d}" for n in range(max(4, int(rate * 2)))]
        for m in range(months):
            year, month = 2025 + (m // 12), m % 12 + 1
            # Slow growth, so the chart over time has a shape to read.
            for _ in range(rng.randint(0, round(rate * (1 + m / months) * 2))):
                note = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 40)))
                lines.append(f"{rng.choice(pool)},{year}-{month:02d}-{rng.randint(1, 28):02d},{program},{note}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _report(cli, table: Path, out: Path, *extra: str) -> Path:
    result = cli(["stats", table, "--by", "program", "--by", "month", "--date-column", "date",
                  "--text-column", "note", "--participant-column", "participant", "--out", out, *extra],
                 env={"REDACT_SECRET": SECRET})
    assert result.exit_code == 0, result.output
    return out / "report.html"


def _check_in_browser(page, report: Path, screenshot: str) -> dict:
    url = report.resolve().as_uri()
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.console_errors == []
    assert page.requests == [url]  # the file itself, nothing else (no font, image, script)
    charts = page.eval_on_selector_all("svg", """svgs => svgs.map(svg => {
        const ids = (svg.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
        const named = ids.map(id => document.getElementById(id)).filter(Boolean);
        return {role: svg.getAttribute('role'), title: svg.querySelector('title')?.textContent || '',
                desc: svg.querySelector('desc')?.textContent || '', named: named.length, ids: ids.length,
                table: !!svg.closest('figure')?.nextElementSibling?.querySelector('table'),
                width: svg.getBoundingClientRect().width};
    })""")
    assert charts, "the report has no chart"
    for chart in charts:
        assert chart["role"] == "img" and chart["title"] and chart["desc"], chart
        assert chart["named"] == chart["ids"] == 2, chart  # aria-labelledby points at the title and desc
        assert chart["table"], chart  # and the data as a table
        assert chart["width"] > 0
    # Every table has a caption saying what was suppressed.
    captions = page.eval_on_selector_all("table", "ts => ts.map(t => t.caption ? t.caption.textContent : '')")
    assert captions and all("suppressed" in caption for caption in captions), captions
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    return {"charts": charts, "headline": page.inner_text("ul.headline"), "text": page.inner_text("body")}


@pytest.mark.slow
def test_readme_example_on_sample_data_in_a_browser(cli, page, tmp_path):
    """The README's command (with --detect, so the real model runs) on sample_data."""
    report = _report(cli, SAMPLE_DATA / "tabular" / "sessions.csv", tmp_path / "stats", "--detect")
    seen = _check_in_browser(page, report, "stats_report_sample_data.png")
    assert "30\ndocuments" in seen["headline"] and "2026-03" in seen["headline"]
    assert "Documents over time" in seen["text"] and "Identifiers found by type" in seen["text"]
    assert "(other programs) combines 4 program groups" in seen["text"]
    assert "primary" not in seen["text"].lower() and "complementary" not in seen["text"].lower()


def test_generated_table_in_a_browser(cli, page, tmp_path):
    table = synthetic_sessions(tmp_path / "synthetic_sessions.csv")
    report = _report(cli, table, tmp_path / "stats", "--coarsen")
    seen = _check_in_browser(page, report, "stats_report_generated_table.png")
    release = json.loads((tmp_path / "stats" / "stats.json").read_text())
    total = next(c["value"] for c in release["cells"] if c["measure"] == "documents"
                 and c["program"] == c["month"] == "(all)")
    assert f"{total:,}\ndocuments" in seen["headline"] and "2025-01 – 2026-03" in seen["headline"]
    over_time = next(c for c in seen["charts"] if c["title"] == "Documents per month")
    assert over_time["desc"].count(";") == 14  # 15 months described in words
    # Distinct participants and words are published where they can be.
    published = {c["measure"] for c in release["cells"] if c["value"] not in (None, 0)
                 and c["program"] != "(all)" and c["month"] != "(all)"}
    assert {"documents", "words", "participants"} <= published
    # By month most cells of the small programs were blank: the two smallest named programs
    # joined the one already too small to name, and the report says so.
    assert "(other programs) combines 3 program groups" in seen["text"]
    assert "Coarsened so that fewer cells are suppressed: the 2 smallest program groups merged" in seen["text"]
    assert release["coarsening"] == ["the 2 smallest program groups merged into (other programs)"]


def test_generated_table_without_coarsening_suggests_it(cli, page, tmp_path):
    table = synthetic_sessions(tmp_path / "synthetic_sessions.csv")
    result = cli(["stats", table, "--by", "program", "--by", "month", "--date-column", "date",
                  "--out", tmp_path / "stats"])
    assert result.exit_code == 0, result.output
    assert "note: suppression blanks" in result.output and "rerun with --coarsen" in result.output
    _check_in_browser(page, tmp_path / "stats" / "report.html", "stats_report_generated_table_by_month.png")


def test_report_reads_with_scripts_off(browser, tmp_path, cli):
    table = synthetic_sessions(tmp_path / "synthetic_sessions.csv", months=6)
    report = _report(cli, table, tmp_path / "stats")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(report.resolve().as_uri())
        assert page.locator("svg[role=img]").count() >= 2
        assert page.locator("svg[role=img]").first.bounding_box()["height"] > 100
        assert "Documents over time" in page.inner_text("body")
    finally:
        context.close()
