//! What `read` and `iter_batches` accept: a path, `bytes`-like data, or a binary file object;
//! gzip is detected by its magic bytes, as the CLI does.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::PathBuf;
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyByteArray, PyBytes};

/// A source that can be read, and for all but an unseekable file object, read again from its
/// start (a document whose callRecord `id` follows its sessions is read twice, as by the CLI).
pub(crate) enum Source {
    Path(PathBuf),
    /// `bytes` (kept without a copy), or a copy of another buffer.
    Bytes(Shared),
    /// An object with `read(n)`; `seekable` if `seek(0)` can rewind it.
    File {
        file: Py<PyAny>,
        seekable: bool,
    },
}

impl Source {
    /// The source `obj` names: `str` or `os.PathLike`, a buffer, or a binary file object.
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Source> {
        if let Ok(bytes) = obj.cast::<PyBytes>() {
            return Ok(Source::Bytes(Shared::new(bytes.clone())));
        }
        if let Ok(array) = obj.cast::<PyByteArray>() {
            return Ok(Source::Bytes(Shared::new(PyBytes::new(
                obj.py(),
                &array.to_vec(),
            ))));
        }
        if let Ok(path) = obj.extract::<PathBuf>() {
            return Ok(Source::Path(path));
        }
        if obj.hasattr("read")? {
            let seekable = obj.hasattr("seekable")? && obj.call_method0("seekable")?.is_truthy()?;
            return Ok(Source::File {
                file: obj.clone().unbind(),
                seekable,
            });
        }
        // Any other buffer (memoryview, array, numpy): copied once, through a memoryview (which
        // refuses what is not a buffer, where `bytes(n)` would make n zero bytes of an int).
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
        !matches!(
            self,
            Source::File {
                seekable: false,
                ..
            }
        )
    }

    /// The document's bytes from its start, gzip decompressed.
    pub(crate) fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        let raw: Box<dyn Read + Send> = match self {
            Source::Path(p) => Box::new(File::open(p)?),
            Source::Bytes(b) => Box::new(Cursor::new(b.clone())),
            Source::File { file, seekable } => {
                if *seekable {
                    Python::attach(|py| file.bind(py).call_method1("seek", (0,)).map(drop))
                        .map_err(io::Error::other)?;
                }
                Box::new(PyReader(Python::attach(|py| file.clone_ref(py))))
            }
        };
        let mut buffered = BufReader::with_capacity(64 << 10, raw);
        let gzip = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        Ok(if gzip {
            Box::new(MultiGzDecoder::new(buffered))
        } else {
            Box::new(buffered)
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

/// `io::Read` over a Python binary file object, taking the GIL for each read.
struct PyReader(Py<PyAny>);

impl Read for PyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Python::attach(|py| {
            let chunk = self
                .0
                .bind(py)
                .call_method1("read", (buf.len(),))
                .map_err(io::Error::other)?;
            let bytes = chunk.cast::<PyBytes>().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the file object's read() gave something other than bytes (open it in binary mode)",
                )
            })?;
            let data = bytes.as_bytes();
            let n = data.len().min(buf.len());
            buf[..n].copy_from_slice(&data[..n]);
            Ok(n)
        })
    }
}
