"""Files a run writes: owner-only folders, atomic owner-only files, and the output-folder lock.

Every temporary file carries the run's token (`.tmp-redact-<pid>-<random>-...`), so a run only
ever removes its own temporaries, or those of runs that are no longer alive, never the in-flight
file of another process. The lock (one per output folder) keeps two runs from writing into one
export at once.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path

from redact.errors import RedactError

TEMP_PREFIX = ".tmp-redact-"
LOCK_NAME = ".redact.lock"
# Errors that mean the output folder itself cannot take more writes: the run stops (it does not
# quarantine every remaining document for the same reason).
FATAL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO})


class OutputError(RedactError):
    """The output folder cannot be written (full disk, read-only, no permission): the run stops."""

    hint = "free space or fix permissions, then rerun with --resume"


class LockedError(RedactError):
    """Another run is writing into the same output folder."""


def describe(exc: OSError) -> str:
    """A one-line reason for an OS error, without the path (which may hold a name)."""
    return exc.strerror or (errno.errorcode.get(exc.errno or 0) or type(exc).__name__)


def is_fatal(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in FATAL_ERRNOS


# --- tokens and temporary files --------------------------------------------------------------
_TOKEN: tuple[int, str] | None = None


def run_token() -> str:
    """`<pid>-<random>`, fresh in each process (a forked worker gets its own)."""
    global _TOKEN
    if _TOKEN is None or _TOKEN[0] != os.getpid():
        _TOKEN = (os.getpid(), secrets.token_hex(4))
    return f"{_TOKEN[0]}-{_TOKEN[1]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_files(out: Path) -> int:
    """Temporaries of runs that are gone (killed mid-write); those of live processes are kept."""
    removed = 0
    for path in out.rglob(TEMP_PREFIX + "*"):
        pid = path.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if path.is_symlink() or not path.is_file() or (pid.isdigit() and _pid_alive(int(pid))):
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def make_private_dirs(folder: Path) -> None:
    """mkdir -p where every folder created is 0700 (Path.mkdir gives parents the umask's mode)."""
    folder = Path(folder)
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            pass
        os.chmod(path, 0o700)  # the umask may have removed bits; never more than the owner's


@contextmanager
def atomic_output(path: Path):
    """A binary handle on a temporary file beside `path`, renamed onto it (0600) only when the
    block completes; on any error the temporary file is removed, so nothing half-written is
    ever published."""
    path = Path(path)
    make_private_dirs(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMP_PREFIX}{run_token()}-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, owner-only, so a crash never leaves half a file."""
    with atomic_output(path) as handle:
        handle.write(data)


def jsonl(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"


def write_jsonl(path: Path, records) -> None:
    atomic_write(path, "".join(jsonl(r) for r in records).encode("utf-8"))


# --- the output-folder lock -----------------------------------------------------------------------
class OutputLock:
    """An exclusive flock on OUT/.redact.lock, held for the whole run and removed at its end.

    After locking, the path is checked to still name the locked file: a run that opened the file
    just before the previous holder removed it must not believe it holds the lock."""

    def __init__(self, out: Path) -> None:
        self.path = Path(out) / LOCK_NAME
        self.fd: int | None = None

    def acquire(self) -> OutputLock:
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                raise OutputError(f"cannot write to output folder {self.path.parent}: {describe(exc)}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise LockedError(f"another redact run is writing to {self.path.parent}",
                                      hint="wait for it to finish, or choose another --out") from None
                raise OutputError(f"cannot lock output folder {self.path.parent}: {describe(exc)}") from None
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self.fd = fd
                return self
            os.close(fd)  # removed under us by the previous holder: lock the new file

    def release(self) -> None:
        if self.fd is None:
            return
        self.path.unlink(missing_ok=True)  # while still held, so no one locks a removed file
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
