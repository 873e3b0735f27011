//! Arbitrary bytes into the event iterator, lenient and strict: no panic, every offset within the
//! input, every borrowed slice inside it, nothing after an error; lenient mode fails exactly where
//! the tokenizer's validation fails (same kind and offset) and never on valid JSON; strict mode
//! without an error gives the lenient events; a reused `Parser` gives the same events as a fresh
//! iterator.
#![no_main]

use callrecords::{Options, Parser};
use callrecords_fuzz::events::run;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (lenient, lenient_err) = run(data, Options::default());
    let (strict, strict_err) = run(data, Options::default().strict(true));
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
                    err = Some((e.kind(), e.offset()));
                    break;
                }
            }
        }
        assert_eq!(err, lenient_err, "reused parser: error");
        assert_eq!(got, lenient, "reused parser: events");
    }
});
