"""Tabular exports, captions and Word documents through `redact run`: same shape out, no
identifier left, malformed files quarantined with a one-line reason while the batch goes on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, SAMPLE_DATA, read_gold

SECRET = "synthetic-test-secret-0123456789"
def gold_values(path: Path) -> set[str]:
    return {g["text"][s["start"]:s["end"]] for g in read_gold(path) for s in g["spans"]}


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def output_of(out: Path, record: dict) -> Path:
    assert record["status"] == "ok", record
    return out / record["output"]


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret"
    path.write_text(SECRET)
    return path


@pytest.fixture
def tabular_run(cli, tmp_path, secret_file):
    src = tmp_path / "in"
    shutil.copytree(SAMPLE_DATA / "tabular", src)
    out = tmp_path / "out"
    result = cli(["run", src, "-o", out, "--secret-file", secret_file, "--id-column", "participant",
                  "--text-column", "note", "--date-column", "date", "--keep-column", "program", "-q"])
    assert result.exit_code == 0, result.output
    return src, out, result


def test_csv_and_xlsx_keep_their_shape(tabular_run):
    src, out, _ = tabular_run
    records = {Path(r["output"]).suffix: r for r in manifest(out)}
    before = pd.read_csv(src / "sessions.csv")
    after = pd.read_csv(output_of(out, records[".csv"]))
    assert list(after.columns) == list(before.columns)
    assert len(after) == len(before) == 30
    for column in ("program", "attendance", "minutes"):   # untouched: same values, same dtype
        assert after[column].dtype == before[column].dtype
        assert after[column].tolist() == before[column].tolist()
    assert after["date"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert after["participant"].str.fullmatch(r"ID_[0-9a-f]{12}").all()
    # Row order: the same participant keeps the same pseudonym on the same rows.
    assert (before["participant"].factorize()[0] == after["participant"].factorize()[0]).all()

    xbefore = pd.read_excel(src / "sessions.xlsx")
    xafter = pd.read_excel(output_of(out, records[".xlsx"]))
    assert list(xafter.columns) == list(xbefore.columns) and len(xafter) == len(xbefore) == 12
    assert xafter["minutes"].dtype == xbefore["minutes"].dtype
    assert xafter["minutes"].tolist() == xbefore["minutes"].tolist()
    # Keyed id pseudonyms join across files.
    assert xafter["participant"].tolist() == after["participant"].head(12).tolist()


def test_tabular_outputs_hold_no_gold_identifier(tabular_run):
    _, out, _ = tabular_run
    values = gold_values(FIXTURES / "tabular.gold.jsonl")
    values |= set(json.loads((FIXTURES / "tabular.identifiers.json").read_text())["identifiers"])
    for record in manifest(out):
        path = output_of(out, record)
        text = path.read_text() if path.suffix == ".csv" else pd.read_excel(path).to_csv()
        assert sorted(v for v in values if v in text) == []
        assert record["entities"].get("PERSON", 0) > 0


def test_unlabelled_identifier_column_is_redacted_and_reported(tabular_run):
    _, out, result = tabular_run
    # `facilitator` has no role: its values are names, so it is redacted as text and reported by
    # position only (a header can itself be a name: header text is never copied into a message).
    assert "Anjali" not in result.output and "Raman" not in result.output
    assert "facilitator" not in result.output
    notes = [r.get("notes", []) for r in manifest(out)]
    assert all(any(n.startswith("column 2 redacted as text") for n in ns) for ns in notes)
    assert not any("facilitator" in n for ns in notes for n in ns)


def test_header_check_and_keep_column(cli, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    pd.DataFrame({"email": ["a.b@example.org", "c.d@example.org"], "count": [1, 2]}).to_csv(src / "t.csv", index=False)
    out = tmp_path / "out"
    result = cli(["run", src, "-o", out, "-q"])
    assert result.exit_code == 0, result.output
    text = output_of(out, manifest(out)[0]).read_text()
    assert "example.org" not in text
    assert any("its header names an identifier" in n for n in manifest(out)[0].get("notes", []))
    kept = tmp_path / "kept"
    result = cli(["run", src, "-o", kept, "-q", "--keep-column", "email"])
    assert result.exit_code == 0, result.output
    assert "a.b@example.org" in output_of(kept, manifest(kept)[0]).read_text()


def test_jsonl_tsv_parquet_round_trip_with_table_config(cli, tmp_path, secret_file):
    frame = pd.read_csv(SAMPLE_DATA / "tabular" / "sessions.csv").head(8)
    src = tmp_path / "in"
    src.mkdir()
    frame.to_json(src / "s.jsonl", orient="records", lines=True)
    frame.to_csv(src / "s.tsv", sep="\t", index=False)
    frame.to_parquet(src / "s.parquet", index=False)
    config = tmp_path / "tables.yaml"
    config.write_text("columns:\n  id: [participant]\n  text: [note, facilitator]\n  date: [date]\n"
                      "  keep: [program]\nfiles:\n  '*.parquet':\n    drop: [attendance]\n")
    out = tmp_path / "out"
    result = cli(["run", src, "-o", out, "--secret-file", secret_file, "--table-config", config, "-q"])
    assert result.exit_code == 0, result.output
    outputs = {Path(r["output"]).suffix: output_of(out, r) for r in manifest(out)}
    readers = {".jsonl": lambda p: pd.read_json(p, lines=True), ".tsv": lambda p: pd.read_csv(p, sep="\t"),
               ".parquet": pd.read_parquet}
    for suffix, read in readers.items():
        after = read(outputs[suffix])
        expected = [c for c in frame.columns if not (suffix == ".parquet" and c == "attendance")]
        assert list(after.columns) == expected, suffix
        assert len(after) == len(frame)
        assert after["minutes"].tolist() == frame["minutes"].tolist()
        assert after["minutes"].dtype == frame["minutes"].dtype
        assert not any(name in outputs[suffix].read_bytes().decode("utf-8", "replace")
                       for name in ("Darnell", "Washington", "example.org", "Germantown"))
    # Same secret, same participant: the same pseudonym in every format.
    assert len({tuple(readers[s](outputs[s])["participant"]) for s in readers}) == 1


def test_large_csv_streams_in_chunks(cli, tmp_path, monkeypatch):
    from redact.io import tabular

    monkeypatch.setattr(tabular, "CHUNK_ROWS", 7)
    src = tmp_path / "in"
    src.mkdir()
    rows = [{"n": i, "note": f"Spoke with Maribel Ortega, phone (555) 201-{3000 + i}." if i % 2 else "No contact."}
            for i in range(40)]
    pd.DataFrame(rows).to_csv(src / "big.csv", index=False)
    out = tmp_path / "out"
    result = cli(["run", src, "-o", out, "-q"])
    assert result.exit_code == 0, result.output
    after = pd.read_csv(output_of(out, manifest(out)[0]))
    assert after["n"].tolist() == list(range(40))
    notes = after["note"].tolist()
    assert "Maribel" not in " ".join(notes)
    # One replacer for the whole file: the same person has the same tag in every chunk.
    assert notes[1].startswith("Spoke with [PERSON_1], phone [PHONE_1]")
    assert notes[39].startswith("Spoke with [PERSON_1], phone [PHONE_20]")


def test_malformed_files_are_quarantined_and_the_batch_goes_on(cli, tmp_path, monkeypatch):
    from redact.io import tabular

    monkeypatch.setattr(tabular, "CHUNK_ROWS", 3)
    src = tmp_path / "in"
    src.mkdir()
    (src / "ragged.csv").write_text("a,b\n1,2\n3,4\n5,6\n7,8,9\n")   # bad row in the second chunk
    (src / "quote.csv").write_text('a,b\n1,"Darnell\n')
    (src / "broken.vtt").write_text("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nHi Darnell\n")
    (src / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (src / "note.txt").write_text("Darnell Washington called from 555-201-4455.\n")
    out = tmp_path / "out"
    result = cli(["run", src, "-o", out, "-q"])
    assert result.exit_code == 1, result.output
    by_name = {r["input"].split("_", 1)[1] if "_" in r["input"] else r["input"]: r for r in manifest(out)}
    reasons = {r["reason"] for r in manifest(out) if r["status"] == "quarantined"}
    assert reasons == {"malformed CSV: a row has 3 fields, the header 2 (line 5)",
                       "malformed CSV: unterminated quoted field (near line 2)",
                       "malformed WebVTT: cue 1 has no valid timing line",
                       "corrupt or unreadable DOCX document (not a zip archive)"}, by_name
    assert all("\n" not in r and "Darnell" not in r for r in reasons)
    written = sorted(p.name for p in out.rglob("*") if p.is_file())
    documents = [n for n in written if n not in {"manifest.jsonl", "stats.json"}]
    assert len(documents) == 1 and documents[0].endswith("_note.txt")


def test_id_column_without_secret_is_a_usage_error(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("REDACT_SECRET", raising=False)
    out = tmp_path / "out"
    result = cli(["run", SAMPLE_DATA / "tabular", "-o", out, "--id-column", "participant"])
    assert result.exit_code == 2, result.output
    assert "needs the run's secret" in result.output and not out.exists()
    result = cli(["run", SAMPLE_DATA / "tabular", "-o", out, "--text-column", "x", "--drop-column", "x"])
    assert result.exit_code == 2 and "two roles" in result.output


def _vtt_cues(path: Path):
    import webvtt

    return [(c.identifier, c.start, c.end) for c in webvtt.read(str(path))]


def _srt_cues(path: Path):
    import srt

    return [(s.index, s.start, s.end) for s in srt.parse(path.read_text())]


@pytest.fixture
def caption_run(cli, tmp_path):
    out = tmp_path / "out"
    result = cli(["run", SAMPLE_DATA / "captions", "-o", out, "-q"])
    assert result.exit_code == 0, result.output
    return {Path(r["output"]).suffix: output_of(out, r) for r in manifest(out)}


def test_captions_keep_timing_and_structure(caption_run):
    src = SAMPLE_DATA / "captions"
    vtt, srt_ = caption_run[".vtt"], caption_run[".srt"]
    before_cues, after_cues = _vtt_cues(src / "peer_checkin_0309.vtt"), _vtt_cues(vtt)
    assert [c[1:] for c in after_cues] == [c[1:] for c in before_cues]
    # Cue identifiers (free text: "intro" could be a name) become the cue's number.
    assert [c[0] for c in after_cues] == [str(n) if c[0] else c[0] for n, c in enumerate(before_cues, 1)]
    assert _srt_cues(srt_) == _srt_cues(src / "womens_circle_0225.srt")
    # Every timing and blank line is byte for byte the same.
    for before, after in ((src / "peer_checkin_0309.vtt", vtt), (src / "womens_circle_0225.srt", srt_)):
        a, b = before.read_text().splitlines(), after.read_text().splitlines()
        assert len(a) == len(b)
        assert [x for x in a if "-->" in x or not x.strip()] == [y for y in b if "-->" in y or not y.strip()]


def test_captions_hold_no_gold_identifier(caption_run):
    text = "".join(p.read_text() for p in caption_run.values())
    values = gold_values(FIXTURES / "captions.gold.jsonl")
    assert sorted(v for v in values if v in text) == []


def test_voice_names_share_tags_with_mentions(caption_run):
    text = caption_run[".vtt"].read_text()
    # Kevin speaks in <v Kevin Osei-Mensah> and is addressed as "Kevin": one tag for both.
    assert "<v [PERSON_1]>Okay, it's recording." in text
    assert "go ahead, [PERSON_1]." in text


def test_speaker_labelled_text_transcript(cli, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "call.txt").write_text("[00:00:04] ROSA: Hi Darnell, it's Rosa from the peer line.\n"
                                  "[00:00:07] DARNELL: Hey Rosa. Call me back at 555-201-6677.\n")
    out = tmp_path / "out"
    result = cli(["run", src, "-o", out, "-q"])
    assert result.exit_code == 0, result.output
    text = output_of(out, manifest(out)[0]).read_text()
    assert text.startswith("[00:00:04] ") and "\n[00:00:07] " in text
    assert not any(v in text for v in ("Rosa", "ROSA", "Darnell", "DARNELL", "6677"))


def test_docx_paragraphs_and_tables(cli, tmp_path):
    import docx

    src = tmp_path / "in"
    src.mkdir()
    document = docx.Document()
    document.core_properties.author = "Anjali Raman"
    para = document.add_paragraph("Participant ")
    para.add_run("Darnell Washington").bold = True
    para.add_run(" called from 555-201-9911 on March 3, 2026.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Name", "Contact"
    table.cell(1, 0).text, table.cell(1, 1).text = "Tanya Brooks", "tanya.b@example.org"
    document.save(src / "note.docx")
    out = tmp_path / "out"
    result = cli(["run", src, "-o", out, "-q"])
    assert result.exit_code == 0, result.output
    after = docx.Document(output_of(out, manifest(out)[0]))
    body = "\n".join(p.text for p in after.paragraphs)
    cells = [[c.text for c in row.cells] for row in after.tables[0].rows]
    assert body.endswith("called from [PHONE_1] on [DATE_1].")
    assert after.paragraphs[0].runs[0].text == after.paragraphs[0].text   # one run holds the text
    assert len(cells) == 2 and cells[0] == ["Name", "Contact"]
    assert not any(v in body + str(cells) for v in ("Darnell", "Washington", "9911", "Tanya", "example.org"))
    assert after.core_properties.author == ""


def test_caption_view_maps_voice_names_back_to_the_tag():
    from redact.io.captions import split_by_line, view
    from redact.spans import Span

    raw = "<v.loud Darnell W>Hi <i>Kiara</i></v>"
    v = view(raw)
    assert v.text == "Darnell W: Hi Kiara"
    spans = split_by_line([Span(0, 9, "PERSON"), Span(14, 19, "PERSON")], [v])[0]
    assert [raw[s.start:s.end] for s in spans] == ["Darnell W", "Kiara"]


@pytest.mark.parametrize("header, flagged", [
    ("first_name", True), ("PatientDOB", True), ("e-mail", True), ("email", True), ("Phone #", True),
    ("mrn", True), ("attendance", False), ("minutes", False), ("note", False), ("home_address", True),
])
def test_header_words(header, flagged):
    from redact.io.tabular import header_says_identifier

    assert header_says_identifier(header) is flagged


def test_jsonl_key_first_seen_in_a_later_chunk_is_checked(cli, tmp_path, monkeypatch):
    from redact.io import tabular

    monkeypatch.setattr(tabular, "CHUNK_ROWS", 3)
    src = tmp_path / "in"
    src.mkdir()
    records = [{"n": i, "status": "ok", "minutes": 12.5} for i in range(4)]
    records.append({"n": 4, "Quintessa Marlowe": "present", "note": "Call Quintessa Marlowe at 555-0191."})
    (src / "late.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "out"
    result = cli(["run", src, "-o", out, "-q"])
    assert result.exit_code == 0, result.output
    lines = output_of(out, manifest(out)[0]).read_text().splitlines()
    assert "Quintessa" not in "".join(lines) and "555-0191" not in "".join(lines)
    assert json.loads(lines[0]) == {"n": 0, "status": "ok", "minutes": 12.5}   # types kept
    last = json.loads(lines[-1])
    assert last["n"] == 4 and any(k.startswith("[PERSON_") for k in last)
