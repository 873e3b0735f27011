//! Edm.DateTimeOffset as exact fixed-point UTC time plus the original offset.

/// An instant with nanosecond precision and the UTC offset it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
    offset_minutes: i16,
}

impl Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub const fn unix_seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds within the second.
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The offset from UTC, in minutes, that the text carried.
    pub const fn offset_minutes(&self) -> i16 {
        self.offset_minutes
    }
}
