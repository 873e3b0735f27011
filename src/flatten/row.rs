//! One row of a table: a cell per column, with the location of each record it came from.

use std::borrow::Cow;

use super::columns::Level;
use crate::quality::Reasons;
use crate::schema::{FieldError, Path};
use crate::value::{Timestamp, ValueErrorKind};

/// One cell of a row. Text borrows from the input where it can.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Cell<'a> {
    /// Absent or `null`.
    Null,
    /// A string, or an enum member's text.
    Str(Cow<'a, str>),
    /// An integer (`Int32` and `Int64` columns).
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An instant.
    Time(Timestamp),
    /// A duration in nanoseconds.
    Nanos(i64),
    /// A list of strings (`modalities`).
    List(Vec<Cow<'a, str>>),
    /// A stream's quality reasons (`qualityReasons`).
    Reasons(Reasons),
    /// The value errors of the row's records, in input order (`valueErrors`); never empty.
    Errors(Vec<ErrorItem<'a>>),
}

impl<'a> Cell<'a> {
    /// The text of a string cell.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Cell::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value of an integer cell.
    pub fn as_int(&self) -> Option<i64> {
        match *self {
            Cell::Int(v) => Some(v),
            _ => None,
        }
    }

    /// The value of a float cell.
    pub fn as_float(&self) -> Option<f64> {
        match *self {
            Cell::Float(v) => Some(v),
            _ => None,
        }
    }

    /// The value of a duration cell, in nanoseconds.
    pub fn as_nanos(&self) -> Option<i64> {
        match *self {
            Cell::Nanos(v) => Some(v),
            _ => None,
        }
    }

    /// The cell with every borrowed text copied, so that it outlives the input.
    pub fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Null => Cell::Null,
            Cell::Str(s) => Cell::Str(Cow::Owned(s.into_owned())),
            Cell::Int(v) => Cell::Int(v),
            Cell::Float(v) => Cell::Float(v),
            Cell::Bool(v) => Cell::Bool(v),
            Cell::Time(t) => Cell::Time(t),
            Cell::Nanos(v) => Cell::Nanos(v),
            Cell::List(items) => Cell::List(
                items
                    .into_iter()
                    .map(|s| Cow::Owned(s.into_owned()))
                    .collect(),
            ),
            Cell::Reasons(r) => Cell::Reasons(r),
            Cell::Errors(items) => {
                Cell::Errors(items.into_iter().map(ErrorItem::into_owned).collect())
            }
        }
    }
}

/// One value error of a row: where it is, what was wrong, and the value's raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorItem<'a> {
    /// The JSON path of the value (`/value/0/segments/0/media/0/streams/1/averageJitter`).
    pub path: String,
    /// What was wrong; `None` for the item that counts the errors a record had beyond those it
    /// keeps ([`crate::schema::FIELD_ERRORS_INLINE`]), whose `raw` says how many.
    pub kind: Option<ValueErrorKind>,
    /// The raw JSON text of the value (for a string, between its quotes), lossily decoded.
    pub raw: Cow<'a, str>,
}

impl<'a> ErrorItem<'a> {
    /// The item for a record's value error.
    pub fn of(e: &FieldError<'a>) -> Self {
        ErrorItem {
            path: e.to_string(),
            kind: Some(e.error.kind()),
            raw: String::from_utf8_lossy(e.raw),
        }
    }

    fn into_owned(self) -> ErrorItem<'static> {
        ErrorItem {
            path: self.path,
            kind: self.kind,
            raw: Cow::Owned(self.raw.into_owned()),
        }
    }
}

/// A row: one cell per column of its table, in order, and where each of its records is.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    cells: Vec<Cell<'a>>,
    at: [Path; 6],
}

impl<'a> Row<'a> {
    /// A row of `width` null cells.
    pub fn new(width: usize) -> Self {
        Row {
            cells: vec![Cell::Null; width],
            at: [Path::document(); 6],
        }
    }

    /// The cells, in column order.
    pub fn cells(&self) -> &[Cell<'a>] {
        &self.cells
    }

    /// Cell `index` (null when out of range).
    pub fn get(&self, index: usize) -> &Cell<'a> {
        self.cells.get(index).unwrap_or(&Cell::Null)
    }

    /// Where the row's record of `level` is in the document (the document itself for
    /// [`Level::File`], and for a level the row has no record of).
    pub fn at(&self, level: Level) -> Path {
        self.at[level as usize]
    }

    /// The row with every borrowed text copied.
    pub fn into_owned(self) -> Row<'static> {
        Row {
            cells: self.cells.into_iter().map(Cell::into_owned).collect(),
            at: self.at,
        }
    }

    /// Sets cell `index` (nothing when out of range).
    pub fn set(&mut self, index: usize, cell: Cell<'a>) {
        if let Some(slot) = self.cells.get_mut(index) {
            *slot = cell;
        }
    }

    /// Sets consecutive cells from `base`; the names are checked against the tables in tests.
    pub(crate) fn put<const N: usize>(
        &mut self,
        base: usize,
        cells: [(&'static str, Cell<'a>); N],
    ) {
        for (i, (_, cell)) in cells.into_iter().enumerate() {
            self.set(base + i, cell);
        }
    }

    /// Records where the row's record of `level` is.
    pub fn set_at(&mut self, level: Level, at: Path) {
        self.at[level as usize] = at;
    }

    /// Clears the cells whose column (of `columns`, the row's table) is of `level` or deeper,
    /// and their locations.
    pub fn clear_levels(&mut self, columns: &[super::Column], level: Level) {
        for (cell, col) in self.cells.iter_mut().zip(columns) {
            if col.level() >= level {
                *cell = Cell::Null;
            }
        }
        for at in self.at.iter_mut().skip(level as usize) {
            *at = Path::document();
        }
    }
}
