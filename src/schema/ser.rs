//! `Serialize` for the value types the records hold: strings decoded, durations as integer
//! nanoseconds, timestamps as RFC 3339 text.

use serde::{Serialize, Serializer};

use crate::value::{Duration, JsonStr, Timestamp};

impl Serialize for JsonStr<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !self.has_escapes() {
            return s.serialize_str(&String::from_utf8_lossy(self.raw()));
        }
        let mut buf = vec![0u8; self.raw().len()];
        match super::keys::unescape_small(self.raw(), &mut buf) {
            Some(b) => s.serialize_str(&String::from_utf8_lossy(b)),
            None => s.serialize_str(&String::from_utf8_lossy(self.raw())),
        }
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
