"""An input read once. A streamed format (redact.io.tabular) is handed the open file, not its path,
and every byte it reads is fed on the way into the input's digests (the manifest's sha256 and the
resume key, worker.Digests): hashing needs no pass of its own."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import BinaryIO, Protocol

from redact.atomic import describe
from redact.errors import InputError

READ_CHUNK = 1 << 20


class Hasher(Protocol):
    def update(self, data: bytes) -> None: ...


def open_input(path: Path) -> BinaryIO:
    """The input, opened unbuffered for reading. Raises OSError, and InputError when the open file
    is not a regular file (checked on the descriptor: the path may have been swapped since it was
    checked; O_NONBLOCK so that opening a FIFO put in its place cannot block the run)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    handle = os.fdopen(fd, "rb", buffering=0)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise InputError("not a regular file (folder, pipe, socket or device)")
    return handle


class HashingReader(io.RawIOBase):
    """A file read front to back; every byte handed out goes into `digests` exactly once. Not
    seekable, so no reader can make the digest skip or repeat bytes: one that needs random access
    takes the whole file first (read_whole). A read error is an InputError (the input is
    quarantined), never an OSError that would be taken for a failing output folder."""

    def __init__(self, raw: BinaryIO, digests: Hasher) -> None:
        super().__init__()
        self.raw = raw
        self.digests = digests

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            n = self.raw.readinto(buffer) or 0
        except OSError as exc:
            raise InputError(f"cannot read file: {describe(exc)}") from None
        if n:
            with memoryview(buffer) as view:
                self.digests.update(view[:n])
        return n

    def drain(self) -> None:
        """Read (and so hash) what is left: a table that failed part way is still hashed whole."""
        buffer = bytearray(READ_CHUNK)
        while self.readinto(buffer):
            pass

    def close(self) -> None:
        if not self.closed:
            self.raw.close()
        super().close()


def read_at_most(source: BinaryIO, size: int) -> bytes:
    """The next `size` bytes of `source`, fewer only at the end of the file."""
    parts, left = [], size
    while left and (chunk := source.read(min(left, READ_CHUNK))):
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def read_whole(source: BinaryIO, limit: int | None) -> bytes:
    """The rest of `source`, for a reader that needs random access (a zip directory, a Parquet
    footer). At most `limit` bytes (--max-bytes, checked again: the file may have grown since it
    was measured), so memory stays bounded."""
    buffer = io.BytesIO()
    while chunk := source.read(READ_CHUNK):
        if limit is not None and buffer.tell() + len(chunk) > limit:
            raise InputError(f"file too large (over --max-bytes {limit})")
        buffer.write(chunk)
    return buffer.getvalue()   # the buffer's own bytes, not a copy
