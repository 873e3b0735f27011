"""`callrecords.spark.flatten` on pyspark in local mode: the parser on the executors, through
`mapInArrow`, over a folder of corpus and generated files; rows per file and sampled values
against the CLI's (microsecond) output."""

import datetime
import gzip
import os
import shutil
import sys

import pyarrow.parquet as pq
import pytest

pyspark = pytest.importorskip("pyspark")

import callrecords.spark  # noqa: E402
from conftest import CORPUS, run  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # The Python workers run this interpreter, the one callrecords is installed in.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("callrecords-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def folder(generated, tmp_path_factory):
    d = tmp_path_factory.mktemp("lake")
    for p in CORPUS:
        shutil.copy(p, d / p.name)
    for name in ("edges.json", "gen-page.json", "gen-record.json", "late-id.json"):
        shutil.copy(generated[name], d / name)
    (d / "gen-page-again.json.gz").write_bytes(gzip.compress(generated["gen-page.json"].read_bytes()))
    return d


def naive_utc(value):
    """A UTC datetime as Spark collects it with a UTC session time zone: without tzinfo."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


SAMPLE = ["averageJitterNs", "averageRoundTripTimeNs", "sessionStart", "callerNetwork.linkSpeed",
          "videoCodec", "streamDirection", "callRecordId", "streamId", "modalities"]


def test_spark_flatten_gives_the_cli_rows(spark, folder, tmp_path):
    df = spark.read.format("binaryFile").load(str(folder))
    streams = callrecords.spark.flatten(df)
    assert streams.schema == callrecords.spark.spark_schema("streams")
    got = {}
    for row in streams.select("file", *[f"`{c}`" for c in SAMPLE]).collect():
        got.setdefault(os.path.basename(row["file"]), []).append(tuple(row[c] for c in SAMPLE))

    for path in sorted(folder.iterdir()):
        out = tmp_path / (path.name + ".parquet")
        run("flatten", "--quiet", "--format", "parquet", "--timestamp-unit", "us", "-o", out, path)
        want_table = pq.read_table(out).select(SAMPLE)
        want = [tuple(naive_utc(r[c]) for c in SAMPLE) for r in want_table.to_pylist()]
        rows = got.get(path.name, [])
        assert len(rows) == len(want), path.name
        assert sorted(map(repr, rows)) == sorted(map(repr, want)), path.name

    edge = [r for r in got["edges.json"] if r[SAMPLE.index("videoCodec")] == "futureCodec"]
    assert len(edge) == 1
    e = dict(zip(SAMPLE, edge[0]))
    assert e["callerNetwork.linkSpeed"] == 4294967295
    assert e["averageJitterNs"] == 16_000_000
    # The 100 ns tick, at Spark's microsecond.
    assert e["sessionStart"].isoformat().startswith("2020-02-25T18:52:21.216988")
    assert [r[SAMPLE.index("callRecordId")] for r in got["late-id.json"]] == ["late-record-id"]


def test_every_table_on_spark(spark, folder):
    df = spark.read.format("binaryFile").load(str(folder))
    for table in callrecords.TABLES:
        frame = callrecords.spark.flatten(df, table)
        assert frame.count() > 0, table


def test_a_bad_file_fails_the_job_naming_it(spark, tmp_path):
    (tmp_path / "bad.json").write_bytes(b'{"value": [{"id": "s1", ')
    df = spark.read.format("binaryFile").load(str(tmp_path))
    with pytest.raises(Exception, match="bad.json"):
        callrecords.spark.flatten(df).collect()
