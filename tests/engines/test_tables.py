"""The Parquet and Arrow IPC output, read with the engines users read it with: DuckDB, pyarrow,
Polars. Types, exact values, and joins with no orphans."""

import json

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from conftest import run

TABLES = ["callRecords", "sessions", "segments", "media", "streams"]


def ndjson_rows(inputs):
    out = run("flatten", "--quiet", *inputs).stdout.decode()
    return [json.loads(line) for line in out.splitlines()]


def test_pyarrow_types_and_row_counts(lake, inputs):
    streams = pq.read_table(lake / "streams.parquet")
    schema = streams.schema
    assert schema.field("sessionStart").type == pa.timestamp("ns", tz="UTC")
    assert schema.field("averageJitterNs").type == pa.int64()
    assert schema.field("callerNetwork.linkSpeed").type == pa.int64()
    assert schema.field("callerNetwork.port").type == pa.int32()
    assert schema.field("averagePacketLossRate").type == pa.float64()
    assert schema.field("wasMediaBypassed").type == pa.bool_()
    assert schema.field("modalities").type == pa.list_(pa.string())
    assert schema.field("qualityReasons").type == pa.list_(pa.string())
    errors = schema.field("valueErrors").type
    assert pa.types.is_list(errors) and errors.value_type.names == ["path", "error", "raw"]
    # The streams table is flatten's rows, in order.
    rows = ndjson_rows(inputs)
    assert streams.num_rows == len(rows)
    assert streams.column_names == list(rows[0].keys())
    assert streams.column("streamId").to_pylist() == [r["streamId"] for r in rows]
    for name in TABLES:
        assert pq.read_metadata(lake / f"{name}.parquet").num_rows > 0, name


def plain(table):
    """The rows as Python values, timestamps as integers (datetime holds no 100 ns ticks)."""
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.int64()))
    return table.to_pylist()


def test_pyarrow_exact_values(lake):
    t = plain(pq.read_table(lake / "streams.parquet"))
    edge = [r for r in t if r["sessionId"] == "s-edge"]
    assert len(edge) == 2
    first, second = edge
    # 100 ns ticks survive.
    assert first["sessionStart"] == 1582656741216988900
    assert first["callerNetwork.linkSpeed"] == 4294967295
    assert first["videoCodec"] == "futureCodec"
    assert first["averageJitterNs"] == 16_000_000
    assert first["averagePacketLossRate"] == float("inf")
    assert first["modalities"] == ["audio", "hologram"]
    assert first["qualityReasons"][0] == "packetUtilization=709>500"
    assert "averagePacketLossRate=inf>0.1" in first["qualityReasons"]
    assert second["averageJitterNs"] is None
    assert second["averageRoundTripTimeNs"] == 93_784_123_456_789
    paths = [e["path"] for e in second["valueErrors"]]
    assert "/value/0/segments/0/media/0/streams/1/averageJitter" in paths
    # The sentinel does not fit nanoseconds: null, and kept with its text.
    assert first["sessionEnd"] is None
    assert {"path": "/value/0/endDateTime", "error": "Overflow", "raw": "0001-01-01T00:00:00Z"} in first["valueErrors"]


def test_duckdb_types_values_and_joins(lake):
    con = duckdb.connect()
    for name in TABLES:
        con.sql(f"create view {name} as select * from read_parquet('{lake / (name + '.parquet')}')")
    types = dict(con.sql("select column_name, column_type from (describe streams)").fetchall())
    assert types["sessionStart"] == "TIMESTAMP_NS WITH TIME ZONE" or types["sessionStart"] == "TIMESTAMPTZ_NS"
    assert types["callerNetwork.linkSpeed"] == "BIGINT"
    assert types["callerNetwork.port"] == "INTEGER"
    assert types["averageJitterNs"] == "BIGINT"
    assert types["modalities"] == "VARCHAR[]"
    (ns,) = con.execute("select epoch_ns(sessionStart) from sessions where sessionId = 's-edge'").fetchone()
    assert ns == 1582656741216988900
    row = con.execute(
        """select "callerNetwork.linkSpeed", videoCodec, averageJitterNs
           from streams where sessionId = 's-edge' and streamDirection = 'callerToCallee'"""
    ).fetchone()
    assert row == (4294967295, "futureCodec", 16_000_000)
    # Every stream joins its session, its segment and its media; nothing is orphaned. Keys may
    # be null (the docs examples leave ids out), so they match with IS NOT DISTINCT FROM.
    (streams,) = con.execute("select count(*) from streams").fetchone()
    for parent, keys in [
        ("sessions", ["file", "callRecordId", "sessionId"]),
        ("segments", ["file", "callRecordId", "sessionId", "segmentId"]),
        ("media", ["file", "callRecordId", "sessionId", "segmentId", "mediaLabel"]),
    ]:
        cols = ", ".join(f'"{k}"' for k in keys)
        on = " and ".join(f's."{k}" is not distinct from p."{k}"' for k in keys)
        (joined,) = con.execute(
            f"select count(*) from streams s join (select distinct {cols} from {parent}) p on {on}"
        ).fetchone()
        assert joined == streams, parent
    # Sessions without streams still have their rows.
    (lonely,) = con.execute("select count(*) from sessions anti join streams using (file, callRecordId, sessionId)").fetchone()
    assert lonely > 0


def test_arrow_ipc_with_pyarrow_duckdb_and_polars(arrow_stream, lake):
    with ipc.open_stream(arrow_stream) as reader:
        ipc_table = reader.read_all()
    parquet = pq.read_table(lake / "streams.parquet")
    assert ipc_table.schema == parquet.schema
    assert ipc_table.equals(parquet)
    con = duckdb.connect()
    con.register("ipc_table", ipc_table)
    (ns,) = con.execute("select epoch_ns(sessionStart) from ipc_table where sessionId = 's-edge' limit 1").fetchone()
    assert ns == 1582656741216988900
    frame = pl.read_ipc_stream(arrow_stream)
    assert frame.height == ipc_table.num_rows
    edge = frame.filter(pl.col("sessionId") == "s-edge").sort("streamDirection", nulls_last=True)
    assert edge["callerNetwork.linkSpeed"][0] == 4294967295
    assert edge["sessionStart"].dt.epoch("ns")[0] == 1582656741216988900


def test_polars_reads_the_parquet(lake):
    frame = pl.read_parquet(lake / "streams.parquet")
    assert frame.schema["sessionStart"] == pl.Datetime("ns", "UTC")
    assert frame.schema["callerNetwork.linkSpeed"] == pl.Int64
    assert frame.filter(pl.col("videoCodec") == "futureCodec").height == 1


def test_microseconds_for_spark(inputs, tmp_path):
    out = tmp_path / "us.parquet"
    run("flatten", "--quiet", "--format", "parquet", "--timestamp-unit", "us", "-o", str(out), *inputs)
    t = pq.read_table(out)
    assert t.schema.field("sessionStart").type == pa.timestamp("us", tz="UTC")
    edge = [r for r in plain(t) if r["sessionId"] == "s-edge"][0]
    assert edge["sessionEnd"] == -62135596800 * 10**6
    assert edge["sessionStart"] == 1582656741216988
