//! Arbitrary bytes into the event iterator, lenient and strict: no panic, every offset within the
//! input, every borrowed slice inside it, nothing after an error; lenient mode fails exactly where
//! the tokenizer's validation fails (same kind and offset) and never on valid JSON; strict mode
//! without an error gives the lenient events; a reused `Parser` gives the same events as a fresh
//! iterator; every error has a JSON path, the same in lenient and strict mode for the same
//! syntax error, and the same from a reused `Parser`.
#![no_main]

use callrecords::{Options, Parser};
use callrecords_fuzz::events::run;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (lenient, lenient_err) = run(data, Options::default());
    let (strict, strict_err) = run(data, Options::default().strict(true));
    let with_path = |e: &callrecords::Error| (e.kind(), e.offset(), e.path().map(str::to_owned));
    let lenient_full = lenient_err.as_ref().map(with_path);
    if let Some((_, _, path)) = &lenient_full {
        assert!(path.is_some(), "a lenient error without a path: {lenient_err:?}");
    }
    if let (Some(l), Some(s)) = (&lenient_full, strict_err.as_ref().map(with_path)) {
        // The same syntax error in both modes has the same path.
        if (l.0, l.1) == (s.0, s.1) {
            assert_eq!(l.2, s.2, "lenient and strict paths differ");
        }
    }
    let lenient_err = lenient_err.map(|e| (e.kind(), e.offset()));
    match callrecords::tokenizer::validate(data) {
        Ok(()) => assert_eq!(lenient_err, None, "lenient mode rejected valid JSON"),
        Err(v) => {
            assert_eq!(
                lenient_err,
                Some((v.kind(), v.offset())),
                "lenient mode and validation disagree"
            );
            assert!(strict_err.is_some(), "strict mode accepted invalid JSON");
        }
    }
    if strict_err.is_none() {
        assert_eq!(strict, lenient, "strict without error differs from lenient");
    }
    // A reused parser, twice, gives what a fresh iterator gives.
    let mut parser = Parser::new();
    for _ in 0..2 {
        let mut got = Vec::new();
        let mut err = None;
        for item in parser.events(data) {
            match item {
                Ok(e) => got.push(e),
                Err(e) => {
                    err = Some(with_path(&e));
                    break;
                }
            }
        }
        assert_eq!(err, lenient_full, "reused parser: error");
        assert_eq!(got, lenient, "reused parser: events");
    }
});
