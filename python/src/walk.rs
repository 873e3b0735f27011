//! `read` and `iter_batches`: a source through the streaming `Reader` into record batches.

use std::collections::VecDeque;
use std::io::Read;

use arrow_array::RecordBatch;
use callrecords::flatten::{Flattener, Table};
use callrecords::table::{Lossy, TableOptions, Tables, TimestampUnit};
use callrecords::{Error, Options, Reader, StreamOptions};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::error::{to_py, Failure};
use crate::source::{ErrorSlot, Source};
use crate::stream::ArrowStream;

/// The table called `name`.
pub(crate) fn table_of(name: &str) -> PyResult<Table> {
    Table::from_name(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "no table {name:?}; the tables are {}",
            Table::ALL.map(Table::name).join(", ")
        ))
    })
}

/// The timestamp unit called `name`.
pub(crate) fn unit_of(name: &str) -> PyResult<TimestampUnit> {
    match name {
        "ns" => Ok(TimestampUnit::Nanosecond),
        "us" => Ok(TimestampUnit::Microsecond),
        _ => Err(PyValueError::new_err(format!(
            "timestamp_unit must be \"ns\" or \"us\", not {name:?}"
        ))),
    }
}

/// The default byte bound of an `iter_batches` batch: half the library's, since a consumer
/// holds the batch it was given while the next one fills (peak RSS over a 256 MiB file about
/// 45 MiB above the interpreter's, against about 70 MiB at 16 MiB).
const ITER_BATCH_BYTES: usize = 8 << 20;

/// The names of the five tables, parents first.
#[pyfunction]
pub(crate) fn table_names() -> Vec<&'static str> {
    Table::ALL.map(Table::name).to_vec()
}

/// How a source is read: its tables, their options, and strictness.
struct Plan {
    tables: Vec<Table>,
    options: TableOptions,
    strict: bool,
}

impl Plan {
    fn new(tables: &[String], unit: &str, batch_size: usize, strict: bool) -> PyResult<Plan> {
        if batch_size == 0 {
            return Err(PyValueError::new_err("batch_size must be at least 1"));
        }
        // A table named twice is given once.
        let mut wanted: Vec<Table> = Vec::new();
        for t in tables {
            let t = table_of(t)?;
            if !wanted.contains(&t) {
                wanted.push(t);
            }
        }
        Ok(Plan {
            tables: wanted,
            options: TableOptions::default()
                .batch_size(batch_size)
                .timestamp_unit(unit_of(unit)?),
            strict,
        })
    }

    fn reader(&self, source: &Source) -> Result<Reader<Box<dyn Read + Send>>, Failure> {
        let input = source.open()?;
        let events = Options::default().strict(self.strict);
        Ok(Reader::with_options(
            input,
            StreamOptions::new().events(events),
        ))
    }

    /// The walk of `source`, after learning its callRecord id when the id follows the sessions.
    fn walk(&self, source: Source, name: Option<String>) -> Result<Walk, Failure> {
        let id = self.late_call_record_id(&source)?;
        let name = name.unwrap_or_else(|| source.name());
        let tables = Tables::new(name, &self.tables, &self.options).with_call_record_id(id);
        Ok(Walk {
            reader: self.reader(&source)?,
            tables,
            ready: VecDeque::new(),
            done: false,
        })
    }

    /// The callRecord id a second pass gives the rows, when the first row of the wanted tables
    /// comes before the document names its id (Graph writes `id` after `sessions`), as the CLI
    /// does: a short look at the first row, and if it lacks the id, a pass to learn it. An
    /// unseekable file object is read once, and such rows keep a null id (as the CLI's stdin).
    fn late_call_record_id(&self, source: &Source) -> Result<Option<String>, Failure> {
        if !source.rereadable() {
            return Ok(None);
        }
        let mut reader = self.reader(source)?;
        let mut flattener = Flattener::new("").with_tables(&self.tables);
        let mut late = None;
        'look: while let Some(mut section) = reader.next_section()? {
            let mut rows = flattener.rows();
            for event in section.events() {
                let first = rows.push(&event?, &mut |r| Err(r.row.get(1).as_str().is_none()));
                if let Err(lacks_id) = first {
                    late = Some(lacks_id);
                    break 'look;
                }
            }
        }
        if late != Some(true) {
            return Ok(None);
        }
        let mut reader = self.reader(source)?;
        let mut flattener = Flattener::new("").with_tables(&[]);
        while let Some(mut section) = reader.next_section()? {
            let mut rows = flattener.rows();
            for event in section.events() {
                rows.push(&event?, &mut |_| Ok::<(), Error>(()))?;
            }
        }
        Ok(flattener.call_record_id().map(str::to_owned))
    }
}

/// One pass over a source: its batches as they fill, then the rest.
struct Walk {
    reader: Reader<Box<dyn Read + Send>>,
    tables: Tables,
    ready: VecDeque<(Table, RecordBatch)>,
    done: bool,
}

impl Walk {
    fn next(&mut self) -> Result<Option<(Table, RecordBatch)>, Error> {
        loop {
            if let Some(batch) = self.ready.pop_front() {
                return Ok(Some(batch));
            }
            if let Some(batch) = self.tables.next_batch() {
                return Ok(Some(batch));
            }
            if self.done {
                return Ok(None);
            }
            match self.reader.next_section()? {
                Some(mut section) => self.tables.push(section.events())?,
                None => {
                    self.done = true;
                    self.ready.extend(self.tables.finish());
                }
            }
        }
    }
}

/// What the timestamp unit could not hold: `(out of range, truncated)`.
fn lossy_pair(l: Lossy) -> (u64, u64) {
    (l.timestamps_out_of_range, l.timestamps_truncated)
}

/// A table's name and its batches.
type Named = (String, ArrowStream);

/// Reads `source` whole into batches of `tables`: `([(name, stream)], (out_of_range,
/// truncated))`, the streams in the order of `tables`. `name` is the `file` column's value
/// (default: the path, or `-`).
#[pyfunction]
#[pyo3(signature = (source, tables, timestamp_unit = "ns", batch_size = 65536, strict = false, name = None))]
pub(crate) fn read(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    tables: Vec<String>,
    timestamp_unit: &str,
    batch_size: usize,
    strict: bool,
    name: Option<String>,
) -> PyResult<(Vec<Named>, (u64, u64))> {
    let plan = Plan::new(&tables, timestamp_unit, batch_size, strict)?;
    let source = Source::from_py(source)?;
    let raised = source.error_slot();
    let result = py.detach(|| -> Result<_, Failure> {
        let mut walk = plan.walk(source, name)?;
        let mut batches: Vec<Vec<RecordBatch>> = vec![Vec::new(); plan.tables.len()];
        while let Some((table, batch)) = walk.next()? {
            if let Some(i) = plan.tables.iter().position(|&t| t == table) {
                batches[i].push(batch);
            }
        }
        Ok((batches, walk.tables.lossy()))
    });
    let (batches, lossy) = result.map_err(|e| raised.take().unwrap_or_else(|| to_py(py, e)))?;
    let streams = plan
        .tables
        .iter()
        .zip(batches)
        .map(|(&t, b)| {
            let schema = callrecords::table::schema(t, plan.options.timestamp_unit);
            (t.name().to_owned(), ArrowStream::new(schema, b))
        })
        .collect();
    Ok((streams, lossy_pair(lossy)))
}

/// The batches of one table of a source, one at a time, parsed as they are asked for.
#[pyclass(module = "callrecords._native")]
pub(crate) struct Batches {
    walk: std::sync::Mutex<Walk>,
    raised: ErrorSlot,
    schema: arrow_schema::SchemaRef,
}

#[pymethods]
impl Batches {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next batch, as a stream of one batch.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<ArrowStream>> {
        let next = py
            .detach(|| self.walk().next())
            .map_err(|e| self.raised.take().unwrap_or_else(|| to_py(py, e.into())))?;
        Ok(next.map(|(_, batch)| ArrowStream::new(self.schema.clone(), vec![batch])))
    }

    /// The table's schema, as a stream with no batches.
    fn schema(&self) -> ArrowStream {
        ArrowStream::new(self.schema.clone(), Vec::new())
    }

    /// What the timestamp unit could not hold so far: `(out of range, truncated)`.
    fn lossy(&self, py: Python<'_>) -> (u64, u64) {
        // Without the GIL: a `__next__` in another thread holds the walk and may need the GIL
        // to read a file object.
        py.detach(|| lossy_pair(self.walk().tables.lossy()))
    }
}

impl Batches {
    fn walk(&self) -> std::sync::MutexGuard<'_, Walk> {
        self.walk.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The batches of `table` in `source`, parsed while they are taken; `name` as for [`read`]. A
/// batch ends at `batch_size` rows or once its values take about `max_batch_bytes`
/// ([`ITER_BATCH_BYTES`] by default).
#[pyfunction]
#[pyo3(signature = (source, table = "streams", batch_size = 65536, timestamp_unit = "ns", strict = false, name = None, max_batch_bytes = ITER_BATCH_BYTES))]
#[allow(clippy::too_many_arguments)] // reason: Python keyword arguments, each with its default
pub(crate) fn iter_batches(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    table: &str,
    batch_size: usize,
    timestamp_unit: &str,
    strict: bool,
    name: Option<String>,
    max_batch_bytes: usize,
) -> PyResult<Batches> {
    let mut plan = Plan::new(&[table.to_owned()], timestamp_unit, batch_size, strict)?;
    plan.options = plan.options.max_batch_bytes(max_batch_bytes);
    let source = Source::from_py(source)?;
    let raised = source.error_slot();
    let walk = py
        .detach(|| plan.walk(source, name))
        .map_err(|e| raised.take().unwrap_or_else(|| to_py(py, e)))?;
    Ok(Batches {
        walk: std::sync::Mutex::new(walk),
        raised,
        schema: callrecords::table::schema(plan.tables[0], plan.options.timestamp_unit),
    })
}
