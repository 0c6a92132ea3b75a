"""`redact eval`: recall and precision against gold annotations."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from redact.cli import EXIT_PARTIAL, detect_documents, detection_options, library_errors


@click.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pred", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Predicted spans JSONL (as written by `redact detect`); default: detect now.")
@click.option("--min-recall", type=click.FloatRange(0, 1), default=None, help="Exit 1 below this mention recall.")
@click.option("--min-precision", type=click.FloatRange(0, 1), default=None,
              help="Exit 1 below this character precision.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the full report as JSON.")
@click.option("--show-values", is_flag=True, help="Print leaked values (only on synthetic data!).")
@click.option("--corpora", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of the real-text corpora that offset-only gold lines join with "
                   "(default: $REDACT_CORPORA, else the nearest shared/corpora above GOLD).")
@click.option("--part", type=click.Choice(["dev", "test"]), default=None,
              help="Score only the gold lines of this part.")
@detection_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@library_errors
def eval_(gold, pred, min_recall, min_precision, json_out, show_values, corpora, part, policy, model, config_path,
          roster, quiet):
    """Score detection against GOLD.jsonl ({"id", "text", "spans": [{"start", "end", "label"}]}).

    Gold lines may hold offsets into a corpus instead of text ({"id", "corpus", "parts": [{"doc",
    "start", "end"}], "sha256", "spans"}); they are joined with the --corpora folder.

    Prints mention recall (label-blind), character precision and F2, overall and per label, and
    the leaked mentions by id and offsets. Exit 1 when recall is below --min-recall.
    """
    from redact.errors import ConfigError
    from redact.evaluate import check_predictions, format_table, load_gold, read_jsonl, score

    docs = load_gold(gold, corpora, part)
    if pred:
        records = list(read_jsonl(pred))
        for n, record in enumerate(records, 1):
            if not isinstance(record, dict) or "id" not in record:
                raise ConfigError(f"{pred}: line {n} needs an id")
        predicted = check_predictions(docs, {str(r["id"]): r.get("spans", []) for r in records}, str(pred))
    else:
        predicted = detect_documents(docs, policy, model, config_path, roster, quiet)
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
