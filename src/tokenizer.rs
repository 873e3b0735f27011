//! The tokenizer: a forward-only pull cursor over the stage-1 structural index.
//!
//! # How it works
//!
//! Stage 1 (`crate::arch`) indexes the input one window of `WINDOW_BYTES` (64 KiB) at a time,
//! ahead of the cursor, into a [`Scratch`] that is reused across documents. For each window it
//! records the absolute offset of every structural position (operators outside strings, every real
//! quote, every scalar start) and a bitmap of backslashes. The tokenizer walks those offsets:
//!
//! - a string is the pair (opening quote, next structural), which is always its closing quote; when
//!   the backslash bitmap has no bit in between, the string needs no byte scan at all, otherwise its
//!   escapes are checked (`\" \\ \/ \b \f \n \r \t \uXXXX` only);
//! - a number or literal is checked byte by byte from its start; the byte after it must be
//!   whitespace, an operator, a quote or the end of the input, which (given the structural set)
//!   proves that only whitespace lies between the scalar and the next structural;
//! - the grammar (commas, colons, brackets, one top-level value) is checked by comparing the byte at
//!   each structural offset with what the current state allows.
//!
//! Nesting uses an explicit bit stack (one bit per level: object or array), so there is no
//! recursion, and a configurable depth limit ([`DEFAULT_DEPTH_LIMIT`] levels by default) turns a depth
//! bomb into [`ErrorKind::DepthLimitExceeded`] at the bracket that exceeds it.
//!
//! # Memory
//!
//! The [`Scratch`] holds, per parse:
//!
//! - the structural offsets of one window: at most one `u32` per input byte, so at most 256 KiB,
//!   typically 25 to 50 KiB (one structural every 6 to 10 bytes);
//! - the window's backslash bitmap: one bit per byte, 8 KiB;
//! - the bit stack: one bit per nesting level (16 bytes at the default limit).
//!
//! None of it grows with the document. Keep one `Scratch` per thread and pass it from document to
//! document ([`Tokenizer::with_scratch`], [`Tokenizer::into_scratch`]).
//!
//! # Errors come out in input order
//!
//! Stage 1 reports the first invalid UTF-8 sequence or raw control character in a string, with its
//! offset. The tokenizer raises it only when its cursor reaches that offset; any grammar error it
//! finds earlier in the input wins.
//!
//! # Choices where RFC 8259 leaves room
//!
//! - Lone surrogate escapes (`"\uD800"`) are grammatically valid JSON and are accepted here, as
//!   `serde_json` does when it ignores a value (`serde::de::IgnoredAny`); decoding the string
//!   ([`JsonStr`]) reports them.
//! - A UTF-8 byte order mark is rejected (`ExpectedValue` at offset 0).
//! - Numbers of any size and precision are accepted (`1e400`, 400-digit integers); converting them
//!   is the value layer's job.
//! - Inputs of 4 GiB or more are rejected with [`ErrorKind::InputTooLarge`] (structural offsets are
//!   `u32`); stream such documents instead.

use crate::arch::{self, Backend, Indexer, Window};
use crate::error::{Error, ErrorKind};
use crate::value::JsonStr;

/// The default nesting limit: this many levels of `{` / `[` are allowed.
pub const DEFAULT_DEPTH_LIMIT: usize = 128;

/// The kind of the next value, seen without consuming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peek {
    /// `{`
    Object,
    /// `[`
    Array,
    /// A string.
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

/// A scalar JSON value, borrowed from the input. Numbers are validated raw text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar<'a> {
    /// A string.
    String(JsonStr<'a>),
    /// A number's raw text, validated against the JSON grammar.
    Number(&'a [u8]),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// What [`Tokenizer::next_value`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NextValue<'a> {
    /// A scalar, consumed.
    Scalar(Scalar<'a>),
    /// `{`, not consumed.
    Object,
    /// `[`, not consumed.
    Array,
}

/// One token of a generic walk (see [`Tokenizer::next_token`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// `{`
    BeginObject,
    /// `}`
    EndObject,
    /// `[`
    BeginArray,
    /// `]`
    EndArray,
    /// An object key (the `:` after it is consumed).
    Key(JsonStr<'a>),
    /// A scalar value.
    Scalar(Scalar<'a>),
}

/// Reusable buffers for the tokenizer: the stage-1 window and the nesting stack.
///
/// Keep one per thread and pass it to every [`Tokenizer`] to parse many documents without new
/// allocations. Its size is bounded by the window, not the document: at most 256 KiB of structural
/// offsets (typically 25 to 50 KiB) plus an 8 KiB backslash bitmap, and one bit per nesting level.
///
/// A `Scratch` also fixes the stage-1 [`Backend`]: [`Scratch::default`] uses the one detected for
/// this CPU, [`Scratch::with_backend`] forces one (for tests and benchmarks).
#[derive(Debug)]
pub struct Scratch {
    window: Window,
    stack: Vec<u64>,
    backend: Backend,
}

impl Default for Scratch {
    fn default() -> Self {
        Self::with_backend(arch::detected())
    }
}

impl Scratch {
    /// Empty buffers using the stage-1 backend detected for this CPU.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empty buffers using the given stage-1 backend (see `Backend::supported`).
    ///
    /// A backend this CPU cannot run falls back to the detected one; [`Tokenizer::backend`] says
    /// which one a tokenizer really uses.
    pub fn with_backend(backend: Backend) -> Self {
        Scratch {
            window: Window::default(),
            stack: Vec::new(),
            backend,
        }
    }

    /// The stage-1 backend these buffers are used with.
    pub fn backend(&self) -> Backend {
        self.backend
    }
}

std::thread_local! {
    /// One spare [`Scratch`] per thread for the short-lived cursors of lazy views.
    static POOL: core::cell::Cell<Option<Scratch>> = const { core::cell::Cell::new(None) };
}

/// Byte classes for the bytes that may follow a scalar: whitespace, an operator, a quote.
const fn delimiter_table() -> [bool; 256] {
    let mut t = [false; 256];
    let delims = b" \t\n\r{}[]:,\"";
    let mut i = 0;
    while i < delims.len() {
        t[delims[i] as usize] = true;
        i += 1;
    }
    t
}
static DELIMITER: [bool; 256] = delimiter_table();

/// True when `b` may directly follow a number or literal.
#[inline(always)]
fn is_delimiter(b: u8) -> bool {
    DELIMITER[b as usize]
}

#[inline(always)]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[inline(always)]
fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// Where a top-level value stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Top {
    /// No value started yet.
    Before,
    /// Inside the top-level value.
    Inside,
    /// The top-level value is complete.
    Done,
}

/// A forward-only cursor over one JSON document.
///
/// The typed calls ([`begin_object`](Tokenizer::begin_object), [`next_key`](Tokenizer::next_key),
/// [`begin_array`](Tokenizer::begin_array), [`next_element`](Tokenizer::next_element),
/// [`scalar`](Tokenizer::scalar), [`skip_value`](Tokenizer::skip_value)) drive the parse the way a
/// schema-aware reader does; [`next_token`](Tokenizer::next_token) walks any document generically.
/// Every byte the cursor passes is validated, skipped values included. After the top-level value,
/// call [`finish`](Tokenizer::finish) to check that only whitespace follows.
///
/// The tokenizer owns its [`Scratch`]; take it back with [`Tokenizer::into_scratch`] to reuse the
/// buffers for the next document.
///
/// # Example
///
/// ```
/// use callrecords::tokenizer::{Scalar, Tokenizer};
///
/// let input = br#"{"id": "abc", "skip": [1, {"x": null}], "n": 42}"#;
/// let mut t = Tokenizer::new(input);
/// t.begin_object()?;
/// let mut id = None;
/// let mut n = None;
/// while let Some(key) = t.next_key()? {
///     match key.raw() {
///         b"id" => id = Some(t.scalar()?),
///         b"n" => n = Some(t.scalar()?),
///         _ => {
///             t.skip_value()?; // validated, not decoded
///         }
///     }
/// }
/// t.finish()?;
/// assert!(matches!(id, Some(Scalar::String(s)) if s.raw() == b"abc"));
/// assert_eq!(n, Some(Scalar::Number(b"42")));
///
/// // Errors carry a kind, an exact byte offset and (from `validate`) a JSON path.
/// let bad = b"{\n  \"a\" 1\n}";
/// let err = callrecords::tokenizer::validate(bad).unwrap_err();
/// assert_eq!(err.kind(), callrecords::ErrorKind::ExpectedColon);
/// assert_eq!(err.offset(), 8);
/// assert_eq!(err.line_column(bad), (2, 7));
/// assert_eq!(err.path(), Some("/a"));
/// # Ok::<(), callrecords::Error>(())
/// ```
pub struct Tokenizer<'a> {
    input: &'a [u8],
    /// Index into `window.structurals` of the next unconsumed structural.
    pos: usize,
    window: Window,
    indexer: Indexer,
    /// Bit stack of open containers: bit `d` is set when level `d` is an object.
    stack: Vec<u64>,
    depth: usize,
    /// The innermost open container is an object (cache of the stack's top bit).
    in_object: bool,
    depth_limit: usize,
    /// Offset of the first stage-1 error seen so far (`usize::MAX`: none).
    pending: usize,
    pending_kind: ErrorKind,
    /// True right after `{` or `[` was consumed, until the first `next_key` / `next_element`.
    first: bool,
    /// `next_token` state: a value must come next (after a key).
    need_value: bool,
    top: Top,
    /// The input's length when `window` is an index built ahead ([`Tokenizer::with_index`]),
    /// to be handed back by [`Tokenizer::into_scratch_with`].
    lent: Option<usize>,
}

impl core::fmt::Debug for Tokenizer<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("len", &self.input.len())
            .field("offset", &self.offset())
            .field("depth", &self.depth)
            .field("depth_limit", &self.depth_limit)
            .field("backend", &self.indexer.backend())
            .finish()
    }
}

/// Validates that `input` is one complete JSON document (RFC 8259), with the default depth limit.
///
/// This is the tokenizer's full validating walk: [`Tokenizer::skip_value`] then
/// [`Tokenizer::finish`]. An error comes with its JSON path ([`Tokenizer::with_path`]).
///
/// ```
/// use callrecords::{tokenizer, ErrorKind};
///
/// assert!(tokenizer::validate(br#"{"value": [1, {"id": "a"}]}"#).is_ok());
///
/// let e = tokenizer::validate(br#"{"value": [1, {"id" "a"}]}"#).unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::ExpectedColon);
/// assert_eq!((e.offset(), e.path()), (20, Some("/value/1/id")));
/// ```
pub fn validate(input: &[u8]) -> Result<(), Error> {
    let mut t = Tokenizer::new(input);
    t.skip_value()
        .and_then(|_| t.finish())
        .map_err(|e| t.with_path(e))
}

impl<'a> Tokenizer<'a> {
    /// A cursor at the start of `input`, with fresh buffers and the default depth limit.
    pub fn new(input: &'a [u8]) -> Self {
        Self::with_scratch(input, Scratch::default(), DEFAULT_DEPTH_LIMIT)
    }

    /// A cursor at the start of `input` that reuses `scratch`'s buffers (and its backend), allowing
    /// `depth_limit` levels of nesting.
    pub fn with_scratch(input: &'a [u8], mut scratch: Scratch, depth_limit: usize) -> Self {
        let window = &mut scratch.window;
        window.structurals.clear();
        window.backslashes.clear();
        window.start = 0;
        window.end = 0;
        Self::from_scratch(input, scratch, depth_limit)
    }

    /// A cursor at the start of `input` over `scratch` as it is: its window is either empty or
    /// already holds the index of `input`.
    fn from_scratch(input: &'a [u8], scratch: Scratch, depth_limit: usize) -> Self {
        let Scratch {
            window,
            stack,
            backend,
        } = scratch;
        Tokenizer {
            input,
            pos: 0,
            window,
            indexer: Indexer::new(backend),
            stack,
            depth: 0,
            in_object: false,
            depth_limit,
            pending: usize::MAX,
            pending_kind: ErrorKind::InvalidUtf8,
            first: false,
            need_value: false,
            top: Top::Before,
            lent: None,
        }
    }

    /// A cursor over `input` that walks `index`, the complete stage-1 index of `input` built
    /// ahead by the streaming reader (`arch::AheadIndexer`), instead of indexing the input
    /// itself. The index is lent to the cursor: give it back with [`Tokenizer::into_scratch_with`].
    /// Without an index of `input`'s length, this is [`Tokenizer::with_scratch`].
    pub(crate) fn with_index(
        input: &'a [u8],
        mut scratch: Scratch,
        depth_limit: usize,
        index: Option<&mut arch::Indexed>,
    ) -> Self {
        let Some(index) =
            index.filter(|ix| ix.complete == Some(input.len()) && input.len() <= u32::MAX as usize)
        else {
            return Self::with_scratch(input, scratch, depth_limit);
        };
        core::mem::swap(&mut scratch.window, &mut index.window);
        index.complete = None;
        let mut t = Self::from_scratch(input, scratch, depth_limit);
        t.lent = Some(input.len());
        if let Some((kind, at)) = index.error {
            (t.pending, t.pending_kind) = (at, kind);
        }
        t
    }

    /// Ends a cursor made by [`Tokenizer::with_index`]: gives the index back to `index` (where
    /// it can serve another cursor over the same input) and hands back the buffers for reuse.
    pub(crate) fn into_scratch_with(self, index: Option<&mut arch::Indexed>) -> Scratch {
        let lent = self.lent;
        let mut scratch = self.into_scratch();
        if let (Some(index), Some(_)) = (index, lent) {
            core::mem::swap(&mut scratch.window, &mut index.window);
            index.complete = lent;
        }
        scratch
    }

    /// A cursor at the start of `input` (default depth limit) whose buffers come from a
    /// per-thread pool: for the short-lived cursors of lazy views, which then make no heap
    /// allocation once the pool is warm. Give the buffers back with [`Tokenizer::recycle`].
    pub(crate) fn pooled(input: &'a [u8]) -> Self {
        let scratch = POOL.with(|p| p.take()).unwrap_or_default();
        Self::with_scratch(input, scratch, DEFAULT_DEPTH_LIMIT)
    }

    /// Returns this cursor's buffers to the per-thread pool (see [`Tokenizer::pooled`]).
    pub(crate) fn recycle(self) {
        let scratch = self.into_scratch();
        POOL.with(|p| p.set(Some(scratch)));
    }

    /// Ends the cursor and hands back its buffers for reuse.
    pub fn into_scratch(self) -> Scratch {
        Scratch {
            window: self.window,
            stack: self.stack,
            backend: self.indexer.backend(),
        }
    }

    /// The whole input.
    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    /// `error`, from this tokenizer, with the JSON Pointer of its offset in the input
    /// ([`Error::path`]).
    ///
    /// The cursor methods leave the path unset: finding it walks the input from the start, which
    /// only an error should pay for, and a caller that parses part of a larger document knows a
    /// better path than the part's own. An error that already has a path, or has no position in
    /// the JSON, is returned unchanged.
    ///
    /// ```
    /// use callrecords::tokenizer::Tokenizer;
    ///
    /// let doc = br#"{"value": [{"id": "a"}, {"id": tru}]}"#;
    /// let mut t = Tokenizer::new(doc);
    /// let e = loop {
    ///     match t.next_token() {
    ///         Ok(Some(_)) => {}
    ///         Ok(None) => unreachable!("the document is broken"),
    ///         Err(e) => break t.with_path(e),
    ///     }
    /// };
    /// assert_eq!(e.kind(), callrecords::ErrorKind::InvalidLiteral);
    /// assert_eq!(e.path(), Some("/value/1/id"));
    /// ```
    #[cold]
    pub fn with_path(&self, error: Error) -> Error {
        crate::schema::locate::with_pointer(self.input, error)
    }

    /// The current nesting depth (0 outside the top-level container).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The stage-1 backend in use.
    pub fn backend(&self) -> Backend {
        self.indexer.backend()
    }

    /// Byte offset of the next token (or of the end of the input).
    pub fn offset(&self) -> usize {
        if let Some(&s) = self.window.structurals.get(self.pos) {
            return s as usize;
        }
        // Every structural of the window is consumed, and the cursor is between tokens: what lies
        // past the window's end is the tail of the last consumed scalar (if it straddles the window
        // end), then whitespace, then the next token.
        let mut i = self.window.end;
        if i > 0 && self.input.get(i - 1).is_some_and(|&b| !is_delimiter(b)) {
            while self.input.get(i).is_some_and(|&b| !is_delimiter(b)) {
                i += 1;
            }
        }
        while self.input.get(i).is_some_and(|&b| is_ws(b)) {
            i += 1;
        }
        i.min(self.input.len())
    }

    // ---- structural fetch --------------------------------------------------------------------

    /// Consumes and returns the next structural offset, indexing the next window when needed.
    #[inline(always)]
    fn next_structural(&mut self) -> Option<usize> {
        if let Some(&s) = self.window.structurals.get(self.pos) {
            self.pos += 1;
            return Some(s as usize);
        }
        let s = self.refill()?;
        self.pos += 1;
        Some(s)
    }

    /// Returns the next structural offset without consuming it.
    #[inline(always)]
    fn peek_structural(&mut self) -> Option<usize> {
        if let Some(&s) = self.window.structurals.get(self.pos) {
            return Some(s as usize);
        }
        self.refill()
    }

    /// Indexes windows until one holds a structural; returns it (not consumed; `pos` is 0).
    #[cold]
    #[inline(never)]
    fn refill(&mut self) -> Option<usize> {
        if self.input.len() > u32::MAX as usize {
            // Structural offsets are `u32`: refuse rather than index wrongly.
            self.pending = 0;
            self.pending_kind = ErrorKind::InputTooLarge;
            return None;
        }
        loop {
            let start = self.window.end;
            if start >= self.input.len() {
                return None;
            }
            let err = self
                .indexer
                .index_window(self.input, start, &mut self.window);
            if let Some((kind, at)) = err {
                if at < self.pending {
                    self.pending = at;
                    self.pending_kind = kind;
                }
            }
            self.pos = 0;
            if self.window.end <= start {
                // Defensive: a window must make progress.
                return None;
            }
            if let Some(&s) = self.window.structurals.first() {
                return Some(s as usize);
            }
        }
    }

    /// The byte at a structural offset (0 if out of range, which the stage-1 invariants exclude).
    #[inline(always)]
    fn byte(&self, at: usize) -> u8 {
        self.input.get(at).copied().unwrap_or(0)
    }

    // ---- errors ------------------------------------------------------------------------------

    /// An error of `kind` at `at`, unless stage 1 found an error earlier in the input.
    #[cold]
    #[inline(never)]
    fn err(&self, kind: ErrorKind, at: usize) -> Error {
        if self.pending <= at {
            Error::syntax(self.pending_kind, self.input, self.pending)
        } else {
            Error::syntax(kind, self.input, at)
        }
    }

    /// The input ended early.
    #[cold]
    #[inline(never)]
    fn eof(&self) -> Error {
        self.err(ErrorKind::Eof, self.input.len())
    }

    /// No value can start at `at`.
    #[cold]
    #[inline(never)]
    fn value_error(&self, at: usize) -> Error {
        let b = self.byte(at);
        if matches!(b, b']' | b'}') {
            // Was the previous token a comma?
            let before = self.input.get(..at).unwrap_or(&[]);
            if before.iter().rev().find(|&&c| !is_ws(c)) == Some(&b',') {
                return self.err(ErrorKind::TrailingComma, at);
            }
        }
        self.err(ErrorKind::ExpectedValue, at)
    }

    /// What is wrong with a token found at `at` right after a complete value.
    #[cold]
    #[inline(never)]
    fn after_value_error(&self, at: usize) -> Error {
        let kind = if self.depth == 0 {
            ErrorKind::TrailingCharacters
        } else if self.top_is_object() {
            ErrorKind::ExpectedObjectCommaOrEnd
        } else {
            ErrorKind::ExpectedArrayCommaOrEnd
        };
        self.err(kind, at)
    }

    // ---- stack -------------------------------------------------------------------------------

    #[inline(always)]
    fn top_is_object(&self) -> bool {
        self.in_object
    }

    /// Reads the stack bit of the innermost open container.
    #[inline(always)]
    fn stack_top_is_object(&self) -> bool {
        let level = self.depth.wrapping_sub(1);
        self.stack
            .get(level / 64)
            .is_some_and(|w| w & (1 << (level % 64)) != 0)
    }

    #[inline(always)]
    fn push(&mut self, object: bool, at: usize) -> Result<(), Error> {
        let level = self.depth;
        if level >= self.depth_limit {
            return Err(self.err(ErrorKind::DepthLimitExceeded, at));
        }
        let word = level / 64;
        if word >= self.stack.len() {
            self.stack.resize(word + 1, 0);
        }
        if let Some(w) = self.stack.get_mut(word) {
            let bit = 1u64 << (level % 64);
            if object {
                *w |= bit;
            } else {
                *w &= !bit;
            }
        }
        self.depth = level + 1;
        self.in_object = object;
        if level == 0 {
            self.top = Top::Inside;
        }
        Ok(())
    }

    /// Closes the innermost container with the bracket at `at`.
    #[inline(always)]
    fn pop(&mut self, object: bool, at: usize) -> Result<(), Error> {
        if self.depth == 0 || self.top_is_object() != object {
            return Err(self.after_value_error(at));
        }
        self.depth -= 1;
        self.in_object = self.stack_top_is_object();
        self.first = false;
        if self.depth == 0 {
            self.top = Top::Done;
        }
        Ok(())
    }

    /// Marks a scalar as complete.
    #[inline(always)]
    fn scalar_done(&mut self) {
        if self.depth == 0 {
            self.top = Top::Done;
        }
    }

    // ---- scalars -----------------------------------------------------------------------------

    /// The next value's first structural, consumed. Checks that a value may start at depth 0.
    #[inline(always)]
    fn value_start(&mut self) -> Result<usize, Error> {
        let Some(s) = self.next_structural() else {
            return Err(self.eof());
        };
        if self.depth == 0 && self.top == Top::Done {
            return Err(self.err(ErrorKind::TrailingCharacters, s));
        }
        Ok(s)
    }

    /// The string whose opening quote is at `open` (already consumed); consumes its closing quote.
    #[inline(always)]
    fn string_at(&mut self, open: usize) -> Result<JsonStr<'a>, Error> {
        let (close, escaped) = self.string_close(open)?;
        let raw = self.input.get(open + 1..close).unwrap_or(&[]);
        Ok(JsonStr::new(raw, escaped))
    }

    /// Validates the string whose opening quote is at `open` (already consumed) and consumes its
    /// closing quote; returns the closing quote's offset and whether the string has escapes.
    #[inline(always)]
    fn string_close(&mut self, open: usize) -> Result<(usize, bool), Error> {
        let Some(close) = self.next_structural() else {
            return Err(self.eof());
        };
        // Stage 1: the structural after an opening quote is its closing quote.
        if close > self.pending {
            return Err(self.string_stage1_error(open, close));
        }
        let escaped = self.has_backslash(open + 1, close);
        if escaped {
            let raw = self.input.get(open + 1..close).unwrap_or(&[]);
            if let Err(at) = check_escapes(raw) {
                return Err(self.err(ErrorKind::InvalidEscape, open + 1 + at));
            }
        }
        Ok((close, escaped))
    }

    /// A stage-1 error lies inside the string `open..=close`; an invalid escape before it wins.
    #[cold]
    #[inline(never)]
    fn string_stage1_error(&self, open: usize, close: usize) -> Error {
        let raw = self.input.get(open + 1..close).unwrap_or(&[]);
        match check_escapes(raw) {
            Err(at) => self.err(ErrorKind::InvalidEscape, open + 1 + at),
            Ok(()) => self.err(ErrorKind::InvalidEscape, close),
        }
    }

    /// True when `input[from..to]` holds a backslash. `to` is in the current window.
    #[inline(always)]
    fn has_backslash(&self, from: usize, to: usize) -> bool {
        let start = self.window.start;
        if from < start {
            // The string began in an earlier window, whose bitmap is gone.
            return memchr::memchr(b'\\', self.input.get(from..to).unwrap_or(&[])).is_some();
        }
        let (lo, hi) = (from - start, to - start);
        if lo >= hi {
            return false;
        }
        let words = &self.window.backslashes;
        let (first, last) = (lo / 64, (hi - 1) / 64);
        let lo_mask = !0u64 << (lo % 64);
        let hi_mask = !0u64 >> (63 - (hi - 1) % 64);
        let w = |k: usize| words.get(k).copied().unwrap_or(0);
        if first == last {
            return w(first) & lo_mask & hi_mask != 0;
        }
        if w(first) & lo_mask != 0 || w(last) & hi_mask != 0 {
            return true;
        }
        words
            .get(first + 1..last)
            .is_some_and(|mid| mid.iter().any(|&x| x != 0))
    }

    /// Validates the number starting at `s`; returns its end.
    #[inline(always)]
    fn number_at(&self, s: usize) -> Result<usize, Error> {
        match number_end(self.input, s) {
            Ok(end) => Ok(end),
            Err(at) => Err(self.number_error(at)),
        }
    }

    #[cold]
    #[inline(never)]
    fn number_error(&self, at: usize) -> Error {
        if at >= self.input.len() {
            self.eof()
        } else {
            self.err(ErrorKind::InvalidNumber, at)
        }
    }

    /// Validates the literal `word` at `s`; returns its end.
    #[inline(always)]
    fn literal_at(&self, s: usize, word: &'static [u8]) -> Result<usize, Error> {
        let end = s + word.len();
        if self.input.get(s..end) == Some(word)
            && self.input.get(end).is_none_or(|&b| is_delimiter(b))
        {
            return Ok(end);
        }
        Err(self.literal_error(s, word))
    }

    #[cold]
    #[inline(never)]
    fn literal_error(&self, s: usize, word: &'static [u8]) -> Error {
        for (i, &w) in word.iter().enumerate() {
            match self.input.get(s + i) {
                None => return self.eof(),
                Some(&b) if b != w => return self.err(ErrorKind::InvalidLiteral, s + i),
                Some(_) => {}
            }
        }
        self.err(ErrorKind::InvalidLiteral, s + word.len())
    }

    /// Validates the scalar (not a string) starting at `s`; returns its end.
    #[inline(always)]
    fn bare_scalar_end(&self, s: usize) -> Result<usize, Error> {
        match self.byte(s) {
            b'-' | b'0'..=b'9' => self.number_at(s),
            b't' => self.literal_at(s, b"true"),
            b'f' => self.literal_at(s, b"false"),
            b'n' => self.literal_at(s, b"null"),
            _ => Err(self.value_error(s)),
        }
    }

    // ---- public API --------------------------------------------------------------------------

    /// The kind of the next value, without consuming it. Errors if no value can start here.
    pub fn peek(&mut self) -> Result<Peek, Error> {
        let Some(s) = self.peek_structural() else {
            return Err(self.eof());
        };
        if self.depth == 0 && self.top == Top::Done {
            return Err(self.err(ErrorKind::TrailingCharacters, s));
        }
        match self.byte(s) {
            b'{' => Ok(Peek::Object),
            b'[' => Ok(Peek::Array),
            b'"' => Ok(Peek::String),
            b'-' | b'0'..=b'9' => Ok(Peek::Number),
            b't' | b'f' => Ok(Peek::Bool),
            b'n' => Ok(Peek::Null),
            _ => Err(self.value_error(s)),
        }
    }

    /// The next value in one dispatch: a scalar is consumed and returned; for `{` or `[` nothing
    /// is consumed (call [`Tokenizer::begin_object`], [`Tokenizer::begin_array`] or
    /// [`Tokenizer::skip_value`] next). Also returns the value's start offset.
    ///
    /// Equivalent to [`Tokenizer::peek`] followed by [`Tokenizer::scalar`] for scalars, with the
    /// same errors, but each structural is fetched and classified once.
    #[inline(always)]
    pub(crate) fn next_value(&mut self) -> Result<(NextValue<'a>, usize), Error> {
        let Some(s) = self.peek_structural() else {
            return Err(self.eof());
        };
        if self.depth == 0 && self.top == Top::Done {
            return Err(self.err(ErrorKind::TrailingCharacters, s));
        }
        let value = match self.byte(s) {
            b'"' => {
                self.pos += 1;
                Scalar::String(self.string_at(s)?)
            }
            b'{' => return Ok((NextValue::Object, s)),
            b'[' => return Ok((NextValue::Array, s)),
            b'-' | b'0'..=b'9' => {
                let end = self.number_at(s)?;
                self.pos += 1;
                Scalar::Number(self.input.get(s..end).unwrap_or(&[]))
            }
            b't' => {
                self.literal_at(s, b"true")?;
                self.pos += 1;
                Scalar::Bool(true)
            }
            b'f' => {
                self.literal_at(s, b"false")?;
                self.pos += 1;
                Scalar::Bool(false)
            }
            b'n' => {
                self.literal_at(s, b"null")?;
                self.pos += 1;
                Scalar::Null
            }
            _ => return Err(self.value_error(s)),
        };
        self.scalar_done();
        Ok((NextValue::Scalar(value), s))
    }

    /// Consumes `{`. After it, call [`Tokenizer::next_key`] until it returns `None`.
    ///
    /// Errors with [`ErrorKind::ExpectedObject`] when another kind of value comes next.
    pub fn begin_object(&mut self) -> Result<(), Error> {
        let s = self.value_start()?;
        match self.byte(s) {
            b'{' => {
                self.push(true, s)?;
                self.first = true;
                Ok(())
            }
            b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                Err(self.err(ErrorKind::ExpectedObject, s))
            }
            _ => Err(self.value_error(s)),
        }
    }

    /// In an object: consumes the `,` or `}` that follows the previous member, and the next key
    /// with its `:`. Returns `None` when the object ended (its `}` is consumed).
    #[inline(always)]
    pub fn next_key(&mut self) -> Result<Option<JsonStr<'a>>, Error> {
        let Some(mut s) = self.next_structural() else {
            return Err(self.eof());
        };
        let mut b = self.byte(s);
        if self.first {
            self.first = false;
            if b == b'}' {
                self.pop(true, s)?;
                return Ok(None);
            }
            if b != b'"' {
                return Err(self.key_error(s));
            }
        } else {
            match b {
                b',' => {
                    let Some(k) = self.next_structural() else {
                        return Err(self.eof());
                    };
                    s = k;
                    b = self.byte(s);
                    if b != b'"' {
                        return Err(self.key_error(s));
                    }
                }
                b'}' => {
                    self.pop(true, s)?;
                    return Ok(None);
                }
                _ => return Err(self.after_value_error(s)),
            }
        }
        let key = self.string_at(s)?;
        self.colon()?;
        Ok(Some(key))
    }

    /// Consumes the `:` after a key.
    #[inline(always)]
    fn colon(&mut self) -> Result<(), Error> {
        match self.next_structural() {
            Some(c) if self.byte(c) == b':' => Ok(()),
            Some(c) => Err(self.err(ErrorKind::ExpectedColon, c)),
            None => Err(self.eof()),
        }
    }

    #[cold]
    #[inline(never)]
    fn key_error(&self, at: usize) -> Error {
        if self.byte(at) == b'}' {
            // Only reachable after a comma: `{"a":1,}`.
            return self.err(ErrorKind::TrailingComma, at);
        }
        self.err(ErrorKind::ExpectedKey, at)
    }

    /// Consumes `[`. After it, call [`Tokenizer::next_element`] before each element.
    ///
    /// Errors with [`ErrorKind::ExpectedArray`] when another kind of value comes next.
    pub fn begin_array(&mut self) -> Result<(), Error> {
        let s = self.value_start()?;
        match self.byte(s) {
            b'[' => {
                self.push(false, s)?;
                self.first = true;
                Ok(())
            }
            b'{' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                Err(self.err(ErrorKind::ExpectedArray, s))
            }
            _ => Err(self.value_error(s)),
        }
    }

    /// In an array: consumes the `,` or `]` that follows the previous element. Returns `true`
    /// when an element follows, `false` when the array ended (its `]` is consumed).
    #[inline]
    pub fn next_element(&mut self) -> Result<bool, Error> {
        let Some(s) = self.peek_structural() else {
            return Err(self.eof());
        };
        let b = self.byte(s);
        if self.first {
            self.first = false;
            if b == b']' {
                self.pos += 1;
                self.pop(false, s)?;
                return Ok(false);
            }
            return Ok(true);
        }
        self.pos += 1;
        match b {
            b',' => Ok(true),
            b']' => {
                self.pop(false, s)?;
                Ok(false)
            }
            _ => Err(self.after_value_error(s)),
        }
    }

    /// Consumes a scalar value. Errors (`ExpectedValue`) on `{` or `[`.
    #[inline]
    pub fn scalar(&mut self) -> Result<Scalar<'a>, Error> {
        let s = self.value_start()?;
        let value = match self.byte(s) {
            b'"' => Scalar::String(self.string_at(s)?),
            b'-' | b'0'..=b'9' => {
                let end = self.number_at(s)?;
                Scalar::Number(self.input.get(s..end).unwrap_or(&[]))
            }
            b't' => {
                self.literal_at(s, b"true")?;
                Scalar::Bool(true)
            }
            b'f' => {
                self.literal_at(s, b"false")?;
                Scalar::Bool(false)
            }
            b'n' => {
                self.literal_at(s, b"null")?;
                Scalar::Null
            }
            b'{' | b'[' => return Err(self.err(ErrorKind::ExpectedValue, s)),
            _ => return Err(self.value_error(s)),
        };
        self.scalar_done();
        Ok(value)
    }

    /// Consumes any value, validating all of it (strings, escapes and numbers included) without
    /// decoding anything. Returns the byte range of the value's text.
    ///
    /// Nested containers count against the depth limit. The walk is a loop over the structural
    /// index with the explicit bit stack: no recursion.
    pub fn skip_value(&mut self) -> Result<core::ops::Range<usize>, Error> {
        let base = self.depth;
        let start = match self.peek_structural() {
            Some(s) => s,
            None => return Err(self.eof()),
        };
        let mut end;
        'value: loop {
            // A value must start at the next structural.
            let s = self.value_start()?;
            match self.byte(s) {
                b'"' => {
                    end = self.string_close(s)?.0 + 1;
                }
                b'{' => {
                    self.push(true, s)?;
                    let Some(k) = self.next_structural() else {
                        return Err(self.eof());
                    };
                    match self.byte(k) {
                        b'"' => {
                            self.string_close(k)?;
                            self.colon()?;
                            continue 'value;
                        }
                        b'}' => {
                            self.pop(true, k)?;
                            end = k + 1;
                        }
                        _ => return Err(self.key_error(k)),
                    }
                }
                b'[' => {
                    self.push(false, s)?;
                    let Some(k) = self.peek_structural() else {
                        return Err(self.eof());
                    };
                    if self.byte(k) != b']' {
                        continue 'value;
                    }
                    self.pos += 1;
                    self.pop(false, k)?;
                    end = k + 1;
                }
                _ => {
                    end = self.bare_scalar_end(s)?;
                    self.scalar_done();
                }
            }
            // After a complete value: close containers until one continues.
            loop {
                if self.depth <= base {
                    if base == 0 {
                        self.top = Top::Done;
                    }
                    return Ok(start..end);
                }
                let Some(s) = self.next_structural() else {
                    return Err(self.eof());
                };
                let object = self.top_is_object();
                match (self.byte(s), object) {
                    (b',', true) => {
                        let Some(k) = self.next_structural() else {
                            return Err(self.eof());
                        };
                        if self.byte(k) != b'"' {
                            return Err(self.key_error(k));
                        }
                        self.string_close(k)?;
                        self.colon()?;
                        continue 'value;
                    }
                    (b',', false) => continue 'value,
                    (b'}', true) | (b']', false) => {
                        self.pop(object, s)?;
                        end = s + 1;
                    }
                    _ => return Err(self.after_value_error(s)),
                }
            }
        }
    }

    /// Generic walk: the next token, or `None` after the top-level value is complete and only
    /// whitespace follows.
    pub fn next_token(&mut self) -> Result<Option<Token<'a>>, Error> {
        if self.need_value {
            self.need_value = false;
            return self.value_token().map(Some);
        }
        if self.depth == 0 {
            if self.top == Top::Done {
                self.finish()?;
                return Ok(None);
            }
            return self.value_token().map(Some);
        }
        if self.top_is_object() {
            match self.next_key()? {
                Some(key) => {
                    self.need_value = true;
                    Ok(Some(Token::Key(key)))
                }
                None => Ok(Some(Token::EndObject)),
            }
        } else if self.next_element()? {
            self.value_token().map(Some)
        } else {
            Ok(Some(Token::EndArray))
        }
    }

    /// The token that starts the next value.
    #[inline]
    fn value_token(&mut self) -> Result<Token<'a>, Error> {
        let Some(s) = self.peek_structural() else {
            return Err(self.eof());
        };
        match self.byte(s) {
            b'{' => {
                self.begin_object()?;
                Ok(Token::BeginObject)
            }
            b'[' => {
                self.begin_array()?;
                Ok(Token::BeginArray)
            }
            _ => self.scalar().map(Token::Scalar),
        }
    }

    /// After the top-level value: checks that only whitespace remains.
    ///
    /// Called before the top-level value is complete, it reports what is missing (an
    /// [`ErrorKind::Eof`] when the input ends early).
    pub fn finish(&mut self) -> Result<(), Error> {
        let next = self.next_structural();
        match (self.top, next) {
            (Top::Done, None) => {
                if self.pending != usize::MAX {
                    // Unreachable in practice: a stage-1 error always lies inside a token.
                    return Err(self.err(self.pending_kind, self.pending));
                }
                Ok(())
            }
            (Top::Done, Some(s)) => Err(self.err(ErrorKind::TrailingCharacters, s)),
            (_, None) => Err(self.eof()),
            (Top::Before, Some(s)) => Err(self.err(ErrorKind::ExpectedValue, s)),
            (Top::Inside, Some(s)) => Err(self.after_value_error(s)),
        }
    }
}

/// The end of the number starting at `s`, or the offset of the first byte that breaks the grammar
/// (`input.len()` when the input ends inside the number).
///
/// `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`, followed by a delimiter or the end.
#[inline(always)]
fn number_end(input: &[u8], s: usize) -> Result<usize, usize> {
    let at = |i: usize| input.get(i).copied();
    let mut i = s;
    if at(i) == Some(b'-') {
        i += 1;
    }
    match at(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            i += 1;
            while let Some(b'0'..=b'9') = at(i) {
                i += 1;
            }
        }
        _ => return Err(i),
    }
    if at(i) == Some(b'.') {
        i += 1;
        if !matches!(at(i), Some(b'0'..=b'9')) {
            return Err(i);
        }
        while let Some(b'0'..=b'9') = at(i) {
            i += 1;
        }
    }
    if matches!(at(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(at(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !matches!(at(i), Some(b'0'..=b'9')) {
            return Err(i);
        }
        while let Some(b'0'..=b'9') = at(i) {
            i += 1;
        }
    }
    match at(i) {
        None => Ok(i),
        Some(b) if is_delimiter(b) => Ok(i),
        Some(_) => Err(i),
    }
}

/// Checks the escapes of a string's raw bytes; returns the offset (within `raw`) of the first
/// backslash that starts an invalid escape.
#[inline]
fn check_escapes(raw: &[u8]) -> Result<(), usize> {
    let mut i = 0;
    while let Some(k) = raw.get(i..).and_then(|rest| memchr::memchr(b'\\', rest)) {
        let j = i + k;
        match raw.get(j + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i = j + 2,
            Some(b'u') => match raw.get(j + 2..j + 6) {
                Some(hex) if hex.iter().all(|&h| is_hex(h)) => i = j + 6,
                _ => return Err(j),
            },
            _ => return Err(j),
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::panic, reason = "test failures panic")]
mod tests {
    use super::*;

    fn walk(input: &[u8]) -> Result<usize, Error> {
        let mut t = Tokenizer::new(input);
        let mut n = 0;
        while t.next_token()?.is_some() {
            n += 1;
        }
        Ok(n)
    }

    fn check(input: &[u8]) -> Result<(), Error> {
        validate(input)
    }

    #[test]
    fn accepts() {
        for doc in [
            &b"{}"[..],
            b"[]",
            b" [ 1 , 2.5e-3 , -0 , true , false , null , \"a\\n\\u00e9\" ] ",
            b"{\"a\":{\"b\":[{}]},\"c\":\"\"}",
            b"0",
            b"\"x\"",
            b"\"\\uD800\"",
            b"-1.0E+2",
        ] {
            assert!(check(doc).is_ok(), "{:?}", String::from_utf8_lossy(doc));
            assert!(walk(doc).is_ok(), "{:?}", String::from_utf8_lossy(doc));
        }
    }

    /// Input -> (kind, offset) for malformed documents, checked through `skip_value` and through
    /// `next_token`.
    #[test]
    fn error_table() {
        use ErrorKind::*;
        let table: &[(&[u8], ErrorKind, u64)] = &[
            (b"", Eof, 0),
            (b"   ", Eof, 3),
            (b"\xEF\xBB\xBF{}", ExpectedValue, 0),
            (b"[", Eof, 1),
            (b"[1", Eof, 2),
            (b"[1,", Eof, 3),
            (b"{", Eof, 1),
            (b"{\"a\"", Eof, 4),
            (b"{\"a\":", Eof, 5),
            (b"\"abc", Eof, 4),
            (b"tru", Eof, 3),
            (b"-", Eof, 1),
            (b"1.", Eof, 2),
            (b"1e+", Eof, 3),
            (b"[1,]", TrailingComma, 3),
            (b"[1, ]", TrailingComma, 4),
            (b"{\"a\":1,}", TrailingComma, 7),
            (b"{,}", ExpectedKey, 1),
            (b"{1:2}", ExpectedKey, 1),
            (b"{\"a\" 1}", ExpectedColon, 5),
            (b"{\"a\",1}", ExpectedColon, 4),
            (b"{\"a\":1 \"b\":2}", ExpectedObjectCommaOrEnd, 7),
            (b"{\"a\":1]", ExpectedObjectCommaOrEnd, 6),
            (b"[1 2]", ExpectedArrayCommaOrEnd, 3),
            (b"[1}", ExpectedArrayCommaOrEnd, 2),
            (b"[1:2]", ExpectedArrayCommaOrEnd, 2),
            (b"1 2", TrailingCharacters, 2),
            (b"{} x", TrailingCharacters, 3),
            (b"[]]", TrailingCharacters, 2),
            (b"[,1]", ExpectedValue, 1),
            (b"{\"a\":}", ExpectedValue, 5),
            (b"]", ExpectedValue, 0),
            (b"[x]", ExpectedValue, 1),
            (b"01", InvalidNumber, 1),
            (b"[-01]", InvalidNumber, 3),
            (b"[1.e5]", InvalidNumber, 3),
            (b"[.5]", ExpectedValue, 1),
            (b"[+1]", ExpectedValue, 1),
            (b"[1a]", InvalidNumber, 2),
            (b"[-a]", InvalidNumber, 2),
            (b"[1e]", InvalidNumber, 3),
            (b"[truex]", InvalidLiteral, 5),
            (b"[nul]", InvalidLiteral, 4),
            (b"[fals1]", InvalidLiteral, 5),
            (b"\"\\x\"", InvalidEscape, 1),
            (b"[\"a\\u12G4\"]", InvalidEscape, 3),
            (b"[\"\\u12\"]", InvalidEscape, 2),
            (b"[\"a\x01\"]", ControlCharacterInString, 3),
            (b"[\"a\xff\"]", InvalidUtf8, 3),
            (b"[1, \xff]", InvalidUtf8, 4),
            // The earlier error wins: the invalid escape comes before the control character.
            (b"[\"\\q\x01\"]", InvalidEscape, 2),
            (b"[\"\x01\\q\"]", ControlCharacterInString, 2),
            // A grammar error before a stage-1 error.
            (b"[1 2, \"\xff\"]", ExpectedArrayCommaOrEnd, 3),
        ];
        for &(input, kind, offset) in table {
            let shown = String::from_utf8_lossy(input);
            let e = check(input).err();
            let e = e.unwrap_or_else(|| panic!("accepted {shown:?}"));
            assert_eq!(
                (e.kind(), e.offset()),
                (kind, offset),
                "skip_value {shown:?}: {e}"
            );
            let e = walk(input).err();
            let e = e.unwrap_or_else(|| panic!("walk accepted {shown:?}"));
            assert_eq!(
                (e.kind(), e.offset()),
                (kind, offset),
                "next_token {shown:?}: {e}"
            );
        }
    }

    #[test]
    fn depth_limit() {
        let bomb = vec![b'['; if cfg!(miri) { 1_000 } else { 100_000 }];
        let e = check(&bomb).err();
        assert!(
            matches!(e, Some(ref e) if e.kind() == ErrorKind::DepthLimitExceeded && e.offset() == 128)
        );
        let e = walk(&bomb).err();
        assert!(
            matches!(e, Some(ref e) if e.kind() == ErrorKind::DepthLimitExceeded && e.offset() == 128)
        );
        let ok = [vec![b'['; 128], vec![b']'; 128]].concat();
        assert!(check(&ok).is_ok());
        assert!(walk(&ok).is_ok());
        let mut t = Tokenizer::with_scratch(&ok, Scratch::default(), 1000);
        assert!(t.skip_value().is_ok());
        let mut t = Tokenizer::with_scratch(b"[[1]]", Scratch::default(), 1);
        let e = t.skip_value().err();
        assert!(
            matches!(e, Some(ref e) if e.kind() == ErrorKind::DepthLimitExceeded && e.offset() == 1)
        );
    }

    #[test]
    fn message_names_expected_and_found() {
        let input = b"{\n  \"a\": 1,\n  \"b\", 2\n}";
        let e = check(input).err();
        let Some(e) = e else { panic!("accepted") };
        assert_eq!(e.kind(), ErrorKind::ExpectedColon);
        assert_eq!(
            e.describe(input),
            "expected `:` after the object key, found `,` at /b at line 3 column 6"
        );
        assert_eq!(e.snippet(input), "  \"b\", 2\n     ^");
    }

    #[test]
    fn typed_api_and_offsets() {
        let input = br#" {"a": [1, "x", {"k": true}], "b": null} "#;
        let mut t = Tokenizer::new(input);
        assert_eq!(t.offset(), 1);
        assert_eq!(t.peek().ok(), Some(Peek::Object));
        assert!(t.begin_object().is_ok());
        let k = t.next_key().ok().flatten();
        assert_eq!(k.map(|k| k.raw()), Some(&b"a"[..]));
        assert_eq!(t.offset(), 7);
        assert!(t.begin_array().is_ok());
        assert_eq!(t.next_element().ok(), Some(true));
        assert_eq!(t.scalar().ok(), Some(Scalar::Number(b"1")));
        assert_eq!(t.next_element().ok(), Some(true));
        assert_eq!(t.peek().ok(), Some(Peek::String));
        assert_eq!(t.skip_value().ok(), Some(11..14));
        assert_eq!(t.next_element().ok(), Some(true));
        assert_eq!(t.skip_value().ok(), Some(16..27));
        assert_eq!(t.next_element().ok(), Some(false));
        let k = t.next_key().ok().flatten();
        assert_eq!(k.map(|k| k.raw()), Some(&b"b"[..]));
        assert_eq!(t.scalar().ok(), Some(Scalar::Null));
        assert_eq!(t.next_key().ok(), Some(None));
        assert_eq!(t.offset(), input.len());
        assert!(t.finish().is_ok());
        // Wrong kinds.
        let mut t = Tokenizer::new(b"[1]");
        assert_eq!(
            t.begin_object().err().map(|e| e.kind()),
            Some(ErrorKind::ExpectedObject)
        );
        let mut t = Tokenizer::new(b"{}");
        assert_eq!(
            t.scalar().err().map(|e| e.kind()),
            Some(ErrorKind::ExpectedValue)
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "135 KB inputs are too slow under Miri; stage 1's tests cross windows with small ones"
    )]
    fn crosses_windows() {
        // Strings, escapes, numbers and literals straddling the 64 KiB window boundary.
        for pad in [0usize, 1, 2, 3, 5, 63, 64, 65] {
            let mut doc = b"[".to_vec();
            doc.resize(arch::WINDOW_BYTES - 6 - pad, b' ');
            doc.extend_from_slice(b"\"ab\\n\\u00e9cd\", 12345.678e9, true, \"");
            doc.extend(std::iter::repeat_n(b'x', 70_000));
            doc.extend_from_slice(b"\\\"\", null]");
            assert!(check(&doc).is_ok(), "pad {pad}");
            assert!(walk(&doc).is_ok(), "pad {pad}");
            let mut t = Tokenizer::new(&doc);
            let mut strings = Vec::new();
            while let Ok(Some(tok)) = t.next_token() {
                if let Token::Scalar(Scalar::String(s)) = tok {
                    strings.push((s.raw().len(), s.has_escapes()));
                }
            }
            assert_eq!(strings, vec![(12, true), (70_002, true)], "pad {pad}");
            // An invalid escape past the window boundary.
            let mut bad = doc.clone();
            let at = arch::WINDOW_BYTES + 100;
            bad[at] = b'\\';
            bad[at + 1] = b'q';
            let e = check(&bad).err();
            assert!(
                matches!(e, Some(ref e) if e.kind() == ErrorKind::InvalidEscape && e.offset() == at as u64)
            );
        }
    }

    #[test]
    fn scratch_reuse() {
        let mut scratch = Scratch::default();
        for doc in [&b"[1,2,3]"[..], b"{\"a\":[]}", b"[", b"null"] {
            let mut t = Tokenizer::with_scratch(doc, scratch, DEFAULT_DEPTH_LIMIT);
            let ok = t.skip_value().is_ok() && t.finish().is_ok();
            assert_eq!(ok, doc != b"[");
            scratch = t.into_scratch();
        }
    }
}
