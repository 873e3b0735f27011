//! Edm.DateTimeOffset as exact fixed-point UTC time plus the original offset.
//!
//! Fixed-position parsing of `YYYY-MM-DDTHH:MM:SS`, integer calendar arithmetic (days from civil), no
//! float anywhere.

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::str::FromStr;

use super::{ValueError, ValueErrorKind as K};

const NANOS_PER_SEC: u32 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;
/// Offsets run from `-23:59` to `+23:59`.
const MAX_OFFSET_MINUTES: i16 = 23 * 60 + 59;

/// `10^(9 - k)` for `k` fractional digits read (`k` in `0..=9`).
const FRACTION_SCALE: [u32; 10] = [
    1_000_000_000,
    100_000_000,
    10_000_000,
    1_000_000,
    100_000,
    10_000,
    1_000,
    100,
    10,
    1,
];

/// An instant with nanosecond precision and the UTC offset it was written with (OData
/// `Edm.DateTimeOffset`).
///
/// # Form
///
/// `YYYY-MM-DDTHH:MM:SS[.f]` followed by `Z` or `±HH:MM`, with 0 to 12 fractional digits. The
/// designators `T` and `Z` must be uppercase; no whitespace anywhere. Years run from 0001 to 9999
/// (`0001-01-01T00:00:00Z`, .NET's unset time, is valid). The calendar is checked: month lengths, leap
/// years (proleptic Gregorian), hour ≤ 23, minute ≤ 59, second ≤ 59, offset hours ≤ 23 and offset
/// minutes ≤ 59.
///
/// # Choices
///
/// * **Leap seconds are rejected**: `:60` is a
///   [`LeapSecond`](super::ValueErrorKind::LeapSecond) error. Unix time has no leap seconds, Graph
///   never writes them, and .NET cannot represent them.
/// * **Digits past the ninth fractional digit are truncated toward zero** (of the local time, which
///   is the same as truncating the instant, since offsets are whole minutes).
/// * **Equality, ordering and hashing are by instant only**: `2020-02-25T19:00:00+01:00` and
///   `2020-02-25T18:00:00Z` compare equal. The offset is kept for display
///   ([`offset_minutes`](Timestamp::offset_minutes)); compare it too when the exact text matters.
/// * **`Display` renders the instant in its original offset** (RFC 3339), with `Z` for a zero offset
///   (so `+00:00` and `-00:00` come back as `Z`) and the fraction without trailing zeros (none when
///   zero). [`display_utc`](Timestamp::display_utc) and [`to_utc`](Timestamp::to_utc) render in UTC.
///
/// # Examples
///
/// ```
/// use callrecords::Timestamp;
///
/// let t = Timestamp::parse(b"2020-02-25T18:52:21.2169889Z")?;
/// assert_eq!(t.unix_seconds(), 1_582_656_741);
/// assert_eq!(t.subsec_nanos(), 216_988_900);
/// assert_eq!(t.to_string(), "2020-02-25T18:52:21.2169889Z");
///
/// let local: Timestamp = "2020-02-25T19:52:21.2169889+01:00".parse()?;
/// assert_eq!(local, t); // same instant
/// assert_eq!(local.offset_minutes(), 60);
/// assert_eq!(local.to_string(), "2020-02-25T19:52:21.2169889+01:00");
/// assert_eq!(local.display_utc().to_string(), "2020-02-25T18:52:21.2169889Z");
///
/// let err = Timestamp::parse(b"2023-02-29T00:00:00Z").unwrap_err();
/// assert_eq!(err.kind(), callrecords::ValueErrorKind::FieldOutOfRange);
/// assert_eq!(err.offset(), 8);
/// # Ok::<(), callrecords::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
    offset_minutes: i16,
}

#[cold]
const fn err(kind: K, offset: usize) -> ValueError {
    ValueError::new(kind, offset)
}

const fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to `year-month-day` (proleptic Gregorian; `year >= 1`, `month` in 1..=12).
///
/// Shifts the year to start in March, so February's leap day is the last day of the year, then counts
/// 400-year eras of 146,097 days.
const fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400; // [0, 399]
    let mp = if month > 2 { month - 3 } else { month + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era as i64 * 146_097 + doe as i64 - 719_468
}

/// The inverse of [`days_from_civil`], for any day count: `(year, month, day)`.
const fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

/// Finds the first byte that breaks the `YYYY-MM-DDTHH:MM:SS` shape.
#[cold]
fn shape_error(b: &[u8]) -> ValueError {
    const TEMPLATE: &[u8; 19] = b"0000-00-00T00:00:00";
    if b.is_empty() {
        return err(K::Empty, 0);
    }
    for (k, &t) in TEMPLATE.iter().enumerate() {
        let Some(&c) = b.get(k) else {
            return err(K::BadTimestampShape, k);
        };
        let good = if t == b'0' {
            c.is_ascii_digit()
        } else {
            c == t
        };
        if good {
            continue;
        }
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => K::Whitespace,
            b't' if k == 10 => K::LowercaseDesignator,
            _ => K::BadTimestampShape,
        };
        return err(kind, k);
    }
    err(K::BadTimestampShape, 0)
}

#[cold]
fn offset_error(b: &[u8], at: usize) -> ValueError {
    let kind = match b.get(at) {
        Some(b'z') => K::LowercaseDesignator,
        Some(c) if c.is_ascii_whitespace() || *c == b'\x0b' => K::Whitespace,
        _ => K::BadOffset,
    };
    err(kind, at)
}

impl Timestamp {
    /// Builds a timestamp from Unix seconds, nanoseconds within the second and an offset in minutes.
    ///
    /// Returns `None` unless `nanos < 10^9`, the offset is within ±23:59, and the local date (the
    /// instant shifted by the offset) lies in years 0001 to 9999, the same range [`parse`](Self::parse)
    /// accepts.
    ///
    /// ```
    /// # use callrecords::Timestamp;
    /// let t = Timestamp::from_unix(0, 500_000_000, -90).unwrap();
    /// assert_eq!(t.to_string(), "1969-12-31T22:30:00.5-01:30");
    /// assert!(Timestamp::from_unix(i64::MAX, 0, 0).is_none());
    /// ```
    pub const fn from_unix(seconds: i64, nanos: u32, offset_minutes: i16) -> Option<Timestamp> {
        const MIN_LOCAL: i64 = days_from_civil(1, 1, 1) * SECS_PER_DAY;
        const MAX_LOCAL: i64 = (days_from_civil(9999, 12, 31) + 1) * SECS_PER_DAY - 1;
        if nanos >= NANOS_PER_SEC
            || offset_minutes > MAX_OFFSET_MINUTES
            || offset_minutes < -MAX_OFFSET_MINUTES
        {
            return None;
        }
        let Some(local) = seconds.checked_add(offset_minutes as i64 * 60) else {
            return None;
        };
        if local < MIN_LOCAL || local > MAX_LOCAL {
            return None;
        }
        Some(Timestamp {
            seconds,
            nanos,
            offset_minutes,
        })
    }

    /// Parses an RFC 3339 / ISO-8601 timestamp from the raw bytes of a JSON string (between the
    /// quotes). See the [type documentation](Timestamp) for the form and the choices made.
    ///
    /// # Errors
    ///
    /// A [`ValueError`] with the kind of the first problem and its byte offset:
    /// [`BadTimestampShape`](super::ValueErrorKind::BadTimestampShape),
    /// [`YearZero`](super::ValueErrorKind::YearZero),
    /// [`FieldOutOfRange`](super::ValueErrorKind::FieldOutOfRange) (at the field),
    /// [`LeapSecond`](super::ValueErrorKind::LeapSecond),
    /// [`BadFraction`](super::ValueErrorKind::BadFraction),
    /// [`FractionTooLong`](super::ValueErrorKind::FractionTooLong) (at the 13th digit),
    /// [`CommaDecimal`](super::ValueErrorKind::CommaDecimal),
    /// [`BadOffset`](super::ValueErrorKind::BadOffset),
    /// [`LowercaseDesignator`](super::ValueErrorKind::LowercaseDesignator),
    /// [`Whitespace`](super::ValueErrorKind::Whitespace) or
    /// [`TrailingBytes`](super::ValueErrorKind::TrailingBytes).
    ///
    /// ```
    /// use callrecords::{Timestamp, ValueErrorKind};
    /// assert_eq!(Timestamp::parse(b"0001-01-01T00:00:00Z")?.unix_seconds(), -62_135_596_800);
    /// let e = Timestamp::parse(b"2016-12-31T23:59:60Z").unwrap_err();
    /// assert_eq!((e.kind(), e.offset()), (ValueErrorKind::LeapSecond, 17));
    /// # Ok::<(), callrecords::ValueError>(())
    /// ```
    pub fn parse(b: &[u8]) -> Result<Timestamp, ValueError> {
        let Some(h) = b.first_chunk::<19>() else {
            return Err(shape_error(b));
        };
        let d = |k: usize| u32::from(h[k].wrapping_sub(b'0'));
        let digits_ok = (d(0) < 10)
            & (d(1) < 10)
            & (d(2) < 10)
            & (d(3) < 10)
            & (d(5) < 10)
            & (d(6) < 10)
            & (d(8) < 10)
            & (d(9) < 10)
            & (d(11) < 10)
            & (d(12) < 10)
            & (d(14) < 10)
            & (d(15) < 10)
            & (d(17) < 10)
            & (d(18) < 10);
        let seps_ok =
            (h[4] == b'-') & (h[7] == b'-') & (h[10] == b'T') & (h[13] == b':') & (h[16] == b':');
        if !(digits_ok & seps_ok) {
            return Err(shape_error(b));
        }
        let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
        let month = d(5) * 10 + d(6);
        let day = d(8) * 10 + d(9);
        let hour = d(11) * 10 + d(12);
        let minute = d(14) * 10 + d(15);
        let second = d(17) * 10 + d(18);
        if year == 0 {
            return Err(err(K::YearZero, 0));
        }
        if month.wrapping_sub(1) >= 12 {
            return Err(err(K::FieldOutOfRange, 5));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(err(K::FieldOutOfRange, 8));
        }
        if hour > 23 {
            return Err(err(K::FieldOutOfRange, 11));
        }
        if minute > 59 {
            return Err(err(K::FieldOutOfRange, 14));
        }
        if second > 59 {
            let kind = if second == 60 {
                K::LeapSecond
            } else {
                K::FieldOutOfRange
            };
            return Err(err(kind, 17));
        }

        let mut i = 19;
        let mut nanos = 0u32;
        match b.get(i) {
            Some(b'.') => {
                i += 1;
                let mut k = 0usize;
                while let Some(&c) = b.get(i) {
                    let dd = c.wrapping_sub(b'0');
                    if dd > 9 {
                        break;
                    }
                    if k == 12 {
                        return Err(err(K::FractionTooLong, i));
                    }
                    if k < 9 {
                        nanos = nanos * 10 + u32::from(dd);
                    }
                    k += 1;
                    i += 1;
                }
                if k == 0 {
                    return Err(err(K::BadFraction, i));
                }
                if k < 9 {
                    nanos *= FRACTION_SCALE[k];
                }
            }
            Some(b',') => return Err(err(K::CommaDecimal, i)),
            _ => {}
        }

        let offset_minutes: i16 = match b.get(i) {
            Some(b'Z') => {
                i += 1;
                0
            }
            Some(&sign @ (b'+' | b'-')) => {
                let mut o = [0u8; 5];
                for (k, slot) in o.iter_mut().enumerate() {
                    let at = i + 1 + k;
                    let Some(&c) = b.get(at) else {
                        return Err(offset_error(b, at));
                    };
                    let ok = if k == 2 {
                        c == b':'
                    } else {
                        c.is_ascii_digit()
                    };
                    if !ok {
                        return Err(offset_error(b, at));
                    }
                    *slot = c.wrapping_sub(b'0');
                }
                let oh = i16::from(o[0] * 10 + o[1]);
                let om = i16::from(o[3] * 10 + o[4]);
                if oh > 23 {
                    return Err(err(K::FieldOutOfRange, i + 1));
                }
                if om > 59 {
                    return Err(err(K::FieldOutOfRange, i + 4));
                }
                i += 6;
                let m = oh * 60 + om;
                if sign == b'-' {
                    -m
                } else {
                    m
                }
            }
            _ => return Err(offset_error(b, i)),
        };
        if i != b.len() {
            return Err(match b.get(i) {
                Some(c) if c.is_ascii_whitespace() || *c == b'\x0b' => err(K::Whitespace, i),
                _ => err(K::TrailingBytes, i),
            });
        }

        let local = days_from_civil(year, month, day) * SECS_PER_DAY
            + i64::from(hour * 3600 + minute * 60 + second);
        Ok(Timestamp {
            seconds: local - i64::from(offset_minutes) * 60,
            nanos,
            offset_minutes,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative before it).
    pub const fn unix_seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds within the second, `0..10^9`.
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The offset from UTC, in minutes, that the text carried (`+01:30` is 90, `Z` is 0).
    pub const fn offset_minutes(&self) -> i16 {
        self.offset_minutes
    }

    /// Nanoseconds since the Unix epoch, when they fit in `i64` (years 1677 to 2262).
    ///
    /// ```
    /// # use callrecords::Timestamp;
    /// assert_eq!(Timestamp::parse(b"1970-01-01T00:00:01.5Z")?.unix_nanos(), Some(1_500_000_000));
    /// assert_eq!(Timestamp::parse(b"0001-01-01T00:00:00Z")?.unix_nanos(), None);
    /// # Ok::<(), callrecords::ValueError>(())
    /// ```
    pub const fn unix_nanos(&self) -> Option<i64> {
        match self.seconds.checked_mul(NANOS_PER_SEC as i64) {
            Some(n) => n.checked_add(self.nanos as i64),
            None => None,
        }
    }

    /// Nanoseconds since the Unix epoch as `i128`, which always fits.
    pub const fn unix_nanos_i128(&self) -> i128 {
        self.seconds as i128 * NANOS_PER_SEC as i128 + self.nanos as i128
    }

    /// The same instant with a zero offset, so that `Display` writes it in UTC with `Z`.
    ///
    /// Near the ends of the range the UTC date may fall in year 0000 or 10000 (for example
    /// `0001-01-01T00:30:00+01:00`); it is still displayed, with that year.
    pub const fn to_utc(self) -> Timestamp {
        Timestamp {
            seconds: self.seconds,
            nanos: self.nanos,
            offset_minutes: 0,
        }
    }

    /// An adapter that displays the instant in RFC 3339 UTC: `Z`, and the fraction without trailing
    /// zeros (none when zero).
    ///
    /// ```
    /// # use callrecords::Timestamp;
    /// let t = Timestamp::parse(b"2023-09-25T12:36:40.500+02:00")?;
    /// assert_eq!(t.display_utc().to_string(), "2023-09-25T10:36:40.5Z");
    /// # Ok::<(), callrecords::ValueError>(())
    /// ```
    pub const fn display_utc(&self) -> UtcDisplay {
        UtcDisplay(self.to_utc())
    }
}

/// Displays a [`Timestamp`] in UTC; made by [`Timestamp::display_utc`].
#[derive(Debug, Clone, Copy)]
pub struct UtcDisplay(Timestamp);

impl fmt::Display for UtcDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in the original offset: `2020-02-25T18:52:21.2169889Z`, `2023-09-25T10:36:40+01:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.seconds + i64::from(self.offset_minutes) * 60;
        let (year, month, day) = civil_from_days(local.div_euclid(SECS_PER_DAY));
        let sod = local.rem_euclid(SECS_PER_DAY);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            sod / 3600,
            sod / 60 % 60,
            sod % 60
        )?;
        if self.nanos > 0 {
            super::duration::write_fraction(f, self.nanos)?;
        }
        match self.offset_minutes {
            0 => f.write_str("Z"),
            m => {
                let sign = if m < 0 { '-' } else { '+' };
                let a = m.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", a / 60, a % 60)
            }
        }
    }
}

impl PartialEq for Timestamp {
    /// Same instant, whatever the offsets.
    fn eq(&self, other: &Self) -> bool {
        self.seconds == other.seconds && self.nanos == other.nanos
    }
}

impl Eq for Timestamp {}

impl Hash for Timestamp {
    /// Hashes the instant only, consistent with `Eq`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.seconds.hash(state);
        self.nanos.hash(state);
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    /// By instant: earlier is less. Offsets do not take part.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.seconds, self.nanos).cmp(&(other.seconds, other.nanos))
    }
}

impl FromStr for Timestamp {
    type Err = ValueError;

    /// Same as [`Timestamp::parse`] on the string's bytes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_roundtrip() {
        let mut days = days_from_civil(1, 1, 1);
        for year in 1..=9999u32 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    assert_eq!(days_from_civil(year, month, day), days);
                    assert_eq!(civil_from_days(days), (i64::from(year), month, day));
                    days += 1;
                }
            }
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }
}
