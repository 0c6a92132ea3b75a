"""`redact review`: serve the local page where staff check a sample of an export."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from redact.cli import library_errors


def sibling(export: Path, suffix: str) -> Path:
    """A file beside the export folder (never inside it), e.g. out -> out.review.json."""
    export = Path(export).resolve()
    return export.parent / (export.name + suffix)


@click.command()
@click.argument("export", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--source", "sources", multiple=True, required=True,
              type=click.Path(exists=True, path_type=Path),
              help="The inputs `redact run` was given (files or folders), unchanged. Repeatable. Outputs are "
                   "paired with them by the sha256 of the input bytes in the manifest.")
@click.option("--review", "review_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Review file: the sample and every decision, saved as you go; pass it again to resume. "
                   "Holds the missed text, so it is written owner-only and refused inside the export or a "
                   "source. Default: EXPORT.review.json beside the export.")
@click.option("--deny-list", type=click.Path(dir_okay=False, path_type=Path),
              help="Where 'add to deny-list' appends missed text, one entry per line; give it to the next "
                   "`redact run --roster FILE`. Owner-only, outside the export. Default: EXPORT.deny-list.txt "
                   "beside the export.")
@click.option("--target-rate", default=1.0, show_default=True,
              type=click.FloatRange(0, 1000, min_open=True, max_open=True),
              help="Residual identifiers per 1,000 words the review should be able to rule out: the sample "
                   "is sized so that finding no miss puts the upper bound below this rate.")
@click.option("--confidence", default=0.95, show_default=True, type=click.FloatRange(0.5, 1, max_open=True),
              help="Confidence of that one-sided upper bound (exact binomial, Clopper-Pearson).")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed of the random sample (stratified by format and top folder); recorded in the review file.")
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: a free random port).")
@library_errors
def review(export, sources, review_file, deny_list, target_rate, confidence, seed, port):
    """Serve a local page to review a random sample of EXPORT beside its originals.

    The page (127.0.0.1 only, a random token in its URL, no request leaves the machine) shows each
    sampled document original beside de-identified, every replacement highlighted and labelled.
    Mark text the tool missed (select it, press m) and needless replacements (press o); mark each
    document reviewed (d). Keys: n/p documents, r/R replacements. Stop with Ctrl-C, resume by
    running the same command again; then `redact certify EXPORT --review FILE`.
    Exit 0 when stopped, 2 on a usage error.
    """
    from redact.review.documents import Export
    from redact.review.server import ReviewApp, ReviewServer
    from redact.review.store import check_outside, open_or_start

    review_file = review_file or sibling(export, ".review.json")
    deny_list = deny_list or sibling(export, ".deny-list.txt")
    check_outside(review_file, [export, *sources], "--review file")
    check_outside(deny_list, [export, *sources], "--deny-list file")
    data = Export(export, list(sources))
    if data.unpaired():
        click.echo(f"redact review: {data.unpaired()} written documents have no source among --source "
                   "(changed or not given); they are not sampled", err=True)
    session = open_or_start(review_file, data, target_rate, confidence, seed)
    server = ReviewServer(ReviewApp(data, session, deny_list), port)
    summary = session.summary()
    click.echo(f"redact review: {summary['documents_sampled']} documents, {summary['words_sampled']} words "
               f"sampled ({session.data['words_needed']} needed); decisions saved to {review_file}", err=True)
    click.echo(f"Open {server.url}  (Ctrl-C to stop)")
    # Ctrl-C and a plain kill both stop the page cleanly, even when started from a shell that
    # ignores SIGINT for background jobs (Python then installs no handler of its own).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    click.echo("redact review: stopped; resume with the same command", err=True)
