"""Nothing on the side: no gold identifier in anything a run writes besides the documents, no
secret anywhere, owner-only permissions."""

from __future__ import annotations

import re
import stat

import pytest
from conftest import FIXTURES, SAMPLE_DATA, read_gold
from wordfreq import zipf_frequency

SECRET = "side-channel-test-secret-4f1c9a7e2b"
# Everyday words annotated as identifiers in context ("Tuesday", "Hope"): not a leak on their own.
GENERIC_ZIPF = 3.0
NUMERIC_FILES = {"manifest.jsonl", "stats.json", "spans.jsonl"}


def _identifiers() -> set[str]:
    values = set()
    for doc in read_gold(FIXTURES / "sample_data.gold.jsonl"):
        for span in doc["spans"]:
            value = doc["text"][span["start"]:span["end"]].strip()
            words = re.findall(r"\w+", value)
            if len(value) < 3 or (len(words) == 1 and zipf_frequency(value.lower(), "en") >= GENERIC_ZIPF):
                continue
            values.add(value)
    return values


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    from click.testing import CliRunner

    from redact.cli import main

    out = tmp_path_factory.mktemp("side") / "export"
    result = CliRunner().invoke(main, ["run", str(SAMPLE_DATA), "--out", str(out), "--spans"],
                                env={"REDACT_SECRET": SECRET}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, result


def _side_texts(out, result) -> dict[str, str]:
    texts = {name: (out / name).read_text(encoding="utf-8") for name in ("manifest.jsonl", "stats.json",
                                                                          "spans.jsonl")}
    texts["output+stderr"] = result.output
    texts["paths"] = "\n".join(p.relative_to(out).as_posix().replace("_", " ") for p in out.rglob("*"))
    return texts


def test_no_gold_identifier_outside_documents(export):
    out, result = export
    identifiers = _identifiers()
    assert len(identifiers) > 100
    leaks = []
    for where, text in _side_texts(out, result).items():
        for value in identifiers:
            if where in NUMERIC_FILES and value.isdigit():
                continue  # offsets and counts there are numbers too ("2291" as an offset)
            if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE):
                leaks.append((where, len(value)))  # never the value, even in a failing test
    assert not leaks


def test_secret_written_nowhere(export):
    out, result = export
    assert SECRET not in result.output
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path.name


def test_secret_is_not_a_command_line_option(cli):
    help_text = cli(["run", "--help"]).output
    assert "--secret-file" in help_text
    assert not re.search(r"--secret\b(?!-file)", help_text)


def test_owner_only_permissions(export):
    out, _ = export
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path.relative_to(out), oct(mode))
