//! The aarch64 NEON backend: four 16-byte vectors per block, with a pairwise-add reduction to
//! turn four byte masks into one 64-bit mask.
//!
//! Checked on the x86_64 development machine by cross-compiling for `aarch64-unknown-linux-gnu`
//! and running the shared stage-1 test runner (and the nesting-scan tests) under `qemu-aarch64`,
//! where NEON is detected and compared with the scalar reference byte for byte; it has not run on
//! aarch64 hardware. The prefix XOR is the portable one (a `vmull_p64` version would need the
//! `aes` feature detected too).
// Recent toolchains make NEON intrinsics without pointer arguments safe to call where NEON is
// enabled (it is, on every aarch64 target), so some `unsafe` blocks below may be redundant there.
#![allow(unused_unsafe)] // reason: see above; the blocks are needed on older toolchains

use core::arch::aarch64::{
    uint8x16_t, vaddlvq_u8, vandq_u8, vceqq_u8, vcltq_u8, vdupq_n_u8, vgetq_lane_u64, vld1q_u8,
    vmaxvq_u8, vorrq_u8, vpaddq_u8, vqtbl1q_u8, vreinterpretq_u64_u8, vshrq_n_u8, vsubq_u8,
    vtstq_u8,
};

use super::kernel::{
    self, Block, CloseScan, Masks, NestMasks, State, Stop, Tally, HIGH_NIBBLE, LOW_NIBBLE, OP_BITS,
    WS_BITS,
};
use super::nest::{self, Nest};

/// Proof that the CPU supports NEON: only [`Neon::new`] (which detects it) and
/// [`Neon::new_unchecked`] make one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Neon {
    _proof: (),
}

impl Neon {
    /// `Some` when the CPU supports NEON (every aarch64 CPU does, but ask anyway).
    pub(crate) fn new() -> Option<Self> {
        if !cfg!(miri) && std::arch::is_aarch64_feature_detected!("neon") {
            // SAFETY: NEON was just detected.
            Some(unsafe { Self::new_unchecked() })
        } else {
            None
        }
    }

    /// # Safety
    ///
    /// - The CPU must support NEON.
    pub(crate) unsafe fn new_unchecked() -> Self {
        Neon { _proof: () }
    }

    /// See [`nest::find_close`].
    pub(crate) fn find_close(self, bytes: &[u8], st: &mut Nest) -> Option<usize> {
        // SAFETY: `self` exists only when NEON is supported (see `new`).
        unsafe { find_close(bytes, st) }
    }

    /// See [`kernel::index_blocks`].
    pub(crate) fn index(
        self,
        bytes: &[u8],
        base: usize,
        state: &mut State,
        structurals: &mut Vec<u32>,
        backslashes: &mut [u64],
    ) -> Option<usize> {
        // SAFETY: `self` exists only when NEON is supported (see `new`).
        unsafe { index(bytes, base, state, structurals, backslashes) }
    }

    /// See [`kernel::index_until_close`].
    pub(crate) fn index_until_close(self, bytes: &[u8], base: usize, run: CloseScan<'_>) -> Stop {
        // SAFETY: `self` exists only when NEON is supported (see `new`).
        unsafe { index_until_close(bytes, base, run) }
    }
}

/// # Safety
///
/// - The CPU must support NEON.
#[target_feature(enable = "neon")]
unsafe fn index(
    bytes: &[u8],
    base: usize,
    state: &mut State,
    structurals: &mut Vec<u32>,
    backslashes: &mut [u64],
) -> Option<usize> {
    // SAFETY: the caller guarantees NEON, `Block16`'s instruction set.
    unsafe { kernel::index_blocks::<Block16>(bytes, base, state, structurals, backslashes) }
}

/// Bit weights: lane `j` of each half gets `1 << j`.
const WEIGHTS: [u8; 16] = [1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128];

/// Packs four byte masks (each lane 0x00 or 0xFF), 64 lanes in order, into a 64-bit mask.
///
/// # Safety
///
/// - The CPU must support NEON.
#[inline(always)]
unsafe fn to_bits(m: [uint8x16_t; 4]) -> u64 {
    // SAFETY: the caller guarantees NEON; the load reads the 16 bytes of `WEIGHTS`.
    unsafe {
        let w = vld1q_u8(WEIGHTS.as_ptr());
        // Each pairwise add halves the lanes while keeping their order: after three rounds each
        // byte holds the weighted sum of eight consecutive lanes, that is, eight mask bits.
        let s0 = vpaddq_u8(vandq_u8(m[0], w), vandq_u8(m[1], w));
        let s1 = vpaddq_u8(vandq_u8(m[2], w), vandq_u8(m[3], w));
        let s = vpaddq_u8(s0, s1);
        let s = vpaddq_u8(s, s);
        vgetq_lane_u64::<0>(vreinterpretq_u64_u8(s))
    }
}

/// # Safety
///
/// - The CPU must support NEON.
#[target_feature(enable = "neon")]
unsafe fn index_until_close(bytes: &[u8], base: usize, run: CloseScan<'_>) -> Stop {
    // SAFETY: the caller guarantees `Block16`'s instruction set.
    unsafe { kernel::index_until_close::<Block16>(bytes, base, run) }
}

/// - The CPU must support NEON.
#[target_feature(enable = "neon")]
unsafe fn find_close(bytes: &[u8], st: &mut Nest) -> Option<usize> {
    // SAFETY: the caller guarantees `Block16`'s instruction set.
    unsafe { nest::find_close::<Block16>(bytes, st) }
}

/// The NEON [`Block`].
#[derive(Debug, Clone, Copy)]
struct Block16;

impl Block for Block16 {
    #[inline(always)]
    unsafe fn classify(block: &[u8; 64]) -> Masks {
        // SAFETY: the caller guarantees NEON. Every load reads 16 bytes inside a 16-byte table or
        // inside `block` (offsets 0, 16, 32, 48 of 64); `vld1q_u8` needs no alignment.
        unsafe {
            let low_table = vld1q_u8(LOW_NIBBLE.as_ptr());
            let high_table = vld1q_u8(HIGH_NIBBLE.as_ptr());
            let nibble = vdupq_n_u8(0x0F);
            let op_bits = vdupq_n_u8(OP_BITS);
            let ws_bits = vdupq_n_u8(WS_BITS);
            let quote_byte = vdupq_n_u8(b'"');
            let backslash_byte = vdupq_n_u8(b'\\');
            let space = vdupq_n_u8(0x20);
            let zero = vdupq_n_u8(0);
            let mut quote = [zero; 4];
            let mut backslash = [zero; 4];
            let mut op = [zero; 4];
            let mut ws = [zero; 4];
            let mut ctrl = [zero; 4];
            for i in 0..4 {
                let v = vld1q_u8(block.as_ptr().add(16 * i));
                let class = vandq_u8(
                    vqtbl1q_u8(low_table, vandq_u8(v, nibble)),
                    vqtbl1q_u8(high_table, vshrq_n_u8::<4>(v)),
                );
                op[i] = vtstq_u8(class, op_bits);
                ws[i] = vtstq_u8(class, ws_bits);
                quote[i] = vceqq_u8(v, quote_byte);
                backslash[i] = vceqq_u8(v, backslash_byte);
                ctrl[i] = vcltq_u8(v, space);
            }
            Masks {
                quote: to_bits(quote),
                backslash: to_bits(backslash),
                op: to_bits(op),
                ws: to_bits(ws),
                ctrl: to_bits(ctrl),
            }
        }
    }

    #[inline(always)]
    unsafe fn classify_nesting(block: &[u8; 64]) -> NestMasks {
        // SAFETY: the caller guarantees NEON. Every load reads 16 bytes inside `block` (offsets
        // 0, 16, 32, 48 of 64); `vld1q_u8` needs no alignment.
        unsafe {
            let quote_byte = vdupq_n_u8(b'"');
            let backslash_byte = vdupq_n_u8(b'\\');
            let (open_byte, close_byte) = (vdupq_n_u8(b'{'), vdupq_n_u8(b'}'));
            let fold = vdupq_n_u8(0x20);
            let newline_byte = vdupq_n_u8(b'\n');
            let zero = vdupq_n_u8(0);
            let (mut quote, mut backslash) = ([zero; 4], [zero; 4]);
            let (mut open, mut close, mut newline) = ([zero; 4], [zero; 4], [zero; 4]);
            for i in 0..4 {
                let v = vld1q_u8(block.as_ptr().add(16 * i));
                let folded = vorrq_u8(v, fold);
                quote[i] = vceqq_u8(v, quote_byte);
                backslash[i] = vceqq_u8(v, backslash_byte);
                open[i] = vceqq_u8(folded, open_byte);
                close[i] = vceqq_u8(folded, close_byte);
                newline[i] = vceqq_u8(v, newline_byte);
            }
            NestMasks {
                quote: to_bits(quote),
                backslash: to_bits(backslash),
                open: to_bits(open),
                close: to_bits(close),
                newline: to_bits(newline),
            }
        }
    }

    #[inline(always)]
    unsafe fn tally_run(run: &[u8]) -> Tally {
        // SAFETY: the caller guarantees NEON. Every load reads 16 bytes of a 16-byte chunk of
        // `run`; `vld1q_u8` needs no alignment.
        unsafe {
            let newline = vdupq_n_u8(b'\n');
            // A match compares as 0xFF, so subtracting it adds one to its byte lane: at most
            // `TALLY_RUN / 16` (64) per lane, and at most 1024 over the 16 lanes, so the
            // widening sum fits its 16 bits.
            let mut lanes = vdupq_n_u8(0);
            // Every byte ORed in: a byte lane's top bit ends set if some byte's was.
            let mut high = vdupq_n_u8(0);
            let mut vectors = run.chunks_exact(16);
            for vector in vectors.by_ref() {
                let v = vld1q_u8(vector.as_ptr());
                lanes = vsubq_u8(lanes, vceqq_u8(v, newline));
                high = vorrq_u8(high, v);
            }
            Tally {
                newlines: u64::from(vaddlvq_u8(lanes)),
                non_ascii: vmaxvq_u8(high) >= 0x80,
            }
            .and(kernel::tally_scalar(vectors.remainder()))
        }
    }
}
