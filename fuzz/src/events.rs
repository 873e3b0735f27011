//! Invariants of the event iterator that hold on every input, and a small projection of the events
//! for comparing against references.

use callrecords::{Error, Event, Options};

/// Panics unless `part` lies inside `whole` (both as memory ranges).
pub fn assert_within(whole: &[u8], part: &[u8], what: &str) {
    let (w, p) = (whole.as_ptr_range(), part.as_ptr_range());
    assert!(
        part.is_empty() || (w.start <= p.start && p.end <= w.end),
        "{what}: slice outside the input"
    );
}

fn check_offset(data: &[u8], offset: u64, what: &str) {
    assert!(
        offset <= data.len() as u64,
        "{what}: offset {offset} past the input ({} bytes)",
        data.len()
    );
}

/// Checks what every event says about the input: offsets within it, borrowed slices inside it.
fn check_event(data: &[u8], event: &Event<'_>) {
    macro_rules! errors {
        ($r:expr) => {
            for e in $r.errors.iter() {
                check_offset(data, e.offset, "field error");
                assert_within(data, e.raw, "field error raw");
            }
            assert!($r.errors.iter().count() as u64 <= u64::from($r.errors.total()));
        };
    }
    match event {
        Event::Page(p) => {
            if let Some(c) = p.context {
                assert_within(data, c.raw(), "context");
            }
        }
        Event::CallRecord(r) => {
            errors!(r);
            if let Some(id) = r.id {
                assert_within(data, id.raw(), "call record id");
            }
        }
        Event::Session(r) => {
            errors!(r);
            if let Some(id) = r.id {
                assert_within(data, id.raw(), "session id");
            }
        }
        Event::Segment(r) => {
            errors!(r);
            if let Some(id) = r.id {
                assert_within(data, id.raw(), "segment id");
            }
        }
        Event::Media(r) => {
            errors!(r);
            if let Some(l) = r.label {
                assert_within(data, l.raw(), "media label");
            }
        }
        Event::Stream(r) => {
            errors!(r);
            if let Some(l) = r.media_label {
                assert_within(data, l.raw(), "stream's media label");
            }
        }
        Event::Annotation(a) => {
            check_offset(data, a.offset, "annotation");
            assert_within(data, a.raw, "annotation raw");
        }
        Event::Undeclared(u) => {
            check_offset(data, u.offset, "undeclared");
            assert_within(data, u.raw, "undeclared raw");
            assert_within(data, u.key.raw(), "undeclared key");
        }
    }
}

/// Runs the event iterator over `data` with `options` and checks the invariants that hold for
/// every input: no panic, every offset within the input, every borrowed slice inside it, and
/// nothing after the first error. Returns the events before the error, and the error.
pub fn run<'a>(data: &'a [u8], options: Options) -> (Vec<Event<'a>>, Option<Error>) {
    let mut it = callrecords::Events::with_options(data, options);
    let mut events = Vec::new();
    let mut error = None;
    for item in it.by_ref() {
        match item {
            Ok(event) => {
                check_event(data, &event);
                events.push(event);
            }
            Err(e) => {
                check_offset(data, e.offset(), "error");
                error = Some(e);
                break;
            }
        }
    }
    if error.is_some() {
        assert!(it.next().is_none(), "an event after the error");
    }
    (events, error)
}
