"""`redact withdraw`: the next version of a --consent export after a participant withdrew, with
the real model. Every person here is invented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REGISTRY = """\
participants:
  - {id: P1, names: [Ilona Varga], nicknames: [Lonnie], speakers: [ILONA], pronouns: [she, her]}
  - {id: P2, names: [Marcus Bell], speakers: [MARCUS]}
  - {id: P3, names: [Rosa Delgado], speakers: [ROSA]}
changes:
  - {participant: P1, date: 2026-01-05, change: given, purposes: [research]}
  - {participant: P2, date: 2026-01-05, change: given, purposes: [research]}
  - {participant: P3, date: 2026-01-05, change: given, purposes: [research]}
  - {participant: P1, date: 2026-03-01, change: withdrawn}
"""

SESSION = """\
[00:00:01] ROSA: Welcome back. Who wants to go first?
[00:00:04] ILONA: I will. I moved into the blue house by the river last week.
[00:00:09] MARCUS: Congratulations, that is a big change for you.
"""
NOTE = "Lonnie brought soup for everyone at group today. Marcus led the reading.\n"
OTHER = "Marcus reported a calm week. He plans to attend the Tuesday meeting.\n"


def _manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


@pytest.fixture
def export(cli, tmp_path):
    """Version 1, made for research as of 2026-02-15 (Ilona consented then)."""
    source = tmp_path / "in"
    source.mkdir()
    (source / "session.txt").write_text(SESSION)
    (source / "note.txt").write_text(NOTE)
    (source / "other.txt").write_text(OTHER)
    registry = tmp_path / "staff" / "consent.yaml"
    registry.parent.mkdir()
    registry.write_text(REGISTRY)
    out = tmp_path / "export"
    result = cli(["run", source, "--out", out, "--consent", registry, "--purpose", "research",
                  "--as-of", "2026-02-15", "--quiet", "-j", "1"])
    assert result.exit_code == 0, result.output
    everything = " ".join(p.read_text() for p in out.rglob("*.txt"))
    # Her words are in version 1 (whether "the blue house" reads as a place is detection's call).
    assert "by the river last week" in everything and "brought soup" in everything
    return source, registry, out


def test_withdraw_writes_the_next_version_without_the_participant(cli, export):
    source, registry, out = export
    before = {line["output"]: (out / line["output"]).read_bytes() for line in _manifest(out)}
    result = cli(["withdraw", out, "--consent", registry, "--source", source, "--as-of", "2026-03-05"])
    assert result.exit_code == 0, result.output
    lines = {Path(line["output"]).name.split("_", 1)[1]: line for line in _manifest(out)}
    # Only the two documents with her words or story are rewritten and carry version 2.
    assert lines["session.txt"]["version"] == 2 and lines["note.txt"]["version"] == 2
    assert "version" not in lines["other.txt"]
    other = lines["other.txt"]["output"]
    assert (out / other).read_bytes() == before[other]
    session = (out / lines["session.txt"]["output"]).read_text()
    assert "blue house" not in session and "[utterance withheld]" in session
    assert "Congratulations, that is a big change for you." in session   # the others' words stay
    assert lines["session.txt"]["withheld"] == {"utterances": {"withdrawn": 1}}
    note = (out / lines["note.txt"]["output"]).read_text()
    assert "soup" not in note and "led the reading" in note
    # Changelog: affected outputs by path and counts, never a name; the version recorded.
    changes = [json.loads(line) for line in (out / "changelog.jsonl").read_text().splitlines()]
    assert len(changes) == 1 and changes[0]["version"] == 2
    assert sorted(o["output"] for o in changes[0]["outputs"]) == \
        sorted([lines["session.txt"]["output"], lines["note.txt"]["output"]])
    assert json.loads((out / "consent.json").read_text())["version"] == 2
    written = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    assert not re.search(r"\b(?:Ilona|Varga|Lonnie|ILONA|P1)\b", written)
    assert "CHANGELOG.md" in {p.name for p in out.iterdir()}
    # Nothing left beside the export (the staging folder is gone).
    assert sorted(p.name for p in out.parent.iterdir()) == ["export", "in", "staff"]
    # A second withdrawal on the same date has nothing to do.
    again = cli(["withdraw", out, "--consent", registry, "--source", source, "--as-of", "2026-03-05"])
    assert again.exit_code == 0 and "stays version 2" in again.output


def test_withdraw_refuses_other_options_or_a_plain_export(cli, export, tmp_path):
    source, registry, out = export
    manifest = (out / "manifest.jsonl").read_bytes()
    result = cli(["withdraw", out, "--consent", registry, "--source", source, "--as-of", "2026-03-05",
                  "--policy", "mask"])
    assert result.exit_code == 2 and "options differ" in result.output
    assert (out / "manifest.jsonl").read_bytes() == manifest
    plain = tmp_path / "plain"
    plain.mkdir()
    result = cli(["withdraw", plain, "--consent", registry, "--source", source])
    assert result.exit_code == 2 and "not an export made with --consent" in result.output


def test_check_finds_a_name_variant_or_a_withheld_passage():
    from redact.consent import Participant, Registry
    from redact.withdrawal import remaining

    registry = Registry((Participant("P1", ("Ilona Varga",), ("Lonnie",), (), frozenset()),), ())
    names = registry.mention_pattern(["P1"])
    passage = "I moved into the blue house by the river last week."
    assert remaining("[PERSON_1]: [utterance withheld]", names, [passage]) == (0, 0)
    assert remaining("[PERSON_1]: I moved into the blue house by the river last week.", names, [passage]) == (0, 1)
    assert remaining("Then lonnie left early.", names, [passage]) == (1, 0)
