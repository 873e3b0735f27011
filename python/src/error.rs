//! `callrecords.ParseError`: the crate's [`Error`](callrecords::Error) with its position as
//! attributes.

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

pyo3::create_exception!(
    callrecords,
    ParseError,
    PyValueError,
    "The input is not valid JSON, or not call records in strict mode. Attributes: `kind` (the \
     error kind's name), `offset` (the byte offset in the document, or None), `line` and \
     `column` (1-based, or None), `path` (the JSON Pointer of the value being read, or None)."
);

/// Why a source could not be read.
pub(crate) enum Failure {
    /// It could not be opened (or rewound).
    Open(std::io::Error),
    /// The parser's error, I/O errors while reading included.
    Parse(callrecords::Error),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Open(e)
    }
}

impl From<callrecords::Error> for Failure {
    fn from(e: callrecords::Error) -> Self {
        Failure::Parse(e)
    }
}

/// The Python exception for `failure`: `OSError` (or its subclass, as `FileNotFoundError`) for
/// I/O, else [`ParseError`] with its attributes.
pub(crate) fn to_py(py: Python<'_>, failure: Failure) -> PyErr {
    match failure {
        Failure::Open(e) => PyErr::from(e),
        Failure::Parse(e) => parse_error(py, &e),
    }
}

fn parse_error(py: Python<'_>, e: &callrecords::Error) -> PyErr {
    if e.is_io() {
        return PyOSError::new_err(e.to_string());
    }
    let err = ParseError::new_err(e.to_string());
    let value = err.value(py);
    // I/O errors returned above; these two have no place in the JSON.
    let positioned = !matches!(
        e.kind(),
        callrecords::ErrorKind::NotCallRecords | callrecords::ErrorKind::InputTooLarge
    );
    let (line, column) = e.line_column(&[]);
    let set = || -> PyResult<()> {
        value.setattr("kind", format!("{:?}", e.kind()))?;
        value.setattr("offset", positioned.then_some(e.offset()))?;
        value.setattr("line", (positioned && line > 0).then_some(line))?;
        value.setattr("column", (positioned && column > 0).then_some(column))?;
        value.setattr("path", e.path())?;
        Ok(())
    };
    match set() {
        Ok(()) => err,
        Err(e) => e,
    }
}
