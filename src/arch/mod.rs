//! Stage 1: the structural indexer.
//!
//! Stage 1 reads the input in 64-byte blocks and finds, for each block, the positions the tokenizer
//! needs: the structural characters `{ } [ ] : ,` outside strings, every unescaped quote (opening and
//! closing), and the first byte of every scalar (number or literal). It carries the in-string and
//! odd-backslash-run state across blocks and windows, validates UTF-8, and flags raw control
//! characters inside strings.
//!
//! The per-block classification is ISA-specific (one module per backend behind [`Backend`]); the
//! scalar backend is the reference that every SIMD backend is tested against, byte for byte.
//! [`naive`] is a byte-at-a-time oracle, written for clarity, that defines the output exactly.
//!
//! # The structural set
//!
//! For input bytes `b[0..n]`, a quote at `i` is *real* when it is preceded by an even number
//! (possibly zero) of consecutive backslashes. Real quotes toggle the in-string state; a real quote
//! itself counts as inside the string it opens and outside the string it closes. Position `i` is
//! structural when:
//!
//! 1. `b[i]` is one of `{ } [ ] : ,` and is outside a string; or
//! 2. `b[i]` is a real quote; or
//! 3. `b[i]` is outside a string, is not whitespace (space, `\t`, `\n`, `\r`), not an operator and
//!    not a quote, and `i == 0` or `b[i-1]` is whitespace, an operator or a real quote (a
//!    *scalar start*).
//!
//! Stage 1 also reports the first offset of either error, whichever comes first: invalid UTF-8, or
//! a byte below 0x20 inside a string. It does not raise them: the tokenizer raises a stage-1 error
//! only when its cursor reaches that offset, so errors always come out in input order.

pub(crate) mod naive;

use crate::error::ErrorKind;

/// A stage-1 backend: one instruction set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// Portable 64-bit code; the reference.
    Scalar,
    /// x86_64 SSE4.2 (16-byte vectors).
    Sse42,
    /// x86_64 AVX2 (32-byte vectors).
    Avx2,
    /// x86_64 AVX-512 F+BW (64-byte vectors).
    Avx512,
    /// aarch64 NEON (16-byte vectors).
    Neon,
}

/// Everything stage 1 learned about one window of input.
///
/// Reused across windows and documents; its buffers keep their capacity.
#[derive(Debug, Default)]
pub(crate) struct Window {
    /// Absolute offsets (from the start of the input slice) of structural positions, ascending.
    pub(crate) structurals: Vec<u32>,
    /// One bit per input byte of the window, in 64-bit words: bit `j` of word `k` is set when byte
    /// `start + 64 * k + j` is a backslash.
    pub(crate) backslashes: Vec<u64>,
    /// The window's first byte offset.
    pub(crate) start: usize,
    /// One past the window's last byte offset.
    pub(crate) end: usize,
}

/// State carried from one block (and window) to the next.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Carry {
    /// The previous block ended inside a string.
    pub(crate) in_string: bool,
    /// The previous block ended with an odd run of backslashes.
    pub(crate) escaped: bool,
    /// The previous block's last byte was a scalar byte outside a string (no scalar start follows).
    pub(crate) prev_scalar: bool,
}

/// The first stage-1 error seen so far, if any.
pub(crate) type Stage1Error = Option<(ErrorKind, usize)>;

/// Bytes of input indexed per window. The window's structural index (at most one `u32` per input
/// byte, typically one per 6 to 10 bytes) and its backslash bitmap (1 bit per byte) stay in cache.
pub(crate) const WINDOW_BYTES: usize = 64 * 1024;

/// The stage-1 driver: indexes consecutive windows of one input, carrying state between them.
///
/// (Interim: drives the naive oracle. The stage-1 helper replaces the body with the block
/// backends; the interface stays.)
#[derive(Debug)]
pub(crate) struct Indexer {
    backend: Backend,
    carry: Carry,
    /// First stage-1 error seen so far (absolute offset); sticky across windows.
    error: Stage1Error,
    utf8_checked: bool,
}

impl Indexer {
    /// A fresh indexer using `backend`.
    pub(crate) fn new(backend: Backend) -> Self {
        Indexer {
            backend,
            carry: Carry::default(),
            error: None,
            utf8_checked: false,
        }
    }

    /// The backend in use.
    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// Indexes the window `input[start..min(start + WINDOW_BYTES, input.len())]` into `out`
    /// (clearing it first). `start` must be where the previous call's window ended (0 at first).
    ///
    /// Returns the first stage-1 error at or before the end of this window, if any.
    pub(crate) fn index_window(
        &mut self,
        input: &[u8],
        start: usize,
        out: &mut Window,
    ) -> Stage1Error {
        let end = input.len().min(start.saturating_add(WINDOW_BYTES));
        let bytes = input.get(start..end).unwrap_or(&[]);
        out.structurals.clear();
        out.backslashes.clear();
        out.backslashes.resize(bytes.len().div_ceil(64), 0);
        out.start = start;
        out.end = end;
        naive::index_range(
            bytes,
            start,
            &mut self.carry,
            &mut out.structurals,
            &mut out.backslashes,
            &mut self.error,
        );
        if !self.utf8_checked {
            self.utf8_checked = true;
            if let Err(e) = core::str::from_utf8(input) {
                let at = e.valid_up_to();
                if self.error.is_none_or(|(_, first)| at < first) {
                    self.error = Some((ErrorKind::InvalidUtf8, at));
                }
            }
        }
        self.error.filter(|&(_, at)| at < end)
    }
}

/// The backend chosen for this CPU (interim: always scalar).
pub(crate) fn detected() -> Backend {
    Backend::Scalar
}
