//! The Arrow schema of each table: one Arrow type per [`ColumnKind`].

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

use super::TimestampUnit;
use crate::flatten::{ColumnKind, Table};

/// The Arrow schema of `table`, its timestamps in `unit`.
///
/// Every column is nullable. The types, by [`ColumnKind`]:
///
/// | kind | Arrow type |
/// |---|---|
/// | `Str`, `Enum` | `Utf8` (enums keep the input's text, unknown members included) |
/// | `Int32`, `Int64` | `Int32`, `Int64`, as the model declares (`linkSpeed` is `Int64`) |
/// | `Float` | `Float64` (Graph's `Edm.Single`, widened exactly; `"INF"`, `"-INF"`, `"NaN"` as IEEE values) |
/// | `Bool` | `Boolean` |
/// | `Time` | `Timestamp(unit, "UTC")` |
/// | `Nanos` | `Int64` nanoseconds |
/// | `List` | `List<Utf8>` |
/// | `Errors` | `List<Struct<path: Utf8, error: Utf8, raw: Utf8>>` |
///
/// The schema is a contract, like the `flatten` columns: columns are only ever added at the end.
///
/// ```
/// use callrecords::flatten::Table;
/// use callrecords::table::{schema, TimestampUnit};
///
/// let s = schema(Table::Media, TimestampUnit::Nanosecond);
/// let link = s.field_with_name("callerNetwork.linkSpeed").unwrap();
/// assert_eq!(link.data_type(), &arrow_schema::DataType::Int64);
/// ```
pub fn schema(table: Table, unit: TimestampUnit) -> SchemaRef {
    let fields: Vec<Field> = table
        .columns()
        .iter()
        .map(|c| Field::new(c.name(), data_type(c.kind(), unit), true))
        .collect();
    Arc::new(Schema::new(fields))
}

/// The Arrow type of a column of `kind`.
pub(crate) fn data_type(kind: ColumnKind, unit: TimestampUnit) -> DataType {
    match kind {
        ColumnKind::Str | ColumnKind::Enum => DataType::Utf8,
        ColumnKind::Int32 => DataType::Int32,
        ColumnKind::Int64 | ColumnKind::Nanos => DataType::Int64,
        ColumnKind::Float => DataType::Float64,
        ColumnKind::Bool => DataType::Boolean,
        ColumnKind::Time => DataType::Timestamp(time_unit(unit), Some(UTC.into())),
        ColumnKind::List => DataType::List(list_item()),
        ColumnKind::Errors => DataType::List(Arc::new(Field::new(
            "item",
            DataType::Struct(error_fields()),
            false,
        ))),
    }
}

/// The time zone of every timestamp column.
pub(crate) const UTC: &str = "UTC";

pub(crate) fn time_unit(unit: TimestampUnit) -> TimeUnit {
    match unit {
        TimestampUnit::Nanosecond => TimeUnit::Nanosecond,
        TimestampUnit::Microsecond => TimeUnit::Microsecond,
    }
}

/// The item field of a `List<Utf8>` column.
pub(crate) fn list_item() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Utf8, true))
}

/// The fields of one value error: its JSON path, its kind (null for the item counting the
/// errors a record had beyond those it keeps) and the value's raw text.
pub(crate) fn error_fields() -> Fields {
    Fields::from(vec![
        Field::new("path", DataType::Utf8, false),
        Field::new("error", DataType::Utf8, true),
        Field::new("raw", DataType::Utf8, false),
    ])
}
