"""Hostile and broken inputs: each accounted for with a one-line reason, never a traceback."""

from __future__ import annotations

import codecs
import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redact.pipeline import RunOptions, discover, run


def _manifest(out: Path, src: Path) -> dict[str, dict]:
    """Manifest lines by input file name (lines are in input order; their paths are de-identified)."""
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    items = discover([src])
    assert len(items) == len(lines)
    return {item.path.name: line for item, line in zip(items, lines)}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    from click.testing import CliRunner

    from redact.cli import main

    root = tmp_path_factory.mktemp("hostile")
    src = root / "in"
    (src / "sub").mkdir(parents=True)
    (src / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (src / "latin.txt").write_bytes("Caf\xe9 visit on Tuesday.\n".encode("cp1252"))
    (src / "bom8.txt").write_bytes(codecs.BOM_UTF8 + b"Group met on Monday.\n")
    (src / "bom16.txt").write_bytes("Group met on Friday.\n".encode("utf-16"))
    (src / "nul.txt").write_bytes(b"hello\x00world\n")
    (src / "empty.txt").write_bytes(b"")
    (src / "blank.txt").write_bytes(b"  \n\n")
    (src / "big.txt").write_bytes(b"word " * 5000)
    (src / "image.png").write_bytes(b"\x89PNG")
    outside = root / "secret_outside.txt"
    outside.write_text("Outside note about Maria Lopez.\n")
    (src / "link_out.txt").symlink_to(outside)
    (src / "link_in.txt").symlink_to(src / "bom8.txt")
    os.mkfifo(src / "sub" / "pipe.txt")
    out = root / "out"
    args = ["run", str(src), "--out", str(out), "--encoding", "cp1252", "--max-bytes", "20000", "-q"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    follow = CliRunner().invoke(main, args[:3] + [str(root / "out2"), *args[4:], "--follow-symlinks"],
                                catch_exceptions=False)
    return result, out, _manifest(out, src), follow, _manifest(root / "out2", src)


def test_every_input_has_one_reasoned_line(hostile_run):
    result, out, lines, _, _ = hostile_run
    assert result.exit_code == 1, result.output  # some quarantined, the rest written
    assert "Traceback" not in result.output
    assert len(lines) == 12
    for line in lines.values():
        assert line["status"] in {"ok", "skipped", "quarantined"}
        if line["status"] != "ok":
            assert line["reason"] and "\n" not in line["reason"] and line["output"] is None


@pytest.mark.parametrize("name, status, reason", [
    ("binary.txt", "quarantined", "binary"),
    ("nul.txt", "quarantined", "binary"),
    ("empty.txt", "skipped", "empty"),
    ("blank.txt", "skipped", "empty"),
    ("big.txt", "quarantined", "too large"),
    ("image.png", "skipped", "unsupported"),
    ("link_out.txt", "skipped", "symbolic link"),
    ("link_in.txt", "skipped", "symbolic link"),
    ("pipe.txt", "skipped", "not a regular file"),
])
def test_reason(hostile_run, name, status, reason):
    line = hostile_run[2][name]
    assert line["status"] == status and reason in line["reason"]


def test_encodings_recorded(hostile_run):
    lines = hostile_run[2]
    assert lines["latin.txt"]["encoding"] == "cp1252"
    assert lines["bom8.txt"]["encoding"] == "utf-8-sig"
    assert lines["bom16.txt"]["encoding"] == "utf-16"


@pytest.mark.slow  # ~40 s: one 100k-character line is far slower than 100k characters of lines
def test_long_single_line_processed_in_chunks(tmp_path):
    # Longer than detect.CHUNK_CHARS and with no line break: cut into pieces, never refused.
    src = tmp_path / "in"
    src.mkdir()
    (src / "long.txt").write_text("filler " * 16000 + "mail maria@example.org\n")
    run([src], RunOptions(out=tmp_path / "out"))
    line = json.loads((tmp_path / "out" / "manifest.jsonl").read_text())
    assert line["status"] == "ok" and line["chars"] > 100_000
    text = (tmp_path / "out" / line["output"]).read_text()
    assert "maria@example.org" not in text and "[EMAIL_1]" in text


def test_follow_symlinks_only_inside(hostile_run):
    *_, follow, lines = hostile_run
    assert lines["link_in.txt"]["status"] == "ok"
    assert lines["link_out.txt"]["status"] == "skipped"
    assert "outside" in lines["link_out.txt"]["reason"]


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not block reads")
    src = tmp_path / "in"
    src.mkdir()
    locked = src / "locked.txt"
    locked.write_text("Maria called.\n")
    locked.chmod(0)
    try:
        run([src], RunOptions(out=tmp_path / "out"))
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)
    line = json.loads((tmp_path / "out" / "manifest.jsonl").read_text())
    assert line["status"] == "quarantined" and line["reason"] == "permission denied"


def test_output_inside_input_refused(tmp_path, cli):
    (tmp_path / "a.txt").write_text("hello\n")
    result = cli(["run", tmp_path, "--out", tmp_path / "out"])
    assert result.exit_code == 2 and "inside input folder" in result.output
    assert not (tmp_path / "out").exists()


def test_unknown_encoding_is_usage_error(tmp_path, cli):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("hello\n")
    result = cli(["run", tmp_path / "in", "--out", tmp_path / "out", "--encoding", "no-such-codec"])
    assert result.exit_code == 2 and "unknown encoding" in result.output


def test_ragged_csv_if_tabular(tmp_path):
    pytest.importorskip("redact.io.tabular")
    src = tmp_path / "in"
    src.mkdir()
    (src / "rows.csv").write_text('id,note\n1,"Maria called\n2,ok,extra,cells\n3')
    run([src], RunOptions(out=tmp_path / "out"))
    line = json.loads((tmp_path / "out" / "manifest.jsonl").read_text())
    assert line["status"] in {"ok", "quarantined"}
    if line["status"] == "quarantined":
        assert line["reason"] and line["output"] is None


_settings = settings(max_examples=12, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _property_run(tmp_path: Path, blobs: list[bytes]) -> None:
    import tempfile

    root = Path(tempfile.mkdtemp(dir=tmp_path))
    src = root / "in"
    src.mkdir()
    for i, blob in enumerate(blobs):
        (src / f"doc{i}.txt").write_bytes(blob)
    out = root / "out"
    result = run([src], RunOptions(out=out, max_bytes=4096))
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(lines) == len(blobs) == result.documents
    written = {p.relative_to(out).as_posix() for p in out.rglob("*.txt")}
    assert written == {line["output"] for line in lines if line["status"] == "ok"}
    for line in lines:
        assert (line["status"] == "ok") == (line["output"] is not None)
        if line["status"] != "ok":
            assert line["reason"]


@_settings
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=4))
def test_random_bytes_never_crash(tmp_path, blobs):
    _property_run(tmp_path, blobs)


@_settings
@given(st.lists(st.text(max_size=300), min_size=1, max_size=4))
def test_random_text_never_crash(tmp_path, texts):
    _property_run(tmp_path, [t.encode("utf-8", "surrogatepass") for t in texts])


# --- the normalised view (redact.normalize): hidden characters seen through, offsets exact ------

_hostile_chars = st.sampled_from(["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e",
                                  "\u202c", "\u2067", "\u2069", "&#80;", "&amp;", "&#x50;", "&eacute;",
                                  "e\u0301", "\uff30", "\ufb01", "\u00bd", "&", "&nosuch;"])
_mixed_text = st.lists(st.one_of(st.text(max_size=6), _hostile_chars), max_size=30).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_mixed_text)
def test_view_map_is_monotone_and_covers(text):
    from redact.normalize import INVISIBLE, normal_view

    view = normal_view(text)
    if view.identity:
        assert view.text == text
        return
    ranges = [view.char_range(i) for i in range(len(view.text))]
    starts, ends = [r[0] for r in ranges], [r[1] for r in ranges]
    assert all(0 <= s < e <= len(text) for s, e in ranges)
    assert starts == sorted(starts) and ends == sorted(ends)   # monotone
    # Every original character is covered by some view character, unless it is invisible.
    covered = set()
    for s, e in ranges:
        covered.update(range(s, e))
    assert all(text[i] in INVISIBLE for i in range(len(text)) if i not in covered)
    if view.text:
        whole = view.to_original(0, len(view.text))
        assert whole[0] <= starts[0] and whole[1] >= ends[-1]
        # A span maps onto exactly the characters its view characters came from (plus invisibles).
        for a in range(len(view.text)):
            for b in range(a + 1, min(len(view.text), a + 4) + 1):
                o_start, o_end = view.to_original(a, b)
                assert o_start <= starts[a] and o_end >= ends[b - 1]
                assert all(c in INVISIBLE for c in text[o_start:starts[a]] + text[ends[b - 1]:o_end])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=60))
def test_view_of_normal_text_is_the_text(text):
    import unicodedata

    from redact.normalize import INVISIBLE, normal_view

    if "&" in text or any(c in INVISIBLE for c in text) or not unicodedata.is_normalized("NFKC", text):
        text = "".join(c for c in unicodedata.normalize("NFKC", text) if c not in INVISIBLE and c != "&")
        if not unicodedata.is_normalized("NFKC", text):
            return
    view = normal_view(text)
    assert view.text == text
    assert view.to_original(0, len(text)) == (0, len(text))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(categories=["L", "N", "Zs"]), max_size=12), _hostile_chars,
       st.text(alphabet=st.characters(categories=["L", "N", "Zs"]), max_size=12))
def test_view_span_maps_onto_original_characters(before, hidden, after):
    """A span over the view of the middle part covers exactly the original middle part."""
    from redact.normalize import normal_view

    text = before + hidden + after
    view = normal_view(text)
    if view.identity:
        return
    # Whatever the view of the middle is, mapping the whole view back covers the hidden part.
    start, end = view.to_original(0, len(view.text)) if view.text else (0, 0)
    if view.text:
        assert start <= len(before) and (end >= len(before) + len(hidden) or not after.strip())


def test_view_examples():
    from redact.normalize import normal_view

    view = normal_view("Met Pri\u00adscilla &#80;ark, Jose\u0301 and \u202eAnn\u202c.")
    assert view.text == "Met Priscilla Park, José and Ann."
    first = view.text.index("Priscilla")
    assert view.to_original(first, first + 9) == (4, 14)   # the soft hyphen inside is covered
    park = view.text.index("Park")
    assert view.to_original(park, park + 4) == (15, 23)   # "&#80;ark"
    ann = view.text.index("Ann")
    o_start, o_end = view.to_original(ann, ann + 3)
    assert view.original[o_start:o_end] == "\u202eAnn\u202c"   # bidi controls at the edges too
    jose = view.text.index("José")
    assert view.original[slice(*view.to_original(jose, jose + 4))] == "Jose\u0301"


@pytest.mark.parametrize("text, name", [
    ("I met Pri\u200dscilla Thornbury at group yesterday.", "Pri\u200dscilla Thornbury"),
    ("I met Pri\u00adscilla Thorn\u00adbury at group yesterday.", "Pri\u00adscilla Thorn\u00adbury"),
    ("Call Jose\u0301 Ferna\u0301ndez about the lease.", "Jose\u0301 Ferna\u0301ndez"),
    ("Talked with \u202ePriscilla Thornbury\u202c today.", "Priscilla Thornbury"),
    ("Note: &#80;riscilla Thornbury came in.", "&#80;riscilla Thornbury"),
    ("\uff30\uff52\uff49\uff53\uff43\uff49\uff4c\uff4c\uff41 Thornbury called.", "\uff30\uff52\uff49"),
    ("Call her at 555&#45;201&#45;3344 tomorrow.", "3344"),
])
def test_hidden_characters_do_not_hide_a_name(redactor, text, name):
    from redact.normalize import INVISIBLE

    out = redactor.redact([text])[0]
    assert name not in out
    assert not any(c in INVISIBLE for c in out)   # the replacement took the invisibles with it
    assert "[PERSON_1]" in out or "[PHONE_1]" in out


# --- hiding places: one hostile file per place (tests/hostile/build.py), one shared run ---------

def _files(folder: Path) -> list[Path]:
    """Inputs in the run's order (sorted, files only), which is the manifest's order."""
    return sorted(p for p in folder.rglob("*") if not p.is_dir())


@pytest.fixture(scope="module")
def hiding_places(tmp_path_factory):
    from click.testing import CliRunner
    from hostile.build import build, build_file_names

    from redact.cli import main

    root = tmp_path_factory.mktemp("hiding")
    src = root / "in"
    build(src)
    build_file_names(src / "names")
    out = root / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["run", str(src), "--out", str(out), "--spans"], catch_exceptions=False)
    checked_out = runner.invoke(main, ["verify", str(out), "--json", str(root / "verify_out.json")],
                                catch_exceptions=False)
    # The run skipped: verify over the unredacted inputs must find every planted value.
    checked_in = runner.invoke(main, ["verify", str(src), "--json", str(root / "verify_in.json")],
                               catch_exceptions=False)
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    inputs = _files(src)
    assert len(lines) == len(inputs)
    by_name = {path.name: line for path, line in zip(inputs, lines)}
    verify_in = json.loads((root / "verify_in.json").read_text())
    verify_in_by_name = {path.name: report for path, report in zip(inputs, verify_in["files"])}
    side = [(out / name).read_text(encoding="utf-8") for name in ("manifest.jsonl", "stats.json", "spans.jsonl")]
    side += [result.output, checked_out.output, checked_in.output, (root / "verify_out.json").read_text()]
    side += [p.relative_to(out).as_posix() for p in out.rglob("*")]
    return {"result": result, "out": out, "by_name": by_name, "side": side, "verify_in": verify_in_by_name,
            "verify_out": json.loads((root / "verify_out.json").read_text()), "checked_out": checked_out}


def _case_ids():
    from hostile.build import CASES

    return [pytest.param(case, id=case.name) for case in CASES]


def test_hostile_run_accounts_for_every_file(hiding_places):
    from hostile.build import CASES

    result = hiding_places["result"]
    assert result.exit_code == 1, result.output   # the refused files are quarantined, the rest written
    assert "Traceback" not in result.output
    for case in CASES:
        line = hiding_places["by_name"][case.filename]
        assert line["status"] == case.expect, (case.name, line["reason"])
        if case.expect == "quarantined":
            assert line["output"] is None and line["reason"] and "\n" not in line["reason"]


@pytest.mark.parametrize("case", _case_ids())
def test_no_planted_value_survives_anywhere(hiding_places, case):
    """Not in any byte of the output (zip members and Parquet schema included), its path, the
    manifest, stats, spans, nor any message of run or verify."""
    from hostile.build import leaked, readable_texts

    line = hiding_places["by_name"][case.filename]
    texts = list(hiding_places["side"])
    if line["output"]:
        texts += readable_texts(hiding_places["out"] / line["output"])
    assert leaked(texts, case.planted) == []   # the planted values themselves are never printed


@pytest.mark.parametrize("case", _case_ids())
def test_verify_finds_the_planted_value_when_the_run_is_skipped(hiding_places, case):
    report = hiding_places["verify_in"][case.filename]
    if case.expect == "quarantined":
        assert report["error"]   # cannot be read safely: unchecked, which is not clean
    else:
        assert report["error"] is None and report["findings"], case.name


def test_verify_finds_the_export_clean(hiding_places):
    report = hiding_places["verify_out"]
    assert hiding_places["checked_out"].exit_code == 0, hiding_places["checked_out"].output
    assert report["clean"] and report["findings"] == 0 and report["unchecked"] == 0


def test_names_in_file_names_in_any_script(hiding_places):
    from hostile.build import FILE_NAME_CASES, leaked

    for name, planted in FILE_NAME_CASES.items():
        line = hiding_places["by_name"][name]
        assert line["status"] == "ok"
        assert leaked(hiding_places["side"], planted) == []
        assert hiding_places["verify_in"][name]["findings"]
        assert all(f["part"] == "file name" for f in hiding_places["verify_in"][name]["findings"])


def _output(hiding_places, name: str) -> Path:
    return hiding_places["out"] / hiding_places["by_name"][name]["output"]


def test_formulas_neutralised_numbers_kept(hiding_places):
    import csv

    rows = list(csv.reader(_output(hiding_places, "csv_formula.csv").open(newline="")))
    assert rows[0] == ["session", "link", "amount"]
    assert rows[1][1].startswith("'=") and rows[3][1].startswith("'+")
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert [row[2] for row in rows[1:]] == ["-12.5", "3.25", "7.0"]   # numbers: no quote, no [DATE_n]


def test_xlsx_text_formula_neutralised(hiding_places):
    import openpyxl

    sheet = openpyxl.load_workbook(_output(hiding_places, "xlsx_formula.xlsx")).active
    values = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values[2] == "'=cmd|' /C calc'!A0"
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_keep_formulas_option_writes_them_back():
    import io as _io

    import pandas as pd

    from redact.io.tabular import _csv_writer, neutralise_formula

    assert neutralise_formula("=1+1") == "'=1+1" and neutralise_formula("-3.5") == "-3.5"
    assert neutralise_formula("\tcmd") == "'\tcmd" and neutralise_formula("plain") == "plain"
    frame = pd.DataFrame({"f": ["=1+1", "@x"], "n": ["-1", "2"]})
    for keep, expected in ((True, "f,n\n=1+1,-1\n@x,2\n"), (False, "f,n\n'=1+1,-1\n'@x,2\n")):
        sink = _io.BytesIO()
        with _csv_writer(",", "utf-8", "\n", keep_formulas=keep)(sink) as put:
            put(frame, frame)
        assert sink.getvalue().decode() == expected


def test_keep_formulas_flag_reaches_the_table_writer(cli, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "sheet.csv").write_text("total,label\n=SUM(A1:A2),plain\n")
    for flag, expected in (([], "'=SUM(A1:A2)"), (["--keep-formulas"], "=SUM(A1:A2)")):
        out = tmp_path / f"out{len(flag)}"
        result = cli(["run", source, "--out", out, "-q", "--keep-column", "total", "--keep-column", "label", *flag])
        assert result.exit_code == 0, result.output
        written = next(p for p in out.rglob("*.csv"))
        assert written.read_text().splitlines()[1].split(",")[0] == expected


def test_nested_jsonl_keeps_types(hiding_places):
    records = [json.loads(line) for line in _output(hiding_places, "jsonl_keys.jsonl").read_text().splitlines()]
    assert [r["session"] for r in records] == [1, 2]
    assert [r["score"] for r in records] == [2.5, 3.75]
    detail = records[0]["detail"]
    assert isinstance(detail, dict) and detail["scores"] == [1.5, 2] and detail["ok"] is True
    assert detail["by"].startswith("[PERSON")
    assert records[1]["detail"] == {"by": "staff", "scores": [], "ok": False}
    assert len(records[0]) == 4 and any(k.startswith("[PERSON") for k in records[0])


def test_parquet_keeps_types_and_drops_metadata(hiding_places):
    import pyarrow.parquet as pq

    table = pq.read_table(_output(hiding_places, "parquet_metadata.parquet"))
    assert table.schema.field("minutes").type == "double"
    assert table.column("minutes").to_pylist() == [30.5, 45.0, 12.25]
    assert set(table.schema.metadata or {}) <= {b"pandas"}
    assert all(not f.metadata for f in table.schema)
    assert '"attrs": {}' in (table.schema.metadata[b"pandas"].decode()) or \
        "attrs" not in table.schema.metadata[b"pandas"].decode()


def test_srt_space_between_formatted_words_stays(hiding_places):
    text = _output(hiding_places, "srt_tag_attributes.srt").read_text()
    assert '<font color="#ff0000">Welcome back.</font>' in text
    assert "</b> <i>" in text   # the space stays a space, not a third tag
    assert text.count("[PERSON_") == 2


def test_docx_output_opens_and_keeps_text(hiding_places):
    import docx

    for name, line in hiding_places["by_name"].items():
        if name.endswith(".docx") and line["status"] == "ok":   # every rewritten package still opens
            assert docx.Document(str(hiding_places["out"] / line["output"])).paragraphs, name
    document = docx.Document(str(_output(hiding_places, "docx_comments.docx")))
    assert "Weekly group notes." in document.paragraphs[0].text
    comments = _output(hiding_places, "docx_comments.docx")
    import zipfile

    xml = zipfile.ZipFile(comments).read("word/comments.xml").decode()
    assert 'w:author="Reviewer"' in xml and "w:initials" not in xml and "[PERSON_" in xml
    field = zipfile.ZipFile(_output(hiding_places, "docx_field_code.docx")).read("word/document.xml").decode()
    assert "instrText" not in field and "write to the facilitator" in field


def test_xlsx_output_is_a_plain_visible_workbook(hiding_places):
    import openpyxl

    book = openpyxl.load_workbook(_output(hiding_places, "xlsx_hidden_parts.xlsx"))
    assert all(sheet.sheet_state == "visible" for sheet in book.worksheets)
    assert len(book.worksheets) == 2 and not list(book.defined_names)
    assert not any(cell.comment for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    import zipfile

    core = zipfile.ZipFile(_output(hiding_places, "xlsx_hidden_parts.xlsx")).read("docProps/core.xml").decode()
    assert "creator>" not in core   # openpyxl would otherwise sign it


def test_pictures_lose_metadata_keep_pixels(hiding_places):
    import io as _io
    import zipfile

    from PIL import Image

    from redact.io.images import metadata_texts

    archive = zipfile.ZipFile(_output(hiding_places, "docx_picture_metadata.docx"))
    pictures = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert len(pictures) == 2 and all(n.rsplit("/", 1)[1].startswith("part") for n in pictures)
    for name in pictures:
        data = archive.read(name)
        assert metadata_texts(name, data) == []
        with Image.open(_io.BytesIO(data)) as picture:
            picture.load()   # the pixels are intact
            assert not picture.getexif()
