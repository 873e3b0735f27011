//! The crate's error type: a kind and a byte offset, with position details computed on demand.

use core::fmt;
use std::io;

use crate::value::ValueError;

/// What went wrong, without where.
///
/// Syntax kinds end a parse; [`ErrorKind::Value`] is raised only in strict mode (lenient mode records
/// value errors on the record instead); [`ErrorKind::Io`] passes an I/O failure through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ended inside a value (or inside a UTF-8 character). A streaming caller should
    /// feed more input.
    Eof,
    /// A value was expected (document start, after `:`, `[` or `,` in an array).
    ExpectedValue,
    /// A string key was expected (after `{` or `,` in an object).
    ExpectedKey,
    /// `:` was expected after an object key.
    ExpectedColon,
    /// `,` or `}` was expected after an object member.
    ExpectedObjectCommaOrEnd,
    /// `,` or `]` was expected after an array element.
    ExpectedArrayCommaOrEnd,
    /// A `,` was followed directly by `}` or `]`.
    TrailingComma,
    /// Non-whitespace followed the top-level value.
    TrailingCharacters,
    /// A number that does not follow the JSON grammar (`01`, `1.`, `.5`, `-`, `1e`).
    InvalidNumber,
    /// A bare word that is not `true`, `false` or `null`.
    InvalidLiteral,
    /// A backslash escape that JSON does not define, or `\u` without four hex digits.
    InvalidEscape,
    /// An unescaped control character (U+0000 to U+001F) inside a string.
    ControlCharacterInString,
    /// The input is not valid UTF-8 (an input that ends inside a character is [`ErrorKind::Eof`]
    /// when it ends inside a string, and the grammar's error for that byte elsewhere).
    InvalidUtf8,
    /// Nesting went deeper than the configured limit.
    DepthLimitExceeded,
    /// An object was required here (`Tokenizer::begin_object`) but another value came.
    ExpectedObject,
    /// An array was required here (`Tokenizer::begin_array`) but another value came.
    ExpectedArray,
    /// The input is 4 GiB or larger; the tokenizer indexes offsets as `u32`.
    InputTooLarge,
    /// A known field held a bad value (strict mode only).
    Value(crate::value::ValueErrorKind),
    /// The document is valid JSON but not a callRecords shape (strict mode only).
    NotCallRecords,
    /// A streamed section was larger than `max_session_bytes`: a session, the top-level members
    /// before or after the session array, or a whole document without one. The message names
    /// which, and its size.
    SessionTooLarge,
    /// Reading the input failed.
    Io,
}

/// The broad class of an [`Error`], as returned by [`Error::classify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// The input is not valid JSON (or not valid UTF-8).
    Syntax,
    /// The input is valid JSON but a known field held a bad value, or the shape was wrong.
    Value,
    /// Reading the input failed.
    Io,
    /// The input ended early; more input may complete it.
    Eof,
}

/// An error with its kind and the byte offset where it was detected.
///
/// The error is one pointer wide, so `Result<Event, Error>` stays small. Line, column and a context
/// snippet are computed on demand from the input with [`Error::line_column`] and [`Error::snippet`],
/// or stored by streaming readers that no longer hold the whole input.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    offset: u64,
    found: Found,
    line_column: Option<(u64, u64)>,
    path: Option<Box<str>>,
    detail: Option<Box<str>>,
    source: Option<io::Error>,
}

/// What the parser saw at the error offset, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    Byte(u8),
    End,
    #[allow(dead_code, reason = "for the stream layer")]
    Nothing,
}

impl Error {
    #[cold]
    #[inline(never)]
    fn build(kind: ErrorKind, offset: u64, found: Found) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                offset,
                found,
                line_column: None,
                path: None,
                detail: None,
                source: None,
            }),
        }
    }

    /// A syntax error at `offset` in `input`; records the byte found there for the message.
    #[cold]
    #[inline(never)]
    pub(crate) fn syntax(kind: ErrorKind, input: &[u8], offset: usize) -> Self {
        let found = match input.get(offset) {
            Some(&b) => Found::Byte(b),
            None => Found::End,
        };
        Self::build(kind, offset as u64, found)
    }

    #[allow(dead_code, reason = "for the schema and stream layers")]
    /// A syntax error at an absolute `offset` when the byte there is not known.
    #[cold]
    #[inline(never)]
    pub(crate) fn at(kind: ErrorKind, offset: u64) -> Self {
        Self::build(kind, offset, Found::Nothing)
    }

    #[allow(dead_code, reason = "for the schema and stream layers")]
    /// A strict-mode value error for the field at `path`.
    #[cold]
    #[inline(never)]
    pub(crate) fn value(err: ValueError, offset: u64, path: &str) -> Self {
        let mut e = Self::build(ErrorKind::Value(err.kind()), offset, Found::Nothing);
        e.inner.path = Some(path.into());
        e
    }

    #[allow(dead_code, reason = "for the schema and stream layers")]
    /// An I/O error while reading at stream offset `offset`.
    #[cold]
    #[inline(never)]
    pub(crate) fn io(source: io::Error, offset: u64) -> Self {
        let mut e = Self::build(ErrorKind::Io, offset, Found::Nothing);
        e.inner.source = Some(source);
        e
    }

    #[allow(dead_code, reason = "for the schema and stream layers")]
    /// Attaches a free-form detail (for example the size of an oversize session).
    #[cold]
    pub(crate) fn with_detail(mut self, detail: impl Into<Box<str>>) -> Self {
        self.inner.detail = Some(detail.into());
        self
    }

    /// Attaches the JSON path of the value being parsed.
    #[cold]
    pub(crate) fn with_path(mut self, path: impl Into<Box<str>>) -> Self {
        self.inner.path = Some(path.into());
        self
    }

    #[allow(dead_code, reason = "for the schema and stream layers")]
    /// Records line and column (1-based) when the input is no longer available to compute them.
    #[cold]
    pub(crate) fn with_line_column(mut self, line: u64, column: u64) -> Self {
        self.inner.line_column = Some((line, column));
        self
    }

    #[allow(dead_code, reason = "for the schema and stream layers")]
    /// Moves the offset by `base` (used when a window of a stream was parsed).
    #[cold]
    pub(crate) fn shifted(mut self, base: u64) -> Self {
        self.inner.offset += base;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The byte offset, from the start of the input, at which the error was detected.
    pub fn offset(&self) -> u64 {
        self.inner.offset
    }

    /// Where in the document the error is, as a JSON Pointer (RFC 6901): `Some` for every error
    /// that has a position in the JSON, `None` for [`ErrorKind::Io`], [`ErrorKind::NotCallRecords`]
    /// and [`ErrorKind::InputTooLarge`]. The bare [`Tokenizer`]'s cursor methods leave it unset:
    /// [`Tokenizer::with_path`] fills it in (and `tokenizer::validate` does).
    ///
    /// - Value errors (strict mode): the field at fault, for example
    ///   `/value/0/segments/1/media/0/streams/2/averageJitter`.
    /// - Syntax, end-of-input, UTF-8, control-character and depth-limit errors: the innermost value
    ///   being read when every byte before [`Error::offset`] has been read. In an object that is
    ///   the member once its key's closing quote was read, until the member's value ends (so
    ///   `{"id" 1}` fails at `/id`), and the object itself between members and inside a key; in an
    ///   array, the element once its first byte was read, until it ends, and the array itself
    ///   between elements (so `[1, [x]]` fails at `/1`, but `[1, x]` and `[1 x]` at the array: the
    ///   error is at `x`, before element 1 began). A number or literal ends at the byte after it
    ///   that cannot continue it, so an error right after its last byte is still inside it
    ///   (`[1, tru]` fails at `/1`, at the `]`). The top-level value, and any position before or
    ///   after it, is the empty pointer `""`.
    /// - [`ErrorKind::SessionTooLarge`] (streaming): the session that is too large
    ///   (`/value/3`), or `""` for the top-level members.
    ///
    /// Keys are written as pointer tokens (`~` as `~0`, `/` as `~1`) with their escapes left as
    /// in the input; paths name at most 1024 levels. The slice iterator, the [`Reader`] and the
    /// [`Feeder`] give the same path for the same error.
    ///
    /// ```
    /// let doc = br#"{"value": [{"id": "a"}, {"segments": [{"id": "g", "media": [{"label" "x"}]}]}]}"#;
    /// let e = callrecords::events(doc).find_map(Result::err).unwrap();
    /// assert_eq!(e.kind(), callrecords::ErrorKind::ExpectedColon);
    /// assert_eq!(e.path(), Some("/value/1/segments/0/media/0/label"));
    /// assert!(e.to_string().ends_with("at /value/1/segments/0/media/0/label at byte 69"));
    /// ```
    ///
    /// [`Tokenizer`]: crate::tokenizer::Tokenizer
    /// [`Tokenizer::with_path`]: crate::tokenizer::Tokenizer::with_path
    /// [`Reader`]: crate::Reader
    /// [`Feeder`]: crate::Feeder
    pub fn path(&self) -> Option<&str> {
        self.inner.path.as_deref()
    }

    /// True for an error that has a position in the JSON but no path yet (see [`Error::path`]).
    pub(crate) fn wants_path(&self) -> bool {
        self.inner.path.is_none()
            && !matches!(
                self.inner.kind,
                ErrorKind::Io
                    | ErrorKind::NotCallRecords
                    | ErrorKind::InputTooLarge
                    | ErrorKind::Value(_)
            )
    }

    /// The broad class of this error.
    pub fn classify(&self) -> Category {
        match self.inner.kind {
            ErrorKind::Eof => Category::Eof,
            ErrorKind::Io => Category::Io,
            ErrorKind::Value(_) | ErrorKind::NotCallRecords | ErrorKind::SessionTooLarge => {
                Category::Value
            }
            _ => Category::Syntax,
        }
    }

    /// True when the input ended early: a streaming caller should feed more input.
    pub fn is_eof(&self) -> bool {
        self.classify() == Category::Eof
    }

    /// True for syntax errors (including invalid UTF-8).
    pub fn is_syntax(&self) -> bool {
        self.classify() == Category::Syntax
    }

    /// True for value and shape errors.
    pub fn is_value(&self) -> bool {
        self.classify() == Category::Value
    }

    /// True for I/O errors.
    pub fn is_io(&self) -> bool {
        self.classify() == Category::Io
    }

    /// Line and column (both 1-based; the column counts bytes) of the error offset in `input`.
    ///
    /// When a streaming reader recorded the position itself, that position is returned and `input`
    /// is ignored.
    pub fn line_column(&self, input: &[u8]) -> (u64, u64) {
        if let Some(lc) = self.inner.line_column {
            return lc;
        }
        let end = (self.inner.offset as usize).min(input.len());
        let before = &input[..end];
        let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        (line, (end - line_start) as u64 + 1)
    }

    /// The line of `input` that holds the error, followed by a caret line pointing at it.
    ///
    /// Long lines are cut to about 60 bytes around the error; bytes that are not printable ASCII
    /// are shown as `.` so the caret stays aligned.
    pub fn snippet(&self, input: &[u8]) -> String {
        self.snippet_in(input, 0)
    }

    /// Like [`Error::snippet`], when only a window of the input is at hand: `window` holds the
    /// input's bytes from offset `window_start` on (for example a streaming [`Section`]'s bytes
    /// and its offset). An error outside the window points at the window's nearest end.
    ///
    /// ```
    /// let doc = b"{\"value\": [{\"id\": tru}]}";
    /// let e = callrecords::tokenizer::Tokenizer::new(doc).skip_value().unwrap_err();
    /// // The window from byte 11 on (`{"id": tru}]}`) still shows the error, caret included.
    /// let snippet = e.snippet_in(&doc[11..], 11);
    /// let (line, caret) = snippet.split_once('\n').unwrap();
    /// assert_eq!(line, r#"{"id": tru}]}"#);
    /// assert_eq!(caret.len() as u64, e.offset() - 11 + 1);
    /// ```
    ///
    /// [`Section`]: crate::Section
    pub fn snippet_in(&self, window: &[u8], window_start: u64) -> String {
        let input = window;
        let at = self.inner.offset.saturating_sub(window_start);
        let at = usize::try_from(at).unwrap_or(usize::MAX).min(input.len());
        let line_start = memchr::memrchr(b'\n', &input[..at]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &input[at..]).map_or(input.len(), |i| at + i);
        let from = line_start.max(at.saturating_sub(40));
        let to = line_end.min(at + 40);
        let text: String = input[from..to]
            .iter()
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        format!("{text}\n{}^", " ".repeat(at - from))
    }

    /// The message with the position as line and column in `input`, for example
    /// ``expected `:` after the object key, found `,` at line 3 column 7``.
    ///
    /// (`Display` alone says `at byte N`, since the error does not hold the input.)
    pub fn describe(&self, input: &[u8]) -> String {
        let mut text = String::new();
        let _ = self.write_message(&mut text);
        let (line, column) = self.line_column(input);
        use core::fmt::Write as _;
        let _ = write!(text, " at line {line} column {column}");
        text
    }

    fn expected(&self) -> &'static str {
        match self.inner.kind {
            ErrorKind::Eof => "more input",
            ErrorKind::ExpectedValue => "a JSON value",
            ErrorKind::ExpectedKey => "a string key or `}`",
            ErrorKind::ExpectedColon => "`:` after the object key",
            ErrorKind::ExpectedObjectCommaOrEnd => "`,` or `}` after the object member",
            ErrorKind::ExpectedArrayCommaOrEnd => "`,` or `]` after the array element",
            ErrorKind::TrailingComma => "a value after `,`",
            ErrorKind::TrailingCharacters => "the end of the input after the top-level value",
            ErrorKind::InvalidNumber => "a number in JSON syntax",
            ErrorKind::InvalidLiteral => "`true`, `false` or `null`",
            ErrorKind::InvalidEscape => {
                "one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u with 4 hex digits"
            }
            ErrorKind::ControlCharacterInString => "no raw control character inside a string",
            ErrorKind::InvalidUtf8 => "valid UTF-8",
            ErrorKind::DepthLimitExceeded => "nesting within the depth limit",
            ErrorKind::ExpectedObject => "an object",
            ErrorKind::ExpectedArray => "an array",
            ErrorKind::InputTooLarge => "an input smaller than 4 GiB",
            ErrorKind::Value(_) => "a valid value for this field",
            ErrorKind::NotCallRecords => "a callRecords sessions page or callRecord document",
            ErrorKind::SessionTooLarge => "a section within max_session_bytes",
            ErrorKind::Io => "readable input",
        }
    }
}

impl Error {
    /// Writes the message without the position.
    fn write_message(&self, f: &mut impl fmt::Write) -> fmt::Result {
        match self.inner.kind {
            ErrorKind::Value(kind) => write!(f, "invalid value: {kind}")?,
            ErrorKind::Io => match &self.inner.source {
                Some(source) => write!(f, "I/O error: {source}")?,
                None => f.write_str("I/O error")?,
            },
            _ => {
                write!(f, "expected {}", self.expected())?;
                match self.inner.found {
                    Found::Byte(b) if (0x20..0x7f).contains(&b) => {
                        write!(f, ", found `{}`", b as char)?
                    }
                    Found::Byte(b) => write!(f, ", found byte 0x{b:02x}")?,
                    Found::End => f.write_str(", found end of input")?,
                    Found::Nothing => {}
                }
            }
        }
        if let Some(detail) = &self.inner.detail {
            write!(f, " ({detail})")?;
        }
        // The top-level value (the empty pointer) goes without saying.
        if let Some(path) = self.inner.path.as_deref().filter(|p| !p.is_empty()) {
            write!(f, " at {path}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_message(f)?;
        match self.inner.line_column {
            Some((line, column)) => write!(f, " at line {line} column {column}"),
            None => write!(f, " at byte {}", self.inner.offset),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("offset", &self.inner.offset)
            .field("path", &self.inner.path)
            .field("detail", &self.inner.detail)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        match e.classify() {
            Category::Io => match e.inner.source {
                Some(source) => source,
                None => io::Error::other("I/O error"),
            },
            Category::Eof => io::Error::new(io::ErrorKind::UnexpectedEof, e),
            Category::Syntax | Category::Value => io::Error::new(io::ErrorKind::InvalidData, e),
        }
    }
}
