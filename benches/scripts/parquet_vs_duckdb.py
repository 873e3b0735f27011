"""`callrecords flatten --format parquet` against DuckDB doing the same job, on one file.

DuckDB reads the Graph JSON with read_json, UNNESTs sessions -> segments -> media -> streams,
and writes one Parquet row per stream (zstd), with every thread it wants; callrecords runs
with one job. Also `flatten --format ndjson` for reference. Alternated runs; medians and the
ratio of medians, all measured in this one run.

    python benches/scripts/parquet_vs_duckdb.py target/release/callrecords FILE [RUNS]

Make FILE with `callrecords gen --seed 2 --size 256MiB --compact --output FILE`.
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

DUCKDB_SQL = """
COPY (
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
    m.callerNetwork AS callerNetwork, m.calleeNetwork AS calleeNetwork,
    m.callerDevice AS callerDevice, m.calleeDevice AS calleeDevice,
    g.caller AS caller, g.callee AS callee
  FROM streams
) TO '{output}' (FORMAT parquet, COMPRESSION zstd)
"""


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    binary, input_file = sys.argv[1], str(Path(sys.argv[2]).resolve())
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    out = Path(tempfile.mkdtemp())

    def ours(fmt: str):
        def run():
            target = out / f"ours.{fmt}"
            subprocess.run(
                [binary, "flatten", "--quiet", "--jobs", "1", "--format", fmt, "-o", str(target), input_file],
                check=True,
            )
        return run

    def theirs():
        con = duckdb.connect()
        con.execute(DUCKDB_SQL.format(input=input_file, output=out / "duckdb.parquet"))
        con.close()

    times = {"parquet": [], "ndjson": [], "duckdb": []}
    theirs()  # warm-up: the file in the page cache, DuckDB loaded
    ours("parquet")()
    for _ in range(runs):
        times["parquet"].append(timed(ours("parquet")))
        times["duckdb"].append(timed(theirs))
        times["ndjson"].append(timed(ours("ndjson")))
    rows_ours = duckdb.sql(f"select count(*) from '{out / 'ours.parquet'}'").fetchall()[0][0]
    rows_theirs = duckdb.sql(f"select count(*) from '{out / 'duckdb.parquet'}'").fetchall()[0][0]
    med = {k: statistics.median(v) for k, v in times.items()}
    mb = Path(input_file).stat().st_size / 1e6
    print(f"input {input_file}: {mb:.0f} MB; rows: callrecords {rows_ours}, duckdb {rows_theirs}")
    for k, v in med.items():
        print(f"{k:8} median {v:.3f} s  ({mb / v:.0f} MB/s)  runs {[round(x, 3) for x in times[k]]}")
    print(f"duckdb / callrecords parquet: {med['duckdb'] / med['parquet']:.2f}x")
    print(f"parquet / ndjson (callrecords): {med['parquet'] / med['ndjson']:.2f}x")


if __name__ == "__main__":
    main()
