//! A document plus split points: the push `Feeder` fed in those chunks gives exactly the events
//! (and the error) it gives when fed the whole document at once; for documents the streaming docs
//! promise it for, the slice iterator's events; and always the slice iterator's first error.
//!
//! Input: byte 0 is the number of split points `n` (at most 16), the next `2 n` bytes are split
//! offsets (little-endian `u16`, taken modulo the document's length + 1), the rest is the document.
#![no_main]

use callrecords::tokenizer::{Token, Tokenizer};
use callrecords::Feeder;
use libfuzzer_sys::fuzz_target;

/// Events as owned text (their `Debug` form: every field, offsets and paths included), and the
/// first error as kind, offset and JSON path.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    events: Vec<String>,
    error: Option<(callrecords::ErrorKind, u64, Option<String>)>,
}

/// An error's kind, offset and path; every error here has a position in the JSON, so a path.
fn summary(e: &callrecords::Error) -> (callrecords::ErrorKind, u64, Option<String>) {
    assert!(e.path().is_some(), "an error without a path: {e:?}");
    (e.kind(), e.offset(), e.path().map(str::to_owned))
}

fn drain(feeder: &mut Feeder, run: &mut Run) -> bool {
    loop {
        match feeder.next_section() {
            Ok(Some(mut section)) => {
                for event in section.events() {
                    match event {
                        Ok(e) => run.events.push(format!("{e:?}")),
                        Err(e) => {
                            run.error = Some(summary(&e));
                            return false;
                        }
                    }
                }
            }
            Ok(None) => return true,
            Err(e) => {
                run.error = Some(summary(&e));
                return false;
            }
        }
    }
}

fn feed(doc: &[u8], cuts: &[usize]) -> Run {
    let mut feeder = Feeder::new();
    let mut run = Run {
        events: Vec::new(),
        error: None,
    };
    let mut from = 0;
    for &cut in cuts.iter().chain(core::iter::once(&doc.len())) {
        feeder.feed(&doc[from..cut]);
        from = cut;
        if !drain(&mut feeder, &mut run) {
            return run;
        }
    }
    feeder.finish();
    if drain(&mut feeder, &mut run) {
        assert!(feeder.is_done(), "finished without error but not done");
    }
    if let Some((_, at, _)) = run.error {
        assert!(at <= doc.len() as u64, "error offset {at} past the input");
    }
    run
}

/// The slice iterator's events, in the same form.
fn slice(doc: &[u8]) -> Run {
    let mut run = Run {
        events: Vec::new(),
        error: None,
    };
    for item in callrecords::events(doc) {
        match item {
            Ok(e) => run.events.push(format!("{e:?}")),
            Err(e) => {
                run.error = Some(summary(&e));
                break;
            }
        }
    }
    run
}

/// How many top-level `value` and `sessions` members the document has (the streaming and slice
/// iterators pick different ones when there are several), or `None` when it is not valid JSON.
fn session_arrays(doc: &[u8]) -> Option<usize> {
    let mut t = Tokenizer::new(doc);
    let mut n = 0;
    while let Some(token) = t.next_token().ok()? {
        if let Token::Key(k) = token {
            if t.depth() == 1 && (k.eq_str("value") || k.eq_str("sessions")) {
                n += 1;
            }
        }
    }
    Some(n)
}

fn without_header(run: &Run) -> Vec<&String> {
    run.events
        .iter()
        .filter(|e| !e.starts_with("Page(") && !e.starts_with("CallRecord("))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n).min(16);
    if rest.len() < 2 * n {
        return;
    }
    let (splits, doc) = rest.split_at(2 * n);
    let mut cuts: Vec<usize> = splits
        .chunks_exact(2)
        .map(|c| usize::from(u16::from_le_bytes([c[0], c[1]])) % (doc.len() + 1))
        .collect();
    cuts.sort_unstable();

    let whole = feed(doc, &[]);
    let split = feed(doc, &cuts);
    assert_eq!(split, whole, "split at {cuts:?} differs from one chunk");

    let reference = slice(doc);
    if let (None, None, Some(arrays)) = (&reference.error, &whole.error, session_arrays(doc)) {
        if arrays <= 1 {
            assert_eq!(
                without_header(&whole),
                without_header(&reference),
                "feeder and slice iterator differ"
            );
        }
    }
    // The same first error, kind, offset and JSON path: the stream reports the first defect in the
    // input, as the slice iterator does (the events before it may differ: the slice iterator checks a
    // page's whole top level before its sessions when `@odata.context` does not come first).
    assert_eq!(
        whole.error, reference.error,
        "feeder error {:?}, slice error {:?}",
        whole.error, reference.error
    );
});
