//! Streaming input with bounded memory: [`Reader`] over [`std::io::Read`] and the push [`Feeder`].
//!
//! Both cut the input into [`Section`]s and hand them out one at a time, borrowed from one internal
//! window that holds about one session:
//!
//! | section | holds | delivered |
//! |---|---|---|
//! | [`SectionKind::Header`] | the top-level members before the session array: `@odata.context`, the callRecord's own fields, `organizer_v2`, `participants_v2`, … | when the session array opens (its `[` is read) |
//! | [`SectionKind::Session`] | one element of `value` (sessions page) or `sessions` (callRecord document) | as soon as its closing `}` is read |
//! | [`SectionKind::Trailer`] | the top-level members after the session array: `@odata.nextLink`, `sessions@odata.nextLink`, … | when the top-level `}` is read |
//! | [`SectionKind::Document`] | a whole document that has no session array (for example a callRecord fetched without `$expand=sessions`) | when the input ends, with only whitespace after the document (the slice iterator, too, checks the whole input before it gives such a document's events) |
//!
//! # When the header is complete
//!
//! The slice iterator ([`crate::events`]) pre-scans the whole document, so it delivers the page
//! info and the callRecord header first even when some of their members follow `"sessions"`. A
//! stream cannot look ahead without holding every session, so the streaming rule is:
//!
//! 1. **When the session array opens** (its `[` is read), the header section delivers
//!    [`Event::Page`] and, for a callRecord document, [`Event::CallRecord`], built from the members
//!    that precede the array.
//! 2. **When the top-level object closes**, the trailer section delivers, first, if any page or
//!    callRecord member came *after* the array, [`Event::Page`] and [`Event::CallRecord`] again,
//!    now complete (the members from both sides; for a key given twice the later one wins, as in
//!    the slice iterator); then every top-level annotation and undeclared key of the document in
//!    input order, those before the array included (held until here, where the slice iterator puts
//!    them too).
//!
//! So the header is complete at the header section when every page and callRecord member precedes
//! the session array, which is how Graph writes them (every documented example), and then the
//! events are exactly the slice iterator's, in the same order. Otherwise it is complete at the
//! trailer, and the events differ from the slice iterator's only in that first, partial
//! `Page`/`CallRecord` pair.
//!
//! Two further differences exist only for documents Graph does not produce, with a duplicate
//! `value` or `sessions` member: the *first* array-valued one is the one streamed (the slice
//! iterator takes the first `value` too when `@odata.context` precedes it, since it parses that one
//! in place, and otherwise the last `value`, or else the last `sessions`); and a later duplicate is
//! parsed as a plain member of the trailer, so a duplicate `sessions` there makes the trailer give
//! the `Page`/`CallRecord` pair again.
//!
//! # Why lending iteration
//!
//! A section borrows the reader's window, which the next call overwrites, so it cannot be an
//! [`Iterator`] item; it is handed out by a *lending* call, `while let Some(section) =
//! reader.next_section()? { … }`. This was preferred over a callback because it keeps the caller's
//! control flow: `?`, `break`, `continue` and early returns work as usual, no closure has to capture
//! the caller's state, the loop composes with `async` code (the [`Feeder`] is driven between
//! `.await`s), and the events of a section are an ordinary iterator.
//!
//! # Memory
//!
//! The window is one buffer, reused for the whole stream. It holds the session being completed (and
//! the header or trailer members while they are pending) plus room for a few reads (the
//! [`Reader`]: four reads, 256 KiB with the default read size) or the chunks fed since the
//! sections were last taken (the [`Feeder`]); it grows only when a session does not fit, so its
//! size follows the largest session seen. Delivered bytes are dropped only when the room runs
//! out, so the tail of a split session is moved to the front once per few reads. A session (or
//! header, or trailer) larger than [`StreamOptions::max_session_bytes`] is
//! [`ErrorKind::SessionTooLarge`], never a truncation.
//!
//! Beside the window, the reader holds the stage-1 index of the session being completed (see
//! below): one `u32` per structural position (typically one per 6 to 10 bytes, at most one per
//! byte) and one bit per byte, for sessions up to 1 MiB; a longer session is indexed by its
//! tokenizer 64 KiB at a time instead, so the index never exceeds about 4 MiB.
//!
//! # Cost
//!
//! Every byte is copied once into the window (by `read`, or by [`Feeder::feed`]). The session
//! splitter then runs stage 1 (`crate::arch`, the same backend and dispatch: AVX-512, AVX2,
//! SSE4.2, NEON or the portable scalar code; `CALLRECORDS_BACKEND` forces it) over each session as
//! its bytes arrive: one pass over 64-byte blocks builds the session's structural index, tracks
//! the bracket depth to find where the session closes, and a second pass over each L1-resident
//! piece counts its newlines for error positions and notes which 1 KiB runs hold a byte above
//! ASCII (only those get the UTF-8 check). The section's tokenizer walks that index rather than
//! indexing the bytes again, so a session's bytes are classified once. The tail of a session split
//! across reads is moved to the front of the window once per few reads; it is never scanned again
//! (only its last partial 64-byte block is looked at again, until it is whole). On the generated 64 MiB pretty page the
//! `Reader` over an in-memory `io::Cursor` runs at about 0.905 of the slice iterator's throughput
//! (the median; 0.89 to 0.95 between runs, see `docs/bench-stream.md`). Most of the difference is
//! the reads themselves: copying the bytes out of the source is bound by memory speed, where the
//! slice iterator overlaps those loads with its work. The rest is the ahead kernel's depth
//! tracking and second pass, and compaction.
//!
//! # Errors
//!
//! Offsets, lines and columns are those of the whole stream, and the error is the first one in the
//! input, as the slice iterator reports it: a defect inside a session that the input then breaks off
//! is reported, not the end of the input. The end of the input inside the document, with no defect
//! before it, is [`ErrorKind::Eof`] ([`Error::is_eof`]) at the offset where the input ended. An I/O
//! error from the reader is [`ErrorKind::Io`] with the [`std::io::Error`] as its source. The JSON
//! path ([`Error::path`]) is the slice iterator's too. After an error from `next_section`, the
//! reader is finished: further calls return `Ok(None)`.
//!
//! An error from a section's events ([`Section::events`]) belongs to that section alone: its
//! records are not delivered, but the splitter has already found where the section ends, so the
//! next call goes on with the next section. A caller that stops at its first error (with `?`) sees
//! exactly the slice iterator's first error; one that carries on also gets the sessions after a
//! broken one, which the slice iterator, stopping at the error, does not give.
//!
//! What comes *before* the first error can differ. The stream hands out each section as it
//! completes, so a document that is broken after some sessions gives those sessions' events
//! first. The slice iterator does too when `@odata.context` precedes the session array (it then
//! parses the sessions in place); otherwise it checks the whole top-level object before its first
//! event (see [`crate::events`]) and gives the error alone.

mod events;
mod lines;
mod split;

use std::io::{self, Read};

use crate::arch::Indexed;
use crate::error::{Error, ErrorKind};
use crate::event::{Event, Options};
use crate::schema::{locate, Root, Shape};
use events::{EventBufs, What};
use lines::Lines;
use split::{Found, Part, Pending, Splitter, Step};

/// The default bound on one session: 64 MiB.
pub const DEFAULT_MAX_SESSION_BYTES: usize = 64 << 20;

/// The default number of bytes the [`Reader`] asks for per `read` call: 64 KiB.
pub const DEFAULT_READ_SIZE: usize = 64 << 10;

/// The largest read size [`StreamOptions::read_size`] accepts: 64 MiB. The window holds at least
/// one read, so a larger one would only allocate memory the reader never fills.
pub const MAX_READ_SIZE: usize = 64 << 20;

/// Settings for [`Reader`] and [`Feeder`].
///
/// ```
/// let options = callrecords::StreamOptions::new()
///     .max_session_bytes(8 << 20)
///     .read_size(256 << 10);
/// assert_eq!(options.get_max_session_bytes(), 8 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOptions {
    max_session_bytes: usize,
    read_size: usize,
    events: Options,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl StreamOptions {
    /// The defaults: [`DEFAULT_MAX_SESSION_BYTES`] and [`DEFAULT_READ_SIZE`].
    ///
    /// ```
    /// let options = callrecords::StreamOptions::new();
    /// assert_eq!(options.get_read_size(), callrecords::stream::DEFAULT_READ_SIZE);
    /// ```
    pub const fn new() -> Self {
        StreamOptions {
            max_session_bytes: DEFAULT_MAX_SESSION_BYTES,
            read_size: DEFAULT_READ_SIZE,
            events: Options {
                strict: false,
                depth_limit: crate::tokenizer::DEFAULT_DEPTH_LIMIT,
                report_undeclared: false,
            },
        }
    }

    /// The parsing options for the events of each section (strict mode, depth limit, undeclared
    /// keys), as for the slice iterator.
    ///
    /// ```
    /// use callrecords::{Options, StreamOptions};
    /// let options = StreamOptions::new().events(Options::default().strict(true));
    /// assert!(options.get_events().strict);
    /// ```
    pub const fn events(mut self, options: Options) -> Self {
        self.events = options;
        self
    }

    /// The event options (see [`StreamOptions::events`]).
    ///
    /// ```
    /// assert!(!callrecords::StreamOptions::new().get_events().strict);
    /// ```
    pub const fn get_events(&self) -> Options {
        self.events
    }

    /// The largest session (and the largest header or trailer) accepted, in bytes. A larger one is
    /// [`ErrorKind::SessionTooLarge`]. It bounds the window: the window never holds more than this
    /// plus one read (or the chunks fed since sections were last taken).
    ///
    /// ```
    /// let options = callrecords::StreamOptions::new().max_session_bytes(1 << 20);
    /// assert_eq!(options.get_max_session_bytes(), 1 << 20);
    /// ```
    pub const fn max_session_bytes(mut self, bytes: usize) -> Self {
        self.max_session_bytes = bytes;
        self
    }

    /// How many bytes the [`Reader`] asks for per `read` call, from 1 to [`MAX_READ_SIZE`] (other
    /// values are clamped). Ignored by the [`Feeder`].
    ///
    /// ```
    /// use callrecords::{stream::MAX_READ_SIZE, StreamOptions};
    /// assert_eq!(StreamOptions::new().read_size(0).get_read_size(), 1);
    /// assert_eq!(StreamOptions::new().read_size(usize::MAX).get_read_size(), MAX_READ_SIZE);
    /// ```
    pub const fn read_size(mut self, bytes: usize) -> Self {
        self.read_size = if bytes == 0 {
            1
        } else if bytes > MAX_READ_SIZE {
            MAX_READ_SIZE
        } else {
            bytes
        };
        self
    }

    /// The session size bound (see [`StreamOptions::max_session_bytes`]).
    ///
    /// ```
    /// assert_eq!(callrecords::StreamOptions::new().get_max_session_bytes(), 64 << 20);
    /// ```
    pub const fn get_max_session_bytes(&self) -> usize {
        self.max_session_bytes
    }

    /// The read size (see [`StreamOptions::read_size`]).
    ///
    /// ```
    /// assert_eq!(callrecords::StreamOptions::new().get_read_size(), 64 << 10);
    /// ```
    pub const fn get_read_size(&self) -> usize {
        self.read_size
    }
}

/// What a [`Section`] holds. See the [module docs](self) for when each is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SectionKind {
    /// The top-level members before the session array, as one JSON object.
    Header,
    /// One session: element `index` of the `value` or `sessions` array.
    Session {
        /// The position of the session in its array, from 0.
        index: usize,
    },
    /// The top-level members after the session array, as one JSON object.
    Trailer,
    /// A whole document without a session array.
    Document,
}

/// One complete part of the stream, borrowed from the reader's window.
///
/// For a session it is the session's exact JSON text. For the header and the trailer it is the
/// pending top-level members as one JSON object, byte for byte as in the stream (so offsets map
/// one to one) except for the joints: the header is closed with the session array's key and an
/// empty array (`,"value":[]}`), so that it parses as the document would; the trailer's `]` and
/// the comma after it become `{` and a space.
pub struct Section<'s> {
    kind: SectionKind,
    shape: Option<Shape>,
    bytes: &'s [u8],
    offset: u64,
    pos: Position<'s>,
    what: What<'s>,
    /// The session's stage-1 index, when the splitter built it while finding the session's end.
    ahead: Option<&'s mut Indexed>,
    bufs: &'s mut EventBufs,
    /// The JSON Pointer of the session array, for the paths of errors.
    array: &'s str,
    /// The JSON Pointer of the trailer's first byte (the array's `]`).
    joint: &'s str,
}

impl core::fmt::Debug for Section<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Section")
            .field("kind", &self.kind)
            .field("shape", &self.shape)
            .field("offset", &self.offset)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl<'s> Section<'s> {
    /// What this section holds.
    ///
    /// ```
    /// use callrecords::{Feeder, SectionKind};
    /// let mut feeder = Feeder::new();
    /// feeder.feed(br#"{"value": [{"id": "a"}]}"#);
    /// feeder.finish();
    /// let mut kinds = Vec::new();
    /// while let Some(section) = feeder.next_section()? {
    ///     kinds.push(section.kind());
    /// }
    /// assert_eq!(kinds, [
    ///     SectionKind::Header,
    ///     SectionKind::Session { index: 0 },
    ///     SectionKind::Trailer,
    /// ]);
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn kind(&self) -> SectionKind {
        self.kind
    }

    /// The session index for a [`SectionKind::Session`], `None` otherwise.
    ///
    /// ```
    /// let mut feeder = callrecords::Feeder::new();
    /// feeder.feed(br#"{"value": [{}, {"id": "b"}]}"#);
    /// feeder.finish();
    /// let mut indices = Vec::new();
    /// while let Some(section) = feeder.next_section()? {
    ///     indices.extend(section.session_index());
    /// }
    /// assert_eq!(indices, [0, 1]);
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn session_index(&self) -> Option<usize> {
        match self.kind {
            SectionKind::Session { index } => Some(index),
            _ => None,
        }
    }

    /// The document's shape: known for every section except a [`SectionKind::Document`].
    ///
    /// ```
    /// let mut feeder = callrecords::Feeder::new();
    /// feeder.feed(br#"{"id": "x", "sessions": []}"#);
    /// feeder.finish();
    /// let header = feeder.next_section()?.expect("a header");
    /// assert_eq!(header.shape(), Some(callrecords::Shape::CallRecord));
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn shape(&self) -> Option<Shape> {
        self.shape
    }

    /// The section's JSON text (see [`Section`]).
    ///
    /// ```
    /// let mut feeder = callrecords::Feeder::new();
    /// feeder.feed(br#"{"@odata.context": "c", "value": [ {"id": "a"} ], "@odata.nextLink": "n"}"#);
    /// feeder.finish();
    /// let mut texts = Vec::new();
    /// while let Some(section) = feeder.next_section()? {
    ///     texts.push(String::from_utf8_lossy(section.bytes()).into_owned());
    /// }
    /// assert_eq!(texts, [
    ///     r#"{"@odata.context": "c","value":[]}"#,
    ///     r#"{"id": "a"}"#,
    ///     r#"{  "@odata.nextLink": "n"}"#,
    /// ]);
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn bytes(&self) -> &'s [u8] {
        self.bytes
    }

    /// The stream offset of the section's first byte.
    ///
    /// ```
    /// let mut feeder = callrecords::Feeder::new();
    /// feeder.feed(br#"{"value": [{"id": "a"}]}"#);
    /// feeder.finish();
    /// let _header = feeder.next_section()?;
    /// let session = feeder.next_section()?.expect("a session");
    /// assert_eq!(session.offset(), 11);
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The events of this section, exactly as the slice iterator ([`crate::events`]) gives them
    /// for this part of the document:
    ///
    /// - [`SectionKind::Header`]: [`Event::Page`], then [`Event::CallRecord`] for a callRecord
    ///   document, from the members before the session array;
    /// - [`SectionKind::Session`]: the session, then per segment the segment, per media the media,
    ///   per stream the stream, then the annotations and undeclared keys inside the session;
    /// - [`SectionKind::Trailer`]: when a page or callRecord member came after the session array,
    ///   [`Event::Page`] and [`Event::CallRecord`] again, complete (the members from both sides,
    ///   the later one winning); then the top-level annotations and undeclared keys of the whole
    ///   document in input order (those before the array are held until here, as the slice
    ///   iterator does);
    /// - [`SectionKind::Document`]: every event of the document.
    ///
    /// A syntax error (or, in strict mode, a value error) is the only item: the section's records
    /// are not delivered. Offsets, lines and columns are those of the stream.
    ///
    /// ```
    /// use callrecords::{Event, Reader};
    /// let body: &[u8] = br#"{"value": [{"id": "s1", "segments": [{"id": "g1", "media": [
    ///     {"label": "main-audio", "streams": [{"averageJitter": "PT0.016S"}]}]}]}]}"#;
    /// let mut reader = Reader::new(body);
    /// let mut jitters = Vec::new();
    /// while let Some(mut section) = reader.next_section()? {
    ///     for event in section.events() {
    ///         if let Event::Stream(stream) = event? {
    ///             jitters.push(stream.average_jitter.map(|d| d.as_nanos()));
    ///         }
    ///     }
    /// }
    /// assert_eq!(jitters, [Some(16_000_000)]);
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn events(&mut self) -> SectionEvents<'_, 's> {
        let mut buf = events::take_buf(self.bufs);
        let ahead = self.ahead.as_deref_mut();
        let err = events::parse_section(
            self.bytes,
            self.offset,
            self.what,
            ahead,
            self.bufs,
            &mut buf,
        )
        .err()
        .map(|e| {
            buf.clear();
            let e = self.cut_short(e);
            let e = self.with_pointer(e);
            self.pos.locate(e)
        });
        SectionEvents {
            buf,
            pos: 0,
            err,
            home: self.bufs,
        }
    }

    /// Gives an error that has a position but no path the JSON Pointer of its offset, as the slice
    /// iterator computes it over the whole document: the section's place, then the walk over the
    /// section's own text.
    #[cold]
    fn with_pointer(&self, e: Error) -> Error {
        if !e.wants_path() {
            return e;
        }
        let at = e.offset();
        let path = match self.what {
            What::Session { index, .. } | What::Record { index } => {
                let prefix = format!("{}/{index}", self.array);
                pointer_in(self.bytes, self.offset, at, &prefix, self.array, 2)
            }
            // The trailer's events parse the header's text first.
            What::Trailer {
                header,
                header_base,
                ..
            } if at < self.offset => pointer_in(header, header_base, at, "", "", 0),
            // The trailer's `{` stands for the array's `]`.
            What::Trailer { .. } if at == self.offset => self.joint.to_string(),
            // The depth limit at the session array's `[` (see `What::Header`): in its member.
            What::Header { array, .. } if at == array => self.array.to_string(),
            What::Header { .. } | What::Trailer { .. } | What::Document => {
                pointer_in(self.bytes, self.offset, at, "", "", 0)
            }
        };
        e.with_path(path)
    }

    /// A session (or a whole document) that is a number or a literal ends where the splitter saw
    /// the delimiter after it, so its parse meets the end of its bytes where the slice iterator
    /// meets that delimiter: an end-of-input error there is really the broken literal or number
    /// (`tru]`, `1.]`, `t ` at the top level), which a parse that sees the bytes after the section
    /// reports as the slice iterator does. So is an error at a character its bytes end inside of
    /// (a stray `\xdb` where a session belongs): stage 1 takes that for a cut input, where the
    /// bytes after it may make it invalid UTF-8.
    #[cold]
    fn cut_short(&mut self, e: Error) -> Error {
        let end = self.offset + self.bytes.len() as u64;
        let at_cut = (e.is_eof() && e.offset() == end)
            || cut_character(self.bytes).is_some_and(|at| e.offset() >= self.offset + at as u64);
        if !at_cut
            || !matches!(
                self.what,
                What::Session { .. } | What::Record { .. } | What::Document
            )
        {
            return e;
        }
        let Some(from) = self
            .offset
            .checked_sub(self.pos.base)
            .and_then(|f| usize::try_from(f).ok())
        else {
            return e;
        };
        let Some(bytes) = self
            .pos
            .window
            .get(from..)
            .filter(|b| b.len() > self.bytes.len())
        else {
            return e;
        };
        match events::first_error(bytes, self.offset, self.what, self.bufs) {
            Some(real) if !real.is_eof() && real.offset() <= end => real,
            _ => e,
        }
    }
}

/// The JSON Pointer of stream offset `at` in a section's text `bytes` (which starts at stream offset
/// `start` and holds the value at `prefix`, `above` levels deep, inside the container at `parent`):
/// `prefix` and the walk over `bytes` up to `at` (see `schema::locate`), or `parent` once the value
/// ended before `at`.
#[cold]
fn pointer_in(
    bytes: &[u8],
    start: u64,
    at: u64,
    prefix: &str,
    parent: &str,
    above: usize,
) -> String {
    let upto = usize::try_from(at.saturating_sub(start)).unwrap_or(usize::MAX);
    if upto == 0 {
        // The value's first byte is not read yet: the position is its container's.
        return parent.to_string();
    }
    match locate::pointer_at(bytes, upto, above) {
        Some(inner) => format!("{prefix}{inner}"),
        None => parent.to_string(),
    }
}

/// Where `bytes` end inside a UTF-8 character: the offset of its first byte.
fn cut_character(bytes: &[u8]) -> Option<usize> {
    let from = bytes.len().saturating_sub(3);
    let lead = bytes.get(from..)?.iter().rposition(|&b| b >= 0xC0)?;
    let at = from + lead;
    match core::str::from_utf8(bytes.get(at..)?) {
        Err(e) if e.error_len().is_none() => Some(at),
        _ => None,
    }
}

/// The events of one [`Section`]: an iterator of `Result<Event<'s>, Error>`, where the events
/// borrow the window for as long as the section lives. See [`Section::events`].
pub struct SectionEvents<'p, 's> {
    buf: Vec<Event<'s>>,
    pos: usize,
    err: Option<Error>,
    home: &'p mut EventBufs,
}

impl<'s> Iterator for SectionEvents<'_, 's> {
    type Item = Result<Event<'s>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.err.take() {
            return Some(Err(e));
        }
        let ev = self.buf.get(self.pos)?;
        self.pos += 1;
        Some(Ok(*ev))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.buf.len() - self.pos.min(self.buf.len()) + usize::from(self.err.is_some());
        (n, Some(n))
    }
}

impl Drop for SectionEvents<'_, '_> {
    fn drop(&mut self) {
        events::give_buf(self.home, core::mem::take(&mut self.buf));
    }
}

impl core::fmt::Debug for SectionEvents<'_, '_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SectionEvents")
            .field("remaining", &self.buf.len().saturating_sub(self.pos))
            .finish()
    }
}

/// Maps stream offsets inside the window to lines and columns.
#[derive(Debug, Clone, Copy)]
struct Position<'s> {
    window: &'s [u8],
    base: u64,
    lines: Lines,
}

impl Position<'_> {
    #[cold]
    fn locate(&self, err: Error) -> Error {
        let (line, column) = self.lines.locate(self.window, self.base, err.offset());
        err.with_line_column(line, column)
    }
}

/// `e` with the JSON Pointer `path`, when it has a position and no path yet.
#[cold]
fn with_path(e: Error, path: String) -> Error {
    if e.wants_path() {
        e.with_path(path)
    } else {
        e
    }
}

/// The members after the session array as an object of their own, into `out`: `bytes` (from
/// stream offset `start`, the array's `]`) with the `]` made `{` and the `,` that followed the
/// array (at stream offset `comma`) made a space. Offsets stay those of the stream.
fn trailer_text(out: &mut Vec<u8>, bytes: &[u8], start: u64, comma: Option<u64>) {
    out.clear();
    out.extend_from_slice(bytes);
    if let Some(first) = out.first_mut() {
        *first = b'{';
    }
    let at = comma.and_then(|c| usize::try_from(c.checked_sub(start)?).ok());
    if let Some(c) = at.and_then(|c| out.get_mut(c)) {
        *c = b' ';
    }
}

/// The shared engine: the window, the splitter and the synthesized header/trailer buffer.
#[derive(Debug)]
struct Core {
    /// `buf[..filled]` holds the stream bytes from offset `base` on.
    buf: Vec<u8>,
    filled: usize,
    base: u64,
    /// Newlines counted so far, for errors' lines and columns.
    lines: Lines,
    split: Splitter,
    eof: bool,
    failed: bool,
    done: bool,
    synth: Vec<u8>,
    /// The header's text, kept for the trailer (whose events include the header's annotations).
    header: Vec<u8>,
    header_base: u64,
    /// The document's shape, decided from the header (as the slice iterator decides it).
    shape: Shape,
    /// The JSON Pointer of the session array, once the header was delivered.
    array_path: String,
    /// The JSON Pointer of the trailer's first byte, once the trailer was found.
    joint: String,
    bufs: EventBufs,
    options: StreamOptions,
}

enum Next {
    Section(Found),
    NeedMore,
    End,
}

impl Core {
    fn new(options: StreamOptions) -> Self {
        Core {
            buf: Vec::new(),
            filled: 0,
            base: 0,
            lines: Lines::default(),
            split: Splitter::new(options.max_session_bytes, crate::arch::Nester::detected()),
            eof: false,
            failed: false,
            done: false,
            synth: Vec::new(),
            header: Vec::new(),
            header_base: 0,
            shape: Shape::Other,
            array_path: String::new(),
            joint: String::new(),
            bufs: EventBufs::new(options.events),
            options,
        }
    }

    fn window(&self) -> (&[u8], u64) {
        (&self.buf[..self.filled], self.base)
    }

    fn position(&self) -> Position<'_> {
        Position {
            window: &self.buf[..self.filled],
            base: self.base,
            lines: self.lines,
        }
    }

    /// Drops the bytes the splitter no longer needs, moving the rest to the front.
    fn compact(&mut self) {
        let keep = self
            .split
            .keep_from()
            .clamp(self.base, self.base + self.filled as u64);
        let drop = (keep - self.base) as usize;
        if drop == 0 {
            return;
        }
        self.lines
            .drop_front(&self.buf[..self.filled], self.base, drop);
        self.buf.copy_within(drop..self.filled, 0);
        self.filled -= drop;
        self.base = keep;
    }

    /// Makes room for `n` more bytes after `filled`. The bytes already delivered are dropped only
    /// when the space left is short (so the carried partial session is moved once per few reads,
    /// not on every read), and the buffer grows only when dropping them does not free enough: to
    /// at least `floor`, doubling while that adds at most 512 KiB of slack.
    fn make_room(&mut self, n: usize, floor: usize) {
        if self.buf.len() - self.filled >= n {
            return;
        }
        self.compact();
        let need = self.filled + n;
        if need <= self.buf.len() {
            return;
        }
        if need > self.buf.capacity() {
            let cap = self.buf.capacity();
            let target = need
                .max(floor)
                .max(cap.saturating_mul(2).min(need + (512 << 10)));
            self.buf.reserve_exact(target - self.buf.len());
        }
        self.buf.resize(self.buf.capacity(), 0);
    }

    fn push(&mut self, chunk: &[u8]) {
        self.make_room(chunk.len(), 0);
        self.buf[self.filled..self.filled + chunk.len()].copy_from_slice(chunk);
        self.filled += chunk.len();
    }

    fn step(&mut self) -> Result<Next, Error> {
        if self.failed || self.done {
            return Ok(Next::End);
        }
        let r = self
            .split
            .advance(&self.buf[..self.filled], self.base, self.eof);
        match r {
            Ok(Step::Section(found)) => {
                if let Some(ix) = self.split.indexed(&found) {
                    // Stage 1 counted the session's newlines while indexing it.
                    let window = (&self.buf[..self.filled], self.base);
                    let span = (found.start, found.end - found.start);
                    self.lines
                        .session(window, span, ix.newlines, ix.last_newline);
                }
                Ok(Next::Section(found))
            }
            Ok(Step::NeedMore) => Ok(Next::NeedMore),
            Ok(Step::End) => {
                self.done = true;
                Ok(Next::End)
            }
            Err(e) => {
                self.failed = true;
                let e = self.first_defect(e);
                Err(self.position().locate(e))
            }
        }
    }

    /// The error to report when the splitter fails at `e`: a syntax error in what it checks itself
    /// (the top-level punctuation), or the end of the input. The section it was inside of has not
    /// been parsed, so the tokenizer has not seen its bytes; an error it finds in them up to `e`'s
    /// position is the one the slice iterator reports (earlier in the input, or at the same byte
    /// with the tokenizer's kind), so it wins.
    ///
    /// For a section over `max_session_bytes` the same holds of the bytes read before the limit:
    /// a defect among them is what the slice iterator reports first, so it wins over
    /// `SessionTooLarge`, which stays only when they hold none (the tokenizer reaching their end).
    #[cold]
    fn first_defect(&mut self, e: Error) -> Error {
        let too_large = e.kind() == ErrorKind::SessionTooLarge;
        let Some((pending, start)) = self.split.failed_in() else {
            if too_large {
                return e;
            }
            let path = self.split.failed_pointer().unwrap_or_default().to_string();
            return with_path(e, path);
        };
        // Everything held from the section's start: the bytes after the failure give the
        // tokenizer the context the slice iterator has (the delimiter after a broken literal, the
        // rest of a UTF-8 sequence); its errors past the failure do not count.
        let from = start
            .checked_sub(self.base)
            .and_then(|f| usize::try_from(f).ok());
        let bytes = from
            .and_then(|f| self.buf.get(f..self.filled))
            .unwrap_or_default();
        let root = match self.shape {
            Shape::CallRecord => Root::Sessions,
            _ => Root::Value,
        };
        let array = self.split.array_path().to_string();
        let (bytes, what): (&[u8], What<'_>) = match pending {
            Pending::Session(index) if self.shape == Shape::CallRecordsPage => {
                (bytes, What::Record { index })
            }
            Pending::Session(index) => (bytes, What::Session { root, index }),
            Pending::Whole | Pending::Members { trailer: false, .. } => (bytes, What::Document),
            Pending::Members {
                trailer: true,
                comma,
            } => {
                trailer_text(&mut self.synth, bytes, start, comma);
                (&self.synth[..], What::Document)
            }
        };
        let found = if bytes.is_empty() {
            None
        } else {
            events::first_error(bytes, start, what, &mut self.bufs)
        };
        let e = match found {
            Some(earlier) if !earlier.is_eof() && earlier.offset() <= e.offset() => earlier,
            // Over the limit: a defect in the section's own bytes read so far.
            Some(earlier)
                if too_large
                    && !earlier.is_eof()
                    && self
                        .split
                        .oversize_end()
                        .is_none_or(|end| earlier.offset() < end) =>
            {
                earlier
            }
            _ => e,
        };
        if !e.wants_path() {
            return e;
        }
        // The path as the slice iterator walks it: the section's place, then its own text.
        let at = e.offset();
        let path = match pending {
            Pending::Session(index) => {
                pointer_in(bytes, start, at, &format!("{array}/{index}"), &array, 2)
            }
            // The trailer's `{` stands for the array's `]`.
            Pending::Members { trailer: true, .. } if at == start => {
                self.split.array_pointer_at(at)
            }
            Pending::Whole | Pending::Members { .. } => pointer_in(bytes, start, at, "", "", 0),
        };
        e.with_path(path)
    }

    /// Copies the header members and closes them with the session array's key and an empty array,
    /// so that the schema decides the shape from them exactly as the slice iterator does (a `value`
    /// array under a callRecords-list `@odata.context` holds call records, not sessions).
    fn build_header(&mut self, found: Found) {
        let from = (found.start - self.base) as usize;
        let to = (found.end - self.base) as usize;
        let (key, shape): (&[u8], Shape) = match self.split.shape() {
            Some(split::Shape::CallRecord) => (b"\"sessions\":[]}", Shape::CallRecord),
            _ => (b"\"value\":[]}", Shape::SessionsPage),
        };
        self.header.clear();
        self.header.extend_from_slice(&self.buf[from..to]);
        if to - from > 1 {
            self.header.push(b',');
        }
        self.header.extend_from_slice(key);
        self.header_base = found.start;
        self.array_path = self.split.array_path().to_string();
        self.shape =
            events::header_shape(&self.header, found.start, &mut self.bufs).unwrap_or(shape);
    }

    fn section(&mut self, found: Found) -> Section<'_> {
        match found.part {
            Part::Header => self.build_header(found),
            Part::Trailer { .. } => self.joint = self.split.array_pointer_at(found.start),
            Part::Session(_) | Part::Whole => {}
        }
        let shape = self.shape;
        let root = match shape {
            Shape::CallRecord => Root::Sessions,
            _ => Root::Value,
        };
        let Core {
            buf,
            filled,
            base,
            lines,
            synth,
            header,
            header_base,
            bufs,
            split,
            array_path,
            joint,
            ..
        } = self;
        let array = split.array_open();
        let ahead = split.indexed(&found);
        let from = (found.start - *base) as usize;
        let to = (found.end - *base) as usize;
        let window = &buf[..*filled];
        let (kind, bytes, what): (SectionKind, &[u8], What<'_>) = match found.part {
            Part::Session(index) => (
                SectionKind::Session { index },
                &window[from..to],
                if shape == Shape::CallRecordsPage {
                    What::Record { index }
                } else {
                    What::Session { root, index }
                },
            ),
            Part::Whole => (SectionKind::Document, &window[from..to], What::Document),
            Part::Header => (
                SectionKind::Header,
                &header[..],
                What::Header { shape, array },
            ),
            Part::Trailer { comma } => {
                trailer_text(synth, &window[from..to], found.start, comma);
                (
                    SectionKind::Trailer,
                    &synth[..],
                    What::Trailer {
                        shape,
                        header: &header[..],
                        header_base: *header_base,
                    },
                )
            }
        };
        Section {
            kind,
            shape: (kind != SectionKind::Document && shape != Shape::Other).then_some(shape),
            bytes,
            offset: found.start,
            pos: Position {
                window,
                base: *base,
                lines: *lines,
            },
            what,
            ahead,
            bufs,
            array: array_path,
            joint,
        }
    }
}

/// Reads a callRecords document from any [`io::Read`], one section at a time, with bounded memory.
///
/// See the [module docs](self) for the sections, the memory bound and the errors.
///
/// ```
/// use callrecords::{Reader, SectionKind};
///
/// let body: &[u8] = br#"{
///   "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('x')/sessions",
///   "value": [ {"id": "s1", "segments": []}, {"id": "s2"} ],
///   "@odata.nextLink": "https://graph.microsoft.com/v1.0/communications/callRecords/x/sessions?$skiptoken=abc"
/// }"#;
/// let mut reader = Reader::new(body);
/// let mut sessions = 0;
/// while let Some(section) = reader.next_section()? {
///     match section.kind() {
///         SectionKind::Session { .. } => sessions += 1,
///         SectionKind::Header | SectionKind::Trailer | SectionKind::Document => {}
///         _ => {}
///     }
/// }
/// assert_eq!(sessions, 2);
/// # Ok::<(), callrecords::Error>(())
/// ```
#[derive(Debug)]
pub struct Reader<R> {
    inner: R,
    core: Core,
}

impl<R: Read> Reader<R> {
    /// A reader over `inner` with the default [`StreamOptions`].
    ///
    /// ```
    /// let reader = callrecords::Reader::new(std::io::empty());
    /// assert_eq!(reader.offset(), 0);
    /// ```
    pub fn new(inner: R) -> Self {
        Self::with_options(inner, StreamOptions::new())
    }

    /// A reader over `inner` with `options`.
    ///
    /// ```
    /// use callrecords::{ErrorKind, Reader, StreamOptions};
    /// let body: &[u8] = br#"{"value": [{"id": "a long session id"}]}"#;
    /// let mut reader = Reader::with_options(body, StreamOptions::new().max_session_bytes(8));
    /// let _header = reader.next_section()?;
    /// let err = reader.next_section().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::SessionTooLarge);
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn with_options(inner: R, options: StreamOptions) -> Self {
        Reader {
            inner,
            core: Core::new(options),
        }
    }

    /// The next complete section, reading as much as needed; `None` at the end of the document.
    ///
    /// The section borrows the reader until it is dropped. After an error, `None` follows.
    ///
    /// ```
    /// let mut reader = callrecords::Reader::new(&br#"{"value": [{"id": "a"}"#[..]);
    /// let _header = reader.next_section()?;
    /// let _first = reader.next_section()?;
    /// let err = reader.next_section().unwrap_err();
    /// assert!(err.is_eof());
    /// assert_eq!(err.offset(), 22);
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn next_section(&mut self) -> Result<Option<Section<'_>>, Error> {
        loop {
            match self.core.step()? {
                Next::Section(found) => return Ok(Some(self.core.section(found))),
                Next::End => return Ok(None),
                Next::NeedMore => self.fill()?,
            }
        }
    }

    fn fill(&mut self) -> Result<(), Error> {
        let core = &mut self.core;
        let n = core.options.read_size;
        // Room for a few reads, so that the partial session is carried to the front rarely.
        let floor = n.saturating_mul(4).min(n.saturating_add(768 << 10));
        core.make_room(n, floor);
        let end = core.filled + n;
        loop {
            match self.inner.read(&mut core.buf[core.filled..end]) {
                Ok(0) => {
                    core.eof = true;
                    return Ok(());
                }
                Ok(k) => {
                    core.filled += k.min(n);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    core.failed = true;
                    let at = core.base + core.filled as u64;
                    return Err(core.position().locate(Error::io(e, at)));
                }
            }
        }
    }

    /// The stream offset up to which input has been read.
    ///
    /// ```
    /// let mut reader = callrecords::Reader::new(&b"{\"value\": []}"[..]);
    /// while reader.next_section()?.is_some() {}
    /// assert_eq!(reader.offset(), 13);
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn offset(&self) -> u64 {
        self.core.base + self.core.filled as u64
    }

    /// The bytes the reader holds now and the stream offset of the first. After an error from
    /// [`Reader::next_section`] they include the error's position, so they can show it
    /// ([`Error::snippet_in`]) when the input cannot be read again (stdin, a decompressor).
    ///
    /// ```
    /// let mut reader = callrecords::Reader::new(&b"{\"value\": [{\"id\": 1}],\n  \"x\" 2}"[..]);
    /// let err = loop {
    ///     match reader.next_section() {
    ///         Ok(Some(_)) => {}
    ///         Ok(None) => unreachable!("the document is invalid"),
    ///         Err(e) => break e,
    ///     }
    /// };
    /// let (window, start) = reader.window();
    /// assert_eq!(err.snippet_in(window, start), "  \"x\" 2}\n      ^");
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn window(&self) -> (&[u8], u64) {
        self.core.window()
    }

    /// The bytes the window can hold now (its allocation), for monitoring memory.
    ///
    /// ```
    /// let reader = callrecords::Reader::new(std::io::empty());
    /// assert_eq!(reader.window_capacity(), 0);
    /// ```
    pub fn window_capacity(&self) -> usize {
        self.core.buf.capacity()
    }

    /// The wrapped reader.
    ///
    /// ```
    /// let reader = callrecords::Reader::new(std::io::empty());
    /// let _inner: &std::io::Empty = reader.get_ref();
    /// ```
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Unwraps the reader. Bytes already read into the window are lost.
    ///
    /// ```
    /// let reader = callrecords::Reader::new(std::io::empty());
    /// let _inner: std::io::Empty = reader.into_inner();
    /// ```
    pub fn into_inner(self) -> R {
        self.inner
    }
}

/// A push parser: [`Feeder::feed`] chunks as they arrive, take the complete sections with
/// [`Feeder::next_section`], and call [`Feeder::finish`] at the end of the input.
///
/// It does no I/O and knows nothing of any runtime, so it fits async code (tokio, async-std,
/// hyper bodies), callbacks from a network library, or a channel. Take the sections after each
/// `feed`: the window holds the chunks fed since the sections were last taken, plus the session
/// being completed.
///
/// ```
/// use callrecords::{Feeder, SectionKind};
///
/// let body = br#"{"@odata.context": "ctx", "value": [{"id": "s1"}, {"id": "s2"}]}"#;
/// let mut feeder = Feeder::new();
/// let mut sessions = Vec::new();
/// for chunk in body.chunks(7) {
///     feeder.feed(chunk);
///     while let Some(section) = feeder.next_section()? {
///         if let SectionKind::Session { index } = section.kind() {
///             sessions.push((index, section.bytes().to_vec()));
///         }
///     }
/// }
/// feeder.finish();
/// while let Some(_section) = feeder.next_section()? {}
/// assert!(feeder.is_done());
/// assert_eq!(sessions[1], (1, br#"{"id": "s2"}"#.to_vec()));
/// # Ok::<(), callrecords::Error>(())
/// ```
#[derive(Debug)]
pub struct Feeder {
    core: Core,
}

impl Default for Feeder {
    fn default() -> Self {
        Self::new()
    }
}

impl Feeder {
    /// A feeder with the default [`StreamOptions`].
    ///
    /// ```
    /// let feeder = callrecords::Feeder::new();
    /// assert!(!feeder.is_done());
    /// ```
    pub fn new() -> Self {
        Self::with_options(StreamOptions::new())
    }

    /// A feeder with `options` (the read size is ignored).
    ///
    /// ```
    /// let feeder = callrecords::Feeder::with_options(
    ///     callrecords::StreamOptions::new().max_session_bytes(1 << 20),
    /// );
    /// assert_eq!(feeder.buffered(), 0);
    /// ```
    pub fn with_options(options: StreamOptions) -> Self {
        Feeder {
            core: Core::new(options),
        }
    }

    /// Appends a chunk of the input. A chunk may end anywhere, even inside a string, an escape, a
    /// UTF-8 character or a number.
    ///
    /// ```
    /// let mut feeder = callrecords::Feeder::new();
    /// feeder.feed(br#"{"value": [{"id": "a"#);
    /// feeder.feed(br#"b"}]}"#);
    /// feeder.finish();
    /// let _header = feeder.next_section()?;
    /// let session = feeder.next_section()?.expect("a session");
    /// assert_eq!(session.bytes(), br#"{"id": "ab"}"#);
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn feed(&mut self, chunk: &[u8]) {
        self.core.push(chunk);
    }

    /// Marks the end of the input: the next calls to [`Feeder::next_section`] deliver what is left,
    /// or an end-of-input error if the document is incomplete.
    ///
    /// ```
    /// let mut feeder = callrecords::Feeder::new();
    /// feeder.feed(br#"{"value": [{"id""#);
    /// assert!(feeder.next_section()?.is_some()); // the header
    /// assert!(feeder.next_section()?.is_none()); // needs more input
    /// feeder.finish();
    /// assert!(feeder.next_section().unwrap_err().is_eof());
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn finish(&mut self) {
        self.core.eof = true;
    }

    /// The next complete section, or `None` when more input is needed (before [`Feeder::finish`])
    /// or when the document is complete (after it; see [`Feeder::is_done`]).
    ///
    /// ```
    /// let mut feeder = callrecords::Feeder::new();
    /// feeder.feed(br#"{"value": []}"#);
    /// feeder.finish();
    /// assert!(feeder.next_section()?.is_some()); // the (empty) header
    /// assert!(feeder.next_section()?.is_some()); // the (empty) trailer
    /// assert!(feeder.next_section()?.is_none());
    /// assert!(feeder.is_done());
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn next_section(&mut self) -> Result<Option<Section<'_>>, Error> {
        match self.core.step()? {
            Next::Section(found) => Ok(Some(self.core.section(found))),
            Next::NeedMore | Next::End => Ok(None),
        }
    }

    /// True once the whole document was delivered after [`Feeder::finish`].
    ///
    /// ```
    /// let mut feeder = callrecords::Feeder::new();
    /// feeder.feed(b"{}");
    /// assert!(!feeder.is_done());
    /// feeder.finish();
    /// while feeder.next_section()?.is_some() {}
    /// assert!(feeder.is_done());
    /// # Ok::<(), callrecords::Error>(())
    /// ```
    pub fn is_done(&self) -> bool {
        self.core.done
    }

    /// Bytes held in the window now (fed but not yet released).
    ///
    /// ```
    /// let mut feeder = callrecords::Feeder::new();
    /// feeder.feed(b"{\"val");
    /// assert_eq!(feeder.buffered(), 5);
    /// ```
    pub fn buffered(&self) -> usize {
        self.core.filled
    }

    /// The bytes held now and the stream offset of the first: after an error, the bytes around
    /// its position, for [`Error::snippet_in`] (see [`Reader::window`]).
    ///
    /// ```
    /// let mut feeder = callrecords::Feeder::new();
    /// feeder.feed(b"[1, 2");
    /// feeder.finish();
    /// let err = feeder.next_section().unwrap_err();
    /// let (window, start) = feeder.window();
    /// assert_eq!(err.snippet_in(window, start), "[1, 2\n     ^");
    /// ```
    pub fn window(&self) -> (&[u8], u64) {
        self.core.window()
    }

    /// The stream offset up to which input has been fed.
    ///
    /// ```
    /// let mut feeder = callrecords::Feeder::new();
    /// feeder.feed(b"{}");
    /// assert_eq!(feeder.offset(), 2);
    /// ```
    pub fn offset(&self) -> u64 {
        self.core.base + self.core.filled as u64
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)] // reason: test failures should panic

    use super::*;
    use crate::error::ErrorKind;

    fn split_all(input: &[u8], chunk: usize) -> Result<Vec<(SectionKind, Vec<u8>, u64)>, Error> {
        let mut out = Vec::new();
        let mut f = Feeder::new();
        for c in input.chunks(chunk.max(1)) {
            f.feed(c);
            while let Some(s) = f.next_section()? {
                out.push((s.kind(), s.bytes().to_vec(), s.offset()));
            }
        }
        f.finish();
        while let Some(s) = f.next_section()? {
            out.push((s.kind(), s.bytes().to_vec(), s.offset()));
        }
        assert!(f.is_done());
        Ok(out)
    }

    #[test]
    fn basic_page() {
        let doc = br#" {"@odata.context":"c","value":[{"a":"}]\""},[1,{"b":[]}], "x" ,3, true],"@odata.nextLink":"n", "z": {}} "#;
        for chunk in 1..doc.len() + 1 {
            let got = split_all(doc, chunk).unwrap();
            let texts: Vec<_> = got
                .iter()
                .map(|(k, b, _)| (*k, String::from_utf8_lossy(b).into_owned()))
                .collect();
            assert_eq!(
                texts,
                [
                    (
                        SectionKind::Header,
                        r#"{"@odata.context":"c","value":[]}"#.to_string()
                    ),
                    (SectionKind::Session { index: 0 }, r#"{"a":"}]\""}"#.into()),
                    (SectionKind::Session { index: 1 }, r#"[1,{"b":[]}]"#.into()),
                    (SectionKind::Session { index: 2 }, r#""x""#.into()),
                    (SectionKind::Session { index: 3 }, "3".into()),
                    (SectionKind::Session { index: 4 }, "true".into()),
                    (
                        SectionKind::Trailer,
                        r#"{ "@odata.nextLink":"n", "z": {}}"#.into()
                    ),
                ],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn errors() {
        let cases: &[(&[u8], ErrorKind, u64)] = &[
            (b"", ErrorKind::Eof, 0),
            (b"  ", ErrorKind::Eof, 2),
            (b"{", ErrorKind::Eof, 1),
            (b"{\"value\":[{}", ErrorKind::Eof, 12),
            (b"{\"value\":[{}}", ErrorKind::ExpectedArrayCommaOrEnd, 12),
            (b"{\"value\":[{},]}", ErrorKind::TrailingComma, 13),
            (b"{\"value\":[,]}", ErrorKind::ExpectedValue, 10),
            (b"{\"a\" 1}", ErrorKind::ExpectedColon, 5),
            (b"{\"a\":1,}", ErrorKind::TrailingComma, 7),
            (b"{\"a\":1 2}", ErrorKind::ExpectedObjectCommaOrEnd, 7),
            (b"{1}", ErrorKind::ExpectedKey, 1),
            (b"{} x", ErrorKind::TrailingCharacters, 3),
            (b"{\"a\":}", ErrorKind::ExpectedValue, 5),
        ];
        for &(input, kind, offset) in cases {
            for chunk in 1..=input.len().max(1) {
                let err = split_all(input, chunk).unwrap_err();
                assert_eq!(
                    (err.kind(), err.offset()),
                    (kind, offset),
                    "{:?} chunk {chunk}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    #[test]
    fn line_and_column() {
        let input = b"{\"value\": [\n  {},\n  {}\n  x\n";
        let err = split_all(input, 3).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ExpectedArrayCommaOrEnd);
        assert_eq!(err.line_column(&[]), (4, 3));
    }

    #[test]
    fn whole_documents() {
        for doc in [
            &b"{\"id\": \"x\", \"version\": 1}"[..],
            b"[1, 2]",
            b"12",
            b"\"s\"",
        ] {
            let got = split_all(doc, 2).unwrap();
            assert_eq!(got, [(SectionKind::Document, doc.to_vec(), 0)]);
        }
    }

    #[test]
    fn too_large() {
        let doc = br#"{"value": [{"id": "1"}, {"id": "2", "more": "xxxxxxxxxxxxxxxxxxxxxxx"}]}"#;
        let opts = StreamOptions::new().max_session_bytes(16);
        for chunk in [1, 5, 100] {
            let mut f = Feeder::with_options(opts);
            let mut n = 0;
            let mut err = None;
            'outer: for c in doc.chunks(chunk) {
                f.feed(c);
                loop {
                    match f.next_section() {
                        Ok(Some(_)) => n += 1,
                        Ok(None) => break,
                        Err(e) => {
                            err = Some(e);
                            break 'outer;
                        }
                    }
                }
            }
            let err = err.unwrap();
            assert_eq!(n, 2);
            assert_eq!(err.kind(), ErrorKind::SessionTooLarge);
            assert_eq!(err.offset(), 24);
            assert!(err.to_string().contains("session 1 is "), "{err}");
            assert!(f.buffered() <= 16 + chunk + 1, "{}", f.buffered());
        }
    }
}
