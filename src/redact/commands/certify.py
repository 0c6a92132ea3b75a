"""`redact certify`: the signed release record of a review, and its check."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from redact.cli import EXIT_PARTIAL, library_errors


@click.command()
@click.argument("export", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--review", "review_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The review file `redact review` saved (default: EXPORT.review.json beside the export).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the record (JSON); a readable page is written beside it with .html. "
                   "Default: EXPORT.release.json beside the export.")
@click.option("--check", "check", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="RECORD",
              help="Instead: verify RECORD's signature and that it describes EXPORT (its manifest hash).")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File holding the program secret that signs the record (else $REDACT_SECRET).")
@library_errors
def certify(export, review_file, out, check, secret_file):
    """Write the signed release record of a review of EXPORT, or --check one.

    The record (JSON, and a readable HTML page) holds the sample size, words reviewed, misses and
    needless replacements by kind, the residual identifier rate per 1,000 words with its exact
    upper confidence bound, tool version, policy and model hashes, the manifest's sha256 and an
    HMAC-SHA256 signature with the program secret. It holds no value from the data.
    Exit 0: record written and the bound meets the review's target with every sampled document
    reviewed (with --check: the record is intact and matches EXPORT). Exit 1: written, but the
    target is not met or the review is incomplete (with --check: a mismatch, reason on stderr).
    Exit 2: usage error, nothing written.
    """
    from redact.api import read_secret
    from redact.atomic import atomic_write
    from redact.commands.review import sibling
    from redact.errors import ConfigError
    from redact.review.certify import build_record, check_record, render_html
    from redact.review.documents import manifest_sha256
    from redact.review.store import ReviewFile, check_outside

    secret = read_secret(secret_file)
    if not secret:
        raise ConfigError("certify needs the program secret", hint="set REDACT_SECRET or pass --secret-file")
    if check is not None:
        reason = check_record(check, export, secret)
        if reason:
            click.echo(f"redact certify: {check}: {reason}", err=True)
            sys.exit(EXIT_PARTIAL)
        click.echo(f"redact certify: {check}: signature valid, matches {export}", err=True)
        return
    review_file = review_file or sibling(export, ".review.json")
    if not Path(review_file).is_file():
        raise ConfigError(f"no review file {review_file}", hint="run `redact review` first, or pass --review")
    review = ReviewFile.open(review_file, manifest_sha256(export))
    out = out or sibling(export, ".release.json")
    check_outside(out, [export], "--out record")
    record = build_record(export, review, secret)
    atomic_write(out, (json.dumps(record, indent=2) + "\n").encode())
    page = out.with_suffix(".html")
    atomic_write(page, render_html(record).encode())
    rate = record["residual_rate_per_1000_words"]
    sample = record["sample"]
    click.echo(f"redact certify: {sample['words_reviewed']} words in {sample['documents_reviewed']} of "
               f"{sample['documents_sampled']} documents reviewed, {record['findings']['misses_total']} missed: "
               f"residual rate <= {rate['upper_bound']:.3f} per 1,000 words ({rate['confidence']:.0%}) "
               f"-> {out}, {page}",
               err=True)
    if not record["meets_target"]:
        sys.exit(EXIT_PARTIAL)
