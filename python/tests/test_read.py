"""`read` and `iter_batches` against the CLI: the same rows, value for value, from every kind of
source; errors with their positions; the timestamp units; the memory of `iter_batches`."""

import datetime
import gzip
import io
import json
import math
import os
import subprocess
import sys
import warnings

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import callrecords
from conftest import CORPUS, LATE_ID, ROOT, run

TABLES = ["callRecords", "sessions", "segments", "media", "streams"]


def cli_tables(path, tmp_path, unit="ns"):
    out = tmp_path / "lake"
    run("flatten", "--quiet", "--tables", "--format", "parquet", "--timestamp-unit", unit,
        "--output-dir", out, path)
    return {t: pq.read_table(out / f"{t}.parquet") for t in TABLES if (out / f"{t}.parquet").exists()}


def read_quiet(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return callrecords.read(source, **kw)


def test_tables_and_version():
    assert callrecords.TABLES == tuple(TABLES)
    cargo = (ROOT / "python" / "Cargo.toml").read_text()
    assert f'version = "{callrecords.__version__}"' in cargo
    assert issubclass(callrecords.ParseError, ValueError)


@pytest.mark.parametrize("name", [p.name for p in CORPUS] + ["edges.json", "gen-page.json", "gen-record.json", "late-id.json"])
def test_read_equals_the_cli_tables(name, generated, tmp_path):
    path = str(generated.get(name) or ROOT / "corpus" / "docs" / name)
    ours = read_quiet(path)
    theirs = cli_tables(path, tmp_path)
    for t in TABLES:
        if t not in theirs:
            assert ours[t].num_rows == 0, t
            continue
        assert ours[t].schema == theirs[t].schema, t
        assert ours[t].equals(theirs[t]), t


# --- streams against flatten's NDJSON, each value by its type ---------------------------------

def ns_of(text):
    """Nanoseconds since the epoch of an RFC 3339 instant, exactly; None out of the i64 range."""
    date, _, rest = text.partition("T")
    clock = rest.rstrip("Z")
    offset = 0
    for sign in "+-":
        if sign in clock:
            clock, _, off = clock.partition(sign)
            h, m = off.split(":")
            offset = (1 if sign == "+" else -1) * (int(h) * 3600 + int(m) * 60)
    whole, _, frac = clock.partition(".")
    base = datetime.datetime.fromisoformat(f"{date}T{whole}+00:00")
    seconds = (base - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)) // datetime.timedelta(seconds=1)
    ns = (seconds - offset) * 10**9 + int((frac + "000000000")[:9])
    return ns if -(2**63) <= ns < 2**63 else None


FLOATS = {"INF": math.inf, "-INF": -math.inf, "NaN": math.nan}


def expected(field, value):
    if value is None:
        return None
    if pa.types.is_timestamp(field.type):
        return ns_of(value)
    if pa.types.is_floating(field.type) and isinstance(value, str):
        return FLOATS[value]
    if pa.types.is_list(field.type) and isinstance(value, str):
        return value.split(";")
    return value


def same(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def plain(table):
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.int64()))
    return table.to_pylist()


@pytest.mark.parametrize("name", [p.name for p in CORPUS] + ["edges.json", "gen-page.json", "gen-record.json", "late-id.json"])
def test_streams_equal_flatten_ndjson(name, generated):
    path = str(generated.get(name) or ROOT / "corpus" / "docs" / name)
    table = read_quiet(path, tables=["streams"])["streams"]
    lines = run("flatten", "--quiet", path).stdout.decode().splitlines()
    ndjson = [json.loads(line) for line in lines]
    assert table.column_names == (list(ndjson[0]) if ndjson else table.column_names)
    rows = plain(table)
    assert len(rows) == len(ndjson)
    for got, want in zip(rows, ndjson):
        # A timestamp nanoseconds cannot hold is null, and kept in valueErrors with its text.
        overflow = set()
        for field in table.schema:
            value = want[field.name]
            if pa.types.is_timestamp(field.type) and value is not None and ns_of(value) is None:
                overflow.add(value)
        for field in table.schema:
            if field.name == "valueErrors":
                extra = [e for e in got[field.name] or [] if e["error"] == "Overflow" and e["raw"] in overflow]
                rest = [e for e in got[field.name] or [] if e not in extra] or None
                assert rest == want[field.name], field.name
                assert len({e["raw"] for e in extra}) == len(overflow)
                continue
            assert same(got[field.name], expected(field, want[field.name])), (field.name, got[field.name], want[field.name])


# --- sources ---------------------------------------------------------------------------------

class Unseekable(io.RawIOBase):
    """A pipe-like binary stream: read only, no seek."""

    def __init__(self, data):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, b):
        return self._data.readinto(b)


def test_every_kind_of_source_gives_the_same_rows(generated, tmp_path):
    path = generated["gen-record.json"]
    data = path.read_bytes()
    gz = tmp_path / "record.json.gz"
    gz.write_bytes(gzip.compress(data))
    want = read_quiet(str(path), name="x")
    sources = {
        "str": str(path),
        "PathLike": path,
        "bytes": data,
        "bytearray": bytearray(data),
        "memoryview": memoryview(data),
        "file": open(path, "rb"),
        "gzip path": gz,
        "gzip bytes": gzip.compress(data),
        "gzip file": open(gz, "rb"),
    }
    for kind, source in sources.items():
        try:
            got = read_quiet(source, name="x")
        except callrecords.ParseError as e:
            raise AssertionError(kind) from e
        for t in TABLES:
            assert got[t].equals(want[t]), (kind, t)
    # Read once from a stream that cannot be rewound: the rows before the late id keep it null.
    got = read_quiet(io.BufferedReader(Unseekable(LATE_ID.encode())), name="x")
    assert got["streams"].column("callRecordId").to_pylist() == [None]
    again = read_quiet(LATE_ID.encode(), name="x")
    assert again["streams"].column("callRecordId").to_pylist() == ["late-record-id"]
    # A file object is read from where it stands, and rewound there for the second pass.
    f = io.BytesIO(b"garbage before" + LATE_ID.encode())
    f.seek(len(b"garbage before"))
    assert read_quiet(f, name="x")["streams"].column("callRecordId").to_pylist() == ["late-record-id"]
    # A reader whose read(n) gives more than n bytes, or one byte at a time: nothing is lost,
    # and gzip is still recognised.
    class Generous(io.RawIOBase):
        def __init__(self, data, step):
            self._data, self._step = data, step

        def readable(self):
            return True

        def read(self, n=-1):
            out, self._data = self._data[: self._step], self._data[self._step:]
            return out

    for step in (1, 3, 1 << 20):
        for payload in (data, gzip.compress(data)):
            got = read_quiet(Generous(payload, step), name="x")
            assert got["streams"].num_rows == want["streams"].num_rows, step
    # The file object's own exception comes through as it was.
    class Interrupted(io.RawIOBase):
        def readable(self):
            return True

        def read(self, n=-1):
            raise KeyError("from the file object")

    with pytest.raises(KeyError, match="from the file object"):
        callrecords.read(Interrupted())
    with pytest.raises(KeyError, match="from the file object"):
        list(callrecords.iter_batches(Interrupted()))
    # A table named twice is given once.
    twice = read_quiet(data, tables=["streams", "streams"], name="x")
    assert list(twice) == ["streams"] and twice["streams"].equals(want["streams"])
    with pytest.raises(TypeError):
        callrecords.read(12345)
    with pytest.raises(FileNotFoundError):
        callrecords.read(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="no table"):
        callrecords.read(data, tables=["calls"])


def test_iter_batches_gives_the_rows_of_read(tmp_path):
    path = tmp_path / "page.json"
    run("gen", "--seed", "9", "--size", "64MiB", "--compact", "--output", path)
    whole = read_quiet(str(path), tables=["streams"])["streams"]
    batches = list(callrecords.iter_batches(str(path), batch_size=10_000))
    assert len(batches) > 2
    assert all(b.num_rows <= 10_000 for b in batches)
    assert pa.Table.from_batches(batches).equals(whole)
    sessions = pa.Table.from_batches(list(callrecords.iter_batches(path, table="sessions")))
    assert sessions.equals(read_quiet(str(path), tables=["sessions"])["sessions"])


# --- errors ----------------------------------------------------------------------------------

def cli_position(path):
    """`validate`'s `FILE:LINE:COLUMN: message … at PATH` for a bad file."""
    done = run("validate", path, check=False)
    assert done.returncode == 1
    line = done.stdout.decode().splitlines()[0]
    _, ln, col, message = line.rsplit(":", 3)[0:1] + line[len(str(path)) + 1:].split(":", 2)
    at = message.rsplit(" at /", 1)
    return int(ln), int(col), ("/" + at[1]) if len(at) == 2 else None


@pytest.mark.parametrize("cut", [0.3, 0.5, 0.9])
def test_a_truncated_file_raises_parse_error_with_its_position(cut, tmp_path):
    doc = (ROOT / "corpus" / "docs" / "v1.0_callrecords-callrecord-get_example2.json").read_bytes()
    path = tmp_path / "cut.json"
    path.write_bytes(doc[: int(len(doc) * cut)])
    line, column, json_path = cli_position(path)
    for call in (lambda: callrecords.read(str(path)), lambda: list(callrecords.iter_batches(str(path)))):
        with pytest.raises(callrecords.ParseError) as info:
            call()
        e = info.value
        assert (e.line, e.column, e.path) == (line, column, json_path)
        assert e.kind == "Eof"
        assert 0 < e.offset <= len(doc)


def test_value_errors_lenient_and_strict(generated):
    edges = generated["edges.json"]
    streams = read_quiet(str(edges), tables=["streams"])["streams"]
    errors = streams.column("valueErrors").to_pylist()[1]
    assert errors[0]["raw"] == "garbage"
    with pytest.raises(callrecords.ParseError) as info:
        callrecords.read(str(edges), strict=True)
    assert info.value.path == "/value/0/segments/0/media/0/streams/1/averageJitter"


def test_timestamp_units_and_their_warnings(generated):
    edges = str(generated["edges.json"])
    with pytest.warns(UserWarning, match="outside the nanosecond range"):
        ns = callrecords.read(edges, tables=["sessions"])["sessions"]
    assert ns.schema.field("sessionStart").type == pa.timestamp("ns", tz="UTC")
    assert ns.column("sessionStart").cast(pa.int64()).to_pylist() == [1582656741216988900]
    with pytest.warns(UserWarning, match="truncated"):
        us = callrecords.read(edges, tables=["sessions"], timestamp_unit="us")["sessions"]
    assert us.column("sessionStart").cast(pa.int64()).to_pylist() == [1582656741216988]
    assert us.column("sessionEnd").cast(pa.int64()).to_pylist() == [-62135596800 * 10**6]
    assert callrecords.schema("streams", "us").field("sessionStart").type == pa.timestamp("us", tz="UTC")


# --- memory ----------------------------------------------------------------------------------

# The peak from VmHWM, which starts afresh at exec (ru_maxrss would carry over the RSS of the
# pytest process the child was forked from).
RSS_SCRIPT = """
import sys
import callrecords
rows = 0
for batch in callrecords.iter_batches(sys.argv[1]):
    rows += batch.num_rows
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
print(rows, hwm.split()[1])
"""


def test_iter_batches_memory_follows_a_session_not_the_file(tmp_path):
    path = tmp_path / "big.json"
    run("gen", "--seed", "3", "--size", "256MiB", "--compact", "--output", path)
    done = subprocess.run([sys.executable, "-c", RSS_SCRIPT, str(path)], capture_output=True, check=True)
    rows, peak_kib = map(int, done.stdout.split())
    assert rows > 90_000
    assert peak_kib < 128 * 1024, f"peak RSS {peak_kib} KiB over a {os.path.getsize(path) >> 20} MiB file"


# --- the GIL ---------------------------------------------------------------------------------

def test_parsing_releases_the_gil(tmp_path):
    import threading

    path = tmp_path / "page.json"
    run("gen", "--seed", "4", "--size", "32MiB", "--compact", "--output", path)
    data = path.read_bytes()
    ticks = [0]
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks[0] += 1

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        before = ticks[0]
        # The native call alone: a held GIL would leave the ticker at most a few switch
        # intervals (5 ms each) of the parse.
        callrecords._native.read(data, ["streams"])
        during = ticks[0] - before
    finally:
        stop.set()
        ticker.join()
    # Measured: about 2,000,000 ticks with the GIL released, about 45,000 with it held.
    assert during > 300_000, during
