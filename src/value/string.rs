//! `JsonStr`: a borrowed JSON string with lazy unescaping.

use std::borrow::Cow;

use super::{ValueError, ValueErrorKind as K};

/// The raw bytes of a JSON string, between the quotes, and whether they contain escapes.
///
/// The tokenizer hands these out with valid UTF-8 and grammatically valid escapes, but nothing here
/// relies on it: every method returns an error (or `false`) for any other bytes, never panics and
/// never produces invalid UTF-8. Error offsets count bytes of [`raw`](JsonStr::raw), that is, after
/// the opening quote.
///
/// Equality (`==`) compares the raw bytes; use [`eq_str`](JsonStr::eq_str) to compare decoded text.
///
/// # Examples
///
/// ```
/// use callrecords::JsonStr;
/// use std::borrow::Cow;
///
/// let plain = JsonStr::from_raw(b"caller");
/// assert!(matches!(plain.decode()?, Cow::Borrowed("caller")));
///
/// let escaped = JsonStr::from_raw(br"c\u0061ller \ud83d\ude00");
/// assert!(escaped.has_escapes());
/// assert_eq!(escaped.decode()?, "caller \u{1F600}");
/// assert!(JsonStr::from_raw(br"c\u0061ller").eq_str("caller"));
///
/// let arena = bumpalo::Bump::new();
/// let s: &str = escaped.decode_in(&arena)?;
/// assert_eq!(s, "caller \u{1F600}");
///
/// let lone = JsonStr::from_raw(br"\ud83d!");
/// assert_eq!(lone.decode().unwrap_err().kind(), callrecords::ValueErrorKind::LoneSurrogate);
/// # Ok::<(), callrecords::ValueError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct JsonStr<'a> {
    raw: &'a [u8],
    has_escapes: bool,
}

/// One run of decoded text: a borrowed stretch without escapes, or one escaped character.
#[derive(Clone, Copy)]
enum Piece<'a> {
    Raw(&'a str),
    Char(char),
}

/// Iterates the decoded pieces of escaped text.
struct Pieces<'a> {
    raw: &'a [u8],
    pos: usize,
}

#[cold]
const fn err(kind: K, offset: usize) -> ValueError {
    ValueError::new(kind, offset)
}

fn hex4(raw: &[u8], at: usize) -> Result<u32, ValueError> {
    let Some(h) = raw.get(at..at + 4) else {
        return Err(err(K::InvalidEscape, at.saturating_sub(2)));
    };
    let mut v = 0u32;
    for &c in h {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return Err(err(K::InvalidEscape, at - 2)),
        };
        v = v << 4 | u32::from(d);
    }
    Ok(v)
}

fn utf8(bytes: &[u8], base: usize) -> Result<&str, ValueError> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(_) => Err(utf8_error(bytes, base)),
    }
}

#[cold]
fn utf8_error(bytes: &[u8], base: usize) -> ValueError {
    let at = match core::str::from_utf8(bytes) {
        Ok(_) => 0,
        Err(e) => e.valid_up_to(),
    };
    err(K::InvalidUtf8, base + at)
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Result<Piece<'a>, ValueError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.raw.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let start = self.pos;
        if rest[0] != b'\\' {
            let len = memchr::memchr(b'\\', rest).unwrap_or(rest.len());
            self.pos += len;
            return Some(utf8(&rest[..len], start).map(Piece::Raw));
        }
        let Some(&e) = rest.get(1) else {
            self.pos = self.raw.len();
            return Some(Err(err(K::InvalidEscape, start)));
        };
        let c = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let r = self.unicode(start);
                if r.is_err() {
                    self.pos = self.raw.len();
                }
                return Some(r.map(Piece::Char));
            }
            _ => {
                self.pos = self.raw.len();
                return Some(Err(err(K::InvalidEscape, start)));
            }
        };
        self.pos += 2;
        Some(Ok(Piece::Char(c)))
    }
}

impl Pieces<'_> {
    /// Decodes `\uXXXX` (and its low-surrogate partner) at `start`, advancing past it.
    fn unicode(&mut self, start: usize) -> Result<char, ValueError> {
        let hi = hex4(self.raw, start + 2)?;
        let cp = match hi {
            0xD800..=0xDBFF => {
                let lo_at = start + 6;
                if self.raw.get(lo_at..lo_at + 2) != Some(b"\\u") {
                    return Err(err(K::LoneSurrogate, start));
                }
                let lo = hex4(self.raw, lo_at + 2)?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return Err(err(K::LoneSurrogate, start));
                }
                self.pos = start + 12;
                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(err(K::LoneSurrogate, start)),
            _ => {
                self.pos = start + 6;
                hi
            }
        };
        char::from_u32(cp).ok_or(err(K::LoneSurrogate, start))
    }
}

impl<'a> JsonStr<'a> {
    /// Wraps raw string bytes. `has_escapes` must be true when `raw` holds a backslash; when it is
    /// false the bytes are taken literally (a backslash is then an ordinary character).
    pub const fn new(raw: &'a [u8], has_escapes: bool) -> Self {
        JsonStr { raw, has_escapes }
    }

    /// Wraps raw string bytes, looking for a backslash to set [`has_escapes`](JsonStr::has_escapes).
    ///
    /// ```
    /// assert!(!callrecords::JsonStr::from_raw(b"plain").has_escapes());
    /// ```
    pub fn from_raw(raw: &'a [u8]) -> Self {
        JsonStr {
            raw,
            has_escapes: memchr::memchr(b'\\', raw).is_some(),
        }
    }

    /// The raw bytes between the quotes, escapes undecoded.
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// True when the raw text contains at least one backslash escape.
    pub const fn has_escapes(&self) -> bool {
        self.has_escapes
    }

    fn pieces(&self) -> Pieces<'a> {
        Pieces {
            raw: self.raw,
            pos: 0,
        }
    }

    /// The decoded text: borrowed from the input when there are no escapes, otherwise a new `String`.
    ///
    /// # Errors
    ///
    /// [`InvalidEscape`](super::ValueErrorKind::InvalidEscape),
    /// [`LoneSurrogate`](super::ValueErrorKind::LoneSurrogate) or
    /// [`InvalidUtf8`](super::ValueErrorKind::InvalidUtf8) at the offending byte.
    ///
    /// ```
    /// # use callrecords::JsonStr;
    /// assert_eq!(JsonStr::from_raw(br#"say \"hi\"\n"#).decode()?, "say \"hi\"\n");
    /// # Ok::<(), callrecords::ValueError>(())
    /// ```
    pub fn decode(&self) -> Result<Cow<'a, str>, ValueError> {
        if !self.has_escapes {
            return utf8(self.raw, 0).map(Cow::Borrowed);
        }
        let mut out = String::with_capacity(self.raw.len());
        for piece in self.pieces() {
            match piece? {
                Piece::Raw(s) => out.push_str(s),
                Piece::Char(c) => out.push(c),
            }
        }
        Ok(Cow::Owned(out))
    }

    /// The decoded text, never failing: what [`decode`](JsonStr::decode) rejects becomes U+FFFD
    /// (the replacement character) and the rest is still decoded. JSON allows an escaped lone
    /// surrogate (`"\ud800"`), which no Rust string can hold; text from the tokenizer can fail to
    /// decode for that reason only.
    ///
    /// ```
    /// # use callrecords::JsonStr;
    /// assert_eq!(JsonStr::from_raw(br"a\ud800b\u00e9").decode_lossy(), "a\u{FFFD}b\u{e9}");
    /// assert_eq!(JsonStr::from_raw(br"plain").decode_lossy(), "plain");
    /// ```
    pub fn decode_lossy(&self) -> Cow<'a, str> {
        match self.decode() {
            Ok(s) => s,
            Err(_) => self.decode_replacing(),
        }
    }

    #[cold]
    fn decode_replacing(&self) -> Cow<'a, str> {
        let raw = self.raw;
        let mut out = String::with_capacity(raw.len() + 2);
        let mut pieces = self.pieces();
        loop {
            let at = pieces.pos;
            match pieces.next() {
                None => return Cow::Owned(out),
                Some(Ok(Piece::Raw(s))) => out.push_str(s),
                Some(Ok(Piece::Char(c))) => out.push(c),
                Some(Err(_)) => {
                    let rest = raw.get(at..).unwrap_or_default();
                    // Past what failed: invalid UTF-8 up to the next escape (replaced as
                    // `from_utf8_lossy` does), a `\u` escape's six bytes (a lone surrogate), or
                    // a backslash and the byte after it (an unknown escape).
                    let skip = match rest {
                        [b'\\', b'u', ..] => 6,
                        [b'\\', ..] => 2,
                        _ => {
                            let run = memchr::memchr(b'\\', rest).unwrap_or(rest.len());
                            out.push_str(&String::from_utf8_lossy(
                                rest.get(..run).unwrap_or_default(),
                            ));
                            pieces.pos = at + run;
                            continue;
                        }
                    };
                    out.push(char::REPLACEMENT_CHARACTER);
                    pieces.pos = (at + skip).min(raw.len());
                }
            }
        }
    }

    /// Same as [`decode`](JsonStr::decode).
    pub fn as_str(&self) -> Result<Cow<'a, str>, ValueError> {
        self.decode()
    }

    /// The decoded text, in `arena` when escapes must be decoded (borrowed from the input otherwise).
    /// No heap allocation happens outside the arena.
    ///
    /// # Errors
    ///
    /// As [`decode`](JsonStr::decode).
    ///
    /// ```
    /// # use callrecords::JsonStr;
    /// let arena = bumpalo::Bump::new();
    /// assert_eq!(JsonStr::from_raw(br"a\/b").decode_in(&arena)?, "a/b");
    /// # Ok::<(), callrecords::ValueError>(())
    /// ```
    pub fn decode_in<'b>(&self, arena: &'b bumpalo::Bump) -> Result<&'b str, ValueError>
    where
        'a: 'b,
    {
        if !self.has_escapes {
            return utf8(self.raw, 0);
        }
        // First pass: validate and measure; second pass: copy into an exactly sized arena slice.
        let mut len = 0usize;
        for piece in self.pieces() {
            len += match piece? {
                Piece::Raw(s) => s.len(),
                Piece::Char(c) => c.len_utf8(),
            };
        }
        let buf = arena.alloc_slice_fill_copy(len, 0u8);
        let mut at = 0usize;
        for piece in self.pieces() {
            let mut tmp = [0u8; 4];
            let bytes = match piece? {
                Piece::Raw(s) => s.as_bytes(),
                Piece::Char(c) => c.encode_utf8(&mut tmp).as_bytes(),
            };
            let Some(dst) = buf.get_mut(at..at + bytes.len()) else {
                return Err(err(K::InvalidUtf8, 0));
            };
            dst.copy_from_slice(bytes);
            at += bytes.len();
        }
        // The pieces are `str`s and `char`s, so this only re-checks what is already known.
        match core::str::from_utf8(buf) {
            Ok(s) => Ok(s),
            Err(_) => Err(err(K::InvalidUtf8, 0)),
        }
    }

    /// True when the decoded text equals `s`. Never allocates; escapes are decoded on the fly, so
    /// `"c\u0061ller"` equals `"caller"`. Text that fails to decode equals nothing.
    ///
    /// ```
    /// # use callrecords::JsonStr;
    /// assert!(JsonStr::from_raw(br"\u00e9t\u00E9").eq_str("été"));
    /// assert!(!JsonStr::from_raw(br"\ud800").eq_str("\u{FFFD}"));
    /// ```
    pub fn eq_str(&self, s: &str) -> bool {
        if !self.has_escapes {
            return self.raw == s.as_bytes();
        }
        // Unescaped bytes are compared as bytes: if they all equal bytes of `s` they are valid UTF-8,
        // since an escape always encodes a whole character and cannot complete a partial one.
        let raw = self.raw;
        let mut rest = s.as_bytes();
        let mut i = 0usize;
        while let Some(&c) = raw.get(i) {
            if c != b'\\' {
                match rest.split_first() {
                    Some((&w, r)) if w == c => rest = r,
                    _ => return false,
                }
                i += 1;
                continue;
            }
            let mut one = Pieces { raw, pos: i };
            let Some(Ok(Piece::Char(ch))) = one.next() else {
                return false;
            };
            let mut tmp = [0u8; 4];
            match rest.strip_prefix(ch.encode_utf8(&mut tmp).as_bytes()) {
                Some(r) => rest = r,
                None => return false,
            }
            i = one.pos;
        }
        rest.is_empty()
    }
}

impl core::fmt::Display for JsonStr<'_> {
    /// Writes the decoded text. Text that fails to decode is written up to the error, then the rest of
    /// the raw bytes lossily (invalid UTF-8 as U+FFFD).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use core::fmt::Write;
        let mut pieces = self.pieces();
        if !self.has_escapes {
            return f.write_str(&String::from_utf8_lossy(self.raw));
        }
        loop {
            let at = pieces.pos;
            match pieces.next() {
                None => return Ok(()),
                Some(Ok(Piece::Raw(s))) => f.write_str(s)?,
                Some(Ok(Piece::Char(c))) => f.write_char(c)?,
                Some(Err(_)) => {
                    let tail = self.raw.get(at..).unwrap_or_default();
                    return f.write_str(&String::from_utf8_lossy(tail));
                }
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(raw: &[u8]) -> Result<String, (K, usize)> {
        JsonStr::from_raw(raw)
            .decode()
            .map(Cow::into_owned)
            .map_err(|e| (e.kind(), e.offset()))
    }

    #[test]
    fn escapes() {
        assert_eq!(dec(br"\ud83d\ude00"), Ok("\u{1F600}".to_owned()));
        assert_eq!(dec(br"x\ud83d"), Err((K::LoneSurrogate, 1)));
        assert_eq!(dec(br"x\ude00"), Err((K::LoneSurrogate, 1)));
        assert_eq!(dec(br"\ud83d\u0041"), Err((K::LoneSurrogate, 0)));
        assert_eq!(dec(br"ab\x"), Err((K::InvalidEscape, 2)));
        assert_eq!(dec(br"ab\"), Err((K::InvalidEscape, 2)));
        assert_eq!(dec(br"ab\u12"), Err((K::InvalidEscape, 2)));
        assert_eq!(dec(b"a\\n\xff"), Err((K::InvalidUtf8, 3)));
        assert_eq!(dec(b"\xff"), Err((K::InvalidUtf8, 0)));
    }

    #[test]
    fn lossy_decoding_replaces_only_what_fails() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain", "plain"),
            (br"\u00e9t\u00e9", "\u{e9}t\u{e9}"),
            (br"a\ud800b", "a\u{FFFD}b"),
            (br"\udc00", "\u{FFFD}"),
            // A high surrogate whose partner is not a low one: the pair after it still decodes.
            (br"\ud83d\u0041", "\u{FFFD}A"),
            (br"\ud83d\ud83d\ude00", "\u{FFFD}\u{1F600}"),
            (br"x\ud800\n", "x\u{FFFD}\n"),
            (br"ab\x", "ab\u{FFFD}"),
            (br"ab\", "ab\u{FFFD}"),
            (br"ab\u12", "ab\u{FFFD}"),
            (b"a\\n\xffb\\t", "a\n\u{FFFD}b\t"),
            (b"\xe2\x82", "\u{FFFD}"),
        ];
        for &(raw, want) in cases {
            let s = JsonStr::from_raw(raw);
            assert_eq!(s.decode_lossy(), want, "{raw:?}");
            // Text that decodes is decoded the same way (and borrowed when it has no escapes).
            if let Ok(exact) = s.decode() {
                assert_eq!(exact, want, "{raw:?}");
            }
        }
        assert!(matches!(
            JsonStr::from_raw(b"plain").decode_lossy(),
            Cow::Borrowed("plain")
        ));
    }
}
