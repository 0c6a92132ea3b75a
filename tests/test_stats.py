"""`redact stats`: small-cell and complementary suppression, differential privacy, outputs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redact.spans import Span
from redact.stats import (
    COMPLEMENTARY,
    PRIMARY,
    PUBLISHED,
    TOTAL,
    Prepare,
    _with_margins,
    prepare,
    protect,
    table_lines,
    tabulate,
)

FIXTURE = Path(__file__).parent / "fixtures" / "stats" / "sessions.csv"
SECRET = "synthetic-test-secret-0123456789"

tables = st.integers(1, 5).flatmap(lambda r: st.integers(1, 5).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 30), min_size=c, max_size=c), min_size=r, max_size=r)))


def determined_cells(grid, status, dims):
    """Suppressed cells whose value follows from the published cells by linear algebra alone:
    x_e is fixed iff the unit vector e lies in the row space of the constraints on the hidden cells."""
    n_rows, n_cols = len(grid), len(grid[0])
    lines = table_lines(n_rows, n_cols, dims)
    index = {(i, j): i * n_cols + j for i in range(n_rows) for j in range(n_cols)}
    constraints = np.zeros((len(lines), n_rows * n_cols))
    for n, line in enumerate(lines):
        for cell in line[:-1]:
            constraints[n, index[cell]] = 1
        constraints[n, index[line[-1]]] = -1
    hidden = [c for c in index if status[c[0]][c[1]] != PUBLISHED]
    if not hidden:
        return []
    on_hidden = constraints[:, [index[c] for c in hidden]]
    rank = np.linalg.matrix_rank(on_hidden)
    solved = []
    for t, cell in enumerate(hidden):
        unit = np.zeros((1, len(hidden)))
        unit[0, t] = 1
        if np.linalg.matrix_rank(np.vstack([on_hidden, unit])) == rank:
            solved.append(cell)
    return solved


@settings(max_examples=300, deadline=None)
@given(tables, st.integers(2, 11))
def test_every_line_hides_none_or_at_least_two(matrix, k):
    grid = _with_margins(matrix, 2)
    status = protect(grid, k, dims=2)
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            if 0 < v < k:
                assert status[i][j] == PRIMARY
    for line in table_lines(len(grid), len(grid[0]), 2):
        hidden = sum(status[i][j] != PUBLISHED for i, j in line)
        assert hidden == 0 or hidden >= 2, (grid, status, line)


@settings(max_examples=300, deadline=None)
@given(tables, st.integers(2, 11))
def test_no_suppressed_cell_can_be_solved_from_the_margins(matrix, k):
    grid = _with_margins(matrix, 2)
    status = protect(grid, k, dims=2)
    assert determined_cells(grid, status, 2) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=8), st.integers(2, 11))
def test_one_dimensional_with_total(cells, k):
    grid = _with_margins([cells], 1)
    status = protect(grid, k, dims=1)
    hidden = sum(s != PUBLISHED for s in status[0])
    assert hidden == 0 or hidden >= 2
    assert determined_cells(grid, status, 1) == []


def test_two_hidden_per_line_is_not_enough_when_a_cell_is_a_bridge():
    # Found by hypothesis: every line already holds two primary cells, yet the cell at (2, 3)
    # joins two separate groups of hidden cells and could be solved; protect() must add more.
    grid = _with_margins([[0, 0, 0, 1], [0, 0, 0, 1], [0, 1, 1, 1]], 2)
    status = protect(grid, 2, dims=2)
    assert any(COMPLEMENTARY in row for row in status)
    assert determined_cells(grid, status, 2) == []


def test_small_hidden_sum_gets_another_cell():
    # Two hidden cells adding up to 2 must both be 1: the rule hides a third.
    status = protect(_with_margins([[1, 1, 50]], 1), 11, dims=1)
    assert status[0] == [PRIMARY, PRIMARY, COMPLEMENTARY, PUBLISHED]


def _frame(rows):
    import pandas as pd

    return pd.DataFrame(rows)


def test_epsilon_is_recorded_and_counts_are_noisy():
    rows = [{"program": p, "month": m} for p, n in (("A", 40), ("B", 55)) for m in ("2024-01", "2024-02")
            for _ in range(n)]
    exact = tabulate(_frame(rows), ["program", "month"], k=11).to_json()
    noisy = tabulate(_frame(rows), ["program", "month"], k=11, epsilon=0.2).to_json()
    assert exact["privacy"]["mechanism"] == "none"
    assert noisy["privacy"]["epsilon_spent"] == pytest.approx(0.2)
    assert [m["measure"] for m in noisy["privacy"]["measures"]] == ["documents"]
    assert [c["value"] for c in exact["cells"]] != [c["value"] for c in noisy["cells"]]
    # Margins stay the sums of the (noisy) cells they total.
    published = {(c["program"], c["month"]): c["value"] for c in noisy["cells"]}
    if None not in published.values():
        assert published[(TOTAL, TOTAL)] == sum(v for (p, m), v in published.items() if TOTAL not in (p, m))


def test_prepare_counts_identifiers_without_keeping_values():
    frame = _frame([{"program": "A", "note": "Call Ann at 555-0100"}] * 12)

    def fake_detect(texts):
        for _text in texts:
            yield [Span(5, 8, "PERSON"), Span(12, 20, "PHONE")]

    prepared, by = prepare(frame, Prepare(by=["program"], text_columns=["note"], detect=fake_detect))
    assert sorted(prepared.columns) == ["_id:PERSON", "_id:PHONE", "_words", "program"]
    release = tabulate(prepared, by).to_json()
    person_total = [c for c in release["cells"] if c["measure"] == "identifiers:PERSON" and c["program"] == TOTAL]
    assert person_total[0]["value"] == 12
    assert "Ann" not in json.dumps(release)


def _run_stats(cli, out: Path, *extra, env=None):
    return cli(["stats", FIXTURE, "--by", "program", "--by", "month", "--date-column", "date",
                "--text-column", "note", "--participant-column", "participant", "--out", out, *extra],
               env=env if env is not None else {"REDACT_SECRET": SECRET})


def test_end_to_end_suppresses_and_totals_do_not_reveal(cli, tmp_path):
    out = tmp_path / "out"
    result = _run_stats(cli, out)
    assert result.exit_code == 0, result.output
    release = json.loads((out / "stats.json").read_text())
    documents = [c for c in release["cells"] if c["measure"] == "documents"]
    # Dates published as months only.
    assert {c["month"] for c in documents} == {"2024-01", "2024-02", "2024-03", TOTAL}
    assert any(c["cell_status"] == PRIMARY for c in documents)
    assert any(c["cell_status"] == COMPLEMENTARY for c in documents)
    # Row and column totals are published, yet every line holds 0 or >= 2 hidden cells.
    for key in ("program", "month"):
        other = "month" if key == "program" else "program"
        for value in {c[key] for c in documents}:
            line = [c for c in documents if c[key] == value]
            if any(c["cell_status"] == PUBLISHED for c in line if c[other] == TOTAL):
                assert sum(c["value"] is None for c in line) != 1
    grand = [c for c in documents if c["program"] == TOTAL and c["month"] == TOTAL][0]
    assert grand["value"] == 71
    assert release["suppression"]["k"] == 11 and "Complementary" in release["suppression"]["rule"]
    with (out / "stats.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(release["cells"])
    assert {r["cell_status"] for r in rows} == {PUBLISHED, PRIMARY, COMPLEMENTARY}


def test_no_raw_id_or_name_in_any_output(cli, tmp_path):
    out = tmp_path / "out"
    assert _run_stats(cli, out).exit_code == 0
    with FIXTURE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    secrets = {r["participant"] for r in rows} | {r["facilitator"] for r in rows} | \
        {w for r in rows for w in r["note"].split()[:2]} | {r["date"] for r in rows} | {SECRET}
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8")
        leaked = sorted(s for s in secrets if s in text)
        assert leaked == [], (path.name, leaked)


def test_report_renders_charts_and_explains_suppression(cli, tmp_path):
    out = tmp_path / "out"
    assert _run_stats(cli, out, "--epsilon", "1.0").exit_code == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<img" in html and "data:image/png;base64," in html
    assert "Volume over time" in html and "What was suppressed and why" in html
    assert "fewer than 11" in html and "epsilon spent" in html
    release = json.loads((out / "stats.json").read_text())
    assert release["privacy"]["epsilon_spent"] == pytest.approx(1.0)


def test_participants_need_a_secret(cli, tmp_path):
    result = _run_stats(cli, tmp_path / "out", env={"REDACT_SECRET": ""})
    assert result.exit_code == 2
    assert "secret" in result.output
    assert not (tmp_path / "out").exists()


def test_grouping_by_participant_is_refused(cli, tmp_path):
    result = cli(["stats", FIXTURE, "--by", "participant", "--participant-column", "participant"],
                 env={"REDACT_SECRET": SECRET})
    assert result.exit_code == 2
    assert "raw ids" in result.output and "P-10" not in result.output


def test_run_folder_csv_to_stdout(cli, tmp_path):
    lines = [{"input": f"{folder}/note_{i}.txt", "status": status, "entities": {"PERSON": 2, "PHONE": 1},
              "chars": 100} for i in range(30) for folder, status in [("groups", "ok" if i % 10 else "quarantined")]]
    (tmp_path / "manifest.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = cli(["stats", tmp_path, "--by", "status", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "documents,quarantined,,primary" in result.output
    # With the total published, "ok" would give the quarantined count away: hidden too.
    assert "documents,ok,,complementary" in result.output
    assert "documents,(all),30,published" in result.output
    assert "identifiers:PERSON,(all),60,published" in result.output


def test_help_lists_every_option(cli):
    result = cli(["stats", "--help"])
    assert result.exit_code == 0
    for option in ("--by", "--text-column", "--date-column", "--participant-column", "--k", "--epsilon",
                   "--out", "--detect", "--secret-file"):
        assert option in result.output
