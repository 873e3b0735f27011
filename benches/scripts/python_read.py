"""`callrecords.read` against the other ways Python gets the streams of a Graph page into Arrow:
`json.load` plus a Python walk and `pyarrow.Table.from_pylist`, Polars (`read_json`, then
explode and unnest), and DuckDB (`read_json`, then UNNEST, into Arrow). Alternated runs in one
process; medians and the ratios of medians.

    maturin develop --release -m python/Cargo.toml      # a release build of the package
    callrecords gen --seed 2 --size 256MiB --compact --output page.json
    python benches/scripts/python_read.py page.json [RUNS]

Each peer ends with a pyarrow Table of one row per stream with the stream's own members and the
keys and times of its session, segment and media, plus the media's network and device members
(dotted names), as `read` gives. The peers leave durations as their ISO 8601 text and timestamps
as strings (DuckDB parses what it recognises): less work than `read` does, not more.
"""

import os

# numpy (which pyarrow and Polars load) starts an OpenBLAS thread pool whose threads spin; on a
# 2-core machine they took a core from every path measured. Nothing here uses BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import gc  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import duckdb  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402

import callrecords  # noqa: E402

NESTED = ("callerNetwork", "calleeNetwork", "callerDevice", "calleeDevice")


def ours(path):
    return callrecords.read(path, tables=["streams"])["streams"]


def flat(prefix, obj, out):
    for k, v in obj.items():
        if isinstance(v, dict):
            flat(f"{prefix}{k}.", v, out)
        else:
            out[prefix + k] = v


def json_path(path):
    with open(path, "rb") as f:
        doc = json.load(f)
    rows = []
    for s in doc.get("value", []):
        for g in s.get("segments") or []:
            for m in g.get("media") or []:
                base = {
                    "file": path,
                    "sessionId": s.get("id"),
                    "sessionStart": s.get("startDateTime"),
                    "sessionEnd": s.get("endDateTime"),
                    "modalities": s.get("modalities"),
                    "segmentId": g.get("id"),
                    "segmentStart": g.get("startDateTime"),
                    "segmentEnd": g.get("endDateTime"),
                    "mediaLabel": m.get("label"),
                }
                for key in NESTED:
                    if isinstance(m.get(key), dict):
                        flat(key + ".", m[key], base)
                for t in m.get("streams") or []:
                    row = dict(base)
                    row.update(t)
                    rows.append(row)
    return pa.Table.from_pylist(rows)


def polars_path(path):
    field = lambda c, f: pl.col(c).struct.field(f)  # noqa: E731
    s = pl.read_json(path).select(pl.col("value").explode().alias("s"))
    s = s.select(
        field("s", "id").alias("sessionId"),
        field("s", "startDateTime").alias("sessionStart"),
        field("s", "endDateTime").alias("sessionEnd"),
        field("s", "modalities").alias("modalities"),
        field("s", "segments").alias("segments"),
    )
    g = s.explode("segments").with_columns(
        field("segments", "id").alias("segmentId"),
        field("segments", "startDateTime").alias("segmentStart"),
        field("segments", "endDateTime").alias("segmentEnd"),
        field("segments", "media").alias("media"),
    ).drop("segments")
    m = g.explode("media").with_columns(
        field("media", "label").alias("mediaLabel"),
        *[field("media", k).alias(k) for k in NESTED],
        field("media", "streams").alias("streams"),
    ).drop("media")
    t = m.explode("streams").filter(pl.col("streams").is_not_null()).unnest("streams")
    t = t.with_columns(*[pl.col(k).struct.unnest().name.prefix(k + ".") for k in NESTED]).drop(NESTED)
    return t.with_columns(pl.lit(path).alias("file")).to_arrow()


DUCKDB_SQL = """
  WITH doc AS (
    SELECT * FROM read_json('{input}', format = 'auto', records = true,
                            maximum_object_size = 4294967295, sample_size = -1)
  ),
  sessions AS (SELECT unnest(value) AS s FROM doc),
  segments AS (SELECT s, unnest(s.segments) AS g FROM sessions),
  media AS (SELECT s, g, unnest(g.media) AS m FROM segments),
  streams AS (SELECT s, g, m, unnest(m.streams) AS t FROM media)
  SELECT
    '{input}' AS file,
    s.id AS sessionId, s.startDateTime AS sessionStart, s.endDateTime AS sessionEnd,
    s.modalities AS modalities,
    g.id AS segmentId, g.startDateTime AS segmentStart, g.endDateTime AS segmentEnd,
    m.label AS mediaLabel,
    unnest(t),
    unnest(m.callerNetwork, recursive := true), unnest(m.callerDevice, recursive := true)
  FROM streams
"""


def duckdb_path(path):
    con = duckdb.connect()
    try:
        return con.sql(DUCKDB_SQL.format(input=path)).to_arrow_table()
    finally:
        con.close()


def main():
    path = str(Path(sys.argv[1]).resolve())
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    peers = {"callrecords.read": ours, "json + from_pylist": json_path,
             "polars": polars_path, "duckdb": duckdb_path}
    rows, times, failed = {}, {k: [] for k in peers}, {}
    for _ in range(runs):
        for name, run in peers.items():
            if name in failed:
                continue
            gc.collect()
            start = time.perf_counter()
            try:
                table = run(path)
            except Exception as e:  # a peer that cannot read the page is reported, not fatal
                failed[name] = f"{type(e).__name__}: {str(e)[:200]}"
                continue
            times[name].append(time.perf_counter() - start)
            rows[name] = table.num_rows
            del table
    mb = Path(path).stat().st_size / 1e6
    print(f"{path}: {mb:.0f} MB, callrecords {callrecords.__version__} from {callrecords.__file__}")
    med = {k: statistics.median(v) for k, v in times.items() if v}
    for name, m in med.items():
        print(f"  {name:20} median {m:7.3f} s  {mb / m:6.0f} MB/s  rows {rows[name]}  runs "
              f"{[round(x, 3) for x in times[name]]}")
    for name, why in failed.items():
        print(f"  {name:20} failed: {why}")
    base = med["callrecords.read"]
    for name, m in med.items():
        if name != "callrecords.read":
            print(f"  {name} / callrecords.read: {m / base:.1f}x")


if __name__ == "__main__":
    main()
