"""`redact stats`: small-cell and complementary suppression, differential privacy, outputs."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redact.spans import Span
from redact.stats import SUPPRESSED, TOTAL, Prepare, _with_margins, prepare, tabulate
from redact.suppression import COMPLEMENTARY, PRIMARY, PUBLISHED, protect, table_lines

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


@settings(max_examples=80, deadline=None)
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


@settings(max_examples=80, deadline=None)
@given(tables, st.integers(2, 11))
def test_no_small_cell_can_be_solved_from_the_margins(matrix, k):
    # Small cells only: a complementary cell holds 0 or at least k, and zeros are never picked
    # (so that every blank is known to be at least 1), so one may be solvable in a table whose
    # only joining cells are zeros; what it may reveal is bounded by the interval test below.
    grid = _with_margins(matrix, 2)
    status = protect(grid, k, dims=2)
    assert [c for c in determined_cells(grid, status, 2) if status[c[0]][c[1]] == PRIMARY] == []


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=8), st.integers(2, 11))
def test_one_dimensional_with_total(cells, k):
    grid = _with_margins([cells], 1)
    status = protect(grid, k, dims=1)
    hidden = sum(s != PUBLISHED for s in status[0])
    assert hidden == 0 or hidden >= 2
    assert [c for c in determined_cells(grid, status, 1) if status[c[0]][c[1]] == PRIMARY] == []


def test_two_hidden_per_line_is_not_enough_when_a_cell_is_a_bridge():
    # Found by hypothesis: every line already holds two primary cells, yet the cell at (2, 3)
    # joins two separate groups of hidden cells and could be solved; protect() must add more.
    grid = _with_margins([[0, 0, 0, 1], [0, 0, 0, 1], [0, 1, 1, 1]], 2)
    status = protect(grid, 2, dims=2)
    assert any(COMPLEMENTARY in row for row in status)
    assert [c for c in determined_cells(grid, status, 2) if status[c[0]][c[1]] == PRIMARY] == []


def test_small_hidden_sum_gets_another_cell():
    # Two hidden cells adding up to 2 must both be 1: the rule hides a third.
    status = protect(_with_margins([[1, 1, 50]], 1), 11, dims=1)
    assert status[0] == [PRIMARY, PRIMARY, COMPLEMENTARY, PUBLISHED]


def _frame(rows):
    import pandas as pd

    return pd.DataFrame(rows)


# --- the interval attack: what can be proved about a blank from everything published ------------

def attack_upper_bounds(payload: dict, kinds: dict[tuple, str] | None = None) -> dict[tuple, float]:
    """The largest value of every suppressed cell consistent with everything the release
    publishes, from the published JSON alone: an independent linear program per blank.

    The attacker knows each table adds up along its rows and columns (margins and grand total),
    that counts are non-negative, that zeros are published (so a blank document count is at
    least 1, as is a blank of another measure where the document count is published), and that
    distinct participants never exceed documents nor their own margins, and their margins never
    exceed the sum of their cells. The attacker does not know why a cell is blank."""
    from scipy.optimize import linprog

    by = payload["by"]
    cells = payload["cells"]
    assert {c["cell_status"] for c in cells} <= {PUBLISHED, SUPPRESSED}
    key = {id(c): (c["measure"], *(c[b] for b in by)) for c in cells}
    value = {key[id(c)]: c["value"] for c in cells}
    blank = sorted(k for k, v in value.items() if v is None)
    var = {k: n for n, k in enumerate(blank)}
    eq_rows, eq_rhs, ub_rows, ub_rhs = [], [], [], []

    def term(coefficients: dict[tuple, float], rhs_side: list, row_side: list, bound: float = 0.0):
        row, rhs = np.zeros(len(blank)), bound
        for k, a in coefficients.items():
            if k in var:
                row[var[k]] += a
            else:
                rhs -= a * value[k]
        if row.any():
            row_side.append(row)
            rhs_side.append(rhs)

    measures = sorted({c["measure"] for c in cells})
    labels = [sorted({c[b] for c in cells} - {TOTAL}) for b in by]
    if len(by) > 2:
        rest = sorted({tuple(c[b] for b in by[1:]) for c in cells} - {(TOTAL,) * (len(by) - 1)})
        labels = [labels[0], rest]
    flat = (lambda r, c: (r, *c)) if len(by) > 2 else (lambda r, c: (r, c))
    total_col = (TOTAL,) * (len(by) - 1) if len(by) > 2 else TOTAL
    for m in measures:
        if len(by) == 1:
            lines = [([(m, v) for v in labels[0]], (m, TOTAL))]
        elif len(by) >= 2:
            rows, cols = labels
            lines = [([(m, *flat(r, c)) for c in cols], (m, *flat(r, total_col))) for r in [*rows, TOTAL]]
            lines += [([(m, *flat(r, c)) for r in rows], (m, *flat(TOTAL, c))) for c in [*cols, total_col]]
        else:
            lines = []
        for parts, total in lines:
            coefficients = {p: 1.0 for p in parts} | {total: -1.0}
            if m == "participants":  # distinct: the margin is at most the sum, at least each part
                term({p: -1.0 for p in parts} | {total: 1.0}, ub_rhs, ub_rows)
                for p in parts:
                    term({p: 1.0, total: -1.0}, ub_rhs, ub_rows)
            else:
                term(coefficients, eq_rhs, eq_rows)
    if "participants" in measures:
        for k in value:
            if k[0] == "participants":
                term({k: 1.0, ("documents", *k[1:]): -1.0}, ub_rhs, ub_rows)
    floor = [1 if k[0] == "documents" or value[("documents", *k[1:])] is not None else 0 for k in blank]
    bounds = list(zip(floor, [None] * len(blank)))
    if kinds:  # an attacker who has the audit file: small blanks are below k, the others at least k
        k_ = payload["suppression"]["k"]
        bounds = [(1, k_ - 1) if kinds.get(b) == PRIMARY else (k_, None) if b[0] == "documents" else bound
                  for b, bound in zip(blank, bounds)]
    upper = {}
    for k in blank:
        objective = np.zeros(len(blank))
        objective[var[k]] = -1.0
        result = linprog(objective, A_ub=np.array(ub_rows) if ub_rows else None, b_ub=ub_rhs or None,
                         A_eq=np.array(eq_rows) if eq_rows else None, b_eq=eq_rhs or None, bounds=bounds,
                         method="highs")
        assert result.status in (0, 3), result.message  # the truth is feasible, so never infeasible
        upper[k] = np.inf if result.status == 3 else -result.fun
    return upper


def true_values(frame, by: list[str]) -> dict[tuple, int]:
    """Documents, words and distinct participants per cell and margin, counted directly."""
    out = {}
    groupings = {tuple(by)}
    if len(by) >= 2:
        groupings |= {(by[0],), tuple(by[1:])}
    if len(by) >= 1:
        groupings |= {()}
    for group in groupings:
        parts = frame.groupby(list(group)) if group else [((), frame)]
        for labels, rows in parts:
            labels = labels if isinstance(labels, tuple) else (labels,)
            key = tuple(dict(zip(group, labels)).get(b, TOTAL) for b in by)
            out[("documents", *key)] = len(rows)
            out[("words", *key)] = int(rows["_words"].sum())
            out[("participants", *key)] = int(rows["_participant"].nunique())
    return out


def random_frame(counts: list[list[int]], words: list[int], spread: int):
    """One row per document: program p{i} x month m{j} with counts[i][j] documents; participants
    drawn from a pool of `spread` per program, so distinct counts differ from document counts."""
    rows, n = [], 0
    for i, row in enumerate(counts):
        for j, count in enumerate(row):
            for d in range(count):
                rows.append({"program": f"p{i}", "month": f"m{j}", "_words": words[n % len(words)],
                             "_participant": f"id-{i}-{(d * 7 + j) % spread}"})
                n += 1
    return _frame(rows)


small_tables = st.integers(1, 4).flatmap(lambda r: st.integers(1, 4).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 25), min_size=c, max_size=c), min_size=r, max_size=r)))


@settings(max_examples=int(os.environ.get("REDACT_ATTACK_EXAMPLES", "100")), deadline=None)
@given(small_tables, st.lists(st.integers(0, 40), min_size=1, max_size=7), st.integers(1, 12),
       st.integers(3, 11), st.sampled_from([["program", "month"], ["program"], ["month", "program"]]))
def test_interval_attack_cannot_prove_a_suppressed_count_small(counts, words, spread, k, by):
    frame = random_frame(counts, words, spread)
    if frame.empty:
        return
    payload = tabulate(frame, by, k=k).to_json()
    truth = true_values(frame, by)
    upper = attack_upper_bounds(payload)
    for cell, bound in upper.items():
        assert truth[cell] <= bound + 1e-6  # the attack is sound: the truth is always consistent
        if 0 < truth[cell] < k:
            assert bound >= k - 1e-6, (cell, truth[cell], bound, payload["cells"])


def test_the_issues_four_by_four_table_publishes_no_reason_and_resists_the_attack():
    # A 4 x 4 programs-by-month table with small counts, as in the issue: with the kinds of blank
    # published, the interval attack narrowed a 1 to [1, 4]; published blanks now say "suppressed".
    counts = [[1, 5, 30, 40], [12, 25, 3, 30], [40, 2, 20, 15], [30, 18, 14, 9]]
    frame = random_frame(counts, [10], 50)
    payload = tabulate(frame, ["program", "month"], k=11).to_json()
    assert {c["cell_status"] for c in payload["cells"]} == {PUBLISHED, SUPPRESSED}
    assert "primary" not in json.dumps(payload) and "complementary" not in json.dumps(payload)
    truth, upper = true_values(frame, ["program", "month"]), attack_upper_bounds(payload)
    small = {c: b for c, b in upper.items() if 0 < truth[c] < 11}
    assert len(small) >= 5 and min(small.values()) >= 11
    # Why the audit file must stay private: knowing which blanks are small narrows them below k.
    audit = tabulate(frame, ["program", "month"], k=11).audit_json()
    kinds = {(c["measure"], c["program"], c["month"]): c["cell_status"] for c in audit["cells"]}
    informed = attack_upper_bounds(payload, kinds)
    assert min(b for c, b in informed.items() if c in small and c[0] == "documents") < 11


def test_prepare_counts_identifiers_without_keeping_values():
    frame = _frame([{"program": "A", "note": "Call Ann at 555-0100"}] * 12)

    def fake_detect(texts):
        for _text in texts:
            yield [Span(5, 8, "PERSON"), Span(12, 20, "PHONE")]

    prepared = prepare(frame, Prepare(by=["program"], text_columns=["note"], detect=fake_detect))
    assert sorted(prepared.frame.columns) == ["_id:PERSON", "_id:PHONE", "_words", "program"]
    release = tabulate(prepared.frame, prepared.by).to_json()
    person_total = [c for c in release["cells"] if c["measure"] == "identifiers:PERSON" and c["program"] == TOTAL]
    assert person_total[0]["value"] == 12
    assert "Ann" not in json.dumps(release)


def _run_stats(cli, out: Path, *extra, env=None):
    return cli(["stats", FIXTURE, "--by", "program", "--by", "month", "--date-column", "date",
                "--text-column", "note", "--participant-column", "participant", "--out", out, *extra],
               env=env if env is not None else {"REDACT_SECRET": SECRET})


def test_end_to_end_publishes_only_suppressed_and_audits_the_kinds(cli, tmp_path):
    out = tmp_path / "out"
    result = _run_stats(cli, out, "--audit")
    assert result.exit_code == 0, result.output
    release = json.loads((out / "stats.json").read_text())
    documents = [c for c in release["cells"] if c["measure"] == "documents"]
    # Dates published as months only.
    assert {c["month"] for c in documents} == {"2024-01", "2024-02", "2024-03", TOTAL}
    grand = [c for c in documents if c["program"] == TOTAL and c["month"] == TOTAL][0]
    assert grand["value"] == 71
    assert release["suppression"]["k"] == 11 and release["suppression"]["suppressed"] > 0
    for path in ("stats.json", "stats.csv", "report.html"):
        text = (out / path).read_text(encoding="utf-8").lower()
        assert "primary" not in text and "complementary" not in text, path
    with (out / "stats.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(release["cells"])
    assert {r["cell_status"] for r in rows} == {PUBLISHED, SUPPRESSED}
    # The staff-only audit names the kind of every blank, and nothing else.
    audit = json.loads((out / "stats.audit.json").read_text())
    assert "do not publish" in audit["warning"]
    assert {c["cell_status"] for c in audit["cells"]} == {PRIMARY, COMPLEMENTARY}
    assert len(audit["cells"]) == release["suppression"]["suppressed"]
    assert all("value" not in c for c in audit["cells"])
    # Owner-only files in an owner-only folder, and no temporary file left behind.
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "stats.audit.json", "stats.csv", "stats.json"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in out.iterdir())
    assert out.stat().st_mode & 0o777 == 0o700


def test_audit_file_only_on_request(cli, tmp_path):
    assert _run_stats(cli, tmp_path / "out").exit_code == 0
    assert not (tmp_path / "out" / "stats.audit.json").exists()


def test_no_raw_id_or_name_in_any_output(cli, tmp_path):
    out = tmp_path / "out"
    assert _run_stats(cli, out, "--audit").exit_code == 0
    with FIXTURE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    secrets = {r["participant"] for r in rows} | {r["facilitator"] for r in rows} | \
        {w for r in rows for w in r["note"].split()[:2]} | {r["date"] for r in rows} | {SECRET}
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8")
        leaked = sorted(s for s in secrets if s in text)
        assert leaked == [], (path.name, leaked)


def test_report_needs_no_optional_package(cli, tmp_path, monkeypatch):
    # As on a plain `pip install .`: neither matplotlib nor OpenDP importable.
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "opendp", None)
    out = tmp_path / "out"
    result = _run_stats(cli, out)
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<img" not in html and "<script" not in html.lower()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert "Documents over time" in html and "What was suppressed and why" in html
    assert html.count("<svg") == html.count("<title id=") == html.count("<desc id=")
    # Headline numbers first: documents before any chart.
    assert html.index("documents</span>") < html.index("<svg")
    # Every published table has a caption saying what was suppressed.
    assert html.count("<table>") == html.count("<caption>")
    for measure in ("Documents by", "Words by", "Distinct participants by"):
        assert measure in html


def test_epsilon_without_opendp_fails_before_writing(cli, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "opendp", None)
    monkeypatch.setitem(sys.modules, "opendp.prelude", None)
    result = _run_stats(cli, tmp_path / "out", "--epsilon", "1.0")
    assert result.exit_code == 2 and "OpenDP" in result.output
    assert not (tmp_path / "out").exists()


def test_report_with_noise_records_epsilon(cli, tmp_path):
    out = tmp_path / "out"
    assert _run_stats(cli, out, "--epsilon", "1.0").exit_code == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "epsilon spent" in html
    release = json.loads((out / "stats.json").read_text())
    assert release["privacy"]["epsilon_spent"] == pytest.approx(1.0)


@pytest.mark.parametrize("extra, env, message", [
    ([], {"REDACT_SECRET": ""}, "secret"),
    (["--by", "no_such_column"], {"REDACT_SECRET": SECRET}, "no_such_column"),
    (["--text-column", "missing_text"], {"REDACT_SECRET": SECRET}, "missing_text"),
])
def test_exit_2_writes_nothing(cli, tmp_path, extra, env, message):
    out = tmp_path / "out"
    result = _run_stats(cli, out, *extra, env=env)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_unwritable_out_is_one_line_exit_2(cli, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    result = _run_stats(cli, blocker / "out")
    assert result.exit_code == 2 and "cannot write the statistics" in result.output
    assert "Traceback" not in result.output and blocker.read_text() == "not a folder"


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
    assert "documents,quarantined,,suppressed" in result.output
    # With the total published, "ok" would give the quarantined count away: hidden too.
    assert "documents,ok,,suppressed" in result.output
    assert "documents,(all),30,published" in result.output
    assert "identifiers:PERSON,(all),60,published" in result.output


# --- small programs ---------------------------------------------------------------------------

def _small_program(tmp_path: Path) -> Path:
    """Synthetic: three programs over six months, about 12 to 20 sessions each per quarter, so by
    month most cells are small and by quarter most are publishable."""
    rows = ["program,date,participant,note"]
    for p, (program, per_month) in enumerate([("Harbor", 5), ("Lighthouse", 6), ("Tideway", 4)]):
        for month in range(1, 7):
            for d in range(per_month):
                rows.append(f"{program},2025-{month:02d}-{d + 2:02d},S-{p}{d % 4},synthetic note number {d}")
    path = tmp_path / "small_program.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_mostly_blank_table_gets_a_suggestion_and_coarsen_applies_it(cli, tmp_path):
    table = _small_program(tmp_path)
    args = ["stats", table, "--by", "program", "--by", "month", "--date-column", "date"]
    suggested = cli([*args, "--out", tmp_path / "plain"])
    assert suggested.exit_code == 0, suggested.output
    assert "note: suppression blanks" in suggested.output and "--coarsen" in suggested.output
    plain = json.loads((tmp_path / "plain" / "stats.json").read_text())
    assert plain["coarsening"] == []

    applied = cli([*args, "--coarsen", "--out", tmp_path / "coarse"])
    assert applied.exit_code == 0, applied.output
    coarse = json.loads((tmp_path / "coarse" / "stats.json").read_text())
    assert coarse["coarsening"], coarse

    def blank_share(payload):
        body = [c for c in payload["cells"] if c["measure"] == "documents" and TOTAL not in
                [c[b] for b in payload["by"]] and c["value"] != 0]
        return sum(c["value"] is None for c in body) / len(body)

    assert blank_share(plain) > 0.5 >= blank_share(coarse)
    html = (tmp_path / "coarse" / "report.html").read_text(encoding="utf-8")
    assert "Coarsened so that fewer cells are suppressed" in html


def test_small_groups_are_merged_into_a_named_group_the_report_explains(cli, tmp_path):
    rows = ["program,note"] + [f"Big,note {i}" for i in range(30)] + [f"Tiny{i % 3},note" for i in range(9)]
    table = tmp_path / "groups.csv"
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = cli(["stats", table, "--by", "program", "--text-column", "note", "--out", tmp_path / "out"])
    assert result.exit_code == 0, result.output
    payload = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert payload["groups"]["program"] == {"label": "(other programs)", "merged": 3,
                                            "reason": "each had fewer than 11 documents"}
    assert {c["program"] for c in payload["cells"]} == {"Big", "(other programs)", TOTAL}
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "(other programs)</b> combines 3 program groups" in html
    # 30 + 9 documents: the 9 are small, so Big is blanked too (else 39 - 30 gives 9 away).
    documents = {c["program"]: c["value"] for c in payload["cells"] if c["measure"] == "documents"}
    words = {c["program"]: c["value"] for c in payload["cells"] if c["measure"] == "words"}
    assert documents == {"Big": None, "(other programs)": None, TOTAL: 39}
    assert words == {"Big": None, "(other programs)": None, TOTAL: 2 * 30 + 9}


def test_help_lists_every_option(cli):
    result = cli(["stats", "--help"])
    assert result.exit_code == 0
    for option in ("--by", "--text-column", "--date-column", "--participant-column", "--k", "--epsilon",
                   "--out", "--detect", "--secret-file", "--coarsen", "--audit", "--grain", "--format"):
        assert option in result.output
