"""Re-identification key: written encrypted outside the export with --key-file, opened only with
the run's secret by `redact reveal`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from redact.errors import ConfigError
from redact.keystore import MAGIC, check_key_path, decrypt, encrypt, lookup

SECRET = "synthetic-secret-for-tests-0001"
NOTE = ("Peer contact with Maria Lopez on 3/18/2026. Ms. Lopez asked that her sponsor Kevin Brandt "
        "call her at 555-201-3344 or write to maria.lopez@example.org.\n")


@pytest.fixture
def note(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "note.txt").write_text(NOTE, encoding="utf-8")
    return folder


def _run(cli, note: Path, tmp_path: Path, policy: str, secret: str = SECRET):
    out, key = tmp_path / "out", tmp_path / "keys" / "run.key"
    result = cli(["run", note, "--out", out, "--policy", policy, "--key-file", key, "-q"],
                 env={"REDACT_SECRET": secret})
    assert result.exit_code == 0, result.output
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    return out, key, manifest[0], (out / manifest[0]["output"]).read_text(encoding="utf-8")


def test_reveal_hmac_pseudonym(cli, note, tmp_path, redactor):
    out, key, manifest, text = _run(cli, note, tmp_path, "hmac")
    pseudonym = re.search(r"PERSON_[0-9a-f]{8}", text).group()
    result = cli(["reveal", key, pseudonym], env={"REDACT_SECRET": SECRET})
    assert result.exit_code == 0, result.output
    assert "Lopez" in result.output or "Brandt" in result.output
    # The export holds no key and no value; the key file is not readable as plain text.
    assert not any("key" in p.name for p in out.rglob("*"))
    for path in out.rglob("*"):
        if path.is_file():
            assert "Lopez" not in path.read_text(encoding="utf-8")
    blob = key.read_bytes()
    assert blob.startswith(MAGIC) and b"Lopez" not in blob
    assert key.stat().st_mode & 0o077 == 0


def test_reveal_tag_restricted_to_a_document(cli, note, tmp_path, redactor):
    _, key, manifest, text = _run(cli, note, tmp_path, "tags")
    assert "[PERSON_1]" in text
    result = cli(["reveal", key, "[PERSON_1]", "--document", manifest["output"]], env={"REDACT_SECRET": SECRET})
    assert result.exit_code == 0, result.output
    assert "Lopez" in result.output


def test_reveal_refuses_wrong_secret_and_unknown_replacement(cli, note, tmp_path, redactor):
    _, key, _, _ = _run(cli, note, tmp_path, "hmac")
    wrong = cli(["reveal", key, "PERSON_00000000"], env={"REDACT_SECRET": "another-synthetic-secret-0002"})
    assert wrong.exit_code == 2 and "wrong secret" in wrong.output
    missing = cli(["reveal", key, "PERSON_00000000"], env={"REDACT_SECRET": SECRET})
    assert missing.exit_code == 1 and "no entry" in missing.output


def test_key_file_inside_out_is_refused(cli, note, tmp_path):
    out = tmp_path / "out"
    result = cli(["run", note, "--out", out, "--key-file", out / "run.key"], env={"REDACT_SECRET": SECRET})
    assert result.exit_code == 2
    assert "inside the output folder" in result.output
    assert not out.exists()


def test_key_file_needs_a_secret(cli, note, tmp_path, monkeypatch):
    monkeypatch.delenv("REDACT_SECRET", raising=False)
    result = cli(["run", note, "--out", tmp_path / "out", "--key-file", tmp_path / "run.key"])
    assert result.exit_code == 2
    assert "needs a secret" in result.output


def test_keystore_round_trip_and_tamper_detection(tmp_path):
    entries = {"a.txt": {"[PERSON_1]": ("PERSON", ["Maria Lopez", "Ms. Lopez"])},
               "b.txt": {"[PERSON_1]": ("PERSON", ["Kevin Brandt"])}}
    blob = encrypt(entries, SECRET.encode())
    assert decrypt(blob, SECRET.encode()) == entries
    assert [m.document for m in lookup(entries, "[PERSON_1]")] == ["a.txt", "b.txt"]
    assert lookup(entries, "[PERSON_1]", "b.txt")[0].values == ("Kevin Brandt",)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(ConfigError, match="altered"):
        decrypt(tampered, SECRET.encode())
    with pytest.raises(ConfigError, match="not a redact key file"):
        decrypt(b"plain text", SECRET.encode())
    with pytest.raises(ConfigError, match="inside the input folder"):
        check_key_path(tmp_path / "in" / "k.key", tmp_path / "out", [tmp_path / "in"])


def test_reveal_help(cli):
    result = cli(["reveal", "--help"])
    assert result.exit_code == 0 and "KEYFILE" in result.output
