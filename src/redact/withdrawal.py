"""`redact withdraw`: the next version of a --consent export, without the contributions of
participants whose consent for its purpose ended since the last version.

The sources are processed again, with the same options, into a staging folder next to the export
(never inside it); a document is affected when what it withholds changed. Only affected outputs
are replaced; the manifest lines of those documents get the new version number; stats.json,
consent.json and the changelog (paths and counts, never names) are rewritten. Before anything is
replaced, a check reads every output of the new version: no name variant of a newly withheld
participant may remain, nor any stretch of what they said (exit 1 otherwise, nothing replaced).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from redact.atomic import OutputLock, atomic_write, write_jsonl
from redact.errors import ConfigError, RedactError
from redact.resume import read_jsonl
from redact.worker import RunOptions

CHANGELOG = "changelog.jsonl"
CHANGELOG_MD = "CHANGELOG.md"
# Words in a row that, found together in an output, show a withheld text is still there.
SHINGLE_WORDS = 6
# A withheld text "remains" when at least this share of its word runs is found in the output.
REMAINS_SHARE = 0.5


class CheckFailed(RedactError):
    """The new version still holds a newly withheld participant's names or words (exit 1)."""


@dataclass
class WithdrawResult:
    version: int
    rewritten: list[dict] = field(default_factory=list)   # {"output", "withheld", "before"}
    unchanged: bool = False


def read_record(export: Path) -> dict:
    from redact.pipeline import CONSENT

    try:
        record = json.loads((Path(export) / CONSENT).read_text(encoding="utf-8"))
        assert isinstance(record, dict) and {"version", "purpose", "as_of", "base_config"} <= set(record)
    except (OSError, ValueError, AssertionError):
        raise ConfigError(f"{export} is not an export made with --consent (no valid {CONSENT})",
                          hint="make it with `redact run ... --consent FILE --purpose P`") from None
    return record


# --- the check ---------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) < SHINGLE_WORDS:
        return {tuple(words)} if len(words) >= 4 else set()
    return {tuple(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def output_text(path: Path) -> str:
    """Every text of an exported file (office and Parquet files through verify's readers)."""
    from redact.verify import parquet_texts, zip_texts

    suffix = path.suffix.lower()
    if suffix in {".docx", ".xlsx"}:
        return "\n".join(zip_texts(path.read_bytes(), f"{suffix[1:].upper()} file"))
    if suffix == ".parquet":
        return "\n".join(parquet_texts(path))
    return path.read_bytes().decode("utf-8", errors="replace")


def remaining(text: str, names: re.Pattern | None, withheld_texts: list[str]) -> tuple[int, int]:
    """(name variants found, withheld texts that remain) in one output's text."""
    found_names = len(names.findall(text)) if names is not None else 0
    words = _words(text)
    present = _shingles(words) | ({tuple(words[i:i + n]) for n in (4, 5) for i in range(len(words))}
                                  if words else set())
    left = 0
    for snippet in withheld_texts:
        shingles = _shingles(_words(snippet))
        if shingles and sum(s in present for s in shingles) >= REMAINS_SHARE * len(shingles):
            left += 1
    return found_names, left


def _withheld_texts(source: Path, rel, options: RunOptions) -> list[str]:
    """What the consent step withholds from one source document (in memory only)."""
    from redact import withhold, worker
    from redact.io import format_for

    fmt = format_for(source)
    if fmt is None:
        return []
    parsed = fmt.open(source, rel, options) if hasattr(fmt, "open") else \
        fmt.parse(source.read_bytes(), source, options.encoding)
    redactor = worker.load(options)
    view = withhold.apply(parsed, fmt.name, options.consent_rule(), withhold.sentence_parser(redactor.detector.nlp))
    if hasattr(parsed, "chunks"):
        for _ in parsed.chunks():   # rows are withheld as the chunks are read
            pass
    elif hasattr(parsed, "_read"):
        parsed._read()
    return view.withheld.removed


# --- the new version ---------------------------------------------------------------------------
def withdraw(export: Path, sources: list[Path], options: RunOptions, as_of: str | None = None,
             warn=None) -> WithdrawResult:
    """Write the next version of `export` (see module docstring). Raises ConfigError (nothing
    written) or CheckFailed (nothing replaced)."""
    from redact.consent import parse_as_of
    from redact.pipeline import CONSENT, MANIFEST, SPANS, STATS, base_config, consent_record, run
    from redact.stats import StatsBuilder
    from redact.worker import Outcome

    export = Path(export)
    record = read_record(export)
    options.purpose = record["purpose"]
    options.as_of = parse_as_of(as_of).isoformat()
    if options.as_of < record["as_of"]:
        raise ConfigError(f"--as-of {options.as_of} is before the export's {record['as_of']}",
                          hint="a withdrawal reads consent on or after the last version's date")
    options.write_spans = (export / SPANS).is_file()
    if base_config(options) != record["base_config"]:
        raise ConfigError(f"the options differ from those {export} was made with",
                          hint="pass the same --policy, --roster, --config, table options, --encoding and secret")
    rule = options.consent_rule()
    before = dataclasses.replace(rule, as_of=dt.date.fromisoformat(record["as_of"]))
    newly = sorted(rule.withheld - before.withheld)
    version = int(record["version"]) + 1
    if not newly:
        return WithdrawResult(int(record["version"]), unchanged=True)
    lines = read_jsonl(export / MANIFEST)
    with OutputLock(export):
        staging = Path(tempfile.mkdtemp(prefix=".redact-withdraw-", dir=export.resolve().parent))
        try:
            staged = dataclasses.replace(options, out=staging, resume=False, key_file=None, roots=(),
                                         previous={})
            run(sources, staged, warn=warn)
            new_lines = {line.get("source_key"): line for line in read_jsonl(staging / MANIFEST)}
            missing = [line for line in lines
                       if line.get("source_key") is not None and line["source_key"] not in new_lines]
            if missing:
                raise ConfigError(f"{len(missing)} documents of {export} were not found in the sources",
                                  hint="pass every input the export was made from, unchanged, with --source")
            names = rule.registry.mention_pattern(newly)
            affected = [(line, new_lines[line["source_key"]]) for line in lines if line["status"] == "ok"
                        and _changed(line, new_lines[line["source_key"]], export, names)]
            _check(export, staging, lines, affected, sources, options, newly)
            result = WithdrawResult(version)
            replaced = {}
            for old, new in affected:
                target = export / old["output"]
                if new["status"] == "ok":
                    atomic_write(target, (staging / new["output"]).read_bytes())
                else:
                    target.unlink(missing_ok=True)   # could not be redone: not left with their words
                replaced[old["source_key"]] = dict(new, input=old["input"],
                                                   output=old["output"] if new["status"] == "ok" else None,
                                                   version=version)
                result.rewritten.append({"output": old["output"], "withheld": new.get("withheld", {}),
                                         "before": old.get("withheld", {}), "status": new["status"]})
            final = [replaced.get(line.get("source_key"), line) for line in lines]
            write_jsonl(export / MANIFEST, final)
            if options.write_spans:
                _update_spans(export / SPANS, staging / SPANS, affected)
            stats = StatsBuilder()
            for line in final:
                stats.add(Outcome(line, words=line.get("words", 0), segments=line.get("segments", 0)))
            atomic_write(export / STATS, (json.dumps(stats.build(), indent=2) + "\n").encode())
            atomic_write(export / CONSENT,
                         (json.dumps(consent_record(options, version), indent=2) + "\n").encode())
            _changelog(export, result, options)
            return result
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _changed(old: dict, new: dict, export: Path, names: re.Pattern | None) -> bool:
    """An output to replace: what it withholds changed, or it still names a newly withheld
    participant (a nickname added to the registry after the last version, say)."""
    if new["status"] != "ok" or new.get("withheld") != old.get("withheld"):
        return True
    return names is not None and bool(names.search(output_text(export / old["output"])))


def _check(export: Path, staging: Path, lines: list[dict], affected: list, sources: list[Path],
           options: RunOptions, newly: list[str]) -> None:
    """No name variant of a newly withheld participant and none of their withheld words in any
    output of the new version; CheckFailed names outputs by path with counts, never a name."""
    from redact.pipeline import discover

    rule = options.consent_rule()
    names = rule.registry.mention_pattern(newly)
    staged_output = {old["source_key"]: staging / new["output"] for old, new in affected if new["status"] == "ok"}
    dropped = {old["source_key"] for old, new in affected if new["status"] != "ok"}
    # Withheld texts, per affected document, from its source (matched by the staged run's order).
    by_key = {}
    from redact.worker import input_digests

    for item in discover(sources):
        digests = input_digests(item.path, item.rel, options.secret)
        if digests and digests[1] in staged_output:
            by_key[digests[1]] = _withheld_texts(item.path, item.rel, options)
    problems = []
    for line in lines:
        key = line.get("source_key")
        if line["status"] != "ok" or key in dropped:
            continue
        path = staged_output.get(key, export / line["output"])
        found, left = remaining(output_text(path), names, by_key.get(key, []))
        if found or left:
            problems.append(f"{line['output']}: {found} name variants, {left} withheld passages")
    if problems:
        raise CheckFailed(f"the new version would still hold a withdrawn participant's contributions "
                          f"({len(problems)} outputs; first: {problems[0]}); nothing was replaced",
                          hint="add the missing name variants to the registry or --roster and rerun")


def _update_spans(spans: Path, staged: Path, affected: list) -> None:
    new = {r["id"]: r for r in read_jsonl(staged)}
    swap = {old["input"]: (new.get(n["input"]) if n["status"] == "ok" else None) for old, n in affected}
    out = []
    for r in read_jsonl(spans):
        if r["id"] in swap:
            if swap[r["id"]] is not None:
                out.append(dict(swap[r["id"]], id=r["id"]))
        else:
            out.append(r)
    write_jsonl(spans, out)


def _changelog(export: Path, result: WithdrawResult, options: RunOptions) -> None:
    """One JSON line per version (machine) and a Markdown section (people): paths and counts."""
    entry = {"version": result.version, "purpose": options.purpose, "as_of": options.as_of,
             "written": dt.datetime.now(dt.timezone.utc).date().isoformat(),
             "documents_rewritten": len(result.rewritten), "outputs": result.rewritten,
             "check": "passed: no name variant or withheld passage of a newly withheld participant remains"}
    previous = read_jsonl(export / CHANGELOG)
    write_jsonl(export / CHANGELOG, [*previous, entry])
    md = [f"## Version {result.version} ({options.purpose}, consent as of {options.as_of})", "",
          f"{len(result.rewritten)} outputs rewritten; consent changes since the last version. "
          "Counts are withheld utterances, rows and sentences by reason class.", ""]
    for item in result.rewritten:
        md.append(f"- `{item['output']}`: {_counts(item['before'])} -> {_counts(item['withheld'])}"
                  + ("" if item["status"] == "ok" else f" ({item['status']}: output removed)"))
    old = (export / CHANGELOG_MD).read_text(encoding="utf-8") if (export / CHANGELOG_MD).is_file() else \
        "# Changelog of this export\n\n"
    atomic_write(export / CHANGELOG_MD, (old + "\n".join(md) + "\n\n").encode("utf-8"))


def _counts(withheld: dict) -> str:
    parts = [f"{n} {kind} {reason}" for kind, reasons in sorted(withheld.items())
             for reason, n in sorted(reasons.items())]
    return ", ".join(parts) if parts else "nothing withheld"

