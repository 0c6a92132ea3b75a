"""The review file: the sample and every decision, saved after each change, so a review can stop
and resume. It holds the text a reviewer marked as missed, so it is staff-only (mode 0600) and is
refused inside the export (or a source folder): it must never ship with the data.

The deny-list is a plain list of missed text, one per line under a `phrase` first line (the
`--roster` format's phrase-only list), so the next `redact run --roster DENY_LIST` redacts every
entry, matched whole, wherever it occurs.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from redact.atomic import atomic_write
from redact.errors import ConfigError

PHRASE_COLUMN = "phrase"   # = recognizers.roster.PHRASE_COLUMN (not imported: it loads Presidio)

FORMAT = "redact-review"
VERSION = 1
KINDS = ("PERSON", "AGE", "DATE", "PHONE", "EMAIL", "URL", "IP_ADDRESS", "ADDRESS", "LOCATION", "ZIP",
         "ORGANIZATION", "ID", "OTHER")


def check_outside(path: Path, folders: list[Path], what: str) -> None:
    """Refuse a file inside any of the folders (the export, the sources)."""
    target = Path(path).resolve()
    for folder in folders:
        folder = Path(folder).resolve()
        if folder.is_dir() and (folder == target or folder in target.parents):
            raise ConfigError(f"{what} {path} is inside {folder}",
                              hint="keep it outside the export and the sources, where only staff can read it")


def _empty_decisions() -> dict:
    return {"reviewed": False, "misses": [], "over": []}


class ReviewFile:
    """The review on disk; every change is saved before it is acknowledged."""

    def __init__(self, path: Path, data: dict) -> None:
        self.path = Path(path)
        self.data = data
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, manifest_sha256: str) -> ReviewFile | None:
        """The saved review of this export, None if there is none yet; refuses one of another export."""
        path = Path(path)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read review file {path}: {type(exc).__name__}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ConfigError(f"{path} is not a redact review file")
        if data.get("manifest_sha256") != manifest_sha256:
            raise ConfigError(f"review file {path} belongs to another export (manifest hash differs)",
                              hint="pass a new --review file for this export")
        return cls(path, data)

    @classmethod
    def create(cls, path: Path, manifest_sha256: str, plan: dict, sample: list[dict]) -> ReviewFile:
        data = {"format": FORMAT, "version": VERSION, "manifest_sha256": manifest_sha256, **plan,
                "sample": sample, "documents": {}}
        review = cls(path, data)
        review.save()
        return review

    def save(self) -> None:
        self.data["updated"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        atomic_write(self.path, (json.dumps(self.data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))

    @property
    def sample(self) -> list[dict]:
        return self.data["sample"]

    def decisions(self, doc_id: str) -> dict:
        return self.data["documents"].get(doc_id, _empty_decisions())

    def update(self, doc_id: str, change) -> dict:
        """Apply change(decisions) to one document's decisions, save, return them."""
        if doc_id not in {d["id"] for d in self.sample}:
            raise KeyError(doc_id)
        with self._lock:
            decisions = self.data["documents"].setdefault(doc_id, _empty_decisions())
            change(decisions)
            self.save()
            return decisions

    def summary(self) -> dict:
        """Counts only (no text): what the page header and the release record show."""
        words = {d["id"]: d["words"] for d in self.sample}
        reviewed = [doc_id for doc_id, d in self.data["documents"].items() if d.get("reviewed") and doc_id in words]
        misses, over = Counter(), Counter()
        for doc_id in reviewed:
            misses.update(m["kind"] for m in self.data["documents"][doc_id]["misses"])
            over.update(o["kind"] for o in self.data["documents"][doc_id]["over"])
        return {"documents_sampled": len(words), "documents_reviewed": len(reviewed),
                "words_sampled": sum(words.values()), "words_reviewed": sum(words[i] for i in reviewed),
                "misses": dict(sorted(misses.items())), "over_redactions": dict(sorted(over.items()))}


def add_to_deny_list(path: Path, text: str) -> bool:
    """Append one entry (whitespace folded to single spaces) unless already listed; True if added."""
    # Commas folded too: a first line with a comma would make the roster read the file as CSV.
    entry = " ".join(text.replace(",", " ").split())
    if not entry:
        return False
    path = Path(path)
    existing = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    if existing[:1] != [PHRASE_COLUMN]:
        existing = [PHRASE_COLUMN, *existing]   # phrase-only roster: entries matched whole, not word by word
    if entry in existing[1:]:
        return False
    atomic_write(path, ("\n".join([*existing, entry]) + "\n").encode("utf-8"))
    return True


def open_or_start(path: Path, export, target_rate: float, confidence: float, seed: int) -> ReviewFile:
    """Resume the review saved at `path`, or draw a new sample of `export` and save it there."""
    from redact.review.sampling import Candidate, draw_sample, stratum_of, words_needed

    existing = ReviewFile.open(path, export.manifest_sha256)
    if existing is not None:
        return existing
    candidates = [Candidate(doc_id, stratum_of(doc_id), int(export.lines[doc_id].get("words", 0)))
                  for doc_id in export.lines if doc_id in export.sources]
    if not candidates:
        raise ConfigError("no document of the export was found in the sources",
                          hint="pass the same inputs `redact run` was given, unchanged, with --source")
    needed = words_needed(target_rate, confidence)
    words = {c.id: c for c in candidates}
    sample = [{"id": doc_id, "stratum": words[doc_id].stratum, "words": words[doc_id].words}
              for doc_id in draw_sample(candidates, needed, seed)]
    plan = {"target_rate": target_rate, "confidence": confidence, "seed": seed, "words_needed": needed,
            "export_documents": len(export.lines), "export_words": export.words}
    return ReviewFile.create(path, export.manifest_sha256, plan, sample)
