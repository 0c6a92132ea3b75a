"""The re-identification key: an encrypted map, per document, from each replacement (tag,
pseudonym or surrogate) to the original text it stands for. Off unless `redact run --key-file`.

AES-256-GCM (authenticated: a wrong secret or an altered file is detected, never half-read) with a
key derived from the run's secret by scrypt and a random salt. The file is written owner-only and
never inside the output folder, so an export can be shared without it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from redact.errors import ConfigError

MAGIC = b"REDACT-KEY\x01"
_SALT, _NONCE = 16, 12
# scrypt cost: about 0.1 s and 32 MiB per derivation, once per run or reveal.
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}

# document -> replacement -> (label, originals)
Entries = dict[str, dict[str, tuple[str, list[str]]]]


@dataclass(frozen=True)
class Match:
    document: str
    label: str
    values: tuple[str, ...]


def check_key_path(key_file: Path, out: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse a key file inside the export (or an input) folder: the export must be shareable."""
    key = Path(key_file).resolve()
    for folder, what in [(Path(out), "output"), *((Path(p), "input") for p in inputs)]:
        folder = folder.resolve()
        if folder.is_file():
            continue
        if folder == key or folder in key.parents:
            raise ConfigError(f"--key-file {key_file} is inside the {what} folder {folder}",
                              hint="keep the key outside the export, where only authorised staff can read it")


def _derive(secret: bytes, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, **_SCRYPT).derive(secret)


def encrypt(entries: Entries, secret: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    payload = {"version": 1, "documents": {doc: {rep: {"label": label, "values": values}
                                                  for rep, (label, values) in reps.items()}
                                            for doc, reps in entries.items()}}
    salt, nonce = os.urandom(_SALT), os.urandom(_NONCE)
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return MAGIC + salt + nonce + AESGCM(_derive(secret, salt)).encrypt(nonce, data, MAGIC)


def decrypt(blob: bytes, secret: bytes) -> Entries:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _SALT + _NONCE + 16:
        raise ConfigError("not a redact key file")
    body = blob[len(MAGIC):]
    salt, nonce, sealed = body[:_SALT], body[_SALT:_SALT + _NONCE], body[_SALT + _NONCE:]
    try:
        payload = json.loads(AESGCM(_derive(secret, salt)).decrypt(nonce, sealed, MAGIC))
    except InvalidTag:
        raise ConfigError("cannot open the key file: wrong secret, or the file was altered") from None
    return {doc: {rep: (entry["label"], list(entry["values"])) for rep, entry in reps.items()}
            for doc, reps in payload["documents"].items()}


def write_key(path: Path, entries: Entries, secret: bytes | None) -> None:
    """Encrypt and write atomically, owner-only."""
    from redact.atomic import atomic_write

    if not secret:
        raise ConfigError("--key-file needs a secret", hint="set REDACT_SECRET or pass --secret-file")
    atomic_write(Path(path), encrypt(entries, secret))


def read_key(path: Path, secret: bytes | None) -> Entries:
    if not secret:
        raise ConfigError("reading a key file needs the run's secret", hint="set REDACT_SECRET or pass --secret-file")
    try:
        blob = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read key file {path}: {exc.strerror}") from exc
    return decrypt(blob, secret)


def lookup(entries: Entries, replacement: str, document: str | None = None) -> list[Match]:
    """Every document's originals for one replacement (tags repeat across documents; keyed
    pseudonyms and surrogates name one entity everywhere)."""
    wanted = replacement.strip()
    return [Match(doc, reps[wanted][0], tuple(reps[wanted][1])) for doc, reps in sorted(entries.items())
            if wanted in reps and (document is None or doc == document)]
