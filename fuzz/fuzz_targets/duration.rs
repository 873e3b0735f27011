//! Durations: the crate's parser agrees with the slow reference on every input, and accepted values
//! round-trip through `Display`.
#![no_main]

use callrecords::Duration;
use callrecords_fuzz::reference;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fast = Duration::parse(data).ok().map(Duration::as_nanos);
    let slow = reference::duration_nanos(data);
    assert_eq!(fast, slow, "input {:?}", String::from_utf8_lossy(data));
    if let Some(nanos) = fast {
        let d = Duration::from_nanos(nanos);
        let text = d.to_string();
        assert_eq!(Duration::parse(text.as_bytes()), Ok(d), "display {text}");
    }
});
