"""Shared fixtures: the CLI (the oracle), the inputs, and what the CLI makes of them."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "corpus" / "docs").glob("*.json"))

# What the generator never writes (a 100 ns tick, the .NET sentinel, linkSpeed 2^32 - 1, unknown
# enum members, special floats, value errors), shared with the engine tests; and a callRecord
# whose id follows its sessions.
EDGES = (ROOT / "tests" / "engines" / "edges.json").read_text()

LATE_ID = r"""{"sessions": [{"id": "s1", "segments": [{"id": "g1", "media": [{"label": "main-audio",
  "streams": [{"streamDirection": "callerToCallee", "averageJitter": "PT0.002S"}]}]}]}],
  "id": "late-record-id", "type": "peerToPeer"}"""


def binary() -> str:
    """The CLI: $CALLRECORDS_BIN, else the debug build `cargo test` leaves."""
    path = os.environ.get("CALLRECORDS_BIN", str(ROOT / "target" / "debug" / "callrecords"))
    if not os.path.exists(path):
        pytest.fail(f"no callrecords binary at {path}; build it first (cargo build)")
    return path


def run(*args, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([binary(), *map(str, args)], cwd=ROOT, capture_output=True)
    if check:
        assert done.returncode == 0, done.stderr.decode()
    return done


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> dict:
    """Generated documents: a compact page, a pretty callRecord, the edges and a late id."""
    d = tmp_path_factory.mktemp("generated")
    (d / "edges.json").write_text(EDGES)
    (d / "late-id.json").write_text(LATE_ID)
    run("gen", "--seed", "5", "--size", "2MiB", "--compact", "--output", d / "gen-page.json")
    run("gen", "--seed", "6", "--size", "1MiB", "--shape", "callrecord", "--output", d / "gen-record.json")
    return {p.name: p for p in d.iterdir()}


@pytest.fixture(scope="session")
def inputs(generated) -> list:
    return list(CORPUS) + sorted(generated.values())
