//! The splitter's inner loop: find the bracket that closes a container, across chunk boundaries.
//!
//! This runs over every byte of every session before the tokenizer sees it, so it is written for
//! speed: 64-byte blocks are classified into four bitmasks (quotes, backslashes, opening and
//! closing brackets), the in-string mask is a prefix XOR of the real quotes, and the depth is
//! updated with popcounts; the bits are walked one by one only in a block where the depth may reach
//! zero. The block kernels are AVX2 (runtime-detected), SSE2 (the x86_64 baseline) and portable
//! scalar code, which is also the reference the SIMD kernels are tested against.
//!
//! The definitions are those of stage 1 (see `crate::arch`): a quote is *real* when an even number
//! of backslashes precedes it, real quotes toggle the in-string state, and a bracket counts when it
//! is outside a string. Every kernel and the byte-at-a-time tail agree on them for any input,
//! valid JSON or not, so the split never depends on where the chunk boundaries fall.

use std::sync::OnceLock;

/// Scan state carried across chunk boundaries inside a container value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Nest {
    /// Open brackets not yet closed (at least 1 while scanning).
    pub(crate) depth: u64,
    /// Inside a string.
    pub(crate) in_string: bool,
    /// The previous byte was a backslash that is not itself escaped.
    pub(crate) escaped: bool,
}

/// The block kernel in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// Portable byte loop.
    Scalar,
    /// x86_64 SSE2 (always available on x86_64).
    #[cfg(target_arch = "x86_64")]
    Sse2,
    /// x86_64 AVX2 with PCLMULQDQ, when the CPU has them.
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

/// The kernel for this CPU, chosen once. `CALLRECORDS_BACKEND=scalar` (or `sse4.2`) forces a
/// weaker one, as for stage 1, so that CI exercises every kernel.
pub(crate) fn kernel() -> Kernel {
    static CHOSEN: OnceLock<Kernel> = OnceLock::new();
    *CHOSEN.get_or_init(|| {
        let forced = std::env::var("CALLRECORDS_BACKEND").unwrap_or_default();
        #[cfg(target_arch = "x86_64")]
        {
            match forced.as_str() {
                "scalar" => Kernel::Scalar,
                "sse4.2" | "sse42" | "sse2" => Kernel::Sse2,
                _ if std::is_x86_feature_detected!("avx2")
                    && std::is_x86_feature_detected!("pclmulqdq") =>
                {
                    Kernel::Avx2
                }
                _ => Kernel::Sse2,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = forced;
            Kernel::Scalar
        }
    })
}

/// Every kernel this CPU can run (for tests).
#[cfg(test)]
pub(crate) fn available() -> Vec<Kernel> {
    #[allow(unused_mut)]
    let mut v = vec![Kernel::Scalar];
    #[cfg(target_arch = "x86_64")]
    {
        v.push(Kernel::Sse2);
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("pclmulqdq") {
            v.push(Kernel::Avx2);
        }
    }
    v
}

/// Scans `bytes` inside a container whose state is `st`.
///
/// Returns `Some(i)` when `bytes[i]` is the bracket that brings the depth to zero (the state is
/// then meaningless), or `None` when every byte was consumed without closing it (`st` is updated,
/// so the next call continues with the next byte of the stream).
pub(crate) fn find_close(bytes: &[u8], st: &mut Nest, kernel: Kernel) -> Option<usize> {
    let blocks_end = match kernel {
        Kernel::Scalar => 0,
        #[cfg(target_arch = "x86_64")]
        Kernel::Sse2 | Kernel::Avx2 => bytes.len() / 64 * 64,
    };
    if blocks_end > 0 {
        let found = match kernel {
            Kernel::Scalar => Ok(()),
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse2 => blocks(&bytes[..blocks_end], st, classify_sse2, prefix_xor),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Kernel::Avx2` is only chosen (by `kernel()` or `available()`) after
            // `is_x86_feature_detected!` returned true for both "avx2" and "pclmulqdq".
            Kernel::Avx2 => unsafe { blocks_avx2(&bytes[..blocks_end], st) },
        };
        if let Err(i) = found {
            return Some(i);
        }
    }
    scalar(&bytes[blocks_end..], st).map(|i| i + blocks_end)
}

/// The byte-at-a-time reference (also the tail of every kernel).
pub(crate) fn scalar(bytes: &[u8], st: &mut Nest) -> Option<usize> {
    let Nest {
        mut depth,
        mut in_string,
        mut escaped,
    } = *st;
    for (i, &b) in bytes.iter().enumerate() {
        if escaped {
            escaped = false;
            if b == b'"' || b == b'\\' {
                continue;
            }
        } else if b == b'\\' {
            escaped = true;
            continue;
        } else if b == b'"' {
            in_string = !in_string;
            continue;
        }
        if !in_string {
            match b {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
    }
    *st = Nest {
        depth,
        in_string,
        escaped,
    };
    None
}

/// Bitmasks of one 64-byte block: bit `j` is byte `j`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Masks {
    quote: u64,
    backslash: u64,
    open: u64,
    close: u64,
}

const EVEN_BITS: u64 = 0x5555_5555_5555_5555;

/// The positions escaped by a backslash, carrying an odd run into the next block (simdjson's
/// branchless `find_escaped`).
#[inline(always)]
fn find_escaped(backslash: u64, prev_escaped: &mut u64) -> u64 {
    let backslash = backslash & !*prev_escaped;
    let follows_escape = (backslash << 1) | *prev_escaped;
    let odd_sequence_starts = backslash & !EVEN_BITS & !follows_escape;
    let (sequences_starting_on_even_bits, overflow) =
        odd_sequence_starts.overflowing_add(backslash);
    *prev_escaped = u64::from(overflow);
    let invert_mask = sequences_starting_on_even_bits << 1;
    (EVEN_BITS ^ invert_mask) & follows_escape
}

/// Inclusive prefix XOR: bit `j` of the result is the parity of bits `0..=j` of `x`.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Runs the block algorithm over `bytes` (a multiple of 64 long). `Err(i)` is the closing
/// position; `Ok(())` means all consumed and `st` updated.
#[inline(always)]
fn blocks(
    bytes: &[u8],
    st: &mut Nest,
    classify: impl Fn(&[u8; 64]) -> Masks,
    prefix_xor: impl Fn(u64) -> u64,
) -> Result<(), usize> {
    let mut depth = st.depth;
    let mut in_string: u64 = if st.in_string { !0 } else { 0 };
    let mut prev_escaped = u64::from(st.escaped);
    for (k, block) in bytes.chunks_exact(64).enumerate() {
        let Ok(block) = <&[u8; 64]>::try_from(block) else {
            break;
        };
        let m = classify(block);
        let escaped = if m.backslash == 0 && prev_escaped == 0 {
            0
        } else {
            find_escaped(m.backslash, &mut prev_escaped)
        };
        let quotes = m.quote & !escaped;
        let strings = prefix_xor(quotes) ^ in_string;
        in_string = ((strings as i64) >> 63) as u64;
        let open = m.open & !strings;
        let close = m.close & !strings;
        let closes = u64::from(close.count_ones());
        if depth > closes {
            depth = depth + u64::from(open.count_ones()) - closes;
            continue;
        }
        // The depth may reach zero in this block: walk the brackets in order.
        let mut bits = open | close;
        while bits != 0 {
            let j = bits.trailing_zeros();
            let bit = 1u64 << j;
            if open & bit != 0 {
                depth += 1;
            } else {
                depth -= 1;
                if depth == 0 {
                    return Err(k * 64 + j as usize);
                }
            }
            bits &= bits - 1;
        }
    }
    st.depth = depth;
    st.in_string = in_string != 0;
    st.escaped = prev_escaped != 0;
    Ok(())
}

/// Scalar classification of one block (used by tests as the reference for the SIMD ones).
#[cfg(test)]
fn classify_scalar(block: &[u8; 64]) -> Masks {
    let mut m = Masks::default();
    for (j, &b) in block.iter().enumerate() {
        let bit = 1u64 << j;
        match b {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b'{' | b'[' => m.open |= bit,
            b'}' | b']' => m.close |= bit,
            _ => {}
        }
    }
    m
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify_sse2(block: &[u8; 64]) -> Masks {
    use core::arch::x86_64::*;
    let mut m = Masks::default();
    for part in 0..4 {
        // SAFETY: SSE2 is part of the x86_64 baseline; the load reads 16 bytes at
        // `part * 16 <= 48` inside the 64-byte block, and `loadu` has no alignment requirement.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().add(part * 16).cast());
            let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            let shift = part * 16;
            let mask = |x: __m128i| u64::from(_mm_movemask_epi8(x) as u16) << shift;
            m.quote |= mask(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)));
            m.backslash |= mask(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8)));
            // `[` | 0x20 == `{` and `]` | 0x20 == `}`; no other byte folds onto them.
            m.open |= mask(_mm_cmpeq_epi8(folded, _mm_set1_epi8(b'{' as i8)));
            m.close |= mask(_mm_cmpeq_epi8(folded, _mm_set1_epi8(b'}' as i8)));
        }
    }
    m
}

/// # Safety
///
/// - The CPU must support AVX2 and PCLMULQDQ.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,pclmulqdq")]
unsafe fn blocks_avx2(bytes: &[u8], st: &mut Nest) -> Result<(), usize> {
    blocks(
        bytes,
        st,
        |block| {
            // SAFETY: the caller guarantees AVX2 (this closure is inlined into the
            // `target_feature(enable = "avx2,pclmulqdq")` function).
            unsafe { classify_avx2(block) }
        },
        |x| {
            // SAFETY: the caller guarantees PCLMULQDQ (as above).
            unsafe { prefix_xor_clmul(x) }
        },
    )
}

/// Prefix XOR as one carry-less multiplication by all ones.
///
/// # Safety
///
/// - The CPU must support PCLMULQDQ.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "pclmulqdq")]
#[inline]
unsafe fn prefix_xor_clmul(x: u64) -> u64 {
    use core::arch::x86_64::*;
    let product = _mm_clmulepi64_si128(_mm_set_epi64x(0, x as i64), _mm_set1_epi8(-1), 0);
    _mm_cvtsi128_si64(product) as u64
}

/// # Safety
///
/// - The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn classify_avx2(block: &[u8; 64]) -> Masks {
    use core::arch::x86_64::*;
    let mut m = Masks::default();
    for part in 0..2 {
        // SAFETY: AVX2 is available (caller's contract); the load reads 32 bytes at
        // `part * 32 <= 32` inside the 64-byte block, with no alignment requirement.
        unsafe {
            let v = _mm256_loadu_si256(block.as_ptr().add(part * 32).cast());
            let folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
            let shift = part * 32;
            let mask = |x: __m256i| u64::from(_mm256_movemask_epi8(x) as u32) << shift;
            m.quote |= mask(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'"' as i8)));
            m.backslash |= mask(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\\' as i8)));
            m.open |= mask(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8(b'{' as i8)));
            m.close |= mask(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8(b'}' as i8)));
        }
    }
    m
}

/// Scans a string's bytes (after its opening quote) for the closing quote. `escaped` carries a
/// pending backslash across chunks. Returns the index of the closing quote.
pub(crate) fn find_string_end(bytes: &[u8], escaped: &mut bool) -> Option<usize> {
    let mut i = 0;
    if *escaped {
        if bytes.is_empty() {
            return None;
        }
        *escaped = false;
        i = 1;
    }
    while let Some(k) = memchr::memchr2(b'"', b'\\', &bytes[i..]) {
        let at = i + k;
        if bytes[at] == b'"' {
            return Some(at);
        }
        // A backslash: it escapes the next byte.
        if at + 1 >= bytes.len() {
            *escaped = true;
            return None;
        }
        i = at + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all_kernels_agree(bytes: &[u8], start: Nest) {
        let mut st_ref = start;
        let want = scalar(bytes, &mut st_ref);
        for k in available() {
            let mut st = start;
            let got = find_close(bytes, &mut st, k);
            assert_eq!(got, want, "kernel {k:?}");
            if want.is_none() {
                assert_eq!(st, st_ref, "kernel {k:?}");
            }
            // Any split into two calls gives the same answer.
            for cut in [1usize, 63, 64, 65, 127, 128, 200] {
                if cut >= bytes.len() {
                    continue;
                }
                let mut st = start;
                let got = match find_close(&bytes[..cut], &mut st, k) {
                    Some(i) => Some(i),
                    None => find_close(&bytes[cut..], &mut st, k).map(|i| i + cut),
                };
                assert_eq!(got, want, "kernel {k:?} cut {cut}");
            }
        }
    }

    #[test]
    fn classify_matches_scalar() {
        let pattern = b"\"\\{}[]ax;{[\xff\x7b\x5b\x5d\x7d\x3b";
        let block: [u8; 64] = core::array::from_fn(|i| pattern[i % pattern.len()]);
        let want = classify_scalar(&block);
        #[cfg(target_arch = "x86_64")]
        {
            assert_eq!(classify_sse2(&block), want);
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: AVX2 was detected just above.
                assert_eq!(unsafe { classify_avx2(&block) }, want);
            }
        }
    }

    #[test]
    fn clmul_prefix_xor_matches() {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("pclmulqdq") {
            for x in [
                0u64,
                1,
                0x8000_0000_0000_0000,
                0x0123_4567_89ab_cdef,
                u64::MAX,
                0x0101,
            ] {
                // SAFETY: PCLMULQDQ was detected just above.
                assert_eq!(unsafe { prefix_xor_clmul(x) }, prefix_xor(x), "{x:#x}");
            }
        }
    }

    #[test]
    fn nested_and_strings() {
        let s = br#""a{": [1, {"b": "\"}]"}], "c\\": {}} , tail"#;
        let mut st = Nest {
            depth: 1,
            ..Nest::default()
        };
        let got = scalar(s, &mut st);
        assert_eq!(got.map(|i| s[i]), Some(b'}'));
        assert_eq!(got, Some(s.len() - 8));
        all_kernels_agree(
            s,
            Nest {
                depth: 1,
                ..Nest::default()
            },
        );
    }

    #[test]
    fn string_end() {
        let mut e = false;
        assert_eq!(find_string_end(br#"ab\"c"x"#, &mut e), Some(5));
        assert_eq!(find_string_end(br#"ab\"#, &mut e), None);
        assert!(e);
        assert_eq!(find_string_end(br#""x""#, &mut e), Some(2));
        assert!(!e);
        assert_eq!(find_string_end(br#"\\"#, &mut e), None);
        assert!(!e);
    }

    proptest! {
        #[test]
        fn kernels_agree_on_noise(
            bytes in proptest::collection::vec(
                prop_oneof![
                    Just(b'"'), Just(b'\\'), Just(b'{'), Just(b'}'), Just(b'['), Just(b']'),
                    Just(b'a'), Just(b' '), any::<u8>()
                ],
                0..400,
            ),
            depth in 1u64..4,
            in_string: bool,
            escaped: bool,
        ) {
            all_kernels_agree(&bytes, Nest { depth, in_string, escaped });
        }
    }
}
