"""`redact stats`: aggregate counts safe to publish, from a table or a run's output folder."""

from __future__ import annotations

import json
from pathlib import Path

import click

from redact.cli import detection_options, library_errors, progress_bar

DEFAULT_K = 11  # mirrors redact.stats.DEFAULT_K without importing pandas-using code for --help


@click.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--by", "by", multiple=True, metavar="COLUMN",
              help="Group by this column (repeat; at most two levels are laid out as rows x columns, "
                   "further ones are combined into the columns). 'month' (or the --grain) is derived from "
                   "--date-column. Groups of fewer than --k rows are merged into '(other <column>s)'.")
@click.option("--text-column", "text_columns", multiple=True, metavar="COLUMN",
              help="Free-text column: its words are counted, and its identifiers with --detect (repeat).")
@click.option("--date-column", metavar="COLUMN",
              help="Date column; published only coarsened to --grain, and usable as --by month.")
@click.option("--grain", type=click.Choice(["month", "quarter", "year"]), default="month", show_default=True,
              help="How coarse published dates are; also the name of the derived --by column.")
@click.option("--participant-column", metavar="COLUMN",
              help="Participant id column: distinct participants are counted through keyed HMAC "
                   "pseudonyms (needs a secret); ids are never written.")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File holding the secret for participant pseudonyms (else $REDACT_SECRET).")
@click.option("--detect", "run_detection", is_flag=True,
              help="Run identifier detection on the --text-column values and count identifiers per type.")
@detection_options
@click.option("--k", "k", type=click.IntRange(2), default=DEFAULT_K, show_default=True,
              help="Suppress every count below k (and the cells needed to protect them).")
@click.option("--epsilon", type=click.FloatRange(0, min_open=True), default=None,
              help="Add differential-privacy noise (OpenDP, discrete Laplace) with this total epsilon, "
                   "split evenly across measures; suppression still applies after the noise.")
@click.option("--coarsen", is_flag=True,
              help="When suppression would blank most cells, apply the coarsening that publishes the most: "
                   "a coarser --grain, the smallest groups merged into an '(other ...)' group, or one --by "
                   "level dropped (repeated while most cells are still blank). Without it the command only "
                   "suggests one.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Write stats.json, stats.csv and report.html (publishable) into this folder, owner-only "
                   "(else JSON or CSV to stdout).")
@click.option("--audit", is_flag=True,
              help="Also write stats.audit.json into --out: which blanks are small counts and which protect "
                   "them. Staff only, never publish it.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="What to print on stdout when --out is not given.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, summary or coarsening suggestion.")
@click.option("--consent", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Consent registry: a table's rows of participants without consent for --purpose are "
                   "left out of every count (by --participant-column or the registry's participant_columns).")
@click.option("--purpose", type=click.Choice(["research", "reporting"]), default=None,
              help="What the statistics are for; needs --consent (a run folder: must match its export's).")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Read consent as of this date (default: today, UTC).")
@library_errors
def stats(source, by, text_columns, date_column, grain, participant_column, secret_file, run_detection,
          policy, model, config_path, roster, k, epsilon, coarsen, out, audit, fmt, quiet,
          consent=None, purpose=None, as_of=None):
    """Counts per group from SOURCE, with small cells suppressed.

    SOURCE is a table (CSV, TSV, XLSX, Parquet, JSONL; one row per note or session) or a
    `redact run` output folder (its manifest.jsonl; group by status, folder or format).
    Publishes documents, words, identifiers per type and distinct participants per group and
    totals. Every count from 1 to k-1 is suppressed, plus more cells so that nothing published
    proves a suppressed count is below k; every blank is marked only "suppressed". Groups with
    fewer than k documents are merged into an "(other ...)" group.

    Everything is checked before anything is written. Exit 0 on success, 2 on a usage or
    configuration error (nothing written).
    """
    from redact.api import read_secret
    from redact.stats import (
        Prepare,
        Prepared,
        best_coarsening,
        check_columns,
        prepare,
        read_run,
        read_table,
        release,
        require_noise,
    )
    from redact.stats import coarsen as apply_coarsening

    if audit and not out:
        raise click.UsageError("--audit writes next to the outputs: give --out")
    if epsilon is not None:
        require_noise()
    rule = _consent_rule(consent, purpose, as_of)
    if source.is_dir():
        if rule is not None:
            _check_export_purpose(source, rule.purpose)
        if text_columns or run_detection or participant_column or date_column:
            raise click.UsageError("a run folder has counts only: --text-column, --detect, "
                                   "--participant-column and --date-column apply to tables")
        frame = read_run(source)
        missing = [b for b in by if b not in frame]
        if missing:
            raise click.UsageError(f"a run folder can be grouped by status, folder or format, not {missing[0]!r}")
        prepared = Prepared(frame, list(by))
        kind = "run"
    else:
        frame = read_table(source)
        if rule is not None:
            frame = _consented_rows(frame, rule, participant_column)
        spec = Prepare(by=by, text_columns=text_columns, date_column=date_column, grain=grain,
                       participant_column=participant_column, k=k,
                       secret=read_secret(secret_file) if participant_column else None)
        if run_detection and not text_columns:  # before the model loads
            raise click.UsageError("--detect needs at least one --text-column")
        check_columns(list(frame.columns), spec)
        if run_detection:
            from redact.api import Redactor

            spec.detect = _detector(Redactor(policy, model=model, config=config_path, roster=roster), len(frame),
                                    len(text_columns), quiet)
        prepared = prepare(frame, spec)
        kind = "table"
    now, suggestion = best_coarsening(prepared, k)
    if coarsen:
        prepared, applied = apply_coarsening(prepared, k)
        if not quiet and applied:
            click.echo("coarsened: " + "; ".join(c.description for c in applied), err=True)
    elif suggestion and not quiet:
        click.echo(f"note: suppression blanks {now.suppressed} of {now.cells} non-zero cells; "
                   f"{suggestion.description} would blank {suggestion.result.suppressed} of "
                   f"{suggestion.result.cells}; rerun with {suggestion.option}"
                   f"{'' if suggestion.option == '--coarsen' else ' (or --coarsen)'}", err=True)
    result = release(prepared, k=k, epsilon=epsilon)
    # The source is described by kind only: a file name can itself hold a name.
    result.source = {"kind": kind, "rows_counted": "see measure 'documents' (suppressed when small)"}
    payload = result.to_json()
    if out:
        from redact.report import render

        files = {"stats.json": _json(payload), "stats.csv": _csv(payload), "report.html": render(payload)}
        if audit:
            files["stats.audit.json"] = _json(result.audit_json())
        _write(out, files)
        if not quiet:
            s = payload["suppression"]
            click.echo(f"{len(payload['cells'])} cells, {s['suppressed']} suppressed -> {out}", err=True)
    elif fmt == "csv":
        click.echo(_csv(payload), nl=False)
    else:
        click.echo(_json(payload), nl=False)


def _consent_rule(consent, purpose, as_of):
    """The consent rule of --consent/--purpose/--as-of, or None; usage errors before any reading."""
    if consent is None and purpose is None and as_of is None:
        return None
    if consent is None or purpose is None:
        raise click.UsageError("--consent and --purpose go together")
    from redact.consent import ConsentRule, load_registry, parse_as_of

    return ConsentRule(load_registry(consent), purpose, parse_as_of(as_of))


def _check_export_purpose(folder: Path, purpose: str) -> None:
    """A run folder's counts already honour the consent it was made under: only the same purpose."""
    from redact.withdrawal import read_record

    made_for = read_record(folder)["purpose"]
    if made_for != purpose:
        raise click.UsageError(f"the export was made for {made_for!r}, not {purpose!r}: rerun `redact run` "
                               f"with --purpose {purpose}")


def _consented_rows(frame, rule, participant_column):
    """The table without the rows of participants whose consent does not cover the purpose."""
    import dataclasses

    from redact.withhold import Withheld, drop_rows

    if participant_column:
        rule = dataclasses.replace(rule, registry=dataclasses.replace(
            rule.registry, participant_columns=(participant_column,)))
    kept = drop_rows(frame, rule, Withheld())
    if kept is None:
        raise click.UsageError("--consent needs the table's participant column: pass --participant-column")
    return kept.reset_index(drop=True)


def _detector(redactor, rows: int, columns: int, quiet: bool):
    """Redactor.detect with a progress bar over every text of every column."""
    def detect(texts):
        with progress_bar(rows * columns, "detecting", quiet) as advance:
            for spans in redactor.detect(texts):
                advance(1)
                yield spans
    return detect


def _json(payload: dict) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _csv(payload: dict) -> str:
    import pandas as pd

    columns = ["measure", *payload["by"], "value", "cell_status"]
    return pd.DataFrame(payload["cells"], columns=columns).astype({"value": "Int64"}).to_csv(index=False)


def _write(out: Path, files: dict[str, str]) -> None:
    """All files or none: each goes to an owner-only temporary file, and only when every one is
    complete are they renamed into place."""
    from contextlib import ExitStack

    from redact.atomic import atomic_output, describe
    from redact.errors import ConfigError

    try:
        with ExitStack() as stack:
            for name, text in files.items():
                stack.enter_context(atomic_output(out / name)).write(text.encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot write the statistics to {out}: {describe(exc)}",
                          hint="choose a writable --out") from None
