//! Cheap, `Copy` JSON paths: where a record sits, and where a field sits inside a record.

use core::fmt;

use crate::value::{JsonStr, ValueError};

/// Which top-level key holds the sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Root {
    /// The top-level object itself (page info, callRecord header, top-level annotations).
    #[default]
    Document,
    /// `/value` of a sessions page.
    Value,
    /// `/sessions` of a callRecord document.
    Sessions,
    /// `/value/{n}/sessions` of the call record at index `n` of a callRecords list page; at
    /// depth 0, the call record `/value/{n}` itself.
    Record(u32),
}

/// The location of a record in the document: `/value/3/segments/0/media/0/streams/1`.
///
/// It is `Copy` and 24 bytes; the text is built only when displayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Path {
    root: Root,
    depth: u8,
    idx: [u32; 4],
}

impl Path {
    /// The top-level object.
    pub const fn document() -> Self {
        Path {
            root: Root::Document,
            depth: 0,
            idx: [0; 4],
        }
    }

    /// The call record at `index` of a callRecords list page (`/value/{index}`).
    pub const fn record(index: u32) -> Self {
        Path {
            root: Root::Record(index),
            depth: 0,
            idx: [0; 4],
        }
    }

    /// Session `index` under `root`.
    pub const fn session(root: Root, index: u32) -> Self {
        Path {
            root,
            depth: 1,
            idx: [index, 0, 0, 0],
        }
    }

    /// The path of this record's child number `index` (segment, media or stream).
    pub(crate) fn child(self, index: u32) -> Self {
        let mut p = self;
        if let Some(slot) = p.idx.get_mut(p.depth as usize) {
            *slot = index;
            p.depth += 1;
        }
        p
    }

    /// The top-level key holding the sessions.
    pub const fn root(&self) -> Root {
        self.root
    }

    fn at(&self, level: u8) -> Option<u32> {
        if self.depth > level {
            Some(self.idx[level as usize])
        } else {
            None
        }
    }

    /// Index of the session in its array.
    pub fn session_index(&self) -> Option<u32> {
        self.at(0)
    }

    /// Index of the segment in its session's `segments`.
    pub fn segment_index(&self) -> Option<u32> {
        self.at(1)
    }

    /// Index of the media in its segment's `media`.
    pub fn media_index(&self) -> Option<u32> {
        self.at(2)
    }

    /// Index of the stream in its media's `streams`.
    pub fn stream_index(&self) -> Option<u32> {
        self.at(3)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [&str; 4] = ["", "segments", "media", "streams"];
        if let Root::Record(r) = self.root {
            write!(f, "/value/{r}")?;
        }
        for level in 0..self.depth {
            let i = self.idx[level as usize];
            if level == 0 {
                let root = match self.root {
                    Root::Value => "value",
                    Root::Sessions | Root::Record(_) => "sessions",
                    Root::Document => "",
                };
                write!(f, "/{root}/{i}")?;
            } else {
                write!(f, "/{}/{i}", NAMES[level as usize])?;
            }
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Path {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The path of a field inside a record, as up to four property names
/// (`callerNetwork/linkSpeed`, `caller/identity/user/id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FieldPath {
    names: [&'static str; 4],
    len: u8,
}

impl FieldPath {
    /// The empty path (the record itself).
    pub const fn new() -> Self {
        FieldPath {
            names: [""; 4],
            len: 0,
        }
    }

    /// This path extended by `name` (a path already four deep keeps its first four names).
    #[inline]
    pub(crate) fn with(self, name: &'static str) -> Self {
        let mut p = self;
        if let Some(slot) = p.names.get_mut(p.len as usize) {
            *slot = name;
            p.len += 1;
        }
        p
    }

    /// The property names, outermost first.
    pub fn names(&self) -> &[&'static str] {
        &self.names[..self.len as usize]
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in self.names() {
            write!(f, "/{n}")?;
        }
        Ok(())
    }
}

/// Shows raw bytes as (lossy) text in `Debug` output.
pub(crate) struct Lossy<'a>(pub(crate) &'a [u8]);

impl fmt::Debug for Lossy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&String::from_utf8_lossy(self.0), f)
    }
}

/// Writes a key as a JSON Pointer token (`~` as `~0`, `/` as `~1`), escapes left as in the input.
pub(crate) fn write_pointer_token(f: &mut impl fmt::Write, key: &[u8]) -> fmt::Result {
    let s = String::from_utf8_lossy(key);
    for c in s.chars() {
        match c {
            '~' => f.write_str("~0")?,
            '/' => f.write_str("~1")?,
            c => f.write_char(c)?,
        }
    }
    Ok(())
}

/// A value error kept on a record in lenient mode: the field, its raw text and what was wrong.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FieldError<'a> {
    /// Where the record is.
    pub at: Path,
    /// The field inside the record.
    pub field: FieldPath,
    /// The raw JSON text of the value (for strings, between the quotes).
    pub raw: &'a [u8],
    /// Absolute byte offset of `raw` in the input (for a string, just after its opening quote).
    pub offset: u64,
    /// What was wrong.
    pub error: ValueError,
}

impl fmt::Display for FieldError<'_> {
    /// The full JSON path, e.g. `/value/0/segments/0/media/0/streams/1/averageJitter`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.at, self.field)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for FieldError<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FieldError", 4)?;
        st.serialize_field("path", &format_args!("{self}").to_string())?;
        st.serialize_field("raw", &String::from_utf8_lossy(self.raw))?;
        st.serialize_field("offset", &self.offset)?;
        st.serialize_field("error", &format_args!("{}", self.error.kind()).to_string())?;
        st.end()
    }
}

/// How many value errors a record keeps inline.
pub const FIELD_ERRORS_INLINE: usize = 4;

/// The value errors of one record (lenient mode). The first [`FIELD_ERRORS_INLINE`] are kept;
/// [`FieldErrors::total`] counts all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FieldErrors<'a> {
    items: [Option<FieldError<'a>>; FIELD_ERRORS_INLINE],
    total: u32,
}

impl<'a> FieldErrors<'a> {
    pub(crate) fn push(&mut self, e: FieldError<'a>) {
        if let Some(slot) = self.items.get_mut(self.total as usize) {
            *slot = Some(e);
        }
        self.total = self.total.saturating_add(1);
    }

    /// True when the record had no value error.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many value errors the record had (some may not be kept).
    pub fn total(&self) -> u32 {
        self.total
    }

    /// The kept errors, in input order.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError<'a>> + '_ {
        self.items.iter().flatten()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for FieldErrors<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// An undeclared property met while parsing (reported only with `Options::report_undeclared`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Undeclared<'a> {
    /// The record holding it.
    pub at: Path,
    /// The known object inside the record that holds it.
    pub field: FieldPath,
    /// The key, as in the input.
    pub key: JsonStr<'a>,
    /// The value's raw JSON text (a string keeps its quotes).
    pub raw: &'a [u8],
    /// Absolute byte offset of the value.
    pub offset: u64,
}

impl fmt::Display for Undeclared<'_> {
    /// The JSON path, e.g. `/value/3/segments/0/media/0/streams/1/fooBar`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}/", self.at, self.field)?;
        write_pointer_token(f, self.key.raw())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Undeclared<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Undeclared", 3)?;
        st.serialize_field("path", &format_args!("{self}").to_string())?;
        st.serialize_field("raw", &String::from_utf8_lossy(self.raw))?;
        st.serialize_field("offset", &self.offset)?;
        st.end()
    }
}

impl fmt::Debug for FieldError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldError")
            .field("path", &format_args!("{self}"))
            .field("raw", &Lossy(self.raw))
            .field("offset", &self.offset)
            .field("error", &self.error)
            .finish()
    }
}

impl fmt::Debug for Undeclared<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Undeclared")
            .field("path", &format_args!("{self}"))
            .field("raw", &Lossy(self.raw))
            .field("offset", &self.offset)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        let p = Path::session(Root::Value, 3).child(0).child(0).child(1);
        assert_eq!(p.to_string(), "/value/3/segments/0/media/0/streams/1");
        assert_eq!(p.stream_index(), Some(1));
        assert_eq!(Path::document().to_string(), "");
        assert_eq!(Path::record(2).to_string(), "/value/2");
        let p = Path::session(Root::Record(2), 1).child(0);
        assert_eq!(p.to_string(), "/value/2/sessions/1/segments/0");
        let f = FieldPath::new().with("callerNetwork").with("linkSpeed");
        assert_eq!(f.to_string(), "/callerNetwork/linkSpeed");
    }
}
