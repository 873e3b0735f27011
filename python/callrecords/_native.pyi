"""Type stubs of the native module (Rust, PyO3). Use the functions of ``callrecords`` instead."""

from typing import Any, Iterator, List, Optional, Tuple

__version__: str

class ParseError(ValueError):
    """Invalid JSON, or with ``strict=True`` a value error. ``kind`` is the error kind's name
    (``"Eof"``, ``"ExpectedValue"``, ``"Value(...)"``, …); ``offset`` the byte offset in the
    document; ``line`` and ``column`` are 1-based; ``path`` is the JSON Pointer of the value
    being read. Each is None where the error has no position."""

    kind: str
    offset: Optional[int]
    line: Optional[int]
    column: Optional[int]
    path: Optional[str]

class ArrowStream:
    """Record batches of one schema (the Arrow PyCapsule stream interface)."""

    def __arrow_c_stream__(self, requested_schema: Optional[Any] = None) -> Any: ...
    def __arrow_c_schema__(self) -> Any: ...

class Batches(Iterator[ArrowStream]):
    def __iter__(self) -> "Batches": ...
    def __next__(self) -> ArrowStream: ...
    def schema(self) -> ArrowStream: ...
    def lossy(self) -> Tuple[int, int]: ...

def read(
    source: Any,
    tables: List[str],
    timestamp_unit: str = "ns",
    batch_size: int = 65536,
    strict: bool = False,
    name: Optional[str] = None,
) -> Tuple[List[Tuple[str, ArrowStream]], Tuple[int, int]]: ...
def iter_batches(
    source: Any,
    table: str = "streams",
    batch_size: int = 65536,
    timestamp_unit: str = "ns",
    strict: bool = False,
    name: Optional[str] = None,
    max_batch_bytes: int = 8388608,
) -> Batches: ...
def schema(table: str, timestamp_unit: str = "ns") -> ArrowStream: ...
def table_names() -> List[str]: ...
