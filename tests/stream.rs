//! Streaming input: the `Feeder` and the `Reader` cut the stream into the same sections wherever
//! the chunk boundaries fall, those sections are exactly the document's parts, and errors carry
//! stream positions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test failures should panic

use std::io::{self, Read};
use std::path::PathBuf;

use callrecords::{Error, ErrorKind, Event, Feeder, Reader, Section, SectionKind, StreamOptions};
use proptest::prelude::*;

#[path = "support/first_error.rs"]
mod first_error;
use serde_json::Value;

/// One section, owned: kind, JSON text, stream offset.
type Owned = (SectionKind, Vec<u8>, u64);

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus/docs")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the docs corpus is missing");
    files
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).expect("read corpus file"))
        })
        .collect()
}

/// Feeds `doc` cut at `cuts` (ascending), taking every section after each chunk.
fn feed_cuts(doc: &[u8], cuts: &[usize], options: StreamOptions) -> Result<Vec<Owned>, Error> {
    let mut out = Vec::new();
    let mut feeder = Feeder::with_options(options);
    let mut from = 0;
    for &cut in cuts.iter().chain(Some(&doc.len())) {
        feeder.feed(&doc[from..cut]);
        from = cut;
        while let Some(s) = feeder.next_section()? {
            out.push((s.kind(), s.bytes().to_vec(), s.offset()));
        }
    }
    feeder.finish();
    while let Some(s) = feeder.next_section()? {
        out.push((s.kind(), s.bytes().to_vec(), s.offset()));
    }
    assert!(feeder.is_done());
    Ok(out)
}

fn read_all<R: Read>(reader: R, options: StreamOptions) -> Result<Vec<Owned>, Error> {
    let mut out = Vec::new();
    let mut reader = Reader::with_options(reader, options);
    while let Some(s) = reader.next_section()? {
        out.push((s.kind(), s.bytes().to_vec(), s.offset()));
    }
    Ok(out)
}

/// A reader that hands out at most `n` bytes per call.
struct Trickle<R> {
    inner: R,
    n: usize,
}

impl<R: Read> Read for Trickle<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.n);
        self.inner.read(&mut buf[..n])
    }
}

/// Checks the sections against serde_json's view of the document: each session is `arr[i]`, the
/// header and trailer members are every other top-level member, and each section sits at its
/// offset in the stream.
fn check_against_serde(doc: &[u8], sections: &[Owned]) {
    let whole: Value = serde_json::from_slice(doc).expect("corpus file is JSON");
    let Value::Object(top) = &whole else {
        panic!("not an object")
    };
    let array_key = ["value", "sessions"]
        .into_iter()
        .find(|k| top.get(*k).is_some_and(Value::is_array));
    let mut members = serde_json::Map::new();
    let mut sessions = Vec::new();
    for (kind, bytes, offset) in sections {
        let v: Value = serde_json::from_slice(bytes).expect("a section is JSON");
        match kind {
            SectionKind::Session { index } => {
                assert_eq!(*index, sessions.len());
                let at = *offset as usize;
                assert_eq!(
                    &doc[at..at + bytes.len()],
                    &bytes[..],
                    "session bytes are the stream's"
                );
                sessions.push(v);
            }
            SectionKind::Header | SectionKind::Trailer | SectionKind::Document => {
                let Value::Object(m) = v else {
                    panic!("header/trailer is an object")
                };
                members.extend(m);
            }
            _ => panic!("unknown section kind"),
        }
    }
    let mut expected = top.clone();
    match array_key {
        Some(k) => {
            // The header closes with the array's key and an empty array.
            assert_eq!(members.remove(k), Some(Value::Array(Vec::new())));
            let Some(Value::Array(arr)) = expected.remove(k) else {
                panic!("array")
            };
            assert_eq!(sessions, arr);
            assert!(matches!(
                sections.first(),
                Some((SectionKind::Header, _, _))
            ));
        }
        None => {
            assert!(sessions.is_empty());
            assert_eq!(sections.len(), 1);
        }
    }
    assert_eq!(members, expected);
}

#[test]
fn corpus_sections_match_serde_json() {
    for (name, doc) in corpus() {
        let sections =
            feed_cuts(&doc, &[], StreamOptions::new()).unwrap_or_else(|e| panic!("{name}: {e}"));
        check_against_serde(&doc, &sections);
    }
}

#[test]
fn reader_one_byte_per_read() {
    for (name, doc) in corpus() {
        let whole = feed_cuts(&doc, &[], StreamOptions::new()).expect("whole");
        let got = read_all(
            Trickle {
                inner: &doc[..],
                n: 1,
            },
            StreamOptions::new(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, whole, "{name}");
        // And with tiny read sizes of the reader itself.
        let got = read_all(&doc[..], StreamOptions::new().read_size(3)).expect("read_size 3");
        assert_eq!(got, whole, "{name}");
    }
}

#[test]
fn truncated_input_is_eof_at_the_cut() {
    for (i, (name, doc)) in corpus().into_iter().enumerate() {
        let end = doc
            .iter()
            .rposition(|&b| b == b'}')
            .expect("a closing brace");
        // Every cut for a few files, a stride of cuts (still hitting strings, escapes, numbers and
        // literals) for the rest, to keep the debug-build test quick.
        let stride = if i % 5 == 0 { 1 } else { 7 };
        for cut in (0..=end).step_by(stride) {
            let slice = callrecords::events(&doc[..cut])
                .find_map(Result::err)
                .expect("the slice iterator fails too");
            assert!(slice.path().is_some(), "{name} cut {cut}: {slice}");
            let err = feed_cuts(&doc[..cut], &[], StreamOptions::new())
                .expect_err("a truncated document fails");
            assert!(err.is_eof(), "{name} cut {cut}: {err}");
            assert_eq!(err.offset(), cut as u64, "{name} cut {cut}");
            assert_eq!(err.path(), slice.path(), "{name} cut {cut}");
            let err = read_all(&doc[..cut], StreamOptions::new()).expect_err("reader too");
            assert!(
                err.is_eof() && err.offset() == cut as u64,
                "{name} cut {cut}: {err}"
            );
            assert_eq!(err.path(), slice.path(), "{name} cut {cut}, reader");
        }
    }
}

/// A cut inside a multi-byte character is the end of the input too, not invalid UTF-8: the input
/// was cut short (a truncated download), on every path.
#[test]
fn truncated_inside_a_character_is_eof_at_the_cut() {
    let doc = "{\"value\": [{\"id\": \"é€😀\", \"segments\": [{\"id\": \"ü\"}]}]}".as_bytes();
    for cut in 0..doc.len() {
        let part = &doc[..cut];
        let slice = callrecords::events(part)
            .find_map(Result::err)
            .expect("a truncated document fails");
        let fed = feed_cuts(part, &[], StreamOptions::new()).expect_err("the feeder too");
        let read = read_all(part, StreamOptions::new().read_size(1)).expect_err("the reader too");
        let pointer = slice.path().map(str::to_owned);
        assert!(pointer.is_some(), "cut {cut}: {slice}");
        for (path, err) in [("slice", slice), ("feeder", fed), ("reader", read)] {
            assert!(
                err.is_eof() && err.offset() == cut as u64,
                "{path} cut {cut}: {err}"
            );
            assert_eq!(err.path(), pointer.as_deref(), "{path} cut {cut}");
        }
    }
}

#[test]
fn oversize_session_is_an_error_naming_index_and_size() {
    let (_, doc) = corpus()
        .into_iter()
        .find(|(n, _)| n == "v1.0_callrecords-callrecord-list-sessions_example2.json")
        .expect("example2");
    let whole = feed_cuts(&doc, &[], StreamOptions::new()).expect("whole");
    let (offset, size) = whole
        .iter()
        .find_map(|(k, b, o)| {
            matches!(k, SectionKind::Session { index: 0 }).then_some((*o, b.len()))
        })
        .expect("session 0");
    // Exactly the session's size is allowed; one byte less is not.
    assert!(feed_cuts(&doc, &[], StreamOptions::new().max_session_bytes(size)).is_ok());
    // A bound far below the session stops it as soon as the window holds more than the bound.
    let err = read_all(
        &doc[..],
        StreamOptions::new().max_session_bytes(1000).read_size(10),
    )
    .expect_err("too large");
    assert_eq!(err.kind(), ErrorKind::SessionTooLarge);
    assert!(
        err.to_string()
            .contains("session 0 is at least 1001 bytes so far"),
        "{err}"
    );
    let small = StreamOptions::new().max_session_bytes(size - 1);
    for read_size in [1, 100, 1 << 20] {
        let err = read_all(&doc[..], small.read_size(read_size)).expect_err("too large");
        assert_eq!(err.kind(), ErrorKind::SessionTooLarge);
        assert_eq!(err.offset(), offset);
        let msg = err.to_string();
        assert!(msg.contains("session 0 is "), "{msg}");
        assert!(
            msg.contains(&format!("max_session_bytes = {}", size - 1)),
            "{msg}"
        );
        // Either the whole session arrived in the read that completed it (exact size) or it was
        // cut off as soon as the window held more than the bound of it.
        let exact = msg.contains(&format!("session 0 is {size} bytes"));
        let partial = msg.contains("session 0 is at least ");
        assert!(exact || partial, "{msg}");
        if read_size == 1 << 20 {
            assert!(exact, "{msg}");
        }
    }
}

/// The bound holds for every section, and the message names which one went over it.
#[test]
fn oversize_sections_other_than_sessions_are_named() {
    let pad = "0123456789".repeat(4);
    let cases = [
        (
            format!(r#"{{"a":"{pad}"}}"#),
            // Its members are checked as they complete: no array yet.
            "the top-level members before any session array are 47 bytes",
        ),
        (
            format!(r#"{{"a":"{pad}","value":[]}}"#),
            "the top-level members before any session array are 47 bytes",
        ),
        (
            format!(r#"{{"value":[],"a":"{pad}"}}"#),
            "the top-level members after the session array are",
        ),
        (format!(r#"["{pad}"]"#), "the top-level value is 44 bytes"),
        (
            format!(r#"{{"value":[{{"a":"{pad}"}}]}}"#),
            "session 0 is 48 bytes",
        ),
    ];
    for (doc, want) in &cases {
        let err = read_all(doc.as_bytes(), StreamOptions::new().max_session_bytes(20))
            .expect_err("too large");
        assert_eq!(err.kind(), ErrorKind::SessionTooLarge, "{doc}");
        let msg = err.to_string();
        assert!(msg.contains(want), "{doc}: {msg}");
        assert!(msg.contains("max_session_bytes = 20"), "{doc}: {msg}");
    }
}

/// A syntax error inside a session ends that section's events only: the reader goes on with the
/// next session (documented in the module's "Errors"), and the first error is the slice
/// iterator's.
#[test]
fn a_broken_session_does_not_stop_the_sessions_after_it() {
    let doc = br#"{"value":[{"id":tru},{"id":"b"}],"@odata.nextLink":"n"}"#;
    let want = callrecords::events(doc)
        .find_map(Result::err)
        .expect("slice error");
    let mut reader = Reader::new(&doc[..]);
    let mut seen = Vec::new();
    while let Some(mut s) = reader.next_section().expect("no splitter error") {
        let kind = s.kind();
        let first = s.events().next();
        seen.push(match first {
            Some(Err(e)) => {
                assert_eq!(
                    (e.kind(), e.offset(), e.path()),
                    (want.kind(), want.offset(), want.path())
                );
                format!("{kind:?} error")
            }
            Some(Ok(ev)) => format!("{kind:?} {}", matches!(ev, Event::Session(_))),
            None => format!("{kind:?} empty"),
        });
    }
    assert_eq!(
        seen,
        [
            "Header false",
            "Session { index: 0 } error",
            "Session { index: 1 } true",
            "Trailer false",
        ]
    );
}

#[test]
fn io_errors_pass_through_with_their_source() {
    struct Failing<'a>(&'a [u8]);
    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "peer went away",
                ));
            }
            let n = buf.len().min(self.0.len()).min(10);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let doc = b"{\"value\": [{\"id\": \"a\"},\n  {\"id\": \"b";
    let mut reader = Reader::new(Failing(doc));
    let mut n = 0;
    let err = loop {
        match reader.next_section() {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("should fail"),
            Err(e) => break e,
        }
    };
    assert_eq!(n, 2);
    assert!(err.is_io());
    assert_eq!(err.offset(), doc.len() as u64);
    // Where the stream broke off: line 2, after its 11 bytes.
    assert_eq!(err.line_column(&[]), (2, 12));
    let source = std::error::Error::source(&err).expect("source");
    let io = source.downcast_ref::<io::Error>().expect("an io::Error");
    assert_eq!(io.kind(), io::ErrorKind::ConnectionReset);
    // The reader is finished after an error.
    assert!(reader.next_section().expect("fused").is_none());
}

#[test]
fn errors_carry_stream_line_and_column() {
    // A syntax error in the array after many sessions, far past the first window.
    let mut doc = b"{\"value\": [\n".to_vec();
    for i in 0..5000 {
        doc.extend_from_slice(format!("  {{\"id\": \"{i}\"}},\n").as_bytes());
    }
    doc.extend_from_slice(b"  {}\n  x]}");
    let err = read_all(&doc[..], StreamOptions::new().read_size(4096)).expect_err("syntax");
    assert_eq!(err.kind(), ErrorKind::ExpectedArrayCommaOrEnd);
    assert_eq!(err.offset(), doc.len() as u64 - 3);
    assert_eq!(err.path(), Some("/value"));
    assert_eq!(err.line_column(&[]), (5003, 3));
    assert!(err.to_string().contains("line 5003 column 3"), "{err}");
}

/// Builds a bigger page from the corpus: its sessions repeated, compact or pretty.
fn page_from_corpus(repeat: usize, pretty: bool) -> Vec<u8> {
    let (_, doc) = corpus()
        .into_iter()
        .find(|(n, _)| n == "v1.0_callrecords-callrecord-list-sessions_example2.json")
        .expect("example2");
    let mut v: Value = serde_json::from_slice(&doc).expect("json");
    if let Some(Value::Array(arr)) = v.get_mut("value") {
        let one = arr.clone();
        for _ in 1..repeat {
            arr.extend(one.iter().cloned());
        }
    }
    if pretty {
        serde_json::to_vec_pretty(&v).expect("ser")
    } else {
        serde_json::to_vec(&v).expect("ser")
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_chunk_sizes_give_the_same_sections(
        repeat in 1usize..40,
        pretty: bool,
        sizes in proptest::collection::vec(
            prop_oneof![1usize..16, 1usize..4096, 1usize..(1 << 20)], 1..64),
    ) {
        let doc = page_from_corpus(repeat, pretty);
        let whole = feed_cuts(&doc, &[], StreamOptions::new()).expect("whole");
        let mut cuts = Vec::new();
        let mut at = 0;
        for s in sizes.iter().cycle() {
            at += s;
            if at >= doc.len() {
                break;
            }
            cuts.push(at);
        }
        let got = feed_cuts(&doc, &cuts, StreamOptions::new()).expect("split");
        prop_assert_eq!(got, whole);
    }
}

// ---------------------------------------------------------------------------------------------
// Events: the streamed sections give exactly the slice iterator's events.
// ---------------------------------------------------------------------------------------------

/// Compares the events of streamed sections, one section at a time, with the slice iterator's.
///
/// The one allowed difference is documented in `callrecords::stream`: when page or callRecord
/// members follow the session array, the header section carries the members before it and the
/// trailer repeats `Page`/`CallRecord` complete; then the trailer's copies must equal the slice's.
struct Checker<'d> {
    expected: Vec<Event<'d>>,
    /// Number of leading `Page`/`CallRecord` events in `expected`.
    head: usize,
    next: usize,
    header_exact: bool,
    reemitted: bool,
    context: String,
}

impl<'d> Checker<'d> {
    fn new(doc: &'d [u8], context: &str) -> Self {
        let expected: Vec<Event<'d>> = callrecords::events(doc)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{context}: slice iterator failed: {e}"));
        Self::with_expected(expected, context)
    }

    fn with_expected(expected: Vec<Event<'d>>, context: &str) -> Self {
        let head = match expected.first() {
            Some(Event::Page(p)) if p.shape == callrecords::Shape::CallRecord => 2,
            Some(Event::Page(_)) => 1,
            _ => 0,
        };
        Checker {
            expected,
            head,
            next: 0,
            header_exact: false,
            reemitted: false,
            context: context.to_string(),
        }
    }

    fn section(&mut self, section: &mut Section<'_>) {
        let kind = section.kind();
        let got: Vec<Event<'_>> = section
            .events()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{}: {kind:?}: {e}", self.context));
        let mut rest = &got[..];
        match kind {
            SectionKind::Header => {
                assert_eq!(self.next, 0, "{}: header first", self.context);
                assert_eq!(got.len(), self.head, "{}: header events", self.context);
                self.header_exact = got[..] == self.expected[..self.head];
                self.next = self.head;
                return;
            }
            SectionKind::Trailer if matches!(got.first(), Some(Event::Page(_))) => {
                assert_eq!(
                    &got[..self.head],
                    &self.expected[..self.head],
                    "{}: complete header in the trailer",
                    self.context
                );
                self.reemitted = true;
                rest = &got[self.head..];
            }
            _ => {}
        }
        let end = self.next + rest.len();
        assert!(
            end <= self.expected.len(),
            "{}: too many events",
            self.context
        );
        assert_eq!(
            rest,
            &self.expected[self.next..end],
            "{}: {kind:?}",
            self.context
        );
        self.next = end;
    }

    fn finish(&self) {
        assert_eq!(
            self.next,
            self.expected.len(),
            "{}: missing events",
            self.context
        );
        if self.head > 0 && self.next > self.head {
            assert!(
                self.header_exact || self.reemitted,
                "{}: header differs and was not repeated",
                self.context
            );
        }
    }
}

fn feed_and_check(doc: &[u8], cuts: &[usize], options: StreamOptions, context: &str) {
    let checker = Checker::new(doc, context);
    feed_and_check_with(doc, cuts, options, checker);
}

/// Feeds `doc` cut at `cuts`, checks every section's events, and returns the sections.
fn feed_and_check_with(
    doc: &[u8],
    cuts: &[usize],
    options: StreamOptions,
    mut checker: Checker<'_>,
) -> Vec<Owned> {
    let context = checker.context.clone();
    let mut sections = Vec::new();
    let mut feeder = Feeder::with_options(options);
    let mut from = 0;
    let mut finished = false;
    for &cut in cuts.iter().chain(Some(&doc.len())) {
        feeder.feed(&doc[from..cut]);
        from = cut;
        loop {
            if from == doc.len() && !finished {
                feeder.finish();
                finished = true;
            }
            let Some(mut s) = feeder
                .next_section()
                .unwrap_or_else(|e| panic!("{context}: {e}"))
            else {
                break;
            };
            sections.push((s.kind(), s.bytes().to_vec(), s.offset()));
            checker.section(&mut s);
        }
    }
    assert!(feeder.is_done(), "{context}: done");
    checker.finish();
    sections
}

/// The acceptance test of split equivalence: for every docs corpus file and every two-chunk split
/// point, the Feeder gives exactly the sections of the unsplit input and exactly the slice
/// iterator's events.
#[test]
fn corpus_every_two_chunk_split_gives_the_same_sections_and_the_slice_events() {
    for (name, doc) in corpus() {
        let whole = feed_cuts(&doc, &[], StreamOptions::new()).expect("whole");
        let expected: Vec<Event<'_>> = callrecords::events(&doc)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name}: slice iterator failed: {e}"));
        for cut in 0..=doc.len() {
            let checker = Checker::with_expected(expected.clone(), &format!("{name} cut {cut}"));
            let sections = feed_and_check_with(&doc, &[cut], StreamOptions::new(), checker);
            assert_eq!(sections, whole, "{name} cut {cut}");
        }
    }
}

#[test]
fn reader_one_byte_per_read_gives_the_slice_events() {
    for (name, doc) in corpus() {
        let mut checker = Checker::new(&doc, &name);
        let mut reader = Reader::new(Trickle {
            inner: &doc[..],
            n: 1,
        });
        while let Some(mut s) = reader
            .next_section()
            .unwrap_or_else(|e| panic!("{name}: {e}"))
        {
            checker.section(&mut s);
        }
        checker.finish();
    }
}

fn generated(seed: u64, target: usize, compact: bool, callrecord: bool) -> Vec<u8> {
    use callrecords::generate::{to_vec, GenOptions, Shape};
    to_vec(&GenOptions {
        seed,
        target_bytes: target,
        compact,
        shape: if callrecord {
            Shape::CallRecord
        } else {
            Shape::Sessions
        },
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn generated_documents_in_random_chunks_give_the_slice_events(
        seed: u64,
        target in 1usize..400_000,
        compact: bool,
        callrecord: bool,
        sizes in proptest::collection::vec(
            prop_oneof![1usize..64, 1usize..65_536, 1usize..=(1 << 20)], 1..32),
    ) {
        let doc = generated(seed, target, compact, callrecord);
        let mut cuts = Vec::new();
        let mut at = 0;
        for s in sizes.iter().cycle() {
            at += s;
            if at >= doc.len() {
                break;
            }
            cuts.push(at);
        }
        feed_and_check(&doc, &cuts, StreamOptions::new(), &format!("seed {seed} target {target}"));
    }
}

#[test]
fn generated_callrecord_with_late_header_fields_repeats_the_complete_header() {
    // The generator shuffles the callRecord's keys, so some seeds put header fields after
    // `sessions`; find one and check the trailer repeats the complete header.
    let mut seen_late = false;
    for seed in 0..40 {
        let doc = generated(seed, 20_000, seed % 2 == 0, true);
        let mut feeder = Feeder::new();
        feeder.feed(&doc);
        feeder.finish();
        let mut checker = Checker::new(&doc, &format!("seed {seed}"));
        while let Some(mut s) = feeder.next_section().expect("stream") {
            checker.section(&mut s);
        }
        checker.finish();
        seen_late |= checker.reemitted;
    }
    assert!(seen_late, "no generated document had late header fields");
}

/// Header members after the session array: the stream must repeat the header when any of them is
/// a callRecord field, even one a segment also has (`id`), and decide the shape as the slice
/// iterator does when the document has no session array.
#[test]
fn late_and_shared_header_members_match_the_slice_iterator_at_every_split() {
    let docs: [&[u8]; 7] = [
        br#"{"version":1,"sessions":[{"id":"s"}],"id":"c"}"#,
        br#"{"sessions":[{"id":"s"}],"startDateTime":"2020-01-01T00:00:00Z"}"#,
        br#"{"sessions":[{"id":"s"}],"modalities":["audio"],"@odata.nextLink":"n"}"#,
        br#"{"id":"c","sessions":[],"type":"peerToPeer"}"#,
        br#"{"id":"s","startDateTime":"2020-01-01T00:00:00Z","media":[]}"#,
        br#"{"id":"c","joinWebUrl":null}"#,
        br#"{"@odata.context":"x#communications/callRecords/$entity","id":"c"}"#,
    ];
    for doc in docs {
        let name = String::from_utf8_lossy(doc);
        for cut in 0..=doc.len() {
            feed_and_check(
                doc,
                &[cut],
                StreamOptions::new(),
                &format!("{name} cut {cut}"),
            );
        }
    }
}

#[test]
fn syntax_error_inside_a_session_has_stream_offset_line_and_column() {
    let doc = b"{\"value\": [\n  {\"id\": \"a\"},\n  {\"id\": \"b\", \"isTest\": tru }\n]}";
    let want = callrecords::events(doc)
        .find_map(Result::err)
        .expect("the slice iterator reports it");
    for read_size in [1, 7, 1 << 16] {
        let mut reader = Reader::with_options(&doc[..], StreamOptions::new().read_size(read_size));
        let mut got = None;
        while let Some(mut s) = reader.next_section().expect("sections split") {
            if let Some(e) = s.events().find_map(Result::err) {
                got = Some(e);
                break;
            }
        }
        let got = got.expect("error in session 1");
        assert_eq!(got.kind(), want.kind());
        assert_eq!(got.offset(), want.offset());
        assert_eq!(got.path(), Some("/value/1/isTest"));
        assert_eq!(got.path(), want.path());
        assert_eq!(got.line_column(&[]), want.line_column(doc));
        assert_eq!(got.line_column(&[]).0, 3);
    }
}

#[test]
fn callrecords_list_page_elements_are_call_records() {
    let doc = br#"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords",
  "value": [
    {"id": "a", "version": 2, "sessions": [{"id": "s1", "segments": [{"id": "g1"}]}], "x@odata.count": 1},
    {"sessions": [], "id": "b", "type": "groupCall"}
  ],
  "@odata.nextLink": "https://graph.microsoft.com/v1.0/communications/callRecords?$skiptoken=x"
}"#;
    for cut in 0..=doc.len() {
        feed_and_check(
            doc,
            &[cut],
            StreamOptions::new(),
            &format!("list page cut {cut}"),
        );
    }
    let mut feeder = Feeder::new();
    feeder.feed(doc);
    feeder.finish();
    let header = feeder.next_section().expect("ok").expect("header");
    assert_eq!(header.shape(), Some(callrecords::Shape::CallRecordsPage));
}

/// Checks that the stream's first error for `doc` (case `n`) is the slice iterator's (kind,
/// offset, line and column, JSON path), fed in two chunks cut at every byte and read one byte per
/// `read`.
fn assert_first_error_matches_slice(n: usize, doc: &[u8], events: callrecords::Options) {
    assert_first_error_matches_slice_with(n, doc, StreamOptions::new().events(events), events);
}

/// [`assert_first_error_matches_slice`] with the stream's `options` (a small `max_session_bytes`).
fn assert_first_error_matches_slice_with(
    n: usize,
    doc: &[u8],
    options: StreamOptions,
    events: callrecords::Options,
) {
    let want = callrecords::Events::with_options(doc, events)
        .find_map(Result::err)
        .unwrap_or_else(|| panic!("case {n}: the slice iterator reports an error"));
    assert!(want.path().is_some(), "case {n}: {want}");
    let want = (
        want.kind(),
        want.offset(),
        want.line_column(doc),
        want.path().map(str::to_owned),
    );
    for cut in 0..=doc.len() {
        let got = first_error::feeder(doc, &[cut], options)
            .unwrap_or_else(|| panic!("case {n} cut {cut}: no error"));
        assert_eq!(
            (
                got.kind(),
                got.offset(),
                got.line_column(&[]),
                got.path().map(str::to_owned)
            ),
            want,
            "case {n} cut {cut}: {got}"
        );
    }
    let got = first_error::reader(doc, options.read_size(1))
        .unwrap_or_else(|| panic!("case {n}: the reader reports no error"));
    assert_eq!(
        (
            got.kind(),
            got.offset(),
            got.line_column(&[]),
            got.path().map(str::to_owned)
        ),
        want,
        "case {n}, 1-byte reads: {got}"
    );
}

/// Sessions are indexed for their tokenizer while the splitter finds their end; the stage-1
/// errors that index carries (control characters and invalid UTF-8 in strings) must come out as
/// the slice iterator reports them, in input order with the grammar errors, wherever the chunks
/// are cut.
#[test]
fn stage1_errors_inside_sessions_match_the_slice_iterator_at_every_split() {
    let cases: &[&[u8]] = &[
        b"{\"value\": [{\"id\": \"a\"}, {\"id\": \"b\x01c\", \"x\": 1}]}",
        b"{\"value\": [{\"id\": \"a\"}, {\"id\": \"b\xffc\"}]}",
        b"{\"value\": [{\"id\": \"\xe2\x82\"}, {\"id\": \"b\"}]}",
        // A grammar error before the stage-1 error wins, and the other way round.
        b"{\"value\": [{\"id\" \"a\", \"s\": \"\x02\"}]}",
        b"{\"value\": [{\"s\": \"\x02\", \"id\" \"a\"}]}",
        b"{\"value\": [{\"s\": \"\\q\xff\"}]}",
        // A stage-1 error after the session (in the trailer) belongs to the trailer.
        b"{\"value\": [{\"id\": \"a\"}], \"x\": \"\x03\"}",
    ];
    for (n, doc) in cases.iter().enumerate() {
        assert_first_error_matches_slice(n, doc, callrecords::Options::default());
    }
}

/// Depth limits small enough to stop at the session array or inside a session: the header's
/// text is closed with a synthesized `"value":[]}`, but a depth error there must be the real
/// array's `[`, whatever whitespace or escapes its key had.
#[test]
fn small_depth_limits_match_the_slice_iterator_at_every_split() {
    let cases: &[&[u8]] = &[
        br#"{"value":[{"id":"a"}]}"#,
        br#"{"value" : [ ] }"#,
        br#"{"@odata.context":"x",   "v\u0061lue"  :[{"id":"a"}]}"#,
        br#"{"id":"c", "version":1,  "sessions" :[{"segments":[{}]}]}"#,
        br#"{"sessions": [{"id":"a"}], "id": "c"}"#,
    ];
    for limit in 1..=3 {
        let options = callrecords::Options::default().depth_limit(limit);
        for (n, doc) in cases.iter().enumerate() {
            if callrecords::Events::with_options(doc, options).any(|e| e.is_err()) {
                assert_first_error_matches_slice(n, doc, options);
            } else {
                assert!(
                    limit > 1,
                    "case {n}: a limit of 1 stops at the session array"
                );
            }
        }
    }
}

/// The splitter checks the top-level punctuation itself and stops at the end of the input, but
/// the section it is inside of then has not been parsed: an error earlier in that section is the
/// first error of the input, and the stream must report it as the slice iterator does, wherever
/// the chunks are cut.
#[test]
fn an_earlier_error_wins_over_the_splitters_own_and_over_the_end_of_input() {
    let deep = "[".repeat(200);
    let cases: &[&[u8]] = &[
        // A stray byte before a member's value, which the splitter takes for a scalar.
        b"{\"a\": #[]}",
        b"{\"@odata.context\": \"x\", \"value\": #[], \"b\": 1}",
        b"{\"@odata.context\": \"x\", \"value\": \x01[]}",
        // The same after the session array (the trailer's members).
        b"{\"value\": [{\"id\": \"a\"}], \"x\": #[]}",
        b"{\"id\": \"c\", \"sessions\": [{\"id\": \"s\"}], \"version\": 1 x",
        // A defect, then the end of the input: in a session, in a list page's call record, in a
        // document without a session array.
        b"{\"value\": [{\"id\": \"a\"}, {\"id\": \"b\", \"x\": 1 2",
        b"{\"value\": [{\"id\": \"a\"}, {\"id\" \"b\"",
        b"{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#communications/callRecords\", \"value\": [{\"id\": \"c\", \"x\": 1 2",
        b"[\x01, 1",
        b"{\"a\": [1, }",
        deep.as_bytes(),
        // A broken number or literal that the delimiter after it ends (a session, a member).
        b"{\"value\": [tru]}",
        b"{\"value\": [{\"id\": \"a\"}, -]}",
        b"{\"value\": [1.]}",
        b"{\"value\": [1e+, {}]}",
        b"{\"a\":-\"x\",\"value\":[]}",
        b"{\"version\":tru\"x\", \"sessions\": []}",
        b"-{\"value\":[]}",
        b"[1.]",
        b"t  ",
        b"nul\n",
        b"1. ",
        // Bytes that are not UTF-8 where the splitter expects punctuation, and valid characters
        // there (a grammar error), split anywhere inside them.
        b"{\xff\"value\":[]}",
        b"{\"value\"\xff:[]}",
        b"{\"value\":[{}\xff]}",
        b"{\"value\":[{}]\xff}",
        b"{\"value\":[{}]} \xff",
        b"{\"value\":[{}\xc3\xa9]}",
        b"{\"value\":[{}]} \xe2\x82\xac",
        b"{\"value\":[{}\xe2\x82]}",
        b"{\"value\":[{}]} \xe2\x82",
        // A stray lead byte where a session belongs: the splitter takes it for a one-byte
        // session, whose bytes end inside the character; the bytes after it make it invalid.
        b"{\"value\":[\n \xdb  {}]}",
        b"{\"value\":[\xe2\x82,{}]}",
        b"{\"value\":[{},\xf0\x9f\x98]}",
        // A stray byte right after the session array, and a broken member after it.
        b"{\"id\": \"cr\", \"sessions\": [{\"id\": \"a\"}]$0e9, \"x\": 1}",
        b"{\"value\": [{\"id\": \"a\"}] \xff, \"x\": 1}",
        b"{\"value\": [{\"id\": \"a\"}], \"x\": -\"y\"}",
        // A closing bracket right after a comma in the session array.
        b"{\"value\":[{},}]}",
        b"{\"value\":[{},]}",
        // After a document without a session array: its own error first, then what follows it.
        b"{\"a\": tru} x",
        b"0 1",
        b"{\"a\": 1} {",
        // Only the end of the input: the splitter's error stands.
        b"{\"value\": [{\"id\": \"a\"}, {\"id\": \"b\"",
        b"[1, 2",
    ];
    for (n, doc) in cases.iter().enumerate() {
        assert_first_error_matches_slice(n, doc, callrecords::Options::default());
    }
}

/// Strict mode reports errors in input order on every path: a value error in a session before a
/// syntax error later in the page comes first, whether the slice iterator parses the page in one
/// pass (`@odata.context` first) or pre-scans its top level.
#[test]
fn strict_errors_come_in_input_order() {
    let strict = callrecords::Options::default().strict(true);
    // The document, and whether its first error is a value error.
    let cases: &[(&[u8], bool)] = &[
        (
            br#"{"value":[{"id":"a","startDateTime":"bad"},{"id":"b",}]}"#,
            true,
        ),
        (
            br#"{"@odata.context":"c","value":[{"id":"a","startDateTime":"bad"},{"id":"b",}]}"#,
            true,
        ),
        (
            br#"{"id":"r","sessions":[{"id":"a","isTest":"yes"}], "version": 1,}"#,
            true,
        ),
        (
            br#"{"value":[{"id":"a","isTest":1}],"@odata.context":"c"} x"#,
            true,
        ),
        (br#"{"value":[{"id":"a"}],"x":[1,]}"#, false),
        (br#"{"value":[{"id":"a",}, {"isTest":1}]}"#, false),
    ];
    for (n, &(doc, value_first)) in cases.iter().enumerate() {
        let first = callrecords::Events::with_options(doc, strict).find_map(Result::err);
        assert_eq!(first.map(|e| e.is_value()), Some(value_first), "case {n}");
        assert_first_error_matches_slice(n, doc, strict);
    }
}

/// The offsets `skip` bytes into every occurrence of `pattern` in `doc`.
fn occurrences<'d>(
    doc: &'d [u8],
    pattern: &'d [u8],
    skip: usize,
) -> impl Iterator<Item = usize> + 'd {
    doc.windows(pattern.len())
        .enumerate()
        .filter(move |(_, w)| *w == pattern)
        .map(move |(i, _)| i + skip)
}

/// Lines are counted once per byte: by stage 1 for the sessions it indexes, by the window for
/// the rest as it drops it. An error anywhere in a long pretty document (inside a session, in a
/// joint between sessions, in the trailer) must get the line and column of the whole stream, for
/// any read size.
#[test]
fn error_lines_and_columns_deep_in_a_pretty_stream() {
    let doc = generated(7, 400 << 10, false, false);
    // Byte positions to break: a sample of key colons (inside sessions) and the commas between
    // sessions (a line that is only `    },` before the next `{`), plus the last `]`.
    let colons: Vec<usize> = occurrences(&doc, b"\": ", 1).step_by(397).collect();
    let joints: Vec<usize> = occurrences(&doc, b"},\n", 1).step_by(11).take(8).collect();
    let last = doc.iter().rposition(|&b| b == b']').into_iter();
    let mut checked = 0;
    for at in colons.into_iter().chain(joints).chain(last) {
        let mut bad = doc.clone();
        bad[at] = b';';
        let want = callrecords::events(&bad)
            .find_map(Result::err)
            .unwrap_or_else(|| panic!("breaking byte {at}: the slice iterator reports it"));
        for read_size in [7, 4096, 65536] {
            let got = first_error::reader(&bad, StreamOptions::new().read_size(read_size))
                .unwrap_or_else(|| panic!("breaking byte {at}, read size {read_size}: no error"));
            assert_eq!(
                (got.kind(), got.offset(), got.line_column(&[]), got.path()),
                (
                    want.kind(),
                    want.offset(),
                    want.line_column(&bad),
                    want.path()
                ),
                "breaking byte {at}, read size {read_size}: {got}"
            );
            assert!(got.path().is_some(), "breaking byte {at}: {got}");
        }
        checked += 1;
    }
    assert!(checked > 20, "only {checked} positions");

    // Sessions that start in the middle of a line and hold a newline: an error on a session's
    // first line, after the window dropped everything before the session, is on a line that
    // started before the window.
    let mut doc = b"{\"value\": [".to_vec();
    for i in 0..300 {
        if i > 0 {
            doc.extend_from_slice(b", ");
        }
        doc.extend_from_slice(format!("{{\"id\": \"s{i}\", \"x\": 1,\n \"y\": 2}}").as_bytes());
    }
    doc.extend_from_slice(b"]}");
    for at in occurrences(&doc, b"\"x\": ", 3).step_by(37) {
        let mut bad = doc.clone();
        bad[at] = b';';
        let want = callrecords::events(&bad)
            .find_map(Result::err)
            .expect("an error");
        for read_size in [7, 64, 4096] {
            let got = first_error::reader(&bad, StreamOptions::new().read_size(read_size))
                .expect("an error");
            assert_eq!(
                (got.offset(), got.line_column(&[]), got.path()),
                (want.offset(), want.line_column(&bad), want.path()),
                "breaking byte {at}, read size {read_size}: {got}"
            );
        }
    }
}

/// A section over `max_session_bytes` that holds a defect before the limit reports the defect,
/// as the slice iterator does (kind, offset, line and column, path), not `SessionTooLarge`; a
/// section with none still reports `SessionTooLarge`. Issue 24's table: a limit of 1024 bytes
/// and 2,000-byte inputs.
#[test]
fn a_defect_before_the_size_limit_is_the_first_error() {
    fn padded(head: &[u8], fill: u8, tail: &[u8]) -> Vec<u8> {
        let mut doc = head.to_vec();
        doc.resize(2000 - tail.len(), fill);
        doc.extend_from_slice(tail);
        doc
    }
    let cases: Vec<Vec<u8>> = vec![
        padded(br#"{"value":[{"id":"s" "x":""#, b'a', br#""}]}"#),
        padded(b"{\"value\":[{\"id\":\"s\",\"x\":\"a\0", b'a', br#""}]}"#),
        padded(br#"{"value":[{"id":"s","x":"#, b'[', b""),
        padded(b"{\"value\":[{\"id\":\"s\",\"x\":\"a\xff", b'a', br#""}]}"#),
        vec![0; 2000],
        padded(b"{\"@odata.context\":\"ab\n", b'a', br#""}"#),
        padded(br#"{"value":[{"id":"s","x":tru, "y":""#, b'a', br#""}]}"#),
    ];
    let options = StreamOptions::new().max_session_bytes(1024);
    for (n, doc) in cases.iter().enumerate() {
        assert_eq!(doc.len(), 2000, "case {n}");
        assert_first_error_matches_slice_with(n, doc, options, callrecords::Options::default());
    }
    // Nothing wrong before the limit: the size is the error.
    let clean = padded(br#"{"value":[{"id":"s","x":""#, b'a', br#""}]}"#);
    assert!(callrecords::events(&clean).all(|e| e.is_ok()));
    for cut in [0, 500, 1500, 2000] {
        let e = first_error::feeder(&clean, &[cut], options).expect("too large");
        assert_eq!(
            e.kind(),
            callrecords::ErrorKind::SessionTooLarge,
            "cut {cut}: {e}"
        );
    }
    let e = first_error::reader(&clean, options.read_size(7)).expect("too large");
    assert_eq!(e.kind(), callrecords::ErrorKind::SessionTooLarge, "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// With a small `max_session_bytes`, a generated document with one byte replaced: the
    /// streams' first error is the slice iterator's, unless it is `SessionTooLarge`, and then the
    /// slice iterator's first error (if any) lies past the bytes held under the limit.
    #[test]
    fn small_limits_report_the_slice_iterators_first_error(
        seed: u64,
        target in 1usize..40_000,
        compact: bool,
        callrecord: bool,
        limit in 64usize..4096,
        at in any::<prop::sample::Index>(),
        bad in prop::sample::select(vec![b'#', b'}', b']', b',', b'"', b'\n', 0u8, 0xffu8]),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut doc = generated(seed, target, compact, callrecord);
        // Near the start, where the first section over the limit begins.
        let p = at.index(doc.len().min(4 * limit));
        doc[p] = bad;
        let want = callrecords::events(&doc).find_map(Result::err);
        let options = StreamOptions::new().max_session_bytes(limit);
        let fed = first_error::feeder(&doc, &[cut.index(doc.len() + 1)], options);
        let read = first_error::reader(&doc, options.read_size(1 + (seed % 4096) as usize));
        for (name, got) in [("feeder", fed), ("reader", read)] {
            match (&got, &want) {
                (Some(g), _) if g.kind() == callrecords::ErrorKind::SessionTooLarge => {
                    if let Some(w) = &want {
                        prop_assert!(
                            w.offset() >= g.offset() + limit as u64,
                            "{}: SessionTooLarge at {} (limit {}) hides {} at {}", name, g.offset(), limit, w, w.offset()
                        );
                    }
                }
                (Some(g), Some(w)) => {
                    prop_assert_eq!(
                        (g.kind(), g.offset(), g.path()),
                        (w.kind(), w.offset(), w.path()),
                        "{}: {} against {}", name, g, w
                    );
                }
                (None, None) => {}
                (g, w) => prop_assert!(false, "{}: {:?} against {:?}", name, g.as_ref().map(|e| e.to_string()), w.as_ref().map(|e| e.to_string())),
            }
        }
    }
}
