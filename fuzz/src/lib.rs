//! Support for the fuzz targets: slow reference implementations written straight from the grammar,
//! independent of the crate's fast parsers; event-iterator invariants; and a structured generator of
//! callRecords-shaped JSON aimed at 64-byte block boundaries with its serde_json-based reference.

pub mod events;
pub mod gen;
pub mod reference;
