"""Spark: the parser on every executor, through ``mapInArrow``.

>>> df = spark.read.format("binaryFile").load("lake/callrecords/*.json.gz")   # doctest: +SKIP
>>> streams = callrecords.spark.flatten(df)                                    # doctest: +SKIP

Each executor parses its files with the Rust parser and hands Spark Arrow batches; no JSON tree,
no hand-written schema, durations as exact ``long`` nanoseconds. Spark's timestamps are
microseconds, so the timestamp columns are ``timestamp[us]`` here: Graph's 100 ns ticks are
truncated to the microsecond (the exact text stays in the row's ``valueErrors`` only for values
the unit cannot hold at all; use ``read`` with ``timestamp_unit="ns"`` off Spark when the ticks
matter).
"""

from __future__ import annotations

import warnings
from typing import Iterator, Optional

import pyarrow as pa

from . import iter_batches, schema

__all__ = ["flatten", "spark_schema"]


def spark_schema(table: str = "streams"):
    """The Spark ``StructType`` of ``table`` (timestamps in microseconds)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema(table, "us"))


def flatten(
    df,
    table: str = "streams",
    *,
    content_col: str = "content",
    path_col: Optional[str] = "path",
    batch_size: int = 8192,
    strict: bool = False,
):
    """The rows of ``table`` for every file of ``df``, a DataFrame of
    ``spark.read.format("binaryFile")`` (its ``path`` and ``content`` columns; plain or gzip
    JSON). The ``file`` column holds each row's path.

    A file that is not valid JSON fails the task with :class:`callrecords.ParseError`'s message,
    naming the path, as Spark fails on any bad input; filter such files out first to go on.
    """
    columns = [content_col] + ([path_col] if path_col else [])

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            contents = batch.column(content_col)
            paths = batch.column(path_col) if path_col else None
            for i in range(batch.num_rows):
                data = contents[i].as_buffer()
                name = paths[i].as_py() if paths is not None else None
                try:
                    with warnings.catch_warnings():
                        # The truncation of the 100 ns ticks is this function's documented
                        # contract; a warning per file on every executor would say nothing new.
                        warnings.simplefilter("ignore", UserWarning)
                        yield from iter_batches(
                            memoryview(data), table, batch_size, "us", strict=strict, name=name
                        )
                except (ValueError, OSError) as e:  # ParseError, or a corrupt gzip stream
                    raise type(e)(f"{name}: {e}") from e

    return df.select(*columns).mapInArrow(parse, spark_schema(table))
