"""`redact run`: de-identify files and folders."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from redact.cli import EXIT_STOPPED, detection_options, library_errors, progress_bar

# Column roles for tabular inputs (CSV, TSV, XLSX, Parquet, JSONL); see redact.tables.
_table_options = [
    click.option("--table-config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="YAML file of column roles for tabular inputs (`columns:` for every table, "
                      "`files: {GLOB: roles}` per file)."),
    click.option("--text-column", "text_columns", multiple=True, metavar="NAME",
                 help="Free-text column, redacted through detection. Repeatable."),
    click.option("--id-column", "id_columns", multiple=True, metavar="NAME",
                 help="Join-key column, replaced by a keyed pseudonym (needs the secret). Repeatable."),
    click.option("--date-column", "date_columns", multiple=True, metavar="NAME",
                 help="Date column, coarsened to the month or shifted (see --date-mode). Repeatable."),
    click.option("--drop-column", "drop_columns", multiple=True, metavar="NAME",
                 help="Column removed from the output. Repeatable."),
    click.option("--keep-column", "keep_columns", multiple=True, metavar="NAME",
                 help="Column kept as is, even if its header or values look like identifiers. Repeatable."),
    click.option("--date-mode", type=click.Choice(["month", "shift"]), default=None,
                 help="Date columns: 'month' writes YYYY-MM (default); 'shift' moves every date by one "
                      "keyed offset of up to 365 days, the same as dates in text (needs the secret)."),
    click.option("--keep-formulas", is_flag=True,
                 help="Write formula-like cells (=, +, -, @, tab or CR first) of CSV, TSV and XLSX outputs as "
                      "they are; by default a leading ' keeps a spreadsheet from running them (OWASP)."),
]


def _check_encoding(encoding: str | None) -> None:
    """An unknown --encoding is a usage error, not a reason to quarantine every legacy file."""
    import codecs

    from redact.errors import ConfigError

    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConfigError(f"unknown encoding {encoding!r}", hint="e.g. cp1252, latin-1, shift_jis") from None


def table_options(fn):
    for option in reversed(_table_options):
        fn = option(fn)
    return fn


_engine_options = [
    click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
                 help="local: this machine, --workers processes. spark: PySpark (pip install 'redact[spark]'); "
                      "inputs and --out must be on storage every executor sees at the same path."),
    click.option("--spark-master", default=None, metavar="URL",
                 help="Spark master for --engine spark (default: the one spark-submit set, else "
                      "local[WORKERS])."),
]


def engine_options(fn):
    for option in reversed(_engine_options):
        fn = option(fn)
    return fn


# Consent (redact.consent, redact.withhold): what the export may contain, participant by participant.
_consent_options = [
    click.option("--consent", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                 help="Consent registry (YAML): the export leaves out the utterances, table rows and note "
                      "sentences of participants without consent for --purpose; their names join the roster."),
    click.option("--purpose", type=click.Choice(["research", "reporting"]), default=None,
                 help="What the export is for; needs --consent."),
    click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
                 help="Read consent as of this date (default: today, UTC); needs --consent."),
]


def consent_options(fn):
    for option in reversed(_consent_options):
        fn = option(fn)
    return fn


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (must not be inside an input folder).")
@detection_options
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File holding the secret for keyed policies (else $REDACT_SECRET).")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an encrypted re-identification key (replacement -> original, per document) "
                   "here, for `redact reveal`. Needs a secret; must be outside --out. Off by default.")
@click.option("--spans", "write_spans", is_flag=True, help="Also write spans.jsonl (offsets, labels, scores).")
@click.option("--workers", "-j", default=None, type=click.IntRange(1, 64),
              help="Worker processes (default: one per CPU core, up to 8). The model is loaded once "
                   "and shared with the workers where the system allows (fork).")
@click.option("--encoding", default=None, help="Fallback encoding for files that are not UTF-8/UTF-16.")
@click.option("--max-bytes", default=100 * 1024 * 1024, show_default=True, type=click.IntRange(1),
              help="Quarantine input files larger than this.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run into the same OUT: inputs whose manifest line is complete "
                   "and whose bytes and configuration are unchanged are not redone.")
@click.option("--follow-symlinks", is_flag=True,
              help="Follow symbolic links that stay inside an input folder (links are skipped by default; "
                   "links leading outside are always skipped).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, summary or warnings (errors still show).")
@table_options
@engine_options
@consent_options
@library_errors
def run(inputs, out, policy, model, config_path, roster, secret_file, key_file, write_spans, workers, encoding,
        max_bytes, resume, follow_symlinks, quiet, table_config,
        text_columns, id_columns, date_columns, drop_columns, keep_columns,
        date_mode, keep_formulas, engine, spark_master, consent, purpose, as_of):
    """De-identify files and folders into OUT.

    Mirrors the input tree under OUT with de-identified file names, writes OUT/manifest.jsonl
    (one line per input: ok, skipped or quarantined, with a reason) and OUT/stats.json.
    Exit 0 when every document was written, 1 when some were quarantined, 2 on a usage error or
    when another run holds OUT (nothing written), 3 when the output folder failed part way (disk
    full, read-only): the manifest then lists exactly the finished outputs; rerun with --resume.
    With --consent and --purpose, each participant's consent as of --as-of decides what is withheld
    (README, "Consent and withdrawal"); counts, never names, go to the manifest and stats.json.
    """
    from redact.api import read_secret
    from redact.pipeline import RunOptions, RunStopped, check_output_dir, check_secret_file, default_workers, discover
    from redact.pipeline import run as run_pipeline
    from redact.tables import ColumnRoles, load_table_config

    check_output_dir(out, inputs)
    check_secret_file(secret_file, out, inputs)
    _check_encoding(encoding)
    # The policy and its secret are checked before anything is written (exit 2, nothing written).
    from redact.errors import ConfigError
    from redact.policy import load_policy

    secret = read_secret(secret_file)
    if load_policy(policy).needs_secret and not secret:
        raise ConfigError(f"policy {policy!r} needs a secret", hint="set REDACT_SECRET or pass --secret-file")
    tables = load_table_config(table_config, ColumnRoles(
        text=text_columns, id=id_columns, date=date_columns, drop=drop_columns, keep=keep_columns,
        date_mode=date_mode))
    options = RunOptions(out=out, policy=policy, model=model, config=config_path, roster=roster,
                         secret=secret, workers=workers or default_workers(), write_spans=write_spans,
                         encoding=encoding, max_bytes=max_bytes, key_file=key_file, tables=tables,
                         resume=resume, follow_symlinks=follow_symlinks, keep_formulas=keep_formulas,
                         engine=engine, spark_master=spark_master)
    if consent is not None or purpose is not None or as_of is not None:
        from redact.consent import parse_as_of

        if consent is None or purpose is None:
            raise ConfigError("--consent and --purpose go together",
                              hint="e.g. --consent registry.yaml --purpose research")
        options.consent, options.purpose, options.as_of = consent, purpose, parse_as_of(as_of).isoformat()
    total = len(discover(inputs))
    warn = (lambda message: None) if quiet else None
    try:
        with progress_bar(total, "redacting", quiet) as advance:
            result = run_pipeline(list(inputs), options, progress=advance, warn=warn)
    except RunStopped as exc:
        click.echo(f"redact: error: {exc} (hint: {exc.hint})", err=True)
        sys.exit(EXIT_STOPPED)
    if not quiet:
        click.echo(f"{result.summary} -> {out}", err=True)
    sys.exit(result.exit_code)
