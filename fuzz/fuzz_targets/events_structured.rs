//! Structured documents aimed at 64-byte block boundaries (see `callrecords_fuzz::gen`): the event
//! iterator's records equal the serde_json-based reference, in lenient mode; strict mode agrees
//! whenever no value error is expected; and every stage-1 backend indexes the text identically.
#![no_main]

use callrecords::Options;
use callrecords_fuzz::events::run;
use callrecords_fuzz::gen::{document, expected, project, Record};
use libfuzzer_sys::fuzz_target;

fn errors(r: &Record) -> u32 {
    match r {
        Record::Session { errors, .. }
        | Record::Segment { errors, .. }
        | Record::Media { errors, .. }
        | Record::Stream { errors, .. } => *errors,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(json) = document(&mut u) else {
        return;
    };
    let want = expected(&json).unwrap_or_else(|| panic!("the generator made invalid JSON: {json}"));
    let (events, err) = run(json.as_bytes(), Options::default());
    if let Some(e) = err {
        panic!("lenient error {e:?} on {json}");
    }
    let got = project(&events);
    assert_eq!(got, want, "events differ from the reference on {json}");
    let (strict, err) = run(json.as_bytes(), Options::default().strict(true));
    if want.iter().all(|r| errors(r) == 0) {
        assert!(
            err.is_none(),
            "strict error {err:?} without a value error on {json}"
        );
        assert_eq!(strict, events, "strict events differ on {json}");
    } else {
        assert!(
            err.is_some(),
            "strict mode accepted a value error on {json}"
        );
    }
});
