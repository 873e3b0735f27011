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
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to `year-month-day` (proleptic Gregorian; `year` in 1..=9999, `month` in
/// 1..=12, `day` in 1..=31).
///
/// Shifts the year to start in March, so February's leap day is the last day of the year, then
/// counts whole days with multiply-and-shift forms (Neri and Schneider, "Euclidean affine functions
/// and their application to calendar algorithms", 2022): `1461 * y / 4` is `365 * y + y / 4`, and
/// `(979 * m - 2919) / 32` is the number of days from March 1 to the first of month `m` (3..=14).
const fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let jan_feb = (month <= 2) as u32;
    let y = year - jan_feb; // year >= 1, so no wrap
    let m = month + 12 * jan_feb; // 3..=14
    let c = y / 100;
    let year_days = 1461 * y / 4 - c + c / 4; // below 1461 * 9999 / 4
    let month_days = (979 * m - 2919) / 32;
    // Days since 0000-03-01, minus the 719,468 days from then to 1970-01-01.
    (year_days + month_days + day) as i64 - (719_468 + 1)
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

/// One eight-byte window of the `YYYY-MM-DDTHH:MM:SS` head.
///
/// XOR with `template` (`'0'` at digit positions, the separator elsewhere) maps a digit to its value
/// and a correct separator to 0. A window is good when every byte is then at most 9 at digit
/// positions and exactly 0 at separator positions: with `add` holding 6 at digit positions and 15 at
/// separators, neither a byte nor the byte plus `add` may reach the high nibble. While every byte is
/// below 16 the sums stay below 32, so no carry crosses into the next byte; a byte of 16 or more is
/// flagged by itself, whatever its carry does.
struct HeadWord {
    template: u64,
    add: u64,
}

impl HeadWord {
    const fn new(pattern: &[u8; 8]) -> HeadWord {
        let mut template = [0u8; 8];
        let mut add = [0u8; 8];
        let mut k = 0;
        while k < 8 {
            if pattern[k] == b'0' {
                template[k] = b'0';
                add[k] = 6;
            } else {
                template[k] = pattern[k];
                add[k] = 15;
            }
            k += 1;
        }
        HeadWord {
            template: u64::from_le_bytes(template),
            add: u64::from_le_bytes(add),
        }
    }

    /// Non-zero when the XORed window `t` is not good.
    #[inline(always)]
    const fn bad(&self, t: u64) -> u64 {
        (t | t.wrapping_add(self.add)) & 0xF0F0_F0F0_F0F0_F0F0
    }
}

/// Bytes 0..8: `YYYY-MM-`.
const HEAD0: HeadWord = HeadWord::new(b"0000-00-");
/// Bytes 8..16: `DDTHH:MM`.
const HEAD1: HeadWord = HeadWord::new(b"00T00:00");
/// Bytes 11..19: `HH:MM:SS`.
const HEAD2: HeadWord = HeadWord::new(b"00:00:00");

/// Reads up to eight fractional digits starting at byte 20 (after `YYYY-MM-DDTHH:MM:SS.`) in one
/// eight-byte load: returns how many digits there were (0 to 8) and their value scaled to
/// nanoseconds (`.2169889` gives `(7, 216_988_900)`). Needs `b.len() >= 20`; returns `(0, 0)` when
/// there is nothing after the point.
#[inline(always)]
fn fraction8(b: &[u8]) -> (u32, u32) {
    const START: usize = 20;
    let len = b.len();
    if len <= START {
        return (0, 0);
    }
    // Load the eight bytes at START, or, near the end of the input, the last eight bytes shifted so
    // that byte START comes first (the vacated high bytes are zero, which is not a digit).
    let at = if len >= START + 8 { START } else { len - 8 };
    let Some(w) = b.get(at..).and_then(<[u8]>::first_chunk::<8>) else {
        return (0, 0);
    };
    let w = u64::from_le_bytes(*w) >> (8 * (START - at));
    let t = w ^ 0x3030_3030_3030_3030;
    // A byte is a digit when both it and it plus 6 stay below 16. A carry out of a non-digit byte
    // can only disturb later bytes, so the lowest flagged byte is the first non-digit.
    let non_digit = (t | t.wrapping_add(0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0;
    let n = non_digit.trailing_zeros() / 8; // 8 when all are digits
    let digits = if n == 8 {
        t
    } else {
        t & ((1u64 << (8 * n)) - 1)
    };
    // Combine eight digit bytes (first digit lowest) into one number, pairwise:
    // bytes -> two-digit values in 16-bit lanes -> four-digit values in 32-bit lanes -> one value.
    let v = (digits * 10 + (digits >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = (v * 100 + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    let v = (v * 10_000 + (v >> 32)) & 0xFFFF_FFFF;
    // Missing digits were zeros, so `v` is already the eight-digit value; one more for nanoseconds.
    (n, v as u32 * 10)
}

/// Days in each month for a two-digit month value (any byte value indexes it), with 29 for
/// February; 0 for the values that are not months, so that no day fits.
const MONTH_DAYS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut m = 1;
    while m <= 12 {
        t[m] = days_in_month(2000, m as u32) as u8;
        m += 1;
    }
    t
};

/// Bytes 15..19: `M:SS`.
const HEAD2_SHORT: u32 = u32::from_le_bytes(*b"0:00");
/// Bit 7 of each byte of `HEAD2_SHORT ^ bytes` with 6 (digits) or 15 (the colon) added, as in
/// [`HeadWord`].
const HEAD2_SHORT_ADD: u32 = u32::from_le_bytes([6, 15, 6, 6]);

/// The valid forms, fast: the `YYYY-MM-DDTHH:MM:SS` head in three words checked with
/// [`HeadWord`], the fields combined in pairs with one multiply per word, the calendar checked with
/// a table, up to seven fractional digits in one word (with what follows them), and `Z` or
/// `±HH:MM` in one more.
///
/// Returns `None` for whatever it does not accept, including every error and the forms it leaves to
/// [`Timestamp::parse_checked`] (eight or more fractional digits); a `Some` is always what
/// `parse_checked` would return.
#[inline(always)]
fn parse_fast(b: &[u8]) -> Option<Timestamp> {
    let n = b.len();
    let h: &[u8; 20] = b.first_chunk()?;
    let (w0, rest) = h.split_first_chunk::<8>()?;
    let (w1, _) = rest.split_first_chunk::<8>()?;
    let w2: &[u8; 4] = h[15..19].try_into().ok()?;
    let t0 = u64::from_le_bytes(*w0) ^ HEAD0.template;
    let t1 = u64::from_le_bytes(*w1) ^ HEAD1.template;
    let t2 = u32::from_le_bytes(*w2) ^ HEAD2_SHORT;
    let bad2 = (t2 | t2.wrapping_add(HEAD2_SHORT_ADD)) & 0xF0F0_F0F0;
    if HEAD0.bad(t0) | HEAD1.bad(t1) | u64::from(bad2) != 0 {
        return None;
    }
    // Every digit byte holds its value and every separator 0: ten times each byte plus the next
    // gives the two-digit values (at most 99, so no byte carries).
    let p0 = t0 * 10 + (t0 >> 8);
    let p1 = t1 * 10 + (t1 >> 8);
    let p2 = t2 * 10 + (t2 >> 8);
    let year = (p0 & 0xFF) as u32 * 100 + (p0 >> 16 & 0xFF) as u32;
    let month = (p0 >> 40 & 0xFF) as u32;
    let day = (p1 & 0xFF) as u32;
    let hour = (p1 >> 24 & 0xFF) as u32;
    let minute = (p1 >> 48 & 0xFF) as u32;
    let second = p2 >> 16 & 0xFF;
    // Hour at most 23 and minute at most 59, in one test: the two bytes of `p1` (at most 99) plus
    // 104 or 68 reach 128 exactly when they are too large.
    const HM_ADD: u64 = (128 - 24) << 24 | (128 - 60) << 48;
    const HM_TOP: u64 = 0x80 << 24 | 0x80 << 48;
    // One branch for the common checks (`|`, not `||`); February 29 needs the year.
    let bad = (year == 0)
        | (day.wrapping_sub(1) >= u32::from(MONTH_DAYS[month as usize]))
        | ((p1 + HM_ADD) & HM_TOP != 0)
        | (second > 59);
    if bad || ((day == 29) & (month == 2) && !is_leap(year)) {
        return None;
    }

    // The fraction (0 to 7 digits) and where the offset starts.
    let (nanos, at) = match h[19] {
        b'.' if n > 20 => {
            // The eight bytes after the point, or, near the end, the last eight bytes shifted so
            // that byte 20 comes first, with zeros (not digits) above the end.
            let from = if n >= 28 { 20 } else { n - 8 }; // n > 20, so n - 8 > 12
            let w = b.get(from..from + 8)?;
            let w = u64::from_le_bytes(w.try_into().ok()?) >> (8 * (20 - from) as u32);
            let x = w ^ 0x3030_3030_3030_3030;
            let flagged = (x | x.wrapping_add(0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0;
            // The first non-digit byte (a carry can only flag bytes above a flagged one). None at
            // all means eight digits or more: left to `parse_checked`.
            let k = flagged.trailing_zeros() & !7; // bit offset: 8 * digit count
            if k == 0 || k == 64 {
                return None;
            }
            // The digits followed by zeros, read as eight digits: the fraction times 10^(8 - k/8).
            let digits = x & ((1u64 << k) - 1);
            (
                super::duration::eight_digits(digits) as u32 * 10,
                20 + (k / 8) as usize,
            )
        }
        b'.' => return None,
        _ => (0, 19),
    };
    let offset_minutes: i16 = match b.get(at) {
        Some(b'Z') if at + 1 == n => 0,
        Some(&sign @ (b'+' | b'-')) if at + 6 == n => {
            // `±HH:MM` is the last six bytes: take the last eight.
            let w = u64::from_le_bytes(*b.last_chunk::<8>()?);
            // Bytes 0..3 (the sign, already checked, and what comes before it) are cleared, so
            // they read as the digit 0.
            const OFFSET: HeadWord = HeadWord::new(b"00000:00");
            let t = (w ^ OFFSET.template) & !0xFF_FFFF;
            if OFFSET.bad(t) != 0 {
                return None;
            }
            let p = t * 10 + (t >> 8);
            let oh = (p >> 24 & 0xFF) as i16;
            let om = (p >> 48 & 0xFF) as i16;
            if oh > 23 || om > 59 {
                return None;
            }
            let m = oh * 60 + om;
            if sign == b'-' {
                -m
            } else {
                m
            }
        }
        _ => return None,
    };
    let local = days_from_civil(year, month, day) * SECS_PER_DAY
        + i64::from(hour * 3600 + minute * 60 + second);
    Some(Timestamp {
        seconds: local - i64::from(offset_minutes) * 60,
        nanos,
        offset_minutes,
    })
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
    #[inline]
    pub fn parse(b: &[u8]) -> Result<Timestamp, ValueError> {
        match parse_fast(b) {
            Some(t) => Ok(t),
            None => Self::parse_checked(b),
        }
    }

    /// The reference parser: every form, and the precise error (kind and offset) for every
    /// rejection. [`parse_fast`] answers only where this one would accept, with the same value.
    #[inline(never)]
    fn parse_checked(b: &[u8]) -> Result<Timestamp, ValueError> {
        // The fixed `YYYY-MM-DDTHH:MM:SS` head, checked eight bytes at a time (see `check_word`).
        let (Some(w0), Some(w1), Some(w2)) = (
            b.first_chunk::<8>(),
            b.get(8..).and_then(<[u8]>::first_chunk::<8>),
            b.get(11..).and_then(<[u8]>::first_chunk::<8>),
        ) else {
            return Err(shape_error(b));
        };
        let t0 = u64::from_le_bytes(*w0) ^ HEAD0.template;
        let t1 = u64::from_le_bytes(*w1) ^ HEAD1.template;
        let t2 = u64::from_le_bytes(*w2) ^ HEAD2.template;
        if (HEAD0.bad(t0) | HEAD1.bad(t1) | HEAD2.bad(t2)) != 0 {
            return Err(shape_error(b));
        }
        // Every digit byte now holds its value 0..=9 and every separator byte 0. Adding ten times
        // each byte to the next one leaves two-digit values in the first byte of each pair.
        let p0 = t0 * 10 + (t0 >> 8);
        let p1 = t1 * 10 + (t1 >> 8);
        let p2 = t2 * 10 + (t2 >> 8);
        let byte = |w: u64, k: u32| (w >> (8 * k)) as u32 & 0xFF;
        let year = byte(p0, 0) * 100 + byte(p0, 2);
        let month = byte(p0, 5);
        let day = byte(p1, 0);
        let hour = byte(p1, 3);
        let minute = byte(p1, 6);
        let second = byte(p2, 6);
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
                let (n, value) = fraction8(b);
                let mut k = n as usize;
                nanos = value;
                i += k;
                if k == 8 {
                    // Nine to twelve digits: the rest one at a time.
                    while let Some(&c) = b.get(i) {
                        let dd = c.wrapping_sub(b'0');
                        if dd > 9 {
                            break;
                        }
                        if k == 12 {
                            return Err(err(K::FractionTooLong, i));
                        }
                        if k == 8 {
                            nanos += u32::from(dd);
                        }
                        k += 1;
                        i += 1;
                    }
                }
                if k == 0 {
                    return Err(err(K::BadFraction, i));
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

    /// Every answer of `parse` (fast path included) is the reference parser's answer, field by
    /// field (equality alone ignores the offset).
    fn same(s: &[u8]) {
        let key =
            |r: Result<Timestamp, ValueError>| r.map(|t| (t.seconds, t.nanos, t.offset_minutes));
        assert_eq!(
            key(Timestamp::parse(s)),
            key(Timestamp::parse_checked(s)),
            "{:?}",
            String::from_utf8_lossy(s)
        );
    }

    const BASES: &[&[u8]] = &[
        b"2020-02-25T18:52:21.2169889Z",
        b"2020-02-25T19:00:24.582757Z",
        b"2023-09-25T10:36:40Z",
        b"2023-09-25T11:36:40.1234567+01:00",
        b"2023-09-25T11:36:40-05:30",
        b"2024-02-29T23:59:59.9Z",
        b"0001-01-01T00:00:00Z",
        b"9999-12-31T23:59:59.99999999+23:59",
        b"2023-09-25T10:36:40.123456789012Z",
    ];

    #[test]
    fn fast_path_agrees_on_every_byte_substitution() {
        for base in crate::value::miri_pick(BASES, 8) {
            crate::value::for_each_mutation(base, same);
        }
    }

    #[test]
    fn fast_path_agrees_on_fields_and_tails() {
        let mut v = Vec::new();
        // Under Miri, a corner of the grid (the full one takes minutes to interpret).
        use crate::value::miri_pick;
        let years: &[u32] = if cfg!(miri) {
            &[1, 2024]
        } else {
            &[0, 1, 4, 100, 400, 1900, 1970, 2000, 2023, 2024, 2100, 9999]
        };
        let months: &[u32] = if cfg!(miri) {
            &[0, 2, 13]
        } else {
            &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
        };
        let days: &[u32] = if cfg!(miri) {
            &[0, 29, 31]
        } else {
            &[0, 1, 28, 29, 30, 31, 32]
        };
        for &year in years {
            for &month in months {
                for &day in days {
                    for (hour, minute, second) in miri_pick(
                        &[
                            (0u32, 0u32, 0u32),
                            (23, 59, 59),
                            (24, 0, 0),
                            (0, 60, 0),
                            (0, 0, 60),
                            (99, 99, 99),
                        ],
                        2,
                    ) {
                        for tail in miri_pick(
                            &[
                                "Z",
                                ".5Z",
                                ".1234567Z",
                                ".12345678Z",
                                ".123456789Z",
                                "+01:00",
                                "-23:59",
                                "+24:00",
                                "-00:60",
                                "z",
                                ".Z",
                                "+1:00",
                                "+01:00Z",
                                "Z ",
                                ".12345678+05:30",
                            ],
                            3,
                        ) {
                            v.clear();
                            let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{tail}");
                            v.extend_from_slice(text.as_bytes());
                            same(&v);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn fast_path_boundaries() {
        let ok = |s: &[u8]| parse_fast(s).is_some();
        // Each fraction length the one-word read takes, then the first it leaves.
        let mut s = b"2023-09-25T10:36:40".to_vec();
        assert!(ok(b"2023-09-25T10:36:40Z"));
        s.push(b'.');
        for k in 1..=12 {
            s.push(b'0' + k as u8 % 10);
            let mut z = s.clone();
            z.push(b'Z');
            assert_eq!(ok(&z), k <= 7, "{k}");
            same(&z);
            let mut o = s.clone();
            o.extend_from_slice(b"+01:00");
            assert_eq!(ok(&o), k <= 7, "{k}");
            same(&o);
        }
        assert_eq!(
            Timestamp::parse(b"2023-09-25T10:36:40.12345678Z").map(|t| t.nanos),
            Ok(123_456_780)
        );
        assert_eq!(
            Timestamp::parse(b"2023-09-25T10:36:40.1Z").map(|t| t.nanos),
            Ok(100_000_000)
        );
        assert!(!ok(b"2023-02-29T00:00:00Z"));
        assert!(ok(b"2024-02-29T00:00:00Z"));
        assert!(ok(b"2023-09-25T11:36:40-23:59"));
    }

    #[test]
    fn civil_roundtrip() {
        let mut days = days_from_civil(1, 1, 1);
        // Under Miri, the first years only (every day of 1..=9999 takes minutes to interpret).
        for year in 1..=if cfg!(miri) { 5 } else { 9999u32 } {
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
