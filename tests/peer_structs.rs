//! The benchmark peers (serde_json, sonic-rs, simd-json into the typed borrowed structs of
//! `benches/support/peers.rs`) agree with each other on every docs corpus file, and their record
//! counts match a `serde_json::Value` walk.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/support/mod.rs"]
mod support;

use std::borrow::Cow;
use support::payload::{docs_files, first_sessions, payload, Payload, PAGE_SESSIONS};
use support::peers::{serde_json_parse, sonic_rs_parse, Counts, Document, SimdJsonPeer};

/// Record counts from an untyped walk.
fn value_counts(doc: &serde_json::Value) -> Counts {
    let arr = |v: &serde_json::Value, k: &str| -> Vec<serde_json::Value> {
        v.get(k)
            .and_then(|x| x.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let mut c = Counts::default();
    for key in ["value", "sessions"] {
        for s in arr(doc, key) {
            c.sessions += 1;
            for g in arr(&s, "segments") {
                c.segments += 1;
                for m in arr(&g, "media") {
                    c.media += 1;
                    c.streams += arr(&m, "streams").len();
                }
            }
        }
    }
    c
}

/// Parses `bytes` with all three peers, asserts they agree, and checks the counts.
fn check_agree(name: &str, bytes: &[u8], simd: &mut SimdJsonPeer) -> Counts {
    let a = serde_json_parse(bytes).unwrap_or_else(|e| panic!("{name}: serde_json: {e}"));
    let b = sonic_rs_parse(bytes).unwrap_or_else(|e| panic!("{name}: sonic-rs: {e}"));
    assert_eq!(a, b, "{name}: serde_json vs sonic-rs");
    {
        let c = simd
            .parse(bytes)
            .unwrap_or_else(|e| panic!("{name}: simd-json: {e}"));
        assert_eq!(a, c, "{name}: serde_json vs simd-json");
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let counts = a.counts();
    assert_eq!(counts, value_counts(&value), "{name}: counts");
    counts
}

#[test]
fn peers_agree_on_docs_corpus() {
    let files = docs_files();
    assert_eq!(
        files.len(),
        13,
        "docs corpus minus the two _jsonrep templates"
    );
    let mut simd = SimdJsonPeer::default();
    let mut total = Counts::default();
    for (name, bytes) in &files {
        let c = check_agree(name, bytes, &mut simd);
        assert!(c.sessions > 0, "{name}: no sessions");
        total.sessions += c.sessions;
        total.segments += c.segments;
        total.media += c.media;
        total.streams += c.streams;
    }
    assert!(
        total.segments > 0 && total.media > 0 && total.streams > 0,
        "{total:?}"
    );
}

#[test]
fn peers_parse_values_and_borrow() {
    let files = docs_files();
    let (_, bytes) = files
        .iter()
        .find(|(n, _)| n == "legacy2021_v1.0_callrecords-session-list_example2.json")
        .unwrap();
    let doc: Document<'_> = serde_json_parse(bytes).unwrap();
    let session = doc.all_sessions().next().unwrap();
    // Unescaped strings are borrowed from the input, by every peer.
    assert!(matches!(session.id.as_ref().unwrap().0, Cow::Borrowed(_)));
    let sonic = sonic_rs_parse(bytes).unwrap();
    let id = &sonic.all_sessions().next().unwrap().id;
    assert!(
        matches!(id.as_ref().unwrap().0, Cow::Borrowed(_)),
        "sonic-rs"
    );
    let mut simd = SimdJsonPeer::default();
    let simd_doc = simd.parse(bytes).unwrap();
    let id = &simd_doc.all_sessions().next().unwrap().id;
    assert!(
        matches!(id.as_ref().unwrap().0, Cow::Borrowed(_)),
        "simd-json"
    );
    let start = session.start_date_time.unwrap().0;
    assert_eq!(
        (start.unix_seconds, start.nanos, start.offset_minutes),
        (1_582_656_741, 216_988_900, 0)
    );
    let media = &session.segments.as_ref().unwrap()[0]
        .media
        .as_ref()
        .unwrap()[0];
    let stream = &media.streams.as_ref().unwrap()[0];
    assert_eq!(stream.average_audio_degradation, None);
    assert!(stream.average_jitter.is_some());
    let net = media.callee_network.as_ref().unwrap();
    assert_eq!(net.link_speed, Some(4_294_967_295));

    // The duplicate `@odata.type` example parses (endpoint `@odata.type` is not read).
    let (_, dup) = files
        .iter()
        .find(|(n, _)| n == "v1.0_callrecords-callrecord-list-sessions_example2.json")
        .unwrap();
    assert!(serde_json_parse(dup).is_ok());

    // Every duration in the corpus ends up as exact nanoseconds.
    let (_, get) = files
        .iter()
        .find(|(n, _)| n == "v1.0_callrecords-callrecord-get_example2.json")
        .unwrap();
    let doc = serde_json_parse(get).unwrap();
    let s = doc.all_sessions().next().unwrap();
    let stream = &s.segments.as_ref().unwrap()[0].media.as_ref().unwrap()[0]
        .streams
        .as_ref()
        .unwrap()[0];
    assert_eq!(stream.average_jitter.map(|d| d.0), Some(16_000_000));
    assert_eq!(
        doc.organizer_v2
            .as_ref()
            .and_then(|o| o.id.as_ref())
            .map(|s| &*s.0),
        Some("821809f5-0000-0000-0000-3b5136c0e777")
    );
}

#[test]
fn peers_agree_on_bench_payloads() {
    let mut simd = SimdJsonPeer::default();
    let page = payload(Payload::Page60);
    assert_eq!(
        check_agree("page60", &page, &mut simd).sessions,
        PAGE_SESSIONS
    );
    for kind in [
        Payload::Pretty {
            target_bytes: 512 << 10,
        },
        Payload::Compact {
            target_bytes: 512 << 10,
        },
    ] {
        let bytes = payload(kind);
        assert!(bytes.len() >= 512 << 10, "{kind:?}: {} bytes", bytes.len());
        check_agree(&format!("{kind:?}"), &bytes, &mut simd);
        // `first_sessions` (how the 60-session page is cut from a generated page) keeps the
        // sessions byte for byte, from pretty and compact input.
        let cut = first_sessions(&bytes, 5).unwrap();
        assert_eq!(check_agree("first_sessions", &cut, &mut simd).sessions, 5);
        assert!(first_sessions(&page, PAGE_SESSIONS + 1).is_none());
    }
}

#[test]
fn duration_parser() {
    use support::values::parse_duration;
    assert_eq!(parse_duration("PT0.016S"), Some(16_000_000));
    assert_eq!(parse_duration("PT1S"), Some(1_000_000_000));
    assert_eq!(parse_duration("PT0S"), Some(0));
    assert_eq!(parse_duration("PT1M2.5S"), Some(62_500_000_000));
    assert_eq!(parse_duration("P1DT1H"), Some(90_000_000_000_000));
    assert_eq!(parse_duration("-PT0.0000000019S"), Some(-1));
    for bad in [
        "", "P", "PT", "T1S", "PT1", "PT1.S", "PT1S1M", "P1H", "PT1.5M", "PT1SX",
    ] {
        assert_eq!(parse_duration(bad), None, "{bad}");
    }
}

#[test]
fn timestamp_parser() {
    use support::values::{parse_timestamp, Instant};
    let t = parse_timestamp("2020-02-25T18:52:21.2169889Z");
    let want = Instant {
        unix_seconds: 1_582_656_741,
        nanos: 216_988_900,
        offset_minutes: 0,
    };
    assert_eq!(t, Some(want));
    let t = parse_timestamp("1970-01-01T01:00:00+01:00");
    let want = Instant {
        unix_seconds: 0,
        nanos: 0,
        offset_minutes: 60,
    };
    assert_eq!(t, Some(want));
    for bad in [
        "2020-02-30T00:00:00Z",
        "2020-02-25T18:52:21",
        "2020-02-25T18:52:21.Z",
    ] {
        assert_eq!(parse_timestamp(bad), None, "{bad}");
    }
}

/// Session, segment, media and stream counts from the crate's event iterator.
fn event_counts(bytes: &[u8]) -> Counts {
    let mut c = Counts::default();
    for ev in callrecords::events(bytes) {
        match ev.unwrap() {
            callrecords::Event::Session(_) => c.sessions += 1,
            callrecords::Event::Segment(_) => c.segments += 1,
            callrecords::Event::Media(_) => c.media += 1,
            callrecords::Event::Stream(_) => c.streams += 1,
            _ => {}
        }
    }
    c
}

#[test]
fn peers_agree_on_generated_documents_and_with_events() {
    use callrecords::generate::{to_vec, GenOptions, Shape};
    let mut simd = SimdJsonPeer::default();
    for shape in [Shape::Sessions, Shape::CallRecord] {
        for compact in [false, true] {
            for seed in 1..4 {
                let bytes = to_vec(&GenOptions {
                    seed,
                    target_bytes: 64 << 10,
                    compact,
                    shape,
                });
                let name = format!("{shape:?} compact={compact} seed={seed}");
                let counts = check_agree(&name, &bytes, &mut simd);
                assert_eq!(counts, event_counts(&bytes), "{name}: peers vs events");
            }
        }
    }
    for (name, bytes) in docs_files() {
        let counts = serde_json_parse(&bytes).unwrap().counts();
        assert_eq!(counts, event_counts(&bytes), "{name}: peers vs events");
    }
}
