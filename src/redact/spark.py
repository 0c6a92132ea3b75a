"""`redact run --engine spark`: the local pipeline's batches run as Spark tasks.

The driver discovers the inputs and cuts them into the same batches as the local engine; each
batch is one partition. Executors read the inputs and write the outputs themselves, so INPUT and
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
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from redact.errors import ConfigError
from redact.pipeline import DOCS_PER_BATCH, Input, Outcome, RunOptions, _batches, _init_worker, _process

if TYPE_CHECKING:
    from pyspark import SparkContext

# Partitions (batches) per core run in one Spark job: outcomes of at most this many batches per
# core are held on the driver at once, so its memory stays flat however large the corpus.
WAVE_PER_CORE = 4

# --- executor side -------------------------------------------------------------------------------
_LOADED: RunOptions | None = None


def _ensure_redactor(options: RunOptions) -> None:
    """Load the model on this Python worker once; again only if a run with other settings comes."""
    global _LOADED
    if _LOADED != options:
        _init_worker(options)
        _LOADED = options


def process_partition(batches: Iterable[list[Input]], options: RunOptions) -> Iterator[Outcome]:
    """Outcomes of a partition's batches, in order (runs on an executor)."""
    _ensure_redactor(options)
    for batch in batches:
        yield from _process(batch, options)


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


def process(items: list[Input], options: RunOptions) -> Iterator[Outcome]:
    """Outcomes in input order, computed on Spark: the drop-in for pipeline.process."""
    # Executors have their own working directory: send absolute paths.
    items = [dataclasses.replace(item, path=item.path.absolute()) for item in items]
    options = dataclasses.replace(options, out=options.out.absolute())
    batches = list(_batches(items, DOCS_PER_BATCH))
    if not batches:
        return
    sc, owned = _context(options)
    try:
        rdd = sc.parallelize(batches, len(batches))  # one batch per partition, order kept
        wave = max(1, sc.defaultParallelism * WAVE_PER_CORE)
        for first in range(0, len(batches), wave):
            partitions = list(range(first, min(first + wave, len(batches))))
            yield from sc.runJob(rdd, lambda part: process_partition(part, options), partitions)
    finally:
        if owned:
            sc.stop()


if __name__ == "__main__":  # the application file for spark-submit
    from redact.cli import main

    main()
