//! A structured generator of callRecords-shaped JSON aimed at 64-byte block boundaries, and a
//! serde_json-based reference extractor for what the event iterator must report.
//!
//! The generator ([`document`]) draws from the fuzzer's bytes a sessions page
//! (`{"@odata.context", "value": [...], "@odata.nextLink"}`) or a callRecord document
//! (`{"id", "sessions": [...], "sessions@odata.nextLink"}`) with sessions, segments, media and
//! streams in random key order, unknown keys holding nested junk, keys spelled with `\u` escapes,
//! and, above all, strings placed so that their interesting bytes (escapes, runs of backslashes,
//! 2-, 3- and 4-byte characters, the closing quote) fall on offsets 62 to 66 modulo 64, around a
//! stage-1 block boundary. Whitespace padding between tokens moves the next token to a chosen
//! offset modulo 64.
//!
//! The reference ([`expected`]) reads the text with `serde_json` into a `Value` and lists the
//! records in the documented pre-order with a handful of fields: ids, the parents' ids and label,
//! the stream's `averageJitter` in nanoseconds (through [`crate::reference::duration_nanos`]) and
//! the number of value errors each record must carry. It knows nothing of the generator.

use arbitrary::{Result, Unstructured};
use serde_json::Value;

/// Fragments of string content (JSON text) chosen to stress stage 1 and string validation.
const SPECIAL: &[&str] = &[
    "\\\"",
    "\\\\",
    "\\\\\\\\\\\\",
    "\\\\\\\"",
    "\\/",
    "\\n\\t\\r\\b\\f",
    "\\u00e9",
    "\\u20AC",
    "\\uD83D\\uDE00",
    "\\u0022",
    "\\u005C",
    "\u{e9}",
    "\u{20ac}",
    "\u{1f600}",
    "\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}",
    "{}[]:,",
    " \\\" ",
];

/// JSON text under construction.
struct W<'u, 'd> {
    out: String,
    u: &'u mut Unstructured<'d>,
    depth: usize,
}

impl W<'_, '_> {
    fn pick<'x, T: ?Sized>(&mut self, items: &'x [&'x T]) -> Result<&'x T> {
        Ok(*self.u.choose(items)?)
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Spaces or newlines until `out.len() % 64 == target % 64`.
    fn pad_to(&mut self, target: usize) {
        while self.out.len() % 64 != target % 64 {
            self.out
                .push(if self.out.len() % 7 == 0 { '\n' } else { ' ' });
        }
    }

    /// Whitespace between tokens: none, a little, or padding that moves the next token next to a
    /// block boundary.
    fn ws(&mut self) -> Result<()> {
        match self.u.int_in_range(0..=7u8)? {
            0..=3 => {}
            4 => self.push(" "),
            5 => self.push("\n  \t"),
            _ => {
                let target = 60 + usize::from(self.u.int_in_range(0..=6u8)?);
                self.pad_to(target);
            }
        }
        Ok(())
    }

    /// A JSON string (with quotes) whose content mixes plain text and special fragments, often
    /// placed so that a fragment or the closing quote straddles offset 64 (mod 64).
    fn string(&mut self) -> Result<()> {
        let aim = self.u.ratio(1u8, 2)?;
        let mut content = String::new();
        let parts = self.u.int_in_range(0..=4u8)?;
        for _ in 0..parts {
            if self.u.ratio(1u8, 2)? {
                let s = self.pick(SPECIAL)?;
                content.push_str(s);
            } else {
                let n = usize::from(self.u.int_in_range(0..=90u8)?);
                let c = char::from(b'a' + self.u.int_in_range(0..=25u8)?);
                content.extend(core::iter::repeat_n(c, n));
            }
        }
        if aim {
            // Put the first special fragment (or the closing quote) at 62..=66 (mod 64).
            let first = SPECIAL
                .iter()
                .filter_map(|s| content.find(s))
                .min()
                .unwrap_or(content.len());
            let target = 62 + usize::from(self.u.int_in_range(0..=4u8)?);
            let want = (target + 64 * 4 - 1 - first % 64) % 64;
            self.pad_to(want);
        }
        self.out.push('"');
        self.out.push_str(&content);
        self.out.push('"');
        Ok(())
    }

    /// A key, sometimes with a character spelled as a `\u` escape.
    fn key(&mut self, name: &str) -> Result<()> {
        self.ws()?;
        if !name.is_empty() && self.u.ratio(1u8, 8)? {
            let at = usize::from(self.u.int_in_range(0..=255u8)?) % name.len();
            if name.is_char_boundary(at) && name.is_char_boundary(at + 1) {
                let c = name.as_bytes()[at];
                self.push("\"");
                self.push(&name[..at]);
                self.push(&format!("\\u{:04x}", c));
                self.push(&name[at + 1..]);
                self.push("\"");
                self.ws()?;
                self.push(":");
                return self.ws();
            }
        }
        self.push("\"");
        self.push(name);
        self.push("\"");
        self.ws()?;
        self.push(":");
        self.ws()
    }

    /// Any JSON value, for unknown keys: nested junk the parser must skip.
    fn junk(&mut self) -> Result<()> {
        self.depth += 1;
        let choice = if self.depth > 4 {
            self.u.int_in_range(0..=3u8)?
        } else {
            self.u.int_in_range(0..=5u8)?
        };
        match choice {
            0 => self.string()?,
            1 => {
                let n = self.pick(&["0", "-1.5e-300", "12345678901234567890123", "1E+2", "-0"])?;
                self.push(n);
            }
            2 => {
                let l = self.pick(&["true", "false", "null"])?;
                self.push(l);
            }
            3 => self.push("[]"),
            4 => {
                self.push("[");
                let n = self.u.int_in_range(0..=3u8)?;
                for i in 0..n {
                    if i > 0 {
                        self.push(",");
                    }
                    self.ws()?;
                    self.junk()?;
                    self.ws()?;
                }
                self.push("]");
            }
            _ => {
                self.push("{");
                let n = self.u.int_in_range(0..=3u8)?;
                for i in 0..n {
                    if i > 0 {
                        self.push(",");
                    }
                    // Distinct names, so no key repeats.
                    self.key(&format!("x{i}"))?;
                    self.junk()?;
                    self.ws()?;
                }
                self.push("}");
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// An object with `members` (name and what to write as its value), in an order drawn from the
    /// input, plus some unknown keys.
    fn object(&mut self, members: &[(&str, Member)]) -> Result<()> {
        let mut order: Vec<usize> = (0..members.len()).collect();
        // Fisher-Yates from the fuzzer's bytes.
        for i in (1..order.len()).rev() {
            let j = usize::from(self.u.int_in_range(0..=255u8)?) % (i + 1);
            order.swap(i, j);
        }
        let unknown = usize::from(self.u.int_in_range(0..=2u8)?);
        self.push("{");
        for (n, &i) in order.iter().enumerate() {
            if n > 0 {
                self.push(",");
            }
            if n < unknown {
                self.key(&format!("unknownKey{n}"))?;
                self.junk()?;
                self.ws()?;
                self.push(",");
            }
            let (name, member) = members[i];
            self.key(name)?;
            self.member(member)?;
            self.ws()?;
        }
        self.push("}");
        Ok(())
    }

    fn member(&mut self, m: Member) -> Result<()> {
        match m {
            Member::Text => self.string(),
            Member::Id => self.id(),
            Member::Duration => self.duration(),
            Member::Literal(text) => {
                self.push(text);
                Ok(())
            }
            Member::OneOf(texts) => {
                let t = self.pick(texts)?;
                self.push(t);
                Ok(())
            }
            Member::Sessions(n) => self.array(n, Self::session),
            Member::Segments(n) => self.array(n, Self::segment),
            Member::Media(n) => self.array(n, Self::media),
            Member::Streams(n) => self.array(n, Self::stream),
        }
    }

    /// An array of `n` elements written by `element`.
    fn array(&mut self, n: usize, element: fn(&mut Self) -> Result<()>) -> Result<()> {
        self.push("[");
        for i in 0..n {
            if i > 0 {
                self.push(",");
            }
            self.ws()?;
            element(self)?;
            self.ws()?;
        }
        self.push("]");
        Ok(())
    }

    /// An id: usually a string, sometimes `null` or a number (a value error, lenient: `None`).
    fn id(&mut self) -> Result<()> {
        match self.u.int_in_range(0..=9u8)? {
            0 => self.push("null"),
            1 => self.push("42"),
            _ => self.string()?,
        }
        Ok(())
    }

    fn count(&mut self, max: u8) -> Result<usize> {
        Ok(usize::from(self.u.int_in_range(0..=max)?))
    }

    /// A duration: valid forms, invalid forms, `null`, or the wrong JSON type.
    fn duration(&mut self) -> Result<()> {
        let d = self.pick(&[
            "\"PT0.016S\"",
            "\"PT0S\"",
            "\"-PT1.123456789123S\"",
            "\"P1DT2H3M4.5S\"",
            "\"PT1M\"",
            "\"PT\"",
            "\"P1Y\"",
            "\"PT99999999999999S\"",
            "\"pt1s\"",
            "\"\"",
            "null",
            "16",
            "[]",
        ])?;
        self.push(d);
        Ok(())
    }

    fn stream(&mut self) -> Result<()> {
        let members = [
            ("streamId", Member::Text),
            ("averageJitter", Member::Duration),
            (
                "streamDirection",
                Member::OneOf(&["\"callerToCallee\"", "\"calleeToCaller\"", "\"sideways\""]),
            ),
            (
                "averagePacketLossRate",
                Member::OneOf(&["0", "0.0138", "1e-3", "null"]),
            ),
        ];
        let keep = self.count(members.len() as u8)?.max(1);
        self.object(&members[..keep])
    }

    fn media(&mut self) -> Result<()> {
        let n = self.count(3)?;
        self.object(&[("label", Member::Id), ("streams", Member::Streams(n))])
    }

    fn segment(&mut self) -> Result<()> {
        let n = self.count(2)?;
        self.object(&[
            ("id", Member::Id),
            ("media", Member::Media(n)),
            (
                "startDateTime",
                Member::Literal("\"2020-02-25T18:52:21.2169889Z\""),
            ),
        ])
    }

    fn session(&mut self) -> Result<()> {
        let n = self.count(3)?;
        self.object(&[
            ("id", Member::Id),
            ("segments", Member::Segments(n)),
            ("modalities", Member::Literal("[\"audio\", \"video\"]")),
            ("isTest", Member::Literal("false")),
        ])
    }

    /// The top-level object: a sessions page or a callRecord document.
    fn top(&mut self) -> Result<()> {
        let n = self.count(4)?;
        if self.u.ratio(1u8, 2)? {
            self.object(&[
                (
                    "@odata.context",
                    Member::Literal(
                        "\"https://graph.microsoft.com/v1.0/$metadata#communications/\
                         callRecords('e523d2ed')/sessions\"",
                    ),
                ),
                ("value", Member::Sessions(n)),
                ("@odata.nextLink", Member::Text),
            ])
        } else {
            self.object(&[
                ("id", Member::Text),
                ("version", Member::Literal("3")),
                ("sessions", Member::Sessions(n)),
                ("sessions@odata.nextLink", Member::Text),
            ])
        }
    }
}

/// What a member's value is.
#[derive(Debug, Clone, Copy)]
enum Member {
    /// A string aimed at a block boundary.
    Text,
    /// An id or label: usually a string, sometimes `null` or a number.
    Id,
    /// A duration, valid or not.
    Duration,
    /// Fixed JSON text.
    Literal(&'static str),
    /// One of these JSON texts.
    OneOf(&'static [&'static str]),
    /// Arrays of records, with this many elements.
    Sessions(usize),
    Segments(usize),
    Media(usize),
    Streams(usize),
}

/// A callRecords-shaped document drawn from `u` (see the module docs).
pub fn document(u: &mut Unstructured<'_>) -> Result<String> {
    let mut w = W {
        out: String::new(),
        u,
        depth: 0,
    };
    w.ws()?;
    w.top()?;
    w.ws()?;
    Ok(w.out)
}

/// One record as the reference sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A session: its id and how many value errors it carries.
    Session { id: Option<String>, errors: u32 },
    /// A segment, with its session's id.
    Segment {
        session_id: Option<String>,
        id: Option<String>,
        errors: u32,
    },
    /// A media, with its parents' ids.
    Media {
        session_id: Option<String>,
        segment_id: Option<String>,
        label: Option<String>,
        errors: u32,
    },
    /// A stream, with its parents' ids and label, and its jitter in nanoseconds.
    Stream {
        session_id: Option<String>,
        segment_id: Option<String>,
        label: Option<String>,
        stream_id: Option<String>,
        jitter: Option<i64>,
        errors: u32,
    },
}

/// A string field: `(value, is a value error)`. `null` and absence are no error; another type is.
fn text(o: &serde_json::Map<String, Value>, key: &str) -> (Option<String>, u32) {
    match o.get(key) {
        Some(Value::String(s)) => (Some(s.clone()), 0),
        None | Some(Value::Null) => (None, 0),
        Some(_) => (None, 1),
    }
}

fn jitter(o: &serde_json::Map<String, Value>) -> (Option<i64>, u32) {
    match o.get("averageJitter") {
        Some(Value::String(s)) => match crate::reference::duration_nanos(s.as_bytes()) {
            Some(n) => (Some(n), 0),
            None => (None, 1),
        },
        None | Some(Value::Null) => (None, 0),
        Some(_) => (None, 1),
    }
}

fn objects<'v>(o: &'v serde_json::Map<String, Value>, key: &str) -> &'v [Value] {
    match o.get(key) {
        Some(Value::Array(a)) => a,
        _ => &[],
    }
}

/// The records the event iterator must report for `json` (a document from [`document`]), in
/// pre-order, or `None` when serde_json rejects the text.
pub fn expected(json: &str) -> Option<Vec<Record>> {
    let root: Value = serde_json::from_str(json).ok()?;
    let root = root.as_object()?;
    let sessions = if root.contains_key("value") {
        objects(root, "value")
    } else {
        objects(root, "sessions")
    };
    let mut out = Vec::new();
    for s in sessions.iter().filter_map(Value::as_object) {
        let (sid, e) = text(s, "id");
        out.push(Record::Session {
            id: sid.clone(),
            errors: e,
        });
        for g in objects(s, "segments").iter().filter_map(Value::as_object) {
            let (gid, e) = text(g, "id");
            out.push(Record::Segment {
                session_id: sid.clone(),
                id: gid.clone(),
                errors: e,
            });
            for m in objects(g, "media").iter().filter_map(Value::as_object) {
                let (label, e) = text(m, "label");
                out.push(Record::Media {
                    session_id: sid.clone(),
                    segment_id: gid.clone(),
                    label: label.clone(),
                    errors: e,
                });
                for t in objects(m, "streams").iter().filter_map(Value::as_object) {
                    let (stream_id, e1) = text(t, "streamId");
                    let (j, e2) = jitter(t);
                    out.push(Record::Stream {
                        session_id: sid.clone(),
                        segment_id: gid.clone(),
                        label: label.clone(),
                        stream_id,
                        jitter: j,
                        errors: e1 + e2,
                    });
                }
            }
        }
    }
    Some(out)
}

/// The same projection of the crate's events.
pub fn project(events: &[callrecords::Event<'_>]) -> Vec<Record> {
    use callrecords::{Event, JsonStr};
    fn s(v: Option<JsonStr<'_>>) -> Option<String> {
        v.map(|j| match j.decode() {
            Ok(c) => c.into_owned(),
            Err(e) => format!("<undecodable: {e:?}>"),
        })
    }
    events
        .iter()
        .filter_map(|e| match e {
            Event::Session(r) => Some(Record::Session {
                id: s(r.id),
                errors: r.errors.total(),
            }),
            Event::Segment(r) => Some(Record::Segment {
                session_id: s(r.session_id),
                id: s(r.id),
                errors: r.errors.total(),
            }),
            Event::Media(r) => Some(Record::Media {
                session_id: s(r.session_id),
                segment_id: s(r.segment_id),
                label: s(r.label),
                errors: r.errors.total(),
            }),
            Event::Stream(r) => Some(Record::Stream {
                session_id: s(r.session_id),
                segment_id: s(r.segment_id),
                label: s(r.media_label),
                stream_id: s(r.stream_id),
                jitter: r.average_jitter.map(callrecords::Duration::as_nanos),
                errors: r.errors.total(),
            }),
            _ => None,
        })
        .collect()
}
