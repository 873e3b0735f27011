//! The session splitter: an incremental scanner over the top level of a callRecords document.
//!
//! It walks the top-level object member by member and, inside the first array-valued `value`
//! (sessions page) or `sessions` (callRecord document) member, finds each element's exact byte
//! range. It validates the grammar of what it walks itself (the top-level object's punctuation and
//! the session array's), and only finds the extent of everything else (member values and sessions):
//! the tokenizer validates those when the schema layer parses them.
//!
//! All positions are stream offsets (`u64`, from the first byte of the input), so the window can be
//! compacted under the splitter without adjusting anything. The splitter never looks at a byte
//! twice: each call resumes where the previous one stopped, with the string, escape and nesting
//! state carried over.

use crate::arch::{
    ends_scalar, find_string_end, is_ws, Ahead, AheadIndexer, Indexed, Nest, Nester,
};
use crate::error::{Error, ErrorKind};

/// Which shape the document turned out to have (from the key of the streamed array).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `value`: a sessions page.
    SessionsPage,
    /// `sessions`: a callRecord document.
    CallRecord,
}

/// What a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Top-level members before the session array: `bytes[start..end]` followed by `}`.
    Header,
    /// One session: `bytes[start..end]` exactly.
    Session(usize),
    /// Top-level members after the session array: `bytes[start..end]` with its first byte (`]`)
    /// replaced by `{` and the byte at `comma` (the `,` after `]`, if any) by a space. Always
    /// delivered once the array was streamed, even with no member after it.
    Trailer {
        /// Stream offset of the `,` that followed the array.
        comma: Option<u64>,
    },
    /// A document without a session array (or not an object): `bytes[start..end]` exactly.
    Whole,
}

/// A complete section found by [`Splitter::advance`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) part: Part,
    /// Stream offset of the first byte.
    pub(crate) start: u64,
    /// Stream offset one past the last byte taken from the stream.
    pub(crate) end: u64,
}

/// The section a failed [`Splitter::advance`] was inside of and had not delivered: the tokenizer
/// has not seen its bytes yet, so an earlier error in them is the stream's first error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pending {
    /// Session `index`, from its first byte.
    Session(usize),
    /// A document without a session array (or not an object), from its first byte.
    Whole,
    /// Top-level members, from the `{` (before the session array) or from the `]` (after it, with
    /// the `,` that followed the `]`, as in [`Part::Trailer`]).
    Members {
        /// Whether these are the members after the session array.
        trailer: bool,
        /// Stream offset of the `,` that followed the array.
        comma: Option<u64>,
    },
}

/// The outcome of one [`Splitter::advance`] call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// A section is complete.
    Section(Found),
    /// Every byte given was consumed; feed more (or signal the end).
    NeedMore,
    /// The document is complete and the input ended.
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the top-level value.
    Start,
    /// Inside a top-level value that is not an object.
    WholeValue,
    /// After `{` (`comma == false`) or after a `,` between members.
    BeforeKey { comma: bool },
    /// Inside a key string.
    Key,
    /// After a key: expect `:`.
    AfterKey,
    /// After `:`: expect a value.
    BeforeValue,
    /// Inside a member value (not the session array).
    MemberValue,
    /// After a member: expect `,` or `}`.
    AfterMember,
    /// In the session array, after `[` (`comma == false`) or a `,`.
    BeforeElement { comma: bool },
    /// Inside a session.
    Element,
    /// After a session: expect `,` or `]`.
    AfterElement,
    /// After the top-level value: only whitespace may follow.
    Done,
    /// An error was returned; the splitter is stuck.
    Failed,
}

/// How far the scan of the current value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueScan {
    /// In a session that is an object or array, indexed ahead of its tokenizer.
    Ahead,
    /// In an object or array.
    Container(Nest),
    /// In a string (`true`: the previous byte was an escaping backslash).
    Str(bool),
    /// In a number or literal.
    Scalar,
}

/// The splitter state. See the module docs.
#[derive(Debug)]
pub(crate) struct Splitter {
    nester: Nester,
    /// Indexes each session for its tokenizer while finding its end (see `arch::AheadIndexer`).
    ahead: AheadIndexer,
    /// The first byte of the session whose index `ahead` holds.
    ahead_start: Option<u64>,
    max: u64,
    state: State,
    /// The next byte to look at.
    pos: u64,
    /// Scan state of the value at `value_start`.
    scan: ValueScan,
    value_start: u64,
    /// Whether the key now being read (or just read) names a session array.
    key_start: u64,
    key_shape: Option<Shape>,
    /// The raw text of the key just read, when it names a session array (`key_shape`).
    key_raw: Vec<u8>,
    /// The JSON Pointer of the session array (`/value`, `/sessions`, with the key's escapes as in
    /// the input), once it was found.
    array_path: String,
    /// End of the last session when it was a number or literal: an error right there is still
    /// inside it (see `schema::locate`).
    last_scalar_end: Option<u64>,
    /// Set when `advance` fails outside an undelivered section: the error's JSON Pointer.
    failed_pointer: Option<String>,
    /// Start of the pending members (`{` before the array, `]` after it).
    region_start: u64,
    /// Number of complete members since `region_start`.
    region_members: usize,
    /// End of the last complete member.
    last_member_end: u64,
    /// After the array: the offset of the `,` that followed it.
    trailer_comma: Option<u64>,
    /// The shape, once the session array was found.
    shape: Option<Shape>,
    /// Stream offset of the session array's `[`, once found.
    array_open: u64,
    /// Index of the next session.
    index: usize,
    /// Set when `advance` fails: the undelivered section it was in and that section's first byte.
    failed_in: Option<(Pending, u64)>,
    /// Where a complete section over the limit ends (its bytes past that are not its own).
    oversize_end: std::cell::Cell<Option<u64>>,
    /// A document without a session array, complete, delivered once the input ends with nothing
    /// but whitespace after it (as the slice iterator checks the whole input before its events).
    whole: Option<Found>,
}

impl Splitter {
    pub(crate) fn new(max_session_bytes: usize, nester: Nester) -> Self {
        Splitter {
            nester,
            ahead: AheadIndexer::detected(),
            ahead_start: None,
            max: max_session_bytes as u64,
            state: State::Start,
            pos: 0,
            scan: ValueScan::Scalar,
            value_start: 0,
            key_start: 0,
            key_shape: None,
            key_raw: Vec::new(),
            array_path: String::new(),
            last_scalar_end: None,
            failed_pointer: None,
            region_start: 0,
            region_members: 0,
            last_member_end: 0,
            trailer_comma: None,
            shape: None,
            array_open: 0,
            index: 0,
            failed_in: None,
            oversize_end: std::cell::Cell::new(None),
            whole: None,
        }
    }

    /// The shape, once known.
    pub(crate) fn shape(&self) -> Option<Shape> {
        self.shape
    }

    /// Stream offset of the session array's `[`, once the header was delivered.
    pub(crate) fn array_open(&self) -> u64 {
        self.array_open
    }

    /// The stage-1 index of the session `found`, when it was built while finding its end.
    pub(crate) fn indexed(&mut self, found: &Found) -> Option<&mut Indexed> {
        let len = usize::try_from(found.end - found.start).ok()?;
        match found.part {
            Part::Session(_) if self.ahead_start == Some(found.start) => self.ahead.indexed(len),
            _ => None,
        }
    }

    /// The first stream offset the splitter still needs; bytes before it may be dropped.
    pub(crate) fn keep_from(&self) -> u64 {
        match self.state {
            State::Done => self.whole.map_or(self.pos, |w| w.start),
            State::Start | State::Failed => self.pos,
            State::WholeValue | State::Element => self.value_start,
            State::BeforeKey { .. }
            | State::Key
            | State::AfterKey
            | State::BeforeValue
            | State::MemberValue
            | State::AfterMember => self.region_start,
            State::BeforeElement { .. } | State::AfterElement => self.pos,
        }
    }

    /// Scans `window` (the bytes from stream offset `base`, which must hold every byte from
    /// [`Splitter::keep_from`] on) from where the last call stopped. `eof` says no byte follows the
    /// window.
    pub(crate) fn advance(&mut self, window: &[u8], base: u64, eof: bool) -> Result<Step, Error> {
        let r = self.run(window, base, eof);
        if let Err(e) = &r {
            self.failed_in = self.pending();
            if self.failed_in.is_none() {
                self.failed_pointer = Some(self.pointer_here(e.offset()));
            }
            self.state = State::Failed;
        }
        r
    }

    /// The JSON Pointer of an error at stream offset `at` raised outside any undelivered section
    /// (in the session array's punctuation, or before or after the top-level value), as
    /// `schema::locate` gives it for the whole input.
    #[cold]
    fn pointer_here(&self, at: u64) -> String {
        match self.state {
            State::BeforeElement { .. } | State::AfterElement => self.array_pointer_at(at),
            // Right after the array's `]`, before or after the top-level value, or at its end.
            _ => String::new(),
        }
    }

    /// The JSON Pointer of stream offset `at` between the session array's elements: the array, or
    /// the last session when it is a number or literal that ends at `at`.
    #[cold]
    pub(crate) fn array_pointer_at(&self, at: u64) -> String {
        match (self.last_scalar_end, self.index.checked_sub(1)) {
            (Some(end), Some(last)) if end == at => format!("{}/{last}", self.array_path),
            _ => self.array_path.clone(),
        }
    }

    /// The JSON Pointer of the session array (empty before it was found).
    pub(crate) fn array_path(&self) -> &str {
        &self.array_path
    }

    /// After `advance` failed outside an undelivered section: the error's JSON Pointer.
    pub(crate) fn failed_pointer(&self) -> Option<&str> {
        self.failed_pointer.as_deref()
    }

    /// After `advance` failed: the section it was inside of, not delivered, and its first byte.
    /// The window still holds that section's bytes (they are at or after [`Splitter::keep_from`]).
    pub(crate) fn failed_in(&self) -> Option<(Pending, u64)> {
        self.failed_in
    }

    /// Where the section over `max_session_bytes` that failed the scan ends, when its end was
    /// found; `None` when it was cut off at the limit.
    pub(crate) fn oversize_end(&self) -> Option<u64> {
        self.oversize_end.get()
    }

    /// The undelivered section the scan is inside of, if its bytes are not all checked by the
    /// splitter itself (the session array's punctuation is).
    fn pending(&self) -> Option<(Pending, u64)> {
        match self.state {
            State::WholeValue => Some((Pending::Whole, self.value_start)),
            State::Element => Some((Pending::Session(self.index), self.value_start)),
            // Right after the session array's `]`: nothing of the trailer to check yet (and the
            // trailer's text would show the tokenizer a `{` there, not the `]`).
            State::AfterMember if self.after_array() && self.region_members == 0 => None,
            State::BeforeKey { .. }
            | State::Key
            | State::AfterKey
            | State::BeforeValue
            | State::MemberValue
            | State::AfterMember => {
                let members = Pending::Members {
                    trailer: self.after_array(),
                    comma: self.trailer_comma,
                };
                Some((members, self.region_start))
            }
            State::Done => self.whole.map(|w| (Pending::Whole, w.start)),
            State::Start | State::BeforeElement { .. } | State::AfterElement | State::Failed => {
                None
            }
        }
    }

    fn run(&mut self, window: &[u8], base: u64, eof: bool) -> Result<Step, Error> {
        let end = base + window.len() as u64;
        let err = |kind: ErrorKind, at: u64| -> Error {
            Error::syntax(kind, window, (at - base) as usize).shifted(base)
        };
        // A byte the splitter rejects where it expects punctuation, reported as the tokenizer
        // reports it; a UTF-8 sequence the window cuts short waits for more input.
        let reject = |kind: ErrorKind, at: u64| -> Result<Step, Error> {
            match misplaced(window, (at - base) as usize, eof, kind) {
                Some(kind) => Err(err(kind, at)),
                None => Ok(Step::NeedMore),
            }
        };
        loop {
            if self.pos >= end {
                return self.at_end(window, base, end, eof);
            }
            let i = (self.pos - base) as usize;
            let b = window[i];
            match self.state {
                State::Start => {
                    if is_ws(b) {
                        self.pos = skip_ws(window, i, base);
                        continue;
                    }
                    self.value_start = self.pos;
                    if b == b'{' {
                        self.region_start = self.pos;
                        self.region_members = 0;
                        self.pos += 1;
                        self.state = State::BeforeKey { comma: false };
                    } else {
                        self.start_value(b);
                        self.state = State::WholeValue;
                    }
                }
                State::WholeValue | State::MemberValue | State::Element => {
                    let Some(done) = self.scan_value(window, base, eof) else {
                        return self.at_end(window, base, end, eof);
                    };
                    self.pos = done;
                    let size = done - self.value_start;
                    match self.state {
                        State::WholeValue => {
                            self.check_size(size, None)?;
                            self.state = State::Done;
                            self.whole = Some(Found {
                                part: Part::Whole,
                                start: self.value_start,
                                end: done,
                            });
                        }
                        State::Element => {
                            self.check_size(size, Some(self.index))?;
                            self.last_scalar_end =
                                matches!(self.scan, ValueScan::Scalar).then_some(done);
                            let index = self.index;
                            self.index += 1;
                            self.state = State::AfterElement;
                            return Ok(Step::Section(Found {
                                part: Part::Session(index),
                                start: self.value_start,
                                end: done,
                            }));
                        }
                        _ => {
                            self.region_members += 1;
                            self.last_member_end = done;
                            self.check_size(done - self.region_start, None)?;
                            self.state = State::AfterMember;
                        }
                    }
                }
                State::BeforeKey { comma } => {
                    if is_ws(b) {
                        self.pos = skip_ws(window, i, base);
                        continue;
                    }
                    match b {
                        b'"' => {
                            self.key_start = self.pos;
                            self.scan = ValueScan::Str(false);
                            self.pos += 1;
                            self.state = State::Key;
                        }
                        b'}' if !comma => {
                            if let Some(step) = self.end_object()? {
                                return Ok(step);
                            }
                        }
                        b'}' => return Err(err(ErrorKind::TrailingComma, self.pos)),
                        _ => return reject(ErrorKind::ExpectedKey, self.pos),
                    }
                }
                State::Key => {
                    let ValueScan::Str(mut escaped) = self.scan else {
                        return Err(err(ErrorKind::ExpectedKey, self.key_start));
                    };
                    match find_string_end(&window[i..], &mut escaped) {
                        Some(k) => {
                            let close = i + k;
                            let raw = &window[(self.key_start - base) as usize + 1..close];
                            self.key_shape = if self.shape.is_none() {
                                key_shape(raw)
                            } else {
                                None
                            };
                            if self.key_shape.is_some() {
                                self.key_raw.clear();
                                self.key_raw.extend_from_slice(raw);
                            }
                            self.pos = base + close as u64 + 1;
                            self.state = State::AfterKey;
                        }
                        None => {
                            self.scan = ValueScan::Str(escaped);
                            self.pos = end;
                        }
                    }
                }
                State::AfterKey => {
                    if is_ws(b) {
                        self.pos = skip_ws(window, i, base);
                        continue;
                    }
                    if b != b':' {
                        return reject(ErrorKind::ExpectedColon, self.pos);
                    }
                    self.pos += 1;
                    self.state = State::BeforeValue;
                }
                State::BeforeValue => {
                    if is_ws(b) {
                        self.pos = skip_ws(window, i, base);
                        continue;
                    }
                    if let (b'[', Some(shape)) = (b, self.key_shape) {
                        if !self.after_array() {
                            // The session array: deliver the members before it as the header.
                            self.shape = Some(shape);
                            self.array_path = array_pointer(&self.key_raw);
                            let header_end = if self.region_members == 0 {
                                self.region_start + 1
                            } else {
                                self.last_member_end
                            };
                            self.array_open = self.pos;
                            self.pos += 1;
                            self.state = State::BeforeElement { comma: false };
                            return Ok(Step::Section(Found {
                                part: Part::Header,
                                start: self.region_start,
                                end: header_end,
                            }));
                        }
                    }
                    if matches!(b, b']' | b'}' | b',' | b':') {
                        return Err(err(ErrorKind::ExpectedValue, self.pos));
                    }
                    self.value_start = self.pos;
                    self.start_value(b);
                    self.state = State::MemberValue;
                }
                State::AfterMember => {
                    if is_ws(b) {
                        self.pos = skip_ws(window, i, base);
                        continue;
                    }
                    match b {
                        b',' => {
                            if self.after_array() && self.trailer_comma.is_none() {
                                self.trailer_comma = Some(self.pos);
                            }
                            self.pos += 1;
                            self.state = State::BeforeKey { comma: true };
                        }
                        b'}' => {
                            if let Some(step) = self.end_object()? {
                                return Ok(step);
                            }
                        }
                        _ => return reject(ErrorKind::ExpectedObjectCommaOrEnd, self.pos),
                    }
                }
                State::BeforeElement { comma } => {
                    if is_ws(b) {
                        self.pos = skip_ws(window, i, base);
                        continue;
                    }
                    match b {
                        b']' if !comma => self.end_array(),
                        // As the tokenizer has it: a closing bracket right after a comma.
                        b']' | b'}' if comma => {
                            return Err(err(ErrorKind::TrailingComma, self.pos))
                        }
                        b'}' | b',' | b':' => return Err(err(ErrorKind::ExpectedValue, self.pos)),
                        _ => {
                            self.value_start = self.pos;
                            self.start_value(b);
                            if let ValueScan::Container(_) = self.scan {
                                self.scan = ValueScan::Ahead;
                                self.ahead.begin();
                                self.ahead_start = Some(self.value_start);
                            }
                            self.state = State::Element;
                        }
                    }
                }
                State::AfterElement => {
                    if is_ws(b) {
                        self.pos = skip_ws(window, i, base);
                        continue;
                    }
                    match b {
                        b',' => {
                            self.pos += 1;
                            self.state = State::BeforeElement { comma: true };
                        }
                        b']' => self.end_array(),
                        _ => return reject(ErrorKind::ExpectedArrayCommaOrEnd, self.pos),
                    }
                }
                State::Done => {
                    if is_ws(b) {
                        self.pos = skip_ws(window, i, base);
                        continue;
                    }
                    return reject(ErrorKind::TrailingCharacters, self.pos);
                }
                State::Failed => {
                    return Err(Error::at(ErrorKind::ExpectedValue, self.pos)
                        .with_detail("the stream already failed with an earlier error"));
                }
            }
        }
    }

    /// True once the session array was closed (the pending members are the trailer).
    fn after_array(&self) -> bool {
        self.shape.is_some()
    }

    fn end_array(&mut self) {
        // The trailer region starts at `]`.
        self.region_start = self.pos;
        self.region_members = 0;
        self.pos += 1;
        self.state = State::AfterMember;
    }

    /// At the top-level `}`: the trailer; or, for a document without a session array, nothing yet
    /// (it is delivered at the end of the input, see `whole`).
    fn end_object(&mut self) -> Result<Option<Step>, Error> {
        let close = self.pos;
        self.pos += 1;
        self.state = State::Done;
        if self.shape.is_none() {
            self.check_size(self.pos - self.region_start, None)?;
            self.whole = Some(Found {
                part: Part::Whole,
                start: self.region_start,
                end: self.pos,
            });
            return Ok(None);
        }
        Ok(Some(Step::Section(Found {
            part: Part::Trailer {
                comma: self.trailer_comma,
            },
            start: self.region_start,
            end: close + 1,
        })))
    }

    /// Begins scanning a value whose first byte `b` is at `self.pos`.
    fn start_value(&mut self, b: u8) {
        self.ahead_start = None;
        self.scan = match b {
            b'{' | b'[' => ValueScan::Container(Nest::opened()),
            b'"' => ValueScan::Str(false),
            _ => ValueScan::Scalar,
        };
        if !matches!(self.scan, ValueScan::Scalar) {
            self.pos += 1;
        }
    }

    /// Continues the value scan from `self.pos`. Returns the offset one past the value when it is
    /// complete; `None` when the window ran out (the state is saved, `pos` is at the window's end).
    fn scan_value(&mut self, window: &[u8], base: u64, eof: bool) -> Option<u64> {
        let i = (self.pos - base) as usize;
        let rest = &window[i..];
        match &mut self.scan {
            ValueScan::Ahead => {
                let from = (self.value_start - base) as usize;
                match self.ahead.advance(&window[from..]) {
                    Ahead::Closed(len) => Some(self.value_start + len as u64),
                    Ahead::Open => {
                        self.pos = end_of(window, base);
                        None
                    }
                    Ahead::Handoff { at, nest } => {
                        // Too long to index ahead: its tokenizer indexes it as it goes.
                        self.ahead_start = None;
                        self.scan = ValueScan::Container(nest);
                        self.pos = self.value_start + at as u64;
                        self.scan_value(window, base, eof)
                    }
                }
            }
            ValueScan::Container(nest) => match self.nester.find_close(rest, nest) {
                Some(k) => Some(self.pos + k as u64 + 1),
                None => {
                    self.pos += rest.len() as u64;
                    None
                }
            },
            ValueScan::Str(escaped) => match find_string_end(rest, escaped) {
                Some(k) => Some(self.pos + k as u64 + 1),
                None => {
                    self.pos += rest.len() as u64;
                    None
                }
            },
            ValueScan::Scalar => {
                // A scalar's first byte never ends it (a stray `]` is a one-byte "scalar" that the
                // tokenizer then rejects where it stands).
                let from = usize::from(self.pos == self.value_start).min(rest.len());
                match rest[from..].iter().position(|&b| ends_scalar(b)) {
                    Some(k) => Some(self.pos + (from + k) as u64),
                    None if eof => Some(self.pos + rest.len() as u64),
                    None => {
                        self.pos += rest.len() as u64;
                        None
                    }
                }
            }
        }
    }

    fn check_size(&self, size: u64, index: Option<usize>) -> Result<(), Error> {
        if size <= self.max {
            return Ok(());
        }
        Err(self.too_large(size, index, true))
    }

    #[cold]
    fn too_large(&self, size: u64, index: Option<usize>, complete: bool) -> Error {
        let what = match index {
            Some(i) => format!("session {i} is"),
            None if self.shape.is_some() => {
                "the top-level members after the session array are".into()
            }
            // `end_object` of a document without a session array.
            None if matches!(self.state, State::Done) => {
                "the document, which has no session array, is".into()
            }
            None if matches!(self.state, State::WholeValue) => "the top-level value is".into(),
            None => "the top-level members before any session array are".into(),
        };
        if complete {
            self.oversize_end.set(Some(self.keep_from() + size));
        }
        let size = if complete {
            format!("{size} bytes")
        } else {
            format!("at least {size} bytes so far")
        };
        // The section that is too large: the session, or the top-level members.
        let path = match index {
            Some(i) => format!("{}/{i}", self.array_path),
            None => String::new(),
        };
        Error::at(ErrorKind::SessionTooLarge, self.keep_from())
            .with_detail(format!(
                "{what} {size}, over max_session_bytes = {}",
                self.max
            ))
            .with_path(path)
    }

    /// The window is exhausted: ask for more, or finish at the end of the input.
    fn at_end(&mut self, window: &[u8], base: u64, end: u64, eof: bool) -> Result<Step, Error> {
        let _ = window;
        // Bound what an unfinished section holds.
        let held = end - self.keep_from();
        if held > self.max {
            let index = matches!(self.state, State::Element).then_some(self.index);
            return Err(self.too_large(held, index, false));
        }
        if !eof {
            return Ok(Step::NeedMore);
        }
        match self.state {
            State::Done => Ok(self.whole.take().map_or(Step::End, Step::Section)),
            State::WholeValue | State::MemberValue | State::Element
                if matches!(self.scan, ValueScan::Scalar) =>
            {
                // A scalar ends at the end of the input: finish it, then see what follows.
                let _ = base;
                self.run_scalar_at_eof(end)
            }
            _ => Err(Error::at(ErrorKind::Eof, end).with_detail(self.eof_detail())),
        }
    }

    fn run_scalar_at_eof(&mut self, end: u64) -> Result<Step, Error> {
        let start = self.value_start;
        self.pos = end;
        match self.state {
            State::WholeValue => {
                self.check_size(end - start, None)?;
                self.state = State::Done;
                Ok(Step::Section(Found {
                    part: Part::Whole,
                    start,
                    end,
                }))
            }
            State::Element => {
                self.check_size(end - start, Some(self.index))?;
                self.last_scalar_end = Some(end);
                let index = self.index;
                self.index += 1;
                self.state = State::AfterElement;
                Ok(Step::Section(Found {
                    part: Part::Session(index),
                    start,
                    end,
                }))
            }
            _ => {
                self.region_members += 1;
                self.last_member_end = end;
                self.state = State::AfterMember;
                Err(Error::at(ErrorKind::Eof, end).with_detail(self.eof_detail()))
            }
        }
    }

    #[cold]
    fn eof_detail(&self) -> String {
        match self.state {
            State::Start => "the input is empty".into(),
            State::Element => format!("the input ended inside session {}", self.index),
            State::BeforeElement { .. } | State::AfterElement => {
                format!(
                    "the input ended in the session array after {} sessions",
                    self.index
                )
            }
            // A top-level object is scanned member by member, so a container here is an array.
            State::WholeValue => match self.scan {
                ValueScan::Container(_) => "the input ended inside the top-level array".into(),
                ValueScan::Str(_) => "the input ended inside the top-level string".into(),
                _ => "the input ended inside the top-level value".into(),
            },
            _ => "the input ended inside the top-level object".into(),
        }
    }
}

/// The error for byte `i` of `window`, rejected where punctuation (`kind`) was expected. The
/// tokenizer validates UTF-8 before the grammar, so a byte that begins an invalid UTF-8 sequence
/// is [`ErrorKind::InvalidUtf8`]; a valid character is `kind`, and so is a character the input
/// ends inside of (at `eof`: the input was cut short, which stage 1 leaves to the grammar).
/// `None` when the window ends inside the sequence before `eof`: the next bytes decide.
fn misplaced(window: &[u8], i: usize, eof: bool, kind: ErrorKind) -> Option<ErrorKind> {
    let seq = window.get(i..window.len().min(i.saturating_add(4)))?;
    if seq.first().is_some_and(u8::is_ascii) {
        return Some(kind);
    }
    match core::str::from_utf8(seq) {
        Ok(_) => Some(kind),
        Err(e) if e.valid_up_to() > 0 => Some(kind),
        Err(e) if e.error_len().is_some() => Some(ErrorKind::InvalidUtf8),
        Err(_) if eof => Some(kind),
        Err(_) => None,
    }
}

/// The stream offset one past the window.
fn end_of(window: &[u8], base: u64) -> u64 {
    base + window.len() as u64
}

fn skip_ws(window: &[u8], mut i: usize, base: u64) -> u64 {
    while i < window.len() && is_ws(window[i]) {
        i += 1;
    }
    base + i as u64
}

/// The JSON Pointer of the top-level member whose raw key (between the quotes) is `raw`.
fn array_pointer(raw: &[u8]) -> String {
    let mut path = String::from("/");
    let _ = crate::schema::path_token(&mut path, raw);
    path
}

/// Whether a raw key (between the quotes, escapes undecoded) is `value` or `sessions`.
fn key_shape(raw: &[u8]) -> Option<Shape> {
    // A key that decodes to more than 8 bytes (or has an invalid escape) is neither.
    let mut buf = [0u8; 8];
    let key: &[u8] = if raw.contains(&b'\\') {
        crate::schema::keys::unescape_small(raw, &mut buf)?
    } else {
        raw
    };
    match key {
        b"value" => Some(Shape::SessionsPage),
        b"sessions" => Some(Shape::CallRecord),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_end() {
        let mut e = false;
        assert_eq!(find_string_end(br#"ab\"c"x"#, &mut e), Some(5));
        assert_eq!(find_string_end(br#"ab\"#, &mut e), None);
        assert!(e);
        assert_eq!(find_string_end(br#""x""#, &mut e), Some(2));
        assert!(!e);
        assert_eq!(find_string_end(br#"\\"#, &mut e), None);
        assert!(!e);
    }

    #[test]
    fn keys() {
        assert_eq!(key_shape(b"value"), Some(Shape::SessionsPage));
        assert_eq!(key_shape(b"sessions"), Some(Shape::CallRecord));
        assert_eq!(key_shape(br"v\u0061lue"), Some(Shape::SessionsPage));
        assert_eq!(key_shape(br"se\u0073sions"), Some(Shape::CallRecord));
        assert_eq!(key_shape(br"sessions\u0020"), None);
        assert_eq!(key_shape(b"values"), None);
        assert_eq!(key_shape(br"v\x"), None);
    }
}
