"""`redact verify`: residual identifiers in an export, by offset and label, never by value."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from redact.recognizers.names import SPEAKER, _line_is_caseless
from redact.spans import Span
from redact.verify import MASK_CHAR, _words_apart, mask_placeholders, residuals

# Synthetic documents whose identifiers the first pass catches in full, with placeholders right
# beside words a second pass could mistake for names (credentials, field labels, speaker turns).
CLEAN = {
    "notes/contact_note.txt": (
        "Peer contact note, 3/14/2026\n"
        "Participant: Maria Lopez (34)\nPeer: Kevin Ortiz, CPRS\n\n"
        "Maria called from 555-201-3344 about housing. She met her sponsor Dee at Harbor Light "
        "Shelter on 3/12. Follow up re: lease next week.\n\nSincerely,\n\nKevin Ortiz, CPRS\n"),
    "transcripts/checkin.txt": (
        "[00:00:05] DARNELL: I saw Luz at group on Tuesday.\n"
        "[00:00:12] Facilitator: Good. How is the job at Kroger going, Darnell?\n"
        "[00:00:20] DARNELL: Fine. Luz says hi.\n"),
}
PLANTED = "Rosalind Featherstone-Quigley"


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    from click.testing import CliRunner

    from redact.cli import main

    root = tmp_path_factory.mktemp("verify")
    src = root / "in"
    for rel, text in CLEAN.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    out = root / "out"
    result = CliRunner().invoke(main, ["run", str(src), "--out", str(out), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_clean_export_passes(export, cli, tmp_path):
    result = cli(["verify", export, "--json", tmp_path / "report.json"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["clean"] and report["files_checked"] == len(CLEAN) and report["findings"] == 0


def test_planted_identifier_found_not_printed(export, cli, tmp_path):
    planted = tmp_path / "planted"
    shutil.copytree(export, planted)
    line = json.loads((planted / "manifest.jsonl").read_text().splitlines()[0])
    target = planted / line["output"]
    text = target.read_text()
    target.write_text(text + f"\nFollow-up call with Dr. {PLANTED} about the plan.\n")
    roster = tmp_path / "roster.txt"
    roster.write_text(PLANTED + "\n")
    result = cli(["verify", planted, "--roster", roster])
    assert result.exit_code == 1
    assert f"{line['output']}: 1 residual" in result.output or f"{line['output']}: 2 residuals" in result.output
    import re

    starts = [int(m) for m in re.findall(r":(\d+)-\d+ PERSON", result.output)]
    assert any(s >= len(text) for s in starts)  # offsets into the exported file
    for word in ["Rosalind", "Featherstone", "Quigley"]:
        assert word.lower() not in result.output.lower()


def test_missing_output_and_unreadable_file_fail_closed(export, cli, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(export, broken)
    line = json.loads((broken / "manifest.jsonl").read_text().splitlines()[0])
    (broken / line["output"]).unlink()
    (broken / "stray.txt").write_bytes(b"\x00\x01binary")
    result = cli(["verify", broken])
    assert result.exit_code == 1
    assert "missing" in result.output and "stray.txt: not checked" in result.output


def test_mask_keeps_offsets_and_drops_own_placeholders():
    text = "Met [PERSON_1] and PERSON_3f9a2c1b, call ***-***-3344 on [DATE_2]."
    masked, regions = mask_placeholders(text)
    assert len(masked) == len(text) and "[" not in masked and "PERSON" not in masked
    assert masked[4:14] == MASK_CHAR * 10
    inside = Span(4, 14, "PERSON")
    overlapping = Span(4, 18, "PERSON")  # "[PERSON_1] and": only "and" left
    assert residuals([inside, overlapping], regions, masked) == [Span(14, 18, "PERSON")]


def test_everyday_words_beside_a_placeholder_are_no_residual():
    text = "Met at [ORGANIZATION_1] fellowship hall with [PERSON_1] Okafor; [PERSON_3] left the hall early"
    masked, regions = mask_placeholders(text)
    plain = {"fellowship", "hall", "left", "early"}.__contains__

    def at(value: str) -> Span:
        return Span(text.index(value), text.index(value) + len(value), "PERSON")
    spans = [at("fellowship hall"), at("[PERSON_1] Okafor"), at("[PERSON_3] left"), at("hall early")]
    # A name beside a placeholder is a residual; everyday words in or beside one are not, while
    # the same words apart from any placeholder are still reported.
    assert residuals(spans, regions, masked, plain) == [at(" Okafor"), at("hall early")]


@pytest.mark.parametrize("line, caseless", [
    ("thanks so much, will get back to you shortly ok", True),
    # the same chat line with its names masked: the capitals were blanked, not never written
    (mask_placeholders("thanks [PERSON_1], will get back to you and [PERSON_2] shortly")[0], False),
    ("PT RESTING COMFORTABLY, NO ACUTE DISTRESS", True),
    (mask_placeholders("PT SEEN BY [PERSON_1], NO ACUTE DISTRESS")[0], True),
])
def test_a_masked_name_does_not_make_its_line_caseless(line, caseless):
    assert _line_is_caseless(line) is caseless


@pytest.mark.parametrize("line", [
    "[PERSON_1]: yeah ok", "[00:01:02] [PERSON_12]: yeah", "[[DATE_3] 9:14pm] [USERNAME_4]: ok"])
def test_a_masked_speaker_label_is_still_a_speaker(line):
    # Evidence counts a speaker's turns and reads a turn's case without its label: a blanked
    # name must leave the turn a turn, or verify scores the same words differently from the run.
    masked, regions = mask_placeholders(line)
    label = SPEAKER.match(masked).group("label")
    assert set(label) == {MASK_CHAR} and len(label) == regions[-1][1] - regions[-1][0]


def test_the_runs_own_neutral_picture_names_are_masked():
    masked, regions = mask_placeholders("word media part17.png")
    assert "part17" not in masked and regions == [(11, 21)]


def test_verify_help(cli):
    result = cli(["verify", "--help"])
    assert result.exit_code == 0 and "never the text found" in result.output


def test_quiet_prints_only_the_summary(export, cli, tmp_path):
    planted = tmp_path / "quiet"
    shutil.copytree(export, planted)
    line = json.loads((planted / "manifest.jsonl").read_text().splitlines()[0])
    target = planted / line["output"]
    target.write_text(target.read_text() + f"\nFollow-up call with Dr. {PLANTED} about the plan.\n")
    result = cli(["verify", planted, "-q"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("redact verify:") and "NOT clean" in lines[0]


def test_every_part_of_office_files_and_parquet_is_read(tmp_path):
    """verify's readers see metadata and hidden parts, not just the body."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from hostile.build import docx_comments, docx_core_properties, parquet_metadata, xlsx_hidden_parts

    from redact.verify import parquet_texts, zip_texts

    comments = " ".join(zip_texts(docx_comments(), "DOCX"))
    assert "Ottoline Braithwaite" in comments and "Ferdinand Quarrington" in comments
    assert "Augustina Pemberton" in " ".join(zip_texts(docx_core_properties(), "DOCX"))
    book = " ".join(zip_texts(xlsx_hidden_parts(), "XLSX"))
    for value in ("Marigold Asante", "Imogen Farraday", "Ezekiel Montgomery", "Winifred Ashdown", "Horatio Blackwood"):
        assert value in book
    path = tmp_path / "t.parquet"
    path.write_bytes(parquet_metadata())
    texts = " ".join(parquet_texts(path))
    assert "Sebastian Oyelowo" in texts and "Genevieve Saltonstall" in texts and "555-0177" in texts


def test_attribute_words_are_read_apart_but_placeholders_stay_masked():
    text = _words_apart("Photo_of_Ada_Lind [PERSON_1] and [ORGANIZATION_12]")
    assert text.startswith("Photo of Ada Lind ")
    masked, regions = mask_placeholders(text)
    assert len(regions) == 2 and "PERSON" not in masked
