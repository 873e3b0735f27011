//! Support for the fuzz targets: slow reference implementations written straight from the grammar,
//! independent of the crate's fast parsers.

pub mod reference;
