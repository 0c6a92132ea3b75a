"""`redact detect`: spans for JSONL texts."""

from __future__ import annotations

import json

import click

from redact.cli import detection_options, library_errors, progress_bar


@click.command()
@click.argument("infile", type=click.File("r", encoding="utf-8"))
@click.option("--output", "-o", "outfile", required=True, type=click.File("w", encoding="utf-8"),
              help="Output JSONL ('-' for stdout).")
@detection_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@library_errors
def detect(infile, outfile, policy, model, config_path, roster, quiet):
    """Detect identifier spans in IN.jsonl lines {"id", "text"}.

    Writes one line per input line, same order: {"id", "spans": [{"start", "end", "label", "score"}]}
    with character offsets into text. The policy decides which entity types count.
    """
    from redact.api import Redactor
    from redact.errors import ConfigError

    records = []
    for n, line in enumerate(infile, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            raise ConfigError(f"{infile.name}: line {n} is not valid JSON") from None
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str) or "id" not in rec:
            raise ConfigError(f"{infile.name}: line {n} needs an id and a text")
        records.append((rec["id"], rec["text"]))
    redactor = Redactor(policy, model=model, config=config_path, roster=roster)
    with progress_bar(len(records), "detecting", quiet) as advance:
        for (doc_id, _), spans in zip(records, redactor.detect(text for _, text in records)):
            outfile.write(json.dumps({"id": doc_id, "spans": [s.to_json() for s in spans]}) + "\n")
            advance(1)
