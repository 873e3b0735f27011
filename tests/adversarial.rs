//! Adversarial inputs, as table tests with the exact expected error kind and offset.
//!
//! Every tokenizer case runs through the full walk (`next_token`) and the skip (`skip_value` +
//! `finish`) on every stage-1 backend this CPU supports; both must give the expected answer.
//! Expectations are computed independently of the crate where possible: truncations are checked
//! against `serde_json` (which must classify the same prefix as end-of-input, except for a number
//! cut right after `.`, `e` or a sign, which it calls invalid), UTF-8 offsets
//! against `core::str::from_utf8`, depth offsets from the construction of the input.

#![allow(clippy::panic)] // reason: a test reports a failure by panicking with the details

use callrecords::tokenizer::{Scalar, Scratch, Token, Tokenizer, DEFAULT_DEPTH_LIMIT};
use callrecords::value::{parse_f64, parse_i64};
use callrecords::{Backend, Error, ErrorKind, Event, Options, ValueErrorKind};

type Answer = Result<(), (ErrorKind, u64)>;

fn walk(input: &[u8], backend: Backend) -> Result<(), Error> {
    let mut t = Tokenizer::with_scratch(input, Scratch::with_backend(backend), DEFAULT_DEPTH_LIMIT);
    while t.next_token()?.is_some() {}
    Ok(())
}

fn skip(input: &[u8], backend: Backend) -> Result<(), Error> {
    let mut t = Tokenizer::with_scratch(input, Scratch::with_backend(backend), DEFAULT_DEPTH_LIMIT);
    t.skip_value()?;
    t.finish()
}

fn short(e: Result<(), Error>) -> Answer {
    e.map_err(|e| (e.kind(), e.offset()))
}

/// The tokenizer's answer on every backend, checked to be the same for walk and skip.
fn answer(input: &[u8]) -> Answer {
    let mut first = None;
    for backend in Backend::supported() {
        let w = short(walk(input, backend));
        let s = short(skip(input, backend));
        assert_eq!(w, s, "walk and skip differ on {backend}");
        match first {
            None => first = Some(w),
            Some(f) => assert_eq!(w, f, "{backend} differs from the first backend"),
        }
    }
    first.unwrap_or(Ok(()))
}

fn check_table(table: &[(&str, Vec<u8>, Answer)]) {
    let mut failures = Vec::new();
    for (name, input, want) in table {
        let got = answer(input);
        if got != *want {
            failures.push(format!("{name}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn docs() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| {
            Some((
                p.file_name()?.to_string_lossy().into_owned(),
                std::fs::read(&p).ok()?,
            ))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no docs examples in {}", dir.display());
    out
}

/// Every docs example cut at every byte offset. The examples are ASCII, so a cut never splits a
/// character; the rule is then simple and independent of the crate: a cut before the end of the
/// top-level value is `Eof` at the cut (and serde_json must agree that the prefix ends early),
/// a cut at or after it (only trailing whitespace removed) is accepted.
#[test]
fn truncation_of_every_docs_example_at_every_offset() {
    let step = if cfg!(miri) { 97 } else { 1 };
    for (name, doc) in docs() {
        assert!(doc.is_ascii(), "{name}: the rule below assumes ASCII");
        let end = doc
            .iter()
            .rposition(|b| !b" \t\n\r".contains(b))
            .map_or(0, |i| i + 1);
        let mut scratch = Some(Scratch::with_backend(Backend::Scalar));
        for cut in (0..=doc.len()).step_by(step) {
            let prefix = &doc[..cut];
            let want: Answer = if cut >= end {
                Ok(())
            } else {
                // serde_json calls a number cut right after `.`, `e`, `E`, `+` or `-` invalid
                // rather than unfinished; everywhere else it must agree that the input ended.
                let oracle = serde_json::from_slice::<serde::de::IgnoredAny>(prefix);
                let number_cut = prefix
                    .last()
                    .is_some_and(|b| b".eE+-".contains(b) && prefix.len() >= 2);
                assert!(
                    oracle
                        .as_ref()
                        .is_err_and(|e| e.is_eof() || (number_cut && e.is_syntax())),
                    "{name} cut at {cut}: serde_json says {oracle:?}"
                );
                Err((ErrorKind::Eof, cut as u64))
            };
            // One scalar tokenizer reused across cuts (cheap), then the walk on every backend for
            // a sample of cuts around block boundaries.
            let mut t = Tokenizer::with_scratch(
                prefix,
                scratch.take().unwrap_or_default(),
                DEFAULT_DEPTH_LIMIT,
            );
            let mut got = Ok(());
            loop {
                match t.next_token() {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => {
                        got = Err((e.kind(), e.offset()));
                        break;
                    }
                }
            }
            scratch = Some(t.into_scratch());
            assert_eq!(got, want, "{name} cut at {cut}");
            if cut % 64 >= 62 || cut % 64 <= 1 || cut + 2 >= doc.len() {
                assert_eq!(answer(prefix), want, "{name} cut at {cut} (all backends)");
            }
        }
    }
}

/// 100,000 nested arrays or objects: the limit (128 levels) bites at the 129th opening bracket.
#[test]
fn depth_bombs() {
    let limit = DEFAULT_DEPTH_LIMIT as u64;
    let arrays = vec![b'['; 100_000];
    let mut closed = arrays.clone();
    closed.extend(vec![b']'; 100_000]);
    let objects = b"{\"a\":".repeat(100_000);
    let mut mixed = Vec::new();
    for _ in 0..50_000 {
        mixed.extend_from_slice(b"[{\"k\":");
    }
    check_table(&[
        (
            "100,000 [",
            arrays,
            Err((ErrorKind::DepthLimitExceeded, limit)),
        ),
        (
            "100,000 [ then ]",
            closed,
            Err((ErrorKind::DepthLimitExceeded, limit)),
        ),
        // `{"a":` is 5 bytes; the 129th `{` is at 128 * 5.
        (
            "100,000 {\"a\":",
            objects,
            Err((ErrorKind::DepthLimitExceeded, limit * 5)),
        ),
        // `[{"k":` is 6 bytes: level 129 is the `[` of the 65th group, at 64 * 6.
        (
            "50,000 [{\"k\":",
            mixed,
            Err((ErrorKind::DepthLimitExceeded, 64 * 6)),
        ),
        // Exactly at the limit is fine.
        (
            "128 levels",
            [vec![b'['; 128], vec![b']'; 128]].concat(),
            Ok(()),
        ),
    ]);
}

/// Long strings: 16 MiB, 100,000 escapes, and the same unterminated or with a bad last escape.
#[test]
fn huge_strings() {
    let mib16 = if cfg!(miri) { 1 << 12 } else { 16 << 20 };
    let big = [&b"\""[..], &vec![b'a'; mib16], b"\""].concat();
    let escapes = if cfg!(miri) { 1_000 } else { 100_000 };
    let escaped = [&b"[\""[..], &b"\\n".repeat(escapes), b"\"]"].concat();
    let unicode = [&b"[\""[..], &b"\\u00e9".repeat(escapes), b"\"]"].concat();
    let backslashes = [&b"[\""[..], &b"\\\\".repeat(escapes), b"\"]"].concat();
    let bad_last = [&b"[\""[..], &b"\\t".repeat(escapes), b"\\x\"]"].concat();
    let unterminated = [&b"[\""[..], &b"\\\"".repeat(escapes)].concat();
    let n = |x: usize| x as u64;
    check_table(&[
        ("16 MiB string", big.clone(), Ok(())),
        (
            "16 MiB string, unterminated",
            big[..big.len() - 1].to_vec(),
            Err((ErrorKind::Eof, n(big.len() - 1))),
        ),
        ("100,000 \\n escapes", escaped, Ok(())),
        ("100,000 \\u00e9 escapes", unicode, Ok(())),
        ("100,000 \\\\ escapes", backslashes, Ok(())),
        // The bad escape's backslash is at 2 + 2 * escapes.
        (
            "100,000 escapes then \\x",
            bad_last,
            Err((ErrorKind::InvalidEscape, n(2 + 2 * escapes))),
        ),
        // Every quote is escaped: the string never ends.
        (
            "100,000 \\\" escapes, unterminated",
            unterminated.clone(),
            Err((ErrorKind::Eof, n(unterminated.len()))),
        ),
    ]);
    // The 16 MiB string comes back whole, borrowed.
    let mut t = Tokenizer::new(&big);
    match t.next_token() {
        Ok(Some(Token::Scalar(Scalar::String(s)))) => assert_eq!(s.raw().len(), mib16),
        other => panic!("expected the string, got {other:?}"),
    }
}

/// Numbers the grammar allows (any size, any precision) and the ones it does not. Converting is
/// the value layer's business: `1e400` is no float overflow to infinity but an error, a 400-digit
/// integer overflows `i64`.
#[test]
fn numbers() {
    let digits400 = "9".repeat(400);
    check_table(&[
        ("1e400", b"[1e400]".to_vec(), Ok(())),
        ("-1e400", b"[-1e400]".to_vec(), Ok(())),
        ("-0", b"-0".to_vec(), Ok(())),
        ("-0.0e-0", b"[-0.0e-0]".to_vec(), Ok(())),
        ("400 digits", format!("[{digits400}]").into_bytes(), Ok(())),
        (
            "-400 digits",
            format!("[-{digits400}]").into_bytes(),
            Ok(()),
        ),
        (
            "400 fraction digits",
            format!("[0.{digits400}]").into_bytes(),
            Ok(()),
        ),
        ("1. at the end", b"1.".to_vec(), Err((ErrorKind::Eof, 2))),
        (
            "1. in an array",
            b"[1.]".to_vec(),
            Err((ErrorKind::InvalidNumber, 3)),
        ),
        (".5", b".5".to_vec(), Err((ErrorKind::ExpectedValue, 0))),
        (
            ".5 in an array",
            b"[.5]".to_vec(),
            Err((ErrorKind::ExpectedValue, 1)),
        ),
        (
            "leading zero",
            b"[00]".to_vec(),
            Err((ErrorKind::InvalidNumber, 2)),
        ),
        ("+1", b"[+1]".to_vec(), Err((ErrorKind::ExpectedValue, 1))),
        ("1e", b"[1e]".to_vec(), Err((ErrorKind::InvalidNumber, 3))),
        ("NaN", b"[NaN]".to_vec(), Err((ErrorKind::ExpectedValue, 1))),
        (
            "Infinity",
            b"[Infinity]".to_vec(),
            Err((ErrorKind::ExpectedValue, 1)),
        ),
    ]);
    let value = |r: Result<i64, callrecords::ValueError>| r.map_err(|e| (e.kind(), e.offset()));
    assert_eq!(value(parse_i64(b"-0")), Ok(0));
    assert_eq!(
        value(parse_i64(digits400.as_bytes())),
        Err((ValueErrorKind::Overflow, 0))
    );
    assert_eq!(
        parse_f64(b"1e400").map_err(|e| (e.kind(), e.offset())),
        Err((ValueErrorKind::Overflow, 0))
    );
    assert_eq!(parse_f64(b"-0").map(f64::to_bits), Ok((-0.0f64).to_bits()));
    assert_eq!(parse_f64(format!("0.{digits400}").as_bytes()), Ok(1.0));
}

/// Invalid UTF-8 of every class, placed so that the bad sequence straddles a 64-byte block
/// boundary (its first byte at 62 or 63), inside a string and outside one. The expected offset is
/// `core::str::from_utf8`'s `valid_up_to`, checked to be where the sequence was planted.
#[test]
fn invalid_utf8_at_block_boundaries() {
    let classes: &[(&str, &[u8])] = &[
        ("overlong 2-byte (C0 80)", b"\xC0\x80"),
        ("overlong 2-byte (C1 BF)", b"\xC1\xBF"),
        ("overlong 3-byte (E0 80 80)", b"\xE0\x80\x80"),
        ("overlong 3-byte (E0 9F BF)", b"\xE0\x9F\xBF"),
        ("overlong 4-byte (F0 80 80 80)", b"\xF0\x80\x80\x80"),
        ("overlong 4-byte (F0 8F BF BF)", b"\xF0\x8F\xBF\xBF"),
        ("surrogate U+D800 (ED A0 80)", b"\xED\xA0\x80"),
        ("surrogate U+DFFF (ED BF BF)", b"\xED\xBF\xBF"),
        ("surrogate pair as UTF-8", b"\xED\xA0\xBD\xED\xB8\x80"),
        ("above U+10FFFF (F4 90 80 80)", b"\xF4\x90\x80\x80"),
        ("F5 lead byte", b"\xF5\x80\x80\x80"),
        ("FF byte", b"\xFF"),
        ("truncated 2-byte", b"\xC3"),
        ("truncated 3-byte", b"\xE2\x82"),
        ("truncated 4-byte", b"\xF0\x9F\x98"),
        ("lone continuation", b"\x80"),
        ("two continuations", b"\xBF\xBF"),
        ("continuation after a full character", b"\xC3\xA9\xA9"),
    ];
    let mut table = Vec::new();
    for &(class, bad) in classes {
        // The bad sequence's first byte (the first invalid byte, for the last class once the valid
        // character is skipped) lands at `at`.
        for at in [62usize, 63] {
            let skip_valid = if bad.starts_with(b"\xC3\xA9") { 2 } else { 0 };
            // Inside a string: `["aaa…<bad>"]`.
            let mut doc = b"[\"".to_vec();
            doc.resize(at - skip_valid, b'a');
            doc.extend_from_slice(bad);
            doc.extend_from_slice(b"\"]");
            let planted = core::str::from_utf8(&doc).map_or(usize::MAX, |_| 0);
            let valid_up_to = core::str::from_utf8(&doc)
                .err()
                .map_or(planted, |e| e.valid_up_to());
            assert_eq!(valid_up_to, at, "{class}: planted at {at}");
            table.push((
                format!("{class} in a string at {at}"),
                doc,
                Err((ErrorKind::InvalidUtf8, at as u64)),
            ));
            // Outside a string, as an array element after padding whitespace: `[1,   <bad>]`.
            let mut doc = b"[1,".to_vec();
            doc.resize(at - skip_valid, b' ');
            doc.extend_from_slice(bad);
            doc.extend_from_slice(b"]");
            if skip_valid == 0 {
                table.push((
                    format!("{class} outside a string at {at}"),
                    doc,
                    Err((ErrorKind::InvalidUtf8, at as u64)),
                ));
            }
        }
    }
    let table: Vec<(&str, Vec<u8>, Answer)> = table
        .iter()
        .map(|(n, d, a)| (n.as_str(), d.clone(), *a))
        .collect();
    check_table(&table);
}

/// NUL bytes, a byte order mark, a lone surrogate escape.
#[test]
fn nul_bom_and_lone_surrogate() {
    check_table(&[
        (
            "NUL inside a string",
            b"[\"a\0b\"]".to_vec(),
            Err((ErrorKind::ControlCharacterInString, 3)),
        ),
        (
            "NUL as a value",
            b"[\0]".to_vec(),
            Err((ErrorKind::ExpectedValue, 1)),
        ),
        (
            "NUL after a value",
            b"[1\0]".to_vec(),
            Err((ErrorKind::InvalidNumber, 2)),
        ),
        (
            "NUL after the document",
            b"{}\0".to_vec(),
            Err((ErrorKind::TrailingCharacters, 2)),
        ),
        (
            "NUL at 63, in a string",
            [&b"[\""[..], &[b'a'; 61], b"\0\"]"].concat(),
            Err((ErrorKind::ControlCharacterInString, 63)),
        ),
        (
            "UTF-8 BOM",
            b"\xEF\xBB\xBF{}".to_vec(),
            Err((ErrorKind::ExpectedValue, 0)),
        ),
        (
            "UTF-8 BOM inside a string",
            b"[\"\xEF\xBB\xBF\"]".to_vec(),
            Ok(()),
        ),
        (
            "lone high surrogate escape",
            b"[\"\\uD800\"]".to_vec(),
            Ok(()),
        ),
        (
            "lone low surrogate escape",
            b"[\"\\uDC00\"]".to_vec(),
            Ok(()),
        ),
        ("reversed pair", b"[\"\\uDC00\\uD800\"]".to_vec(), Ok(())),
    ]);
    // The tokenizer accepts a lone surrogate; decoding the string reports it.
    for (doc, at) in [
        (&b"[\"\\uD800\"]"[..], 0),
        (b"[\"ab\\uDBFFx\"]", 2),
        (b"[\"\\uDC00\\uD800\"]", 0),
    ] {
        let mut t = Tokenizer::new(doc);
        assert!(matches!(t.next_token(), Ok(Some(Token::BeginArray))));
        let Ok(Some(Token::Scalar(Scalar::String(s)))) = t.next_token() else {
            panic!("expected a string in {doc:?}");
        };
        let e = s.decode().err().map(|e| (e.kind(), e.offset()));
        assert_eq!(e, Some((ValueErrorKind::LoneSurrogate, at)), "{doc:?}");
    }
}

/// Duplicate keys, a 1 MiB key, 100,000 unknown keys in one object.
#[test]
fn keys() {
    let mib = if cfg!(miri) { 1 << 10 } else { 1 << 20 };
    let big_key = [&b"{\""[..], &vec![b'k'; mib], b"\":1}"].concat();
    let n = if cfg!(miri) { 1_000 } else { 100_000 };
    let mut many = b"{".to_vec();
    for i in 0..n {
        if i > 0 {
            many.push(b',');
        }
        many.extend_from_slice(format!("\"unknown{i}\":[{i}]").as_bytes());
    }
    many.push(b'}');
    check_table(&[
        ("duplicate keys", b"{\"a\":1,\"a\":2}".to_vec(), Ok(())),
        ("1 MiB key", big_key.clone(), Ok(())),
        ("100,000 keys", many.clone(), Ok(())),
        (
            "1 MiB key, no colon",
            big_key[..mib + 3].to_vec(),
            Err((ErrorKind::Eof, (mib + 3) as u64)),
        ),
    ]);
    let mut t = Tokenizer::new(&big_key);
    assert!(matches!(t.next_token(), Ok(Some(Token::BeginObject))));
    match t.next_token() {
        Ok(Some(Token::Key(k))) => assert_eq!(k.raw().len(), mib),
        other => panic!("expected the key, got {other:?}"),
    }

    // Through the event iterator: the last duplicate wins, a 1 MiB key and 100,000 unknown keys on
    // a session are skipped.
    let doc = br#"{"value": [{"id": "first", "id": "second"}]}"#;
    let ids: Vec<_> = session_ids(doc);
    assert_eq!(ids, [Some("second".to_owned())]);
    let mut doc = b"{\"value\": [{\"id\": \"s\", ".to_vec();
    doc.extend_from_slice(&many[1..many.len() - 1]);
    doc.extend_from_slice(b", ");
    doc.extend_from_slice(&big_key[1..big_key.len() - 1]);
    doc.extend_from_slice(b"}]}");
    assert_eq!(session_ids(&doc), [Some("s".to_owned())]);
}

fn session_ids(doc: &[u8]) -> Vec<Option<String>> {
    callrecords::events(doc)
        .filter_map(|e| match e {
            Ok(Event::Session(s)) => {
                Some(s.id.map(|i| String::from_utf8_lossy(i.raw()).into_owned()))
            }
            Ok(_) => None,
            Err(e) => panic!("error {e:?}"),
        })
        .collect()
}

/// A session whose `segments` is a string, a number or `null`: lenient mode records a value error
/// (or, for `null`, nothing) and keeps the session; strict mode stops with the error at the value.
#[test]
fn segments_of_the_wrong_type() {
    for (value, wrong) in [
        ("\"seg\"", true),
        ("42", true),
        ("null", false),
        ("{}", true),
        ("true", true),
    ] {
        let doc = format!(r#"{{"value": [{{"id": "s1", "segments": {value}}}, {{"id": "s2"}}]}}"#);
        // Where the raw text starts: for a string, after its opening quote.
        let quote = u64::from(value.starts_with('"'));
        let at = doc.find(value).map_or(0, |i| i as u64) + quote;
        let lenient: Vec<_> = callrecords::events(doc.as_bytes()).collect();
        let sessions: Vec<_> = lenient
            .iter()
            .filter_map(|e| match e {
                Ok(Event::Session(s)) => Some(*s),
                Ok(_) => None,
                Err(e) => panic!("{value}: lenient error {e:?}"),
            })
            .collect();
        assert_eq!(sessions.len(), 2, "{value}: both sessions are kept");
        assert_eq!(sessions[0].segment_count, 0, "{value}");
        let errors: Vec<_> = sessions[0]
            .errors
            .iter()
            .map(|e| (e.error.kind(), e.offset, e.to_string()))
            .collect();
        if wrong {
            assert_eq!(
                errors,
                [(
                    ValueErrorKind::WrongType,
                    at,
                    "/value/0/segments".to_owned()
                )],
                "{value}"
            );
        } else {
            assert!(errors.is_empty(), "{value}: {errors:?}");
        }
        let strict: Vec<_> =
            callrecords::Events::with_options(doc.as_bytes(), Options::default().strict(true))
                .collect();
        let err = strict.iter().find_map(|e| e.as_ref().err());
        if wrong {
            let err = err.unwrap_or_else(|| panic!("{value}: strict mode accepted it"));
            assert_eq!(
                (err.kind(), err.offset()),
                (ErrorKind::Value(ValueErrorKind::WrongType), at),
                "{value}"
            );
            assert_eq!(err.path(), Some("/value/0/segments"), "{value}");
        } else {
            assert!(err.is_none(), "{value}: {err:?}");
        }
    }
}

/// A value error's `raw` is the value's text in the input, and its `offset` is where that text
/// starts (for a string, after the opening quote), whatever went wrong: the wrong type, a bad
/// duration or timestamp, an integer out of range, an IEEE754Compatible integer string.
#[test]
fn value_error_offsets_point_at_their_raw_text() {
    let doc = br#"{"value": [{"id": "s", "isTest": "yes", "startDateTime": "x1",
        "segments": [{"id": 7, "media": [{"label": true, "streams": [
            {"averageJitter": "PT1,5S", "maxJitter": 12, "packetUtilization": 99999999999999999999,
             "averageAudioDegradation": "fast"},
            {"streamDirection": 3, "wasMediaBypassed": "no", "averageBandwidthEstimate": "12x",
             "rmsFreezeDuration": null}]}]}]}]}"#;
    let mut seen = 0;
    for event in callrecords::events(doc) {
        let event = event.unwrap_or_else(|e| panic!("lenient mode keeps value errors: {e}"));
        for e in event.field_errors().into_iter().flat_map(|f| f.iter()) {
            let at = usize::try_from(e.offset).unwrap_or(usize::MAX);
            assert_eq!(
                doc.get(at..at + e.raw.len()),
                Some(e.raw),
                "{e}: {:?} at {at}",
                String::from_utf8_lossy(e.raw)
            );
            seen += 1;
        }
    }
    // Every error above is kept (at most four per record).
    assert_eq!(seen, 11);
}
