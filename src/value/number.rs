//! Exact integers and correctly rounded floats from raw JSON number text.
//!
//! Every function first checks the full JSON number grammar,
//! `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, so the answers do not depend on what some other
//! parser happens to accept.
//!
//! The answers for `-0`, `5.0`, `1e400` and the like are tabled in the [`value`](super) module docs.

use super::{JsonStr, ValueError, ValueErrorKind as K};

/// A float field's value: a number or one of OData's special strings.
///
/// Always an `f64`: Edm.Single text is read into `f64`, correctly rounded from the decimal text (not
/// via `f32`). `NaN` and the infinities come only from [`parse_f64_str`].
pub type FloatValue = f64;

#[cold]
const fn err(kind: K, offset: usize) -> ValueError {
    ValueError::new(kind, offset)
}

/// What the grammar check learned about a number.
struct Scan {
    neg: bool,
    /// Offset of the first `.` or `e`/`E`, if any.
    non_integer_at: Option<usize>,
    /// Up to 19 significant decimal digits.
    mantissa: u64,
    /// Significant digits were dropped (the mantissa is not exact).
    inexact: bool,
    /// The value is `mantissa * 10^exp10` (when not `inexact`); clamped far outside ±400.
    exp10: i64,
}

/// Checks the JSON number grammar and collects the mantissa and exponent.
fn scan(b: &[u8]) -> Result<Scan, ValueError> {
    let mut i = 0;
    let neg = b.first() == Some(&b'-');
    if neg {
        i = 1;
    }
    let mut mantissa: u64 = 0;
    let mut sig = 0u32;
    let mut inexact = false;
    let mut exp10: i64 = 0;
    // Integer part.
    match b.get(i) {
        None if b.is_empty() => return Err(err(K::Empty, 0)),
        Some(b'0') => {
            i += 1;
            if matches!(b.get(i), Some(c) if c.is_ascii_digit()) {
                return Err(err(K::LeadingZero, i - 1));
            }
        }
        Some(c) if c.is_ascii_digit() => {
            while let Some(&c) = b.get(i) {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                if sig < 19 {
                    mantissa = mantissa * 10 + u64::from(d);
                    sig += 1;
                } else {
                    exp10 += 1;
                    inexact |= d != 0;
                }
                i += 1;
            }
        }
        Some(c) if c.is_ascii_whitespace() => return Err(err(K::Whitespace, i)),
        _ => return Err(err(K::InvalidNumber, i)),
    }
    let mut non_integer_at = None;
    // Fraction.
    if b.get(i) == Some(&b'.') {
        non_integer_at = Some(i);
        i += 1;
        let first = i;
        while let Some(&c) = b.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            if mantissa == 0 && d == 0 {
                exp10 -= 1;
            } else if sig < 19 {
                mantissa = mantissa * 10 + u64::from(d);
                sig += 1;
                exp10 -= 1;
            } else {
                inexact |= d != 0;
            }
            i += 1;
        }
        if i == first {
            return Err(err(K::InvalidNumber, i));
        }
    }
    // Exponent.
    if let Some(b'e' | b'E') = b.get(i) {
        if non_integer_at.is_none() {
            non_integer_at = Some(i);
        }
        i += 1;
        let eneg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let first = i;
        let mut e: i64 = 0;
        while let Some(&c) = b.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            // Clamp: anything past 10^6 is far beyond f64's range either way.
            if e < 1_000_000 {
                e = e * 10 + i64::from(d);
            }
            i += 1;
        }
        if i == first {
            return Err(err(K::InvalidNumber, i));
        }
        exp10 += if eneg { -e } else { e };
    }
    match b.get(i) {
        None => Ok(Scan {
            neg,
            non_integer_at,
            mantissa,
            inexact,
            exp10,
        }),
        Some(c) if c.is_ascii_whitespace() => Err(err(K::Whitespace, i)),
        Some(_) => Err(err(K::TrailingBytes, i)),
    }
}

/// Parses an Edm.Int64 from raw JSON number text, exactly.
///
/// # Errors
///
/// [`Overflow`](super::ValueErrorKind::Overflow) (offset 0) outside `i64`;
/// [`NotAnInteger`](super::ValueErrorKind::NotAnInteger) at the `.` or `e` of a fraction or exponent,
/// even for whole values such as `5.0` or `1e2` (Graph writes integers as plain integers; see the
/// [table in the `value` module](super)); grammar errors ([`InvalidNumber`](super::ValueErrorKind::InvalidNumber),
/// [`LeadingZero`](super::ValueErrorKind::LeadingZero), ...) at the offending byte.
///
/// ```
/// use callrecords::value::parse_i64;
/// assert_eq!(parse_i64(b"-9223372036854775808")?, i64::MIN);
/// assert!(parse_i64(b"9223372036854775808").is_err());
/// # Ok::<(), callrecords::ValueError>(())
/// ```
pub fn parse_i64(raw: &[u8]) -> Result<i64, ValueError> {
    // Fast path: plain integers of up to 18 digits cannot overflow.
    let (neg, digits) = match raw.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, raw),
    };
    if !digits.is_empty()
        && digits.len() <= 18
        && (digits[0] != b'0' || digits.len() == 1)
        && digits.iter().all(u8::is_ascii_digit)
    {
        let mut n: i64 = 0;
        for &c in digits {
            n = n * 10 + i64::from(c - b'0');
        }
        return Ok(if neg { -n } else { n });
    }
    let s = scan(raw)?;
    if let Some(at) = s.non_integer_at {
        return Err(err(K::NotAnInteger, at));
    }
    // Only integer digits remain; at most 19 were kept, and any more means overflow.
    if s.exp10 > 0 {
        return Err(err(K::Overflow, 0));
    }
    let limit = if s.neg {
        i64::MIN.unsigned_abs()
    } else {
        i64::MAX as u64
    };
    if s.mantissa > limit {
        return Err(err(K::Overflow, 0));
    }
    Ok(if s.neg {
        0i64.wrapping_sub_unsigned(s.mantissa)
    } else {
        s.mantissa as i64
    })
}

/// Parses an Edm.Int32 from raw JSON number text, exactly.
///
/// # Errors
///
/// As [`parse_i64`], with [`Overflow`](super::ValueErrorKind::Overflow) (offset 0) outside `i32`.
///
/// ```
/// use callrecords::value::parse_i32;
/// assert_eq!(parse_i32(b"-17")?, -17);
/// assert!(parse_i32(b"4294967295").is_err());
/// # Ok::<(), callrecords::ValueError>(())
/// ```
pub fn parse_i32(raw: &[u8]) -> Result<i32, ValueError> {
    let n = parse_i64(raw)?;
    i32::try_from(n).map_err(|_| err(K::Overflow, 0))
}

/// Exact powers of ten representable in `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Parses an Edm.Single or Edm.Double from raw JSON number text into `f64`, correctly rounded.
///
/// Integer literals are accepted (`23` is `23.0`). Short numbers take Clinger's exact fast path
/// (mantissa below 2^53 and a power of ten of at most 22, one correctly rounded IEEE operation);
/// the rest go to `core`'s correctly rounded `str::parse::<f64>` on the already validated text, which
/// does not allocate. See the [table in the `value` module](super) for `-0`, `1e400` and tiny values.
///
/// # Errors
///
/// Grammar errors at the offending byte; [`Overflow`](super::ValueErrorKind::Overflow) (offset 0) when
/// a finite literal rounds to infinity.
///
/// ```
/// use callrecords::value::parse_f64;
/// assert_eq!(parse_f64(b"0.016")?, 0.016);
/// assert_eq!(parse_f64(b"3830")?, 3830.0);
/// assert!(parse_f64(b"-0")?.is_sign_negative());
/// assert_eq!(parse_f64(b"1e-400")?, 0.0);
/// assert!(parse_f64(b"1e400").is_err());
/// # Ok::<(), callrecords::ValueError>(())
/// ```
pub fn parse_f64(raw: &[u8]) -> Result<f64, ValueError> {
    let s = scan(raw)?;
    let v = if !s.inexact && s.mantissa <= (1u64 << 53) && (-22..=22).contains(&s.exp10) {
        let m = s.mantissa as f64;
        let p = POW10[s.exp10.unsigned_abs() as usize];
        let v = if s.exp10 < 0 { m / p } else { m * p };
        if s.neg {
            -v
        } else {
            v
        }
    } else if s.mantissa == 0 {
        if s.neg {
            -0.0
        } else {
            0.0
        }
    } else {
        // The grammar check guarantees ASCII, so this conversion cannot fail.
        let text = core::str::from_utf8(raw).map_err(|_| err(K::InvalidNumber, 0))?;
        text.parse::<f64>().map_err(|_| err(K::InvalidNumber, 0))?
    };
    if v.is_infinite() {
        return Err(err(K::Overflow, 0));
    }
    Ok(v)
}

/// Reads a float field that arrived as a JSON string: OData's `"NaN"`, `"INF"` and `"-INF"`
/// (case-sensitive, as OData spells them; escaped spellings such as `"\u004EaN"` also match).
///
/// # Errors
///
/// [`InvalidSpecialFloat`](super::ValueErrorKind::InvalidSpecialFloat) (offset 0) for any other
/// string, including numeric text such as `"1.5"`.
///
/// ```
/// use callrecords::{value::parse_f64_str, JsonStr};
/// assert_eq!(parse_f64_str(JsonStr::from_raw(b"-INF"))?, f64::NEG_INFINITY);
/// assert!(parse_f64_str(JsonStr::from_raw(b"NaN"))?.is_nan());
/// assert!(parse_f64_str(JsonStr::from_raw(b"nan")).is_err());
/// # Ok::<(), callrecords::ValueError>(())
/// ```
pub fn parse_f64_str(s: JsonStr<'_>) -> Result<f64, ValueError> {
    if s.eq_str("NaN") {
        Ok(f64::NAN)
    } else if s.eq_str("INF") {
        Ok(f64::INFINITY)
    } else if s.eq_str("-INF") {
        Ok(f64::NEG_INFINITY)
    } else {
        Err(err(K::InvalidSpecialFloat, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(parse_i64(b"0"), Ok(0));
        assert_eq!(parse_i64(b"-0"), Ok(0));
        assert_eq!(parse_i64(b"4294967295"), Ok(4_294_967_295));
        assert_eq!(parse_i64(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(
            parse_i64(b"9223372036854775808").map_err(|e| e.kind()),
            Err(K::Overflow)
        );
        assert_eq!(
            parse_i64(b"100000000000000000000").map_err(|e| e.kind()),
            Err(K::Overflow)
        );
        assert_eq!(parse_i64(b"5.0"), Err(err(K::NotAnInteger, 1)));
        assert_eq!(parse_i64(b"1e2"), Err(err(K::NotAnInteger, 1)));
        assert_eq!(parse_i64(b"01"), Err(err(K::LeadingZero, 0)));
        assert_eq!(parse_i32(b"2147483648"), Err(err(K::Overflow, 0)));
        assert_eq!(parse_i32(b"-2147483648"), Ok(i32::MIN));
    }

    #[test]
    fn floats() {
        assert_eq!(parse_f64(b"0.1"), Ok(0.1));
        assert_eq!(parse_f64(b"1e22"), Ok(1e22));
        assert_eq!(parse_f64(b"1e23"), Ok(1e23));
        assert_eq!(parse_f64(b"9007199254740993"), Ok(9007199254740992.0));
        assert_eq!(parse_f64(b"1.7976931348623157e308"), Ok(f64::MAX));
        assert_eq!(parse_f64(b"1.8e308"), Err(err(K::Overflow, 0)));
        assert_eq!(parse_f64(b"0e999999999999"), Ok(0.0));
        assert_eq!(parse_f64(b"4.9e-324"), Ok(5e-324));
    }
}
