"""`redact overredaction`: how much of real text without gold gets redacted, and what."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from redact.cli import EXIT_PARTIAL, detect_documents, detection_options, library_errors


@click.command(name="overredaction")
@click.argument("texts", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--corpora", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of the corpora that offset-only lines join with (as for `redact eval`).")
@click.option("--part", type=click.Choice(["dev", "test"]), default=None, help="Only lines of this part.")
@click.option("--max-share", type=click.FloatRange(0, 1), default=None,
              help="Exit 1 when the share of non-space characters redacted is above this.")
@click.option("--top", type=int, default=15, show_default=True,
              help="How many of the most frequent redacted strings per label to list (with --show-values).")
@click.option("--show-values", is_flag=True,
              help="List the most frequent redacted strings per label (public corpora only: they may be "
                   "identifiers).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the figures (and, with --show-values, the strings) as JSON.")
@detection_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@library_errors
def overredaction(texts, corpora, part, max_share, top, show_values, json_out, policy, model, config_path,
                  roster, quiet):
    """Share of characters redacted in TEXTS (JSONL lines {"id", "text"}, or offset-only lines as in
    gold files), overall and per label.

    Run it on real text with few identifiers (meeting transcripts, posts, clinical reports): what is
    redacted there is mostly over-redaction that costs researchers the content. Exit 1 above
    --max-share.
    """
    from redact.evaluate import load_gold, redaction_rate

    docs = [doc for path in texts for doc in load_gold(path, corpora, part)]
    predicted = detect_documents(docs, policy, model, config_path, roster, quiet)
    rate = redaction_rate(docs, predicted)
    click.echo(f"{len(docs)} documents, {rate.chars:,} non-space characters, {rate.share:.2%} redacted")
    for label, chars in sorted(rate.by_label.items(), key=lambda kv: -kv[1]):
        line = f"  {label:<14}{chars / rate.chars:7.2%}  {sum(rate.strings[label].values()):>7} spans"
        if show_values:
            line += "  " + ", ".join(f"{value!r} {n}" for value, n in rate.strings[label].most_common(top))
        click.echo(line)
    if json_out:
        json_out.write_text(json.dumps(rate.to_json(top if show_values else 0), indent=1) + "\n",
                            encoding="utf-8")
    if max_share is not None and rate.share > max_share:
        click.echo(f"redact: {rate.share:.2%} redacted, above --max-share {max_share:.2%}", err=True)
        sys.exit(EXIT_PARTIAL)
