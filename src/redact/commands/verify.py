"""`redact verify`: re-scan an export for residual identifiers (offsets and labels, never values)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from redact.cli import EXIT_PARTIAL, detection_options, library_errors


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@detection_options
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as JSON here (must be outside FOLDER).")
@click.option("--quiet", "-q", is_flag=True,
              help="Print only the summary line (on stderr); the exit code still says clean or not.")
@library_errors
def verify(folder, policy, model, config_path, roster, json_out, quiet):
    """Check an export FOLDER written by `redact run` for residual identifiers.

    A second detection pass (plus --roster names) over every output the manifest lists, and any
    other file found there: every part of each file (Word comments, notes, properties and alt text;
    spreadsheet sheets and names; Parquet schema and metadata; caption headers) and its path,
    on the normalised view that sees through invisible characters and entities. Placeholders the
    run wrote ([PERSON_1], hmac pseudonyms, masks, renamed pictures) are neutralised first. Prints
    per-file counts with offsets and labels, never the text found (nor a path that may hold an
    identifier).
    Surrogate policies write realistic fake values, which this pass may report as findings.
    Exit 0 when clean, 1 when anything is found (or a file cannot be checked), 2 on a usage error.
    """
    from redact.api import Redactor
    from redact.errors import ConfigError
    from redact.verify import verify as verify_folder

    if json_out is not None and folder.resolve() in json_out.resolve().parents:
        raise ConfigError("--json must be outside the export folder", hint="write the report elsewhere")
    redactor = Redactor(policy, model=model, config=config_path, roster=roster)
    report = verify_folder(folder, redactor)
    if not quiet:
        for problem in report.problems:
            click.echo(f"problem: {problem}")
        for file in report.files:
            if file.error:
                click.echo(f"{file.file}: not checked ({file.error})")
                continue
            note = "" if file.in_manifest else " (not in manifest)"
            click.echo(f"{file.file}: {len(file.findings)} residual{'s' if len(file.findings) != 1 else ''}{note}")
            for f in file.findings:
                where = " (file name)" if f.part == "file name" else (f"[{f.segment}]" if f.segment else "")
                click.echo(f"  {f.file}{where}:{f.start}-{f.end} {f.label} score={f.score}")
    if json_out is not None:
        json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    verdict = "clean" if report.clean else "NOT clean"
    click.echo(f"redact verify: {len(report.files)} files, {report.findings} findings, "
               f"{report.unchecked} unchecked, {len(report.problems)} problems: {verdict}", err=True)
    if not report.clean:
        sys.exit(EXIT_PARTIAL)
