//! Record batches handed to Python through the Arrow PyCapsule interface.

use std::ffi::CString;

use arrow_array::ffi::FFI_ArrowSchema;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator};
use arrow_schema::SchemaRef;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::walk::{table_of, unit_of};

/// Record batches of one schema, given once through `__arrow_c_stream__` (for example to
/// `pyarrow.RecordBatchReader.from_stream` or `pyarrow.table`); the schema alone through
/// `__arrow_c_schema__`, any number of times.
#[pyclass(module = "callrecords._native", frozen)]
pub(crate) struct ArrowStream {
    schema: SchemaRef,
    batches: std::sync::Mutex<Option<Vec<RecordBatch>>>,
}

impl ArrowStream {
    pub(crate) fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        ArrowStream {
            schema,
            batches: std::sync::Mutex::new(Some(batches)),
        }
    }
}

#[pymethods]
impl ArrowStream {
    /// The batches, as an `ArrowArrayStream` capsule; a stream is given once.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema; // The schema is the table's; a consumer casts if it wants to.
        let batches = self
            .batches
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this stream was already read"))?;
        let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), self.schema.clone());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new(py, stream, Some(name("arrow_array_stream")))
    }

    /// The schema, as an `ArrowSchema` capsule.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        schema_capsule(py, &self.schema)
    }
}

/// A capsule holding `schema` in the Arrow C data interface.
fn schema_capsule<'py>(py: Python<'py>, schema: &SchemaRef) -> PyResult<Bound<'py, PyCapsule>> {
    let ffi = FFI_ArrowSchema::try_from(schema.as_ref())
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    PyCapsule::new(py, ffi, Some(name("arrow_schema")))
}

fn name(s: &str) -> CString {
    // The capsule names are fixed ASCII without NUL.
    CString::new(s).unwrap_or_default()
}

/// The Arrow schema of `table` with timestamps in `timestamp_unit` (`"ns"` or `"us"`), as a
/// stream with no batches.
#[pyfunction]
#[pyo3(signature = (table, timestamp_unit = "ns"))]
pub(crate) fn schema(table: &str, timestamp_unit: &str) -> PyResult<ArrowStream> {
    let schema = callrecords::table::schema(table_of(table)?, unit_of(timestamp_unit)?);
    Ok(ArrowStream::new(schema, Vec::new()))
}
