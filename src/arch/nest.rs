//! Stage 1's second scan: find the bracket that closes a container, across chunk boundaries.
//!
//! The streaming session splitter (`crate::stream`) runs this over every byte of every session
//! before the tokenizer sees it, so it shares stage 1's block machinery: each backend classifies a
//! 64-byte block into quote, backslash, opening-bracket and closing-bracket masks
//! ([`Block::classify_nesting`]), the escapes and the in-string mask are computed as stage 1
//! computes them ([`find_escaped`] and the backend's prefix XOR), and the depth is updated with
//! popcounts; the brackets are walked one by one only in a block where the depth may reach zero.
//!
//! The definitions are stage 1's: a quote is *real* when an even number of backslashes precedes it,
//! real quotes toggle the in-string state, and a bracket counts when it is outside a string.
//! [`find_close_bytes`], a byte-at-a-time loop, is the reference every backend is tested against
//! (and the tail after the last whole block). All of them agree for any input, valid JSON or not,
//! so where the chunk boundaries fall never changes the answer.

use super::kernel::{find_escaped, walk_brackets, Block};

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

impl Nest {
    /// The state just after a container's opening bracket.
    pub(crate) const fn opened() -> Nest {
        Nest {
            depth: 1,
            in_string: false,
            escaped: false,
        }
    }
}

/// The byte-at-a-time reference, and the tail after the last whole block.
///
/// Returns `Some(i)` when `bytes[i]` is the bracket that brings the depth to zero (the state is
/// then meaningless), or `None` when every byte was consumed without closing it (`st` is updated,
/// so the next call continues with the next byte of the stream).
pub(crate) fn find_close_bytes(bytes: &[u8], st: &mut Nest) -> Option<usize> {
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

/// The whole blocks of `bytes` with backend `B`, then the tail byte by byte; the contract of
/// [`find_close_bytes`]. Only whole 64-byte blocks are loaded, so no byte past `bytes` is read.
///
/// # Safety
///
/// - The CPU must support the instruction set of `B`.
#[inline(always)]
pub(crate) unsafe fn find_close<B: Block>(bytes: &[u8], st: &mut Nest) -> Option<usize> {
    let mut blocks = bytes.chunks_exact(64);
    let mut depth = st.depth;
    let mut in_string: u64 = if st.in_string { !0 } else { 0 };
    let mut prev_escaped = u64::from(st.escaped);
    for (k, block) in blocks.by_ref().enumerate() {
        let Some(block) = block.first_chunk::<64>() else {
            break;
        };
        // SAFETY: the caller guarantees the CPU supports `B`'s instruction set.
        let m = unsafe { B::classify_nesting(block) };
        let quotes = m.quote & !find_escaped(m.backslash, &mut prev_escaped);
        if m.open | m.close == 0 {
            // No bracket in the block: only the string state carries on, and every real quote
            // flips it, so its parity is enough (no prefix XOR).
            in_string ^= 0u64.wrapping_sub(u64::from(quotes.count_ones() & 1));
            continue;
        }
        // SAFETY: as above.
        let strings = unsafe { B::prefix_xor(quotes) } ^ in_string;
        // Arithmetic shift spreads bit 63 over the whole word: all ones or zero.
        in_string = ((strings as i64) >> 63) as u64;
        let open = m.open & !strings;
        let close = m.close & !strings;
        let closes = u64::from(close.count_ones());
        if depth > closes {
            depth = depth + u64::from(open.count_ones()) - closes;
            continue;
        }
        // The depth may reach zero in this block: walk its brackets in order.
        if let Some(j) = walk_brackets(open, close, &mut depth) {
            return Some(k * 64 + j as usize);
        }
    }
    let done = bytes.len() - blocks.remainder().len();
    *st = Nest {
        depth,
        in_string: in_string != 0,
        escaped: prev_escaped != 0,
    };
    find_close_bytes(blocks.remainder(), st).map(|i| done + i)
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

/// JSON whitespace: space, tab, line feed, carriage return.
#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// A byte that ends a number or literal.
#[inline]
pub(crate) fn ends_scalar(b: u8) -> bool {
    is_ws(b) || matches!(b, b',' | b'}' | b']' | b'{' | b'[' | b':' | b'"')
}
