//! `Serialize` for the value types the records hold: strings decoded, durations as integer
//! nanoseconds, timestamps as RFC 3339 text.

use serde::{Serialize, Serializer};

use crate::value::{Duration, JsonStr, Timestamp};

impl Serialize for JsonStr<'_> {
    /// The decoded text; an escaped lone surrogate becomes U+FFFD ([`JsonStr::decode_lossy`]).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.decode_lossy())
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.as_nanos())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
