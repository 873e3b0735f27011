//! The portable backend: 64-bit SWAR (SIMD within a register), eight bytes per step. It is the
//! reference every vector backend is tested against, and the one Miri runs.

use super::kernel::{Block, Masks, NestMasks};
use super::nest::Nest;

/// `0x01` in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;
/// `0x7F` in every byte.
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// The high bit of each zero byte of `x`, exactly (no false positives from borrows: the sum
/// `(x & 0x7F) + 0x7F` never carries out of its byte).
#[inline(always)]
const fn zero_bytes(x: u64) -> u64 {
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// The high bit of each byte of `x` equal to `b`.
#[inline(always)]
const fn eq(x: u64, b: u8) -> u64 {
    zero_bytes(x ^ (ONES * b as u64))
}

/// Gathers the high bit of each byte of `h` (other bits clear) into the low 8 bits, byte 0 first.
#[inline(always)]
const fn gather(h: u64) -> u64 {
    // Bit `8k` of `h >> 7` times 2^(56 - 7k) lands on bit 56 + k; no two products overlap, so
    // nothing carries into the top byte.
    (h >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// The portable backend's [`Block`]. It needs no CPU feature, so it is always available.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scalar;

impl Block for Scalar {
    #[inline(always)]
    unsafe fn classify(block: &[u8; 64]) -> Masks {
        let mut m = Masks {
            quote: 0,
            backslash: 0,
            op: 0,
            ws: 0,
            ctrl: 0,
        };
        for (x, shift) in words(block) {
            let folded = x | (ONES * 0x20);
            let op = eq(x, b',') | eq(x, b':') | eq(folded, b'{') | eq(folded, b'}');
            let ws = eq(x, b' ') | eq(x, b'\t') | eq(x, b'\n') | eq(x, b'\r');
            m.quote |= gather(eq(x, b'"')) << shift;
            m.backslash |= gather(eq(x, b'\\')) << shift;
            m.op |= gather(op) << shift;
            m.ws |= gather(ws) << shift;
            m.ctrl |= gather(zero_bytes(x & (ONES * 0xE0))) << shift;
        }
        m
    }

    #[inline(always)]
    unsafe fn classify_nesting(block: &[u8; 64]) -> NestMasks {
        let mut m = NestMasks {
            quote: 0,
            backslash: 0,
            open: 0,
            close: 0,
            newline: 0,
        };
        for (x, shift) in words(block) {
            let folded = x | (ONES * 0x20);
            m.quote |= gather(eq(x, b'"')) << shift;
            m.backslash |= gather(eq(x, b'\\')) << shift;
            m.open |= gather(eq(folded, b'{')) << shift;
            m.close |= gather(eq(folded, b'}')) << shift;
            m.newline |= gather(eq(x, b'\n')) << shift;
        }
        m
    }
}

/// The block's eight little-endian words, each with the bit position of its first byte.
#[inline(always)]
fn words(block: &[u8; 64]) -> impl Iterator<Item = (u64, u32)> + '_ {
    block
        .chunks_exact(8)
        .zip((0..64).step_by(8))
        .map(|(word, shift)| {
            let mut le = [0u8; 8];
            le.copy_from_slice(word);
            (u64::from_le_bytes(le), shift)
        })
}

/// The nesting scan with the scalar backend; see [`super::nest::find_close`].
pub(crate) fn find_close(bytes: &[u8], st: &mut Nest) -> Option<usize> {
    // SAFETY: `Scalar` uses no CPU feature beyond the baseline of every target.
    unsafe { super::nest::find_close::<Scalar>(bytes, st) }
}

/// Indexes `bytes` with the scalar backend; see [`super::kernel::index_blocks`].
pub(crate) fn index(
    bytes: &[u8],
    base: usize,
    state: &mut super::kernel::State,
    structurals: &mut Vec<u32>,
    backslashes: &mut [u64],
) -> Option<usize> {
    // SAFETY: `Scalar` uses no CPU feature beyond the baseline of every target.
    unsafe { super::kernel::index_blocks::<Scalar>(bytes, base, state, structurals, backslashes) }
}

/// Indexes `bytes` up to the bracket that closes a value, with the scalar backend; see
/// [`super::kernel::index_until_close`].
pub(crate) fn index_until_close(
    bytes: &[u8],
    base: usize,
    run: super::kernel::CloseScan<'_>,
) -> super::kernel::Stop {
    // SAFETY: `Scalar` uses no CPU feature beyond the baseline of every target.
    unsafe { super::kernel::index_until_close::<Scalar>(bytes, base, run) }
}
