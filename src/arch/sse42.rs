//! The x86_64 SSE4.2 backend: four 16-byte vectors per block. (It uses SSSE3's byte shuffle and
//! SSE4.1's unsigned minimum, both implied by SSE4.2; it does not need PCLMULQDQ, so the prefix
//! XOR is the portable one.)

use core::arch::x86_64::{
    __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cvtsi128_si64, _mm_extract_epi64,
    _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_sad_epu8, _mm_set1_epi8,
    _mm_setzero_si128, _mm_shuffle_epi8, _mm_slli_epi16, _mm_srli_epi16, _mm_sub_epi8,
};

use super::kernel::{
    self, Block, Brackets, CloseScan, Masks, NestMasks, State, Stop, Tally, HIGH_NIBBLE,
    LOW_NIBBLE, OPEN_SHIFT, OP_BITS, WS_BITS,
};
use super::nest::{self, Nest};

/// Proof that the CPU supports SSE4.2 and POPCNT: only [`Sse42::new`] (which detects them) and
/// [`Sse42::new_unchecked`] make one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sse42 {
    _proof: (),
}

impl Sse42 {
    /// `Some` when the CPU supports SSE4.2 and POPCNT.
    pub(crate) fn new() -> Option<Self> {
        if !cfg!(miri)
            && std::is_x86_feature_detected!("sse4.2")
            && std::is_x86_feature_detected!("popcnt")
        {
            // SAFETY: SSE4.2 and POPCNT were just detected.
            Some(unsafe { Self::new_unchecked() })
        } else {
            None
        }
    }

    /// # Safety
    ///
    /// - The CPU must support SSE4.2 and POPCNT.
    pub(crate) unsafe fn new_unchecked() -> Self {
        Sse42 { _proof: () }
    }

    /// See [`nest::find_close`].
    pub(crate) fn find_close(self, bytes: &[u8], st: &mut Nest) -> Option<usize> {
        // SAFETY: `self` exists only when SSE4.2 and POPCNT are supported (see `new`).
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
        // SAFETY: `self` exists only when SSE4.2 and POPCNT are supported (see `new`).
        unsafe { index(bytes, base, state, structurals, backslashes) }
    }

    /// See [`kernel::index_until_close`].
    pub(crate) fn index_until_close(self, bytes: &[u8], base: usize, run: CloseScan<'_>) -> Stop {
        // SAFETY: `self` exists only when SSE4.2 and POPCNT are supported (see `new`).
        unsafe { index_until_close(bytes, base, run) }
    }
}

/// # Safety
///
/// - The CPU must support SSE4.2 and POPCNT.
#[target_feature(enable = "sse4.2,popcnt")]
unsafe fn index(
    bytes: &[u8],
    base: usize,
    state: &mut State,
    structurals: &mut Vec<u32>,
    backslashes: &mut [u64],
) -> Option<usize> {
    // SAFETY: the caller guarantees SSE4.2, which is `Block16`'s instruction set.
    unsafe { kernel::index_blocks::<Block16>(bytes, base, state, structurals, backslashes) }
}

/// # Safety
///
/// - The CPU must support SSE4.2 and POPCNT.
#[target_feature(enable = "sse4.2,popcnt")]
unsafe fn index_until_close(bytes: &[u8], base: usize, run: CloseScan<'_>) -> Stop {
    // SAFETY: the caller guarantees `Block16`'s instruction set.
    unsafe { kernel::index_until_close::<Block16>(bytes, base, run) }
}

/// - The CPU must support SSE4.2 and POPCNT.
#[target_feature(enable = "sse4.2,popcnt")]
unsafe fn find_close(bytes: &[u8], st: &mut Nest) -> Option<usize> {
    // SAFETY: the caller guarantees `Block16`'s instruction set.
    unsafe { nest::find_close::<Block16>(bytes, st) }
}

/// The SSE4.2 [`Block`].
#[derive(Debug, Clone, Copy)]
struct Block16;

/// The 16 lane bits of a byte mask vector.
#[inline(always)]
unsafe fn bits(v: __m128i) -> u64 {
    // SAFETY: SSE2 is part of the x86_64 baseline.
    u64::from(unsafe { _mm_movemask_epi8(v) } as u32 as u16)
}

impl Block for Block16 {
    #[inline(always)]
    unsafe fn classify(block: &[u8; 64]) -> Masks {
        // SAFETY: the caller guarantees SSE4.2. The bracket masks are dropped, and so is their
        // computation, once inlined.
        unsafe { Self::classify_brackets(block) }.0
    }

    #[inline(always)]
    unsafe fn classify_brackets(block: &[u8; 64]) -> (Masks, Brackets) {
        // SAFETY: the caller guarantees SSE4.2 (with SSSE3 and SSE4.1, which it implies). Every
        // load reads 16 bytes inside a 16-byte table or inside `block` (offsets 0, 16, 32, 48 of
        // 64 bytes); unaligned loads have no alignment requirement.
        unsafe {
            let low_table = _mm_loadu_si128(LOW_NIBBLE.as_ptr().cast());
            let high_table = _mm_loadu_si128(HIGH_NIBBLE.as_ptr().cast());
            let nibble = _mm_set1_epi8(0x0F);
            let op_bits = _mm_set1_epi8(OP_BITS as i8);
            let ws_bits = _mm_set1_epi8(WS_BITS as i8);
            let quote = _mm_set1_epi8(b'"' as i8);
            let backslash = _mm_set1_epi8(b'\\' as i8);
            let below_space = _mm_set1_epi8(0x1F);
            let zero = _mm_setzero_si128();
            let mut m = Masks {
                quote: 0,
                backslash: 0,
                op: 0,
                ws: 0,
                ctrl: 0,
            };
            let mut brackets = Brackets { open: 0, close: 0 };
            for i in 0..4 {
                let v = _mm_loadu_si128(block.as_ptr().add(16 * i).cast());
                let low = _mm_and_si128(v, nibble);
                let high = _mm_and_si128(_mm_srli_epi16::<4>(v), nibble);
                let class = _mm_and_si128(
                    _mm_shuffle_epi8(low_table, low),
                    _mm_shuffle_epi8(high_table, high),
                );
                // The operator and whitespace bits are below 0x80, so once the others are cleared a
                // signed "greater than zero" is "non-zero".
                let op = _mm_cmpgt_epi8(_mm_and_si128(class, op_bits), zero);
                let ws = _mm_cmpgt_epi8(_mm_and_si128(class, ws_bits), zero);
                let ctrl = _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v);
                let shift = 16 * i;
                m.quote |= bits(_mm_cmpeq_epi8(v, quote)) << shift;
                m.backslash |= bits(_mm_cmpeq_epi8(v, backslash)) << shift;
                m.op |= bits(op) << shift;
                m.ws |= bits(ws) << shift;
                m.ctrl |= bits(ctrl) << shift;
                // See the AVX2 backend: the close bit is bit 7, and a shift brings the open bit
                // there.
                brackets.open |= bits(_mm_slli_epi16::<OPEN_SHIFT>(class)) << shift;
                brackets.close |= bits(class) << shift;
            }
            (m, brackets)
        }
    }

    #[inline(always)]
    unsafe fn classify_nesting(block: &[u8; 64]) -> NestMasks {
        // SAFETY: the caller guarantees SSE4.2 (these are SSE2 instructions, which it implies).
        // Every load reads 16 bytes inside `block` (offsets 0, 16, 32, 48 of 64), unaligned.
        unsafe {
            let (quote, backslash) = (_mm_set1_epi8(b'"' as i8), _mm_set1_epi8(b'\\' as i8));
            let (open, close) = (_mm_set1_epi8(b'{' as i8), _mm_set1_epi8(b'}' as i8));
            let (fold, newline) = (_mm_set1_epi8(0x20), _mm_set1_epi8(b'\n' as i8));
            let mut m = NestMasks {
                quote: 0,
                backslash: 0,
                open: 0,
                close: 0,
                newline: 0,
            };
            for i in 0..4 {
                let v = _mm_loadu_si128(block.as_ptr().add(16 * i).cast());
                let folded = _mm_or_si128(v, fold);
                let shift = 16 * i;
                m.quote |= bits(_mm_cmpeq_epi8(v, quote)) << shift;
                m.backslash |= bits(_mm_cmpeq_epi8(v, backslash)) << shift;
                m.open |= bits(_mm_cmpeq_epi8(folded, open)) << shift;
                m.close |= bits(_mm_cmpeq_epi8(folded, close)) << shift;
                m.newline |= bits(_mm_cmpeq_epi8(v, newline)) << shift;
            }
            m
        }
    }

    #[inline(always)]
    unsafe fn tally_run(run: &[u8]) -> Tally {
        // SAFETY: the caller guarantees SSE4.2 (`_mm_extract_epi64` is SSE4.1, which it implies;
        // the rest is SSE2). Every load reads 16 bytes of a 16-byte chunk of `run`, unaligned.
        unsafe {
            let newline = _mm_set1_epi8(b'\n' as i8);
            let zero = _mm_setzero_si128();
            // A match compares as -1, so subtracting it adds one to its byte lane: at most
            // `TALLY_RUN / 16` (64) per lane, summed into two 64-bit lanes at the end.
            let mut lanes = zero;
            // Every byte ORed in: a byte lane's top bit ends set if some byte's was.
            let mut high = zero;
            let mut vectors = run.chunks_exact(16);
            for vector in vectors.by_ref() {
                let v = _mm_loadu_si128(vector.as_ptr().cast());
                lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(v, newline));
                high = _mm_or_si128(high, v);
            }
            let sums = _mm_sad_epu8(lanes, zero);
            let total = _mm_cvtsi128_si64(sums) as u64 + _mm_extract_epi64::<1>(sums) as u64;
            Tally {
                newlines: total,
                non_ascii: _mm_movemask_epi8(high) != 0,
            }
            .and(kernel::tally_scalar(vectors.remainder()))
        }
    }
}
