//! Small, exact parsers for Edm.Duration and Edm.DateTimeOffset, so the peers pay the same
//! value-parsing cost as the crate's event iterator (durations to nanoseconds, timestamps to
//! seconds + nanoseconds + offset).

/// Parses an ISO-8601 day-time duration (`^-?P(nD)?(T(nH)?(nM)?(n(.n+)?S)?)?$`, the pattern of the
/// Graph OpenAPI) into nanoseconds. At least one component is required; fractional digits beyond
/// nanoseconds are truncated. Returns `None` on syntax error or `i64` overflow.
pub(crate) fn parse_duration(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let mut i = 0;
    let negative = b.first() == Some(&b'-');
    if negative {
        i += 1;
    }
    if b.get(i) != Some(&b'P') {
        return None;
    }
    i += 1;
    let mut total: i64 = 0;
    let mut any = false;
    let mut in_time = false;
    // Units in order: D, then (after T) H, M, S. `rank` rejects out-of-order or repeated units.
    let mut rank = 0u8;
    while i < b.len() {
        if b[i] == b'T' {
            if in_time {
                return None;
            }
            in_time = true;
            i += 1;
            // "PT" with nothing after it is not a duration.
            if i == b.len() {
                return None;
            }
            continue;
        }
        let start = i;
        let mut int: i64 = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            int = int.checked_mul(10)?.checked_add(i64::from(b[i] - b'0'))?;
            i += 1;
        }
        if i == start {
            return None;
        }
        let mut frac_nanos: i64 = 0;
        let mut has_frac = false;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let fstart = i;
            let mut scale = 100_000_000i64;
            while i < b.len() && b[i].is_ascii_digit() {
                frac_nanos += i64::from(b[i] - b'0') * scale;
                scale /= 10;
                i += 1;
            }
            if i == fstart {
                return None;
            }
            has_frac = true;
        }
        let unit = *b.get(i)?;
        i += 1;
        let (r, nanos_per) = match (in_time, unit) {
            (false, b'D') => (1, 86_400_000_000_000i64),
            (true, b'H') => (2, 3_600_000_000_000),
            (true, b'M') => (3, 60_000_000_000),
            (true, b'S') => (4, 1_000_000_000),
            _ => return None,
        };
        if r <= rank || (has_frac && unit != b'S') {
            return None;
        }
        rank = r;
        any = true;
        total = total
            .checked_add(int.checked_mul(nanos_per)?)?
            .checked_add(frac_nanos)?;
    }
    if !any {
        return None;
    }
    Some(if negative { -total } else { total })
}

/// An instant parsed from an Edm.DateTimeOffset: UTC seconds since the epoch, nanoseconds within
/// the second, and the offset (minutes) the text was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instant {
    pub(crate) unix_seconds: i64,
    pub(crate) nanos: u32,
    pub(crate) offset_minutes: i16,
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let mut v = 0u32;
    for &c in b.get(at..at + n)? {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.f+](Z|±hh:mm)` (any number of fractional digits; beyond 9 they
/// are truncated). Returns `None` on any syntax or range error.
pub(crate) fn parse_timestamp(s: &str) -> Option<Instant> {
    let b = s.as_bytes();
    let year = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if !matches!(b.get(10), Some(b'T' | b't')) || b.get(13) != Some(&b':') {
        return None;
    }
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    if b.get(16) != Some(&b':') {
        return None;
    }
    let second = digits(b, 17, 2)?;
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        let mut scale = 100_000_000u32;
        while i < b.len() && b[i].is_ascii_digit() {
            nanos += u32::from(b[i] - b'0') * scale;
            scale /= 10;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset_minutes: i32 = match *b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let oh = digits(b, i + 1, 2)?;
            let om = digits(b, i + 4, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let m = (oh * 60 + om) as i32;
            if sign == b'-' {
                -m
            } else {
                m
            }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(year), month, day);
    let local = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some(Instant {
        unix_seconds: local - i64::from(offset_minutes) * 60,
        nanos,
        offset_minutes: offset_minutes as i16,
    })
}
