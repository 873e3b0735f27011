//! The byte-at-a-time oracle for stage 1: slow, obviously correct, and the definition every backend is
//! tested against. See the module docs of [`crate::arch`] for the structural set.

use super::Stage1Error;
use crate::error::ErrorKind;

/// Output of the oracle over a whole input.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct NaiveIndex {
    pub(crate) structurals: Vec<u32>,
    pub(crate) backslashes: Vec<u64>,
    pub(crate) error: Stage1Error,
}

const fn is_op(b: u8) -> bool {
    matches!(b, b'{' | b'}' | b'[' | b']' | b':' | b',')
}

const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Indexes `input` one byte at a time.
pub(crate) fn index(input: &[u8]) -> NaiveIndex {
    let mut out = NaiveIndex {
        backslashes: vec![0; input.len().div_ceil(64)],
        ..NaiveIndex::default()
    };
    let mut in_string = false;
    let mut backslash_run = 0usize;
    // What the previous byte was, for scalar starts: true when it ends a token
    // (whitespace, operator, real quote) or there is none.
    let mut prev_breaks = true;
    for (i, &b) in input.iter().enumerate() {
        if b == b'\\' {
            out.backslashes[i / 64] |= 1 << (i % 64);
        }
        let real_quote = b == b'"' && backslash_run % 2 == 0;
        if real_quote {
            out.structurals.push(i as u32);
            in_string = !in_string;
            prev_breaks = true;
        } else if in_string {
            if b < 0x20 && out.error.is_none() {
                out.error = Some((ErrorKind::ControlCharacterInString, i));
            }
            prev_breaks = false;
        } else if is_op(b) {
            out.structurals.push(i as u32);
            prev_breaks = true;
        } else if is_ws(b) {
            prev_breaks = true;
        } else {
            if prev_breaks {
                out.structurals.push(i as u32);
            }
            prev_breaks = false;
        }
        backslash_run = if b == b'\\' { backslash_run + 1 } else { 0 };
    }
    if let Err(e) = core::str::from_utf8(input) {
        let at = e.valid_up_to();
        if out.error.is_none_or(|(_, first)| at < first) {
            out.error = Some((ErrorKind::InvalidUtf8, at));
        }
    }
    out
}
