//! Timestamps: the crate's parser agrees with the days-from-civil reference on every input, and
//! accepted values round-trip through `Display` with their offset.
#![no_main]

use callrecords::Timestamp;
use callrecords_fuzz::reference;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fast = Timestamp::parse(data)
        .ok()
        .map(|t| (t.unix_seconds(), t.subsec_nanos(), t.offset_minutes()));
    let slow = reference::timestamp(data);
    assert_eq!(fast, slow, "input {:?}", String::from_utf8_lossy(data));
    if let Ok(t) = Timestamp::parse(data) {
        let text = t.to_string();
        let back = Timestamp::parse(text.as_bytes()).ok();
        assert_eq!(
            back.map(|b| (b.unix_seconds(), b.subsec_nanos(), b.offset_minutes())),
            fast,
            "display {text}"
        );
    }
});
