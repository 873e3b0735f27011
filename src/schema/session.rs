//! `callRecord` (header), `session` and `segment` records, page info and annotations, and the
//! one-pass session parser that buffers a session's children in pre-order.

use core::fmt;

use super::keys::{key_bytes, KeyBuf};
use super::path::write_pointer_token;
use super::{
    Acc, CallType, Cx, DeviceInfo, Endpoint, FailureInfo, FieldErrors, FieldPath, IdentitySet,
    IdentitySets, Media, MediaStream, ModalitySet, NetworkInfo, Participant, Participants, Path,
    Root, R,
};
use crate::event::Event;
use crate::tokenizer::Peek;
use crate::value::{parse_i64, JsonStr, Timestamp};

/// The shape of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Shape {
    /// A sessions page: `{"@odata.context", "value": [session…], "@odata.nextLink"}`.
    SessionsPage,
    /// A callRecord document: the call record's fields plus `"sessions": [session…]`.
    ///
    /// A top-level object without `value` is one when it has a `sessions` member, a member only a
    /// call record has (`version`, `type`, `lastModifiedDateTime`, `joinWebUrl`, `organizer`,
    /// `participants`, `organizer_v2`, `participants_v2`), or an `@odata.context` naming one call
    /// record (`…#communications/callRecords…/$entity`). `id`, `startDateTime`, `endDateTime`
    /// and `modalities` alone do not count: a session or segment on its own has them too.
    CallRecord,
    /// A callRecords list page (`GET /communications/callRecords`):
    /// `{"@odata.context": "…#communications/callRecords", "value": [callRecord…]}`. Each call
    /// record gives a [`CallRecord`] event, then its sessions if it has any.
    CallRecordsPage,
    /// Valid JSON of another shape: it yields no records.
    #[default]
    Other,
}

/// The first event of a callRecords document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct PageInfo<'a> {
    /// Sessions page or callRecord document.
    pub shape: Shape,
    /// `@odata.context`.
    pub context: Option<JsonStr<'a>>,
    /// The callRecord id taken from the context (`…/callRecords('e523…')/sessions`).
    pub call_record_id: Option<JsonStr<'a>>,
}

/// Finds the `'…'` id after `callRecords(` in an OData context URL.
fn call_record_id_from_context(ctx: JsonStr<'_>) -> Option<JsonStr<'_>> {
    let raw = ctx.raw();
    let needle = b"callRecords('";
    let start = memchr::memmem::find(raw, needle)? + needle.len();
    let len = memchr::memchr(b'\'', raw.get(start..)?)?;
    let id = raw.get(start..start + len)?;
    Some(JsonStr::new(id, memchr::memchr(b'\\', id).is_some()))
}

/// An instance annotation (`@odata.nextLink`, `sessions@odata.nextLink`, `X@odata.count`,
/// `segments@odata.context`, …) with its scope.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Annotation<'a> {
    /// The object that carries it (the document for top-level annotations).
    pub at: Path,
    /// The property it annotates (`sessions` in `sessions@odata.nextLink`); `None` for the
    /// object itself (`@odata.nextLink`).
    pub target: Option<JsonStr<'a>>,
    /// The term, after the `@` (`odata.nextLink`).
    pub term: JsonStr<'a>,
    /// The value's raw JSON text (a string keeps its quotes).
    pub raw: &'a [u8],
    /// Absolute byte offset of the value.
    pub offset: u64,
}

impl<'a> Annotation<'a> {
    /// The value, when it is a string.
    pub fn string(&self) -> Option<JsonStr<'a>> {
        let inner = self.raw.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
        Some(JsonStr::new(inner, memchr::memchr(b'\\', inner).is_some()))
    }

    /// The value, when it is an integer (`@odata.count`).
    pub fn count(&self) -> Option<i64> {
        parse_i64(self.raw).ok()
    }

    /// True for `odata.nextLink` terms (on the object or on a property), in any ASCII case.
    pub fn is_next_link(&self) -> bool {
        let mut kb: KeyBuf = [0; 64];
        // Six 2020 docs examples spell it `@odata.nextlink`: the page goes on all the same.
        key_bytes(&self.term, &mut kb).eq_ignore_ascii_case(b"odata.nextLink")
    }
}

impl fmt::Debug for Annotation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Annotation")
            .field("path", &format_args!("{self}"))
            .field("raw", &super::path::Lossy(self.raw))
            .field("offset", &self.offset)
            .finish()
    }
}

impl fmt::Display for Annotation<'_> {
    /// The annotation's JSON path, e.g. `/sessions@odata.nextLink` or `/value/0/segments@odata.context`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/", self.at)?;
        if let Some(t) = self.target {
            write_pointer_token(f, t.raw())?;
        }
        f.write_str("@")?;
        write_pointer_token(f, self.term.raw())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Annotation<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Annotation", 3)?;
        st.serialize_field("path", &self.to_string())?;
        st.serialize_field("term", &self.term)?;
        st.serialize_field("raw", &String::from_utf8_lossy(self.raw))?;
        st.end()
    }
}

/// The callRecord header (`callRecords.callRecord` without its sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct CallRecord<'a> {
    /// `id`.
    pub id: Option<JsonStr<'a>>,
    /// `version`.
    pub version: Option<i64>,
    /// `type`.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub call_type: Option<CallType<'a>>,
    /// `modalities`.
    pub modalities: Option<ModalitySet<'a>>,
    /// `startDateTime`.
    pub start_date_time: Option<Timestamp>,
    /// `endDateTime`.
    pub end_date_time: Option<Timestamp>,
    /// `lastModifiedDateTime`.
    pub last_modified_date_time: Option<Timestamp>,
    /// `joinWebUrl`.
    pub join_web_url: Option<JsonStr<'a>>,
    /// `organizer` (deprecated; use `organizer_v2`).
    pub organizer: Option<IdentitySet<'a>>,
    /// `participants` (deprecated; use `participants_v2`), lazy.
    pub participants: Option<IdentitySets<'a>>,
    /// `organizer_v2`.
    #[cfg_attr(feature = "serde", serde(rename = "organizer_v2"))]
    pub organizer_v2: Option<Participant<'a>>,
    /// `participants_v2`, lazy.
    #[cfg_attr(feature = "serde", serde(rename = "participants_v2"))]
    pub participants_v2: Option<Participants<'a>>,
    /// Value errors in the header (lenient mode).
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "FieldErrors::is_empty")
    )]
    pub errors: FieldErrors<'a>,
}

/// A session record (`callRecords.session`). Its segments follow it as events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Session<'a> {
    /// Where the session is in the document.
    pub at: Path,
    /// `id`.
    pub id: Option<JsonStr<'a>>,
    /// `modalities`.
    pub modalities: Option<ModalitySet<'a>>,
    /// `startDateTime`.
    pub start_date_time: Option<Timestamp>,
    /// `endDateTime`.
    pub end_date_time: Option<Timestamp>,
    /// `caller`.
    pub caller: Option<Endpoint<'a>>,
    /// `callee`.
    pub callee: Option<Endpoint<'a>>,
    /// `failureInfo`.
    pub failure_info: Option<FailureInfo<'a>>,
    /// `isTest`.
    pub is_test: Option<bool>,
    /// How many segment objects `segments` had (each is a [`Segment`] event).
    pub segment_count: u32,
    /// Value errors in this record (lenient mode).
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "FieldErrors::is_empty")
    )]
    pub errors: FieldErrors<'a>,
}

/// A segment record (`callRecords.segment`) with its session's id. Its media follow it as events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Segment<'a> {
    /// Where the segment is in the document.
    pub at: Path,
    /// The `id` of the session holding the segment.
    pub session_id: Option<JsonStr<'a>>,
    /// `id`.
    pub id: Option<JsonStr<'a>>,
    /// `startDateTime`.
    pub start_date_time: Option<Timestamp>,
    /// `endDateTime`.
    pub end_date_time: Option<Timestamp>,
    /// `caller`.
    pub caller: Option<Endpoint<'a>>,
    /// `callee`.
    pub callee: Option<Endpoint<'a>>,
    /// `failureInfo`.
    pub failure_info: Option<FailureInfo<'a>>,
    /// How many media objects `media` had (each is a [`Media`] event).
    pub media_count: u32,
    /// Value errors in this record (lenient mode).
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "FieldErrors::is_empty")
    )]
    pub errors: FieldErrors<'a>,
}

fn f(name: &'static str) -> FieldPath {
    FieldPath::new().with(name)
}

/// Parses one session object at the cursor (an element of `value` or `sessions`) into `buf`:
/// the session, then its segments, media and streams in pre-order, then the annotations and
/// undeclared keys met inside it. `buf` is cleared first. Returns `false` (and leaves `buf`
/// empty) when the element is `null` or not an object; the latter is a value error recorded on
/// `parent` (strict: an error).
///
/// One pass: children are parsed where `segments` appears (even before `id`); their slots are
/// reserved in pre-order and the parents' ids are patched into them when each parent closes.
pub(crate) fn parse_session<'a>(
    cx: &mut Cx<'a>,
    parent: &mut Acc<'a>,
    parent_field: FieldPath,
    at: Path,
    buf: &mut Vec<Event<'a>>,
) -> R<bool> {
    buf.clear();
    cx.tail.clear();
    parse_session_append(cx, parent, parent_field, at, buf)
}

/// [`parse_session`] without clearing: the session's events are appended to `buf`.
fn parse_session_append<'a>(
    cx: &mut Cx<'a>,
    parent: &mut Acc<'a>,
    parent_field: FieldPath,
    at: Path,
    buf: &mut Vec<Event<'a>>,
) -> R<bool> {
    if !cx.object_start(parent, parent_field)? {
        return Ok(false);
    }
    let slot = buf.len();
    let tail_start = cx.tail.len();
    buf.push(Event::Session(Session::default()));
    let mut s = Session {
        at,
        ..Session::default()
    };
    let mut acc = Acc::new(at);
    let mut kb: KeyBuf = [0; 64];
    // Where the annotations and undeclared keys of the children array begin and end in `cx.tail`.
    let mut children_tail: Option<(usize, usize)> = None;
    while let Some(key) = cx.tok.next_key()? {
        match key_bytes(&key, &mut kb) {
            b"id" => s.id = cx.str(&mut acc, f("id"))?,
            b"modalities" => s.modalities = cx.modalities(&mut acc, f("modalities"))?,
            b"startDateTime" => s.start_date_time = cx.timestamp(&mut acc, f("startDateTime"))?,
            b"endDateTime" => s.end_date_time = cx.timestamp(&mut acc, f("endDateTime"))?,
            b"caller" => s.caller = Endpoint::parse(cx, &mut acc, f("caller"))?,
            b"callee" => s.callee = Endpoint::parse(cx, &mut acc, f("callee"))?,
            b"failureInfo" => s.failure_info = FailureInfo::parse(cx, &mut acc, f("failureInfo"))?,
            b"isTest" => s.is_test = cx.bool(&mut acc, f("isTest"))?,
            b"segments" => {
                // A duplicate `segments` replaces the earlier one's children, with the annotations
                // and undeclared keys met inside them.
                buf.truncate(slot + 1);
                if let Some((a, b)) = children_tail.take() {
                    cx.tail.drain(a..b);
                }
                let tail_from = cx.tail.len();
                s.segment_count = 0;
                if cx.array_start(&mut acc, f("segments"))? {
                    let mut i = 0u32;
                    while cx.tok.next_element()? {
                        if parse_segment(cx, &mut acc, at.child(i), buf)? {
                            s.segment_count += 1;
                        }
                        i = i.saturating_add(1);
                    }
                }
                children_tail = Some((tail_from, cx.tail.len()));
            }
            _ => cx.record_other(at, FieldPath::new(), key)?,
        }
    }
    s.errors = acc.errs;
    for e in buf.iter_mut().skip(slot + 1) {
        match e {
            Event::Segment(x) => x.session_id = s.id,
            Event::Media(x) => x.session_id = s.id,
            Event::Stream(x) => x.session_id = s.id,
            _ => {}
        }
    }
    if let Some(e) = buf.get_mut(slot) {
        *e = Event::Session(s);
    }
    if tail_start < cx.tail.len() {
        buf.extend(cx.tail.drain(tail_start..));
    }
    Ok(true)
}

/// Parses one element of a callRecords list page into `buf` (cleared first): the call record's
/// header, then its sessions (if expanded), then the annotations and undeclared keys met inside
/// it. One pass; the header slot is reserved first and filled when the element closes.
pub(crate) fn parse_call_record_element<'a>(
    cx: &mut Cx<'a>,
    parent: &mut Acc<'a>,
    index: u32,
    buf: &mut Vec<Event<'a>>,
) -> R<bool> {
    buf.clear();
    cx.tail.clear();
    if !cx.object_start(parent, f("value"))? {
        return Ok(false);
    }
    let at = Path::record(index);
    buf.push(Event::CallRecord(CallRecord::default()));
    let mut h = CallRecord::default();
    let mut acc = Acc::new(at);
    let mut kb: KeyBuf = [0; 64];
    while let Some(key) = cx.tok.next_key()? {
        let k = key_bytes(&key, &mut kb);
        if k == b"sessions" {
            buf.truncate(1);
            if cx.array_start(&mut acc, f("sessions"))? {
                let mut i = 0u32;
                while cx.tok.next_element()? {
                    let sat = Path::session(Root::Record(index), i);
                    parse_session_append(cx, &mut acc, f("sessions"), sat, buf)?;
                    i = i.saturating_add(1);
                }
            }
        } else if !header_field(cx, &mut h, &mut acc, k)? {
            cx.record_other(at, FieldPath::new(), key)?;
        }
    }
    h.errors = acc.errs;
    if let Some(e) = buf.first_mut() {
        *e = Event::CallRecord(h);
    }
    buf.append(&mut cx.tail);
    Ok(true)
}

/// Reads a callRecord header field; `false` when `k` is not one.
fn header_field<'a>(
    cx: &mut Cx<'a>,
    h: &mut CallRecord<'a>,
    acc: &mut Acc<'a>,
    k: &[u8],
) -> R<bool> {
    match k {
        b"id" => h.id = cx.str(acc, f("id"))?,
        b"version" => h.version = cx.i64(acc, f("version"))?,
        b"type" => h.call_type = cx.enumeration(acc, f("type"))?,
        b"modalities" => h.modalities = cx.modalities(acc, f("modalities"))?,
        b"startDateTime" => h.start_date_time = cx.timestamp(acc, f("startDateTime"))?,
        b"endDateTime" => h.end_date_time = cx.timestamp(acc, f("endDateTime"))?,
        b"lastModifiedDateTime" => {
            h.last_modified_date_time = cx.timestamp(acc, f("lastModifiedDateTime"))?
        }
        b"joinWebUrl" => h.join_web_url = cx.str(acc, f("joinWebUrl"))?,
        b"organizer" => h.organizer = IdentitySet::parse(cx, acc, f("organizer"))?,
        b"participants" => {
            h.participants = cx
                .raw_array(acc, f("participants"))?
                .map(|raw| IdentitySets { raw })
        }
        b"organizer_v2" => h.organizer_v2 = Participant::parse(cx, acc, f("organizer_v2"))?,
        b"participants_v2" => {
            h.participants_v2 = cx
                .raw_array(acc, f("participants_v2"))?
                .map(|raw| Participants { raw })
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// True when an `@odata.context` names a list of call records
/// (`…#communications/callRecords`, possibly with an expansion), not sessions or one entity.
fn is_call_records_list(ctx: Option<JsonStr<'_>>) -> bool {
    let Some(raw) = ctx.map(|c| c.raw()) else {
        return false;
    };
    memchr::memmem::find(raw, b"communications/callRecords").is_some()
        && memchr::memmem::find(raw, b"/sessions").is_none()
        && memchr::memmem::find(raw, b"$entity").is_none()
        && memchr::memmem::find(raw, b"callRecords('").is_none()
}

/// True for the callRecord members that a session or segment does not have. `id`,
/// `startDateTime`, `endDateTime` and `modalities` are shared, so a document holding only those
/// (such as a segment or session on its own) is not taken for a call record.
fn record_only_field(key: &[u8]) -> bool {
    matches!(
        key,
        b"version"
            | b"type"
            | b"lastModifiedDateTime"
            | b"joinWebUrl"
            | b"organizer"
            | b"participants"
            | b"organizer_v2"
            | b"participants_v2"
    )
}

/// True when an `@odata.context` names one call record
/// (`…#communications/callRecords(sessions(segments()))/$entity`), not a session of one.
fn is_call_record_entity(ctx: Option<JsonStr<'_>>) -> bool {
    let Some(raw) = ctx.map(|c| c.raw()) else {
        return false;
    };
    memchr::memmem::find(raw, b"communications/callRecords").is_some()
        && memchr::memmem::find(raw, b"$entity").is_some()
        && memchr::memmem::find(raw, b"/sessions").is_none()
}

fn parse_segment<'a>(
    cx: &mut Cx<'a>,
    parent: &mut Acc<'a>,
    at: Path,
    buf: &mut Vec<Event<'a>>,
) -> R<bool> {
    if !cx.object_start(parent, f("segments"))? {
        return Ok(false);
    }
    let slot = buf.len();
    buf.push(Event::Segment(Segment::default()));
    let mut g = Segment {
        at,
        ..Segment::default()
    };
    let mut acc = Acc::new(at);
    let mut kb: KeyBuf = [0; 64];
    // Where the annotations and undeclared keys of the children array begin and end in `cx.tail`.
    let mut children_tail: Option<(usize, usize)> = None;
    while let Some(key) = cx.tok.next_key()? {
        match key_bytes(&key, &mut kb) {
            b"id" => g.id = cx.str(&mut acc, f("id"))?,
            b"startDateTime" => g.start_date_time = cx.timestamp(&mut acc, f("startDateTime"))?,
            b"endDateTime" => g.end_date_time = cx.timestamp(&mut acc, f("endDateTime"))?,
            b"caller" => g.caller = Endpoint::parse(cx, &mut acc, f("caller"))?,
            b"callee" => g.callee = Endpoint::parse(cx, &mut acc, f("callee"))?,
            b"failureInfo" => g.failure_info = FailureInfo::parse(cx, &mut acc, f("failureInfo"))?,
            b"media" => {
                // A duplicate `media` replaces the earlier one's children, with the annotations
                // and undeclared keys met inside them.
                buf.truncate(slot + 1);
                if let Some((a, b)) = children_tail.take() {
                    cx.tail.drain(a..b);
                }
                let tail_from = cx.tail.len();
                g.media_count = 0;
                if cx.array_start(&mut acc, f("media"))? {
                    let mut i = 0u32;
                    while cx.tok.next_element()? {
                        if parse_media(cx, &mut acc, at.child(i), buf)? {
                            g.media_count += 1;
                        }
                        i = i.saturating_add(1);
                    }
                }
                children_tail = Some((tail_from, cx.tail.len()));
            }
            _ => cx.record_other(at, FieldPath::new(), key)?,
        }
    }
    g.errors = acc.errs;
    for e in buf.iter_mut().skip(slot + 1) {
        match e {
            Event::Media(x) => x.segment_id = g.id,
            Event::Stream(x) => x.segment_id = g.id,
            _ => {}
        }
    }
    if let Some(s) = buf.get_mut(slot) {
        *s = Event::Segment(g);
    }
    Ok(true)
}

fn parse_media<'a>(
    cx: &mut Cx<'a>,
    parent: &mut Acc<'a>,
    at: Path,
    buf: &mut Vec<Event<'a>>,
) -> R<bool> {
    if !cx.object_start(parent, f("media"))? {
        return Ok(false);
    }
    let slot = buf.len();
    buf.push(Event::Media(Media::default()));
    let mut m = Media {
        at,
        ..Media::default()
    };
    let mut acc = Acc::new(at);
    let mut kb: KeyBuf = [0; 64];
    // Where the annotations and undeclared keys of the children array begin and end in `cx.tail`.
    let mut children_tail: Option<(usize, usize)> = None;
    while let Some(key) = cx.tok.next_key()? {
        match key_bytes(&key, &mut kb) {
            b"label" => m.label = cx.str(&mut acc, f("label"))?,
            b"callerDevice" => {
                m.caller_device = DeviceInfo::parse(cx, &mut acc, f("callerDevice"))?
            }
            b"calleeDevice" => {
                m.callee_device = DeviceInfo::parse(cx, &mut acc, f("calleeDevice"))?
            }
            b"callerNetwork" => {
                m.caller_network = NetworkInfo::parse(cx, &mut acc, f("callerNetwork"))?
            }
            b"calleeNetwork" => {
                m.callee_network = NetworkInfo::parse(cx, &mut acc, f("calleeNetwork"))?
            }
            b"streams" => {
                // A duplicate `streams` replaces the earlier one's children, with the annotations
                // and undeclared keys met inside them.
                buf.truncate(slot + 1);
                if let Some((a, b)) = children_tail.take() {
                    cx.tail.drain(a..b);
                }
                let tail_from = cx.tail.len();
                m.stream_count = 0;
                if cx.array_start(&mut acc, f("streams"))? {
                    let mut i = 0u32;
                    while cx.tok.next_element()? {
                        if parse_stream(cx, &mut acc, at.child(i), buf)? {
                            m.stream_count += 1;
                        }
                        i = i.saturating_add(1);
                    }
                }
                children_tail = Some((tail_from, cx.tail.len()));
            }
            _ => cx.record_other(at, FieldPath::new(), key)?,
        }
    }
    m.errors = acc.errs;
    for e in buf.iter_mut().skip(slot + 1) {
        if let Event::Stream(x) = e {
            x.media_label = m.label;
        }
    }
    if let Some(s) = buf.get_mut(slot) {
        *s = Event::Media(m);
    }
    Ok(true)
}

fn parse_stream<'a>(
    cx: &mut Cx<'a>,
    parent: &mut Acc<'a>,
    at: Path,
    buf: &mut Vec<Event<'a>>,
) -> R<bool> {
    if !cx.object_start(parent, f("streams"))? {
        return Ok(false);
    }
    let mut st = MediaStream {
        at,
        ..MediaStream::default()
    };
    let mut acc = Acc::new(at);
    let mut kb: KeyBuf = [0; 64];
    while let Some(key) = cx.tok.next_key()? {
        if !st.field(cx, &mut acc, FieldPath::new(), key_bytes(&key, &mut kb))? {
            cx.record_other(at, FieldPath::new(), key)?;
        }
    }
    st.errors = acc.errs;
    buf.push(Event::Stream(st));
    Ok(true)
}

/// The top-level object as scanned so far.
#[derive(Debug, Default)]
pub(crate) struct Top<'a> {
    pub(crate) shape: Shape,
    pub(crate) page: PageInfo<'a>,
    pub(crate) header: CallRecord<'a>,
    /// The raw text of the sessions array and which key held it (pre-scan path).
    pub(crate) sessions: Option<(Root, &'a [u8])>,
    has_value: bool,
    has_sessions: bool,
    /// A callRecord field was met (any of them, including those a session or segment also has).
    pub(crate) header_seen: bool,
    /// A field only a callRecord has was met (see [`record_only_field`]).
    record_field: bool,
    value_arr: Option<&'a [u8]>,
    sessions_arr: Option<&'a [u8]>,
    /// Where the first `value` or `sessions` array began (its `[`), and whether it holds call
    /// records (a callRecords list page, as far as `@odata.context` said by then).
    pub(crate) first_array: Option<(Root, u64, bool)>,
}

impl Top<'_> {
    /// Notes an array-valued `value` or `sessions` member about to be skipped by the pre-scan.
    fn note_array(&mut self, cx: &mut Cx<'_>, root: Root) -> R<()> {
        if self.first_array.is_none() && cx.tok.peek()? == Peek::Array {
            let list = root == Root::Value && is_call_records_list(self.page.context);
            self.first_array = Some((root, cx.off(), list));
        }
        Ok(())
    }
}

/// Where [`top_keys`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TopStop {
    /// The top-level object ended (its `}` is consumed).
    End,
    /// At the `value` array of a sessions page whose page info is complete (`@odata.context` came
    /// first): its `[` is consumed, so the sessions can be parsed in place, in one pass.
    InlineValue,
    /// At the `sessions` array of a callRecord document when only annotations follow it (the
    /// header is complete): its `[` is consumed, so the sessions can be parsed in place.
    InlineSessions,
}

/// Whether the array starting at the tokenizer's next token ends the top-level object's members
/// that matter to the header: after its closing bracket come only annotations other than
/// `@odata.context` (keys holding `@`, such as `sessions@odata.nextLink`), which are delivered last
/// whichever path parses the document, then `}`.
///
/// This looks ahead without validating (stage 1's nesting scan and a string scan), so it costs a
/// fraction of a parse; anything it does not recognise answers `false`, and the document takes the
/// validating two-pass path (an unterminated array, for example, then reports its error first).
fn only_annotations_follow(tok: &crate::tokenizer::Tokenizer<'_>) -> bool {
    use crate::arch::{ends_scalar, find_string_end, is_ws, Nest, Nester};
    let bytes = tok.input();
    let nester = Nester::detected();
    let skip_ws = |mut i: usize| {
        while bytes.get(i).is_some_and(|&b| is_ws(b)) {
            i += 1;
        }
        i
    };
    // One past the closing bracket of the container whose opening bracket is at `open`.
    let container_end = |open: usize| {
        let inside = bytes.get(open + 1..)?;
        let close = nester.find_close(inside, &mut Nest::opened())?;
        Some(open + 1 + close + 1)
    };
    // The index of the closing quote of the string whose opening quote is at `open`.
    let string_end =
        |open: usize| find_string_end(bytes.get(open + 1..)?, &mut false).map(|e| open + 1 + e);
    let Some(mut i) = container_end(tok.offset()) else {
        return false;
    };
    // Each round consumes at least the `,` and a key, so the loop ends.
    loop {
        i = skip_ws(i);
        match bytes.get(i) {
            Some(b'}') => return true,
            Some(b',') => i = skip_ws(i + 1),
            _ => return false,
        }
        if bytes.get(i) != Some(&b'"') {
            return false;
        }
        let Some(key_end) = string_end(i) else {
            return false;
        };
        let key = bytes.get(i + 1..key_end).unwrap_or(&[]);
        if !key.contains(&b'@') || key == b"@odata.context" {
            return false;
        }
        i = skip_ws(key_end + 1);
        if bytes.get(i) != Some(&b':') {
            return false;
        }
        i = skip_ws(i + 1);
        i = match bytes.get(i) {
            Some(b'"') => match string_end(i) {
                Some(end) => end + 1,
                None => return false,
            },
            Some(b'{' | b'[') => match container_end(i) {
                Some(end) => end,
                None => return false,
            },
            // A number or literal: up to the next delimiter (the parse validates it later).
            Some(_) => {
                let mut j = i + 1;
                while bytes.get(j).is_some_and(|&b| !ends_scalar(b)) {
                    j += 1;
                }
                j
            }
            None => return false,
        };
    }
}

/// Starts the top-level value: `true` after the `{` of an object; `false` (value skipped) for
/// any other value, which is not callRecords-shaped.
pub(crate) fn top_begin(cx: &mut Cx<'_>) -> R<bool> {
    if cx.tok.peek()? != Peek::Object {
        cx.tok.skip_value()?;
        return Ok(false);
    }
    cx.tok.begin_object()?;
    Ok(true)
}

/// Scans top-level keys: page info, header fields and annotations are parsed; the sessions array
/// (`value` or `sessions`) is skipped (validated) and its text recorded, except that with
/// `inline_ok` a `value` array met after `@odata.context` (and no callRecord field) stops the
/// scan there ([`TopStop::InlineValue`]). Top-level annotations and undeclared keys go to
/// `cx.tail`.
pub(crate) fn top_keys<'a>(cx: &mut Cx<'a>, top: &mut Top<'a>, inline_ok: bool) -> R<TopStop> {
    let at = Path::document();
    let mut acc = Acc {
        at,
        errs: top.header.errors,
    };
    let r = top_keys_inner(cx, top, &mut acc, inline_ok);
    top.header.errors = acc.errs;
    let stop = r?;
    if stop == TopStop::InlineValue {
        top.shape = if is_call_records_list(top.page.context) {
            Shape::CallRecordsPage
        } else {
            Shape::SessionsPage
        };
        top.page.shape = top.shape;
        top.page.call_record_id = top.page.context.and_then(call_record_id_from_context);
    } else if stop == TopStop::InlineSessions {
        top.shape = Shape::CallRecord;
        top.page.shape = top.shape;
        top.page.call_record_id = top.page.context.and_then(call_record_id_from_context);
    }
    Ok(stop)
}

fn top_keys_inner<'a>(
    cx: &mut Cx<'a>,
    top: &mut Top<'a>,
    acc: &mut Acc<'a>,
    inline_ok: bool,
) -> R<TopStop> {
    let at = acc.at;
    let mut kb: KeyBuf = [0; 64];
    while let Some(key) = cx.tok.next_key()? {
        match key_bytes(&key, &mut kb) {
            b"@odata.context" => top.page.context = cx.str(acc, f("@odata.context"))?,
            b"value" => {
                top.has_value = true;
                if inline_ok
                    && top.page.context.is_some()
                    && !top.has_sessions
                    && !top.header_seen
                    && cx.tok.peek()? == Peek::Array
                {
                    cx.tok.begin_array()?;
                    return Ok(TopStop::InlineValue);
                }
                top.note_array(cx, Root::Value)?;
                top.value_arr = cx.raw_array(acc, f("value"))?;
            }
            b"sessions" => {
                top.has_sessions = true;
                if inline_ok
                    && !top.has_value
                    && cx.tok.peek()? == Peek::Array
                    && only_annotations_follow(&cx.tok)
                {
                    cx.tok.begin_array()?;
                    return Ok(TopStop::InlineSessions);
                }
                top.note_array(cx, Root::Sessions)?;
                top.sessions_arr = cx.raw_array(acc, f("sessions"))?;
            }
            k => {
                if header_field(cx, &mut top.header, acc, k)? {
                    top.header_seen = true;
                    top.record_field |= record_only_field(k);
                } else {
                    cx.record_other(at, FieldPath::new(), key)?;
                }
            }
        }
    }
    Ok(TopStop::End)
}

/// After [`TopStop::End`] of a full pre-scan: decides the shape and where the sessions are.
pub(crate) fn top_decide(top: &mut Top<'_>) {
    if top.has_value {
        top.shape = if is_call_records_list(top.page.context) {
            Shape::CallRecordsPage
        } else {
            Shape::SessionsPage
        };
        top.sessions = top.value_arr.map(|a| (Root::Value, a));
    } else if top.has_sessions || top.record_field || is_call_record_entity(top.page.context) {
        top.shape = Shape::CallRecord;
        top.sessions = top.sessions_arr.map(|a| (Root::Sessions, a));
    }
    top.page.shape = top.shape;
    top.page.call_record_id = top.page.context.and_then(call_record_id_from_context);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_id() {
        let c = JsonStr::new(
            b"https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('e523d2ed-2966')/sessions",
            false,
        );
        assert_eq!(
            call_record_id_from_context(c).map(|s| s.raw()),
            Some(&b"e523d2ed-2966"[..])
        );
        let c = JsonStr::new(
            b"https://x/$metadata#communications/callRecords/$entity",
            false,
        );
        assert_eq!(call_record_id_from_context(c), None);
    }
}
