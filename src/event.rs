//! The public event iterator over a callRecords document.

use core::mem;

use crate::error::{Error, ErrorKind};
use crate::schema::{
    locate, parse_call_record_element, parse_session, top_begin, top_decide, top_keys, Acc,
    Annotation, CallRecord, Cx, FieldErrors, FieldPath, Media, MediaStream, PageInfo, Path, Root,
    Segment, Session, Shape, Top, TopStop, Undeclared,
};
use crate::tokenizer::{Scratch, Tokenizer, DEFAULT_DEPTH_LIMIT};

/// One event of a callRecords document.
///
/// Order, whatever the key order of the input:
/// 1. [`Event::Page`] (callRecords-shaped documents only);
/// 2. [`Event::CallRecord`] (callRecord documents; on a callRecords list page, one per element,
///    each followed by its sessions' events and its own annotations);
/// 3. per session: [`Event::Session`], then per segment [`Event::Segment`], per media
///    [`Event::Media`], per stream [`Event::Stream`] (pre-order), then the annotations and
///    undeclared keys met inside that session;
/// 4. the top-level annotations ([`Event::Annotation`]: `@odata.nextLink`,
///    `sessions@odata.nextLink`, `participants_v2@odata.nextLink`, …) and top-level undeclared keys,
///    in input order.
///
/// An element of `value`, `sessions`, `segments`, `media` or `streams` that is `null` yields no
/// record; one of another non-object type is a value error on the parent record (for a session
/// element, an error in strict mode and nothing in lenient mode). Paths keep the element's index
/// in the input array either way.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(
    feature = "serde",
    serde(tag = "event", content = "record", rename_all = "camelCase")
)]
pub enum Event<'a> {
    /// Page information: the shape, `@odata.context` and the callRecord id taken from it.
    Page(PageInfo<'a>),
    /// The callRecord header of a callRecord document.
    CallRecord(CallRecord<'a>),
    /// A session.
    Session(Session<'a>),
    /// A segment, with its session's id.
    Segment(Segment<'a>),
    /// A media, with its session's and segment's ids.
    Media(Media<'a>),
    /// A media stream, with its session's and segment's ids and its media's label.
    Stream(MediaStream<'a>),
    /// An instance annotation (`@odata.nextLink`, `X@odata.count`, …) with its scope.
    Annotation(Annotation<'a>),
    /// An undeclared key (only with [`Options::report_undeclared`]).
    Undeclared(Undeclared<'a>),
}

impl<'a> Event<'a> {
    /// The value errors kept on the event's record (lenient mode): `Some` for the callRecord
    /// header, sessions, segments, media and streams, `None` for the other events.
    ///
    /// ```
    /// let doc = br#"{"value": [{"id": "s1", "segments": [{"startDateTime": "yesterday"}]}]}"#;
    /// let bad: u32 = callrecords::events(doc)
    ///     .filter_map(Result::ok)
    ///     .filter_map(|e| e.field_errors().map(|f| f.total()))
    ///     .sum();
    /// assert_eq!(bad, 1);
    /// ```
    pub fn field_errors(&self) -> Option<&FieldErrors<'a>> {
        match self {
            Event::CallRecord(r) => Some(&r.errors),
            Event::Session(r) => Some(&r.errors),
            Event::Segment(r) => Some(&r.errors),
            Event::Media(r) => Some(&r.errors),
            Event::Stream(r) => Some(&r.errors),
            Event::Page(_) | Event::Annotation(_) | Event::Undeclared(_) => None,
        }
    }
}

/// Parsing options. Build with [`Options::default`] and the builder methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Value errors (bad duration, out-of-range integer, wrong JSON type for a known field) are
    /// errors instead of being recorded on the record; a valid JSON document that is not
    /// callRecords-shaped is an [`ErrorKind::NotCallRecords`] error.
    pub strict: bool,
    /// Maximum nesting depth of the document (default 128).
    pub depth_limit: usize,
    /// Report undeclared keys as [`Event::Undeclared`] events.
    pub report_undeclared: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            strict: false,
            depth_limit: DEFAULT_DEPTH_LIMIT,
            report_undeclared: false,
        }
    }
}

impl Options {
    /// Sets [`Options::strict`].
    pub fn strict(mut self, on: bool) -> Self {
        self.strict = on;
        self
    }

    /// Sets [`Options::depth_limit`].
    pub fn depth_limit(mut self, limit: usize) -> Self {
        self.depth_limit = limit;
        self
    }

    /// Sets [`Options::report_undeclared`].
    pub fn report_undeclared(mut self, on: bool) -> Self {
        self.report_undeclared = on;
        self
    }
}

/// The events of `bytes`, with default options. See [`Event`] for the order.
///
/// ```
/// let doc = br#"{"value": [{"id": "s1", "segments": [{"id": "g1",
///     "media": [{"label": "main-audio", "streams": [{"averageJitter": "PT0.016S"}]}]}]}]}"#;
/// for event in callrecords::events(doc) {
///     if let callrecords::Event::Stream(s) = event? {
///         assert_eq!(s.session_id.map(|i| i.raw()), Some(&b"s1"[..]));
///         assert_eq!(s.average_jitter.map(|d| d.as_nanos()), Some(16_000_000));
///     }
/// }
/// # Ok::<(), callrecords::Error>(())
/// ```
pub fn events(bytes: &[u8]) -> Events<'_> {
    Events::with_options(bytes, Options::default())
}

#[allow(clippy::large_enum_variant)] // reason: one per iterator, never moved in the hot loop
enum State<'a> {
    Start,
    Sessions {
        cx: Cx<'a>,
        base: u64,
        root: Root,
        /// Parsing `value` in place with the document's own cursor (no pre-scan).
        inline: bool,
    },
    Trailer,
    Done,
}

/// The buffers an [`Events`] iterator reuses; kept by a [`Parser`] between documents.
#[derive(Default)]
struct Buffers<'a> {
    scratch: Option<Scratch>,
    buf: Vec<Event<'a>>,
    trailer: Vec<Event<'a>>,
    tail: Vec<Event<'a>>,
}

/// Reuses an empty vector's allocation for another lifetime (in-place collection of an empty
/// iterator keeps the buffer).
fn recycle<'x, 'y>(mut v: Vec<Event<'x>>) -> Vec<Event<'y>> {
    v.clear();
    #[allow(clippy::unnecessary_filter_map)] // reason: changes the item type, keeping the buffer
    let v = v.into_iter().filter_map(|_| None).collect();
    v
}

/// The iterator of [`Event`]s over a document in memory.
///
/// A syntax error ends the iteration: the error is returned once, then `None`. Lenient value
/// errors are kept on the records ([`crate::schema::FieldErrors`]).
///
/// Page info and the callRecord header must precede the sessions even when `"value"` or
/// `"sessions"` comes first in the input. Two paths:
/// - a sessions page whose `@odata.context` precedes `value` (Graph's own order) is parsed in one
///   pass: the sessions are parsed in place, then the rest of the top-level object;
/// - otherwise (callRecord documents, or `value` before the context) the top-level object is
///   pre-scanned first (page info, header fields, annotations) while the sessions array is
///   skipped, validated, and its text recorded; the array is then parsed from that text. A
///   syntax error after the array is then reported before any session event (in strict mode,
///   unless a session before it has a value error: errors come in input order). This path walks
///   the sessions' bytes twice.
///
/// A duplicate `value` key met after the first one was parsed in place is skipped.
pub struct Events<'a> {
    input: &'a [u8],
    opts: Options,
    state: State<'a>,
    bufs: Buffers<'a>,
    pos: usize,
    shape: Option<Shape>,
    next_session: u32,
    top: Top<'a>,
}

impl<'a> Events<'a> {
    /// The events of `bytes` with `options`.
    pub fn with_options(bytes: &'a [u8], options: Options) -> Self {
        Self::with_buffers(bytes, options, Buffers::default())
    }

    fn with_buffers(bytes: &'a [u8], options: Options, bufs: Buffers<'a>) -> Self {
        Events {
            input: bytes,
            opts: options,
            state: State::Start,
            bufs,
            pos: 0,
            shape: None,
            next_session: 0,
            top: Top::default(),
        }
    }

    /// The document's shape, known once the first event (or error) was returned.
    pub fn shape(&self) -> Option<Shape> {
        self.shape
    }

    fn take_buffers(&mut self) -> Buffers<'a> {
        if let State::Sessions { cx, .. } = mem::replace(&mut self.state, State::Done) {
            self.put_back(cx);
        }
        mem::take(&mut self.bufs)
    }

    fn start(&mut self) -> Result<(), Error> {
        let scratch = self.bufs.scratch.take().unwrap_or_default();
        let tok = Tokenizer::with_scratch(self.input, scratch, self.opts.depth_limit);
        let mut tail = mem::take(&mut self.bufs.tail);
        tail.clear();
        let mut cx = Cx::new(
            tok,
            self.input,
            0,
            self.opts.strict,
            self.opts.report_undeclared,
            tail,
        );
        let top = &mut self.top;
        let res = (|| {
            if !top_begin(&mut cx)? {
                return Ok(TopStop::End);
            }
            top_keys(&mut cx, top, true)
        })();
        self.bufs.trailer.clear();
        match res {
            Ok(stop @ (TopStop::InlineValue | TopStop::InlineSessions)) => {
                // Single pass: the page info (and the callRecord header) is complete and the
                // cursor is inside the session array.
                self.shape = Some(self.top.shape);
                self.bufs.buf.push(Event::Page(self.top.page));
                let root = if stop == TopStop::InlineSessions {
                    self.bufs.buf.push(Event::CallRecord(self.top.header));
                    Root::Sessions
                } else {
                    Root::Value
                };
                // Top-level annotations seen so far are emitted last.
                self.bufs.trailer.append(&mut cx.tail);
                self.state = State::Sessions {
                    cx,
                    base: 0,
                    root,
                    inline: true,
                };
                return Ok(());
            }
            Ok(TopStop::End) => {}
            Err(e) => {
                self.put_back(cx);
                return Err(self.earlier_value_error(e));
            }
        }
        if let Err(e) = cx.tok.finish() {
            self.put_back(cx);
            return Err(self.earlier_value_error(e));
        }
        // The top-level annotations and undeclared keys are emitted last.
        self.bufs.trailer.append(&mut cx.tail);
        self.put_back(cx);
        top_decide(&mut self.top);
        let top = &self.top;
        self.shape = Some(top.shape);
        match top.shape {
            Shape::Other => {
                self.bufs.trailer.clear();
                self.state = State::Done;
                if self.opts.strict {
                    return Err(Error::at(ErrorKind::NotCallRecords, 0));
                }
                return Ok(());
            }
            Shape::SessionsPage | Shape::CallRecordsPage => {
                self.bufs.buf.push(Event::Page(top.page))
            }
            Shape::CallRecord => {
                self.bufs.buf.push(Event::Page(top.page));
                self.bufs.buf.push(Event::CallRecord(top.header));
            }
        }
        let Some((root, arr)) = top.sessions else {
            self.state = State::Trailer;
            return Ok(());
        };
        // Parse the recorded sessions array with a cursor over its text.
        let base = (arr.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize) as u64;
        let scratch = self.bufs.scratch.take().unwrap_or_default();
        // The array sits inside the top-level object: one level less to go.
        let depth = self.opts.depth_limit.saturating_sub(1);
        let tok = Tokenizer::with_scratch(arr, scratch, depth);
        let mut tail = mem::take(&mut self.bufs.tail);
        tail.clear();
        let mut cx = Cx::new(
            tok,
            arr,
            base,
            self.opts.strict,
            self.opts.report_undeclared,
            tail,
        );
        if let Err(e) = cx.tok.begin_array() {
            self.put_back(cx);
            self.state = State::Done;
            return Err(fix_offset(e, base));
        }
        self.state = State::Sessions {
            cx,
            base,
            root,
            inline: false,
        };
        Ok(())
    }

    /// Strict mode, pre-scan path: the pre-scan checks a session array's syntax before any of its
    /// sessions is parsed, so the syntax error `e` may come after a value error in an earlier
    /// session. Errors are reported in input order (as the streaming reader does), so the
    /// sessions before `e` are parsed for one.
    #[cold]
    #[inline(never)]
    fn earlier_value_error(&mut self, e: Error) -> Error {
        let Some((root, start, list)) = self.top.first_array else {
            return e;
        };
        if !self.opts.strict || e.is_value() || start >= e.offset() {
            return e;
        }
        let Some(arr) = usize::try_from(start)
            .ok()
            .and_then(|s| self.input.get(s..))
        else {
            return e;
        };
        let scratch = self.bufs.scratch.take().unwrap_or_default();
        let depth = self.opts.depth_limit.saturating_sub(1);
        let tok = Tokenizer::with_scratch(arr, scratch, depth);
        let tail = mem::take(&mut self.bufs.tail);
        let mut cx = Cx::new(tok, arr, start, true, false, tail);
        let mut buf = mem::take(&mut self.bufs.buf);
        let found: Result<(), Error> = (|| {
            cx.tok.begin_array()?;
            let mut index = 0u32;
            let mut dummy = Acc::new(Path::document());
            while cx.tok.next_element()? {
                if list {
                    parse_call_record_element(&mut cx, &mut dummy, index, &mut buf)?;
                } else {
                    let field = FieldPath::new().with(match root {
                        Root::Sessions => "sessions",
                        _ => "value",
                    });
                    let at = Path::session(root, index);
                    parse_session(&mut cx, &mut dummy, field, at, &mut buf)?;
                }
                index = index.saturating_add(1);
            }
            Ok(())
        })();
        buf.clear();
        self.bufs.buf = buf;
        self.put_back(cx);
        match found {
            Err(v) if v.is_value() && v.offset() < e.offset() => v,
            _ => e,
        }
    }

    /// Returns a cursor's buffers.
    fn put_back(&mut self, cx: Cx<'a>) {
        let Cx { tok, mut tail, .. } = cx;
        self.bufs.scratch = Some(tok.into_scratch());
        tail.clear();
        self.bufs.tail = tail;
    }

    fn step(&mut self) -> Result<(), Error> {
        match &mut self.state {
            State::Start => self.start(),
            State::Sessions {
                cx,
                base,
                root,
                inline,
            } => {
                let (base, inline) = (*base, *inline);
                let list = self.shape == Some(Shape::CallRecordsPage);
                let top = &mut self.top;
                let trailer = &mut self.bufs.trailer;
                let r = (|| {
                    if cx.tok.next_element()? {
                        let index = self.next_session;
                        self.next_session = self.next_session.saturating_add(1);
                        let mut dummy = Acc::new(Path::document());
                        if list {
                            parse_call_record_element(cx, &mut dummy, index, &mut self.bufs.buf)?;
                            return Ok(true);
                        }
                        let at = Path::session(*root, index);
                        let field = FieldPath::new().with(match root {
                            Root::Value => "value",
                            _ => "sessions",
                        });
                        parse_session(cx, &mut dummy, field, at, &mut self.bufs.buf)?;
                        return Ok(true);
                    }
                    if inline {
                        // The rest of the top-level object.
                        cx.tail.clear();
                        top_keys(cx, top, false)?;
                        trailer.append(&mut cx.tail);
                    }
                    cx.tok.finish()?;
                    Ok(false)
                })();
                match r {
                    Ok(true) => Ok(()),
                    Ok(false) => {
                        if let State::Sessions { cx, .. } =
                            mem::replace(&mut self.state, State::Trailer)
                        {
                            self.put_back(cx);
                        }
                        Ok(())
                    }
                    Err(e) => {
                        if let State::Sessions { cx, .. } =
                            mem::replace(&mut self.state, State::Done)
                        {
                            self.put_back(cx);
                        }
                        Err(fix_offset(e, base))
                    }
                }
            }
            State::Trailer => {
                // Copied, not swapped, so that each buffer keeps its own capacity for reuse.
                self.bufs.buf.extend_from_slice(&self.bufs.trailer);
                self.bufs.trailer.clear();
                self.state = State::Done;
                Ok(())
            }
            State::Done => Ok(()),
        }
    }
}

/// Tokenizer errors of a sub-slice are relative to it; value errors already carry absolute
/// offsets.
fn fix_offset(e: Error, base: u64) -> Error {
    if e.is_value() {
        e
    } else {
        e.shifted(base)
    }
}

impl<'a> Iterator for Events<'a> {
    type Item = Result<Event<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(e) = self.bufs.buf.get(self.pos) {
                self.pos += 1;
                return Some(Ok(*e));
            }
            if matches!(self.state, State::Done) {
                return None;
            }
            self.bufs.buf.clear();
            self.pos = 0;
            if let Err(e) = self.step() {
                self.state = State::Done;
                self.bufs.buf.clear();
                return Some(Err(locate::with_pointer(self.input, e)));
            }
        }
    }
}

impl core::fmt::Debug for Events<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Events")
            .field("len", &self.input.len())
            .field("options", &self.opts)
            .field("shape", &self.shape)
            .finish()
    }
}

/// A reusable parser: keeps the tokenizer's buffers and the event buffers between documents, so
/// parsing another document of a similar size makes no new allocations.
///
/// ```
/// let mut parser = callrecords::Parser::new();
/// for doc in [&br#"{"value": []}"#[..], br#"{"id": "c1", "sessions": []}"#] {
///     for event in parser.events(doc) {
///         event?;
///     }
/// }
/// # Ok::<(), callrecords::Error>(())
/// ```
#[derive(Default)]
pub struct Parser {
    options: Options,
    bufs: Buffers<'static>,
}

impl core::fmt::Debug for Parser {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Parser")
            .field("options", &self.options)
            .finish()
    }
}

impl Parser {
    /// A parser with default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser with `options`.
    pub fn with_options(options: Options) -> Self {
        Parser {
            options,
            bufs: Buffers::default(),
        }
    }

    /// The events of `bytes`. The buffers return to the parser when the iterator is dropped.
    pub fn events<'p, 'a>(&'p mut self, bytes: &'a [u8]) -> ParserEvents<'p, 'a> {
        let b = mem::take(&mut self.bufs);
        let bufs = Buffers {
            scratch: b.scratch,
            buf: recycle(b.buf),
            trailer: recycle(b.trailer),
            tail: recycle(b.tail),
        };
        ParserEvents {
            events: Events::with_buffers(bytes, self.options, bufs),
            parser: self,
        }
    }
}

/// The events of one document parsed with a [`Parser`]; see [`Events`].
pub struct ParserEvents<'p, 'a> {
    events: Events<'a>,
    parser: &'p mut Parser,
}

impl<'a> ParserEvents<'_, 'a> {
    /// The document's shape, known once the first event (or error) was returned.
    pub fn shape(&self) -> Option<Shape> {
        self.events.shape()
    }
}

impl<'a> Iterator for ParserEvents<'_, 'a> {
    type Item = Result<Event<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.events.next()
    }
}

impl Drop for ParserEvents<'_, '_> {
    fn drop(&mut self) {
        let b = self.events.take_buffers();
        self.parser.bufs = Buffers {
            scratch: b.scratch,
            buf: recycle(b.buf),
            trailer: recycle(b.trailer),
            tail: recycle(b.tail),
        };
    }
}

impl core::fmt::Debug for ParserEvents<'_, '_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.events.fmt(f)
    }
}

/// Parses exactly one session value (the whole input of `tok`, found at absolute offset `base`
/// of the whole stream) into `buf`: the session, its segments, media and streams in pre-order,
/// then the annotations and undeclared keys met inside it. For the streaming reader.
///
/// `tail` is a reusable side buffer. Returns `Ok(false)` when the value is `null` or not an object
/// (strict: a value error), and the tokenizer, for its buffers. Error offsets are absolute.
pub(crate) fn parse_one_session<'a>(
    tok: Tokenizer<'a>,
    base: u64,
    at: Path,
    options: &Options,
    buf: &mut Vec<Event<'a>>,
    tail: &mut Vec<Event<'a>>,
) -> (Result<bool, Error>, Tokenizer<'a>) {
    let bytes = tok.input();
    let mut cx = Cx::new(
        tok,
        bytes,
        base,
        options.strict,
        options.report_undeclared,
        mem::take(tail),
    );
    let mut dummy = Acc::new(Path::document());
    let field = FieldPath::new().with(match at.root() {
        Root::Value => "value",
        _ => "sessions",
    });
    let r = parse_session(&mut cx, &mut dummy, field, at, buf).and_then(|ok| {
        cx.tok.finish()?;
        Ok(ok)
    });
    let Cx { tok, tail: t, .. } = cx;
    *tail = t;
    (r.map_err(|e| fix_offset(e, base)), tok)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)] // reason: test failures should panic

    use super::*;

    #[test]
    fn one_session_entry_matches_the_slice_iterator() {
        let doc = br#"{"value":[{"id":"a"},{"segments":[{"media":[{"label":"m","streams":[{"maxJitter":"PT1S"}]}],"id":"g"}],"segments@odata.context":"c","id":"b"}]}"#;
        let whole: Vec<_> = events(doc).collect::<Result<_, _>>().unwrap();
        // The second session's text, at its absolute offset.
        let start = doc.windows(2).rposition(|w| w == b",{").unwrap() + 1;
        let end = doc.len() - 2;
        let mut buf = Vec::new();
        let mut tail = Vec::new();
        let at = Path::session(Root::Value, 1);
        let opts = Options::default();
        let tok = Tokenizer::new(&doc[start..end]);
        let (ok, tok) = parse_one_session(tok, start as u64, at, &opts, &mut buf, &mut tail);
        assert!(ok.unwrap());
        // Same events as the slice iterator gives for that session (annotation offsets included).
        assert_eq!(buf[..], whole[2..whole.len()]);
        assert_eq!(tok.input(), &doc[start..end]);
        // Errors carry absolute offsets.
        let bad = br#"{"value":[{"id":"a"},{"id":"b",}]}"#;
        let tok = Tokenizer::new(&bad[21..32]);
        let e = parse_one_session(tok, 21, at, &opts, &mut buf, &mut tail)
            .0
            .unwrap_err();
        assert_eq!(e.offset(), 31);
    }
}
