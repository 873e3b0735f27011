//! Every error with a position in the JSON carries the JSON Pointer of where it occurred, and the
//! slice iterator, the `Feeder` (fed in two chunks cut anywhere) and the `Reader` (one byte per
//! read) agree on it.
//!
//! The table's paths are written by hand. The property test at the end checks the library's
//! forward walk against an independent reference (a recursive descent over the whole valid
//! document) on generated documents cut short or with one byte replaced, at every offset.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test failures should panic

use callrecords::{Error, ErrorKind, Options, StreamOptions};

#[path = "support/first_error.rs"]
mod first_error;

/// The first error of the slice iterator.
fn slice_error(doc: &[u8], options: Options) -> Option<Error> {
    callrecords::Events::with_options(doc, options).find_map(Result::err)
}

/// A table case: the document, the error kind, where it is (a byte string of the document and how
/// far into it), and the JSON path.
type Case<'a> = (&'a [u8], ErrorKind, (&'a [u8], usize), String);

fn summary(e: &Error) -> (ErrorKind, u64, Option<String>) {
    (e.kind(), e.offset(), e.path().map(str::to_owned))
}

/// Checks that the slice iterator, the feeder at every two-chunk split and the reader with 1-byte
/// reads all report `want` for `doc`.
fn check(doc: &[u8], options: Options, want: (ErrorKind, u64, &str)) {
    let want = (want.0, want.1, Some(want.2.to_owned()));
    let name = String::from_utf8_lossy(doc);
    let slice = slice_error(doc, options).unwrap_or_else(|| panic!("{name}: no slice error"));
    assert_eq!(summary(&slice), want, "slice iterator: {name}");
    let stream = StreamOptions::new().events(options);
    for cut in 0..=doc.len() {
        let e = first_error::feeder(doc, &[cut], stream)
            .unwrap_or_else(|| panic!("{name} cut {cut}: no feeder error"));
        assert_eq!(summary(&e), want, "feeder, cut {cut}: {name}");
    }
    let e = first_error::reader(doc, stream.read_size(1))
        .unwrap_or_else(|| panic!("{name}: no reader error"));
    assert_eq!(summary(&e), want, "reader: {name}");
}

/// The offset of the first occurrence of `needle` in `doc`, plus `skip`.
fn at(doc: &[u8], needle: &[u8], skip: usize) -> u64 {
    let i = doc
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(needle)));
    (i + skip) as u64
}

#[test]
fn syntax_errors_carry_the_json_path_on_every_path() {
    use ErrorKind::*;
    let deep = format!("{{\"value\": [{{\"x\": {}", "[".repeat(200));
    let deep_path = format!("/value/0/x{}", "/0".repeat(124));
    // (document, kind, where: the byte string the error is at and how far into it, path)
    let cases: Vec<Case<'_>> = vec![
        // In a top-level member's value (after the session array).
        (
            br#"{"@odata.context": "c", "value": [], "@odata.nextLink": nul}"#,
            InvalidLiteral,
            (b"nul}", 3),
            "/@odata.nextLink".into(),
        ),
        // In a top-level member's value before the session array.
        (
            br#"{"@odata.context": -, "value": []}"#,
            InvalidNumber,
            (b"-,", 1),
            "/@odata.context".into(),
        ),
        // In a session field.
        (
            br#"{"value": [{"id": "a"}, {"id": "b", "isTest": tru}]}"#,
            InvalidLiteral,
            (b"tru}", 3),
            "/value/1/isTest".into(),
        ),
        // Inside a nested stream, after a member's value (the member has ended).
        (
            br#"{"value": [{"segments": [{"media": [{"streams": [{"averageJitter": "PT1S" "x"}]}]}]}]}"#,
            ExpectedObjectCommaOrEnd,
            (b"\"x\"", 0),
            "/value/0/segments/0/media/0/streams/0".into(),
        ),
        // A key read, no colon: the member.
        (
            br#"{"value": [{"segments": [{"media": [{"label" "x"}]}]}]}"#,
            ExpectedColon,
            (b"\"x\"", 0),
            "/value/0/segments/0/media/0/label".into(),
        ),
        // Between the session array's elements.
        (
            br#"{"value": [{"id": "a"} {"id": "b"}]}"#,
            ExpectedArrayCommaOrEnd,
            (b"{\"id\": \"b\"", 0),
            "/value".into(),
        ),
        (
            br#"{"value": [{"id": "a"},, {"id": "b"}]}"#,
            ExpectedValue,
            (b",,", 1),
            "/value".into(),
        ),
        // At the first byte of an element: it has not begun, so the array.
        (
            br#"{"value": [{}, #]}"#,
            ExpectedValue,
            (b"#", 0),
            "/value".into(),
        ),
        (
            b"{\"value\":[\n \xdb  {}]}",
            InvalidUtf8,
            (b"\xdb", 0),
            "/value".into(),
        ),
        (
            br#"{"value": [{"segments": [{}, [x]]}]}"#,
            ExpectedValue,
            (b"x]", 0),
            "/value/0/segments/1".into(),
        ),
        // Between the elements of a nested array.
        (
            br#"{"value": [{"segments": [{"id": "g"}, ]}]}"#,
            TrailingComma,
            (b", ]", 2),
            "/value/0/segments".into(),
        ),
        // In a key: the object holding it.
        (
            br#"{"value": [{"id": "a", "i\d": 1}]}"#,
            InvalidEscape,
            (b"\\d", 0),
            "/value/0".into(),
        ),
        // The end of the input inside a deep value.
        (
            br#"{"value": [{"segments": [{"media": [{"label": "main-au"#,
            Eof,
            (b"main-au", 7),
            "/value/0/segments/0/media/0/label".into(),
        ),
        (
            br#"{"value": [{"id": "a"}, "#,
            Eof,
            (b", ", 2),
            "/value".into(),
        ),
        (b"{\"value\": [1", Eof, (b"1", 1), "/value/0".into()),
        // Trailing garbage after the document: the top level.
        (br#"{"value": []} x"#, TrailingCharacters, (b"x", 0), String::new()),
        (br#"{"id": "c"} x"#, TrailingCharacters, (b"x", 0), String::new()),
        // The depth limit, at the bracket that exceeds it: the container it opens in.
        (deep.as_bytes(), DepthLimitExceeded, (b"[[", 125), deep_path),
        // Invalid UTF-8 and a control character in a string.
        (
            b"{\"value\": [{\"id\": \"a\xffb\"}]}",
            InvalidUtf8,
            (b"\xff", 0),
            "/value/0/id".into(),
        ),
        (
            b"{\"value\": [{\"id\": \"a\x01\"}]}",
            ControlCharacterInString,
            (b"\x01", 0),
            "/value/0/id".into(),
        ),
        // Keys that need `~0` and `~1`, and escapes left as in the input.
        (
            br#"{"value": [{"a/b": {"c~d": [1, 2 x]}}]}"#,
            ExpectedArrayCommaOrEnd,
            (b"x]", 0),
            "/value/0/a~1b/c~0d".into(),
        ),
        (
            br#"{"value": [{"\u0041\"/": 1 2}]}"#,
            ExpectedObjectCommaOrEnd,
            (b"2}", 0),
            "/value/0".into(),
        ),
        (
            br#"{"value": [{"\u0041\"/": [0 1]}]}"#,
            ExpectedArrayCommaOrEnd,
            (b"1]", 0),
            r#"/value/0/\u0041\"~1"#.into(),
        ),
        // The session array's key written with an escape.
        (
            br#"{"v\u0061lue": [{"id": [1,]}]}"#,
            TrailingComma,
            (b",]", 1),
            r"/v\u0061lue/0/id".into(),
        ),
        // A number or literal session, broken where the delimiter after it ends it.
        (br#"{"value": [{}, 1.]}"#, InvalidNumber, (b"]}", 0), "/value/1".into()),
        (br#"{"value": [tru]}"#, InvalidLiteral, (b"]}", 0), "/value/0".into()),
        // A callRecord document's sessions, and a list page's call records.
        (
            br#"{"id": "c", "sessions": [{"segments": [{"id" 1}]}]}"#,
            ExpectedColon,
            (b"1}", 0),
            "/sessions/0/segments/0/id".into(),
        ),
        (
            br#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords", "value": [{"id": "c", "sessions": [{"id": tru}]}]}"#,
            InvalidLiteral,
            (b"tru}", 3),
            "/value/0/sessions/0/id".into(),
        ),
        // A document without a session array.
        (
            br#"{"id": "c", "participants_v2": [{"x": }]}"#,
            ExpectedValue,
            (b"}]", 0),
            "/participants_v2/0/x".into(),
        ),
        // The top-level punctuation, before and after the session array.
        (
            br#"{"@odata.context": "c" "value": []}"#,
            ExpectedObjectCommaOrEnd,
            (b"\"value\"", 0),
            String::new(),
        ),
        (
            br#"{"value": [{}], "@odata.nextLink": "n",}"#,
            TrailingComma,
            (b",}", 1),
            String::new(),
        ),
        (
            br#"{"value": [{}] "x": 1}"#,
            ExpectedObjectCommaOrEnd,
            (b"\"x\"", 0),
            String::new(),
        ),
        (
            br#"{"value": [{}], "x" 1}"#,
            ExpectedColon,
            (b"1}", 0),
            "/x".into(),
        ),
        (b"", Eof, (b"", 0), String::new()),
        (b"{\"value\": [{}]", Eof, (b"]", 1), String::new()),
    ];
    for (doc, kind, (needle, skip), path) in &cases {
        let offset = if needle.is_empty() {
            0
        } else {
            at(doc, needle, *skip)
        };
        check(doc, Options::default(), (*kind, offset, path));
    }
}

#[test]
fn strict_mode_keeps_value_paths_and_adds_syntax_paths() {
    let strict = Options::default().strict(true);
    // A value error keeps its field's path.
    let doc = br#"{"value": [{"id": "a", "startDateTime": "yesterday"}]}"#;
    let e = slice_error(doc, strict).expect("a value error");
    assert!(e.is_value());
    assert_eq!(e.path(), Some("/value/0/startDateTime"));
    // A syntax error in strict mode has the same path as in lenient mode.
    let doc = br#"{"value": [{"id": "a", "segments": [{"id": "g", "x": 1 2}]}]}"#;
    let offset = at(doc, b"2}", 0);
    let want = (
        ErrorKind::ExpectedObjectCommaOrEnd,
        offset,
        "/value/0/segments/0",
    );
    check(doc, strict, want);
    check(doc, Options::default(), want);
    // Not a callRecords document: no position in the JSON, no path.
    let e = slice_error(b"[1, 2]", strict).expect("not callRecords");
    assert_eq!(e.kind(), ErrorKind::NotCallRecords);
    assert_eq!(e.path(), None);
}

#[test]
fn an_oversize_session_names_the_session() {
    let doc = br#"{"value": [{"id": "1"}, {"id": "2", "more": "xxxxxxxxxxxxxxxxxxxxxxx"}]}"#;
    let options = StreamOptions::new().max_session_bytes(16);
    for cut in 0..=doc.len() {
        let e = first_error::feeder(doc, &[cut], options).expect("too large");
        assert_eq!(e.kind(), ErrorKind::SessionTooLarge);
        assert_eq!(e.path(), Some("/value/1"), "cut {cut}");
    }
    let e = first_error::reader(doc, options.read_size(1)).expect("too large");
    assert_eq!(e.path(), Some("/value/1"));
    assert!(
        e.to_string().contains(" at /value/1 at line 1 column 25"),
        "{e}"
    );
}

#[test]
fn display_shows_the_path_but_not_the_empty_root() {
    let e = slice_error(br#"{"value": [{"id": tru}]}"#, Options::default()).expect("error");
    assert_eq!(
        e.to_string(),
        "expected `true`, `false` or `null`, found `}` at /value/0/id at byte 21"
    );
    let e = slice_error(br#"{"value": []} x"#, Options::default()).expect("error");
    assert_eq!(e.path(), Some(""));
    assert_eq!(
        e.to_string(),
        "expected the end of the input after the top-level value, found `x` at byte 14"
    );
}

// ---------------------------------------------------------------------------------------------
// An independent reference for the paths
// ---------------------------------------------------------------------------------------------

/// The documented position (see `Error::path`) of every offset of a valid JSON text, worked out
/// by recursive descent over the whole text rather than by the library's forward walk: each
/// value claims the offsets it is being read at, innermost first, and an enclosing member, element
/// or container takes only the offsets left unclaimed.
///
/// `paths[p]` is the pointer once bytes `..p` were read, for `p` in `0..=text.len()`.
struct Reference<'t> {
    text: &'t [u8],
    paths: Vec<Option<String>>,
}

impl<'t> Reference<'t> {
    /// The deepest nesting the reference follows (the documents here are far shallower).
    const MAX_DEPTH: usize = 64;

    fn paths(text: &'t [u8]) -> Vec<String> {
        let mut r = Reference {
            text,
            paths: vec![None; text.len() + 1],
        };
        let start = r.ws(0);
        r.value(start, &mut Vec::new());
        r.paths.into_iter().map(Option::unwrap_or_default).collect()
    }

    fn ws(&self, mut i: usize) -> usize {
        while matches!(self.text[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    }

    /// Gives the offsets `from..=to` that no inner value claimed the pointer of `tokens`.
    fn claim(&mut self, from: usize, to: usize, tokens: &[String]) {
        let pointer: String = tokens.iter().map(|t| format!("/{t}")).collect();
        for slot in &mut self.paths[from..=to.min(self.text.len())] {
            slot.get_or_insert_with(|| pointer.clone());
        }
    }

    /// Reads the value at `i` (at `tokens`). Returns the last offset at which it is still being
    /// read (its closing quote or bracket, or the byte after a number or literal) and the offset
    /// after its bytes.
    fn value(&mut self, i: usize, tokens: &mut Vec<String>) -> (usize, usize) {
        assert!(
            tokens.len() < Self::MAX_DEPTH,
            "the reference's depth bound"
        );
        let close = match self.text[i] {
            b'{' => self.container(i, b'}', tokens),
            b'[' => self.container(i, b']', tokens),
            b'"' => self.string_end(i),
            _ => {
                // A number or literal: it ends at the first byte that cannot continue it.
                let mut j = i;
                while !matches!(
                    self.text.get(j),
                    None | Some(b',' | b'}' | b']' | b'{' | b'[' | b':' | b'"')
                ) && !self.text[j].is_ascii_whitespace()
                {
                    j += 1;
                }
                return (j, j);
            }
        };
        (close, close + 1)
    }

    /// The offset of the closing quote of the string that opens at `i`.
    fn string_end(&self, i: usize) -> usize {
        let mut j = i + 1;
        loop {
            match self.text[j] {
                b'\\' => j += 2,
                b'"' => return j,
                _ => j += 1,
            }
        }
    }

    /// Reads the object or array that opens at `open`; returns the offset of its `close`.
    fn container(&mut self, open: usize, close: u8, tokens: &mut Vec<String>) -> usize {
        let mut i = self.ws(open + 1);
        let mut index = 0;
        while self.text[i] != close {
            let (token, from, at) = if close == b'}' {
                let key_end = self.string_end(i);
                let raw = core::str::from_utf8(&self.text[i + 1..key_end]).expect("UTF-8 key");
                // A member from its key's closing quote on; the value starts after the colon.
                let token = raw.replace('~', "~0").replace('/', "~1");
                (token, key_end + 1, self.ws(self.ws(key_end + 1) + 1))
            } else {
                // An element once its first byte was read.
                (index.to_string(), i + 1, i)
            };
            tokens.push(token);
            let (last, after) = self.value(at, tokens);
            self.claim(from, last, tokens);
            tokens.pop();
            let after = self.ws(after);
            i = if self.text[after] == b',' {
                self.ws(after + 1)
            } else {
                after
            };
            index += 1;
        }
        self.claim(open + 1, i, tokens);
        i
    }
}

mod reference_check {
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    use super::{first_error, Reference};
    use callrecords::{Error, StreamOptions};

    /// Keys and strings that need pointer escaping (`~`, `/`), JSON escaping (`"`, `\`, control
    /// characters) or more than one byte.
    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec!['a', '~', '/', '"', '\\', '\u{1}', 'é', '€', '0']),
            0..4,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i16>().prop_map(Value::from),
            (-1.0e3f64..1.0e3).prop_map(Value::from),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((text(), inner), 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    /// A document whose every proper prefix is an error: an object or array at the top, or a
    /// sessions page whose sessions hold the generated members.
    fn document() -> impl Strategy<Value = Vec<u8>> {
        let top = json().prop_filter("a container at the top", |v| v.is_object() || v.is_array());
        let sessions = prop::collection::vec(prop::collection::vec((text(), json()), 0..4), 0..3)
            .prop_map(|sessions| {
                let value: Vec<Value> = sessions
                    .into_iter()
                    .map(|m| Value::Object(m.into_iter().collect()))
                    .collect();
                serde_json::json!({ "@odata.context": "c", "value": value, "@odata.nextLink": "n" })
            });
        // Compact, or indented with two spaces or with tabs.
        let indent = prop::sample::select(vec![None, Some(&b"  "[..]), Some(&b"\t"[..])]);
        (prop_oneof![top, sessions], indent).prop_map(|(v, indent)| {
            use serde::Serialize;
            let mut out = Vec::new();
            match indent {
                None => serde_json::to_writer(&mut out, &v),
                Some(indent) => {
                    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent);
                    v.serialize(&mut serde_json::Serializer::with_formatter(
                        &mut out, formatter,
                    ))
                }
            }
            .expect("serializable");
            out
        })
    }

    /// The first error of the slice iterator, the `Feeder` cut at `cut`, the `Reader` with 1-byte
    /// reads and the bare tokenizer's `validate`, each as (offset, path).
    fn errors(doc: &[u8], cut: usize) -> [Option<(u64, Option<String>)>; 4] {
        let summary = |e: Error| (e.offset(), e.path().map(str::to_owned));
        [
            callrecords::events(doc).find_map(Result::err),
            first_error::feeder(doc, &[cut.min(doc.len())], StreamOptions::new()),
            first_error::reader(doc, StreamOptions::new().read_size(1)),
            callrecords::tokenizer::validate(doc).err(),
        ]
        .map(|e| e.map(summary))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// Cut short anywhere, or with a byte replaced anywhere, a document's first syntax error
        /// has the reference's path at its offset, on the slice iterator, both streams and the
        /// bare tokenizer.
        #[test]
        fn error_paths_match_a_recursive_descent_reference(
            doc in document(),
            cut in any::<prop::sample::Index>(),
            bad in prop::sample::select(vec![b'#', b'}', b']', b':', b',']),
        ) {
            let paths = Reference::paths(&doc);
            let split = cut.index(doc.len() + 1);
            for p in 0..doc.len() {
                for (k, e) in errors(&doc[..p], split).into_iter().enumerate() {
                    let (offset, path) = e.ok_or_else(|| TestCaseError::fail(format!("path {k}: no error cut at {p}")))?;
                    let at = usize::try_from(offset).expect("small");
                    prop_assert!(at <= p);
                    prop_assert_eq!(path.as_deref(), Some(paths[at].as_str()), "path {} cut at {}", k, p);
                }
                let mut broken = doc.clone();
                broken[p] = bad;
                for (k, e) in errors(&broken, split).into_iter().enumerate() {
                    // An error at the replaced byte has only the document's bytes before it.
                    if let Some((offset, path)) = e.filter(|e| e.0 == p as u64) {
                        prop_assert_eq!(path.as_deref(), Some(paths[p].as_str()), "path {} at {} replaced", k, offset);
                    }
                }
            }
        }
    }
}
