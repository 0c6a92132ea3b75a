"""`redact run --engine spark`: the local pipeline's batches run as Spark tasks.

The driver discovers the inputs (a folder listing: it never reads or hashes an input) and cuts
them into batches; each batch is one partition. Executors read and hash each input once, decide
whether an earlier run finished it (--resume), and write the outputs themselves, so INPUT and
--out must be on storage every node sees at the same path (NFS, or HDFS/S3 through a mount).
Only manifest lines and counts come back to the driver, which writes manifest.jsonl, spans.jsonl
and stats.json exactly as the local engine does, in input order.

Each Python worker loads the model once (lazily, on its first batch) and keeps it while Spark
reuses the worker (spark.python.worker.reuse, on by default).

Run under spark-submit with this file as the application:
    spark-submit --master spark://host:7077 src/redact/spark.py run /shared/in --out /shared/out --engine spark
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from redact.errors import ConfigError
from redact.worker import Input, Outcome, RunOptions, load, process_batch

if TYPE_CHECKING:
    from pyspark import SparkContext

# Partitions (batches) per core run in one Spark job: outcomes of at most this many batches per
# core are held on the driver at once, so its memory stays flat however large the corpus.
WAVE_PER_CORE = 4
DOCS_PER_BATCH = 32


# --- executor side -------------------------------------------------------------------------------
def process_partition(batches: Iterable[list[Input]], options: RunOptions) -> Iterator[Outcome]:
    """Outcomes of a partition's batches, in order (runs on an executor). The model is loaded on
    this Python worker once (worker.load), again only for a run with other settings."""
    load(options)
    for batch in batches:
        yield from process_batch(batch, options)


# --- driver side ---------------------------------------------------------------------------------
def _context(options: RunOptions) -> tuple[SparkContext, bool]:
    """(context, whether we created it). Without a master from --spark-master or spark-submit,
    runs in local mode with one core per --workers."""
    try:
        from pyspark import SparkConf, SparkContext
    except ImportError:
        raise ConfigError("--engine spark needs PySpark", hint="pip install 'redact[spark]'") from None
    active = SparkContext._active_spark_context
    if active is not None:
        return active, False
    conf = SparkConf().setAppName("redact")
    master = options.spark_master
    under_submit = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit already chose a master
    if master:
        conf.setMaster(master)
    elif not under_submit:
        conf.setMaster(f"local[{max(1, options.workers)}]")
    if not master and not under_submit:
        # Local workers run this interpreter, so they import the same redact and model.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    return sc, True


def process(items: list[Input], options: RunOptions,
            stop: Callable[[], bool] = lambda: False) -> Iterator[tuple[Input, Outcome]]:
    """(input, outcome) pairs in input order, computed on Spark: the drop-in for pipeline.process.
    No new wave starts once `stop()` says so."""
    # Executors have their own working directory: send absolute paths.
    items = [dataclasses.replace(item, path=item.path.absolute()) for item in items]
    options = dataclasses.replace(options, out=options.out.absolute())
    batches = [items[i:i + DOCS_PER_BATCH] for i in range(0, len(items), DOCS_PER_BATCH)]
    if not batches:
        return
    sc, owned = _context(options)
    try:
        rdd = sc.parallelize(batches, len(batches))  # one batch per partition, order kept
        wave = max(1, sc.defaultParallelism * WAVE_PER_CORE)
        for first in range(0, len(batches), wave):
            if stop():
                return
            partitions = list(range(first, min(first + wave, len(batches))))
            done = [item for p in partitions for item in batches[p]]
            yield from zip(done, sc.runJob(rdd, lambda part: process_partition(part, options), partitions))
    finally:
        if owned:
            sc.stop()


if __name__ == "__main__":  # the application file for spark-submit
    from redact.cli import main

    main()
