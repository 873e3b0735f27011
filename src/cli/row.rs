//! The NDJSON and CSV writers of a table's rows.

use std::fmt;
use std::io::{self, Write};

use callrecords::flatten::{Cell, Column, ErrorItem, Row};
use callrecords::Timestamp;

/// Writes a float in the shortest form that reads back exactly (serde_json's `ryu` form);
/// non-finite values as `null`.
fn write_float<W: Write + ?Sized>(out: &mut W, v: f64) -> io::Result<()> {
    if v.is_finite() {
        serde_json::to_writer(out, &v).map_err(io::Error::from)
    } else {
        write!(out, "\"{}\"", non_finite(v))
    }
}

/// The text of a value JSON numbers cannot hold, as OData writes it (`"INF"`, `"-INF"`,
/// `"NaN"`): Graph sends Edm.Single values in that form, and a row keeps what it was given.
pub(crate) fn non_finite(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "INF"
    } else {
        "-INF"
    }
}

/// A timestamp as RFC 3339: in UTC with `Z`, except the few instants whose UTC date is in year 0
/// (`0001-01-01T00:30:00+01:00`) or year 10000 (`9999-12-31T23:59:59-01:00`), which RFC 3339
/// cannot write in UTC: they keep their own offset, which names the same instant.
fn rfc3339(t: &Timestamp) -> impl fmt::Display + '_ {
    /// 0001-01-01T00:00:00Z in Unix seconds.
    const YEAR_1: i64 = -62_135_596_800;
    /// 10000-01-01T00:00:00Z in Unix seconds.
    const YEAR_10000: i64 = 253_402_300_800;
    struct Show<'t>(&'t Timestamp);
    impl fmt::Display for Show<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            if (YEAR_1..YEAR_10000).contains(&self.0.unix_seconds()) {
                self.0.display_utc().fmt(f)
            } else {
                self.0.fmt(f)
            }
        }
    }
    Show(t)
}

/// Writes rows as NDJSON: one object per line with every column, in column order.
pub(crate) struct NdjsonWriter {
    /// `"name":` for each column, with a leading `{` or `,`.
    prefixes: Vec<Vec<u8>>,
}

impl NdjsonWriter {
    /// A writer for rows of `columns`.
    pub(crate) fn new(columns: &[Column]) -> Self {
        let prefixes = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut p = vec![if i == 0 { b'{' } else { b',' }];
                // Column names are ASCII without characters that need escaping.
                p.push(b'"');
                p.extend_from_slice(c.name().as_bytes());
                p.extend_from_slice(b"\":");
                p
            })
            .collect();
        NdjsonWriter { prefixes }
    }

    /// Appends one row and a newline to `out`.
    pub(crate) fn write_row<W: Write + ?Sized>(
        &self,
        out: &mut W,
        row: &Row<'_>,
    ) -> io::Result<()> {
        for (prefix, cell) in self.prefixes.iter().zip(row.cells()) {
            out.write_all(prefix)?;
            match cell {
                Cell::Null => out.write_all(b"null")?,
                Cell::Str(s) => serde_json::to_writer(&mut *out, s.as_ref())?,
                Cell::Int(v) => write!(out, "{v}")?,
                Cell::Float(v) => write_float(out, *v)?,
                Cell::Bool(v) => out.write_all(if *v { b"true" } else { b"false" })?,
                Cell::Time(t) => write!(out, "\"{}\"", rfc3339(t))?,
                Cell::Nanos(v) => write!(out, "{v}")?,
                Cell::List(items) => {
                    out.write_all(b"[")?;
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.write_all(b",")?;
                        }
                        serde_json::to_writer(&mut *out, item.as_ref())?;
                    }
                    out.write_all(b"]")?;
                }
                // Kept as one `;`-joined string, its form since the first release.
                Cell::Reasons(r) => serde_json::to_writer(&mut *out, &r.to_string())?,
                Cell::Errors(items) => write_errors(out, items)?,
                _ => out.write_all(b"null")?,
            }
        }
        out.write_all(b"}\n")
    }
}

/// Writes value errors as a JSON array of `{"path", "error", "raw"}` objects.
fn write_errors<W: Write + ?Sized>(out: &mut W, items: &[ErrorItem<'_>]) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"{\"path\":")?;
        serde_json::to_writer(&mut *out, &e.path)?;
        out.write_all(b",\"error\":")?;
        match e.kind {
            Some(k) => write!(out, "\"{k}\"")?,
            None => out.write_all(b"null")?,
        }
        out.write_all(b",\"raw\":")?;
        serde_json::to_writer(&mut *out, e.raw.as_ref())?;
        out.write_all(b"}")?;
    }
    out.write_all(b"]")
}

/// Writes rows as CSV (RFC 4180 quoting by the `csv` crate); absent values are empty cells.
pub(crate) struct CsvRowWriter<W: Write> {
    inner: csv::Writer<W>,
    field: Vec<u8>,
}

impl<W: Write> CsvRowWriter<W> {
    /// A CSV writer into `out`; no header is written.
    pub(crate) fn new(out: W) -> Self {
        CsvRowWriter {
            inner: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(out),
            field: Vec::with_capacity(64),
        }
    }

    /// Writes the header line (the column names).
    pub(crate) fn write_header(&mut self, columns: &[Column]) -> io::Result<()> {
        self.inner
            .write_record(columns.iter().map(|c| c.name()))
            .map_err(csv_io)
    }

    /// Writes one row.
    pub(crate) fn write_row(&mut self, row: &Row<'_>) -> io::Result<()> {
        for cell in row.cells() {
            self.field.clear();
            let f = &mut self.field;
            match cell {
                Cell::Null => {}
                Cell::Str(s) => f.extend_from_slice(s.as_bytes()),
                Cell::Int(v) => write!(f, "{v}")?,
                Cell::Float(v) if v.is_finite() => write_float(f, *v)?,
                Cell::Float(v) => f.extend_from_slice(non_finite(*v).as_bytes()),
                Cell::Bool(v) => f.extend_from_slice(if *v { b"true" } else { b"false" }),
                Cell::Time(t) => write!(f, "{}", rfc3339(t))?,
                Cell::Nanos(v) => write!(f, "{v}")?,
                Cell::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            f.push(b';');
                        }
                        f.extend_from_slice(item.as_bytes());
                    }
                }
                Cell::Reasons(r) => write!(f, "{r}")?,
                // The JSON array, as in NDJSON: its texts may hold any character.
                Cell::Errors(items) => write_errors(f, items)?,
                _ => {}
            }
            self.inner.write_field(&self.field).map_err(csv_io)?;
        }
        self.inner
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(csv_io)
    }

    /// Flushes and returns the inner writer.
    pub(crate) fn into_inner(self) -> io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

impl CsvRowWriter<Vec<u8>> {
    /// The bytes written through to the buffer so far (the `csv` crate holds the rest).
    pub(crate) fn buffered(&self) -> usize {
        self.inner.get_ref().len()
    }
}

fn csv_io(e: csv::Error) -> io::Error {
    io::Error::other(e)
}
