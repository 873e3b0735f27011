//! One flattened row (a media stream with its parents' fields) and its NDJSON and CSV writers.

use std::borrow::Cow;
use std::io::{self, Write};

use super::columns::{Kind, Level, COLUMNS};

/// One cell of a row. Text borrows from the input where it can.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    /// Absent or `null`.
    Null,
    /// A string or an enum member's text.
    Str(Cow<'a, str>),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An instant in UTC: seconds since the Unix epoch and nanoseconds within the second.
    Time(i64, u32),
    /// A duration in nanoseconds.
    Nanos(i64),
    /// A list of enum members.
    List(Vec<Cow<'a, str>>),
}

impl Cell<'_> {
    /// The text of a string cell.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Cell::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value of an integer cell.
    pub(crate) fn as_int(&self) -> Option<i64> {
        match *self {
            Cell::Int(v) => Some(v),
            _ => None,
        }
    }

    /// The value of a float cell.
    pub(crate) fn as_float(&self) -> Option<f64> {
        match *self {
            Cell::Float(v) => Some(v),
            _ => None,
        }
    }

    /// The value of a duration cell, in nanoseconds.
    pub(crate) fn as_nanos(&self) -> Option<i64> {
        match *self {
            Cell::Nanos(v) => Some(v),
            _ => None,
        }
    }
}

/// A row: one cell per column of [`COLUMNS`], in order.
#[derive(Debug, Clone)]
pub(crate) struct Row<'a> {
    pub(crate) cells: Vec<Cell<'a>>,
}

impl<'a> Row<'a> {
    /// A row with every cell null.
    pub(crate) fn new() -> Self {
        Row {
            cells: vec![Cell::Null; COLUMNS.len()],
        }
    }

    /// Clears the cells of `level` and of every deeper level (a new record of `level` begins).
    pub(crate) fn clear_from(&mut self, level: Level) {
        for (cell, col) in self.cells.iter_mut().zip(COLUMNS) {
            if col.level >= level {
                *cell = Cell::Null;
            }
        }
    }

    /// Sets cell `index`.
    pub(crate) fn set(&mut self, index: usize, cell: Cell<'a>) {
        if let Some(slot) = self.cells.get_mut(index) {
            *slot = cell;
        }
    }

    /// Cell `index` (null when out of range).
    pub(crate) fn get(&self, index: usize) -> &Cell<'a> {
        self.cells.get(index).unwrap_or(&Cell::Null)
    }
}

/// Writes `secs`.`nanos` since the Unix epoch as RFC 3339 in UTC: `2020-02-25T18:52:21.2169889Z`.
///
/// Fractional digits have no trailing zeros and are left out when zero.
pub(crate) fn write_rfc3339<W: Write + ?Sized>(
    out: &mut W,
    secs: i64,
    nanos: u32,
) -> io::Result<()> {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )?;
    if nanos != 0 {
        let mut digits = [0u8; 9];
        let mut n = nanos;
        for slot in digits.iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
        let len = 9 - digits.iter().rev().take_while(|&&b| b == b'0').count();
        out.write_all(b".")?;
        out.write_all(&digits[..len])?;
    }
    out.write_all(b"Z")
}

/// Year, month, day of a count of days since 1970-01-01 (proleptic Gregorian; H. Hinnant's
/// algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (inverse of [`civil_from_days`]).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Writes a float in the shortest form that reads back exactly (serde_json's `ryu` form);
/// non-finite values as `null`.
fn write_float<W: Write + ?Sized>(out: &mut W, v: f64) -> io::Result<()> {
    if v.is_finite() {
        serde_json::to_writer(out, &v).map_err(io::Error::from)
    } else {
        out.write_all(b"null")
    }
}

/// Writes rows as NDJSON: one object per line with every column, in column order.
pub(crate) struct NdjsonWriter {
    /// `"name":` for each column, with a leading `{` or `,`.
    prefixes: Vec<Vec<u8>>,
}

impl NdjsonWriter {
    /// A writer for [`COLUMNS`].
    pub(crate) fn new() -> Self {
        let prefixes = COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut p = vec![if i == 0 { b'{' } else { b',' }];
                // Column names are ASCII without characters that need escaping.
                p.push(b'"');
                p.extend_from_slice(c.name.as_bytes());
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
        for (prefix, cell) in self.prefixes.iter().zip(&row.cells) {
            out.write_all(prefix)?;
            match cell {
                Cell::Null => out.write_all(b"null")?,
                Cell::Str(s) => serde_json::to_writer(&mut *out, s.as_ref())?,
                Cell::Int(v) => write!(out, "{v}")?,
                Cell::Float(v) => write_float(out, *v)?,
                Cell::Bool(v) => out.write_all(if *v { b"true" } else { b"false" })?,
                Cell::Time(s, n) => {
                    out.write_all(b"\"")?;
                    write_rfc3339(out, *s, *n)?;
                    out.write_all(b"\"")?;
                }
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
            }
        }
        out.write_all(b"}\n")
    }
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
    pub(crate) fn write_header(&mut self) -> io::Result<()> {
        self.inner
            .write_record(COLUMNS.iter().map(|c| c.name))
            .map_err(csv_io)
    }

    /// Writes one row.
    pub(crate) fn write_row(&mut self, row: &Row<'_>) -> io::Result<()> {
        for (cell, col) in row.cells.iter().zip(COLUMNS) {
            self.field.clear();
            let f = &mut self.field;
            match cell {
                Cell::Null => {}
                Cell::Str(s) => f.extend_from_slice(s.as_bytes()),
                Cell::Int(v) => write!(f, "{v}")?,
                Cell::Float(v) if v.is_finite() => write_float(f, *v)?,
                Cell::Float(_) => {}
                Cell::Bool(v) => f.extend_from_slice(if *v { b"true" } else { b"false" }),
                Cell::Time(s, n) => write_rfc3339(f, *s, *n)?,
                Cell::Nanos(v) => write!(f, "{v}")?,
                Cell::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            f.push(b';');
                        }
                        f.extend_from_slice(item.as_bytes());
                    }
                }
            }
            debug_assert!(col.kind != Kind::List || matches!(cell, Cell::List(_) | Cell::Null));
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

fn csv_io(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(secs: i64, nanos: u32) -> String {
        let mut v = Vec::new();
        write_rfc3339(&mut v, secs, nanos).ok();
        String::from_utf8(v).unwrap_or_default()
    }

    #[test]
    fn rfc3339() {
        assert_eq!(ts(0, 0), "1970-01-01T00:00:00Z");
        let d = days_from_civil(2020, 2, 25) * 86_400 + 18 * 3600 + 52 * 60 + 21;
        assert_eq!(ts(d, 216_988_900), "2020-02-25T18:52:21.2169889Z");
        assert_eq!(ts(d, 500_000_000), "2020-02-25T18:52:21.5Z");
        assert_eq!(ts(d, 1), "2020-02-25T18:52:21.000000001Z");
        let first = days_from_civil(1, 1, 1) * 86_400;
        assert_eq!(ts(first, 0), "0001-01-01T00:00:00Z");
        assert_eq!(
            ts(days_from_civil(9999, 12, 31) * 86_400 + 86_399, 0),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            ts(days_from_civil(2024, 2, 29) * 86_400, 0),
            "2024-02-29T00:00:00Z"
        );
        for days in [-800_000, -1, 0, 1, 59, 60, 365, 10_956, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
