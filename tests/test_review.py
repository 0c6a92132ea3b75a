"""`redact review`: pairing an export with its sources, where replacements sit, the stratified
sample and its size, the exact bound (checked by simulation against planted leak rates), the review
file (owner-only, outside the export, resumable) and the local server's token and headers.

The synthetic export is written by the real replacer (tags policy) from hand-placed spans, so these
tests need no spaCy model; the browser test runs the real `redact run`."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from redact.errors import ConfigError
from redact.review.documents import Export, align_by_diff, align_with_spans
from redact.review.sampling import Candidate, draw_sample, stratum_of, upper_bound, words_needed
from redact.review.server import ReviewApp, ReviewServer
from redact.review.store import ReviewFile, add_to_deny_list, check_outside, open_or_start

# Invented people and places: synthetic documents with the spans a detector would have found.
SYNTHETIC = {
    "notes/visit_a.txt": ("Zorba Quentin met Hollis Varga at Maple Hall on 3/4/2026. Call 555-010-2233.",
                          ["Zorba Quentin", "Hollis Varga", "Maple Hall", "3/4/2026", "555-010-2233"]),
    "notes/visit_b.txt": ("Peer check-in with Idris Fenwick. Idris said the week went well and the group helped.",
                          ["Idris Fenwick", "Idris"]),
    "transcripts/call_c.txt": ("Speaker 1: hi Marisol, this is Tovah from the warmline.\nSpeaker 2: hey Tovah.",
                               ["Marisol", "Tovah", "Tovah"]),
}
LABELS = {"3/4/2026": "DATE", "555-010-2233": "PHONE", "Maple Hall": "ORGANIZATION"}


def _spans(text: str, values: list[str]):
    from redact.spans import Span

    spans, pos = [], 0
    for value in values:
        start = text.index(value, pos)
        spans.append(Span(start, start + len(value), LABELS.get(value, "PERSON"), 0.99))
        pos = start + len(value)
    return spans


def make_export(root: Path, with_spans: bool = True) -> tuple[Path, Path]:
    """(source folder, export folder) laid out as `redact run SOURCE --out EXPORT [--spans]` does."""
    from redact.policy import load_policy
    from redact.transform import Replacer

    source, export = root / "source", root / "export"
    manifest, spans_lines = [], []
    for rel, (text, values) in SYNTHETIC.items():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(text, encoding="utf-8")
        spans = _spans(text, values)
        output = Replacer(load_policy("tags"))(text, spans)
        (export / rel).parent.mkdir(parents=True, exist_ok=True)
        (export / rel).write_text(output, encoding="utf-8")
        manifest.append({"input": rel, "sha256": hashlib.sha256(text.encode()).hexdigest(), "output": rel,
                         "status": "ok", "reason": None, "entities": {}, "chars": len(text), "encoding": "utf-8",
                         "words": len(text.split()), "segments": 1, "policy": "tags", "config": "0" * 64})
        spans_lines.append({"id": rel, "spans": [s.to_json() for s in spans]})
    (export / "manifest.jsonl").write_text("".join(json.dumps(m) + "\n" for m in manifest), encoding="utf-8")
    if with_spans:
        (export / "spans.jsonl").write_text("".join(json.dumps(s) + "\n" for s in spans_lines), encoding="utf-8")
    return source, export


# --- where replacements are ---------------------------------------------------------------------
@pytest.mark.parametrize("with_spans", [True, False])
def test_every_replacement_is_found_in_both_texts(tmp_path, with_spans):
    source, export = make_export(tmp_path, with_spans)
    data = Export(export, [source])
    assert data.unpaired() == 0
    doc = data.document("notes/visit_a.txt")
    assert doc.aligned_by == ("spans" if with_spans else "diff")
    pairs = [(doc.original[r.start:r.end], doc.output[r.out_start:r.out_end], r.label) for r in doc.replacements]
    assert pairs == [("Zorba Quentin", "[PERSON_1]", "PERSON"), ("Hollis Varga", "[PERSON_2]", "PERSON"),
                     ("Maple Hall", "[ORGANIZATION_1]", "ORGANIZATION"), ("3/4/2026", "[DATE_1]", "DATE"),
                     ("555-010-2233", "[PHONE_1]", "PHONE")]


def test_spans_that_disagree_with_the_output_fall_back_to_the_diff():
    original, output = "Call Ann now.", "Call [PERSON_1] now."
    assert align_with_spans(original, output, [{"start": 5, "end": 8, "label": "PERSON"}])[0].out_end == 15
    assert align_with_spans(original, "Something else.", [{"start": 5, "end": 8, "label": "PERSON"}]) is None
    [found] = align_by_diff(original, output)
    assert (found.start, found.end, found.out_start, found.out_end, found.label) == (5, 8, 5, 15, "PERSON")


def test_outputs_pair_with_sources_by_content_not_name(tmp_path):
    source, export = make_export(tmp_path)
    (source / "notes" / "visit_b.txt").write_text("changed since the run", encoding="utf-8")
    data = Export(export, [source])
    assert data.unpaired() == 1 and "notes/visit_b.txt" not in data.sources


# --- sample size, strata, bound -----------------------------------------------------------------
def test_sample_size_is_the_smallest_that_rules_out_the_target_with_no_miss():
    n = words_needed(1.0, 0.95)
    assert upper_bound(0, n, 0.95) <= 1.0 / 1000 < upper_bound(0, n - 1, 0.95)
    assert words_needed(0.5, 0.95) > n > words_needed(1.0, 0.90)


def test_sample_is_stratified_reproducible_and_sized():
    candidates = [Candidate(f"{folder}/doc{i}.{fmt}", stratum_of(f"{folder}/doc{i}.{fmt}"), 100 + i)
                  for folder, fmt, count in [("notes", "txt", 60), ("calls", "vtt", 30), ("tables", "csv", 5)]
                  for i in range(count)]
    first = draw_sample(candidates, 3000, seed=7)
    assert first == draw_sample(candidates, 3000, seed=7) != draw_sample(candidates, 3000, seed=8)
    words = {c.id: c.words for c in candidates}
    assert sum(words[i] for i in first) >= 3000
    assert {stratum_of(i) for i in first} == {"txt notes", "vtt calls", "csv tables"}
    notes = sum(words[i] for i in first if i.startswith("notes/"))
    assert 0.5 < notes / sum(words[i] for i in first) < 0.75  # about the notes' share of all words (0.64)
    assert draw_sample(candidates[:3], 3000, seed=7) == [c.id for c in candidates[:3]]  # small: everything


SIMULATIONS = 2000
# A simulated coverage is itself an estimate: allow three of its standard errors below nominal.
MONTE_CARLO_SLACK = 3 * (0.95 * 0.05 / SIMULATIONS) ** 0.5


@pytest.mark.parametrize("rate_per_1000", [0.2, 1.0, 2.0, 5.0])
def test_upper_bound_covers_planted_leak_rates(rate_per_1000):
    """Plant leaks at a known rate, count what a review of n words finds, and check that the
    bound is above the true rate at least as often as the confidence says: exactly (summing the
    binomial over every outcome) and by 2,000 simulations."""
    from scipy.stats import beta, binom

    rng = np.random.default_rng(11)
    n, confidence, rate = words_needed(1.0, 0.95), 0.95, rate_per_1000 / 1000
    outcomes = np.arange(0, 400)
    bound_of = np.array([upper_bound(int(k), n, confidence) for k in outcomes])
    assert binom.pmf(outcomes, n, rate)[bound_of >= rate].sum() >= confidence
    misses = rng.binomial(n, rate, size=SIMULATIONS)
    bounds = np.where(misses >= n, 1.0, beta.ppf(confidence, misses + 1, n - misses))
    assert np.allclose(bounds[:5], bound_of[misses[:5]])
    coverage = float(np.mean(bounds >= rate))
    assert coverage >= confidence - MONTE_CARLO_SLACK, coverage
    assert abs(misses.mean() / n * 1000 - rate_per_1000) < 0.1 * rate_per_1000 + 0.05  # estimate unbiased


def test_bound_through_the_document_sample_covers_planted_leaks():
    """The whole path: 200 synthetic exports with leaks planted per word, the stratified document
    sample drawn from each, the bound from the words and leaks in the sampled documents."""
    rng = np.random.default_rng(5)
    rate, confidence, covered = 2.0 / 1000, 0.95, 0
    needed = words_needed(1.0, confidence)
    for sim in range(200):
        sizes = rng.integers(50, 600, size=80)
        candidates = [Candidate(f"{'ab'[i % 2]}/d{i}.txt", stratum_of(f"{'ab'[i % 2]}/d{i}.txt"), int(w))
                      for i, w in enumerate(sizes)]
        leaks = {c.id: int(rng.binomial(c.words, rate)) for c in candidates}
        chosen = draw_sample(candidates, needed, seed=sim)
        words = sum(c.words for c in candidates if c.id in set(chosen))
        covered += upper_bound(sum(leaks[i] for i in chosen), words, confidence) >= rate
    assert covered / 200 >= confidence


# --- the review file ----------------------------------------------------------------------------
def test_review_file_is_private_outside_the_export_and_resumes(tmp_path):
    source, export = make_export(tmp_path)
    data = Export(export, [source])
    with pytest.raises(ConfigError, match="inside"):
        check_outside(export / "review.json", [export, source], "--review file")
    path = tmp_path / "staff" / "review.json"
    check_outside(path, [export, source], "--review file")
    review = open_or_start(path, data, 1.0, 0.95, seed=3)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(review.sample) == 3  # 41 words < 2,995 needed: everything is reviewed
    review.update("notes/visit_b.txt", lambda d: d.update(reviewed=True))
    again = open_or_start(path, data, 5.0, 0.9, seed=99)  # resumed: the saved plan wins
    assert again.sample == review.sample and again.data["confidence"] == 0.95
    assert again.summary()["words_reviewed"] == len(SYNTHETIC["notes/visit_b.txt"][0].split())
    (export / "manifest.jsonl").write_text((export / "manifest.jsonl").read_text() + "\n")
    with pytest.raises(ConfigError, match="another export"):
        ReviewFile.open(path, Export(export, [source]).manifest_sha256)


def test_deny_list_is_a_roster_the_next_run_can_use(tmp_path):
    from redact.recognizers.roster import Roster

    deny = tmp_path / "deny.txt"
    assert add_to_deny_list(deny, "Zorba\n Quentin") and not add_to_deny_list(deny, "Zorba Quentin")
    add_to_deny_list(deny, "Varga, Hollis")
    assert deny.read_text() == "phrase\nZorba Quentin\nVarga Hollis\n"
    assert stat.S_IMODE(os.stat(deny).st_mode) == 0o600
    # Phrase-only: each entry matched whole, never word by word ("Quentin" alone is not listed).
    roster = Roster.load(deny)
    assert roster.phrases == {"Zorba Quentin", "Varga Hollis"} and not roster.variants


# --- the server ---------------------------------------------------------------------------------
@pytest.fixture
def server(tmp_path):
    source, export = make_export(tmp_path)
    data = Export(export, [source])
    review = open_or_start(tmp_path / "review.json", data, 1.0, 0.95, seed=0)
    srv = ReviewServer(ReviewApp(data, review, tmp_path / "deny.txt"))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _get(url: str, headers: dict | None = None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _post(srv, path: str, body: dict):
    request = urllib.request.Request(f"{srv.url.split('?')[0].rstrip('/')}{path}?token={srv.token}",
                                     data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_server_binds_localhost_and_requires_the_token(server):
    base = server.url.split("?")[0]
    assert base.startswith("http://127.0.0.1:")
    for url in [base, base + "app.js", base + "api/state", base + "api/state?token=wrong"]:
        assert _get(url)[0] == 403
    assert _get(server.url, headers={"Host": "attacker.example"})[0] == 403  # DNS rebinding
    status, headers, body = _get(server.url)
    assert status == 200 and b"app.js?token=" in body
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "connect-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


def test_decisions_are_saved_before_they_are_acknowledged(server, tmp_path):
    state = json.loads(_get(server.url.replace("/?", "/api/state?"))[2])
    index = next(i for i, d in enumerate(state["documents"]) if d["id"] == "notes/visit_b.txt")
    doc = json.loads(_get(server.url.replace("/?", f"/api/doc?i={index}&"))[2])
    start = doc["output"].index("the group")
    status, decisions = _post(server, "/api/decide", {"doc": index, "action": "miss", "start": start,
                                                      "end": start + 9, "kind": "ORGANIZATION"})
    assert status == 200 and decisions["misses"][0]["text"] == "the group"
    assert _post(server, "/api/decide", {"doc": index, "action": "miss", "start": 0, "end": 40,
                                         "kind": "PERSON"})[0] == 400  # overlaps a replacement
    assert _post(server, "/api/decide", {"doc": index, "action": "miss", "start": start + 10, "end": start + 16,
                                         "kind": "OTHER"})[1]["misses"][1]["text"] == "helped"
    assert len(_post(server, "/api/decide", {"doc": index, "action": "unmiss", "miss": 1})[1]["misses"]) == 1
    assert _post(server, "/api/decide", {"doc": index, "action": "unmiss", "miss": 5})[0] == 400
    assert _post(server, "/api/decide", {"doc": index, "action": "over", "replacement": 1})[0] == 200
    assert _post(server, "/api/decide", {"doc": index, "action": "reviewed", "value": True})[0] == 200
    assert _post(server, "/api/deny", {"doc": index, "miss": 0})[1]["misses"][0]["denied"] is True
    saved = json.loads((tmp_path / "review.json").read_text())["documents"]["notes/visit_b.txt"]
    assert saved["reviewed"] and saved["misses"][0]["kind"] == "ORGANIZATION"
    assert saved["over"] == [{"out_start": doc["replacements"][1]["out_start"],
                              "out_end": doc["replacements"][1]["out_end"], "kind": "PERSON"}]
    assert (tmp_path / "deny.txt").read_text() == "phrase\nthe group\n"   # a phrase-only roster


def test_review_help_is_complete(cli):
    result = cli(["review", "--help"])
    assert result.exit_code == 0
    for option in ["--source", "--review", "--deny-list", "--target-rate", "--confidence", "--seed", "--port"]:
        assert option in result.output


def test_review_refuses_a_review_file_inside_the_export(cli, tmp_path):
    source, export = make_export(tmp_path)
    result = cli(["review", export, "--source", source, "--review", export / "review.json"])
    assert result.exit_code == 2 and "inside" in result.output
    assert not (export / "review.json").exists()


def test_an_unreadable_document_is_an_error_by_type_only(server, tmp_path):
    state = json.loads(_get(server.url.replace("/?", "/api/state?"))[2])
    index = next(i for i, d in enumerate(state["documents"]) if d["id"] == "notes/visit_a.txt")
    (tmp_path / "export" / "notes" / "visit_a.txt").unlink()
    status, _, body = _get(server.url.replace("/?", f"/api/doc?i={index}&"))
    assert status == 500 and json.loads(body) == {"error": "cannot show this document (FileNotFoundError)"}
    assert _get(server.url.replace("/?", "/api/doc?i=99&"))[0] == 400


def test_review_command_serves_until_interrupted(tmp_path):
    """The real command in a subprocess: it prints the URL with its token, serves the page, and
    stops cleanly on Ctrl-C, leaving the review file beside the export."""
    import signal
    import subprocess
    import sys

    source, export = make_export(tmp_path)
    command = [sys.executable, "-m", "redact", "review", str(export), "--source", str(source)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = line.split()[1]
        assert url.startswith("http://127.0.0.1:") and "?token=" in url
        assert _get(url)[0] == 200 and _get(url.split("?")[0])[0] == 403
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert (tmp_path / "export.review.json").is_file() and not list(export.glob("*.review.json"))
