//! The x86_64 AVX2 backend: two 32-byte vectors per block, prefix XOR by carry-less multiply.

use core::arch::x86_64::{
    __m256i, _mm256_and_si256, _mm256_broadcastsi128_si256, _mm256_castsi256_si128,
    _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_extracti128_si256, _mm256_loadu_si256,
    _mm256_min_epu8, _mm256_movemask_epi8, _mm256_or_si256, _mm256_sad_epu8, _mm256_set1_epi8,
    _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_slli_epi16, _mm256_srli_epi16,
    _mm256_sub_epi8, _mm_add_epi64, _mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_extract_epi64,
    _mm_loadu_si128, _mm_set1_epi8, _mm_set_epi64x,
};

use super::kernel::{
    self, Block, Brackets, CloseScan, Masks, NestMasks, State, Stop, Tally, HIGH_NIBBLE,
    LOW_NIBBLE, OPEN_SHIFT, OP_BITS, WS_BITS,
};
use super::nest::{self, Nest};

/// Proof that the CPU supports AVX2, PCLMULQDQ, POPCNT, BMI1 and LZCNT: only [`Avx2::new`] (which
/// detects them) and [`Avx2::new_unchecked`] make one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx2 {
    _proof: (),
}

impl Avx2 {
    /// `Some` when the CPU supports AVX2, PCLMULQDQ, POPCNT, BMI1 and LZCNT.
    pub(crate) fn new() -> Option<Self> {
        if !cfg!(miri)
            && std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("pclmulqdq")
            && std::is_x86_feature_detected!("popcnt")
            && std::is_x86_feature_detected!("bmi1")
            && std::is_x86_feature_detected!("lzcnt")
        {
            // SAFETY: AVX2, PCLMULQDQ, POPCNT, BMI1 and LZCNT were just detected.
            Some(unsafe { Self::new_unchecked() })
        } else {
            None
        }
    }

    /// # Safety
    ///
    /// - The CPU must support AVX2.
    /// - The CPU must support PCLMULQDQ, POPCNT, BMI1 and LZCNT.
    pub(crate) unsafe fn new_unchecked() -> Self {
        Avx2 { _proof: () }
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
/// - The CPU must support AVX2.
/// - The CPU must support PCLMULQDQ, POPCNT, BMI1 and LZCNT.
#[target_feature(enable = "avx2,bmi1,lzcnt,pclmulqdq,popcnt")]
unsafe fn index(
    bytes: &[u8],
    base: usize,
    state: &mut State,
    structurals: &mut Vec<u32>,
    backslashes: &mut [u64],
) -> Option<usize> {
    // SAFETY: the caller guarantees `Block32`'s instruction set (and the bit instructions).
    unsafe { kernel::index_blocks::<Block32>(bytes, base, state, structurals, backslashes) }
}

/// # Safety
///
/// - The CPU must support AVX2.
/// - The CPU must support PCLMULQDQ, POPCNT, BMI1 and LZCNT.
#[target_feature(enable = "avx2,bmi1,lzcnt,pclmulqdq,popcnt")]
unsafe fn index_until_close(bytes: &[u8], base: usize, run: CloseScan<'_>) -> Stop {
    // SAFETY: the caller guarantees `Block32`'s instruction set.
    unsafe { kernel::index_until_close::<Block32>(bytes, base, run) }
}

/// - The CPU must support AVX2.
/// - The CPU must support PCLMULQDQ, POPCNT, BMI1 and LZCNT.
#[target_feature(enable = "avx2,bmi1,lzcnt,pclmulqdq,popcnt")]
unsafe fn find_close(bytes: &[u8], st: &mut Nest) -> Option<usize> {
    // SAFETY: the caller guarantees `Block32`'s instruction set.
    unsafe { nest::find_close::<Block32>(bytes, st) }
}

/// The AVX2 [`Block`].
#[derive(Debug, Clone, Copy)]
struct Block32;

/// The 32 lane bits of a byte mask vector.
#[inline(always)]
unsafe fn bits(v: __m256i) -> u64 {
    // SAFETY: the caller guarantees AVX2.
    u64::from(unsafe { _mm256_movemask_epi8(v) } as u32)
}

/// Carry-less multiply by all ones: the prefix XOR.
///
/// # Safety
///
/// - The CPU must support PCLMULQDQ (and SSE2, part of the x86_64 baseline).
#[inline(always)]
pub(crate) unsafe fn clmul_prefix_xor(x: u64) -> u64 {
    // SAFETY: the caller guarantees PCLMULQDQ; the rest is SSE2.
    unsafe {
        let product = _mm_clmulepi64_si128::<0>(_mm_set_epi64x(0, x as i64), _mm_set1_epi8(-1));
        _mm_cvtsi128_si64(product) as u64
    }
}

impl Block for Block32 {
    #[inline(always)]
    unsafe fn classify(block: &[u8; 64]) -> Masks {
        // SAFETY: the caller guarantees AVX2. The bracket masks are dropped, and so is their
        // computation, once inlined.
        unsafe { Self::classify_brackets(block) }.0
    }

    #[inline(always)]
    unsafe fn classify_brackets(block: &[u8; 64]) -> (Masks, Brackets) {
        // SAFETY: the caller guarantees AVX2. Every load reads inside a 16-byte table or inside
        // `block` (32 bytes at offsets 0 and 32 of 64); unaligned loads need no alignment.
        unsafe {
            // `vpshufb` looks up within each 128-bit lane, so both lanes get the table.
            let low_table =
                _mm256_broadcastsi128_si256(_mm_loadu_si128(LOW_NIBBLE.as_ptr().cast()));
            let high_table =
                _mm256_broadcastsi128_si256(_mm_loadu_si128(HIGH_NIBBLE.as_ptr().cast()));
            let nibble = _mm256_set1_epi8(0x0F);
            let op_bits = _mm256_set1_epi8(OP_BITS as i8);
            let ws_bits = _mm256_set1_epi8(WS_BITS as i8);
            let quote = _mm256_set1_epi8(b'"' as i8);
            let backslash = _mm256_set1_epi8(b'\\' as i8);
            let below_space = _mm256_set1_epi8(0x1F);
            let zero = _mm256_setzero_si256();
            let mut m = Masks {
                quote: 0,
                backslash: 0,
                op: 0,
                ws: 0,
                ctrl: 0,
            };
            let mut brackets = Brackets { open: 0, close: 0 };
            for i in 0..2 {
                let v = _mm256_loadu_si256(block.as_ptr().add(32 * i).cast());
                let low = _mm256_and_si256(v, nibble);
                let high = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
                let class = _mm256_and_si256(
                    _mm256_shuffle_epi8(low_table, low),
                    _mm256_shuffle_epi8(high_table, high),
                );
                // The operator and whitespace bits are below 0x80, so once the others are cleared a
                // signed "greater than zero" is "non-zero".
                let op = _mm256_cmpgt_epi8(_mm256_and_si256(class, op_bits), zero);
                let ws = _mm256_cmpgt_epi8(_mm256_and_si256(class, ws_bits), zero);
                let ctrl = _mm256_cmpeq_epi8(_mm256_min_epu8(v, below_space), v);
                let shift = 32 * i;
                m.quote |= bits(_mm256_cmpeq_epi8(v, quote)) << shift;
                m.backslash |= bits(_mm256_cmpeq_epi8(v, backslash)) << shift;
                m.op |= bits(op) << shift;
                m.ws |= bits(ws) << shift;
                m.ctrl |= bits(ctrl) << shift;
                // The mask extraction reads bit 7 of each byte, the close bit. Shifting the
                // 16-bit lanes left moves the open bit there; what crosses from a low byte into
                // a high byte lands below its bit 7.
                brackets.open |= bits(_mm256_slli_epi16::<OPEN_SHIFT>(class)) << shift;
                brackets.close |= bits(class) << shift;
            }
            (m, brackets)
        }
    }

    #[inline(always)]
    unsafe fn tally_run(run: &[u8]) -> Tally {
        // SAFETY: the caller guarantees AVX2. Every load reads 32 bytes of a 32-byte chunk of
        // `run`, unaligned.
        unsafe {
            let newline = _mm256_set1_epi8(b'\n' as i8);
            let zero = _mm256_setzero_si256();
            // A match compares as -1, so subtracting it adds one to its byte lane: at most
            // `TALLY_RUN / 32` (32) per lane, summed into four 64-bit lanes at the end.
            let mut lanes = zero;
            // Every byte ORed in: a byte lane's top bit ends set if some byte's was.
            let mut high = zero;
            let mut vectors = run.chunks_exact(32);
            for vector in vectors.by_ref() {
                let v = _mm256_loadu_si256(vector.as_ptr().cast());
                lanes = _mm256_sub_epi8(lanes, _mm256_cmpeq_epi8(v, newline));
                high = _mm256_or_si256(high, v);
            }
            let sums = _mm256_sad_epu8(lanes, zero);
            let sums = _mm_add_epi64(
                _mm256_castsi256_si128(sums),
                _mm256_extracti128_si256::<1>(sums),
            );
            let total = _mm_cvtsi128_si64(sums) as u64 + _mm_extract_epi64::<1>(sums) as u64;
            Tally {
                newlines: total,
                non_ascii: _mm256_movemask_epi8(high) != 0,
            }
            .and(kernel::tally_scalar(vectors.remainder()))
        }
    }

    #[inline(always)]
    unsafe fn prefix_xor(x: u64) -> u64 {
        // SAFETY: the caller guarantees `Block32`'s instruction set, which includes PCLMULQDQ.
        unsafe { clmul_prefix_xor(x) }
    }

    #[inline(always)]
    unsafe fn classify_nesting(block: &[u8; 64]) -> NestMasks {
        // SAFETY: the caller guarantees AVX2. Every load reads 32 bytes inside `block` (offsets 0
        // and 32 of 64), unaligned.
        unsafe {
            let quote = _mm256_set1_epi8(b'"' as i8);
            let backslash = _mm256_set1_epi8(b'\\' as i8);
            let (open, close) = (_mm256_set1_epi8(b'{' as i8), _mm256_set1_epi8(b'}' as i8));
            let (fold, newline) = (_mm256_set1_epi8(0x20), _mm256_set1_epi8(b'\n' as i8));
            let mut m = NestMasks {
                quote: 0,
                backslash: 0,
                open: 0,
                close: 0,
                newline: 0,
            };
            for i in 0..2 {
                let v = _mm256_loadu_si256(block.as_ptr().add(32 * i).cast());
                let folded = _mm256_or_si256(v, fold);
                let shift = 32 * i;
                m.quote |= bits(_mm256_cmpeq_epi8(v, quote)) << shift;
                m.backslash |= bits(_mm256_cmpeq_epi8(v, backslash)) << shift;
                m.open |= bits(_mm256_cmpeq_epi8(folded, open)) << shift;
                m.close |= bits(_mm256_cmpeq_epi8(folded, close)) << shift;
                m.newline |= bits(_mm256_cmpeq_epi8(v, newline)) << shift;
            }
            m
        }
    }
}
