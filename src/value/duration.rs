//! Edm.Duration (xs:dayTimeDuration) as fixed-point nanoseconds.
//!
//! The parser reads the bytes once, left to right, with checked `u64` arithmetic. No float is used
//! anywhere on the parse path.

use core::fmt;
use core::str::FromStr;

use super::{ValueError, ValueErrorKind as K};

const NANOS_PER_SEC: u64 = 1_000_000_000;
const NANOS_PER_MIN: u64 = 60 * NANOS_PER_SEC;
const NANOS_PER_HOUR: u64 = 60 * NANOS_PER_MIN;
const NANOS_PER_DAY: u64 = 24 * NANOS_PER_HOUR;

/// Nanoseconds per unit, indexed by unit rank - 1 (`D`, `H`, `M`, `S`).
const UNIT_NANOS: [u64; 4] = [NANOS_PER_DAY, NANOS_PER_HOUR, NANOS_PER_MIN, NANOS_PER_SEC];

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

/// A signed duration in integer nanoseconds (OData `Edm.Duration`, XML Schema `xs:dayTimeDuration`).
///
/// The range is that of `i64` nanoseconds: about ±106,751 days (±292 years).
///
/// # Grammar
///
/// `[+|-] P [n D] [T [n H] [n M] [n[.f] S]]`, where `n` is one or more ASCII digits and `f` one or more
/// digits. At least one component must be present, and after a `T` at least one time component. Units
/// come in that order, at most once each; only seconds may have a fraction. Numbers of any size are
/// allowed as long as the total fits (`PT36H` is 36 hours, `P365D` is 365 days).
///
/// Rejected, each with its own [`ValueErrorKind`](super::ValueErrorKind) and the byte offset: years,
/// months and weeks ([`NotFixedLength`](super::ValueErrorKind::NotFixedLength)), `P` and `PT` with
/// nothing after them ([`NoComponents`](super::ValueErrorKind::NoComponents)), `PT.5S` and `PT1.S`
/// ([`BadFraction`](super::ValueErrorKind::BadFraction)), a decimal comma
/// ([`CommaDecimal`](super::ValueErrorKind::CommaDecimal)), lowercase designators
/// ([`LowercaseDesignator`](super::ValueErrorKind::LowercaseDesignator)), whitespace
/// ([`Whitespace`](super::ValueErrorKind::Whitespace)), bytes after the seconds
/// ([`TrailingBytes`](super::ValueErrorKind::TrailingBytes)) and totals beyond `i64` nanoseconds
/// ([`Overflow`](super::ValueErrorKind::Overflow)).
///
/// # Precision
///
/// Up to nine fractional digits of seconds are exact. **Digits past the ninth are truncated toward
/// zero**: `PT0.0000000019S` is 1 ns and `-PT0.0000000019S` is −1 ns. The discarded digits must still
/// be digits.
///
/// # Examples
///
/// ```
/// use callrecords::Duration;
///
/// let d = Duration::parse(b"PT1M2.5S")?;
/// assert_eq!(d.as_nanos(), 62_500_000_000);
/// assert_eq!(d.to_string(), "PT1M2.5S");
///
/// let d: Duration = "-P1DT2H".parse()?;
/// assert_eq!(d.as_nanos(), -(26 * 3600 * 1_000_000_000));
/// assert_eq!(Duration::parse(b"PT36H")?.to_string(), "P1DT12H");
///
/// // Months have no fixed length.
/// let err = Duration::parse(b"P1M").unwrap_err();
/// assert_eq!(err.kind(), callrecords::ValueErrorKind::NotFixedLength);
/// assert_eq!(err.offset(), 2);
/// # Ok::<(), callrecords::ValueError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(i64);

#[cold]
const fn err(kind: K, offset: usize) -> ValueError {
    ValueError::new(kind, offset)
}

/// Classifies a byte found where a designator or component was expected.
#[cold]
fn unexpected(c: u8, offset: usize, after_seconds: bool) -> ValueError {
    let kind = match c {
        b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => K::Whitespace,
        _ if after_seconds => K::TrailingBytes,
        b'.' => K::BadFraction,
        b',' => K::CommaDecimal,
        b'p' | b't' | b'd' | b'h' | b'm' | b's' | b'y' | b'w' => K::LowercaseDesignator,
        _ => K::UnexpectedByte,
    };
    err(kind, offset)
}

impl Duration {
    /// Zero.
    pub const ZERO: Duration = Duration(0);
    /// The largest duration, `i64::MAX` nanoseconds.
    pub const MAX: Duration = Duration(i64::MAX);
    /// The smallest duration, `i64::MIN` nanoseconds.
    pub const MIN: Duration = Duration(i64::MIN);

    /// Builds a duration from nanoseconds.
    ///
    /// ```
    /// assert_eq!(callrecords::Duration::from_nanos(16_000_000).to_string(), "PT0.016S");
    /// ```
    pub const fn from_nanos(nanos: i64) -> Self {
        Duration(nanos)
    }

    /// The duration in nanoseconds.
    ///
    /// ```
    /// # use callrecords::Duration;
    /// assert_eq!(Duration::parse(b"PT0.0000001S")?.as_nanos(), 100);
    /// # Ok::<(), callrecords::ValueError>(())
    /// ```
    pub const fn as_nanos(self) -> i64 {
        self.0
    }

    /// The duration in seconds as an `f64` (rounded; exact below 2^53 ns, about 104 days).
    ///
    /// ```
    /// # use callrecords::Duration;
    /// assert_eq!(Duration::parse(b"PT0.016S")?.as_secs_f64(), 0.016);
    /// # Ok::<(), callrecords::ValueError>(())
    /// ```
    pub fn as_secs_f64(self) -> f64 {
        let secs = self.0 / NANOS_PER_SEC as i64;
        let nanos = self.0 % NANOS_PER_SEC as i64;
        secs as f64 + nanos as f64 / 1e9
    }

    /// Parses an ISO-8601 day-time duration from the raw bytes of a JSON string (between the quotes).
    ///
    /// See the [type documentation](Duration) for the grammar, the rejected forms and the truncation
    /// of digits past the ninth fractional digit.
    ///
    /// # Errors
    ///
    /// A [`ValueError`] with the kind of the first problem and its byte offset in `bytes`.
    ///
    /// ```
    /// use callrecords::{Duration, ValueErrorKind};
    ///
    /// assert_eq!(Duration::parse(b"-PT0.5S")?.as_nanos(), -500_000_000);
    /// let e = Duration::parse(b"PT99999999999S").unwrap_err();
    /// assert_eq!((e.kind(), e.offset()), (ValueErrorKind::Overflow, 2));
    /// # Ok::<(), callrecords::ValueError>(())
    /// ```
    #[inline]
    pub fn parse(bytes: &[u8]) -> Result<Duration, ValueError> {
        if let Some(d) = parse_seconds(bytes) {
            return Ok(d);
        }
        Self::parse_rest(bytes)
    }

    /// Everything [`parse_seconds`] leaves: the other common forms, then the full grammar.
    #[inline(never)]
    fn parse_rest(bytes: &[u8]) -> Result<Duration, ValueError> {
        match parse_common(bytes) {
            Some(d) => Ok(d),
            None => Self::parse_general(bytes),
        }
    }

    /// The full grammar with checked arithmetic and precise errors.
    fn parse_general(bytes: &[u8]) -> Result<Duration, ValueError> {
        let b = bytes;
        let mut i = 0usize;
        let neg = match b.first() {
            None => return Err(err(K::Empty, 0)),
            Some(b'-') => {
                i = 1;
                true
            }
            Some(b'+') => {
                i = 1;
                false
            }
            Some(_) => false,
        };
        match b.get(i) {
            Some(b'P') => i += 1,
            Some(b'p') => return Err(err(K::LowercaseDesignator, i)),
            Some(&c) if c.is_ascii_whitespace() || c == b'\x0b' => {
                return Err(err(K::Whitespace, i))
            }
            _ => return Err(err(K::MissingP, i)),
        }
        // Largest magnitude allowed for this sign.
        let limit: u64 = if neg {
            i64::MIN.unsigned_abs()
        } else {
            i64::MAX as u64
        };
        let mut total: u64 = 0;
        // Rank of the last unit read: 0 none, 1 D, 2 H, 3 M, 4 S.
        let mut rank: usize = 0;
        let mut in_time = false;
        // A component is owed (right after `P` or `T`).
        let mut need = true;
        while let Some(&c) = b.get(i) {
            if rank == 4 {
                // Nothing may follow the seconds.
                return Err(unexpected(c, i, true));
            }
            if c == b'T' {
                if in_time {
                    return Err(err(K::UnitOrder, i));
                }
                in_time = true;
                need = true;
                i += 1;
                continue;
            }
            let digit = c.wrapping_sub(b'0');
            if digit > 9 {
                return Err(unexpected(c, i, false));
            }
            let start = i;
            let mut n = u64::from(digit);
            i += 1;
            while let Some(&c) = b.get(i) {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                n = match n.checked_mul(10) {
                    Some(v) => match v.checked_add(u64::from(d)) {
                        Some(v) => v,
                        None => return Err(err(K::Overflow, start)),
                    },
                    None => return Err(err(K::Overflow, start)),
                };
                i += 1;
            }
            // Optional fraction, kept as nanoseconds (first nine digits, the rest truncated).
            let mut frac_at = usize::MAX;
            let mut nanos: u32 = 0;
            match b.get(i) {
                Some(b'.') => {
                    frac_at = i;
                    i += 1;
                    let first = i;
                    let mut k = 0usize;
                    while let Some(&c) = b.get(i) {
                        let d = c.wrapping_sub(b'0');
                        if d > 9 {
                            break;
                        }
                        if k < 9 {
                            nanos = nanos * 10 + u32::from(d);
                            k += 1;
                        }
                        i += 1;
                    }
                    if i == first {
                        return Err(err(K::BadFraction, i));
                    }
                    nanos *= FRACTION_SCALE[k];
                }
                Some(b',') => return Err(err(K::CommaDecimal, i)),
                _ => {}
            }
            let unit = match b.get(i) {
                Some(b'D') if !in_time => 1,
                Some(b'D') => return Err(err(K::UnitOrder, i)),
                Some(b'H') if in_time => 2,
                Some(b'M') if in_time => 3,
                Some(b'S') if in_time => 4,
                Some(b'H' | b'S') => return Err(err(K::TimeUnitBeforeT, i)),
                Some(b'Y' | b'M' | b'W') => return Err(err(K::NotFixedLength, i)),
                Some(&c) => return Err(unexpected(c, i, false)),
                None => return Err(err(K::MissingUnit, i)),
            };
            if unit <= rank {
                return Err(err(K::UnitOrder, i));
            }
            if frac_at != usize::MAX && unit != 4 {
                return Err(err(K::FractionNotOnSeconds, frac_at));
            }
            let value = match n.checked_mul(UNIT_NANOS[unit - 1]) {
                Some(v) => v.checked_add(u64::from(nanos)),
                None => None,
            };
            let Some(value) = value else {
                return Err(err(K::Overflow, start));
            };
            total = match total.checked_add(value) {
                Some(t) if t <= limit => t,
                _ => return Err(err(K::Overflow, start)),
            };
            rank = unit;
            need = false;
            i += 1;
        }
        if need {
            return Err(err(K::NoComponents, i));
        }
        let nanos = if neg {
            0i64.wrapping_sub_unsigned(total)
        } else {
            total as i64
        };
        Ok(Duration(nanos))
    }
}

/// Eight ASCII digits, already minus `'0'`, one per byte with the first (most significant) in the
/// lowest byte, combined pairwise into their value: bytes to two-digit values in 16-bit lanes, to
/// four-digit values in 32-bit lanes, to one value below 10^8.
#[inline(always)]
pub(super) const fn eight_digits(d: u64) -> u64 {
    let v = (d * 10 + (d >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = (v * 100 + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    (v * 10_000 + (v >> 32)) & 0xFFFF_FFFF
}

/// `10^k` for `k` in `0..=9`.
const POW10: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// Flags (a non-zero high nibble) every byte of `x` that was not an ASCII digit before `x` was
/// XORed with `'0'` bytes. A digit becomes 0..=9, and both it and it plus 6 stay below 16; any other
/// byte has a high nibble itself or gets one from the `+ 6` (`':'..='?'` become 10..=15). A carry
/// out of a byte only happens for a byte that is flagged by itself (`x >= 0xFA`), and it can only
/// flag more bytes above it, never clear one: so a digit is never flagged unless a lower byte is,
/// and a non-digit is always flagged.
#[inline(always)]
const fn non_digits(x: u64) -> u64 {
    (x | x.wrapping_add(0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0
}

/// The last `min(8, s.len())` bytes of `s` in one word, the last byte in the top byte and zeros
/// below the start of `s`. Needs `s.len() >= 4`.
#[inline(always)]
fn tail_word(s: &[u8]) -> Option<u64> {
    let n = s.len();
    if let Some(last) = s.last_chunk::<8>() {
        return Some(u64::from_le_bytes(*last));
    }
    // 4 <= n < 8: two overlapping four-byte loads. Byte `i` of `s` goes to byte `i + 8 - n`; the two
    // loads agree where they overlap.
    let first = u64::from(u32::from_le_bytes(*s.first_chunk::<4>()?));
    let last = u64::from(u32::from_le_bytes(*s.last_chunk::<4>()?));
    Some(first << (8 * (8 - n)) | last << 32)
}

/// The overwhelming real form, `[-]PT<n>[.<f>]S` of at most 10 bytes after the sign (`PT0.016S`,
/// `PT0.02S`, `PT1S`, `PT123.456S`), read from one eight-byte word holding everything after `PT`.
///
/// Returns `None` for anything else (other forms, longer numbers, every error); the callers then run
/// parsers that give the same answer on these forms, so this only decides how fast, never what.
/// At most 7 digits in all, so the total (below 10^16 ns) needs no overflow check.
#[inline(always)]
fn parse_seconds(b: &[u8]) -> Option<Duration> {
    let (neg, s) = match b {
        [b'P', b'T', ..] => (false, b),
        [b'-', s @ ..] if s.starts_with(b"PT") => (true, s),
        _ => return None,
    };
    let n = s.len();
    if !(4..=10).contains(&n) {
        return None;
    }
    // String byte `i` is word byte `i + 8 - n`: the `S` is the top byte, and the digits (and `.`)
    // from string bytes 2..n-1 are word bytes 10-n..7 (below them: `P`, `T` or zeros).
    let w = tail_word(s)?;
    if w >> 56 != u64::from(b'S') {
        return None;
    }
    let x = w ^ 0x3030_3030_3030_3030;
    let first = 10 - n; // byte of the first digit, 0..=6
                        // The first non-digit from there on: the `.`, or the `S` in byte 7 when there is no point.
    let flagged = non_digits(x) & BYTES_FROM[first];
    let j = (flagged.trailing_zeros() / 8) as usize; // 0..=7, since the `S` is flagged
                                                     // At least one whole digit; and a point needs a digit after it and only digits up to the `S`.
    if j == first
        || (j < 7
            && ((x >> (8 * j)) & 0xFF != u64::from(b'.' ^ b'0')
                || j == 6
                || flagged & BYTES_FROM[j + 1] & BYTES_BELOW[7] != 0))
    {
        return None;
    }
    // The whole digits stay in bytes first..j; the fractional ones move down one byte, over the
    // point, to bytes j..6. Read as eight digits, with zeros in bytes 6 and 7 (or just byte 7 when
    // there is no point), that is the value in units of 10^-(j + 1) seconds: `PT0.016S` has j = 3
    // and reads 00001600, 1600 * 10^4 ns.
    let merged =
        (x & BYTES_FROM[first] & BYTES_BELOW[j]) | ((x >> 8) & BYTES_FROM[j] & BYTES_BELOW[6]);
    // At most 7 digits, so below 10^8 * 10^8 ns.
    let nanos = eight_digits(merged) * POW10[j + 1];
    Some(signed(neg, nanos))
}

/// `BYTES_FROM[i]`: bytes `i..8` of a word (none for `i == 8`).
const BYTES_FROM: [u64; 9] = {
    let mut t = [0u64; 9];
    let mut i = 0;
    while i < 8 {
        t[i] = u64::MAX << (8 * i);
        i += 1;
    }
    t
};

/// `BYTES_BELOW[i]`: bytes `0..i` of a word (all for `i == 8`).
const BYTES_BELOW: [u64; 9] = {
    let mut t = [0u64; 9];
    let mut i = 0;
    while i < 9 {
        t[i] = !BYTES_FROM[i];
        i += 1;
    }
    t
};

/// Reads a run of 1 to `max` ASCII digits at the start of `b`: `(value, count)`. `None` when there is
/// no digit or the run is longer than `max`.
#[inline(always)]
fn short_digits(b: &[u8], max: usize) -> Option<(u64, usize)> {
    let mut n = 0u64;
    let mut k = 0usize;
    while let Some(&c) = b.get(k) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        if k == max {
            return None;
        }
        n = n * 10 + u64::from(d);
        k += 1;
    }
    if k == 0 {
        None
    } else {
        Some((n, k))
    }
}

/// The common forms (`PT0.016S`, `PT1M2.5S`, `P1DT2H`, `-PT0.5S`) without overflow checks: days have at
/// most 4 digits, hours 6, minutes 7, seconds 9 and the fraction 9, so the total stays below
/// 6.1 * 10^18 ns, inside `i64`. Anything else (a `+` sign, longer numbers, every error) returns
/// `None` and goes to the general parser, which has the same answers for these forms.
#[inline(always)]
fn parse_common(b: &[u8]) -> Option<Duration> {
    let (neg, r) = match b.split_first() {
        Some((b'-', r)) => (true, r),
        _ => (false, b),
    };
    let mut r = r.strip_prefix(b"P")?;
    let mut total: u64 = 0;
    if *r.first()? != b'T' {
        let (n, k) = short_digits(r, 4)?;
        if r.get(k) != Some(&b'D') {
            return None;
        }
        total = n * NANOS_PER_DAY;
        r = r.get(k + 1..)?;
        if r.is_empty() {
            return Some(signed(neg, total));
        }
        if r[0] != b'T' {
            return None;
        }
    }
    r = r.get(1..)?;
    let mut rank = 0u8;
    loop {
        let (n, k) = short_digits(r, 9)?;
        match *r.get(k)? {
            b'H' if rank < 1 && k <= 6 => {
                total += n * NANOS_PER_HOUR;
                rank = 1;
            }
            b'M' if rank < 2 && k <= 7 => {
                total += n * NANOS_PER_MIN;
                rank = 2;
            }
            b'S' => {
                total += n * NANOS_PER_SEC;
                return (k + 1 == r.len()).then(|| signed(neg, total));
            }
            b'.' => {
                let f = r.get(k + 1..)?;
                let (frac, m) = if (4..=8).contains(&f.len()) {
                    // 3 to 7 digits and the `S`, in one word: the `S` on top, the digits below.
                    let m = f.len() - 1;
                    let w = tail_word(f)?;
                    let x = (w ^ 0x3030_3030_3030_3030) & BYTES_FROM[7 - m] & BYTES_BELOW[7];
                    if w >> 56 != u64::from(b'S') || non_digits(x) != 0 {
                        return None;
                    }
                    (eight_digits(x << 8), m)
                } else {
                    let (frac, m) = short_digits(f, 9)?;
                    if f.len() != m + 1 || f[m] != b'S' {
                        return None;
                    }
                    (frac, m)
                };
                total += n * NANOS_PER_SEC + frac * u64::from(FRACTION_SCALE[m]);
                return Some(signed(neg, total));
            }
            _ => return None,
        }
        r = r.get(k + 1..)?;
        if r.is_empty() {
            return Some(signed(neg, total));
        }
    }
}

/// `total` (below 2^63) with the sign applied.
#[inline(always)]
fn signed(neg: bool, total: u64) -> Duration {
    let v = total as i64;
    Duration(if neg { -v } else { v })
}

impl fmt::Display for Duration {
    /// Canonical ISO-8601: `PT0S` for zero, otherwise days, then `T` and hours, minutes and seconds,
    /// omitting zero components and trailing zeros of the fraction (`PT0.016S`, `-P1DT2H`,
    /// `P1DT12H` for 36 hours).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mag = self.0.unsigned_abs();
        if mag == 0 {
            return f.write_str("PT0S");
        }
        if self.0 < 0 {
            f.write_str("-")?;
        }
        f.write_str("P")?;
        let days = mag / NANOS_PER_DAY;
        let mut rem = mag % NANOS_PER_DAY;
        if days > 0 {
            write!(f, "{days}D")?;
        }
        if rem == 0 {
            return Ok(());
        }
        f.write_str("T")?;
        let hours = rem / NANOS_PER_HOUR;
        rem %= NANOS_PER_HOUR;
        let minutes = rem / NANOS_PER_MIN;
        rem %= NANOS_PER_MIN;
        let secs = rem / NANOS_PER_SEC;
        let nanos = (rem % NANOS_PER_SEC) as u32;
        if hours > 0 {
            write!(f, "{hours}H")?;
        }
        if minutes > 0 {
            write!(f, "{minutes}M")?;
        }
        if secs > 0 || nanos > 0 {
            write!(f, "{secs}")?;
            if nanos > 0 {
                write_fraction(f, nanos)?;
            }
            f.write_str("S")?;
        }
        Ok(())
    }
}

/// Writes `.ddd` for `nanos` in `1..10^9`, without trailing zeros.
pub(super) fn write_fraction(f: &mut fmt::Formatter<'_>, nanos: u32) -> fmt::Result {
    let mut n = nanos;
    let mut width = 9usize;
    while n.is_multiple_of(10) && width > 1 {
        n /= 10;
        width -= 1;
    }
    write!(f, ".{n:0width$}")
}

impl FromStr for Duration {
    type Err = ValueError;

    /// Same as [`Duration::parse`] on the string's bytes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Duration::parse(s.as_bytes())
    }
}

impl TryFrom<Duration> for std::time::Duration {
    type Error = ValueError;

    /// Converts a non-negative duration.
    ///
    /// # Errors
    ///
    /// [`ValueErrorKind::NegativeDuration`](super::ValueErrorKind::NegativeDuration) (offset 0) when the
    /// duration is negative.
    ///
    /// ```
    /// # use callrecords::Duration;
    /// let d = std::time::Duration::try_from(Duration::parse(b"PT1.5S")?)?;
    /// assert_eq!(d, std::time::Duration::from_millis(1500));
    /// assert!(std::time::Duration::try_from(Duration::parse(b"-PT1S")?).is_err());
    /// # Ok::<(), callrecords::ValueError>(())
    /// ```
    fn try_from(d: Duration) -> Result<Self, Self::Error> {
        match u64::try_from(d.0) {
            Ok(n) => Ok(std::time::Duration::from_nanos(n)),
            Err(_) => Err(err(K::NegativeDuration, 0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<i64, (K, usize)> {
        Duration::parse(s.as_bytes())
            .map(Duration::as_nanos)
            .map_err(|e| (e.kind(), e.offset()))
    }

    #[test]
    fn cases() {
        assert_eq!(p("PT0.0000001S"), Ok(100));
        assert_eq!(p("PT1.123456789S"), Ok(1_123_456_789));
        assert_eq!(p("PT1M2S"), Ok(62_000_000_000));
        assert_eq!(p("-PT0.5S"), Ok(-500_000_000));
        assert_eq!(p("PT0S"), Ok(0));
        assert_eq!(p("P0D"), Ok(0));
        assert_eq!(p("PT99999999999S"), Err((K::Overflow, 2)));
        assert_eq!(p("P"), Err((K::NoComponents, 1)));
        assert_eq!(p("PT"), Err((K::NoComponents, 2)));
        assert_eq!(p("PT.5S"), Err((K::BadFraction, 2)));
        assert_eq!(p("PT1.S"), Err((K::BadFraction, 4)));
    }

    /// Every answer of `parse` (fast paths included) is the general parser's answer.
    fn same(s: &[u8]) {
        assert_eq!(
            Duration::parse(s),
            Duration::parse_general(s),
            "{:?}",
            String::from_utf8_lossy(s)
        );
    }

    #[test]
    fn fast_path_agrees_on_structured_forms() {
        let digits = [
            "",
            "0",
            "7",
            "12",
            "905",
            "1234",
            "99999",
            "123456",
            "1000000",
            "98765432",
            "123456789",
            "1234567890",
        ];
        let pre: &[&[u8]] = &[
            b"PT", b"-PT", b"+PT", b"P", b"-P", b"pT", b"PTT", b"-", b"T", b"P1DT", b"-P0DT",
        ];
        let suf: &[&[u8]] = &[
            b"S", b"", b"SS", b"M", b"s", b"S ", b"H", b".S", b"S0", b"\xffS",
        ];
        // Under Miri, a sample of the grid (all of it takes minutes to interpret).
        use crate::value::miri_pick;
        let (digits, pre, suf) = (miri_pick(&digits, 3), miri_pick(pre, 4), miri_pick(suf, 3));
        for p in &pre {
            for &a in &digits {
                for f in digits.iter().map(|f| Some(*f)).chain([None]) {
                    for sep in miri_pick(b".,:", 2) {
                        for x in &suf {
                            let mut v = p.to_vec();
                            v.extend_from_slice(a.as_bytes());
                            if let Some(f) = f {
                                v.push(sep);
                                v.extend_from_slice(f.as_bytes());
                            }
                            v.extend_from_slice(x);
                            same(&v);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn fast_path_agrees_on_every_byte_substitution() {
        let bases: &[&[u8]] = &[
            b"PT0.016S",
            b"PT0.02S",
            b"PT0.1S",
            b"PT1S",
            b"PT12S",
            b"PT123.4S",
            b"PT1.2345S",
            b"PT1234567S",
            b"PT0.00001S",
            b"-PT0.016S",
            b"-PT1S",
            b"PT0.0000001S",
            b"PT1M2.5S",
        ];
        for base in crate::value::miri_pick(bases, 4) {
            crate::value::for_each_mutation(base, same);
        }
    }

    #[test]
    fn fast_path_agrees_on_short_strings() {
        // Every string of up to 6 bytes over the bytes that matter, after `PT` and after `-PT`.
        const ALPHABET: &[u8] = b"0159.S-PT";
        let mut tails: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..if cfg!(miri) { 3 } else { 6 } {
            let mut next = Vec::new();
            for t in &tails {
                for &c in ALPHABET {
                    let mut v = t.clone();
                    v.push(c);
                    next.push(v);
                }
            }
            for t in &next {
                for p in crate::value::miri_pick(&[&b"PT"[..], b"-PT", b""], 3) {
                    let mut v = p.to_vec();
                    v.extend_from_slice(t);
                    same(&v);
                }
            }
            tails = next;
        }
    }

    #[test]
    fn fast_path_boundaries() {
        // Each length of whole and fractional digit run the one-word path takes, and the first
        // lengths it leaves to the other parsers (11 bytes after the sign).
        for s in [
            "PT0.016S",
            "PT1S",
            "-PT0.02S",
            "PT1234567S",
            "PT12345.6S",
            "PT0.12345S",
        ] {
            assert!(parse_seconds(s.as_bytes()).is_some(), "{s}");
        }
        for s in [
            "PT0.123456S",
            "PT12345678S",
            "+PT1S",
            "PT1M2S",
            "PT.5S",
            "PT1.S",
            "PT1",
        ] {
            assert!(parse_seconds(s.as_bytes()).is_none(), "{s}");
        }
        assert_eq!(p("PT1S"), Ok(1_000_000_000));
        assert_eq!(p("PT1234567S"), Ok(1_234_567 * 1_000_000_000));
        assert_eq!(p("PT12345678S"), Ok(12_345_678 * 1_000_000_000));
        assert_eq!(p("PT0.1S"), Ok(100_000_000));
        assert_eq!(p("PT0.12345S"), Ok(123_450_000));
        assert_eq!(p("PT0.123456S"), Ok(123_456_000));
        assert_eq!(p("PT12345.6S"), Ok(12_345_600_000_000));
        assert_eq!(p("PT123456.7S"), Ok(123_456_700_000_000));
        assert_eq!(p("-PT9999999S"), Ok(-9_999_999_000_000_000));
        assert_eq!(p("-PT0.00001S"), Ok(-10_000));
        assert_eq!(p("PT.5S"), Err((K::BadFraction, 2)));
        assert_eq!(p("PT1.S"), Err((K::BadFraction, 4)));
        assert_eq!(p("PT1.2.3S"), Err((K::BadFraction, 5)));
        assert_eq!(p("PT1,5S"), Err((K::CommaDecimal, 3)));
        assert_eq!(p("PT1Ss"), Err((K::TrailingBytes, 4)));
        assert_eq!(p("PTS"), Err((K::UnexpectedByte, 2)));
        assert_eq!(p("-PT"), Err((K::NoComponents, 3)));
    }

    #[test]
    fn extremes() {
        assert_eq!(p("-PT9223372036.854775808S"), Ok(i64::MIN));
        assert_eq!(p("PT9223372036.854775807S"), Ok(i64::MAX));
        assert_eq!(p("PT9223372036.854775808S"), Err((K::Overflow, 2)));
        assert_eq!(p("PT18446744073709551616S"), Err((K::Overflow, 2)));
        assert_eq!(
            Duration::MIN.to_string().parse::<Duration>(),
            Ok(Duration::MIN)
        );
        assert_eq!(
            Duration::MAX.to_string().parse::<Duration>(),
            Ok(Duration::MAX)
        );
    }
}
