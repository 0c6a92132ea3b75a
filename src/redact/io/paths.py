"""De-identified output paths: file and folder names carry names and dates too ("jsmith_intake.txt")."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from wordfreq import zipf_frequency

_PIECES = re.compile(r"([A-Za-z]+|\d+|[^A-Za-z\d]+)")
# Everyday words this frequent are kept in file names; anything else could be a name or an ID.
SAFE_WORD_ZIPF = 3.0


def _safe_word(word: str, is_name: Callable[[str], bool]) -> bool:
    w = word.lower()
    return len(w) >= 2 and zipf_frequency(w, "en") >= SAFE_WORD_ZIPF and not is_name(w)


def _clean(component: str, is_name: Callable[[str], bool]) -> str:
    """Keep separators and everyday words; collapse anything else (names, digits) into one 'x'."""
    out: list[str] = []
    for piece in _PIECES.findall(component):
        if piece[0].isalpha() and _safe_word(piece, is_name) or not piece[0].isalnum():
            out.append(piece)
        elif not out or out[-1] != "x":
            out.append("x")
    return "".join(out).strip(" ") or "x"


def deidentify_path(rel: PurePosixPath, ordinal: int,
                    is_name: Callable[[str], bool] = lambda word: False) -> PurePosixPath:
    """`notes/jsmith_intake.txt`, 7 -> `notes/0007_x_intake.txt`: names and numbers dropped, the
    input's ordinal keeps outputs distinct. With no context to tell "Hope" the word from Hope
    the person, `is_name` should say yes to any word that can be a name."""
    folders = [_clean(part, is_name) for part in rel.parts[:-1]]
    stem = _clean(PurePosixPath(rel.name).stem, is_name)
    suffix = "".join(c for c in rel.suffix if c.isalnum() or c == ".")
    return PurePosixPath(*folders, f"{ordinal:04d}_{stem}{suffix}")
