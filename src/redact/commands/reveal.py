"""`redact reveal`: what a replacement stands for, from an encrypted key file (authorised staff).

The only command that prints a detected value: on purpose, on request, with the secret.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from redact.cli import EXIT_PARTIAL, library_errors


@click.command()
@click.argument("keyfile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("replacement")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File holding the run's secret (else $REDACT_SECRET).")
@click.option("--document", "-d", default=None, metavar="OUTPUT",
              help="Only this document (its path in the output folder, as in manifest.jsonl).")
@library_errors
def reveal(keyfile, replacement, secret_file, document):
    """Print the original text behind REPLACEMENT (e.g. PERSON_3f9a2c1b or "[PERSON_1]").

    KEYFILE is the file written by `redact run --key-file`; it opens only with the run's secret.
    Prints one line per original, prefixed with the document when the replacement occurs in more
    than one. Exit 1 when the key holds no such replacement.
    """
    from redact.api import read_secret
    from redact.keystore import lookup, read_key

    matches = lookup(read_key(keyfile, read_secret(secret_file)), replacement, document)
    if not matches:
        click.echo("redact: no entry for that replacement in the key file", err=True)
        sys.exit(EXIT_PARTIAL)
    several = len({m.document for m in matches}) > 1
    for match in matches:
        for value in match.values:
            click.echo(f"{match.document}\t{value}" if several else value)
