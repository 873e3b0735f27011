//! Where a byte offset lies in a JSON text, as a JSON Pointer: the path of errors that are not
//! about a known field (syntax, end of input, invalid UTF-8, depth limit).
//!
//! Error path only: a walk from the start of the text to the offset, byte by byte except that it
//! skips string contents and containers that close before the offset (see [`pointer_at`]); about
//! a quarter of a parse's time for an error at the end of a 64 MiB page. It does not validate
//! (the bytes before an error's offset are a valid prefix anyway) and never fails: on bytes JSON
//! does not allow it carries on in a fixed way.
//!
//! # The position
//!
//! The pointer names the innermost value being read once every byte *before* the offset has been
//! read:
//!
//! - in an object, from the closing quote of a member's key until that member's value ends, the
//!   member (`/obj/key`); elsewhere (after `{`, between members, at a `,`, inside a key string)
//!   the object itself (`/obj`);
//! - in an array, once an element's first byte was read and until that element ends, the element
//!   (`/arr/3`); elsewhere (after `[`, between elements, at a `,`, at an element's first byte) the
//!   array itself (`/arr`);
//! - a string ends with its closing quote and a container with its closing bracket; a number or
//!   literal ends at the first byte after it that cannot continue it (whitespace or one of
//!   `,` `}` `]` `{` `[` `:` `"`), so an offset right after its last byte is still inside it;
//! - the top-level value is the empty pointer `""`, as is any position before or after it.
//!
//! Keys are written as JSON Pointer tokens (`~` as `~0`, `/` as `~1`) with their escapes left as in
//! the input (`"a\u002fb"` is `/a\u002fb`); array indices in decimal.
//!
//! # Bounds
//!
//! No recursion; one frame per open container up to [`MAX_LEVELS`] levels. Deeper containers are
//! only counted (their strings still skipped), so memory stays bounded whatever the input, and the
//! pointer then names the first [`MAX_LEVELS`] levels only.

use core::fmt::Write as _;

use crate::arch::{ends_scalar, is_ws, Nest, Nester};
use crate::error::Error;

use super::path::write_pointer_token;

/// The most levels a pointer names; deeper levels are left out.
pub(crate) const MAX_LEVELS: usize = 1024;

#[derive(Debug, Clone, Copy)]
enum Frame {
    /// An object, in the member whose raw key is `text[key.0..key.1]` (`None`: between members).
    Object { key: Option<(usize, usize)> },
    /// An array, in element `index` when `open` (otherwise between elements).
    Array { index: u64, open: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A value is expected (the start, after `:`, after `[` or `,` in an array).
    Value,
    /// In a number or literal.
    Scalar,
    /// In a string value (`true`: the previous byte was an escaping backslash).
    Str(bool),
    /// In a key that started at `usize` (just after its opening quote).
    Key(usize, bool),
    /// After `{` or `,` in an object: a key (or `}`) is expected.
    BeforeKey,
    /// After a key: `:` is expected.
    BeforeColon,
    /// After a value inside a container: `,` or the closing bracket is expected.
    After,
    /// Inside containers deeper than [`MAX_LEVELS`]: only brackets and strings are followed.
    Hidden,
    /// In a string inside the hidden levels.
    HiddenStr(bool),
    /// The top-level value has ended.
    Done,
}

struct Walk {
    frames: Vec<Frame>,
    /// Levels above the text's own top-level value, counted against [`MAX_LEVELS`].
    above: usize,
    /// Open containers past [`MAX_LEVELS`].
    hidden: u64,
    mode: Mode,
}

impl Walk {
    /// A walk at the start of a text that sits `above` levels deep in the document.
    fn new(above: usize) -> Self {
        Walk {
            frames: Vec::new(),
            above,
            hidden: 0,
            mode: Mode::Value,
        }
    }

    /// The pointer where the walk stopped; `None` once the top-level value has ended.
    fn finish(&self, text: &[u8]) -> Option<String> {
        (self.mode != Mode::Done).then(|| self.pointer(text))
    }

    /// A value begins: an array holding it is now in that element.
    fn begin_value(&mut self) {
        if let Some(Frame::Array { open, .. }) = self.frames.last_mut() {
            *open = true;
        }
    }

    /// The value in the innermost frame (or the top-level value) has ended.
    fn end_value(&mut self) {
        self.mode = match self.frames.last_mut() {
            None => Mode::Done,
            Some(Frame::Object { key }) => {
                *key = None;
                Mode::After
            }
            Some(Frame::Array { open, .. }) => {
                *open = false;
                Mode::After
            }
        };
    }

    fn push(&mut self, frame: Frame, mode: Mode) {
        if self.frames.len().saturating_add(self.above) >= MAX_LEVELS {
            self.hidden = 1;
            self.mode = Mode::Hidden;
        } else {
            self.frames.push(frame);
            self.mode = mode;
        }
    }

    /// A closing bracket (of either kind: the walk does not validate).
    fn close(&mut self) {
        if self.frames.pop().is_none() {
            self.mode = Mode::Done;
            return;
        }
        self.end_value();
    }

    fn step(&mut self, i: usize, b: u8) {
        match self.mode {
            Mode::Value => match b {
                _ if is_ws(b) => {}
                b'{' => {
                    self.begin_value();
                    self.push(Frame::Object { key: None }, Mode::BeforeKey);
                }
                b'[' => {
                    self.begin_value();
                    self.push(
                        Frame::Array {
                            index: 0,
                            open: false,
                        },
                        Mode::Value,
                    );
                }
                b'"' => {
                    self.begin_value();
                    self.mode = Mode::Str(false);
                }
                b']' | b'}' => self.close(),
                // An empty value (`[1,,2]`): as if one had ended.
                b',' => self.after(b),
                b':' => {}
                _ => {
                    self.begin_value();
                    self.mode = Mode::Scalar;
                }
            },
            Mode::Scalar => {
                if ends_scalar(b) {
                    self.end_value();
                    self.step(i, b);
                }
            }
            Mode::Str(escaped) => {
                if escaped {
                    self.mode = Mode::Str(false);
                } else if b == b'\\' {
                    self.mode = Mode::Str(true);
                } else if b == b'"' {
                    self.end_value();
                }
            }
            Mode::Key(start, escaped) => {
                if escaped {
                    self.mode = Mode::Key(start, false);
                } else if b == b'\\' {
                    self.mode = Mode::Key(start, true);
                } else if b == b'"' {
                    if let Some(Frame::Object { key }) = self.frames.last_mut() {
                        *key = Some((start, i));
                    }
                    self.mode = Mode::BeforeColon;
                }
            }
            Mode::BeforeKey => match b {
                b'"' => self.mode = Mode::Key(i + 1, false),
                b'}' | b']' => self.close(),
                _ => {}
            },
            Mode::BeforeColon => match b {
                b':' => self.mode = Mode::Value,
                b'}' | b']' => self.close(),
                b',' => self.end_value_then(b),
                _ => {}
            },
            Mode::After => self.after(b),
            Mode::Hidden => match b {
                b'"' => self.mode = Mode::HiddenStr(false),
                b'{' | b'[' => self.hidden = self.hidden.saturating_add(1),
                b'}' | b']' => {
                    self.hidden = self.hidden.saturating_sub(1);
                    if self.hidden == 0 {
                        self.end_value();
                    }
                }
                _ => {}
            },
            Mode::HiddenStr(escaped) => {
                self.mode = if escaped {
                    Mode::HiddenStr(false)
                } else if b == b'\\' {
                    Mode::HiddenStr(true)
                } else if b == b'"' {
                    Mode::Hidden
                } else {
                    Mode::HiddenStr(false)
                };
            }
            Mode::Done => {}
        }
    }

    /// A member without a value (`{"a",`): it ends here.
    fn end_value_then(&mut self, b: u8) {
        self.end_value();
        self.after(b);
    }

    /// After a value in a container.
    fn after(&mut self, b: u8) {
        match b {
            b',' => match self.frames.last_mut() {
                Some(Frame::Object { .. }) => self.mode = Mode::BeforeKey,
                Some(Frame::Array { index, .. }) => {
                    *index = index.saturating_add(1);
                    self.mode = Mode::Value;
                }
                None => self.mode = Mode::Done,
            },
            b'}' | b']' => self.close(),
            _ => {}
        }
    }

    fn pointer(&self, text: &[u8]) -> String {
        let mut out = String::new();
        for frame in &self.frames {
            match *frame {
                Frame::Object {
                    key: Some((from, to)),
                } => {
                    out.push('/');
                    let key = text.get(from..to).unwrap_or_default();
                    let _ = write_pointer_token(&mut out, key);
                }
                Frame::Array { index, open: true } => {
                    let _ = write!(out, "/{index}");
                }
                Frame::Object { key: None } | Frame::Array { open: false, .. } => break,
            }
        }
        out
    }
}

/// `e` with the JSON Pointer of its offset in `text` (the whole document), when it has a position
/// and no path yet ([`Error::wants_path`]); otherwise `e` unchanged. Error path only: it walks
/// `text` up to the offset.
#[cold]
#[inline(never)]
pub(crate) fn with_pointer(text: &[u8], e: Error) -> Error {
    if !e.wants_path() {
        return e;
    }
    let at = usize::try_from(e.offset()).unwrap_or(usize::MAX);
    let path = pointer_at(text, at, 0).unwrap_or_default();
    e.with_path(path)
}

/// The JSON Pointer of the position `offset` in `text` (see the [module docs](self)), relative to
/// `text`'s top-level value; `None` when that value ended before `offset`. `above` is how many
/// levels hold `text` in the whole document (they count against [`MAX_LEVELS`]).
///
/// The bytes before an error's offset are a valid JSON prefix, so two shortcuts give the answer
/// of the byte-by-byte walk (the tests compare them at every offset of generated documents): the
/// inside of a string is skipped to its next quote or backslash with `memchr2`, and a container
/// that closes before the offset, found with stage 1's nesting scan, is skipped whole. A
/// container that holds the offset costs that scan in vain, up to the offset; those scans share a
/// budget of four times the walked length, past which containers are walked byte by byte, so the
/// walk stays linear however deep the nesting.
#[cold]
#[inline(never)]
pub(crate) fn pointer_at(text: &[u8], offset: usize, above: usize) -> Option<String> {
    let mut walk = Walk::new(above);
    let upto = text.get(..offset).unwrap_or(text);
    let nester = Nester::detected();
    let mut budget = upto.len().saturating_mul(4);
    let mut i = 0;
    while let Some(&b) = upto.get(i) {
        match walk.mode {
            Mode::Str(false) | Mode::Key(_, false) | Mode::HiddenStr(false)
                if b != b'"' && b != b'\\' =>
            {
                let rest = upto.get(i..).unwrap_or_default();
                i += memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
                continue;
            }
            Mode::Value if matches!(b, b'{' | b'[') && budget > 0 => {
                let inside = upto.get(i + 1..).unwrap_or_default();
                match nester.find_close(inside, &mut Nest::opened()) {
                    Some(k) => {
                        walk.begin_value();
                        walk.end_value();
                        i += k + 2;
                        continue;
                    }
                    None => budget = budget.saturating_sub(inside.len().max(1)),
                }
            }
            _ => {}
        }
        walk.step(i, b);
        i += 1;
    }
    walk.finish(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk without shortcuts: one step per byte.
    fn bytewise(text: &[u8], offset: usize, above: usize) -> Option<String> {
        let mut walk = Walk::new(above);
        for (i, &b) in text.get(..offset).unwrap_or(text).iter().enumerate() {
            walk.step(i, b);
        }
        walk.finish(text)
    }

    /// The shortcuts (strings skipped to their next quote or backslash, closed containers
    /// skipped whole) give the byte-by-byte answer at every offset of valid JSON, which is what
    /// precedes an error.
    #[test]
    fn shortcuts_give_the_bytewise_answer_on_valid_json() {
        use crate::generate::{to_vec, GenOptions, Shape};
        let mut docs: Vec<Vec<u8>> = [
            &br#"{"a\"\\": ["x\\", {"b": [[], {}, "]}"]}, 1, true], "c": {"d": null}}"#[..],
            br#"[[[[1]]], [{"k": [2, [3]]}], "s\"[", -4.5e3]"#,
            br#"{"deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
        ]
        .iter()
        .map(|d| d.to_vec())
        .collect();
        for (seed, compact, shape) in [
            (1, false, Shape::Sessions),
            (2, true, Shape::CallRecord),
            (3, true, Shape::Sessions),
        ] {
            docs.push(to_vec(&GenOptions {
                seed,
                target_bytes: 3_000,
                compact,
                shape,
            }));
        }
        for (n, doc) in docs.iter().enumerate() {
            // Every offset of the hand-written documents; every 7th of the generated ones (tens of
            // KiB, each walk linear), which still lands on every kind of byte.
            let stride = if n < 3 { 1 } else { 7 };
            for offset in (0..=doc.len()).step_by(stride).chain(Some(doc.len())) {
                assert_eq!(
                    pointer_at(doc, offset, 0),
                    bytewise(doc, offset, 0),
                    "offset {offset} of {}",
                    String::from_utf8_lossy(doc)
                );
            }
        }
    }

    /// Nesting deeper than the scan budget pays for stays linear (the scans that find no close
    /// stop being tried) and still gives the byte-by-byte answer.
    #[test]
    fn deep_nesting_exhausts_the_budget_and_keeps_the_answer() {
        let mut text = "[".repeat(100);
        text.push_str(&"[0],".repeat(2_000));
        let text = text.as_bytes();
        assert_eq!(
            pointer_at(text, text.len(), 0),
            bytewise(text, text.len(), 0)
        );
        // Between the innermost array's elements: the 99 arrays around it are in an element.
        assert_eq!(
            pointer_at(text, text.len(), 0).map(|p| p.matches('/').count()),
            Some(99)
        );
    }

    /// The pointer at every offset of `text` (`-` when the top-level value has ended).
    fn all(text: &[u8]) -> Vec<String> {
        (0..=text.len())
            .map(|i| pointer_at(text, i, 0).unwrap_or_else(|| "-".into()))
            .collect()
    }

    #[test]
    fn positions_in_objects_and_arrays() {
        // Offsets:       0123456789012345678
        let text = br#"{"a": [1, {"b":2}]}"#;
        let got = all(text);
        let want = [
            "", "", "", "", "/a", "/a", "/a", "/a", "/a/0", "/a", "/a", "/a/1", "/a/1", "/a/1",
            "/a/1/b", "/a/1/b", "/a/1/b", "/a", "", "-",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn scalars_end_at_their_delimiter() {
        assert_eq!(pointer_at(b"[tru]", 4, 0).as_deref(), Some("/0"));
        assert_eq!(pointer_at(b"[1 ]", 2, 0).as_deref(), Some("/0"));
        assert_eq!(pointer_at(b"[1 ]", 3, 0).as_deref(), Some(""));
        assert_eq!(pointer_at(b"[1,", 3, 0).as_deref(), Some(""));
        assert_eq!(pointer_at(b"12", 2, 0).as_deref(), Some(""));
        assert_eq!(pointer_at(b"12 ", 3, 0), None);
        assert_eq!(pointer_at(br#"{"a":1"b""#, 6, 0).as_deref(), Some("/a"));
        assert_eq!(pointer_at(br#"{"a":1"b""#, 7, 0).as_deref(), Some(""));
    }

    #[test]
    fn keys_are_pointer_tokens_with_escapes_as_in_the_input() {
        let text = br#"{"a/b~c": {"\u0041\"": [0"#;
        assert_eq!(
            pointer_at(text, text.len(), 0).as_deref(),
            Some(r#"/a~1b~0c/\u0041\"/0"#)
        );
        // Inside a key string (escaped quote included) the object's own path.
        assert_eq!(pointer_at(br#"{"x": {"a\"b"#, 12, 0).as_deref(), Some("/x"));
    }

    #[test]
    fn strings_hide_brackets() {
        let text = br#"{"a": "]}\"{[", "b": ["#;
        assert_eq!(pointer_at(text, text.len(), 0).as_deref(), Some("/b"));
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(MAX_LEVELS + 50);
        let p = pointer_at(deep.as_bytes(), deep.len(), 0).unwrap_or_default();
        assert_eq!(p.matches('/').count(), MAX_LEVELS);
        // Levels above the text count too.
        let p = pointer_at(deep.as_bytes(), deep.len(), 10).unwrap_or_default();
        assert_eq!(p.matches('/').count(), MAX_LEVELS - 10);
        // Closing the hidden levels comes back to the visible ones.
        let text = format!("{}\"]\"{}, 7", deep, "]".repeat(51));
        let p = pointer_at(text.as_bytes(), text.len(), 0).unwrap_or_default();
        assert_eq!(p.matches('/').count(), MAX_LEVELS - 1);
        assert!(p.ends_with("/0/1"), "{}", &p[p.len() - 8..]);
    }

    #[test]
    fn never_panics_on_garbage() {
        for text in [
            &b"]]]}}:,,\"\\"[..],
            b"{,,:]",
            b"{\"a\",1}",
            b"[\"\\",
            b"\xff{\"\xfe\":",
        ] {
            for i in 0..=text.len() + 2 {
                let _ = pointer_at(text, i, 0);
            }
        }
        assert_eq!(
            pointer_at(b"{\"\xfe\":[", 6, 0).as_deref(),
            Some("/\u{fffd}")
        );
    }
}
