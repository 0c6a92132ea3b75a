"""Policies: presets load, bad policy files give one clear line, Safe Harbor counts ages only
over 89, and `redact run --policy surrogate` is reproducible with one secret and leaks nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from redact.errors import ConfigError
from redact.policy import load_policy, preset_names
from redact.spans import Span

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"
SECRET = "synthetic-secret-for-tests-0001"
OTHER_SECRET = "another-synthetic-secret-0002"
# peer_contact_note_tanya: every gold identifier is detected; phone_contact_log_rodriguez: one is
# missed by detection, so there the check is that surrogates add no leak the tags policy lacks.
CLEAN = "notes/peer_contact_note_tanya.txt"
PARTIAL = "notes/phone_contact_log_rodriguez.txt"


def test_presets_load_and_know_whether_they_need_a_secret():
    assert {"tags", "mask", "hmac", "surrogate", "safe-harbor"} <= set(preset_names())
    needs = {name: load_policy(name).needs_secret for name in preset_names()}
    assert needs["surrogate"] and needs["hmac"]
    assert not needs["tags"] and not needs["mask"] and not needs["safe-harbor"]


def test_safe_harbor_operators():
    policy = load_policy("safe-harbor")
    assert policy.age_over == 89
    assert policy.operator_for("DATE").operator == "generalize"
    assert policy.operator_for("ZIP").operator == "generalize"
    assert policy.operator_for("PERSON").operator == "tag"


@pytest.mark.parametrize("age,counted", [("89", False), ("90", True), ("93", True), ("34", False)])
def test_safe_harbor_counts_ages_only_over_89(age, counted):
    text = f"She is {age} now."
    span = Span(7, 7 + len(age), "AGE")
    assert load_policy("safe-harbor").counts(span, text) is counted
    assert load_policy("tags").counts(span, text)


@pytest.mark.parametrize("yaml_text,message", [
    ("name: x\nidentifiers: [NAME]\ndefault: {operator: tag}\n", "unknown label 'NAME'"),
    ("name: x\nidentifiers: [PERSON]\ndefault: {operator: shred}\n", "unknown operator 'shred'"),
    ("name: x\nidentifiers: [PERSON]\ndefault: {operator: mask, params: {char: '##'}}\n", "parameter char"),
    ("name: x\nidentifiers: [PERSON]\ndefault: {operator: tag, params: {colour: red}}\n", "parameter colour"),
    ("name: x\nidentifiers: [DATE]\ndefault: {operator: date_shift, params: {min_days: 5, max_days: 1}}\n",
     "min_days is greater than max_days"),
    ("name: x\nidentifiers: [PERSON]\ndefault: {operator: tag}\noperators: {DATE: {operator: tag}}\n",
     "DATE, which is not in identifiers"),
    ("name: x\nidentifiers: []\ndefault: {operator: tag}\n", "identifiers"),
    ("name: x\nidentifiers: [PERSON]\n", "default"),
    ("- just\n- a list\n", "must be a YAML mapping"),
    ("name: [unclosed\n", "not valid YAML"),
])
def test_bad_policy_gives_one_clear_line(tmp_path, yaml_text, message):
    path = tmp_path / "policy.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_policy(str(path))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_bad_policy_on_the_command_line_exits_2(cli, tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("name: x\nidentifiers: [NAME]\ndefault: {operator: tag}\n", encoding="utf-8")
    result = cli(["run", SAMPLE_DATA / CLEAN, "--out", tmp_path / "out", "--policy", path])
    assert result.exit_code == 2
    assert "unknown label 'NAME'" in result.output
    assert not (tmp_path / "out").exists()


def test_keyed_policy_without_secret_exits_2(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("REDACT_SECRET", raising=False)
    result = cli(["run", SAMPLE_DATA / CLEAN, "--out", tmp_path / "out", "--policy", "surrogate"])
    assert result.exit_code == 2
    assert "needs a secret" in result.output


def test_detect_safe_harbor_reports_ages_only_over_89(cli, tmp_path, redactor):
    lines = [{"id": "a", "text": "Ruth Abernathy is 93 years old and her son Dale is 61 years old."},
             {"id": "b", "text": "Participant is 45 years old; her mother, who is 96 years old, lives with her."}]
    infile = tmp_path / "in.jsonl"
    infile.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    results = {}
    for policy in ("safe-harbor", "tags"):
        out = tmp_path / f"{policy}.jsonl"
        result = cli(["detect", infile, "-o", out, "--policy", policy, "-q"])
        assert result.exit_code == 0, result.output
        results[policy] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for rec, src in zip(results["safe-harbor"], lines):
        ages = [src["text"][s["start"]:s["end"]] for s in rec["spans"] if s["label"] == "AGE"]
        assert ages and all(int(re.sub(r"\D", "", a)) > 89 for a in ages), ages
    tag_ages = [s for rec in results["tags"] for s in rec["spans"] if s["label"] == "AGE"]
    assert len(tag_ages) > sum(1 for rec in results["safe-harbor"] for s in rec["spans"] if s["label"] == "AGE")


# --- end to end: surrogate runs -----------------------------------------------------------------
def _run(cli, tmp_path: Path, name: str, secret: str, policy: str = "surrogate") -> list[str]:
    """The output texts of one run over [CLEAN, PARTIAL], in input (= manifest) order."""
    out = tmp_path / name
    result = cli(["run", SAMPLE_DATA / CLEAN, SAMPLE_DATA / PARTIAL, "--out", out, "--policy", policy, "-q"],
                 env={"REDACT_SECRET": secret})
    assert result.exit_code == 0, result.output
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [m["status"] for m in manifest] == ["ok", "ok"]
    return [(out / m["output"]).read_bytes().decode("utf-8") for m in manifest]


def _survivors(gold: dict, text: str) -> set[str]:
    values = {gold["text"][s["start"]:s["end"]] for s in gold["spans"]}
    return {v for v in values if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text, re.IGNORECASE)}


def test_surrogate_run_is_reproducible_and_leaks_nothing(cli, tmp_path, sample_gold, redactor):
    first = _run(cli, tmp_path, "a", SECRET)
    again = _run(cli, tmp_path, "b", SECRET)
    other = _run(cli, tmp_path, "c", OTHER_SECRET)
    tags = _run(cli, tmp_path, "t", SECRET, policy="tags")
    assert first == again                      # byte-identical with one secret
    assert all(a != b for a, b in zip(first, other))
    gold = {g["id"]: g for g in sample_gold}
    for rel, text, text_other, text_tags in zip((CLEAN, PARTIAL), first, other, tags):
        g = gold[rel]
        assert text != g["text"]
        if rel == CLEAN:
            assert _survivors(g, text) == set() and _survivors(g, text_other) == set()
        # Surrogates never leak what the tags policy hides (detection misses aside).
        assert _survivors(g, text) <= _survivors(g, text_tags)
        assert _survivors(g, text_other) <= _survivors(g, text_tags)
