"""`redact withdraw`: the next version of a --consent export after a participant withdrew."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from redact.cli import EXIT_PARTIAL, EXIT_STOPPED, detection_options, library_errors
from redact.commands.run import table_options


@click.command()
@click.argument("export", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--consent", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The consent registry, with the new withdrawal (or narrowing) recorded in it.")
@click.option("--source", "sources", multiple=True, required=True,
              type=click.Path(exists=True, path_type=Path),
              help="An input the export was made from, as given to `redact run` (repeat for each, same order).")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Read consent as of this date (default: today, UTC); not before the export's.")
@detection_options
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The secret the export was made with, if any (else $REDACT_SECRET).")
@click.option("--encoding", default=None, help="The --encoding the export was made with, if any.")
@click.option("--max-bytes", default=100 * 1024 * 1024, show_default=True, type=click.IntRange(1),
              help="The --max-bytes the export was made with.")
@click.option("--follow-symlinks", is_flag=True, help="Pass it if the export was made with it.")
@click.option("--quiet", "-q", is_flag=True, help="No summary or warnings (errors still show).")
@table_options
@library_errors
def withdraw(export, consent, sources, as_of, policy, model, config_path, roster, secret_file, encoding,
             max_bytes, follow_symlinks, quiet, table_config, text_columns, id_columns, date_columns,
             drop_columns, keep_columns, date_mode, keep_formulas):
    """Write the next version of EXPORT without the contributions of participants whose consent for
    its purpose ended since the last version.

    Give the same options the export was made with (they are checked). The sources are redone in a
    staging folder beside EXPORT; only the outputs whose withheld utterances, rows or sentences
    changed are replaced. The manifest marks them with the new version; stats.json, consent.json,
    changelog.jsonl and CHANGELOG.md (paths and counts, never names) are updated. A built-in check
    reads every output of the new version for the participant's name variants and withheld words.
    Exit 0 written (or nothing to do), 1 the check failed (nothing replaced), 2 usage error or
    options that differ from the export's (nothing written), 3 the staging folder failed.
    """
    from redact.api import read_secret
    from redact.pipeline import RunOptions, RunStopped
    from redact.tables import ColumnRoles, load_table_config
    from redact.withdrawal import CheckFailed
    from redact.withdrawal import withdraw as withdraw_export

    tables = load_table_config(table_config, ColumnRoles(
        text=text_columns, id=id_columns, date=date_columns, drop=drop_columns, keep=keep_columns,
        date_mode=date_mode))
    options = RunOptions(out=export, policy=policy, model=model, config=config_path, roster=roster,
                         secret=read_secret(secret_file), workers=1, encoding=encoding, max_bytes=max_bytes,
                         tables=tables, follow_symlinks=follow_symlinks, keep_formulas=keep_formulas,
                         consent=consent)
    try:
        result = withdraw_export(export, list(sources), options, as_of,
                                 warn=(lambda message: None) if quiet else None)
    except CheckFailed as exc:
        click.echo(f"redact: check failed: {exc} (hint: {exc.hint})", err=True)
        sys.exit(EXIT_PARTIAL)
    except RunStopped as exc:
        click.echo(f"redact: error: {exc}", err=True)
        sys.exit(EXIT_STOPPED)
    if quiet:
        return
    if result.unchanged:
        click.echo(f"no participant's consent for this export ended; {export} stays version {result.version}",
                   err=True)
        return
    click.echo(f"version {result.version}: {len(result.rewritten)} outputs rewritten, check passed -> {export}",
               err=True)
    for item in result.rewritten:
        click.echo(f"  {item['output']}", err=True)
