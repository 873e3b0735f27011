//! Arrow record batches of the five tables (feature `arrow`).
//!
//! The rows of [`crate::flatten`] become typed Arrow columns, in batches of a bounded number of
//! rows, so that a file of any size never holds more than one batch per table. Engines read them
//! as they are (DuckDB, Polars, pyarrow, DataFusion, Spark through Parquet or Arrow IPC); there is
//! no text step, and durations and timestamps stay exact. The schema of each table
//! ([`schema`]) is a contract like the `flatten` columns.
//!
//! ```
//! use callrecords::flatten::Table;
//! use callrecords::table::{TableOptions, Tables};
//!
//! let doc = br#"{"value": [{"id": "s1", "segments": [{"id": "g1", "media": [{"label": "main-audio",
//!     "streams": [{"averageJitter": "PT0.016S"}]}]}]}]}"#;
//! let mut tables = Tables::new("page.json", &Table::ALL, &TableOptions::default());
//! tables.push(callrecords::events(doc))?;
//! let batches = tables.finish();
//! let rows: Vec<(Table, usize)> = batches.iter().map(|(t, b)| (*t, b.num_rows())).collect();
//! assert_eq!(
//!     rows,
//!     [(Table::Sessions, 1), (Table::Segments, 1), (Table::Media, 1), (Table::Streams, 1)]
//! );
//! # Ok::<(), callrecords::Error>(())
//! ```
//!
//! # Timestamps
//!
//! Graph writes timestamps in 100 ns ticks (`2020-02-25T18:52:21.2169889Z`), and sometimes the
//! .NET sentinel `0001-01-01T00:00:00Z`. An `i64` of nanoseconds holds the ticks but only the
//! years 1677 to 2262; one of microseconds holds every year but not the ticks. The default,
//! [`TimestampUnit::Nanosecond`], keeps every real timestamp exact; a value outside its range is
//! null, counted ([`Lossy::timestamps_out_of_range`]) and kept in the row's `valueErrors` with
//! its text, so nothing is dropped without a word. [`TimestampUnit::Microsecond`] (for engines
//! that read only microseconds, such as Spark) holds the sentinel and truncates the ticks to the
//! microsecond, counting each value it truncates ([`Lossy::timestamps_truncated`]).

mod builder;
mod schema;

use std::collections::VecDeque;

use arrow_array::RecordBatch;

pub use builder::TableBuilder;
pub use schema::schema;

use crate::error::Error;
use crate::event::Event;
use crate::flatten::{Flattener, Table};

/// The unit of the timestamp columns; see the [module docs](self#timestamps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimestampUnit {
    /// Nanoseconds: Graph's 100 ns ticks exact; years 1677 to 2262.
    #[default]
    Nanosecond,
    /// Microseconds: years 1 to 9999; sub-microsecond digits truncated.
    Microsecond,
}

/// The default [`TableOptions::batch_size`].
pub const DEFAULT_BATCH_SIZE: usize = 64 * 1024;

/// The default [`TableOptions::max_batch_bytes`].
pub const DEFAULT_MAX_BATCH_BYTES: usize = 16 << 20;

/// How batches are built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableOptions {
    /// The most rows in a batch (default [`DEFAULT_BATCH_SIZE`]).
    pub batch_size: usize,
    /// A batch ends early once its values take about this many bytes (default
    /// [`DEFAULT_MAX_BATCH_BYTES`]), so that a table of wide rows holds as little as one of
    /// narrow rows.
    pub max_batch_bytes: usize,
    /// The unit of the timestamp columns.
    pub timestamp_unit: TimestampUnit,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            batch_size: DEFAULT_BATCH_SIZE,
            max_batch_bytes: DEFAULT_MAX_BATCH_BYTES,
            timestamp_unit: TimestampUnit::Nanosecond,
        }
    }
}

impl TableOptions {
    /// Sets [`TableOptions::batch_size`] (at least 1).
    pub fn batch_size(mut self, rows: usize) -> Self {
        self.batch_size = rows.max(1);
        self
    }

    /// Sets [`TableOptions::max_batch_bytes`].
    pub fn max_batch_bytes(mut self, bytes: usize) -> Self {
        self.max_batch_bytes = bytes.max(1);
        self
    }

    /// Sets [`TableOptions::timestamp_unit`].
    pub fn timestamp_unit(mut self, unit: TimestampUnit) -> Self {
        self.timestamp_unit = unit;
        self
    }
}

/// What the timestamp unit could not hold exactly; see the [module docs](self#timestamps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lossy {
    /// Timestamps outside the nanosecond range, written as null (and kept in `valueErrors`).
    pub timestamps_out_of_range: u64,
    /// Timestamps with digits below a microsecond, truncated to the microsecond.
    pub timestamps_truncated: u64,
}

impl Lossy {
    /// True when every timestamp was held exactly.
    pub fn is_empty(&self) -> bool {
        *self == Lossy::default()
    }
}

impl core::ops::Add for Lossy {
    type Output = Lossy;

    fn add(self, other: Lossy) -> Lossy {
        Lossy {
            timestamps_out_of_range: self.timestamps_out_of_range + other.timestamps_out_of_range,
            timestamps_truncated: self.timestamps_truncated + other.timestamps_truncated,
        }
    }
}

/// The events of one input into batches of the wanted tables.
///
/// Push the events of the slice iterator once, or those of each [`Section`](crate::Section) of
/// a [`Reader`](crate::Reader) or [`Feeder`](crate::Feeder) in turn; take the full batches with
/// [`Tables::next_batch`] as they come, and the rest with [`Tables::finish`].
#[derive(Debug)]
pub struct Tables {
    flattener: Flattener,
    builders: Vec<TableBuilder>,
    ready: VecDeque<(Table, RecordBatch)>,
}

impl Tables {
    /// Batches of `tables` for the input called `file` (its rows' `file` column).
    pub fn new(file: impl Into<String>, tables: &[Table], options: &TableOptions) -> Self {
        let mut wanted = tables.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        Tables {
            flattener: Flattener::new(file).with_tables(&wanted),
            builders: wanted
                .iter()
                .map(|&t| TableBuilder::new(t, options))
                .collect(),
            ready: VecDeque::new(),
        }
    }

    /// Gives the rows the callRecord id `id` until the document names one: for a second pass
    /// over a document whose `id` follows its `sessions` (the order Graph writes them in), once
    /// a first pass has learned it ([`Flattener::call_record_id`]). [`Flattener::with_call_record_id`]
    /// says more.
    ///
    /// ```
    /// use callrecords::flatten::Table;
    /// use callrecords::table::{TableOptions, Tables};
    ///
    /// let doc = br#"{"sessions": [{"id": "s1"}], "id": "rec-1"}"#;
    /// let mut tables = Tables::new("a.json", &[Table::Sessions], &TableOptions::default())
    ///     .with_call_record_id(Some("rec-1".into()));
    /// tables.push(callrecords::events(doc))?;
    /// let (_, batch) = &tables.finish()[0];
    /// let ids = batch.column_by_name("callRecordId").unwrap();
    /// assert_eq!(ids.null_count(), 0);
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn with_call_record_id(self, id: Option<String>) -> Self {
        let Tables {
            flattener,
            builders,
            ready,
        } = self;
        Tables {
            flattener: flattener.with_call_record_id(id),
            builders,
            ready,
        }
    }

    /// The flattener, for the document's shape and callRecord id.
    pub fn flattener(&self) -> &Flattener {
        &self.flattener
    }

    /// Takes a run of events borrowed from one input: a whole document's, or one section's.
    ///
    /// # Errors
    ///
    /// The first error of `events`; the rows of the events before it are kept.
    pub fn push<'a, I>(&mut self, events: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = Result<Event<'a>, Error>>,
    {
        let Tables {
            flattener,
            builders,
            ready,
        } = self;
        let mut rows = flattener.rows();
        for event in events {
            rows.push(&event?, &mut |r| {
                append(builders, ready, r.table, r.row);
                Ok::<(), Error>(())
            })?;
        }
        Ok(())
    }

    /// The next full batch, if one is ready.
    pub fn next_batch(&mut self) -> Option<(Table, RecordBatch)> {
        self.ready.pop_front()
    }

    /// Ends the input: the batches not yet taken, parents' tables first.
    pub fn finish(&mut self) -> Vec<(Table, RecordBatch)> {
        let Tables {
            flattener,
            builders,
            ready,
        } = self;
        let _ = flattener.finish(&mut |r| {
            append(builders, ready, r.table, r.row);
            Ok::<(), Error>(())
        });
        let mut out: Vec<_> = ready.drain(..).collect();
        for b in builders.iter_mut() {
            if let Some(batch) = b.finish() {
                out.push((b.table(), batch));
            }
        }
        out
    }

    /// What the timestamp unit could not hold exactly, over every table.
    pub fn lossy(&self) -> Lossy {
        self.builders
            .iter()
            .fold(Lossy::default(), |l, b| l + b.lossy())
    }
}

fn append(
    builders: &mut [TableBuilder],
    ready: &mut VecDeque<(Table, RecordBatch)>,
    table: Table,
    row: &crate::flatten::Row<'_>,
) {
    if let Some(b) = builders.iter_mut().find(|b| b.table() == table) {
        b.append(row);
        if b.is_full() {
            if let Some(batch) = b.finish() {
                ready.push_back((table, batch));
            }
        }
    }
}

#[cfg(test)]
mod tests;
