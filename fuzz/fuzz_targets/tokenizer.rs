//! The tokenizer accepts exactly what serde_json accepts, and skipping a document agrees with
//! walking it token by token.
#![no_main]

use callrecords::tokenizer::{Scratch, Tokenizer};
use callrecords::ErrorKind;
use libfuzzer_sys::fuzz_target;

const DEPTH: usize = 128;

fn walk(data: &[u8]) -> Result<(), callrecords::Error> {
    let mut t = Tokenizer::with_scratch(data, Scratch::new(), DEPTH);
    while t.next_token()?.is_some() {}
    Ok(())
}

fn skip(data: &[u8]) -> Result<(), callrecords::Error> {
    let mut t = Tokenizer::with_scratch(data, Scratch::new(), DEPTH);
    t.skip_value()?;
    t.finish()
}

fuzz_target!(|data: &[u8]| {
    let walked = walk(data);
    let skipped = skip(data);
    assert_eq!(
        walked.as_ref().map_err(|e| (e.kind(), e.offset())).ok(),
        skipped.as_ref().map_err(|e| (e.kind(), e.offset())).ok(),
    );
    match (&walked, &skipped) {
        (Err(a), Err(b)) => assert_eq!((a.kind(), a.offset()), (b.kind(), b.offset())),
        (Ok(()), Ok(())) => {}
        _ => panic!("walk {walked:?} but skip {skipped:?}"),
    }
    if let Err(e) = &walked {
        assert!(e.offset() <= data.len() as u64, "offset past the input");
        if e.kind() == ErrorKind::DepthLimitExceeded {
            // serde_json's own recursion limit counts differently; nothing to compare.
            return;
        }
    }
    // serde_json does not check UTF-8 inside strings it ignores; RFC 8259 requires UTF-8, and so
    // do we. The oracle is therefore "valid UTF-8 and accepted by serde_json".
    let oracle = core::str::from_utf8(data)
        .map_err(|e| e.to_string())
        .and_then(|s| serde_json::from_str::<serde::de::IgnoredAny>(s).map_err(|e| e.to_string()));
    assert_eq!(
        walked.is_ok(),
        oracle.is_ok(),
        "ours {walked:?}, oracle {oracle:?}"
    );
});
