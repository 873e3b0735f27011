//! The x86_64 AVX-512 (F+BW) backend: one 64-byte vector per block, compares straight into 64-bit
//! mask registers, prefix XOR by carry-less multiply.
//!
//! Not run on the development machine (it has no AVX-512): it is compiled and clippy-checked
//! there, and the dispatcher picks it only when the CPU reports AVX-512 F and BW.
//!
//! The AVX-512 intrinsics and target features were stabilised in Rust 1.89, above the crate's
//! declared MSRV (1.85): building this module needs 1.89, so the MSRV must be raised to 1.89.
#![allow(clippy::incompatible_msrv)] // reason: AVX-512 needs Rust 1.89; see the module docs

use core::arch::x86_64::{
    _mm512_and_si512, _mm512_broadcast_i32x4, _mm512_cmpeq_epi8_mask, _mm512_cmple_epu8_mask,
    _mm512_loadu_si512, _mm512_or_si512, _mm512_set1_epi8, _mm512_shuffle_epi8, _mm512_srli_epi16,
    _mm512_test_epi8_mask, _mm_loadu_si128,
};

use super::kernel::{
    self, Block, Brackets, CloseScan, Masks, NestMasks, State, Stop, CLOSE_BIT, HIGH_NIBBLE,
    LOW_NIBBLE, OPEN_BIT, OP_BITS, WS_BITS,
};
use super::nest::{self, Nest};

/// Proof that the CPU supports AVX-512 F and BW, PCLMULQDQ, POPCNT, BMI1 and LZCNT: only
/// [`Avx512::new`] (which detects them) and [`Avx512::new_unchecked`] make one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx512 {
    _proof: (),
}

impl Avx512 {
    /// `Some` when the CPU supports AVX-512 F and BW, PCLMULQDQ, POPCNT, BMI1 and LZCNT.
    pub(crate) fn new() -> Option<Self> {
        if !cfg!(miri)
            && std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("pclmulqdq")
            && std::is_x86_feature_detected!("popcnt")
            && std::is_x86_feature_detected!("bmi1")
            && std::is_x86_feature_detected!("lzcnt")
        {
            // SAFETY: AVX-512 F, BW, PCLMULQDQ, POPCNT, BMI1 and LZCNT were just detected.
            Some(unsafe { Self::new_unchecked() })
        } else {
            None
        }
    }

    /// # Safety
    ///
    /// - The CPU must support AVX-512 F.
    /// - The CPU must support AVX-512 BW.
    /// - The CPU must support PCLMULQDQ, POPCNT, BMI1 and LZCNT.
    pub(crate) unsafe fn new_unchecked() -> Self {
        Avx512 { _proof: () }
    }

    /// See [`nest::find_close`].
    pub(crate) fn find_close(self, bytes: &[u8], st: &mut Nest) -> Option<usize> {
        // SAFETY: `self` exists only when the CPU supports this backend's features (see `new`).
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
        // SAFETY: `self` exists only when the CPU supports this backend's features (see `new`).
        unsafe { index(bytes, base, state, structurals, backslashes) }
    }

    /// See [`kernel::index_until_close`].
    pub(crate) fn index_until_close(self, bytes: &[u8], base: usize, run: CloseScan<'_>) -> Stop {
        // SAFETY: `self` exists only when the CPU supports this backend's features (see `new`).
        unsafe { index_until_close(bytes, base, run) }
    }
}

/// # Safety
///
/// - The CPU must support AVX-512 F.
/// - The CPU must support AVX-512 BW.
/// - The CPU must support PCLMULQDQ, POPCNT, BMI1 and LZCNT.
#[target_feature(enable = "avx512f,avx512bw,bmi1,lzcnt,pclmulqdq,popcnt")]
unsafe fn index(
    bytes: &[u8],
    base: usize,
    state: &mut State,
    structurals: &mut Vec<u32>,
    backslashes: &mut [u64],
) -> Option<usize> {
    // SAFETY: the caller guarantees `Block64`'s instruction set (and the bit instructions).
    unsafe { kernel::index_blocks::<Block64>(bytes, base, state, structurals, backslashes) }
}

/// # Safety
///
/// - The CPU must support AVX-512 F.
/// - The CPU must support AVX-512 BW.
/// - The CPU must support PCLMULQDQ, POPCNT, BMI1 and LZCNT.
#[target_feature(enable = "avx512f,avx512bw,bmi1,lzcnt,pclmulqdq,popcnt")]
unsafe fn index_until_close(bytes: &[u8], base: usize, run: CloseScan<'_>) -> Stop {
    // SAFETY: the caller guarantees `Block64`'s instruction set.
    unsafe { kernel::index_until_close::<Block64>(bytes, base, run) }
}

/// - The CPU must support AVX-512 F.
/// - The CPU must support AVX-512 BW.
/// - The CPU must support PCLMULQDQ, POPCNT, BMI1 and LZCNT.
#[target_feature(enable = "avx512f,avx512bw,bmi1,lzcnt,pclmulqdq,popcnt")]
unsafe fn find_close(bytes: &[u8], st: &mut Nest) -> Option<usize> {
    // SAFETY: the caller guarantees `Block64`'s instruction set.
    unsafe { nest::find_close::<Block64>(bytes, st) }
}

/// The AVX-512 [`Block`].
#[derive(Debug, Clone, Copy)]
struct Block64;

impl Block for Block64 {
    #[inline(always)]
    unsafe fn classify(block: &[u8; 64]) -> Masks {
        // SAFETY: the caller guarantees AVX-512 F+BW. The bracket masks are dropped, and so is
        // their computation, once inlined.
        unsafe { Self::classify_brackets(block) }.0
    }

    #[inline(always)]
    unsafe fn classify_brackets(block: &[u8; 64]) -> (Masks, Brackets) {
        // SAFETY: the caller guarantees AVX-512 F+BW. The loads read a 16-byte table or the 64
        // bytes of `block`; unaligned loads need no alignment.
        unsafe {
            let v = _mm512_loadu_si512(block.as_ptr().cast());
            // `vpshufb` looks up within each 128-bit lane, so every lane gets the table.
            let low_table = _mm512_broadcast_i32x4(_mm_loadu_si128(LOW_NIBBLE.as_ptr().cast()));
            let high_table = _mm512_broadcast_i32x4(_mm_loadu_si128(HIGH_NIBBLE.as_ptr().cast()));
            let nibble = _mm512_set1_epi8(0x0F);
            let low = _mm512_and_si512(v, nibble);
            let high = _mm512_and_si512(_mm512_srli_epi16::<4>(v), nibble);
            let class = _mm512_and_si512(
                _mm512_shuffle_epi8(low_table, low),
                _mm512_shuffle_epi8(high_table, high),
            );
            let masks = Masks {
                quote: _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'"' as i8)),
                backslash: _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\\' as i8)),
                op: _mm512_test_epi8_mask(class, _mm512_set1_epi8(OP_BITS as i8)),
                ws: _mm512_test_epi8_mask(class, _mm512_set1_epi8(WS_BITS as i8)),
                ctrl: _mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x1F)),
            };
            let brackets = Brackets {
                open: _mm512_test_epi8_mask(class, _mm512_set1_epi8(OPEN_BIT as i8)),
                close: _mm512_test_epi8_mask(class, _mm512_set1_epi8(CLOSE_BIT as i8)),
            };
            (masks, brackets)
        }
    }

    #[inline(always)]
    unsafe fn prefix_xor(x: u64) -> u64 {
        // SAFETY: the caller guarantees `Block64`'s instruction set, which includes PCLMULQDQ.
        unsafe { super::avx2::clmul_prefix_xor(x) }
    }

    #[inline(always)]
    unsafe fn classify_nesting(block: &[u8; 64]) -> NestMasks {
        // SAFETY: the caller guarantees AVX-512 F+BW. The load reads the 64 bytes of `block`,
        // unaligned.
        unsafe {
            let v = _mm512_loadu_si512(block.as_ptr().cast());
            let folded = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
            NestMasks {
                quote: _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'"' as i8)),
                backslash: _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\\' as i8)),
                open: _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8(b'{' as i8)),
                close: _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8(b'}' as i8)),
                newline: _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\n' as i8)),
            }
        }
    }
}
