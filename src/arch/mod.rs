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
//! Stage 1 has two more jobs for the streaming reader, over the same blocks, with the same
//! backends and the same escape and in-string arithmetic, so the session splitter has no SIMD code
//! of its own: the *ahead index* (`ahead.rs`, [`AheadIndexer`]) indexes a session as its bytes
//! arrive while finding the bracket that closes it, and hands the index to the session's
//! tokenizer; the *nesting scan* (`nest.rs`, [`Nester`]) only finds the closing bracket, for
//! values too long to index ahead and for the look-ahead of the schema layer.
//!
//! Stage 1 also reports the first offset of either error, whichever comes first: invalid UTF-8, or
//! a byte below 0x20 inside a string. It does not raise them: the tokenizer raises a stage-1 error
//! only when its cursor reaches that offset, so errors always come out in input order.

//!
//! # Backends and dispatch
//!
//! | [`Backend`] | name | needs | vectors |
//! |---|---|---|---|
//! | [`Backend::Avx512`] | `avx512` | x86_64 AVX-512 F+BW, PCLMULQDQ, POPCNT, BMI1, LZCNT | one 64-byte |
//! | [`Backend::Avx2`] | `avx2` | x86_64 AVX2, PCLMULQDQ, POPCNT, BMI1, LZCNT | two 32-byte |
//! | [`Backend::Sse42`] | `sse4.2` | x86_64 SSE4.2, POPCNT | four 16-byte |
//! | [`Backend::Neon`] | `neon` | aarch64 NEON | four 16-byte |
//! | [`Backend::Scalar`] | `scalar` | nothing | eight 64-bit words (SWAR) |
//!
//! The block algorithm (escapes, string state, scalar starts, flattening) is written once in
//! `kernel.rs` over a small `Block` abstraction; each backend only classifies 64 bytes into masks.
//! The CPU is probed once, on first use, and the choice is cached ([`detected`]); the fastest
//! supported backend wins. The environment variable `CALLRECORDS_BACKEND` (read once, at that
//! moment) forces one by [`Backend::name`]. If it names an unknown or unsupported backend, stage 1
//! prints one warning to stderr and uses the automatic choice instead: a bad setting never stops a
//! parse. An empty value counts as unset.
//!
//! UTF-8 is validated window by window with `simdutf8` (which has its own SIMD dispatch). A
//! multi-byte character cut by a window's end is finished from the bytes after it, so the reported
//! offset is always that of `core::str::from_utf8(input).valid_up_to()` and lies in the window
//! that holds the bad sequence's first byte.

mod ahead;
mod kernel;
#[cfg_attr(not(test), allow(dead_code))] // reason: the oracle is only run by tests (and fuzzing)
pub(crate) mod naive;
mod nest;
mod scalar;

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
#[cfg(target_arch = "aarch64")]
mod neon;
#[cfg(target_arch = "x86_64")]
mod sse42;

#[cfg(test)]
mod tests;

use core::sync::atomic::{AtomicU8, Ordering};

use crate::error::ErrorKind;
pub(crate) use ahead::{Ahead, AheadIndexer, Indexed};
use kernel::{CloseScan, State};
pub(crate) use nest::{ends_scalar, find_string_end, is_ws, Nest};

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

/// Every backend, fastest first; the automatic choice is the first supported one.
const ALL: [Backend; 5] = [
    Backend::Avx512,
    Backend::Avx2,
    Backend::Sse42,
    Backend::Neon,
    Backend::Scalar,
];

impl Backend {
    /// The backend's short name, as accepted by `CALLRECORDS_BACKEND`: `scalar`, `sse4.2`, `avx2`,
    /// `avx512` or `neon`.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Scalar => "scalar",
            Backend::Sse42 => "sse4.2",
            Backend::Avx2 => "avx2",
            Backend::Avx512 => "avx512",
            Backend::Neon => "neon",
        }
    }

    /// The backend called `name` (see [`Backend::name`]; ASCII case is ignored, and `sse42` is
    /// accepted for `sse4.2`), whether or not this CPU supports it.
    pub fn from_name(name: &str) -> Option<Backend> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("sse42") {
            return Some(Backend::Sse42);
        }
        ALL.into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(name))
    }

    /// Every backend, supported or not, fastest first.
    pub const fn all() -> &'static [Backend] {
        &ALL
    }

    /// The backends this CPU supports, fastest first. [`Backend::Scalar`] is always among them.
    pub fn supported() -> Vec<Backend> {
        ALL.into_iter().filter(|b| b.is_supported()).collect()
    }

    /// Whether this CPU (and this build's target) can run the backend. Probes the CPU on each call;
    /// the automatic choice ([`crate::backend`]) is probed once and cached.
    pub fn is_supported(self) -> bool {
        Kernel::new(self).is_some()
    }
}

impl core::fmt::Display for Backend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// The cached backend: 0 until the first probe, then `1 + ` its index in [`ALL`].
static DETECTED: AtomicU8 = AtomicU8::new(0);

/// The backend stage 1 uses by default: probed once (honouring `CALLRECORDS_BACKEND`, see the
/// module docs), then cached.
pub(crate) fn detected() -> Backend {
    let code = DETECTED.load(Ordering::Relaxed);
    if let Some(&b) = (code as usize).checked_sub(1).and_then(|i| ALL.get(i)) {
        return b;
    }
    let b = probe();
    let code = ALL.iter().position(|&x| x == b).map_or(0, |i| i as u8 + 1);
    // Two threads may probe at once; both reach the same answer and only the first stores it. (A
    // `CALLRECORDS_BACKEND` warning then prints once per racing thread: in practice once.)
    match DETECTED.compare_exchange(0, code, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => b,
        Err(won) => (won as usize)
            .checked_sub(1)
            .and_then(|i| ALL.get(i).copied())
            .unwrap_or(b),
    }
}

/// Probes the CPU and the environment variable; see the module docs.
fn probe() -> Backend {
    let value = std::env::var_os("CALLRECORDS_BACKEND");
    let (backend, warning) = choose(value.as_deref().map(|v| v.to_string_lossy()).as_deref());
    if let Some(warning) = warning {
        eprintln!("callrecords: {warning}");
    }
    backend
}

/// The backend to use given the value of `CALLRECORDS_BACKEND`, and a warning when the value
/// cannot be honoured.
fn choose(value: Option<&str>) -> (Backend, Option<String>) {
    let auto = ALL
        .into_iter()
        .find(|b| b.is_supported())
        .unwrap_or(Backend::Scalar);
    let Some(text) = value.filter(|v| !v.trim().is_empty()) else {
        return (auto, None);
    };
    match Backend::from_name(text) {
        Some(b) if b.is_supported() => (b, None),
        Some(b) => (
            auto,
            Some(format!(
                "CALLRECORDS_BACKEND={text}: this CPU does not support {b}; using {auto}"
            )),
        ),
        None => (
            auto,
            Some(format!(
                "CALLRECORDS_BACKEND={text}: unknown backend (expected scalar, sse4.2, avx2, \
                 avx512 or neon); using {auto}"
            )),
        ),
    }
}

/// The name of the stage-1 backend in use: `"avx512"`, `"avx2"`, `"sse4.2"`, `"neon"` or
/// `"scalar"`.
///
/// The CPU is probed on the first call (or first parse) and the answer is cached; the environment
/// variable `CALLRECORDS_BACKEND` can force a backend (an unknown or unsupported value falls back
/// to the automatic choice with a warning on stderr).
pub fn backend() -> &'static str {
    detected().name()
}

/// A backend proven available: holding one is the proof that its CPU features were detected.
#[derive(Debug, Clone, Copy)]
enum Kernel {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Sse42(sse42::Sse42),
    #[cfg(target_arch = "x86_64")]
    Avx2(avx2::Avx2),
    #[cfg(target_arch = "x86_64")]
    Avx512(avx512::Avx512),
    #[cfg(target_arch = "aarch64")]
    Neon(neon::Neon),
}

impl Kernel {
    /// The kernel for `backend`, if this CPU supports it.
    fn new(backend: Backend) -> Option<Kernel> {
        match backend {
            Backend::Scalar => Some(Kernel::Scalar),
            #[cfg(target_arch = "x86_64")]
            Backend::Sse42 => sse42::Sse42::new().map(Kernel::Sse42),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => avx2::Avx2::new().map(Kernel::Avx2),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => avx512::Avx512::new().map(Kernel::Avx512),
            #[cfg(target_arch = "aarch64")]
            Backend::Neon => neon::Neon::new().map(Kernel::Neon),
            #[allow(unreachable_patterns)] // reason: which backends remain depends on the target
            _ => None,
        }
    }

    fn backend(self) -> Backend {
        match self {
            Kernel::Scalar => Backend::Scalar,
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse42(_) => Backend::Sse42,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2(_) => Backend::Avx2,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512(_) => Backend::Avx512,
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon(_) => Backend::Neon,
        }
    }

    /// See [`kernel::index_blocks`].
    fn index(
        self,
        bytes: &[u8],
        base: usize,
        state: &mut State,
        structurals: &mut Vec<u32>,
        backslashes: &mut [u64],
    ) -> Option<usize> {
        match self {
            Kernel::Scalar => scalar::index(bytes, base, state, structurals, backslashes),
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse42(k) => k.index(bytes, base, state, structurals, backslashes),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2(k) => k.index(bytes, base, state, structurals, backslashes),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512(k) => k.index(bytes, base, state, structurals, backslashes),
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon(k) => k.index(bytes, base, state, structurals, backslashes),
        }
    }

    /// See [`kernel::index_until_close`].
    fn index_until_close(self, bytes: &[u8], base: usize, run: CloseScan<'_>) -> kernel::Stop {
        match self {
            Kernel::Scalar => scalar::index_until_close(bytes, base, run),
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse42(k) => k.index_until_close(bytes, base, run),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2(k) => k.index_until_close(bytes, base, run),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512(k) => k.index_until_close(bytes, base, run),
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon(k) => k.index_until_close(bytes, base, run),
        }
    }
}

/// The nesting scan (see `nest.rs`) with one backend: how the streaming session splitter finds
/// the bracket that closes a session, with the same backend and dispatch as stage 1.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Nester(Kernel);

impl Nester {
    /// The scan with the [`detected`] backend (so `CALLRECORDS_BACKEND` forces it too).
    pub(crate) fn detected() -> Nester {
        Nester(detected_kernel())
    }

    /// The scan with `backend`, or `None` when this CPU does not support it.
    #[cfg(test)]
    pub(crate) fn new(backend: Backend) -> Option<Nester> {
        Kernel::new(backend).map(Nester)
    }

    /// Scans `bytes` inside a container whose state is `st`.
    ///
    /// Returns `Some(i)` when `bytes[i]` is the bracket that brings the depth to zero (the state
    /// is then meaningless), or `None` when every byte was consumed without closing it (`st` is
    /// updated, so the next call continues with the next byte of the stream). Every backend gives
    /// the answer of the byte-at-a-time reference, for any input and any way of cutting it.
    #[inline]
    pub(crate) fn find_close(self, bytes: &[u8], st: &mut Nest) -> Option<usize> {
        match self.0 {
            Kernel::Scalar => scalar::find_close(bytes, st),
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse42(k) => k.find_close(bytes, st),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2(k) => k.find_close(bytes, st),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512(k) => k.find_close(bytes, st),
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon(k) => k.find_close(bytes, st),
        }
    }
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

/// State carried from one block (and window) to the next, as the naive oracle keeps it.
#[cfg_attr(not(test), allow(dead_code))] // reason: only the oracle keeps this form
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
/// A multiple of 64, so only the input's last block is ever partial.
pub(crate) const WINDOW_BYTES: usize = 64 * 1024;

/// The stage-1 driver: indexes consecutive windows of one input, carrying state between them.
#[derive(Debug)]
pub(crate) struct Indexer {
    kernel: Kernel,
    state: State,
    /// First stage-1 error seen so far (absolute offset); sticky across windows.
    error: Stage1Error,
    /// Input bytes `..utf8_pos` are known to be valid UTF-8 (may run up to 3 bytes past the last
    /// window, when a character straddled its end).
    utf8_pos: usize,
    /// Bytes per window: [`WINDOW_BYTES`] (tests use smaller multiples of 64).
    window_bytes: usize,
}

impl Indexer {
    /// A fresh indexer using `backend`, or, when this CPU does not support it, the
    /// [`detected`] backend (check [`Indexer::backend`]). Use [`Indexer::try_new`] to refuse instead.
    pub(crate) fn new(backend: Backend) -> Self {
        Self::try_new(backend).unwrap_or_else(|| Self::with(detected_kernel()))
    }

    /// A fresh indexer using `backend`, or `None` when this CPU does not support it.
    pub(crate) fn try_new(backend: Backend) -> Option<Self> {
        Kernel::new(backend).map(Self::with)
    }

    fn with(kernel: Kernel) -> Self {
        Indexer {
            kernel,
            state: State::default(),
            error: None,
            utf8_pos: 0,
            window_bytes: WINDOW_BYTES,
        }
    }

    /// Uses windows of `bytes` bytes (a non-zero multiple of 64) instead of [`WINDOW_BYTES`], so
    /// tests can cross many window boundaries with small inputs.
    #[cfg(test)]
    pub(crate) fn with_window_bytes(mut self, bytes: usize) -> Self {
        assert!(bytes > 0 && bytes.is_multiple_of(64));
        self.window_bytes = bytes;
        self
    }

    /// The backend in use.
    pub(crate) fn backend(&self) -> Backend {
        self.kernel.backend()
    }

    /// Forgets the current input, to index a new one from offset 0 (keeps the backend).
    pub(crate) fn reset(&mut self) {
        *self = Indexer {
            window_bytes: self.window_bytes,
            ..Self::with(self.kernel)
        };
    }

    /// Indexes the window `input[start..min(start + WINDOW_BYTES, input.len())]` into `out`
    /// (clearing it first). `start` must be where the previous call's window ended (0 at first).
    ///
    /// Returns the first stage-1 error at or before the end of this window, if any.
    ///
    /// Offsets are `u32`: inputs longer than `u32::MAX` bytes must be rejected by the caller
    /// (offsets past that wrap; nothing panics).
    pub(crate) fn index_window(
        &mut self,
        input: &[u8],
        start: usize,
        out: &mut Window,
    ) -> Stage1Error {
        let end = input.len().min(start.saturating_add(self.window_bytes));
        let bytes = input.get(start..end).unwrap_or(&[]);
        out.structurals.clear();
        out.backslashes.clear();
        out.backslashes.resize(bytes.len().div_ceil(64), 0);
        out.start = start;
        out.end = end;
        let ctrl = self.kernel.index(
            bytes,
            start,
            &mut self.state,
            &mut out.structurals,
            &mut out.backslashes,
        );
        if self.error.is_none() {
            let ctrl = ctrl.map(|at| (ErrorKind::ControlCharacterInString, at));
            let utf8 = self
                .check_utf8(input, end)
                .map(|at| (ErrorKind::InvalidUtf8, at));
            self.error = match (ctrl, utf8) {
                (Some(c), Some(u)) => Some(if u.1 < c.1 { u } else { c }),
                (c, u) => c.or(u),
            };
        }
        self.error.filter(|&(_, at)| at < end)
    }

    /// Validates UTF-8 from `utf8_pos` to `end`; returns the offset of the first invalid byte.
    fn check_utf8(&mut self, input: &[u8], end: usize) -> Option<usize> {
        let from = self.utf8_pos;
        // `from > end` when a character straddling the previous window's end reached past this one.
        let chunk = input.get(from..end)?;
        let Err((valid, error_len)) = validate_utf8(chunk) else {
            self.utf8_pos = end;
            return None;
        };
        let at = from + valid;
        if error_len.is_some() {
            return Some(at);
        }
        if end >= input.len() {
            // The input ends inside a character: it was cut short, which the tokenizer reports
            // (the end of the input inside a string, or a byte that cannot start a value) rather
            // than as invalid UTF-8.
            self.utf8_pos = end;
            return None;
        }
        // A sequence cut by the window's end: finish its character from the following bytes.
        let tail = input.get(at..input.len().min(at + 4)).unwrap_or(&[]);
        match core::str::from_utf8(tail) {
            Ok(_) => {
                self.utf8_pos = at + tail.len();
                None
            }
            Err(e) if e.valid_up_to() > 0 => {
                self.utf8_pos = at + e.valid_up_to();
                None
            }
            // The input ends inside this character: cut short, as above.
            Err(e) if e.error_len().is_none() && at + tail.len() >= input.len() => {
                self.utf8_pos = input.len();
                None
            }
            Err(_) => Some(at),
        }
    }
}

/// The kernel of the [`detected`] backend.
fn detected_kernel() -> Kernel {
    Kernel::new(detected()).unwrap_or(Kernel::Scalar)
}

/// Validates `bytes` as UTF-8: on failure, the length of the valid prefix and the invalid
/// sequence's length (`None` when the input ends inside a sequence), as `core::str::Utf8Error`.
fn validate_utf8(bytes: &[u8]) -> Result<(), (usize, Option<usize>)> {
    // `basic` is the faster check; `compat` reruns only on failure, for the error's position.
    #[cfg(not(miri))]
    let result = match simdutf8::basic::from_utf8(bytes) {
        Ok(_) => return Ok(()),
        Err(_) => simdutf8::compat::from_utf8(bytes).map_err(|e| (e.valid_up_to(), e.error_len())),
    };
    // Miri cannot run simdutf8's SIMD code; the standard library's validator is the same contract.
    #[cfg(miri)]
    let result = core::str::from_utf8(bytes).map_err(|e| (e.valid_up_to(), e.error_len()));
    result.map(|_| ())
}

/// Stage 1 on its own, over whole inputs: for benchmarks, diagnostics and backend tests.
///
/// A parse runs stage 1 window by window inside the tokenizer; this module runs only stage 1 over
/// all of an input, with a backend of the caller's choice.
///
/// ```
/// use callrecords::{stage1::Scanner, Backend};
///
/// let mut scanner = Scanner::new(Backend::Scalar).expect("scalar is always supported");
/// assert_eq!(scanner.scan(br#"{"a": [1, true]}"#).ok(), Some(10));
/// ```
pub mod stage1 {
    use super::{Ahead, AheadIndexer, Backend, Indexer, Window};
    use crate::Error;

    /// Runs stage 1 over whole inputs with one backend, reusing its buffers between inputs.
    #[derive(Debug)]
    pub struct Scanner {
        indexer: Indexer,
        window: Window,
    }

    /// A value indexed by [`Scanner::index_value`]: its length and the newlines in it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct IndexedValue {
        /// Bytes from the opening bracket through the closing one.
        pub len: usize,
        /// Newlines (`\n`) in those bytes.
        pub newlines: u64,
    }

    impl Scanner {
        /// A scanner using `backend`, or `None` when this CPU does not support it.
        pub fn new(backend: Backend) -> Option<Scanner> {
            Indexer::try_new(backend).map(|indexer| Scanner {
                indexer,
                window: Window::default(),
            })
        }

        /// A scanner using the backend chosen for this CPU (see [`crate::backend`]).
        pub fn detected() -> Scanner {
            Scanner {
                indexer: Indexer::new(super::detected()),
                window: Window::default(),
            }
        }

        /// The backend in use.
        pub fn backend(&self) -> Backend {
            self.indexer.backend()
        }

        /// Indexes all of `input`, window by window, and returns the number of structural
        /// positions, or the first stage-1 error (invalid UTF-8, or a control character inside a
        /// string) with its offset.
        ///
        /// # Errors
        ///
        /// [`crate::ErrorKind::InvalidUtf8`] or [`crate::ErrorKind::ControlCharacterInString`] at
        /// the first offending byte. Grammar errors are not stage 1's business.
        pub fn scan(&mut self, input: &[u8]) -> Result<usize, Error> {
            self.indexer.reset();
            let mut start = 0;
            let mut count = 0;
            loop {
                if let Some((kind, at)) = self.indexer.index_window(input, start, &mut self.window)
                {
                    return Err(Error::syntax(kind, input, at));
                }
                count += self.window.structurals.len();
                start = self.window.end;
                if start >= input.len() {
                    return Ok(count);
                }
            }
        }

        /// Indexes all of `input` and hands back stage 1's whole output, for comparing backends
        /// bit for bit (the `backends` fuzz target, tests).
        ///
        /// `structurals` receives the offset of every structural position (the operators
        /// `{ } [ ] : ,` outside strings, every unescaped quote, and the first byte of every number
        /// or literal), ascending. `backslashes` receives the backslash
        /// bitmap: bit `j` of word `k` is set when byte `64 * k + j` is a backslash (so it has
        /// `input.len().div_ceil(64)` words). Both are cleared first.
        ///
        /// Unlike [`Scanner::scan`], indexing does not stop at the first error: both outputs
        /// always cover the whole input, and the first error is returned afterwards.
        ///
        /// # Errors
        ///
        /// As [`Scanner::scan`]: [`crate::ErrorKind::InvalidUtf8`] or
        /// [`crate::ErrorKind::ControlCharacterInString`] at the first offending byte.
        ///
        /// ```
        /// use callrecords::{stage1::Scanner, Backend};
        ///
        /// let mut scanner = Scanner::new(Backend::Scalar).expect("scalar is always supported");
        /// let (mut structurals, mut backslashes) = (Vec::new(), Vec::new());
        /// scanner.index(br#"{"a\"b": [1, true]}"#, &mut structurals, &mut backslashes)?;
        /// assert_eq!(structurals, [0, 1, 6, 7, 9, 10, 11, 13, 17, 18]);
        /// assert_eq!(backslashes, [0b1000]);
        /// # Ok::<(), callrecords::Error>(())
        /// ```
        pub fn index(
            &mut self,
            input: &[u8],
            structurals: &mut Vec<u32>,
            backslashes: &mut Vec<u64>,
        ) -> Result<(), Error> {
            self.indexer.reset();
            structurals.clear();
            backslashes.clear();
            let mut start = 0;
            let mut first = None;
            loop {
                let error = self.indexer.index_window(input, start, &mut self.window);
                first = first.or(error);
                structurals.extend_from_slice(&self.window.structurals);
                backslashes.extend_from_slice(&self.window.backslashes);
                start = self.window.end;
                if start >= input.len() {
                    break;
                }
            }
            match first {
                Some((kind, at)) => Err(Error::syntax(kind, input, at)),
                None => Ok(()),
            }
        }

        /// Indexes the object or array that starts `input` the way the streaming [`crate::Reader`]
        /// indexes a session: its bytes arrive `piece` bytes at a time (at least 1), and one pass
        /// finds where the value ends, builds its stage-1 index and counts its newlines. For
        /// comparing backends on that path (the `backends` fuzz target, tests).
        ///
        /// On success `structurals` and `backslashes` hold the index of exactly the value,
        /// `input[..len]`, as [`Scanner::index`] gives it for those bytes. Returns `None` when
        /// `input` does not start with `{` or `[`, when it ends before the value does, or when the
        /// value is longer than the reader indexes ahead (1 MiB); the outputs are then cleared.
        ///
        /// # Errors
        ///
        /// As [`Scanner::index`], for the first stage-1 error inside the value.
        ///
        /// ```
        /// use callrecords::{stage1::{IndexedValue, Scanner}, Backend};
        ///
        /// let mut scanner = Scanner::new(Backend::Scalar).expect("scalar is always supported");
        /// let (mut structurals, mut backslashes) = (Vec::new(), Vec::new());
        /// let input = b"{\"a\":\n [1]} {\"next\": 2}";
        /// let value = scanner.index_value(input, 3, &mut structurals, &mut backslashes)?;
        /// assert_eq!(value, Some(IndexedValue { len: 11, newlines: 1 }));
        /// assert_eq!(structurals, [0, 1, 3, 4, 7, 8, 9, 10]);
        /// # Ok::<(), callrecords::Error>(())
        /// ```
        pub fn index_value(
            &mut self,
            input: &[u8],
            piece: usize,
            structurals: &mut Vec<u32>,
            backslashes: &mut Vec<u64>,
        ) -> Result<Option<IndexedValue>, Error> {
            structurals.clear();
            backslashes.clear();
            if !matches!(input.first(), Some(b'{' | b'[')) {
                return Ok(None);
            }
            let mut ahead = AheadIndexer::with(self.indexer.kernel);
            ahead.begin();
            let mut have = 0usize;
            let len = loop {
                have = input.len().min(have.saturating_add(piece.max(1)));
                match ahead.advance(input.get(..have).unwrap_or(input)) {
                    Ahead::Closed(len) => break len,
                    Ahead::Open if have < input.len() => {}
                    Ahead::Open | Ahead::Handoff { .. } => return Ok(None),
                }
            };
            let Some(value) = ahead.indexed(len) else {
                return Ok(None);
            };
            if let Some((kind, at)) = value.error {
                return Err(Error::syntax(kind, input, at));
            }
            structurals.extend_from_slice(&value.window.structurals);
            backslashes.extend_from_slice(&value.window.backslashes);
            Ok(Some(IndexedValue {
                len,
                newlines: value.newlines,
            }))
        }
    }
}
