//! What `read` and `iter_batches` accept: a path, `bytes`-like data, or a binary file object;
//! gzip is detected by its magic bytes, as the CLI does.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use flate2::read::MultiGzDecoder;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyBytes;

/// A source that can be read, and for all but an unseekable file object, read again from its
/// start (a document whose callRecord `id` follows its sessions is read twice, as by the CLI).
pub(crate) enum Source {
    Path(PathBuf),
    /// `bytes` (kept without a copy), or a copy of another buffer.
    Bytes(Shared),
    /// An object with `read(n)`; `start` is where it stood (`tell()`) when it can seek.
    File {
        file: Py<PyAny>,
        start: Option<u64>,
        error: ErrorSlot,
    },
}

/// The exception a file object's `read` or `seek` raised, kept to be raised again as it was
/// (a `KeyboardInterrupt` stays one) rather than as the `OSError` the parser saw.
#[derive(Clone, Default)]
pub(crate) struct ErrorSlot(Arc<Mutex<Option<PyErr>>>);

impl ErrorSlot {
    fn put(&self, e: PyErr) -> io::Error {
        let message = e.to_string();
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        io::Error::other(message)
    }

    /// The exception kept, if one was.
    pub(crate) fn take(&self) -> Option<PyErr> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl Source {
    /// The source `obj` names: `str` or `os.PathLike`, a buffer, or a binary file object.
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Source> {
        if let Ok(bytes) = obj.cast::<PyBytes>() {
            return Ok(Source::Bytes(Shared::new(bytes.clone())));
        }
        if let Ok(path) = obj.extract::<PathBuf>() {
            return Ok(Source::Path(path));
        }
        if obj.hasattr("read")? {
            let seekable = obj.hasattr("seekable")? && obj.call_method0("seekable")?.is_truthy()?;
            let start = if seekable {
                obj.call_method0("tell")
                    .and_then(|t| t.extract::<u64>())
                    .ok()
            } else {
                None
            };
            return Ok(Source::File {
                file: obj.clone().unbind(),
                start,
                error: ErrorSlot::default(),
            });
        }
        // Any other buffer (bytearray, memoryview, array, numpy): copied once, through a
        // memoryview (which refuses what is not a buffer, where `bytes(n)` would make n zero
        // bytes of an int).
        let view = obj
            .py()
            .import("builtins")?
            .getattr("memoryview")?
            .call1((obj,))
            .map_err(|_| {
                PyTypeError::new_err(
                    "source must be a path, bytes, a buffer such as memoryview, or a binary file object",
                )
            })?;
        let bytes = view.call_method0("tobytes")?.cast_into::<PyBytes>()?;
        Ok(Source::Bytes(Shared::new(bytes)))
    }

    /// The `file` column's value: the path as given, else `-`.
    pub(crate) fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            _ => "-".to_owned(),
        }
    }

    /// True when [`Source::open`] can be called again.
    pub(crate) fn rereadable(&self) -> bool {
        !matches!(self, Source::File { start: None, .. })
    }

    /// Where a file object's own exception is kept.
    pub(crate) fn error_slot(&self) -> ErrorSlot {
        match self {
            Source::File { error, .. } => error.clone(),
            _ => ErrorSlot::default(),
        }
    }

    /// The document's bytes from its start, gzip decompressed.
    pub(crate) fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        let mut raw: Box<dyn Read + Send> = match self {
            Source::Path(p) => Box::new(File::open(p)?),
            Source::Bytes(b) => Box::new(Cursor::new(b.clone())),
            Source::File { file, start, error } => {
                if let Some(at) = start {
                    Python::attach(|py| file.bind(py).call_method1("seek", (*at,)).map(drop))
                        .map_err(|e| {
                            error.put(PyErr::new::<pyo3::exceptions::PyOSError, _>(format!(
                                "the file object could not be rewound to read it again (a \
                                 callRecord whose id follows its sessions is read twice); pass \
                                 a path or bytes instead: {e}"
                            )))
                        })?;
                }
                Box::new(PyReader {
                    file: Python::attach(|py| file.clone_ref(py)),
                    pending: Vec::new(),
                    at: 0,
                    error: error.clone(),
                })
            }
        };
        // Gzip is recognised by its first two bytes, however the source hands them over.
        let mut head = Vec::with_capacity(2);
        while head.len() < 2 {
            let mut byte = [0u8; 2];
            let n = raw.read(&mut byte[..2 - head.len()])?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&byte[..n]);
        }
        let gzip = head == [0x1f, 0x8b];
        let whole = Cursor::new(head).chain(raw);
        Ok(if gzip {
            Box::new(MultiGzDecoder::new(whole))
        } else {
            Box::new(whole)
        })
    }
}

/// A `bytes` object's data, shared by the passes over it.
#[derive(Clone)]
pub(crate) struct Shared(Arc<PyBackedBytes>);

impl Shared {
    fn new(bytes: Bound<'_, PyBytes>) -> Self {
        Shared(Arc::new(PyBackedBytes::from(bytes)))
    }
}

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// `io::Read` over a Python binary file object, taking the GIL for each read. What a `read(n)`
/// gives beyond `n` bytes is kept for the next read.
struct PyReader {
    file: Py<PyAny>,
    pending: Vec<u8>,
    at: usize,
    error: ErrorSlot,
}

impl Read for PyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at < self.pending.len() {
            let n = (self.pending.len() - self.at).min(buf.len());
            buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
            self.at += n;
            return Ok(n);
        }
        // Straight into `buf`; only what a `read(n)` gives beyond `n` is kept.
        let (n, excess) = Python::attach(|py| -> PyResult<(usize, Vec<u8>)> {
            let chunk = self.file.bind(py).call_method1("read", (buf.len().max(1),))?;
            let bytes = chunk.cast::<PyBytes>().map_err(|_| {
                PyTypeError::new_err(
                    "the file object's read() gave something other than bytes (open it in binary mode)",
                )
            })?;
            let data = bytes.as_bytes();
            let n = data.len().min(buf.len());
            buf[..n].copy_from_slice(&data[..n]);
            Ok((n, data[n..].to_vec()))
        })
        .map_err(|e| self.error.put(e))?;
        self.pending = excess;
        self.at = 0;
        Ok(n)
    }
}
