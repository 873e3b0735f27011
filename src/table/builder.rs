//! One table's rows into Arrow arrays: a builder per column, cut into record batches.

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder, TimestampNanosecondBuilder,
};
use arrow_array::{ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{Field, SchemaRef};

use super::schema::{error_fields, list_item, schema, UTC};
use super::{Lossy, TableOptions, TimestampUnit};
use crate::flatten::{Cell, Column, ColumnKind, ErrorItem, Row, Table};
use crate::value::{Timestamp, ValueErrorKind};

/// Builds the record batches of one table from its rows.
///
/// ```
/// use callrecords::flatten::{Flattener, Table};
/// use callrecords::table::{TableBuilder, TableOptions};
///
/// let doc = br#"{"value": [{"id": "s1", "startDateTime": "2020-02-25T18:52:21.2169889Z"}]}"#;
/// let mut sessions = TableBuilder::new(Table::Sessions, &TableOptions::default());
/// let mut flattener = Flattener::new("page.json").with_tables(&[Table::Sessions]);
/// let mut rows = flattener.rows();
/// for event in callrecords::events(doc) {
///     rows.push(&event?, &mut |r| {
///         sessions.append(r.row);
///         Ok::<(), callrecords::Error>(())
///     })?;
/// }
/// let batch = sessions.finish().unwrap();
/// assert_eq!(batch.num_rows(), 1);
/// # Ok::<(), callrecords::Error>(())
/// ```
#[derive(Debug)]
pub struct TableBuilder {
    table: Table,
    schema: SchemaRef,
    columns: Vec<ColumnBuilder>,
    rows: usize,
    bytes: usize,
    batch_rows: usize,
    batch_bytes: usize,
    lossy: Lossy,
}

impl TableBuilder {
    /// A builder of `table`'s batches.
    pub fn new(table: Table, options: &TableOptions) -> Self {
        let unit = options.timestamp_unit;
        TableBuilder {
            table,
            schema: schema(table, unit),
            columns: table
                .columns()
                .iter()
                .map(|c| ColumnBuilder::new(c.kind(), unit))
                .collect(),
            rows: 0,
            bytes: 0,
            batch_rows: options.batch_size.max(1),
            batch_bytes: options.max_batch_bytes.max(1),
            lossy: Lossy::default(),
        }
    }

    /// The table it builds.
    pub fn table(&self) -> Table {
        self.table
    }

    /// Its Arrow schema ([`super::schema`]).
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Rows appended since the last batch.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no row was appended since the last batch.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// True when the rows held reach [`TableOptions::batch_size`] or their size (about what
    /// the batch will take) reaches [`TableOptions::max_batch_bytes`]: time for
    /// [`TableBuilder::finish`].
    pub fn is_full(&self) -> bool {
        self.rows >= self.batch_rows || self.bytes >= self.batch_bytes
    }

    /// What the timestamp unit could not hold exactly, so far.
    pub fn lossy(&self) -> Lossy {
        self.lossy
    }

    /// Appends one row of this builder's table.
    ///
    /// A timestamp the chosen unit cannot hold is null, counted in [`TableBuilder::lossy`] and
    /// added to the row's `valueErrors` (nanoseconds: outside 1677-09-21 to 2262-04-11, such as
    /// .NET's `0001-01-01T00:00:00Z`); one it holds only to the unit is truncated to it and
    /// counted (microseconds: Graph's 100 ns ticks).
    pub fn append(&mut self, row: &Row<'_>) {
        let mut lost = Vec::new();
        let columns = self.table.columns();
        for ((builder, column), cell) in self.columns.iter_mut().zip(columns).zip(row.cells()) {
            self.bytes += match (builder, cell) {
                // The last column: the row's value errors, with the timestamps lost above.
                (ColumnBuilder::Errors(b), cell) if !lost.is_empty() => {
                    let mut items = match cell {
                        Cell::Errors(items) => items.clone(),
                        _ => Vec::new(),
                    };
                    items.append(&mut lost);
                    b.append(&items)
                }
                (builder, cell) => {
                    let (bytes, holds) = builder.append(cell, &mut self.lossy);
                    if !holds {
                        lost.push(lost_timestamp(row, column, cell));
                    }
                    bytes
                }
            };
        }
        self.rows += 1;
    }

    /// The batch of the rows appended since the last one; `None` when there are none.
    pub fn finish(&mut self) -> Option<RecordBatch> {
        if self.rows == 0 {
            return None;
        }
        let arrays: Vec<ArrayRef> = self.columns.iter_mut().map(|b| b.finish()).collect();
        self.rows = 0;
        self.bytes = 0;
        // The arrays are built from this schema's kinds, one per column, all of one length.
        RecordBatch::try_new(Arc::clone(&self.schema), arrays).ok()
    }
}

/// The value error of a timestamp the unit cannot hold.
fn lost_timestamp(row: &Row<'_>, column: &Column, cell: &Cell<'_>) -> ErrorItem<'static> {
    ErrorItem {
        path: format!(
            "{}/{}",
            row.at(column.level()),
            column.property().replace('.', "/")
        ),
        kind: Some(ValueErrorKind::Overflow),
        raw: match cell {
            Cell::Time(t) => t.to_string().into(),
            _ => "".into(),
        },
    }
}

/// The builder of one column.
#[derive(Debug)]
enum ColumnBuilder {
    Str(StringBuilder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    TimeNs(TimestampNanosecondBuilder),
    TimeUs(TimestampMicrosecondBuilder),
    List(ListBuilder<StringBuilder>, String),
    Errors(ErrorsBuilder),
}

impl ColumnBuilder {
    fn new(kind: ColumnKind, unit: TimestampUnit) -> Self {
        match kind {
            ColumnKind::Str | ColumnKind::Enum => ColumnBuilder::Str(StringBuilder::new()),
            ColumnKind::Int32 => ColumnBuilder::Int32(Int32Builder::new()),
            ColumnKind::Int64 | ColumnKind::Nanos => ColumnBuilder::Int64(Int64Builder::new()),
            ColumnKind::Float => ColumnBuilder::Float(Float64Builder::new()),
            ColumnKind::Bool => ColumnBuilder::Bool(BooleanBuilder::new()),
            ColumnKind::Time => match unit {
                TimestampUnit::Nanosecond => {
                    ColumnBuilder::TimeNs(TimestampNanosecondBuilder::new().with_timezone(UTC))
                }
                TimestampUnit::Microsecond => {
                    ColumnBuilder::TimeUs(TimestampMicrosecondBuilder::new().with_timezone(UTC))
                }
            },
            ColumnKind::List => ColumnBuilder::List(
                ListBuilder::new(StringBuilder::new()).with_field(list_item()),
                String::new(),
            ),
            ColumnKind::Errors => ColumnBuilder::Errors(ErrorsBuilder::default()),
        }
    }

    /// Appends `cell` (null when it is not of the column's kind), returning about how many
    /// bytes it adds, and `false` for a timestamp the unit cannot hold (appended as null).
    fn append(&mut self, cell: &Cell<'_>, lossy: &mut Lossy) -> (usize, bool) {
        let bytes = match (self, cell) {
            (ColumnBuilder::Str(b), Cell::Str(s)) => {
                b.append_value(s);
                s.len() + 4
            }
            (ColumnBuilder::Int32(b), Cell::Int(v)) => {
                b.append_option(i32::try_from(*v).ok());
                4
            }
            (ColumnBuilder::Int64(b), Cell::Int(v) | Cell::Nanos(v)) => {
                b.append_value(*v);
                8
            }
            (ColumnBuilder::Float(b), Cell::Float(v)) => {
                b.append_value(*v);
                8
            }
            (ColumnBuilder::Bool(b), Cell::Bool(v)) => {
                b.append_value(*v);
                1
            }
            (ColumnBuilder::TimeNs(b), Cell::Time(t)) => {
                let v = t.unix_nanos();
                b.append_option(v);
                if v.is_none() {
                    lossy.timestamps_out_of_range += 1;
                    return (8, false);
                }
                8
            }
            (ColumnBuilder::TimeUs(b), Cell::Time(t)) => {
                let (v, exact) = unix_micros(t);
                if !exact {
                    lossy.timestamps_truncated += 1;
                }
                b.append_value(v);
                8
            }
            (ColumnBuilder::List(b, _), Cell::List(items)) => {
                let mut n = 4;
                for item in items {
                    b.values().append_value(item);
                    n += item.len() + 4;
                }
                b.append(true);
                n
            }
            (ColumnBuilder::List(b, buf), Cell::Reasons(reasons)) => {
                let mut n = 4;
                for r in reasons.iter() {
                    buf.clear();
                    let _ = write!(buf, "{r}");
                    b.values().append_value(&*buf);
                    n += buf.len() + 4;
                }
                b.append(true);
                n
            }
            (ColumnBuilder::Errors(b), Cell::Errors(items)) => b.append(items),
            (b, _) => {
                b.append_null();
                1
            }
        };
        (bytes, true)
    }

    fn append_null(&mut self) {
        match self {
            ColumnBuilder::Str(b) => b.append_null(),
            ColumnBuilder::Int32(b) => b.append_null(),
            ColumnBuilder::Int64(b) => b.append_null(),
            ColumnBuilder::Float(b) => b.append_null(),
            ColumnBuilder::Bool(b) => b.append_null(),
            ColumnBuilder::TimeNs(b) => b.append_null(),
            ColumnBuilder::TimeUs(b) => b.append_null(),
            ColumnBuilder::List(b, _) => b.append_null(),
            ColumnBuilder::Errors(b) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Str(b) => Arc::new(b.finish()),
            ColumnBuilder::Int32(b) => Arc::new(b.finish()),
            ColumnBuilder::Int64(b) => Arc::new(b.finish()),
            ColumnBuilder::Float(b) => Arc::new(b.finish()),
            ColumnBuilder::Bool(b) => Arc::new(b.finish()),
            ColumnBuilder::TimeNs(b) => Arc::new(b.finish()),
            ColumnBuilder::TimeUs(b) => Arc::new(b.finish()),
            ColumnBuilder::List(b, _) => Arc::new(b.finish()),
            ColumnBuilder::Errors(b) => Arc::new(b.finish()),
        }
    }
}

/// Microseconds since the Unix epoch, floored, and whether that is exact.
fn unix_micros(t: &Timestamp) -> (i64, bool) {
    let nanos = t.subsec_nanos();
    // Years 1 to 9999 are within ±2.6e17 µs, far inside i64.
    let micros = t
        .unix_seconds()
        .saturating_mul(1_000_000)
        .saturating_add(i64::from(nanos / 1000));
    (micros, nanos.is_multiple_of(1000))
}

/// The `valueErrors` column: a list of `{path, error, raw}` structs per row.
#[derive(Debug, Default)]
struct ErrorsBuilder {
    offsets: Vec<i32>,
    valid: Option<NullBufferBuilder>,
    rows: usize,
    path: StringBuilder,
    error: StringBuilder,
    raw: StringBuilder,
    items: usize,
}

impl ErrorsBuilder {
    fn valid(&mut self) -> &mut NullBufferBuilder {
        let rows = self.rows;
        self.valid
            .get_or_insert_with(|| NullBufferBuilder::new_with_len(rows))
    }

    fn offset(&mut self) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        // At most i32::MAX items a batch: a batch holds a bounded number of rows.
        self.offsets
            .push(i32::try_from(self.items).unwrap_or(i32::MAX));
    }

    fn push(&mut self, e: &ErrorItem<'_>) -> usize {
        self.path.append_value(&e.path);
        match e.kind {
            Some(k) => {
                let mut s = String::new();
                let _ = write!(s, "{k}");
                self.error.append_value(&s);
            }
            None => self.error.append_null(),
        }
        self.raw.append_value(&e.raw);
        self.items += 1;
        e.path.len() + e.raw.len() + 24
    }

    fn append(&mut self, items: &[ErrorItem<'_>]) -> usize {
        let n: usize = items.iter().map(|e| self.push(e)).sum();
        self.offset();
        self.valid().append_non_null();
        self.rows += 1;
        n + 4
    }

    fn append_null(&mut self) {
        self.offset();
        self.valid().append_null();
        self.rows += 1;
    }

    fn finish(&mut self) -> ListArray {
        let rows = std::mem::take(&mut self.rows);
        let mut offsets = std::mem::take(&mut self.offsets);
        if offsets.is_empty() {
            offsets.push(0);
        }
        let nulls = self.valid.take().and_then(|mut v| v.finish());
        self.items = 0;
        let values = StructArray::new(
            error_fields(),
            vec![
                Arc::new(self.path.finish()),
                Arc::new(self.error.finish()),
                Arc::new(self.raw.finish()),
            ],
            None,
        );
        let field = Arc::new(Field::new(
            "item",
            arrow_schema::DataType::Struct(error_fields()),
            false,
        ));
        debug_assert_eq!(offsets.len(), rows + 1);
        ListArray::new(
            field,
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Arc::new(values),
            nulls,
        )
    }
}
