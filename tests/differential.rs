//! Differential property test: random callRecords documents (both shapes, compact and pretty,
//! random key order, escapes, nulls, unknown keys and subtrees, unknown enum members, duplicate
//! keys) through the event iterator, against a reference extractor over `serde_json::Value`.
//!
//! The documents are built as a small JSON tree ([`J`]) that keeps key order, duplicates and
//! per-string escape choices, and written by our own writer. The reference reads the written text
//! with serde_json (so it sees exactly what the parser sees; duplicate keys: last wins) and
//! computes the expected events. Both sides are flattened into lines
//! `"<record path> <field> = <canonical value>"`; runs of annotations and undeclared keys, whose
//! relative order the `Value` cannot know, are compared as sorted groups.
//!
//! `PROPTEST_CASES` overrides the case count (default 64 per shape).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test failures should panic

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use callrecords::schema::{
    AudioCodec, CallType, ClientPlatform, EndpointType, FailureInfo, FailureStage, GraphEnum,
    IdentityKind, MediaStreamDirection, Modality, NetworkConnectionType, NetworkInfo,
    NetworkTransportProtocol, Participant, ProductFamily, ServiceRole, TraceRouteHop, UserAgent,
    UserFeedback, UserFeedbackRating, VideoCodec, WifiBand, WifiRadioType,
};
use callrecords::{
    CallRecord, Duration, Endpoint, Event, Events, FieldErrors, Identity, IdentitySet, JsonStr,
    Media, MediaStream, ModalitySet, Options, Timestamp,
};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value};

// ---------------------------------------------------------------------------------------------
// Document tree and writer
// ---------------------------------------------------------------------------------------------

/// A JSON tree that keeps key order, duplicate keys and the escape choice of every string.
#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    /// A number literal, written as is.
    Num(String),
    /// A string; `true` writes it with escapes (see [`write_str`]).
    Str(String, bool),
    Arr(Vec<J>),
    /// Members in order: key, escape the key, value.
    Obj(Vec<(String, bool, J)>),
}

/// Writes a JSON string. `"`, `\` and control characters are always escaped. With `esc`, every
/// non-alphanumeric character is written as `\uXXXX` (UTF-16, so astral characters become
/// surrogate pairs; `/` as `\/`) and so is every ASCII letter at an odd position
/// (`c\u0061l\u006ce\u0072`).
fn write_str(s: &str, esc: bool, out: &mut String) {
    out.push('"');
    for (i, c) in s.chars().enumerate() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            '/' if esc => out.push_str("\\/"),
            c if esc && (!c.is_ascii_alphanumeric() || (i % 2 == 1 && c.is_ascii_alphabetic())) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    // Mixed hex case.
                    if i % 3 == 0 {
                        write!(out, "\\u{:04X}", u).unwrap();
                    } else {
                        write!(out, "\\u{:04x}", u).unwrap();
                    }
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_json(j: &J, pretty: bool, depth: usize, out: &mut String) {
    let nl = |out: &mut String, d: usize| {
        if pretty {
            out.push('\n');
            for _ in 0..d {
                out.push_str("  ");
            }
        }
    };
    match j {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(n),
        J::Str(s, e) => write_str(s, *e, out),
        J::Arr(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, depth + 1);
                write_json(v, pretty, depth + 1, out);
            }
            if !a.is_empty() {
                nl(out, depth);
            }
            out.push(']');
        }
        J::Obj(m) => {
            out.push('{');
            for (i, (k, e, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, depth + 1);
                write_str(k, *e, out);
                out.push_str(if pretty { ": " } else { ":" });
                write_json(v, pretty, depth + 1, out);
            }
            if !m.is_empty() {
                nl(out, depth);
            }
            out.push('}');
        }
    }
}

fn to_text(j: &J, pretty: bool) -> String {
    let mut s = String::new();
    write_json(j, pretty, 0, &mut s);
    s
}

// ---------------------------------------------------------------------------------------------
// Field kinds and value strategies
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum K {
    Str,
    I32,
    I64,
    F,
    Bool,
    Dur,
    Ts,
    Enum(&'static [&'static str]),
}

fn en<E: GraphEnum<'static>>() -> K {
    K::Enum(E::MEMBERS)
}

type S = BoxedStrategy<J>;

/// Text with quotes, backslashes, control characters, non-ASCII and astral characters.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::char::range('a', 'z'),
            2 => prop::char::range('A', 'Z'),
            1 => Just('"'),
            1 => Just('\\'),
            1 => Just('/'),
            1 => Just('é'),
            1 => Just('€'),
            1 => Just('😀'),
            1 => Just('\n'),
            1 => Just('\u{1}'),
            1 => Just(' '),
            1 => Just('-'),
        ],
        0..10,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn jstr() -> S {
    (text(), any::<bool>())
        .prop_map(|(s, e)| J::Str(s, e))
        .boxed()
}

fn num(n: impl ToString) -> J {
    J::Num(n.to_string())
}

fn digits(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(0u8..10, 1..=max)
        .prop_map(|v| v.into_iter().map(|d| char::from(b'0' + d)).collect())
}

fn duration_text() -> impl Strategy<Value = String> {
    (
        prop::option::of(Just('-')),
        prop::option::of(0u32..400),
        prop::option::of(0u32..48),
        prop::option::of(0u32..120),
        prop::option::of((0u32..100, prop::option::of(digits(12)))),
    )
        .prop_filter("a component", |(_, d, h, m, s)| {
            d.is_some() || h.is_some() || m.is_some() || s.is_some()
        })
        .prop_map(|(neg, d, h, m, s)| {
            let mut t = String::new();
            if let Some(c) = neg {
                t.push(c);
            }
            t.push('P');
            if let Some(d) = d {
                write!(t, "{d}D").unwrap();
            }
            if h.is_some() || m.is_some() || s.is_some() {
                t.push('T');
            }
            if let Some(h) = h {
                write!(t, "{h}H").unwrap();
            }
            if let Some(m) = m {
                write!(t, "{m}M").unwrap();
            }
            if let Some((s, f)) = s {
                write!(t, "{s}").unwrap();
                if let Some(f) = f {
                    write!(t, ".{f}").unwrap();
                }
                t.push('S');
            }
            t
        })
}

fn timestamp_text() -> impl Strategy<Value = String> {
    (
        (1970u32..2100, 1u32..=12, 1u32..=31),
        (0u32..24, 0u32..60, 0u32..60),
        prop::option::of(digits(12)),
        prop::option::of((any::<bool>(), 0u32..24, 0u32..60)),
    )
        .prop_map(|((y, mo, d), (h, mi, s), frac, off)| {
            let d = d.min(days_in_month(y, mo));
            let mut t = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            if let Some(f) = frac {
                write!(t, ".{f}").unwrap();
            }
            match off {
                None => t.push('Z'),
                Some((neg, oh, om)) => {
                    write!(t, "{}{oh:02}:{om:02}", if neg { '-' } else { '+' }).unwrap()
                }
            }
            t
        })
}

fn leaf(k: K) -> S {
    match k {
        K::Str => jstr(),
        K::I32 => prop_oneof![
            4 => any::<i32>().prop_map(num),
            2 => (-100i32..1000).prop_map(num),
            // OData's IEEE754Compatible form.
            1 => (-100i32..1000).prop_map(|n| J::Str(n.to_string(), false)),
        ]
        .boxed(),
        K::I64 => prop_oneof![
            4 => any::<i64>().prop_map(num),
            1 => Just(num(4_294_967_295u64)),
            1 => any::<i64>().prop_map(|n| J::Str(n.to_string(), false)),
        ]
        .boxed(),
        K::F => prop_oneof![
            // Integer literals in float fields.
            3 => (-5000i64..5000).prop_map(num),
            4 => (-1.0e6f64..1.0e6).prop_map(|x| if x == 0.0 { num(0) } else { num(x) }),
            2 => (0u32..100_000, -12i32..12).prop_map(|(m, e)| J::Num(format!("{m}e{e}"))),
            1 => (0u32..1000, 0u32..1000).prop_map(|(a, b)| J::Num(format!("{a}.{b:03}E+2"))),
            1 => select(vec!["NaN", "INF", "-INF"]).prop_map(|s| J::Str(s.into(), false)),
        ]
        .boxed(),
        K::Bool => any::<bool>().prop_map(J::Bool).boxed(),
        K::Dur => (duration_text(), any::<bool>())
            .prop_map(|(s, e)| J::Str(s, e))
            .boxed(),
        K::Ts => (timestamp_text(), any::<bool>())
            .prop_map(|(s, e)| J::Str(s, e))
            .boxed(),
        K::Enum(members) => prop_oneof![
            5 => (select(members), any::<bool>()).prop_map(|(m, e)| J::Str(m.to_string(), e)),
            1 => (text(), any::<bool>()).prop_map(|(t, e)| J::Str(format!("zz{t}"), e)),
        ]
        .boxed(),
    }
}

fn nullable(s: S) -> S {
    prop_oneof![1 => Just(J::Null), 5 => s].boxed()
}

/// Any JSON value (unknown subtrees, open-type extras).
fn any_json() -> S {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i32>().prop_map(num),
        (-1.0e3f64..1.0e3).prop_map(|x| if x == 0.0 { num(0) } else { num(x) }),
        jstr(),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(J::Arr),
            prop::collection::vec((text(), any::<bool>(), inner), 0..3).prop_map(J::Obj),
        ]
    })
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Record strategies
// ---------------------------------------------------------------------------------------------

/// A property: its name, its value strategy, and the strategy of an earlier duplicate ("decoy")
/// that the later value must override.
struct Field {
    name: &'static str,
    val: S,
    decoy: S,
    /// The probability that the property is present.
    p: f64,
}

fn leaf_field(name: &'static str, k: K) -> Field {
    let v = nullable(leaf(k));
    Field {
        name,
        val: v.clone(),
        decoy: v,
        p: 0.6,
    }
}

fn custom_field(name: &'static str, s: S) -> Field {
    Field {
        name,
        val: s.clone(),
        decoy: s,
        p: 0.6,
    }
}

/// An object-typed property. Its decoy is `null` or `{}`, so that a duplicate never carries
/// annotations or undeclared keys of its own.
fn obj_field(name: &'static str, s: S) -> Field {
    Field {
        name,
        val: nullable(s),
        decoy: prop_oneof![Just(J::Null), Just(J::Obj(vec![]))].boxed(),
        p: 0.6,
    }
}

fn arr_field(name: &'static str, elem: S, max: usize) -> Field {
    let arr = prop::collection::vec(prop_oneof![1 => Just(J::Null), 6 => elem], 0..max)
        .prop_map(J::Arr)
        .boxed();
    // A duplicate array of records is a whole array (with annotations and undeclared keys of its
    // own, which must go with it).
    let v = nullable(arr);
    Field {
        name,
        val: v.clone(),
        decoy: v,
        p: 0.6,
    }
}

/// Marks an extra key to be written with escapes (see [`record`]).
const ESCAPE_KEY: char = '\0';

/// `key`, sometimes marked to be written with escapes (`\u0040odata\u002enextLink`).
fn maybe_escaped(keys: Vec<&'static str>) -> impl Strategy<Value = String> {
    (select(keys), prop::bool::weighted(0.2)).prop_map(|(k, e)| {
        if e {
            format!("{ESCAPE_KEY}{k}")
        } else {
            k.to_string()
        }
    })
}

type Extra = BoxedStrategy<Vec<(String, J)>>;

/// Keys no callRecords type declares (none starts with `x`), with any value.
fn unknown_keys() -> Extra {
    prop::collection::vec(
        (
            maybe_escaped(vec!["xFuture", "xa/b~c", "xÜnï", "xOld", "x"]),
            any_json(),
        ),
        0..2,
    )
    .boxed()
}

/// Instance annotations (records report them; other objects skip them). `@odata.type` only on
/// records, where it is skipped (endpoints and user agents type it).
fn annotation_keys() -> Extra {
    annotations(true)
}

fn nested_annotation_keys() -> Extra {
    annotations(false)
}

fn annotations(with_type: bool) -> Extra {
    let mut keys = vec![
        "@odata.nextLink",
        "@odata.count",
        "segments@odata.context",
        "x@odata.count",
        "media@odata.nextLink",
        "@x.custom",
    ];
    if with_type {
        keys.push("@odata.type");
    }
    prop::collection::vec(
        (
            maybe_escaped(keys),
            prop_oneof![jstr(), (0i32..1000).prop_map(num)],
        ),
        0..2,
    )
    .boxed()
}

fn both(a: Extra, b: Extra) -> Extra {
    (a, b)
        .prop_map(|(mut a, b)| {
            a.extend(b);
            a
        })
        .boxed()
}

type Entry = (String, bool, J, Option<(J, usize)>);

/// An object with a random subset of `fields` (keys escaped at random, some duplicated with an
/// earlier decoy) plus `extra` members (never duplicated), in random order.
fn record(fields: Vec<Field>, extra: Extra) -> S {
    let per: Vec<BoxedStrategy<Option<Entry>>> = fields
        .into_iter()
        .map(|f| {
            let name = f.name;
            prop::option::weighted(
                f.p,
                (
                    prop::bool::weighted(0.15),
                    f.val,
                    prop::option::weighted(0.08, (f.decoy, any::<usize>())),
                ),
            )
            .prop_map(move |o| o.map(|(e, v, d)| (name.to_string(), e, v, d)))
            .boxed()
        })
        .collect();
    (per, extra)
        .prop_flat_map(|(fs, ex)| {
            let mut entries: Vec<Entry> = fs.into_iter().flatten().collect();
            let mut seen = HashSet::new();
            for (k, v) in ex {
                let (k, esc) = match k.strip_prefix(ESCAPE_KEY) {
                    Some(k) => (k.to_string(), true),
                    None => (k, false),
                };
                if seen.insert(k.clone()) {
                    entries.push((k, esc, v, None));
                }
            }
            Just(entries).prop_shuffle()
        })
        .prop_map(|entries| {
            let mut out: Vec<(String, bool, J)> = Vec::new();
            for (k, e, v, d) in entries {
                if let Some((dv, r)) = d {
                    let pos = r % (out.len() + 1);
                    out.insert(pos, (k.clone(), !e, dv));
                }
                out.push((k, e, v));
            }
            J::Obj(out)
        })
        .boxed()
}

fn leaves(tab: &[(&'static str, K)]) -> Vec<Field> {
    tab.iter().map(|(n, k)| leaf_field(n, *k)).collect()
}

fn odata_type(options: Vec<&'static str>) -> Field {
    custom_field(
        "@odata.type",
        nullable(
            select(options)
                .prop_map(|s| J::Str(s.into(), false))
                .boxed(),
        ),
    )
}

fn identity() -> S {
    let mut f = leaves(&[
        ("id", K::Str),
        ("displayName", K::Str),
        ("tenantId", K::Str),
        ("userPrincipalName", K::Str),
    ]);
    f.push(odata_type(vec![
        "#microsoft.graph.identity",
        "#microsoft.graph.communicationsUserIdentity",
        "#microsoft.graph.callRecords.userIdentity",
    ]));
    let extras = prop::collection::vec(
        (
            select(vec![
                "email",
                "hidden",
                "applicationType",
                "x@odata.y",
                "user",
            ])
            .prop_map(String::from),
            any_json(),
        ),
        0..3,
    )
    .boxed();
    record(f, extras)
}

const SET_KEYS: [&str; 12] = [
    "user",
    "application",
    "device",
    "applicationInstance",
    "assertedIdentity",
    "azureCommunicationServicesUser",
    "encrypted",
    "guest",
    "onPremises",
    "phone",
    "acsUser",
    "spoolUser",
];

fn identity_set() -> S {
    let mut f: Vec<Field> = SET_KEYS
        .iter()
        .map(|k| Field {
            name: k,
            val: nullable(identity()),
            decoy: prop_oneof![Just(J::Null), Just(J::Obj(vec![]))].boxed(),
            // About two identities per set; sometimes more than the three kept inline.
            p: 0.18,
        })
        .collect();
    f.push(leaf_field("endpointType", en::<EndpointType<'_>>()));
    f.push(odata_type(vec![
        "#microsoft.graph.identitySet",
        "#microsoft.graph.communicationsIdentitySet",
    ]));
    let extras = prop::collection::vec(
        (
            select(vec!["tenantId", "custom", "id", "@odata.etag"]).prop_map(String::from),
            any_json(),
        ),
        0..2,
    )
    .boxed();
    record(f, extras)
}

fn user_agent() -> S {
    let mut f = leaves(&[
        ("applicationVersion", K::Str),
        ("headerValue", K::Str),
        ("azureADAppId", K::Str),
        ("communicationServiceId", K::Str),
        ("platform", en::<ClientPlatform<'_>>()),
        ("productFamily", en::<ProductFamily<'_>>()),
        ("role", en::<ServiceRole<'_>>()),
    ]);
    f.push(odata_type(vec![
        "#microsoft.graph.callRecords.clientUserAgent",
        "#microsoft.graph.callRecords.serviceUserAgent",
        "microsoft.graph.callRecords.clientUserAgent",
        "#microsoft.graph.callRecords.userAgent",
        "#x.other",
    ]));
    record(f, both(unknown_keys(), nested_annotation_keys()))
}

fn feedback() -> S {
    let tokens = prop::collection::vec(
        (
            select(vec![
                "NoSound",
                "Echo",
                "Noisy",
                "LowVolume",
                "Stopped",
                "x@odata.type",
            ])
            .prop_map(String::from),
            any::<bool>(),
            prop_oneof![4 => any::<bool>().prop_map(J::Bool), 1 => Just(J::Null), 1 => jstr()],
        ),
        0..5,
    )
    .prop_map(|v| {
        // Token names may repeat: the last one wins, whatever its value.
        J::Obj(v)
    })
    .boxed();
    let f = vec![
        leaf_field("rating", en::<UserFeedbackRating<'_>>()),
        leaf_field("text", K::Str),
        obj_field("tokens", tokens),
    ];
    record(f, both(unknown_keys(), nested_annotation_keys()))
}

fn failure_info() -> S {
    record(
        leaves(&[("reason", K::Str), ("stage", en::<FailureStage<'_>>())]),
        unknown_keys(),
    )
}

fn endpoint() -> S {
    let mut f = leaves(&[
        ("cpuCoresCount", K::I32),
        ("cpuName", K::Str),
        ("cpuProcessorSpeedInMhz", K::I32),
        ("name", K::Str),
    ]);
    f.push(odata_type(vec![
        "#microsoft.graph.callRecords.participantEndpoint",
        "#microsoft.graph.callRecords.serviceEndpoint",
        "microsoft.graph.callRecords.participantEndpoint",
        "participantEndpoint",
        "#microsoft.graph.callRecords.endpoint",
        "#other.type",
    ]));
    f.push(obj_field("userAgent", user_agent()));
    f.push(obj_field("associatedIdentity", identity()));
    f.push(obj_field("feedback", feedback()));
    f.push(obj_field("identity", identity_set()));
    record(f, both(unknown_keys(), nested_annotation_keys()))
}

fn modalities() -> S {
    let m = prop_oneof![
        5 => select(Modality::MEMBERS).prop_map(|m| J::Str(m.into(), true)),
        5 => select(Modality::MEMBERS).prop_map(|m| J::Str(m.into(), false)),
        2 => select(vec!["hologram", "smell", "x"]).prop_map(|m| J::Str(m.into(), false)),
        1 => Just(J::Null),
    ];
    nullable(prop::collection::vec(m, 0..5).prop_map(J::Arr).boxed())
}

fn trace_route_hop() -> S {
    record(leaves(HOP), unknown_keys())
}

fn network() -> S {
    let mut f = leaves(NETWORK);
    f.push(arr_field("traceRouteHops", trace_route_hop(), 3));
    record(f, both(unknown_keys(), nested_annotation_keys()))
}

fn device() -> S {
    record(
        leaves(DEVICE),
        both(unknown_keys(), nested_annotation_keys()),
    )
}

fn stream() -> S {
    record(leaves(STREAM), both(unknown_keys(), annotation_keys()))
}

fn media() -> S {
    let f = vec![
        leaf_field("label", K::Str),
        obj_field("callerDevice", device()),
        obj_field("calleeDevice", device()),
        obj_field("callerNetwork", network()),
        obj_field("calleeNetwork", network()),
        arr_field("streams", stream(), 3),
    ];
    record(f, both(unknown_keys(), annotation_keys()))
}

fn endpoints_and_times() -> Vec<Field> {
    vec![
        leaf_field("id", K::Str),
        leaf_field("startDateTime", K::Ts),
        leaf_field("endDateTime", K::Ts),
        obj_field("caller", endpoint()),
        obj_field("callee", endpoint()),
        obj_field("failureInfo", failure_info()),
    ]
}

fn segment() -> S {
    let mut f = endpoints_and_times();
    f.push(arr_field("media", media(), 3));
    record(f, both(unknown_keys(), annotation_keys()))
}

fn session() -> S {
    let mut f = endpoints_and_times();
    f.push(leaf_field("isTest", K::Bool));
    f.push(custom_field("modalities", modalities()));
    f.push(arr_field("segments", segment(), 3));
    record(f, both(unknown_keys(), annotation_keys()))
}

fn participant() -> S {
    let aui = record(vec![leaf_field("id", K::Str)], unknown_keys());
    let f = vec![
        leaf_field("id", K::Str),
        odata_type(vec![
            "#microsoft.graph.callRecords.participant",
            "#microsoft.graph.callRecords.organizer",
        ]),
        obj_field("identity", identity_set()),
        arr_field("administrativeUnitInfos", aui, 3),
    ];
    record(f, both(unknown_keys(), nested_annotation_keys()))
}

/// Top-level members that are never duplicated: `(key, value)`.
fn top(extra: Vec<BoxedStrategy<Option<(String, J)>>>, rest: Extra) -> Extra {
    (extra, rest)
        .prop_map(|(a, mut b)| {
            b.extend(a.into_iter().flatten());
            b
        })
        .boxed()
}

fn context_value(record_id: bool) -> BoxedStrategy<Option<(String, J)>> {
    let ctx = if record_id {
        prop_oneof![
            3 => "[a-z0-9é-]{0,12}".prop_map(|id| format!(
                "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('{id}')/sessions"
            )),
            1 => "[a-z0-9-]{0,12}".prop_map(|id| format!(
                "https://graph.microsoft.com/beta/$metadata#communications/callRecords('{id}')/sessions(segments())"
            )),
            1 => "[a-z ]{0,8}".prop_map(|t| format!("ctx {t}")),
        ]
        .boxed()
    } else {
        prop_oneof![
            Just("https://graph.microsoft.com/v1.0/$metadata#communications/callRecords/$entity".to_string()),
            Just("https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('x1')/$entity".to_string()),
        ]
        .boxed()
    };
    prop::option::weighted(
        0.8,
        prop_oneof![5 => ctx.prop_map(|c| J::Str(c, false)), 1 => Just(J::Null)],
    )
    .prop_map(|o| o.map(|v| ("@odata.context".to_string(), v)))
    .boxed()
}

fn sessions_array(key: &'static str) -> BoxedStrategy<Option<(String, J)>> {
    prop_oneof![
        12 => prop::collection::vec(prop_oneof![1 => Just(J::Null), 8 => session()], 0..4)
            .prop_map(J::Arr),
        1 => Just(J::Null),
    ]
    .prop_map(move |v| Some((key.to_string(), v)))
    .boxed()
}

fn sessions_page() -> S {
    record(
        vec![],
        top(
            vec![context_value(true), sessions_array("value")],
            both(unknown_keys(), annotation_keys()),
        ),
    )
}

fn call_record_doc() -> S {
    call_record(true)
}

/// A callRecords list page: `@odata.context` naming the collection, `value` of call records.
fn call_records_page() -> S {
    let ctx = select(vec![
        "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords",
        "https://graph.microsoft.com/beta/$metadata#communications/callRecords(sessions(segments()))",
    ])
    .prop_map(|c| Some(("@odata.context".to_string(), J::Str(c.into(), false))))
    .boxed();
    let value = prop::collection::vec(
        prop_oneof![1 => Just(J::Null), 6 => call_record(false)],
        0..3,
    )
    .prop_map(|v| Some(("value".to_string(), J::Arr(v))))
    .boxed();
    record(
        vec![],
        top(vec![ctx, value], both(unknown_keys(), annotation_keys())),
    )
}

/// A call record: a whole document (`document`, with its `@odata.context`) or an element of a
/// callRecords list page.
fn call_record(document: bool) -> S {
    let mut f = vec![
        leaf_field("version", K::I64),
        leaf_field("type", en::<CallType<'_>>()),
        custom_field("modalities", modalities()),
        leaf_field("startDateTime", K::Ts),
        leaf_field("endDateTime", K::Ts),
        leaf_field("lastModifiedDateTime", K::Ts),
        leaf_field("joinWebUrl", K::Str),
        obj_field("organizer", identity_set()),
        arr_field("participants", identity_set(), 3),
        obj_field("organizer_v2", participant()),
        arr_field("participants_v2", participant(), 3),
    ];
    // `id` is always present (a callRecord document needs a header field or `sessions`).
    f.push(Field {
        name: "id",
        val: nullable(jstr()),
        decoy: nullable(jstr()),
        p: 0.9,
    });
    let ann = prop::collection::vec(
        (
            select(vec![
                "sessions@odata.nextLink",
                "participants_v2@odata.nextLink",
                "participants_v2@odata.context",
                "sessions@odata.context",
                "@odata.nextLink",
            ])
            .prop_map(String::from),
            jstr(),
        ),
        0..3,
    )
    .boxed();
    let doc = record(
        f,
        top(
            vec![
                if document {
                    context_value(false)
                } else {
                    Just(None).boxed()
                },
                prop::option::weighted(0.85, sessions_array("sessions").prop_map(|o| o.unwrap()))
                    .boxed(),
            ],
            both(unknown_keys(), ann),
        ),
    );
    // Make sure `id` is there.
    doc.prop_map(|d| match d {
        J::Obj(mut m) => {
            if !m.iter().any(|(k, _, _)| k == "id") {
                m.push(("id".into(), false, J::Str("cr".into(), false)));
            }
            J::Obj(m)
        }
        d => d,
    })
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Field tables: one per flat record type, shared by the generator, the reference and the
// parser-side flattener.
// ---------------------------------------------------------------------------------------------

/// Defines the table `$tab` (JSON name, kind) and `$flat`, which flattens the typed fields.
macro_rules! table {
    ($tab:ident, $flat:ident, $ty:ident { $($f:ident : $name:literal => $k:expr,)* }) => {
        const $tab: &[(&str, K)] = &[$(($name, $k)),*];
        fn $flat(o: &mut Vec<Item>, p: &str, x: &$ty<'_>) {
            $( o.push(line(p, $name, x.$f.canon())); )*
        }
    };
}

const fn ek(m: &'static [&'static str]) -> K {
    K::Enum(m)
}

table!(HOP, flat_hop, TraceRouteHop {
    hop_count: "hopCount" => K::I32,
    ip_address: "ipAddress" => K::Str,
    round_trip_time: "roundTripTime" => K::Dur,
});

table!(NETWORK, flat_network_leaves, NetworkInfo {
    bandwidth_low_event_ratio: "bandwidthLowEventRatio" => K::F,
    basic_service_set_identifier: "basicServiceSetIdentifier" => K::Str,
    connection_type: "connectionType" => ek(NetworkConnectionType::MEMBERS),
    delay_event_ratio: "delayEventRatio" => K::F,
    dns_suffix: "dnsSuffix" => K::Str,
    ip_address: "ipAddress" => K::Str,
    link_speed: "linkSpeed" => K::I64,
    mac_address: "macAddress" => K::Str,
    network_transport_protocol: "networkTransportProtocol" => ek(NetworkTransportProtocol::MEMBERS),
    port: "port" => K::I32,
    received_quality_event_ratio: "receivedQualityEventRatio" => K::F,
    reflexive_ip_address: "reflexiveIPAddress" => K::Str,
    relay_ip_address: "relayIPAddress" => K::Str,
    relay_port: "relayPort" => K::I32,
    sent_quality_event_ratio: "sentQualityEventRatio" => K::F,
    subnet: "subnet" => K::Str,
    wifi_band: "wifiBand" => ek(WifiBand::MEMBERS),
    wifi_battery_charge: "wifiBatteryCharge" => K::I32,
    wifi_channel: "wifiChannel" => K::I32,
    wifi_microsoft_driver: "wifiMicrosoftDriver" => K::Str,
    wifi_microsoft_driver_version: "wifiMicrosoftDriverVersion" => K::Str,
    wifi_radio_type: "wifiRadioType" => ek(WifiRadioType::MEMBERS),
    wifi_signal_strength: "wifiSignalStrength" => K::I32,
    wifi_vendor_driver: "wifiVendorDriver" => K::Str,
    wifi_vendor_driver_version: "wifiVendorDriverVersion" => K::Str,
});

use callrecords::schema::DeviceInfo;

table!(DEVICE, flat_device, DeviceInfo {
    capture_device_driver: "captureDeviceDriver" => K::Str,
    capture_device_name: "captureDeviceName" => K::Str,
    capture_not_functioning_event_ratio: "captureNotFunctioningEventRatio" => K::F,
    cpu_insufficent_event_ratio: "cpuInsufficentEventRatio" => K::F,
    device_clipping_event_ratio: "deviceClippingEventRatio" => K::F,
    device_glitch_event_ratio: "deviceGlitchEventRatio" => K::F,
    howling_event_count: "howlingEventCount" => K::I32,
    initial_signal_level_root_mean_square: "initialSignalLevelRootMeanSquare" => K::F,
    low_speech_level_event_ratio: "lowSpeechLevelEventRatio" => K::F,
    low_speech_to_noise_event_ratio: "lowSpeechToNoiseEventRatio" => K::F,
    mic_glitch_rate: "micGlitchRate" => K::F,
    received_noise_level: "receivedNoiseLevel" => K::I32,
    received_signal_level: "receivedSignalLevel" => K::I32,
    render_device_driver: "renderDeviceDriver" => K::Str,
    render_device_name: "renderDeviceName" => K::Str,
    render_mute_event_ratio: "renderMuteEventRatio" => K::F,
    render_not_functioning_event_ratio: "renderNotFunctioningEventRatio" => K::F,
    render_zero_volume_event_ratio: "renderZeroVolumeEventRatio" => K::F,
    sent_noise_level: "sentNoiseLevel" => K::I32,
    sent_signal_level: "sentSignalLevel" => K::I32,
    speaker_glitch_rate: "speakerGlitchRate" => K::F,
});

table!(STREAM, flat_stream_leaves, MediaStream {
    audio_codec: "audioCodec" => ek(AudioCodec::MEMBERS),
    average_audio_degradation: "averageAudioDegradation" => K::F,
    average_audio_network_jitter: "averageAudioNetworkJitter" => K::Dur,
    average_bandwidth_estimate: "averageBandwidthEstimate" => K::I64,
    average_freeze_duration: "averageFreezeDuration" => K::Dur,
    average_jitter: "averageJitter" => K::Dur,
    average_packet_loss_rate: "averagePacketLossRate" => K::F,
    average_ratio_of_concealed_samples: "averageRatioOfConcealedSamples" => K::F,
    average_received_frame_rate: "averageReceivedFrameRate" => K::F,
    average_round_trip_time: "averageRoundTripTime" => K::Dur,
    average_video_frame_loss_percentage: "averageVideoFrameLossPercentage" => K::F,
    average_video_frame_rate: "averageVideoFrameRate" => K::F,
    average_video_packet_loss_rate: "averageVideoPacketLossRate" => K::F,
    end_date_time: "endDateTime" => K::Ts,
    is_audio_forward_error_correction_used: "isAudioForwardErrorCorrectionUsed" => K::Bool,
    low_frame_rate_ratio: "lowFrameRateRatio" => K::F,
    low_video_processing_capability_ratio: "lowVideoProcessingCapabilityRatio" => K::F,
    max_audio_network_jitter: "maxAudioNetworkJitter" => K::Dur,
    max_jitter: "maxJitter" => K::Dur,
    max_packet_loss_rate: "maxPacketLossRate" => K::F,
    max_ratio_of_concealed_samples: "maxRatioOfConcealedSamples" => K::F,
    max_round_trip_time: "maxRoundTripTime" => K::Dur,
    packet_utilization: "packetUtilization" => K::I64,
    post_forward_error_correction_packet_loss_rate: "postForwardErrorCorrectionPacketLossRate" => K::F,
    rms_freeze_duration: "rmsFreezeDuration" => K::Dur,
    start_date_time: "startDateTime" => K::Ts,
    stream_direction: "streamDirection" => ek(MediaStreamDirection::MEMBERS),
    stream_id: "streamId" => K::Str,
    video_codec: "videoCodec" => ek(VideoCodec::MEMBERS),
    was_media_bypassed: "wasMediaBypassed" => K::Bool,
});

table!(UA, flat_ua_leaves, UserAgent {
    application_version: "applicationVersion" => K::Str,
    header_value: "headerValue" => K::Str,
    azure_ad_app_id: "azureADAppId" => K::Str,
    communication_service_id: "communicationServiceId" => K::Str,
    platform: "platform" => ek(ClientPlatform::MEMBERS),
    product_family: "productFamily" => ek(ProductFamily::MEMBERS),
    role: "role" => ek(ServiceRole::MEMBERS),
});

table!(FAILURE, flat_failure, FailureInfo {
    reason: "reason" => K::Str,
    stage: "stage" => ek(FailureStage::MEMBERS),
});

table!(IDENTITY, flat_identity_leaves, Identity {
    odata_type: "@odata.type" => K::Str,
    id: "id" => K::Str,
    display_name: "displayName" => K::Str,
    tenant_id: "tenantId" => K::Str,
    user_principal_name: "userPrincipalName" => K::Str,
});

table!(ENDPOINT, flat_endpoint_leaves, Endpoint {
    odata_type: "@odata.type" => K::Str,
    cpu_cores_count: "cpuCoresCount" => K::I32,
    cpu_name: "cpuName" => K::Str,
    cpu_processor_speed_in_mhz: "cpuProcessorSpeedInMhz" => K::I32,
    name: "name" => K::Str,
});

// ---------------------------------------------------------------------------------------------
// Canonical values
// ---------------------------------------------------------------------------------------------

/// A flattened event: a line, or a member of an annotation/undeclared group.
#[derive(Debug)]
enum Item {
    Line(String),
    Group(String),
}

fn line(p: &str, name: &str, v: String) -> Item {
    Item::Line(format!("{p} {name} = {v}"))
}

/// Joins runs of [`Item::Group`] into one sorted line.
fn normalize(items: Vec<Item>) -> Vec<String> {
    let mut out = Vec::new();
    let mut group: Vec<String> = Vec::new();
    for it in items {
        match it {
            Item::Group(g) => group.push(g),
            Item::Line(l) => {
                if !group.is_empty() {
                    group.sort();
                    out.push(format!("GROUP {group:?}"));
                    group.clear();
                }
                out.push(l);
            }
        }
    }
    if !group.is_empty() {
        group.sort();
        out.push(format!("GROUP {group:?}"));
    }
    out
}

const NULL: &str = "null";

trait Canon {
    fn canon(&self) -> String;
}

fn dec(j: &JsonStr<'_>) -> String {
    j.decode().expect("valid string").into_owned()
}

impl Canon for Option<JsonStr<'_>> {
    fn canon(&self) -> String {
        self.as_ref()
            .map_or(NULL.into(), |j| format!("s:{}", dec(j)))
    }
}
impl Canon for Option<f64> {
    fn canon(&self) -> String {
        self.map_or(NULL.into(), |v| format!("f:{v:?}"))
    }
}
impl Canon for Option<i32> {
    fn canon(&self) -> String {
        self.map_or(NULL.into(), |v| format!("i:{v}"))
    }
}
impl Canon for Option<i64> {
    fn canon(&self) -> String {
        self.map_or(NULL.into(), |v| format!("i:{v}"))
    }
}
impl Canon for Option<bool> {
    fn canon(&self) -> String {
        self.map_or(NULL.into(), |v| format!("b:{v}"))
    }
}
impl Canon for Option<Duration> {
    fn canon(&self) -> String {
        self.map_or(NULL.into(), |v| format!("d:{}", v.as_nanos()))
    }
}
impl Canon for Option<Timestamp> {
    fn canon(&self) -> String {
        self.map_or(NULL.into(), |t| {
            format!(
                "t:{}.{:09}@{}",
                t.unix_seconds(),
                t.subsec_nanos(),
                t.offset_minutes()
            )
        })
    }
}

macro_rules! enum_canon {
    ($($t:ident),*) => {$(
        impl Canon for Option<$t<'_>> {
            fn canon(&self) -> String {
                match self {
                    None => NULL.into(),
                    Some($t::Unknown(j)) => format!("e:{}", dec(j)),
                    Some(k) => format!("e:{}", k.as_str()),
                }
            }
        }
    )*};
}

enum_canon!(
    AudioCodec,
    CallType,
    ClientPlatform,
    FailureStage,
    MediaStreamDirection,
    NetworkConnectionType,
    NetworkTransportProtocol,
    ProductFamily,
    ServiceRole,
    UserFeedbackRating,
    VideoCodec,
    WifiBand,
    WifiRadioType,
    EndpointType
);

fn ref_leaf(v: Option<&Value>, k: K) -> String {
    let v = match v {
        None | Some(Value::Null) => return NULL.into(),
        Some(v) => v,
    };
    match (k, v) {
        (K::Str, Value::String(s)) => format!("s:{s}"),
        (K::I32 | K::I64, Value::Number(n)) => format!("i:{}", n.as_i64().unwrap()),
        (K::I32 | K::I64, Value::String(s)) => format!("i:{}", s.parse::<i64>().unwrap()),
        (K::F, Value::Number(n)) => format!("f:{:?}", n.as_f64().unwrap()),
        (K::F, Value::String(s)) => match s.as_str() {
            "NaN" => format!("f:{:?}", f64::NAN),
            "INF" => format!("f:{:?}", f64::INFINITY),
            "-INF" => format!("f:{:?}", f64::NEG_INFINITY),
            s => panic!("float string {s}"),
        },
        (K::Bool, Value::Bool(b)) => format!("b:{b}"),
        (K::Dur, Value::String(s)) => format!("d:{}", ref_duration(s)),
        (K::Ts, Value::String(s)) => {
            let (secs, nanos, off) = ref_timestamp(s);
            format!("t:{secs}.{nanos:09}@{off}")
        }
        (K::Enum(_), Value::String(s)) => format!("e:{s}"),
        (k, v) => panic!("generator made {v} for {k:?}"),
    }
}

fn ref_leaves(o: &mut Vec<Item>, p: &str, v: &Value, tab: &[(&str, K)]) {
    for (name, k) in tab {
        o.push(line(p, name, ref_leaf(v.get(*name), *k)));
    }
}

/// Nanoseconds of the first nine fractional digits (later ones truncated).
fn frac_nanos(f: &str) -> i64 {
    let mut d: String = f.chars().take(9).collect();
    while d.len() < 9 {
        d.push('0');
    }
    d.parse().unwrap()
}

/// A tiny ISO-8601 day-time duration reader, independent of the crate's.
fn ref_duration(s: &str) -> i64 {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let s = s.strip_prefix('P').unwrap();
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, t),
        None => (s, ""),
    };
    let mut total: i64 = 0;
    if let Some(d) = date.strip_suffix('D') {
        total += d.parse::<i64>().unwrap() * 86_400_000_000_000;
    }
    let mut num = String::new();
    for c in time.chars() {
        match c {
            'H' => total += num.parse::<i64>().unwrap() * 3_600_000_000_000,
            'M' => total += num.parse::<i64>().unwrap() * 60_000_000_000,
            'S' => {
                let (w, f) = num.split_once('.').unwrap_or((&num, ""));
                total += w.parse::<i64>().unwrap() * 1_000_000_000 + frac_nanos(f);
            }
            c => {
                num.push(c);
                continue;
            }
        }
        num.clear();
    }
    if neg {
        -total
    } else {
        total
    }
}

fn days_in_month(y: u32, m: u32) -> u32 {
    let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][m as usize - 1]
}

/// A tiny RFC 3339 reader (years from 1970), independent of the crate's: (unix seconds, nanos,
/// offset minutes).
fn ref_timestamp(s: &str) -> (i64, u32, i16) {
    let n = |a: usize, b: usize| s[a..b].parse::<u32>().unwrap();
    let (y, mo, d, h, mi, sec) = (n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19));
    let rest = &s[19..];
    let (frac, off) = match rest.strip_prefix('.') {
        Some(r) => {
            let i = r.find(|c: char| !c.is_ascii_digit()).unwrap();
            (&r[..i], &r[i..])
        }
        None => ("", rest),
    };
    let off_min: i64 = if off == "Z" {
        0
    } else {
        let sign = if off.starts_with('-') { -1 } else { 1 };
        sign * (off[1..3].parse::<i64>().unwrap() * 60 + off[4..6].parse::<i64>().unwrap())
    };
    let mut days: i64 = 0;
    for yy in 1970..y {
        days += if days_in_month(yy, 2) == 29 { 366 } else { 365 };
    }
    for mm in 1..mo {
        days += i64::from(days_in_month(y, mm));
    }
    days += i64::from(d) - 1;
    let secs = days * 86_400 + i64::from(h * 3600 + mi * 60 + sec) - off_min * 60;
    (secs, frac_nanos(frac) as u32, off_min as i16)
}

// ---------------------------------------------------------------------------------------------
// Parser side: events to items
// ---------------------------------------------------------------------------------------------

fn errs(e: &FieldErrors<'_>) -> String {
    if e.is_empty() {
        return "0".into();
    }
    let v: Vec<String> = e
        .iter()
        .map(|x| format!("{x} {:?} {:?}", x.error, String::from_utf8_lossy(x.raw)))
        .collect();
    format!("{} {v:?}", e.total())
}

fn json_of(raw: &[u8]) -> String {
    serde_json::from_slice::<Value>(raw)
        .expect("raw JSON")
        .to_string()
}

fn flat_modalities(m: &Option<ModalitySet<'_>>) -> String {
    match m {
        None => NULL.into(),
        Some(m) => {
            let v: Vec<String> = m
                .iter()
                .map(|x| match x {
                    Modality::Unknown(j) => format!("?{}", dec(&j)),
                    k => k.as_str().to_string(),
                })
                .collect();
            format!("{v:?} more={}", m.has_more_unknown())
        }
    }
}

fn flat_extras(it: impl Iterator<Item = (JsonStr<'static>, &'static [u8])>) -> String {
    let m: BTreeMap<String, Value> = it
        .map(|(k, v)| (dec(&k), serde_json::from_slice(v).unwrap()))
        .collect();
    serde_json::to_string(&m).unwrap()
}

fn flat_identity(o: &mut Vec<Item>, p: &str, x: &Option<Identity<'static>>) {
    let Some(x) = x else {
        o.push(line(p, "", NULL.into()));
        return;
    };
    flat_identity_leaves(o, p, x);
    o.push(line(p, "extras", flat_extras(x.extras.iter())));
}

fn flat_set(o: &mut Vec<Item>, p: &str, x: &Option<IdentitySet<'static>>) {
    let Some(x) = x else {
        o.push(line(p, "", NULL.into()));
        return;
    };
    o.push(line(p, "@odata.type", x.odata_type.canon()));
    o.push(line(p, "endpointType", x.endpoint_type.canon()));
    for (k, id) in x.iter() {
        flat_identity(o, &format!("{p}/{}", k.as_str()), &Some(id));
    }
    // The accessors agree with the iterator.
    for k in IdentityKind::ALL {
        assert_eq!(
            x.get(k).map(|i| i.id.canon()),
            x.iter().find(|(kk, _)| *kk == k).map(|(_, i)| i.id.canon())
        );
    }
    o.push(line(p, "extras", flat_extras(x.extras.iter())));
}

fn flat_ua(o: &mut Vec<Item>, p: &str, x: &Option<UserAgent<'static>>) {
    let Some(x) = x else {
        o.push(line(p, "", NULL.into()));
        return;
    };
    o.push(line(p, "kind", format!("{:?}", x.kind)));
    o.push(line(p, "@odata.type", x.odata_type.canon()));
    flat_ua_leaves(o, p, x);
}

fn flat_feedback(o: &mut Vec<Item>, p: &str, x: &Option<UserFeedback<'static>>) {
    let Some(x) = x else {
        o.push(line(p, "", NULL.into()));
        return;
    };
    o.push(line(p, "rating", x.rating.canon()));
    o.push(line(p, "text", x.text.canon()));
    let t = x.tokens.map_or(NULL.to_string(), |t| {
        // `get` gives the last value of a token (as serde_json does), `iter` every boolean one.
        let m: BTreeMap<String, bool> = t
            .iter()
            .filter_map(|(k, _)| {
                let k = dec(&k);
                t.get(&k).map(|b| (k, b))
            })
            .collect();
        format!("{m:?}")
    });
    o.push(line(p, "tokens", t));
}

fn flat_endpoint(o: &mut Vec<Item>, p: &str, x: &Option<Endpoint<'static>>) {
    let Some(x) = x else {
        o.push(line(p, "", NULL.into()));
        return;
    };
    o.push(line(p, "kind", format!("{:?}", x.kind)));
    flat_endpoint_leaves(o, p, x);
    flat_ua(o, &format!("{p}/userAgent"), &x.user_agent);
    flat_identity(
        o,
        &format!("{p}/associatedIdentity"),
        &x.associated_identity,
    );
    flat_feedback(o, &format!("{p}/feedback"), &x.feedback);
    flat_set(o, &format!("{p}/identity"), &x.identity);
}

fn flat_failure_opt(o: &mut Vec<Item>, p: &str, x: &Option<FailureInfo<'static>>) {
    match x {
        None => o.push(line(p, "", NULL.into())),
        Some(x) => flat_failure(o, p, x),
    }
}

fn flat_network(o: &mut Vec<Item>, p: &str, x: &Option<NetworkInfo<'static>>) {
    let Some(x) = x else {
        o.push(line(p, "", NULL.into()));
        return;
    };
    flat_network_leaves(o, p, x);
    match x.trace_route_hops {
        None => o.push(line(p, "traceRouteHops", NULL.into())),
        Some(h) => {
            for (i, hop) in h.iter().enumerate() {
                flat_hop(o, &format!("{p}/traceRouteHops#{i}"), &hop);
                o.push(line(p, "hopErrors", errs(&hop.errors)));
            }
        }
    }
}

fn flat_device_opt(o: &mut Vec<Item>, p: &str, x: &Option<DeviceInfo<'static>>) {
    match x {
        None => o.push(line(p, "", NULL.into())),
        Some(x) => flat_device(o, p, x),
    }
}

fn flat_participant(o: &mut Vec<Item>, p: &str, x: &Option<Participant<'static>>) {
    let Some(x) = x else {
        o.push(line(p, "", NULL.into()));
        return;
    };
    o.push(line(p, "@odata.type", x.odata_type.canon()));
    o.push(line(p, "id", x.id.canon()));
    flat_set(o, &format!("{p}/identity"), &x.identity);
    let a = x.administrative_unit_infos.map_or(NULL.to_string(), |a| {
        format!("{:?}", a.iter().map(|u| u.id.canon()).collect::<Vec<_>>())
    });
    o.push(line(p, "administrativeUnitInfos", a));
    o.push(line(p, "errors", errs(&x.errors)));
}

fn flat_session_common(
    o: &mut Vec<Item>,
    p: &str,
    id: &Option<JsonStr<'static>>,
    times: (&Option<Timestamp>, &Option<Timestamp>),
    ends: (&Option<Endpoint<'static>>, &Option<Endpoint<'static>>),
    failure: &Option<FailureInfo<'static>>,
) {
    o.push(line(p, "id", id.canon()));
    o.push(line(p, "startDateTime", times.0.canon()));
    o.push(line(p, "endDateTime", times.1.canon()));
    flat_endpoint(o, &format!("{p}/caller"), ends.0);
    flat_endpoint(o, &format!("{p}/callee"), ends.1);
    flat_failure_opt(o, &format!("{p}/failureInfo"), failure);
}

fn flat_header(o: &mut Vec<Item>, h: &CallRecord<'static>) {
    let p = "HEADER";
    o.push(Item::Line(p.into()));
    o.push(line(p, "id", h.id.canon()));
    o.push(line(p, "version", h.version.canon()));
    o.push(line(p, "type", h.call_type.canon()));
    o.push(line(p, "modalities", flat_modalities(&h.modalities)));
    o.push(line(p, "startDateTime", h.start_date_time.canon()));
    o.push(line(p, "endDateTime", h.end_date_time.canon()));
    o.push(line(
        p,
        "lastModifiedDateTime",
        h.last_modified_date_time.canon(),
    ));
    o.push(line(p, "joinWebUrl", h.join_web_url.canon()));
    flat_set(o, "HEADER/organizer", &h.organizer);
    match h.participants {
        None => o.push(line(p, "participants", NULL.into())),
        Some(ps) => {
            for (i, s) in ps.iter().enumerate() {
                flat_set(o, &format!("HEADER/participants#{i}"), &Some(s));
            }
        }
    }
    flat_participant(o, "HEADER/organizer_v2", &h.organizer_v2);
    match h.participants_v2 {
        None => o.push(line(p, "participants_v2", NULL.into())),
        Some(ps) => {
            for (i, s) in ps.iter().enumerate() {
                flat_participant(o, &format!("HEADER/participants_v2#{i}"), &Some(s));
            }
        }
    }
    o.push(line(p, "errors", errs(&h.errors)));
}

fn flat_events(evs: &[Event<'static>]) -> Vec<Item> {
    let mut o = Vec::new();
    for e in evs {
        match e {
            Event::Page(pg) => {
                o.push(Item::Line(format!("PAGE {:?}", pg.shape)));
                o.push(line("PAGE", "context", pg.context.canon()));
                o.push(line("PAGE", "callRecordId", pg.call_record_id.canon()));
            }
            Event::CallRecord(h) => flat_header(&mut o, h),
            Event::Session(s) => {
                let p = format!("SESSION {}", s.at);
                o.push(Item::Line(p.clone()));
                flat_session_common(
                    &mut o,
                    &p,
                    &s.id,
                    (&s.start_date_time, &s.end_date_time),
                    (&s.caller, &s.callee),
                    &s.failure_info,
                );
                o.push(line(&p, "modalities", flat_modalities(&s.modalities)));
                o.push(line(&p, "isTest", s.is_test.canon()));
                o.push(line(&p, "segmentCount", s.segment_count.to_string()));
                o.push(line(&p, "errors", errs(&s.errors)));
            }
            Event::Segment(g) => {
                let p = format!("SEGMENT {}", g.at);
                o.push(Item::Line(p.clone()));
                o.push(line(&p, "sessionId", g.session_id.canon()));
                flat_session_common(
                    &mut o,
                    &p,
                    &g.id,
                    (&g.start_date_time, &g.end_date_time),
                    (&g.caller, &g.callee),
                    &g.failure_info,
                );
                o.push(line(&p, "mediaCount", g.media_count.to_string()));
                o.push(line(&p, "errors", errs(&g.errors)));
            }
            Event::Media(m) => flat_media(&mut o, m),
            Event::Stream(s) => {
                let p = format!("STREAM {}", s.at);
                o.push(Item::Line(p.clone()));
                o.push(line(&p, "sessionId", s.session_id.canon()));
                o.push(line(&p, "segmentId", s.segment_id.canon()));
                o.push(line(&p, "mediaLabel", s.media_label.canon()));
                flat_stream_leaves(&mut o, &p, s);
                o.push(line(&p, "errors", errs(&s.errors)));
            }
            Event::Annotation(a) => {
                // Keys decoded (`Display` shows them as written).
                let target = a.target.as_ref().map(dec).unwrap_or_default();
                let key = format!("{target}@{}", dec(&a.term));
                let next = a.is_next_link();
                assert_eq!(next, dec(&a.term) == "odata.nextLink");
                o.push(Item::Group(format!(
                    "A {}/{} = {}",
                    a.at,
                    pointer(&key),
                    json_of(a.raw)
                )))
            }
            Event::Undeclared(u) => o.push(Item::Group(format!(
                "U {}{}/{} = {}",
                u.at,
                u.field,
                pointer(&dec(&u.key)),
                json_of(u.raw)
            ))),
        }
    }
    o
}

fn flat_media(o: &mut Vec<Item>, m: &Media<'static>) {
    let p = format!("MEDIA {}", m.at);
    o.push(Item::Line(p.clone()));
    o.push(line(&p, "sessionId", m.session_id.canon()));
    o.push(line(&p, "segmentId", m.segment_id.canon()));
    o.push(line(&p, "label", m.label.canon()));
    flat_device_opt(o, &format!("{p}/callerDevice"), &m.caller_device);
    flat_device_opt(o, &format!("{p}/calleeDevice"), &m.callee_device);
    flat_network(o, &format!("{p}/callerNetwork"), &m.caller_network);
    flat_network(o, &format!("{p}/calleeNetwork"), &m.callee_network);
    o.push(line(&p, "streamCount", m.stream_count.to_string()));
    o.push(line(&p, "errors", errs(&m.errors)));
}

// ---------------------------------------------------------------------------------------------
// Reference side: serde_json::Value to items
// ---------------------------------------------------------------------------------------------

struct Ref {
    o: Vec<Item>,
    report: bool,
}

fn pointer(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn objects(v: Option<&Value>) -> Vec<(usize, &Value)> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter(|(_, x)| x.is_object())
            .collect(),
        _ => Vec::new(),
    }
}

fn obj(v: Option<&Value>) -> Option<&Map<String, Value>> {
    v.and_then(Value::as_object)
}

impl Ref {
    fn line(&mut self, p: &str, name: &str, v: String) {
        self.o.push(line(p, name, v));
    }

    /// Members of a closed nested object that no type declares: undeclared (reported without
    /// `@` keys) at `at` + `field`.
    fn tails(&mut self, tail: &mut Vec<String>, at: &str, field: &str, v: &Value, known: &[&str]) {
        if !self.report {
            return;
        }
        for (k, x) in v.as_object().unwrap() {
            if !known.contains(&k.as_str()) && !k.contains('@') {
                tail.push(format!("U {at}{field}/{} = {x}", pointer(k)));
            }
        }
    }

    /// The record-level members: annotations (except `@odata.type`) and undeclared keys.
    fn record_tails(&mut self, tail: &mut Vec<String>, at: &str, v: &Value, known: &[&str]) {
        for (k, x) in v.as_object().unwrap() {
            if known.contains(&k.as_str()) || k == "@odata.type" {
                continue;
            }
            if k.contains('@') {
                tail.push(format!("A {at}/{} = {x}", pointer(k)));
            } else if self.report {
                tail.push(format!("U {at}/{} = {x}", pointer(k)));
            }
        }
    }

    fn identity(&mut self, p: &str, v: Option<&Value>) {
        let Some(m) = obj(v) else {
            self.line(p, "", NULL.into());
            return;
        };
        let v = v.unwrap();
        ref_leaves(&mut self.o, p, v, IDENTITY);
        let extras: BTreeMap<&String, &Value> = m
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "id" | "displayName" | "tenantId" | "userPrincipalName" | "@odata.type"
                )
            })
            .collect();
        self.line(p, "extras", serde_json::to_string(&extras).unwrap());
    }

    fn set(&mut self, p: &str, v: Option<&Value>) {
        let Some(m) = obj(v) else {
            self.line(p, "", NULL.into());
            return;
        };
        self.line(p, "@odata.type", ref_leaf(m.get("@odata.type"), K::Str));
        self.line(
            p,
            "endpointType",
            ref_leaf(m.get("endpointType"), en::<EndpointType<'_>>()),
        );
        for k in SET_KEYS {
            if let Some(x) = m.get(k).filter(|x| x.is_object()) {
                self.identity(&format!("{p}/{k}"), Some(x));
            }
        }
        let extras: BTreeMap<&String, &Value> = m
            .iter()
            .filter(|(k, _)| {
                !SET_KEYS.contains(&k.as_str())
                    && !matches!(k.as_str(), "endpointType" | "@odata.type")
            })
            .collect();
        self.line(p, "extras", serde_json::to_string(&extras).unwrap());
    }

    fn endpoint(
        &mut self,
        tail: &mut Vec<String>,
        at: &str,
        p: &str,
        field: &str,
        v: Option<&Value>,
    ) {
        let Some(m) = obj(v) else {
            self.line(p, "", NULL.into());
            return;
        };
        let v = v.unwrap();
        let kind = match m.get("@odata.type").and_then(Value::as_str) {
            None => "Endpoint",
            Some(t) => {
                let t = t.strip_prefix('#').unwrap_or(t);
                let t = t.strip_prefix("microsoft.graph.callRecords.").unwrap_or(t);
                match t {
                    "participantEndpoint" => "Participant",
                    "serviceEndpoint" => "Service",
                    "endpoint" => "Endpoint",
                    _ => "Other",
                }
            }
        };
        self.line(p, "kind", kind.into());
        ref_leaves(&mut self.o, p, v, ENDPOINT);
        self.tails(
            tail,
            at,
            field,
            v,
            &[
                "@odata.type",
                "userAgent",
                "associatedIdentity",
                "cpuCoresCount",
                "cpuName",
                "cpuProcessorSpeedInMhz",
                "feedback",
                "identity",
                "name",
            ],
        );
        // userAgent
        let up = format!("{p}/userAgent");
        match obj(m.get("userAgent")) {
            None => self.line(&up, "", NULL.into()),
            Some(u) => {
                let some = |k: &str| u.get(k).is_some_and(|x| !x.is_null());
                let kind = match u.get("@odata.type").and_then(Value::as_str) {
                    Some(t) => match t.rsplit('.').next().unwrap() {
                        "clientUserAgent" => "Client",
                        "serviceUserAgent" => "Service",
                        _ => "Unknown",
                    },
                    None if some("platform") || some("productFamily") => "Client",
                    None if some("role") => "Service",
                    None => "Unknown",
                };
                self.line(&up, "kind", kind.into());
                self.line(&up, "@odata.type", ref_leaf(u.get("@odata.type"), K::Str));
                let uv = m.get("userAgent").unwrap();
                ref_leaves(&mut self.o, &up, uv, UA);
                let mut known: Vec<&str> = UA.iter().map(|(n, _)| *n).collect();
                known.push("@odata.type");
                self.tails(tail, at, &format!("{field}/userAgent"), uv, &known);
            }
        }
        self.identity(
            &format!("{p}/associatedIdentity"),
            m.get("associatedIdentity"),
        );
        // feedback
        let fp = format!("{p}/feedback");
        match obj(m.get("feedback")) {
            None => self.line(&fp, "", NULL.into()),
            Some(f) => {
                let fv = m.get("feedback").unwrap();
                self.line(
                    &fp,
                    "rating",
                    ref_leaf(f.get("rating"), en::<UserFeedbackRating<'_>>()),
                );
                self.line(&fp, "text", ref_leaf(f.get("text"), K::Str));
                let t = match obj(f.get("tokens")) {
                    None => NULL.to_string(),
                    Some(t) => {
                        let m: BTreeMap<String, bool> = t
                            .iter()
                            .filter_map(|(k, v)| v.as_bool().map(|b| (k.clone(), b)))
                            .collect();
                        format!("{m:?}")
                    }
                };
                self.line(&fp, "tokens", t);
                self.tails(
                    tail,
                    at,
                    &format!("{field}/feedback"),
                    fv,
                    &["rating", "text", "tokens"],
                );
            }
        }
        self.set(&format!("{p}/identity"), m.get("identity"));
    }

    fn failure(&mut self, tail: &mut Vec<String>, at: &str, p: &str, v: Option<&Value>) {
        match v.filter(|v| v.is_object()) {
            None => self.line(p, "", NULL.into()),
            Some(v) => {
                ref_leaves(&mut self.o, p, v, FAILURE);
                self.tails(tail, at, "/failureInfo", v, &["reason", "stage"]);
            }
        }
    }

    fn modalities(v: Option<&Value>) -> String {
        let Some(a) = v.and_then(Value::as_array) else {
            return NULL.into();
        };
        let mut known = [false; 6];
        let mut unknown: Vec<String> = Vec::new();
        let mut more = false;
        for x in a.iter().filter_map(Value::as_str) {
            match Modality::MEMBERS.iter().position(|m| *m == x) {
                Some(i) => known[i] = true,
                None => {
                    // Two are kept inline; the rest is read from the array's text, and flagged.
                    if !unknown.iter().any(|u| u == x) {
                        more |= unknown.len() >= 2;
                        unknown.push(x.to_string());
                    }
                }
            }
        }
        let mut v: Vec<String> = Modality::MEMBERS
            .iter()
            .zip(known)
            .filter(|(_, k)| *k)
            .map(|(m, _)| m.to_string())
            .collect();
        v.extend(unknown.into_iter().map(|u| format!("?{u}")));
        format!("{v:?} more={more}")
    }

    fn common(&mut self, tail: &mut Vec<String>, at: &str, p: &str, v: &Value) {
        self.line(p, "id", ref_leaf(v.get("id"), K::Str));
        self.line(p, "startDateTime", ref_leaf(v.get("startDateTime"), K::Ts));
        self.line(p, "endDateTime", ref_leaf(v.get("endDateTime"), K::Ts));
        self.endpoint(tail, at, &format!("{p}/caller"), "/caller", v.get("caller"));
        self.endpoint(tail, at, &format!("{p}/callee"), "/callee", v.get("callee"));
        self.failure(tail, at, &format!("{p}/failureInfo"), v.get("failureInfo"));
    }

    fn session(&mut self, at: &str, v: &Value) {
        let p = format!("SESSION {at}");
        self.o.push(Item::Line(p.clone()));
        let mut tail = Vec::new();
        self.common(&mut tail, at, &p, v);
        self.line(&p, "modalities", Self::modalities(v.get("modalities")));
        self.line(&p, "isTest", ref_leaf(v.get("isTest"), K::Bool));
        let segs = objects(v.get("segments"));
        self.line(&p, "segmentCount", segs.len().to_string());
        self.line(&p, "errors", "0".into());
        self.record_tails(
            &mut tail,
            at,
            v,
            &[
                "id",
                "startDateTime",
                "endDateTime",
                "caller",
                "callee",
                "failureInfo",
                "isTest",
                "modalities",
                "segments",
            ],
        );
        let sid = ref_leaf(v.get("id"), K::Str);
        for (j, g) in segs {
            self.segment(&mut tail, &format!("{at}/segments/{j}"), g, &sid);
        }
        self.o.extend(tail.into_iter().map(Item::Group));
    }

    fn segment(&mut self, tail: &mut Vec<String>, at: &str, v: &Value, sid: &str) {
        let p = format!("SEGMENT {at}");
        self.o.push(Item::Line(p.clone()));
        self.line(&p, "sessionId", sid.into());
        self.common(tail, at, &p, v);
        let media = objects(v.get("media"));
        self.line(&p, "mediaCount", media.len().to_string());
        self.line(&p, "errors", "0".into());
        self.record_tails(
            tail,
            at,
            v,
            &[
                "id",
                "startDateTime",
                "endDateTime",
                "caller",
                "callee",
                "failureInfo",
                "media",
            ],
        );
        let gid = ref_leaf(v.get("id"), K::Str);
        for (k, m) in media {
            self.media(tail, &format!("{at}/media/{k}"), m, sid, &gid);
        }
    }

    fn network(
        &mut self,
        tail: &mut Vec<String>,
        at: &str,
        p: &str,
        field: &str,
        v: Option<&Value>,
    ) {
        let Some(v) = v.filter(|v| v.is_object()) else {
            self.line(p, "", NULL.into());
            return;
        };
        ref_leaves(&mut self.o, p, v, NETWORK);
        match v.get("traceRouteHops").and_then(Value::as_array) {
            None => self.line(p, "traceRouteHops", NULL.into()),
            Some(_) => {
                for (i, (_, h)) in objects(v.get("traceRouteHops")).into_iter().enumerate() {
                    ref_leaves(&mut self.o, &format!("{p}/traceRouteHops#{i}"), h, HOP);
                    self.line(p, "hopErrors", "0".into());
                }
            }
        }
        let mut known: Vec<&str> = NETWORK.iter().map(|(n, _)| *n).collect();
        known.push("traceRouteHops");
        self.tails(tail, at, field, v, &known);
    }

    fn device(
        &mut self,
        tail: &mut Vec<String>,
        at: &str,
        p: &str,
        field: &str,
        v: Option<&Value>,
    ) {
        let Some(v) = v.filter(|v| v.is_object()) else {
            self.line(p, "", NULL.into());
            return;
        };
        ref_leaves(&mut self.o, p, v, DEVICE);
        let known: Vec<&str> = DEVICE.iter().map(|(n, _)| *n).collect();
        self.tails(tail, at, field, v, &known);
    }

    fn media(&mut self, tail: &mut Vec<String>, at: &str, v: &Value, sid: &str, gid: &str) {
        let p = format!("MEDIA {at}");
        self.o.push(Item::Line(p.clone()));
        self.line(&p, "sessionId", sid.into());
        self.line(&p, "segmentId", gid.into());
        self.line(&p, "label", ref_leaf(v.get("label"), K::Str));
        for (k, f) in [
            ("callerDevice", "/callerDevice"),
            ("calleeDevice", "/calleeDevice"),
        ] {
            self.device(tail, at, &format!("{p}{f}"), f, v.get(k));
        }
        for (k, f) in [
            ("callerNetwork", "/callerNetwork"),
            ("calleeNetwork", "/calleeNetwork"),
        ] {
            self.network(tail, at, &format!("{p}{f}"), f, v.get(k));
        }
        let streams = objects(v.get("streams"));
        self.line(&p, "streamCount", streams.len().to_string());
        self.line(&p, "errors", "0".into());
        self.record_tails(
            tail,
            at,
            v,
            &[
                "label",
                "callerDevice",
                "calleeDevice",
                "callerNetwork",
                "calleeNetwork",
                "streams",
            ],
        );
        let label = ref_leaf(v.get("label"), K::Str);
        for (i, s) in streams {
            let sat = format!("{at}/streams/{i}");
            let p = format!("STREAM {sat}");
            self.o.push(Item::Line(p.clone()));
            self.line(&p, "sessionId", sid.into());
            self.line(&p, "segmentId", gid.into());
            self.line(&p, "mediaLabel", label.clone());
            ref_leaves(&mut self.o, &p, s, STREAM);
            self.line(&p, "errors", "0".into());
            let known: Vec<&str> = STREAM.iter().map(|(n, _)| *n).collect();
            self.record_tails(tail, &sat, s, &known);
        }
    }

    fn participant(&mut self, tail: Option<(&mut Vec<String>, &str)>, p: &str, v: Option<&Value>) {
        let Some(m) = obj(v) else {
            self.line(p, "", NULL.into());
            return;
        };
        self.line(p, "@odata.type", ref_leaf(m.get("@odata.type"), K::Str));
        self.line(p, "id", ref_leaf(m.get("id"), K::Str));
        self.set(&format!("{p}/identity"), m.get("identity"));
        let a = match m.get("administrativeUnitInfos") {
            Some(Value::Array(_)) => format!(
                "{:?}",
                objects(m.get("administrativeUnitInfos"))
                    .into_iter()
                    .map(|(_, u)| ref_leaf(u.get("id"), K::Str))
                    .collect::<Vec<_>>()
            ),
            _ => NULL.into(),
        };
        self.line(p, "administrativeUnitInfos", a);
        self.line(p, "errors", "0".into());
        if let Some((tail, at)) = tail {
            self.tails(
                tail,
                at,
                "/organizer_v2",
                v.unwrap(),
                &["@odata.type", "id", "identity", "administrativeUnitInfos"],
            );
        }
    }

    /// The callRecord header of `m` (a document or a list element at `at`).
    fn header(&mut self, m: &Map<String, Value>, at: &str, tail: &mut Vec<String>) {
        let p = "HEADER";
        self.o.push(Item::Line(p.into()));
        self.line(p, "id", ref_leaf(m.get("id"), K::Str));
        self.line(p, "version", ref_leaf(m.get("version"), K::I64));
        self.line(p, "type", ref_leaf(m.get("type"), en::<CallType<'_>>()));
        self.line(p, "modalities", Self::modalities(m.get("modalities")));
        for k in ["startDateTime", "endDateTime", "lastModifiedDateTime"] {
            self.line(p, k, ref_leaf(m.get(k), K::Ts));
        }
        self.line(p, "joinWebUrl", ref_leaf(m.get("joinWebUrl"), K::Str));
        self.set("HEADER/organizer", m.get("organizer"));
        match m.get("participants") {
            Some(Value::Array(_)) => {
                for (i, (_, s)) in objects(m.get("participants")).into_iter().enumerate() {
                    self.set(&format!("HEADER/participants#{i}"), Some(s));
                }
            }
            _ => self.line(p, "participants", NULL.into()),
        }
        self.participant(
            Some((tail, at)),
            "HEADER/organizer_v2",
            m.get("organizer_v2"),
        );
        match m.get("participants_v2") {
            Some(Value::Array(_)) => {
                for (i, (_, s)) in objects(m.get("participants_v2")).into_iter().enumerate() {
                    self.participant(None, &format!("HEADER/participants_v2#{i}"), Some(s));
                }
            }
            _ => self.line(p, "participants_v2", NULL.into()),
        }
        self.line(p, "errors", "0".into());
    }

    fn document(&mut self, doc: &Value) {
        const HEADER_KEYS: [&str; 13] = [
            "id",
            "version",
            "type",
            "modalities",
            "startDateTime",
            "endDateTime",
            "lastModifiedDateTime",
            "joinWebUrl",
            "organizer",
            "participants",
            "organizer_v2",
            "participants_v2",
            "sessions",
        ];
        let m = doc.as_object().unwrap();
        let ctx = m.get("@odata.context");
        let list = ctx.and_then(Value::as_str).is_some_and(|c| {
            c.contains("communications/callRecords")
                && !c.contains("/sessions")
                && !c.contains("$entity")
                && !c.contains("callRecords('")
        });
        let shape = if !m.contains_key("value") {
            "CallRecord"
        } else if list {
            "CallRecordsPage"
        } else {
            "SessionsPage"
        };
        self.o.push(Item::Line(format!("PAGE {shape}")));
        self.line("PAGE", "context", ref_leaf(ctx, K::Str));
        let id = ctx
            .and_then(Value::as_str)
            .and_then(|c| {
                let i = c.find("callRecords('")? + "callRecords('".len();
                let n = c[i..].find('\'')?;
                Some(format!("s:{}", &c[i..i + n]))
            })
            .unwrap_or(NULL.into());
        self.line("PAGE", "callRecordId", id);
        let mut trailer = Vec::new();
        let mut known = vec!["@odata.context"];
        match shape {
            "CallRecord" => {
                self.header(m, "", &mut trailer);
                known.extend(HEADER_KEYS);
                for (i, s) in objects(m.get("sessions")) {
                    self.session(&format!("/sessions/{i}"), s);
                }
            }
            "SessionsPage" => {
                known.push("value");
                for (i, s) in objects(m.get("value")) {
                    self.session(&format!("/value/{i}"), s);
                }
            }
            _ => {
                known.push("value");
                for (n, r) in objects(m.get("value")) {
                    let at = format!("/value/{n}");
                    let mut tail = Vec::new();
                    self.header(r.as_object().unwrap(), &at, &mut tail);
                    for (i, s) in objects(r.get("sessions")) {
                        self.session(&format!("{at}/sessions/{i}"), s);
                    }
                    self.record_tails(&mut tail, &at, r, &HEADER_KEYS);
                    self.o.extend(tail.into_iter().map(Item::Group));
                }
            }
        }
        self.record_tails(&mut trailer, "", doc, &known);
        self.o.extend(trailer.into_iter().map(Item::Group));
    }
}

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

fn parse_items(text: &'static str, report: bool) -> Vec<String> {
    let evs: Vec<Event<'static>> = Events::with_options(
        text.as_bytes(),
        Options::default().report_undeclared(report),
    )
    .collect::<Result<_, _>>()
    .unwrap_or_else(|e| panic!("{e}\n{text}"));
    normalize(flat_events(&evs))
}

fn reference_items(text: &str, report: bool) -> Vec<String> {
    let v: Value = serde_json::from_str(text).expect("serde_json reads the document");
    let mut r = Ref {
        o: Vec::new(),
        report,
    };
    r.document(&v);
    normalize(r.o)
}

fn check(doc: &J) -> Result<(), TestCaseError> {
    let compact = to_text(doc, false);
    let pretty = to_text(doc, true);
    let t0 = std::time::Instant::now();
    let r = check_texts(compact, pretty);
    if std::env::var_os("DIFF_STATS").is_some() {
        eprintln!("checked in {:?}", t0.elapsed());
    }
    r
}

fn check_texts(compact: String, pretty: String) -> Result<(), TestCaseError> {
    let a: Value = serde_json::from_str(&compact).unwrap();
    let b: Value = serde_json::from_str(&pretty).unwrap();
    prop_assert_eq!(&a, &b);
    for text in [compact, pretty] {
        // Records borrow the text; leak it for the test's lifetime (small documents).
        let text: &'static str = Box::leak(text.into_boxed_str());
        for report in [false, true] {
            let got = parse_items(text, report);
            let want = reference_items(text, report);
            if got != want {
                let first = got
                    .iter()
                    .zip(&want)
                    .position(|(g, w)| g != w)
                    .unwrap_or(got.len().min(want.len()));
                return Err(TestCaseError::fail(format!(
                    "report_undeclared={report}: first difference at line {first}\n got: {:?}\nwant: {:?}\ndocument:\n{text}",
                    got.get(first),
                    want.get(first)
                )));
            }
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    #[test]
    fn sessions_pages_match_the_reference(doc in sessions_page()) {
        check(&doc)?;
    }

    #[test]
    fn call_record_documents_match_the_reference(doc in call_record_doc()) {
        check(&doc)?;
    }

    #[test]
    fn call_records_list_pages_match_the_reference(doc in call_records_page()) {
        check(&doc)?;
    }
}

#[test]
fn the_writer_escapes_keys_and_values() {
    let mut s = String::new();
    write_str("caller", true, &mut s);
    assert_eq!(s, r#""c\u0061l\u006Ce\u0072""#);
    let mut s = String::new();
    write_str("a/é😀\"\\", true, &mut s);
    assert_eq!(serde_json::from_str::<String>(&s).unwrap(), "a/é😀\"\\");
    assert!(s.contains(r"\ud83d") || s.contains(r"\uD83D"), "{s}");
}

/// Every event as a line, annotations and undeclared keys with their paths (undeclared reported).
fn lines(doc: &str) -> Vec<String> {
    Events::with_options(doc.as_bytes(), Options::default().report_undeclared(true))
        .map(|e| match e.unwrap() {
            Event::Annotation(a) => format!("A {a} next={}", a.is_next_link()),
            Event::Undeclared(u) => format!("U {u}"),
            Event::Session(s) => format!("session {} {}", s.at, s.segment_count),
            Event::Segment(g) => format!("segment {} {:?}", g.at, g.id.map(|i| dec(&i))),
            Event::Media(m) => format!("media {} {}", m.at, m.stream_count),
            Event::Stream(s) => format!("stream {}", s.at),
            Event::Page(_) => "page".into(),
            Event::CallRecord(_) => "callRecord".into(),
        })
        .collect()
}

/// Found while building the differential test: a duplicate `segments` (`media`, `streams`) dropped the
/// earlier array's records but kept the annotations and undeclared keys met inside them, now
/// pointing at the surviving array's records.
#[test]
fn duplicate_children_array_drops_its_annotations() {
    let doc = r#"{"value":[{"id":"s","segments":[{"id":"old","x@odata.count":1,"junk":2,
        "media":[{"streams":[{"y@odata.count":3}],"streams":[]}]}],"a@odata.count":4,
        "segments":[{"id":"new","media":[{"streams":[{}],"q":1,"streams":[{"z@odata.count":5}]}]}]}]}"#;
    assert_eq!(
        lines(doc),
        [
            "page",
            "session /value/0 1",
            r#"segment /value/0/segments/0 Some("new")"#,
            "media /value/0/segments/0/media/0 1",
            "stream /value/0/segments/0/media/0/streams/0",
            "A /value/0/a@odata.count next=false",
            "U /value/0/segments/0/media/0/q",
            "A /value/0/segments/0/media/0/streams/0/z@odata.count next=false",
        ]
    );
}

/// Found while building the differential test: keys of annotations were matched on their raw text, so an
/// escaped `@` made an annotation an undeclared key, an escaped `@odata.type` on a record became
/// an annotation, and `is_next_link` missed an escaped term.
#[test]
fn escaped_annotation_keys() {
    let doc = r#"{"value":[{"id":"s","@odata.next\u004cink":"n","@odata.typ\u0065":"t",
        "segments\u0040odata.context":"c","caller":{"x\u0040odata.y":1,"junk":2}}]}"#;
    assert_eq!(
        lines(doc),
        [
            "page",
            "session /value/0 0",
            r"A /value/0/@odata.next\u004cink next=true",
            "A /value/0/segments@odata.context next=false",
            "U /value/0/caller/junk",
        ]
    );
    let evs: Vec<Event<'_>> = callrecords::events(doc.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let Event::Annotation(a) = evs[3] else {
        panic!("{:?}", evs[3])
    };
    assert_eq!(a.target.map(|t| dec(&t)).as_deref(), Some("segments"));
    assert_eq!(dec(&a.term), "odata.context");
}

/// Found while building the differential test: a repeated feedback token whose last value is not a boolean
/// kept its earlier boolean value; serde_json's last-wins gives `null`.
#[test]
fn repeated_feedback_token_last_wins() {
    let doc = br#"{"value":[{"caller":{"feedback":{"tokens":
        {"Echo":true,"Echo":null,"Noisy":null,"Noisy":false,"N\u006fSound":1,"NoSound":true}}}}]}"#;
    let evs: Vec<Event<'_>> = callrecords::events(doc).collect::<Result<_, _>>().unwrap();
    let Event::Session(s) = evs[1] else { panic!() };
    let t = s.caller.unwrap().feedback.unwrap().tokens.unwrap();
    assert_eq!(t.get("Echo"), None);
    assert_eq!(t.get("Noisy"), Some(false));
    assert_eq!(t.get("NoSound"), Some(true));
    let all: Vec<(String, bool)> = t.iter().map(|(k, b)| (dec(&k), b)).collect();
    assert_eq!(
        all,
        [
            ("Echo".to_string(), true),
            ("Noisy".to_string(), false),
            ("NoSound".to_string(), true)
        ]
    );
}
