//! `JsonStr`: a borrowed JSON string with lazy unescaping.

/// The raw bytes of a JSON string, between the quotes, and whether they contain escapes.
///
/// The bytes are valid UTF-8 (the tokenizer checked); escapes are still encoded.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct JsonStr<'a> {
    raw: &'a [u8],
    has_escapes: bool,
}

impl<'a> JsonStr<'a> {
    /// Wraps raw string bytes. `has_escapes` must be true when `raw` holds a backslash.
    pub(crate) const fn new(raw: &'a [u8], has_escapes: bool) -> Self {
        JsonStr { raw, has_escapes }
    }

    /// The raw bytes between the quotes, escapes undecoded.
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// True when the raw text contains at least one backslash escape.
    pub const fn has_escapes(&self) -> bool {
        self.has_escapes
    }
}

impl core::fmt::Debug for JsonStr<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match core::str::from_utf8(self.raw) {
            Ok(s) => write!(f, "JsonStr({s:?})"),
            Err(_) => write!(f, "JsonStr({:?})", self.raw),
        }
    }
}
