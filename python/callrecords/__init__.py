"""Microsoft Graph call records as Arrow tables.

``read`` parses a callRecords document (a list-sessions page, or a callRecord with its sessions
expanded) into the five tables of ``callrecords flatten``: ``callRecords``, ``sessions``,
``segments``, ``media`` and ``streams``. ``iter_batches`` gives one table's record batches while
it parses, so memory follows one session, not the document. The columns are those of the Rust
crate's ``callrecords::table::schema``; ``streams`` has exactly the ``flatten`` columns.

The data reach pyarrow through the Arrow C stream interface: no copy, no Python object per row.
Parsing releases the GIL.
"""

from __future__ import annotations

import os
import warnings
from typing import IO, Dict, Iterator, Optional, Sequence, Union

import pyarrow as pa

from . import _native
from ._native import ParseError, __version__

__all__ = ["ParseError", "TABLES", "__version__", "iter_batches", "read", "schema"]

#: The five tables, parents first.
TABLES: tuple = tuple(_native.table_names())

Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]


def _note_lossy(lossy: tuple, unit: str) -> None:
    out_of_range, truncated = lossy
    if out_of_range:
        warnings.warn(
            f"{out_of_range} timestamp(s) outside the nanosecond range (1677 to 2262) are null; "
            "each is kept, with its text, in its row's valueErrors (timestamp_unit='us' holds them)",
            stacklevel=3,
        )
    if truncated:
        warnings.warn(
            f"{truncated} timestamp(s) had digits below a microsecond and were truncated to it "
            "(timestamp_unit='ns' keeps them exact)",
            stacklevel=3,
        )


def read(
    source: Source,
    tables: Optional[Sequence[str]] = None,
    timestamp_unit: str = "ns",
    *,
    strict: bool = False,
    batch_size: int = 65536,
    name: Optional[str] = None,
) -> Dict[str, pa.Table]:
    """Parses ``source`` whole into pyarrow tables.

    ``source`` is a path (``.json``, or gzip, detected by its bytes), ``bytes``-like data, or a
    binary file object. ``tables`` names the tables wanted (default: all five). Timestamps are
    ``timestamp[ns, UTC]`` (Graph's 100 ns ticks exact) or, with ``timestamp_unit="us"``,
    ``timestamp[us, UTC]`` (the ``0001-01-01`` sentinel held); a value the unit cannot hold is
    null or truncated, kept in ``valueErrors``, and named in a warning.

    A value that does not fit its field is null and recorded in the row's ``valueErrors``;
    with ``strict=True`` it raises instead. Invalid JSON raises :class:`ParseError`. ``name``
    is the ``file`` column's value (default: the path as given, else ``"-"``).

    >>> t = read(b'{"value": [{"id": "s1", "segments": []}]}', tables=["sessions"])
    >>> t["sessions"].column("sessionId").to_pylist()
    ['s1']
    """
    wanted = list(TABLES if tables is None else tables)
    streams, lossy = _native.read(source, wanted, timestamp_unit, batch_size, strict, name)
    _note_lossy(lossy, timestamp_unit)
    return {name: pa.RecordBatchReader.from_stream(s).read_all() for name, s in streams}


def iter_batches(
    source: Source,
    table: str = "streams",
    batch_size: int = 65536,
    timestamp_unit: str = "ns",
    *,
    strict: bool = False,
    name: Optional[str] = None,
    max_batch_bytes: int = 8 << 20,
) -> Iterator[pa.RecordBatch]:
    """Yields the record batches of one table of ``source`` as the streaming parser reaches
    them; memory follows one session and one batch. A batch ends at ``batch_size`` rows, or
    sooner once its values take about ``max_batch_bytes`` (wide rows make smaller batches).

    A document whose callRecord ``id`` follows its sessions (as Graph writes it) is read twice
    when it can be (a path, bytes, a seekable file), so that every row has its ``callRecordId``;
    from an unseekable stream those rows keep a null id.
    """
    batches = _native.iter_batches(
        source, table, batch_size, timestamp_unit, strict, name, max_batch_bytes
    )
    for stream in batches:
        yield pa.RecordBatchReader.from_stream(stream).read_next_batch()
    _note_lossy(batches.lossy(), timestamp_unit)


def schema(table: str = "streams", timestamp_unit: str = "ns") -> pa.Schema:
    """The Arrow schema of ``table``."""
    return pa.schema(_native.schema(table, timestamp_unit))
