"""End-to-end tests of the CLI with the real spaCy model and Presidio on the fixtures."""

from __future__ import annotations

import json
import re
import socket

import pytest
from conftest import FIXTURES, SAMPLE_DATA, read_gold

from redact.cli import COMMANDS


@pytest.mark.parametrize("command", [[], *[[name] for name in COMMANDS]])
def test_every_command_has_help(cli, command):
    result = cli([*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def _manifest(out):
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    from click.testing import CliRunner

    from redact.cli import main

    out = tmp_path_factory.mktemp("export")
    result = CliRunner().invoke(main, ["run", str(SAMPLE_DATA), "--out", str(out), "--spans", "--quiet"],
                                catch_exceptions=False)
    return result, out


def test_run_accounts_for_every_input(sample_run):
    result, out = sample_run
    assert result.exit_code == 0, result.output
    inputs = sorted(p for p in SAMPLE_DATA.rglob("*") if p.is_file())
    manifest = _manifest(out)
    assert len(manifest) == len(inputs)
    for line in manifest:
        assert set(line) >= {"input", "sha256", "output", "status", "reason", "entities", "chars"}
        if line["status"] == "ok":
            assert (out / line["output"]).is_file()
    stats = json.loads((out / "stats.json").read_text())
    assert stats["documents"] == len(inputs)


def test_output_paths_are_deidentified(sample_run):
    _, out = sample_run
    written = [p.relative_to(out).as_posix().lower() for p in out.rglob("*") if p.is_file()]
    for name in ("jsmith", "darnell", "luz", "tanya", "omar", "nguyen", "rodriguez"):
        assert not any(name in path for path in written), name


def _identifier_pattern(value: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)", re.IGNORECASE)


# Pattern-matched identifiers must never survive; free-text kinds (names, places, organisations,
# ages) are held to a leak-rate ratchet until detection reaches full recall on them (issue 3).
STRICT_LABELS = {"PHONE", "EMAIL", "URL", "IP_ADDRESS", "ZIP", "USERNAME"}
MAX_FREE_TEXT_LEAK_RATE = 0.05


def test_no_gold_identifier_survives(sample_run, sample_gold):
    """Gold identifier strings are gone from the de-identified copies."""
    _, out = sample_run
    manifest = {line["sha256"]: line for line in _manifest(out)}
    import hashlib

    leaks, checked = [], 0
    for doc in sample_gold:
        source = SAMPLE_DATA / doc["id"]
        line = manifest[hashlib.sha256(source.read_bytes()).hexdigest()]
        redacted = (out / line["output"]).read_text(encoding="utf-8")
        for span in doc["spans"]:
            value = doc["text"][span["start"]:span["end"]]
            if len(value) < 3:
                continue
            checked += 1
            if _identifier_pattern(value).search(redacted):
                leaks.append((doc["id"], span["label"], span["start"]))
    strict = [leak for leak in leaks if leak[1] in STRICT_LABELS]
    assert not strict, f"{len(strict)} structured identifiers survive: {strict[:10]}"
    assert len(leaks) / checked <= MAX_FREE_TEXT_LEAK_RATE, f"{len(leaks)} of {checked} survive: {leaks[:10]}"


def test_spans_file_has_offsets_into_original(sample_run):
    _, out = sample_run
    records = [json.loads(line) for line in (out / "spans.jsonl").read_text().splitlines()]
    assert records
    for record in records:
        for span in record["spans"]:
            assert 0 <= span["start"] < span["end"] and span["label"] and 0 <= span["score"] <= 1


def test_detect_follows_contract(cli, tmp_path):
    texts = [{"id": "a", "text": "Call Maria Lopez at (555) 201-3344 on 7/22."}, {"id": "b", "text": ""},
             {"id": "c", "text": "No identifiers here, just group went well."}]
    infile = tmp_path / "in.jsonl"
    infile.write_text("".join(json.dumps(t) + "\n" for t in texts))
    result = cli(["detect", infile, "-o", tmp_path / "out.jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    found = {texts[0]["text"][s["start"]:s["end"]]: s["label"] for s in lines[0]["spans"]}
    assert found == {"Maria Lopez": "PERSON", "(555) 201-3344": "PHONE", "7/22": "DATE"}
    assert lines[1]["spans"] == [] and lines[2]["spans"] == []


def test_eval_computes_hand_checked_numbers(cli, tmp_path):
    # Gold: "Ann" (0-3) and "7/22" (12-16). Predicted: "Ann" fully, "7/2" partly, and "met" wrongly.
    text = "Ann met us, 7/22 then"
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "d", "text": text, "spans": [
        {"start": 0, "end": 3, "label": "PERSON"}, {"start": 12, "end": 16, "label": "DATE"}]}) + "\n")
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps({"id": "d", "spans": [
        {"start": 0, "end": 3, "label": "PERSON"}, {"start": 4, "end": 7, "label": "PERSON"},
        {"start": 12, "end": 15, "label": "DATE"}]}) + "\n")
    report = tmp_path / "report.json"
    result = cli(["eval", gold, "--pred", pred, "--json", report, "--min-recall", "0.5"])
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text())
    # 1 of 2 mentions caught; predicted chars 3+3+3 = 9, of which 6 inside gold.
    assert data["overall"]["recall"] == 0.5
    assert data["overall"]["precision"] == round(6 / 9, 4)
    p, r = 6 / 9, 0.5
    assert data["overall"]["f2"] == round(5 * p * r / (4 * p + r), 4)
    assert data["by_label"]["PERSON"] == {"mentions": 1, "caught": 1, "recall": 1.0, "pred_chars": 6,
                                          "precision": 0.5, "f2": round(5 * 0.5 / 3, 4)}
    assert data["leaks"] == [{"id": "d", "start": 12, "end": 16, "label": "DATE"}]
    assert "7/22" not in result.output  # no values unless --show-values
    failing = cli(["eval", gold, "--pred", pred, "--min-recall", "0.9"])
    assert failing.exit_code == 1


def test_run_works_without_network(cli, tmp_path, monkeypatch):
    """Health-data programs often run offline: no traceback from libraries that try the network."""
    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    src = tmp_path / "in"
    src.mkdir()
    (src / "note.txt").write_text("Email tina.r@example.org or see https://example.com/tina for details.\n")
    result = cli(["run", src, "--out", tmp_path / "out", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    text = next((tmp_path / "out").glob("*.txt")).read_text()
    assert "example.org" not in text and "example.com/tina" not in text


def test_quarantine_is_reported_and_run_goes_on(cli, tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text("Kevin Ortiz came to group.\n")
    (src / "latin1.txt").write_bytes("Jos\xe9 came to group.\n".encode("latin-1"))
    (src / "boom.txt").write_text("This one makes detection fail.\n")
    import redact.api

    real_detect = redact.api.Redactor.detect

    def failing_detect(self, texts):
        texts = list(texts)
        if any("detection fail" in t for t in texts):
            raise RuntimeError("simulated model failure")
        return real_detect(self, texts)
    monkeypatch.setattr(redact.api.Redactor, "detect", failing_detect)
    out = tmp_path / "out"
    result = cli(["run", src, "--out", out])
    assert result.exit_code == 1, result.output
    by_status = {}
    for line in _manifest(out):
        by_status.setdefault(line["status"], []).append(line)
    assert len(by_status["ok"]) == 1 and len(by_status["quarantined"]) == 2
    reasons = sorted(line["reason"] for line in by_status["quarantined"])
    assert reasons[0].startswith("not valid UTF-8") and reasons[1] == "processing failed: RuntimeError"
    assert all(line["output"] is None for line in by_status["quarantined"])
    assert len(list(out.rglob("*.txt"))) == 1
    assert "Traceback" not in result.output


def test_output_inside_input_is_refused(cli, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("hello\n")
    result = cli(["run", src, "--out", src / "out"])
    assert result.exit_code == 2
    assert "inside input folder" in result.output
    assert not (src / "out").exists()


def test_missing_model_is_one_line_with_fix(cli, tmp_path):
    (tmp_path / "a.txt").write_text("hello\n")
    result = cli(["run", tmp_path / "a.txt", "--out", tmp_path / "o", "--model", "en_core_web_nonexistent"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "pip install" in result.output


def test_fixture_gold_matches_sample_data():
    for doc in read_gold(FIXTURES / "sample_data.gold.jsonl"):
        assert (SAMPLE_DATA / doc["id"]).read_text(encoding="utf-8") == doc["text"]


def _all_commands():
    from redact.cli import LazyGroup, main

    return [(name, LazyGroup.get_command(main, None, name)) for name in COMMANDS]


@pytest.mark.parametrize("name, command", _all_commands(), ids=[n for n in COMMANDS])
def test_every_option_is_documented(cli, name, command):
    import click

    shown = " ".join(cli([name, "--help"]).output.split())
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help and param.help.strip(), f"{name} {param.opts[0]} has no help"
            assert param.opts[-1] in shown or param.opts[0] in shown, f"{name} {param.opts[0]} not in --help"


def test_top_level_help_keeps_each_first_sentence_whole(cli):
    from redact.cli import first_sentence

    shown = " ".join(cli(["--help"]).output.split())
    for name, command in _all_commands():
        sentence = first_sentence(command)
        assert sentence.endswith((".", ")")) and not sentence.endswith("e.g."), (name, sentence)
        assert f"{name} {sentence}" in shown, name  # whole, never cut with "..."
    assert "..." not in shown.split("Commands:")[1]


def test_model_help_names_the_shipped_model(cli):
    assert "ner-peer-sm" in " ".join(cli(["run", "--help"]).output.split())


_TEXT = "Ann met us on 7/22."


@pytest.mark.parametrize("gold_spans, pred, message", [
    ([{"start": 0, "end": 99, "label": "PERSON"}], None, "past the end of the text"),
    ([{"start": "0", "end": 3, "label": "PERSON"}], None, "must be integers"),
    ({"start": 0, "end": 3, "label": "PERSON"}, None, "spans must be a list"),
    ([{"start": 3, "end": 0, "label": "PERSON"}], None, "below end"),
    ([{"start": 0, "end": 3, "label": "WIZARD"}], None, "unknown label 'WIZARD'"),
    ([{"start": 0, "end": 3, "label": "PERSON"}], {"id": "d", "spans": [{"start": 0, "end": 50, "label": "PERSON"}]},
     "past the end of the text"),
    ([{"start": 0, "end": 3, "label": "PERSON"}], {"id": "other", "spans": []}, "no predicted id matches"),
    ([{"start": 0, "end": 3, "label": "PERSON"}], {"id": "d", "spans": "0-3"}, "spans must be a list"),
])
def test_eval_refuses_bad_gold_or_predictions_in_one_line(cli, tmp_path, gold_spans, pred, message):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "d", "text": _TEXT, "spans": gold_spans}) + "\n")
    args = ["eval", gold]
    if pred is not None:
        (tmp_path / "pred.jsonl").write_text(json.dumps(pred) + "\n")
        args += ["--pred", tmp_path / "pred.jsonl"]
    result = cli(args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1, result.output
    assert message in result.output
    assert "Ann" not in result.output  # names the file and line, never the text
