"""Shared fixtures: the built `callrecords` binary and the outputs the tests read."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def binary() -> str:
    """The CLI under test: $CALLRECORDS_BIN, else the debug build `cargo test` leaves."""
    path = os.environ.get("CALLRECORDS_BIN", str(ROOT / "target" / "debug" / "callrecords"))
    if not os.path.exists(path):
        pytest.fail(f"no callrecords binary at {path}; build it first (cargo build)")
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    """Runs the CLI, failing the test on a non-zero exit."""
    done = subprocess.run([binary(), *args], cwd=ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return done


# What the generator never writes, and the real engines must read exactly: a 100 ns tick, the
# .NET sentinel, linkSpeed 2^32 - 1, unknown enum members, special floats, a value error. Shared
# with the Python package's tests.
EDGES = (ROOT / "tests" / "engines" / "edges.json").read_text()


@pytest.fixture(scope="session")
def inputs(tmp_path_factory) -> list:
    """The docs corpus, a generated compact page, a generated callRecord and the edge cases."""
    d = tmp_path_factory.mktemp("inputs")
    (d / "edges.json").write_text(EDGES)
    run("gen", "--seed", "5", "--size", "2MiB", "--compact", "--output", str(d / "gen-page.json"))
    run("gen", "--seed", "6", "--size", "1MiB", "--shape", "callrecord", "--output", str(d / "gen-record.json"))
    corpus = sorted((ROOT / "corpus" / "docs").glob("*.json"))
    return [str(p) for p in corpus] + [str(d / n) for n in ("edges.json", "gen-page.json", "gen-record.json")]


@pytest.fixture(scope="session")
def lake(inputs, tmp_path_factory) -> pathlib.Path:
    """Every table of every input, as Parquet, one file per table."""
    d = tmp_path_factory.mktemp("lake")
    run("flatten", "--quiet", "--tables", "--format", "parquet", "--output-dir", str(d), *inputs)
    return d


@pytest.fixture(scope="session")
def arrow_stream(inputs, tmp_path_factory) -> pathlib.Path:
    """The streams table of every input, as an Arrow IPC stream."""
    path = tmp_path_factory.mktemp("arrow") / "streams.arrows"
    run("flatten", "--quiet", "--format", "arrow", "-o", str(path), *inputs)
    return path
