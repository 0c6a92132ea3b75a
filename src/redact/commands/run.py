"""`redact run`: de-identify files and folders."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from redact.cli import detection_options, library_errors, progress_bar


@click.command()
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
    with progress_bar(total, "redacting", quiet) as advance:
        result = run_pipeline(list(inputs), options, progress=advance)
    if not quiet:
        click.echo(f"{result.documents} documents: {result.ok} written, {result.skipped} skipped, "
                   f"{result.quarantined} quarantined -> {out}", err=True)
    sys.exit(result.exit_code)
