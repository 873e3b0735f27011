//! Property tests for the tokenizer.
//!
//! - Random JSON documents, valid and mutated (byte flips, insertions, deletions, truncations):
//!   accept/reject agrees with `serde_json::from_slice::<serde::de::IgnoredAny>`, corrected for the
//!   two places where `IgnoredAny` is deliberately laxer than a validator: it does not check UTF-8
//!   inside the strings it ignores, and it has no depth limit (the generator stays far below 128).
//! - `skip_value` over the whole document agrees with a full `next_token` walk (same error kind and
//!   offset, or both accept).
//! - Exact-size buffers (`Vec` with capacity == length, the input ending in the allocation's last
//!   byte) for every backend.

#![allow(clippy::panic, reason = "test failures panic")]

use callrecords::tokenizer::{Scratch, Token, Tokenizer, DEFAULT_DEPTH_LIMIT};
use callrecords::{Backend, Error, ErrorKind};
use proptest::prelude::*;
use proptest::sample::Index;

/// A generated JSON value; strings and numbers hold their JSON text.
#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

/// The JSON text of a string (with quotes): serde_json's escaping of random text, or a mix of
/// hand-picked escapes (surrogate pairs, lone surrogates, `\/`) and non-ASCII text.
fn string_text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("\\u00e9".to_owned()),
        Just("\\uD83D\\uDE00".to_owned()),
        Just("\\uD800".to_owned()),
        Just("\\/".to_owned()),
        Just("\\\\".to_owned()),
        Just("\\\"".to_owned()),
        Just("\\b\\f\\n\\r\\t".to_owned()),
        Just("é€😀".to_owned()),
        "[a-zA-Z0-9 ]{0,12}",
    ];
    prop_oneof![
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
        prop::collection::vec(fragment, 0..5).prop_map(|parts| format!("\"{}\"", parts.concat())),
    ]
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,12})?([eE][+-]?[0-9]{1,4})?",
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
    ]
}

fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        number_text().prop_map(Json::Num),
        string_text().prop_map(Json::Str),
    ];
    leaf.prop_recursive(8, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Json::Arr),
            prop::collection::vec((string_text(), inner), 0..8).prop_map(Json::Obj),
        ]
    })
}

/// Renders `value` with whitespace picked by a small PRNG seeded with `seed`.
fn render(value: &Json, seed: u64, out: &mut Vec<u8>) {
    let mut state = seed | 1;
    let mut ws = |out: &mut Vec<u8>| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let pick: &[u8] = match state % 8 {
            0 => b" ",
            1 => b"\n  ",
            2 => b"\t",
            3 => b"\r\n",
            _ => b"",
        };
        out.extend_from_slice(pick);
    };
    // Explicit stack of what remains to be written.
    enum Frame<'a> {
        Value(&'a Json),
        Key(&'a str),
        Text(&'static [u8]),
    }
    let mut stack = vec![Frame::Value(value)];
    while let Some(frame) = stack.pop() {
        ws(out);
        match frame {
            Frame::Text(t) => out.extend_from_slice(t),
            Frame::Key(k) => out.extend_from_slice(k.as_bytes()),
            Frame::Value(v) => match v {
                Json::Null => out.extend_from_slice(b"null"),
                Json::Bool(true) => out.extend_from_slice(b"true"),
                Json::Bool(false) => out.extend_from_slice(b"false"),
                Json::Num(n) => out.extend_from_slice(n.as_bytes()),
                Json::Str(s) => out.extend_from_slice(s.as_bytes()),
                Json::Arr(items) => {
                    out.push(b'[');
                    stack.push(Frame::Text(b"]"));
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push(Frame::Value(item));
                        if i > 0 {
                            stack.push(Frame::Text(b","));
                        }
                    }
                }
                Json::Obj(members) => {
                    out.push(b'{');
                    stack.push(Frame::Text(b"}"));
                    for (i, (key, item)) in members.iter().enumerate().rev() {
                        stack.push(Frame::Value(item));
                        stack.push(Frame::Text(b":"));
                        stack.push(Frame::Key(key));
                        if i > 0 {
                            stack.push(Frame::Text(b","));
                        }
                    }
                }
            },
        }
    }
    ws(out);
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(Index, u8),
    Insert(Index, u8),
    Delete(Index),
    Truncate(Index),
}

fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(b"{}[]:,\"\\ \n0123456789-+.eEtrufalsn/u\x00\x1f\x7f\xc3\xa9\xff\x80".to_vec()),
        1 => any::<u8>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), interesting_byte()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        2 => (any::<Index>(), interesting_byte()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => any::<Index>().prop_map(Mutation::Delete),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn apply(doc: &mut Vec<u8>, m: &Mutation) {
    if doc.is_empty() {
        if let Mutation::Insert(_, b) = m {
            doc.push(*b);
        }
        return;
    }
    match m {
        Mutation::Flip(i, b) => {
            let i = i.index(doc.len());
            doc[i] = *b;
        }
        Mutation::Insert(i, b) => {
            let i = i.index(doc.len() + 1);
            doc.insert(i, *b);
        }
        Mutation::Delete(i) => {
            doc.remove(i.index(doc.len()));
        }
        Mutation::Truncate(i) => doc.truncate(i.index(doc.len())),
    }
}

/// Every stage-1 backend this CPU supports (the scalar reference included).
fn backends() -> Vec<Backend> {
    Backend::supported()
}

fn skip_walk(input: &[u8], backend: Backend) -> Result<(), Error> {
    let mut t = Tokenizer::with_scratch(input, Scratch::with_backend(backend), DEFAULT_DEPTH_LIMIT);
    let range = t.skip_value()?;
    t.finish()?;
    // The range covers the value's text exactly: only whitespace outside it.
    assert!(input[..range.start].iter().all(|b| b" \t\n\r".contains(b)));
    assert!(input[range.end..].iter().all(|b| b" \t\n\r".contains(b)));
    Ok(())
}

fn token_walk(input: &[u8], backend: Backend) -> Result<usize, Error> {
    let mut t = Tokenizer::with_scratch(input, Scratch::with_backend(backend), DEFAULT_DEPTH_LIMIT);
    let mut depth = 0usize;
    let mut tokens = 0;
    while let Some(token) = t.next_token()? {
        tokens += 1;
        match token {
            Token::BeginObject | Token::BeginArray => depth += 1,
            Token::EndObject | Token::EndArray => depth -= 1,
            Token::Key(_) | Token::Scalar(_) => {}
        }
        assert_eq!(depth, t.depth());
    }
    assert_eq!(depth, 0);
    Ok(tokens)
}

/// What a validator should say, from serde_json's `IgnoredAny` plus a whole-input UTF-8 check.
fn oracle(input: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(input).is_ok()
        && core::str::from_utf8(input).is_ok()
}

fn check_agrees(input: &[u8]) -> Result<(), TestCaseError> {
    let want = oracle(input);
    for backend in backends() {
        let skip = skip_walk(input, backend);
        let walk = token_walk(input, backend);
        let key = |e: &Error| (e.kind(), e.offset());
        prop_assert_eq!(
            skip.as_ref().err().map(key),
            walk.as_ref().err().map(key),
            "skip_value and next_token disagree on {:?}",
            String::from_utf8_lossy(input)
        );
        prop_assert_eq!(
            skip.is_ok(),
            want,
            "{:?} vs serde_json on {:?}: {:?}",
            backend,
            String::from_utf8_lossy(input),
            skip.err()
        );
        if let Err(e) = &skip {
            prop_assert!(e.offset() as usize <= input.len());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn valid_documents_agree(value in json(), seed in any::<u64>()) {
        let mut doc = Vec::new();
        render(&value, seed, &mut doc);
        prop_assert!(oracle(&doc), "generator produced invalid JSON: {:?}", String::from_utf8_lossy(&doc));
        check_agrees(&doc)?;
    }

    #[test]
    fn mutated_documents_agree(
        value in json(),
        seed in any::<u64>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut doc = Vec::new();
        render(&value, seed, &mut doc);
        for m in &mutations {
            apply(&mut doc, m);
        }
        check_agrees(&doc)?;
    }

    /// Documents pushed across the 64 KiB window boundary by leading whitespace.
    #[test]
    fn documents_across_windows_agree(
        value in json(),
        seed in any::<u64>(),
        pad in 65_300usize..65_536,
        mutation in prop::option::of(mutation()),
    ) {
        let mut doc = vec![b' '; pad];
        render(&value, seed, &mut doc);
        if let Some(m) = &mutation {
            apply(&mut doc, m);
        }
        check_agrees(&doc)?;
    }
}

/// Exact-size buffers: each input is moved into a `Vec` whose capacity equals its length, so the
/// last byte of the input is the last byte of the allocation. Every prefix is checked too (a
/// truncated document is `Eof`, unless it is a complete number).
#[test]
fn exact_size_buffers() {
    let long_string = format!("[\"{}\"]", "a".repeat(200));
    let docs: Vec<(Vec<u8>, Result<(), ErrorKind>)> = vec![
        (b"0".to_vec(), Ok(())),
        (b"-12.5e+3".to_vec(), Ok(())),
        (b"true".to_vec(), Ok(())),
        (b"null".to_vec(), Ok(())),
        (b"\"\"".to_vec(), Ok(())),
        (b"\"\\u00e9\"".to_vec(), Ok(())),
        (b"[]".to_vec(), Ok(())),
        (b"{\"a\":[1,2,{\"b\":null}]}".to_vec(), Ok(())),
        (long_string.into_bytes(), Ok(())),
        ([vec![b' '; 63], b"1".to_vec()].concat(), Ok(())),
        ([vec![b' '; 62], b"[]".to_vec()].concat(), Ok(())),
        (
            [b"[".to_vec(), vec![b' '; 62], b"1".to_vec()].concat(),
            Err(ErrorKind::Eof),
        ),
        (
            [b"\"".to_vec(), vec![b'x'; 62], b"\\".to_vec()].concat(),
            Err(ErrorKind::Eof),
        ),
        (b"tru".to_vec(), Err(ErrorKind::Eof)),
        (b"1.".to_vec(), Err(ErrorKind::Eof)),
        (b"\"\\u12".to_vec(), Err(ErrorKind::Eof)),
        // Cut short inside a character: the end of the input, as inside an escape.
        (b"\"\xc3".to_vec(), Err(ErrorKind::Eof)),
        (b"\"\xc3\"".to_vec(), Err(ErrorKind::InvalidUtf8)),
        (b"1 x".to_vec(), Err(ErrorKind::TrailingCharacters)),
        (b"nulL".to_vec(), Err(ErrorKind::InvalidLiteral)),
    ];
    for backend in backends() {
        for (doc, want) in &docs {
            let exact = doc.clone().into_boxed_slice().into_vec();
            assert_eq!(exact.capacity(), exact.len());
            let got = skip_walk(&exact, backend).map_err(|e| e.kind());
            assert_eq!(&got, want, "{backend:?} {:?}", String::from_utf8_lossy(doc));
            let walked = token_walk(&exact, backend)
                .map(|_| ())
                .map_err(|e| e.kind());
            assert_eq!(
                &walked,
                want,
                "{backend:?} {:?}",
                String::from_utf8_lossy(doc)
            );
            if want.is_ok() {
                for cut in 0..doc.len() {
                    let prefix = doc[..cut].to_vec().into_boxed_slice().into_vec();
                    let complete_number = !prefix.is_empty() && oracle(&prefix);
                    let got = skip_walk(&prefix, backend).map_err(|e| e.kind());
                    if complete_number {
                        assert_eq!(got, Ok(()), "{:?}", String::from_utf8_lossy(&prefix));
                    } else {
                        assert_eq!(
                            got,
                            Err(ErrorKind::Eof),
                            "{:?}",
                            String::from_utf8_lossy(&prefix)
                        );
                    }
                }
            }
        }
    }
}
