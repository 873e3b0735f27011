//! The schema glue: the events of one section, as the slice iterator would give them.

use core::mem;

use crate::arch::Indexed;
use crate::error::{Error, ErrorKind};
use crate::event::{Event, Options};
use crate::schema::{
    parse_call_record_element, top_begin, top_decide, top_keys, Acc, CallRecord, Cx, PageInfo,
    Path, Root, Shape, Top,
};
use crate::tokenizer::{Scratch, Tokenizer};

/// Buffers reused from section to section (their allocations survive; their contents never do).
#[derive(Default)]
pub(crate) struct EventBufs {
    pub(crate) options: Options,
    scratch: Option<Scratch>,
    buf: Vec<Event<'static>>,
    tail: Vec<Event<'static>>,
    extra: Vec<Event<'static>>,
}

impl core::fmt::Debug for EventBufs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EventBufs")
            .field("options", &self.options)
            .finish()
    }
}

impl EventBufs {
    pub(crate) fn new(options: Options) -> Self {
        EventBufs {
            options,
            ..EventBufs::default()
        }
    }
}

/// Reuses an empty vector's allocation for another lifetime (in-place collection of an empty
/// iterator keeps the buffer).
#[allow(clippy::unnecessary_filter_map)] // reason: `filter` cannot change the item's lifetime
pub(crate) fn recycle<'x, 'y>(mut v: Vec<Event<'x>>) -> Vec<Event<'y>> {
    v.clear();
    v.into_iter().filter_map(|_| None).collect()
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

/// What the section is, for [`parse_section`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum What<'s> {
    /// A session of a sessions page (`Root::Value`) or a callRecord document (`Root::Sessions`).
    Session {
        root: Root,
        index: usize,
    },
    /// A call record of a callRecords list page.
    Record {
        index: usize,
    },
    /// The members before the session array, closed with the array's key and `[]}` (see
    /// `Core::build_header`); `array` is the stream offset of the real array's `[`.
    Header {
        shape: Shape,
        array: u64,
    },
    Trailer {
        shape: Shape,
        header: &'s [u8],
        header_base: u64,
    },
    Document,
}

/// The top-level parse of a members object: page info, header and the annotations and undeclared
/// keys (in `tail`).
struct TopParse<'s> {
    page: PageInfo<'s>,
    header: CallRecord<'s>,
    shape: Shape,
    /// A callRecord field was met (which alone does not make the text a callRecord document).
    header_seen: bool,
}

fn top<'s>(
    bytes: &'s [u8],
    base: u64,
    bufs: &mut EventBufs,
    tail: &mut Vec<Event<'s>>,
) -> Result<TopParse<'s>, Error> {
    let opts = bufs.options;
    let scratch = bufs.scratch.take().unwrap_or_default();
    let tok = Tokenizer::with_scratch(bytes, scratch, opts.depth_limit);
    let mut cx = Cx::new(
        tok,
        bytes,
        base,
        opts.strict,
        opts.report_undeclared,
        mem::take(tail),
    );
    let mut t = Top::default();
    let r = (|| {
        if top_begin(&mut cx)? {
            top_keys(&mut cx, &mut t, false)?;
        }
        cx.tok.finish()
    })();
    let Cx { tok, tail: tl, .. } = cx;
    bufs.scratch = Some(tok.into_scratch());
    *tail = tl;
    r.map_err(|e| fix_offset(e, base))?;
    top_decide(&mut t);
    Ok(TopParse {
        page: t.page,
        header: t.header,
        shape: t.shape,
        header_seen: t.header_seen,
    })
}

/// The shape the slice iterator decides for a header (whose text ends with the session array's
/// key and an empty array); `None` when the header does not parse (its events report why).
pub(crate) fn header_shape(bytes: &[u8], base: u64, bufs: &mut EventBufs) -> Option<Shape> {
    let mut tail = recycle(mem::take(&mut bufs.tail));
    let r = top(bytes, base, bufs, &mut tail).ok().map(|t| t.shape);
    bufs.tail = recycle(tail);
    r
}

/// Late header fields override the early ones (the last key wins, as in the slice iterator).
fn merge_header<'s>(early: CallRecord<'s>, late: CallRecord<'s>) -> CallRecord<'s> {
    let mut errors = early.errors;
    for e in late.errors.iter() {
        errors.push(*e);
    }
    CallRecord {
        id: late.id.or(early.id),
        version: late.version.or(early.version),
        call_type: late.call_type.or(early.call_type),
        modalities: late.modalities.or(early.modalities),
        start_date_time: late.start_date_time.or(early.start_date_time),
        end_date_time: late.end_date_time.or(early.end_date_time),
        last_modified_date_time: late
            .last_modified_date_time
            .or(early.last_modified_date_time),
        join_web_url: late.join_web_url.or(early.join_web_url),
        organizer: late.organizer.or(early.organizer),
        participants: late.participants.or(early.participants),
        organizer_v2: late.organizer_v2.or(early.organizer_v2),
        participants_v2: late.participants_v2.or(early.participants_v2),
        errors,
    }
}

/// Parses one section into `out`. Error offsets are stream offsets (lines and columns are added by
/// the caller).
pub(crate) fn parse_section<'s>(
    bytes: &'s [u8],
    base: u64,
    what: What<'s>,
    ahead: Option<&mut Indexed>,
    bufs: &mut EventBufs,
    out: &mut Vec<Event<'s>>,
) -> Result<(), Error> {
    let mut tail: Vec<Event<'s>> = recycle(mem::take(&mut bufs.tail));
    let r = parse_into(bytes, base, what, ahead, bufs, out, &mut tail);
    bufs.tail = recycle(tail);
    r
}

fn parse_into<'s>(
    bytes: &'s [u8],
    base: u64,
    what: What<'s>,
    mut ahead: Option<&mut Indexed>,
    bufs: &mut EventBufs,
    out: &mut Vec<Event<'s>>,
    tail: &mut Vec<Event<'s>>,
) -> Result<(), Error> {
    match what {
        What::Session { root, index } => {
            let at = Path::session(root, u32::try_from(index).unwrap_or(u32::MAX));
            let opts = bufs.options;
            let scratch = bufs.scratch.take().unwrap_or_default();
            // A session sits in an array inside the top-level object.
            let depth = opts.depth_limit.saturating_sub(2);
            let tok = Tokenizer::with_index(bytes, scratch, depth, ahead.as_deref_mut());
            let (r, tok) = crate::event::parse_one_session(tok, base, at, &opts, out, tail);
            bufs.scratch = Some(tok.into_scratch_with(ahead));
            r.map(|_| ())
        }
        What::Record { index } => {
            let opts = bufs.options;
            let scratch = bufs.scratch.take().unwrap_or_default();
            // A call record sits in an array inside the top-level object.
            let depth = opts.depth_limit.saturating_sub(2);
            let tok = Tokenizer::with_index(bytes, scratch, depth, ahead.as_deref_mut());
            let mut cx = Cx::new(
                tok,
                bytes,
                base,
                opts.strict,
                opts.report_undeclared,
                mem::take(tail),
            );
            let mut parent = Acc::new(Path::document());
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            let r = parse_call_record_element(&mut cx, &mut parent, index, out)
                .and_then(|_| cx.tok.finish());
            let Cx { tok, tail: tl, .. } = cx;
            bufs.scratch = Some(tok.into_scratch_with(ahead));
            *tail = tl;
            r.map_err(|e| fix_offset(e, base))
        }
        What::Header { shape, array } => {
            let mut t = top(bytes, base, bufs, tail).map_err(|e| {
                // The only error the closing `"value":[]}` can hold is the depth limit at its
                // `[` (a limit of 1): the slice iterator reports it at the real array's `[`.
                let open = (base + bytes.len() as u64).saturating_sub(3);
                if e.kind() == ErrorKind::DepthLimitExceeded && e.offset() == open {
                    e.shifted(array.saturating_sub(open))
                } else {
                    e
                }
            })?;
            t.page.shape = shape;
            out.push(Event::Page(t.page));
            if shape == Shape::CallRecord {
                out.push(Event::CallRecord(t.header));
            }
            // The header's annotations and undeclared keys are delivered with the trailer, after
            // the sessions, where the slice iterator puts them.
            Ok(())
        }
        What::Trailer {
            shape,
            header,
            header_base,
        } => {
            let early = top(header, header_base, bufs, tail)?;
            let mut extra: Vec<Event<'s>> = recycle(mem::take(&mut bufs.extra));
            let late = top(bytes, base, bufs, &mut extra);
            let r = late.map(|late| {
                let late_header = late.header_seen && shape == Shape::CallRecord;
                if late.page.context.is_some() || late_header {
                    // Members of the header came after the session array: deliver the complete
                    // page info and header again.
                    let mut page = early.page;
                    if late.page.context.is_some() {
                        page.context = late.page.context;
                        page.call_record_id = late.page.call_record_id;
                    }
                    page.shape = shape;
                    out.push(Event::Page(page));
                    if shape == Shape::CallRecord {
                        out.push(Event::CallRecord(merge_header(early.header, late.header)));
                    }
                }
                out.append(tail);
                out.append(&mut extra);
            });
            bufs.extra = recycle(extra);
            r
        }
        What::Document => {
            let t = top(bytes, base, bufs, tail)?;
            match t.shape {
                Shape::Other => {
                    tail.clear();
                    if bufs.options.strict {
                        return Err(Error::at(ErrorKind::NotCallRecords, base));
                    }
                    return Ok(());
                }
                Shape::SessionsPage | Shape::CallRecordsPage => out.push(Event::Page(t.page)),
                Shape::CallRecord => {
                    out.push(Event::Page(t.page));
                    out.push(Event::CallRecord(t.header));
                }
            }
            // A session array here would have been streamed; `value: null` and the like remain.
            out.append(tail);
            Ok(())
        }
    }
}

/// The error parsing `bytes` (the beginning of a section the input broke off, starting at stream
/// offset `base`) as `what` runs into first; the end of `bytes` gives an end-of-input error.
pub(crate) fn first_error(
    bytes: &[u8],
    base: u64,
    what: What<'_>,
    bufs: &mut EventBufs,
) -> Option<Error> {
    let mut out = take_buf(bufs);
    let r = parse_section(bytes, base, what, None, bufs, &mut out);
    give_buf(bufs, out);
    r.err()
}

/// Takes the reusable event buffer, typed for a section's lifetime.
pub(crate) fn take_buf<'s>(bufs: &mut EventBufs) -> Vec<Event<'s>> {
    recycle(mem::take(&mut bufs.buf))
}

/// Gives the event buffer back.
pub(crate) fn give_buf(bufs: &mut EventBufs, buf: Vec<Event<'_>>) {
    bufs.buf = recycle(buf);
}
