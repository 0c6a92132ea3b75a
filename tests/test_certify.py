"""`redact certify`: the signed release record of a review, its readable page, and `--check`."""

from __future__ import annotations

import json
import os
import stat

import pytest
from test_review import SYNTHETIC, make_export

from redact.review.documents import Export
from redact.review.sampling import upper_bound
from redact.review.store import open_or_start

SECRET = "synthetic-test-secret-0123456789"


@pytest.fixture
def reviewed(tmp_path, monkeypatch):
    """An export whose whole sample is reviewed: one miss (a person) and one needless replacement."""
    monkeypatch.setenv("REDACT_SECRET", SECRET)
    source, export = make_export(tmp_path)
    review = open_or_start(tmp_path / "review.json", Export(export, [source]), 1.0, 0.95, seed=0)
    for doc in review.sample:
        review.update(doc["id"], lambda d: d.update(reviewed=True))
    review.update("notes/visit_b.txt", lambda d: d["misses"].append(
        {"start": 0, "end": 4, "kind": "PERSON", "text": "Peer"}))
    review.update("notes/visit_a.txt", lambda d: d["over"].append({"out_start": 0, "out_end": 10, "kind": "PERSON"}))
    return export, tmp_path / "review.json"


def test_record_counts_bound_hashes_and_no_values(cli, reviewed, tmp_path):
    export, review = reviewed
    out = tmp_path / "release" / "record.json"
    result = cli(["certify", export, "--review", review, "--out", out])
    assert result.exit_code == 1, result.output  # one miss in 41 words: far above 1 per 1,000
    record = json.loads(out.read_text())
    words = sum(len(text.split()) for text, _ in SYNTHETIC.values())
    assert record["sample"]["words_reviewed"] == words and record["sample"]["complete"]
    assert record["findings"]["misses"] == {"PERSON": 1}
    assert record["findings"]["over_redactions"] == {"PERSON": 1}
    rate = record["residual_rate_per_1000_words"]
    assert rate["estimate"] == round(1000 / words, 4)
    assert rate["upper_bound"] == round(upper_bound(1, words, 0.95) * 1000, 4)
    assert record["meets_target"] is False
    assert len(record["export"]["manifest_sha256"]) == 64 and record["policy"]["tags"]
    assert record["model"]["sha256"] and record["tool"]["name"] == "redact"
    text = out.read_text() + out.with_suffix(".html").read_text()
    for _, values in SYNTHETIC.values():
        for value in values:
            assert value not in text
    assert "Peer" not in out.read_text()  # the missed text stays in the review file
    assert "Residual identifier rate" in out.with_suffix(".html").read_text()
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_check_accepts_the_record_and_detects_edits_and_other_exports(cli, reviewed, tmp_path):
    export, review = reviewed
    out = tmp_path / "record.json"
    cli(["certify", export, "--review", review, "--out", out])
    ok = cli(["certify", "--check", out, export])
    assert ok.exit_code == 0, ok.output
    record = json.loads(out.read_text())
    record["findings"]["misses"] = {}
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(record))
    bad = cli(["certify", "--check", edited, export])
    assert bad.exit_code == 1 and "signature does not match" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    (export / "manifest.jsonl").write_text((export / "manifest.jsonl").read_text().replace('"ok"', '"ok" '))
    changed = cli(["certify", "--check", out, export])
    assert changed.exit_code == 1 and "manifest" in changed.output


def test_check_with_another_secret_fails(cli, reviewed, tmp_path, monkeypatch):
    export, review = reviewed
    out = tmp_path / "record.json"
    cli(["certify", export, "--review", review, "--out", out])
    monkeypatch.setenv("REDACT_SECRET", "another-synthetic-secret-987654")
    assert cli(["certify", "--check", out, export]).exit_code == 1


def test_a_clean_complete_review_meets_its_target(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("REDACT_SECRET", SECRET)
    source, export = make_export(tmp_path)
    review = open_or_start(tmp_path / "review.json", Export(export, [source]), 500.0, 0.9, seed=0)
    for doc in review.sample:
        review.update(doc["id"], lambda d: d.update(reviewed=True))
    result = cli(["certify", export, "--review", tmp_path / "review.json", "--out", tmp_path / "r.json"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r.json").read_text())["meets_target"] is True


def test_usage_errors_write_nothing(cli, reviewed, tmp_path, monkeypatch):
    export, review = reviewed
    inside = cli(["certify", export, "--review", review, "--out", export / "record.json"])
    assert inside.exit_code == 2 and not (export / "record.json").exists()
    monkeypatch.delenv("REDACT_SECRET")
    no_secret = cli(["certify", export, "--review", review, "--out", tmp_path / "r.json"])
    assert no_secret.exit_code == 2 and "secret" in no_secret.output and not (tmp_path / "r.json").exists()


def test_certify_help_is_complete(cli):
    result = cli(["certify", "--help"])
    assert result.exit_code == 0
    for option in ["--review", "--out", "--check", "--secret-file", "Exit 0", "Exit 1", "Exit 2"]:
        assert option in result.output
