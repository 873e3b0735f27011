//! Value parsers that work in place on raw byte slices: durations, timestamps, numbers and strings.
//!
//! Nothing here allocates, except the string decoders that say so.
//!
//! # Choices in brief
//!
//! * [`Duration`] and [`Timestamp`]: more than nine fractional digits are truncated toward zero.
//! * [`Timestamp`]: leap seconds (`:60`) are rejected; equality, ordering and hashing are by instant;
//!   `Display` uses the original offset (`Z` for zero), [`Timestamp::display_utc`] uses UTC.
//! * Integers: no fraction or exponent, even `5.0`; floats: `-0` is `-0.0`, `1e400` is an
//!   [`Overflow`](ValueErrorKind::Overflow) error, underflow rounds to zero.
//!
//! # Numbers: documented answers
//!
//! | text in | `parse_i64` / `parse_i32` | `parse_f64` |
//! |---|---|---|
//! | `-0` | `0` | `-0.0` |
//! | `5.0`, `1e2` | [`NotAnInteger`](ValueErrorKind::NotAnInteger) (no fraction or exponent in integer fields, even when the value is whole) | `5.0`, `100.0` |
//! | `9223372036854775808` | [`Overflow`](ValueErrorKind::Overflow) | `9.223372036854776e18` |
//! | `1e400`, `-1e400` | `NotAnInteger` | [`Overflow`](ValueErrorKind::Overflow): a finite literal never becomes infinity; only the OData string `"INF"` does ([`parse_f64_str`]) |
//! | `1e-400` | `NotAnInteger` | `0.0` (`-1e-400` is `-0.0`): underflow is ordinary rounding |
//! | `01`, `1.`, `.5`, `+1`, `-` | an error | an error |

mod duration;
mod number;
mod string;
mod timestamp;

pub use duration::Duration;
pub use number::{parse_f64, parse_f64_str, parse_i32, parse_i64, FloatValue};
pub use string::JsonStr;
pub use timestamp::{Timestamp, UtcDisplay};

use core::fmt;

/// Why a value could not be parsed. Each rejected form has its own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueErrorKind {
    // ---- shared ----
    /// The input was empty.
    Empty,
    /// Bytes followed a complete value.
    TrailingBytes,
    /// A whitespace byte inside the value.
    Whitespace,
    /// The value does not fit the target type.
    Overflow,
    /// An unexpected byte.
    UnexpectedByte,
    /// The JSON value had the wrong type for the field (for example a number where a string belongs).
    WrongType,
    // ---- durations ----
    /// The `P` designator was missing.
    MissingP,
    /// A duration with years, months or weeks, which have no fixed length.
    NotFixedLength,
    /// `P` or `PT` with no component after it.
    NoComponents,
    /// A fraction with no digits before (`PT.5S`) or after (`PT1.S`) the point.
    BadFraction,
    /// A comma used as the decimal separator.
    CommaDecimal,
    /// A lowercase designator such as `pt1s`.
    LowercaseDesignator,
    /// Units out of order or repeated.
    UnitOrder,
    /// A number with no unit designator after it.
    MissingUnit,
    /// A fraction on a unit other than seconds.
    FractionNotOnSeconds,
    /// An `H` or `S` component before the `T` designator (`P1H`).
    TimeUnitBeforeT,
    /// A negative duration converted to `std::time::Duration`.
    NegativeDuration,
    // ---- timestamps ----
    /// The date or time did not have the `YYYY-MM-DDTHH:MM:SS` shape.
    BadTimestampShape,
    /// A month, day, hour, minute or second out of range (including day 31 of a 30-day month).
    FieldOutOfRange,
    /// The offset was missing or malformed (must be `Z` or `±HH:MM`).
    BadOffset,
    /// More than 12 fractional digits.
    FractionTooLong,
    /// A leap second (`:60`), which is not supported (see [`Timestamp`]).
    LeapSecond,
    /// Year `0000`; years run from 0001 to 9999.
    YearZero,
    // ---- numbers ----
    /// Not a number in JSON syntax.
    InvalidNumber,
    /// A fraction or exponent in an integer field.
    NotAnInteger,
    /// A leading zero in a number (`01`, `-00`), which JSON forbids.
    LeadingZero,
    /// A string in a float field other than OData's `"NaN"`, `"INF"` and `"-INF"`.
    InvalidSpecialFloat,
    // ---- strings ----
    /// A backslash escape that JSON does not define.
    InvalidEscape,
    /// A `\u` escape of a surrogate without its pair.
    LoneSurrogate,
    /// The decoded bytes are not valid UTF-8.
    InvalidUtf8,
}

impl fmt::Display for ValueErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A value that could not be parsed: the kind and the byte offset within the value's raw text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueError {
    kind: ValueErrorKind,
    offset: usize,
}

impl ValueError {
    /// Builds an error of `kind` at `offset` within the value's text.
    #[cold]
    pub const fn new(kind: ValueErrorKind, offset: usize) -> Self {
        ValueError { kind, offset }
    }

    /// What was wrong.
    pub const fn kind(&self) -> ValueErrorKind {
        self.kind
    }

    /// Byte offset within the value's raw text (for a string, counted after the opening quote).
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

impl std::error::Error for ValueError {}

/// The replacement bytes the value parsers' exhaustive tests try at each position: every byte, or
/// under Miri (where the full sweep takes minutes to interpret) the bytes the grammars care about
/// and a few others.
#[cfg(test)]
pub(crate) fn substitutes() -> Vec<u8> {
    if cfg!(miri) {
        b"09.,-+:PTDMSYZz \x00\xff".to_vec()
    } else {
        (0..=255u8).collect()
    }
}

/// `all`, or under Miri every `step`-th element of it (the first and the last always kept), for
/// the exhaustive grids of the value parsers' tests.
#[cfg(test)]
pub(crate) fn miri_pick<T: Copy>(all: &[T], step: usize) -> Vec<T> {
    if !cfg!(miri) {
        return all.to_vec();
    }
    let last = all.len().saturating_sub(1);
    all.iter()
        .enumerate()
        .filter(|&(i, _)| i % step.max(1) == 0 || i == last)
        .map(|(_, &x)| x)
        .collect()
}

/// Calls `check` on every one-byte mutation of `base`: at each position (and the end), each of
/// [`substitutes`] replacing the byte there and inserted before it, the byte removed, and the
/// prefix that ends there.
#[cfg(test)]
pub(crate) fn for_each_mutation(base: &[u8], mut check: impl FnMut(&[u8])) {
    for i in 0..=base.len() {
        for c in substitutes() {
            let mut v = base.to_vec();
            if i < v.len() {
                v[i] = c;
            } else {
                v.push(c);
            }
            check(&v);
            v.insert(i.min(v.len()), c);
            check(&v);
        }
        if i < base.len() {
            let mut w = base.to_vec();
            w.remove(i);
            check(&w);
        }
        check(&base[..i]);
    }
}
