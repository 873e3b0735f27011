//! Stage 1 ahead of the tokenizer, for the streaming reader: index one container value as its
//! bytes arrive, and find where it ends, in one pass.
//!
//! The streaming splitter must know where a session ends before it can hand the session out, and
//! the tokenizer must index the session before it can walk it. Both classify the same bytes into
//! quotes, backslashes and in-string masks, so [`AheadIndexer`] does it once: it runs stage 1's
//! block algorithm over the session while tracking the nesting depth
//! ([`super::kernel::index_until_close`]), and when the closing bracket arrives it holds the
//! session's complete stage-1 index ([`Indexed`]), with offsets counted from the session's first
//! byte. The tokenizer then walks that index instead of building its own ([`crate::tokenizer`]).
//!
//! The index is exactly the one the tokenizer's own windows would give (tests check it for every
//! backend and every way of cutting the input), so which path built it never changes a result.
//!
//! # UTF-8
//!
//! The kernel's second pass over each piece, which counts newlines, also notes which runs of
//! [`TALLY_RUN`] bytes hold a byte above ASCII. Only stretches of such runs get the UTF-8 check:
//! the bytes around them are ASCII, so no character reaches past them, and the first invalid
//! sequence is the one a check of the whole value would find. On generated pages about 14% of the
//! bytes are checked.
//!
//! # Memory
//!
//! The index holds one `u32` per structural (typically one per 6 to 10 bytes, at most one per
//! byte) and one bit per byte. To keep that bounded, only the first [`AHEAD_MAX_BYTES`] of a value
//! are indexed ahead: a longer value hands over to the plain nesting scan ([`Ahead::Handoff`])
//! and its tokenizer indexes it window by window as usual.

use super::kernel::{CloseScan, State, Stop, TALLY_RUN};
use super::{validate_utf8, Kernel, Nest, Stage1Error, Window};
use crate::error::ErrorKind;

/// Values longer than this are not indexed ahead (see the module docs): at most 4 MiB of index.
pub(crate) const AHEAD_MAX_BYTES: usize = 1 << 20;

/// Whole blocks indexed per kernel call (a multiple of 64); it also bounds the spare structural
/// capacity each call reserves (one slot per byte).
const PIECE_BYTES: usize = 16 << 10;

/// A complete value's stage-1 index, built ahead of its tokenizer.
#[derive(Debug, Default)]
pub(crate) struct Indexed {
    /// The index, offsets from the value's first byte; `start == 0`, `end == len`.
    pub(crate) window: Window,
    /// The first stage-1 error in the value (control character in a string, invalid UTF-8).
    pub(crate) error: Stage1Error,
    /// `Some(len)` while `window` holds the complete index of a value of `len` bytes.
    pub(crate) complete: Option<usize>,
    /// Newlines in the value.
    pub(crate) newlines: u64,
    /// Offset of the value's last newline, from its first byte.
    pub(crate) last_newline: Option<usize>,
}

/// What [`AheadIndexer::advance`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ahead {
    /// The value is complete: it is this many bytes long, and [`AheadIndexer::indexed`] holds
    /// its index.
    Closed(usize),
    /// Every byte given was consumed without closing the value; call again with more.
    Open,
    /// The value reached [`AHEAD_MAX_BYTES`]: continue with the nesting scan from byte `at` of
    /// the value, in state `nest`. The index is dropped.
    Handoff {
        /// The first byte the nesting scan must look at, from the value's first byte.
        at: usize,
        /// The scan state just before byte `at`.
        nest: Nest,
    },
}

/// Indexes one container value at a time, as its bytes arrive. See the module docs.
#[derive(Debug)]
pub(crate) struct AheadIndexer {
    kernel: Kernel,
    state: State,
    depth: u64,
    /// Bytes of the value indexed so far: whole blocks only.
    done: usize,
    ctrl: Option<usize>,
    /// The start (from the value's first byte) of the open stretch of runs ([`TALLY_RUN`]) that
    /// hold bytes above ASCII, when the last run indexed holds one: the stretch's UTF-8 is checked
    /// once an ASCII run or the value's close ends it.
    utf8_from: Option<usize>,
    /// The first invalid UTF-8 byte found so far (from the value's first byte).
    utf8_error: Option<usize>,
    out: Indexed,
}

impl AheadIndexer {
    /// An indexer with the [`super::detected`] backend (so `CALLRECORDS_BACKEND` forces it too).
    pub(crate) fn detected() -> Self {
        Self::with(super::detected_kernel())
    }

    /// An indexer with `backend`, or `None` when this CPU does not support it.
    #[cfg(test)]
    pub(crate) fn new(backend: super::Backend) -> Option<Self> {
        Kernel::new(backend).map(Self::with)
    }

    pub(super) fn with(kernel: Kernel) -> Self {
        AheadIndexer {
            kernel,
            state: State::default(),
            depth: 0,
            done: 0,
            ctrl: None,
            utf8_from: None,
            utf8_error: None,
            out: Indexed::default(),
        }
    }

    /// Starts a new value (its first byte must be `{` or `[`); keeps the buffers' capacity.
    pub(crate) fn begin(&mut self) {
        self.state = State::default();
        self.depth = 0;
        self.done = 0;
        self.ctrl = None;
        self.utf8_from = None;
        self.utf8_error = None;
        self.out.window.structurals.clear();
        self.out.window.backslashes.clear();
        self.out.error = None;
        self.out.complete = None;
        self.out.newlines = 0;
        self.out.last_newline = None;
    }

    /// Takes in what one call of the kernel found in `bytes`, the value's bytes from `from` on
    /// that it indexed (through `stop.close`, when it closed); `value` is the value so far.
    fn keep(&mut self, stop: Stop, value: &[u8], bytes: &[u8], from: usize) {
        self.ctrl = self.ctrl.or(stop.ctrl);
        let upto = stop.close.map_or(bytes.len(), |c| c + 1 - from);
        if stop.newlines > 0 {
            self.out.newlines += stop.newlines;
            // In text with newlines the last one is near the end: a short backward search.
            let last = memchr::memrchr(b'\n', bytes.get(..upto).unwrap_or(bytes));
            self.out.last_newline = last.map(|k| from + k).or(self.out.last_newline);
        }
        for r in 0..upto.div_ceil(TALLY_RUN) {
            let at = from + r * TALLY_RUN;
            let non_ascii = stop.non_ascii_runs >> r.min(63) & 1 != 0;
            match (non_ascii, self.utf8_from) {
                (true, None) => self.utf8_from = Some(at),
                (false, Some(start)) => {
                    self.utf8_from = None;
                    self.check_utf8(value, start, at);
                }
                _ => {}
            }
        }
    }

    /// Checks the UTF-8 of `value[start..end]`, a stretch of runs holding bytes above ASCII
    /// between ASCII bytes (or the value's ends): as no character can reach past those, the
    /// stretch holds an invalid sequence exactly when the whole value holds it there.
    fn check_utf8(&mut self, value: &[u8], start: usize, end: usize) {
        if self.utf8_error.is_some() {
            return;
        }
        let stretch = value.get(start..end).unwrap_or(&[]);
        if let Err((valid, _)) = validate_utf8(stretch) {
            self.utf8_error = Some(start + valid);
        }
    }

    /// Continues with `value`: every byte of the value received so far, from its first byte
    /// (the same prefix as the previous call, longer). Bytes of whole blocks are indexed once;
    /// a trailing partial block is looked at on every call until it is whole or holds the end.
    pub(crate) fn advance(&mut self, value: &[u8]) -> Ahead {
        let limit = value.len().min(AHEAD_MAX_BYTES);
        let whole = limit - limit % 64;
        while let Some(piece) = value.get(self.done..whole.min(self.done + PIECE_BYTES)) {
            if piece.is_empty() {
                break;
            }
            // One word per block of this piece only: the value often closes long before the
            // window's end, and the words past its close would be zeroed for nothing.
            let backslashes = &mut self.out.window.backslashes;
            backslashes.resize((self.done + piece.len()) / 64, 0);
            let words = backslashes.get_mut(self.done / 64..);
            let stop = self.kernel.index_until_close(
                piece,
                self.done,
                CloseScan {
                    state: &mut self.state,
                    depth: &mut self.depth,
                    structurals: &mut self.out.window.structurals,
                    backslashes: words.unwrap_or(&mut []),
                },
            );
            self.keep(stop, value, piece, self.done);
            self.done += piece.len();
            if let Some(close) = stop.close {
                return Ahead::Closed(self.complete(value, close + 1));
            }
        }
        if value.len() > AHEAD_MAX_BYTES {
            self.out.window.structurals.clear();
            self.out.window.backslashes.clear();
            return Ahead::Handoff {
                at: self.done,
                nest: Nest {
                    depth: self.depth,
                    in_string: self.state.in_string != 0,
                    escaped: self.state.escaped != 0,
                },
            };
        }
        let tail = value.get(whole..).unwrap_or(&[]);
        if tail.is_empty() {
            return Ahead::Open;
        }
        // The partial last block, padded with spaces (which add nothing): kept only when it holds
        // the end, otherwise undone, since the bytes after it are not known yet.
        let mut block = [b' '; 64];
        block[..tail.len()].copy_from_slice(tail);
        let (state, depth, len) = (self.state, self.depth, self.out.window.structurals.len());
        self.out.window.backslashes.push(0);
        let word = self.out.window.backslashes.last_mut();
        let stop = self.kernel.index_until_close(
            &block,
            whole,
            CloseScan {
                state: &mut self.state,
                depth: &mut self.depth,
                structurals: &mut self.out.window.structurals,
                backslashes: word.map(core::slice::from_mut).unwrap_or(&mut []),
            },
        );
        if let Some(close) = stop.close {
            self.keep(stop, value, tail, whole);
            return Ahead::Closed(self.complete(value, close + 1));
        }
        self.out.window.backslashes.pop();
        self.out.window.structurals.truncate(len);
        (self.state, self.depth) = (state, depth);
        Ahead::Open
    }

    /// Seals the index of the value `value[..len]`; returns `len`.
    fn complete(&mut self, value: &[u8], len: usize) -> usize {
        if let Some(start) = self.utf8_from.take() {
            self.check_utf8(value, start, len);
        }
        self.out.error = match (self.ctrl, self.utf8_error) {
            (Some(c), Some(u)) if u < c => Some((ErrorKind::InvalidUtf8, u)),
            (Some(c), _) => Some((ErrorKind::ControlCharacterInString, c)),
            (None, Some(u)) => Some((ErrorKind::InvalidUtf8, u)),
            (None, None) => None,
        };
        // A close inside a piece leaves the words of the piece's blocks after it (all zero).
        self.out.window.backslashes.truncate(len.div_ceil(64));
        self.out.window.start = 0;
        self.out.window.end = len;
        self.out.complete = Some(len);
        len
    }

    /// The index of the value just closed, if it is `len` bytes long and still held.
    pub(crate) fn indexed(&mut self, len: usize) -> Option<&mut Indexed> {
        (self.out.complete == Some(len)).then_some(&mut self.out)
    }
}
