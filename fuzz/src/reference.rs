//! Slow, obviously-correct reference parsers. They use `i128` and follow the grammar text literally;
//! the fuzz targets check that the crate's fast parsers agree with them on every input.

fn digits(s: &[u8], mut i: usize) -> (usize, usize) {
    let start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    (start, i)
}

fn number(s: &[u8]) -> Option<i128> {
    let mut v: i128 = 0;
    for &b in s {
        v = v.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    Some(v)
}

/// `[+|-] P [n D] [T [n H] [n M] [n[.f] S]]` to nanoseconds; digits past the ninth fractional digit
/// are truncated toward zero. `None` when the text is not in the grammar or the total does not fit
/// in `i64`.
pub fn duration_nanos(s: &[u8]) -> Option<i64> {
    let mut i = 0;
    let mut negative = false;
    if let Some(&sign @ (b'+' | b'-')) = s.first() {
        negative = sign == b'-';
        i = 1;
    }
    if s.get(i) != Some(&b'P') {
        return None;
    }
    i += 1;
    let mut total: i128 = 0;
    let mut components = 0;
    // Days.
    let (a, b) = digits(s, i);
    if b > a {
        if s.get(b) != Some(&b'D') {
            return None;
        }
        total += number(&s[a..b])?.checked_mul(86_400_000_000_000)?;
        components += 1;
        i = b + 1;
    }
    if s.get(i) == Some(&b'T') {
        i += 1;
        let mut time_components = 0;
        // Units in order: H, M, S. Each is digits then its letter; S may carry a fraction.
        for (unit, scale) in [
            (b'H', 3_600_000_000_000i128),
            (b'M', 60_000_000_000),
            (b'S', 1_000_000_000),
        ] {
            let (a, b) = digits(s, i);
            if b == a {
                continue;
            }
            let whole = number(&s[a..b])?;
            let mut j = b;
            let mut frac_nanos: i128 = 0;
            if unit == b'S' && s.get(j) == Some(&b'.') {
                let (fa, fb) = digits(s, j + 1);
                if fb == fa {
                    return None;
                }
                let mut scale_f = 100_000_000i128;
                for &d in &s[fa..fb.min(fa + 9)] {
                    frac_nanos += i128::from(d - b'0') * scale_f;
                    scale_f /= 10;
                }
                j = fb;
            }
            if s.get(j) != Some(&unit) {
                // Digits followed by a different unit: only valid if that unit comes later.
                continue;
            }
            total += whole.checked_mul(scale)? + frac_nanos;
            time_components += 1;
            components += 1;
            i = j + 1;
        }
        if time_components == 0 {
            return None;
        }
    }
    if components == 0 || i != s.len() {
        return None;
    }
    let signed = if negative { -total } else { total };
    i64::try_from(signed).ok()
}

/// Days from 0000-03-01-based civil arithmetic: days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// `YYYY-MM-DDTHH:MM:SS[.f]` + `Z` or `±HH:MM` (0–12 fractional digits, years 0001–9999, no leap
/// seconds) to `(unix seconds, nanoseconds, offset minutes)`.
pub fn timestamp(s: &[u8]) -> Option<(i64, u32, i16)> {
    fn num(s: &[u8], at: usize, n: usize) -> Option<i64> {
        let part = s.get(at..at + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |v, &b| v * 10 + i64::from(b - b'0')))
    }
    let year = num(s, 0, 4)?;
    let month = num(s, 5, 2)?;
    let day = num(s, 8, 2)?;
    let hour = num(s, 11, 2)?;
    let minute = num(s, 14, 2)?;
    let second = num(s, 17, 2)?;
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') || s.get(10) != Some(&b'T') {
        return None;
    }
    if s.get(13) != Some(&b':') || s.get(16) != Some(&b':') {
        return None;
    }
    let month_len = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => return None,
    };
    if year < 1 || day < 1 || day > month_len || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if s.get(i) == Some(&b'.') {
        let (a, b) = digits(s, i + 1);
        if b == a || b - a > 12 {
            return None;
        }
        let mut scale = 100_000_000u32;
        for &d in &s[a..b.min(a + 9)] {
            nanos += u32::from(d - b'0') * scale;
            scale /= 10;
        }
        i = b;
    }
    let offset: i64 = match s.get(i) {
        Some(b'Z') => {
            i += 1;
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(s, i + 1, 2)?;
            let om = num(s, i + 4, 2)?;
            if s.get(i + 3) != Some(&b':') || oh > 23 || om > 59 {
                return None;
            }
            i += 6;
            let m = oh * 60 + om;
            if sign == b'-' {
                -m
            } else {
                m
            }
        }
        _ => return None,
    };
    if i != s.len() {
        return None;
    }
    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some((local - offset * 60, nanos, offset as i16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_cases() {
        assert_eq!(duration_nanos(b"PT0.016S"), Some(16_000_000));
        assert_eq!(duration_nanos(b"PT1M2S"), Some(62_000_000_000));
        assert_eq!(duration_nanos(b"-PT0.5S"), Some(-500_000_000));
        assert_eq!(duration_nanos(b"P0D"), Some(0));
        assert_eq!(duration_nanos(b"PT"), None);
        assert_eq!(duration_nanos(b"P"), None);
        assert_eq!(duration_nanos(b"PT1.S"), None);
        assert_eq!(duration_nanos(b"PT.5S"), None);
        assert_eq!(duration_nanos(b"PT99999999999S"), None);
        assert_eq!(duration_nanos(b"PT0.0000001S"), Some(100));
        assert_eq!(duration_nanos(b"PT1S1M"), None);
    }

    #[test]
    fn timestamp_cases() {
        assert_eq!(
            timestamp(b"2020-02-25T18:52:21.2169889Z"),
            Some((1_582_656_741, 216_988_900, 0))
        );
        assert_eq!(timestamp(b"1970-01-01T01:00:00+01:00"), Some((0, 0, 60)));
        assert_eq!(timestamp(b"2023-02-29T00:00:00Z"), None);
        assert!(timestamp(b"0001-01-01T00:00:00Z").is_some());
    }
}
