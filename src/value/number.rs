//! Exact integers and correctly rounded floats from raw JSON number text.

use super::ValueError;

/// A float field's value: a number or one of OData's special strings.
pub type FloatValue = f64;

/// Parses an Edm.Int32 from raw JSON number text.
pub fn parse_i32(_raw: &[u8]) -> Result<i32, ValueError> {
    todo!("values helper")
}

/// Parses an Edm.Int64 from raw JSON number text.
pub fn parse_i64(_raw: &[u8]) -> Result<i64, ValueError> {
    todo!("values helper")
}

/// Parses an Edm.Single/Double from raw JSON number text, correctly rounded to `f64`.
pub fn parse_f64(_raw: &[u8]) -> Result<f64, ValueError> {
    todo!("values helper")
}
