//! The byte-at-a-time oracle for stage 1: slow, obviously correct, and the definition every backend is
//! tested against. See the module docs of [`crate::arch`] for the structural set.

use super::{Carry, Stage1Error};
use crate::error::ErrorKind;

/// Output of the oracle over a whole input.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct NaiveIndex {
    pub(crate) structurals: Vec<u32>,
    pub(crate) backslashes: Vec<u64>,
    pub(crate) error: Stage1Error,
}

pub(crate) const fn is_op(b: u8) -> bool {
    matches!(b, b'{' | b'}' | b'[' | b']' | b':' | b',')
}

pub(crate) const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Indexes all of `input` one byte at a time, UTF-8 included.
pub(crate) fn index(input: &[u8]) -> NaiveIndex {
    let mut out = NaiveIndex {
        backslashes: vec![0; input.len().div_ceil(64)],
        ..NaiveIndex::default()
    };
    let mut carry = Carry::default();
    index_range(
        input,
        0,
        &mut carry,
        &mut out.structurals,
        &mut out.backslashes,
        &mut out.error,
    );
    // An input that ends inside a character (no `error_len`) was cut short: stage 1 leaves that
    // to the tokenizer, which reports the end of the input (or the byte where it stands).
    if let Err(e) = core::str::from_utf8(input).map_err(|e| (e.valid_up_to(), e.error_len())) {
        let (at, len) = e;
        if len.is_some() && out.error.is_none_or(|(_, first)| at < first) {
            out.error = Some((ErrorKind::InvalidUtf8, at));
        }
    }
    out
}

/// Indexes `bytes`, which start at absolute offset `base`, continuing from `carry`. Does not check
/// UTF-8. `backslashes` must hold `bytes.len().div_ceil(64)` zeroed words.
pub(crate) fn index_range(
    bytes: &[u8],
    base: usize,
    carry: &mut Carry,
    structurals: &mut Vec<u32>,
    backslashes: &mut [u64],
    error: &mut Stage1Error,
) {
    let mut in_string = carry.in_string;
    let mut escaped = carry.escaped;
    // True when the previous byte ends a token (whitespace, operator, real quote) or there is none.
    let mut prev_breaks = !carry.prev_scalar;
    for (i, &b) in bytes.iter().enumerate() {
        let at = base + i;
        if b == b'\\' {
            backslashes[i / 64] |= 1 << (i % 64);
        }
        let real_quote = b == b'"' && !escaped;
        if real_quote {
            structurals.push(at as u32);
            in_string = !in_string;
            prev_breaks = true;
        } else if in_string {
            if b < 0x20 && error.is_none() {
                *error = Some((ErrorKind::ControlCharacterInString, at));
            }
            prev_breaks = false;
        } else if is_op(b) {
            structurals.push(at as u32);
            prev_breaks = true;
        } else if is_ws(b) {
            prev_breaks = true;
        } else {
            if prev_breaks {
                structurals.push(at as u32);
            }
            prev_breaks = false;
        }
        escaped = b == b'\\' && !escaped;
    }
    *carry = Carry {
        in_string,
        escaped,
        prev_scalar: !prev_breaks && !in_string,
    };
}
