//! The `callrecords` Python package's native module, `callrecords._native`.
//!
//! The parsing is the crate's: the streaming [`Reader`](callrecords::Reader) turns the source into
//! events, [`Tables`](callrecords::table::Tables) into Arrow record batches, and the batches go to
//! Python through the Arrow C stream interface (`__arrow_c_stream__`), buffers and all, with no
//! copy and no per-row Python object. The Python side (`callrecords/__init__.py`) wraps them as
//! `pyarrow` tables and batches.

mod error;
mod source;
mod stream;
mod walk;

use pyo3::prelude::*;

/// The module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ParseError", m.py().get_type::<error::ParseError>())?;
    m.add_class::<stream::ArrowStream>()?;
    m.add_class::<walk::Batches>()?;
    m.add_function(wrap_pyfunction!(walk::read, m)?)?;
    m.add_function(wrap_pyfunction!(walk::iter_batches, m)?)?;
    m.add_function(wrap_pyfunction!(stream::schema, m)?)?;
    m.add_function(wrap_pyfunction!(walk::table_names, m)?)?;
    Ok(())
}
