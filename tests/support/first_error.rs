//! The first error the streaming paths report, as a caller that stops at it sees it (the
//! splitter's, or the first among a section's events). Shared by the stream and error-path tests.

use callrecords::{Error, Feeder, Reader, StreamOptions};

/// The first error of the `Feeder`, fed `doc` cut at `cuts` (ascending), finished after the last
/// chunk.
pub(crate) fn feeder(doc: &[u8], cuts: &[usize], options: StreamOptions) -> Option<Error> {
    let mut feeder = Feeder::with_options(options);
    let mut from = 0;
    for &cut in cuts.iter().chain(Some(&doc.len())) {
        feeder.feed(&doc[from..cut]);
        from = cut;
        if from == doc.len() {
            feeder.finish();
        }
        loop {
            match feeder.next_section() {
                Err(e) => return Some(e),
                Ok(None) => break,
                Ok(Some(mut s)) => {
                    if let Some(e) = s.events().find_map(Result::err) {
                        return Some(e);
                    }
                }
            }
        }
    }
    None
}

/// The first error of the `Reader` over `doc` with `options` (whose read size it uses).
pub(crate) fn reader(doc: &[u8], options: StreamOptions) -> Option<Error> {
    let mut reader = Reader::with_options(doc, options);
    loop {
        match reader.next_section() {
            Err(e) => return Some(e),
            Ok(None) => return None,
            Ok(Some(mut s)) => {
                if let Some(e) = s.events().find_map(Result::err) {
                    return Some(e);
                }
            }
        }
    }
}
