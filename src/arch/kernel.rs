//! The stage-1 block algorithm, written once over the [`Block`] abstraction.
//!
//! Each backend supplies a [`Block`]: 64 input bytes held in its registers, with the handful of
//! classifications stage 1 needs, each returned as a 64-bit mask (bit `j` for byte `j`). Everything
//! else (escapes, string state, scalar starts, flattening) is portable 64-bit arithmetic shared by
//! every backend, so the backends differ only in how they classify bytes.

/// Bits at even positions (0, 2, 4, ...).
const EVEN_BITS: u64 = 0x5555_5555_5555_5555;
/// Bits at odd positions (1, 3, 5, ...).
const ODD_BITS: u64 = 0xAAAA_AAAA_AAAA_AAAA;

/// Bit 0 of the low-nibble / high-nibble lookup: `,` (0x2C).
/// Bit 1: `:` (0x3A). Bit 2: `[ ] { }` (0x5B 0x5D 0x7B 0x7D). Bits 0 to 2 are the operators.
/// Bit 3: space (0x20). Bit 4: `\t \n \r` (0x09 0x0A 0x0D). Bits 3 and 4 are whitespace.
/// Bit 6: `[ {` (0x5B 0x7B), the opening brackets. Bit 7: `] }` (0x5D 0x7D), the closing ones.
/// Bits 6 and 7 serve the ahead kernel's depth count ([`Block::classify_brackets`]): at the top
/// of the byte, a mask extraction reads the closing bit as it is and the opening bit after one
/// shift. Bit 5 is never set.
///
/// A byte `b` is in a class when `LOW_NIBBLE[b & 15] & HIGH_NIBBLE[b >> 4]` has that class's bit;
/// the tables are chosen so no other byte shares a bit in both (checked by a test).
pub(crate) const LOW_NIBBLE: [u8; 16] = [
    0b0000_1000, // 0: space
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0b0001_0000, // 9: \t
    0b0001_0010, // A: \n, ':'
    0b0100_0100, // B: '[' '{'
    0b0000_0001, // C: ','
    0b1001_0100, // D: \r, ']' '}'
    0,
    0,
];
/// See [`LOW_NIBBLE`].
pub(crate) const HIGH_NIBBLE: [u8; 16] = [
    0b0001_0000, // 0x0_: \t \n \r
    0,
    0b0000_1001, // 0x2_: space, ','
    0b0000_0010, // 0x3_: ':'
    0,
    0b1100_0100, // 0x5_: '[' ']'
    0,
    0b1100_0100, // 0x7_: '{' '}'
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
];
/// The operator bits of the nibble lookup.
pub(crate) const OP_BITS: u8 = 0b0000_0111;
/// The whitespace bits of the nibble lookup.
pub(crate) const WS_BITS: u8 = 0b0001_1000;
/// The opening-bracket bit of the nibble lookup.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // reason: read by the x86 kernels and the table test
pub(crate) const OPEN_BIT: u8 = 0b0100_0000;
/// The closing-bracket bit of the nibble lookup.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // reason: read by the x86 kernels and the table test
pub(crate) const CLOSE_BIT: u8 = 0b1000_0000;
/// The left shift that brings [`OPEN_BIT`] to bit 7, where a byte mask extraction reads it.
#[cfg(target_arch = "x86_64")]
pub(crate) const OPEN_SHIFT: i32 = OPEN_BIT.leading_zeros() as i32;

/// Masks of one 64-byte block; bit `j` describes byte `j`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Masks {
    /// `"`.
    pub(crate) quote: u64,
    /// `\`.
    pub(crate) backslash: u64,
    /// `{ } [ ] : ,`.
    pub(crate) op: u64,
    /// Space, `\t`, `\n`, `\r`.
    pub(crate) ws: u64,
    /// Bytes below 0x20.
    pub(crate) ctrl: u64,
}

/// The brackets of one 64-byte block, strings not yet removed; bit `j` describes byte `j`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Brackets {
    /// `{` and `[`.
    pub(crate) open: u64,
    /// `}` and `]`.
    pub(crate) close: u64,
}

/// Masks of one 64-byte block for the nesting scan ([`super::nest`]); bit `j` describes byte `j`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NestMasks {
    /// `"`.
    pub(crate) quote: u64,
    /// `\`.
    pub(crate) backslash: u64,
    /// `{` and `[`.
    pub(crate) open: u64,
    /// `}` and `]`.
    pub(crate) close: u64,
    /// `\n`, for the streaming reader's line numbers ([`Block::tally_run`]'s default).
    pub(crate) newline: u64,
}

/// 64 input bytes loaded into one backend's registers.
///
/// Implementations are zero-cost wrappers over vector registers; their methods are
/// `#[inline(always)]` so they compile with the target features of the `#[target_feature]` entry
/// point that calls [`index_blocks`].
pub(crate) trait Block: Copy {
    /// Loads and classifies one block.
    ///
    /// # Safety
    ///
    /// - The CPU must support the instruction set of `Self` (the backend's features must be enabled
    ///   in the calling context or detected at run time).
    unsafe fn classify(block: &[u8; 64]) -> Masks;

    /// Loads one block and finds its quotes, backslashes, brackets and newlines, for the nesting
    /// scan.
    ///
    /// The brackets fold in pairs: `[ | 0x20` is `{` and `] | 0x20` is `}`, and no other byte
    /// folds onto either, so two comparisons find all four.
    ///
    /// # Safety
    ///
    /// - The CPU must support the instruction set of `Self`.
    unsafe fn classify_nesting(block: &[u8; 64]) -> NestMasks;

    /// Loads and classifies one block as [`Block::classify`] does, and finds its opening and
    /// closing brackets, for the ahead kernel ([`index_until_close`]).
    ///
    /// The default adds [`Block::classify_nesting`]'s bracket masks. Backends with the nibble
    /// lookup override it to read the brackets off the lookup's bracket bits ([`OPEN_BIT`],
    /// [`CLOSE_BIT`]): one mask extraction per vector each, after one shift for the opening bit,
    /// and no further constants in registers.
    ///
    /// # Safety
    ///
    /// - The CPU must support the instruction set of `Self`.
    #[inline(always)]
    unsafe fn classify_brackets(block: &[u8; 64]) -> (Masks, Brackets) {
        // SAFETY: the caller guarantees the CPU supports `Self`'s instruction set.
        let (m, n) = unsafe { (Self::classify(block), Self::classify_nesting(block)) };
        (
            m,
            Brackets {
                open: n.open,
                close: n.close,
            },
        )
    }

    /// The newlines in `run`, which is at most [`TALLY_RUN`] bytes long, and whether it holds a
    /// byte above ASCII.
    ///
    /// The default counts the newline masks of [`Block::classify_nesting`] (one instruction per
    /// block where a compare gives a 64-bit mask) and checks for ASCII with the standard library.
    /// Backends that build masks from several vectors instead add the compare results into byte
    /// lanes and sum the lanes once per run, which the run's length keeps from overflowing, and OR
    /// the loaded vectors together, whose top bits then tell whether any byte had its top bit set.
    ///
    /// # Safety
    ///
    /// - The CPU must support the instruction set of `Self`.
    #[inline(always)]
    unsafe fn tally_run(run: &[u8]) -> Tally {
        let mut blocks = run.chunks_exact(64);
        let mut count = 0;
        for chunk in blocks.by_ref() {
            if let Some(block) = chunk.first_chunk::<64>() {
                // SAFETY: the caller guarantees the CPU supports `Self`'s instruction set.
                count += u64::from(
                    unsafe { Self::classify_nesting(block) }
                        .newline
                        .count_ones(),
                );
            }
        }
        Tally {
            newlines: count + count_newlines_scalar(blocks.remainder()),
            non_ascii: !run.is_ascii(),
        }
    }

    /// The prefix XOR of `x`: bit `j` of the result is the XOR of bits `0..=j` of `x`.
    ///
    /// The default is portable shift-and-XOR; backends with a carry-less multiply override it.
    ///
    /// # Safety
    ///
    /// - The CPU must support the instruction set of `Self`.
    #[inline(always)]
    unsafe fn prefix_xor(x: u64) -> u64 {
        prefix_xor_portable(x)
    }
}

/// Portable prefix XOR in six shift-and-XOR steps.
#[inline(always)]
pub(crate) const fn prefix_xor_portable(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Per-block state carried across blocks and windows, as masks ready for the block arithmetic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct State {
    /// All ones when the previous block ended inside a string, else zero.
    pub(crate) in_string: u64,
    /// 1 when the previous block ended with an odd backslash run (its next byte is escaped), else 0.
    pub(crate) escaped: u64,
    /// 1 when the previous block's last byte was a scalar byte outside a string, else 0.
    pub(crate) prev_scalar: u64,
}

impl From<super::Carry> for State {
    fn from(c: super::Carry) -> Self {
        State {
            in_string: if c.in_string { !0 } else { 0 },
            escaped: u64::from(c.escaped),
            prev_scalar: u64::from(c.prev_scalar),
        }
    }
}

impl From<State> for super::Carry {
    fn from(s: State) -> Self {
        super::Carry {
            in_string: s.in_string != 0,
            escaped: s.escaped != 0,
            prev_scalar: s.prev_scalar != 0,
        }
    }
}

/// The bytes preceded by an odd run of backslashes (escaped bytes), given the block's backslash
/// mask; updates `prev_escaped` (0 or 1) for the next block.
#[inline(always)]
pub(crate) fn find_escaped(backslash: u64, prev_escaped: &mut u64) -> u64 {
    if backslash == 0 {
        let escaped = *prev_escaped;
        *prev_escaped = 0;
        return escaped;
    }
    // A backslash escaped by the previous block's odd run is a literal, not an escape.
    let bs = backslash & !*prev_escaped;
    let starts = bs & !(bs << 1);
    // Adding a run's start bit to the run clears it and sets the bit just past its end. The run is
    // odd when its start and end positions have different parities.
    let (from_even, _) = bs.overflowing_add(starts & EVEN_BITS);
    let (from_odd, odd_overflow) = bs.overflowing_add(starts & ODD_BITS);
    let escaped = (from_even & !bs & ODD_BITS) | (from_odd & !bs & EVEN_BITS) | *prev_escaped;
    // A run starting at an odd position and reaching bit 63 has odd length: it escapes the next
    // block's first byte. (One starting at an even position has even length.)
    *prev_escaped = u64::from(odd_overflow);
    escaped
}

/// Structural bits, control-in-string bits and the in-string mask of one classified block, and
/// the new state.
#[inline(always)]
fn block_bits<B: Block>(m: Masks, state: &mut State) -> (u64, u64, u64) {
    let escaped = find_escaped(m.backslash, &mut state.escaped);
    let quotes = m.quote & !escaped;
    // SAFETY: `B` is only used by callers that hold the `index_blocks` contract (the CPU supports
    // `B`'s instruction set), which `prefix_xor` requires.
    let in_string = unsafe { B::prefix_xor(quotes) } ^ state.in_string;
    // Arithmetic shift spreads bit 63 over the whole word: all ones or zero.
    state.in_string = ((in_string as i64) >> 63) as u64;
    let scalar = !(m.op | m.ws | quotes | in_string);
    let scalar_starts = scalar & !((scalar << 1) | state.prev_scalar);
    state.prev_scalar = scalar >> 63;
    let structurals = (m.op & !in_string) | quotes | scalar_starts;
    (structurals, m.ctrl & in_string, in_string)
}

/// The structural offsets of one kernel call, written straight into the output vector's spare
/// capacity.
///
/// The room for the whole call is reserved once, up front, and the block loop keeps the write
/// position in a register: it neither reloads the vector's fields nor checks its capacity per
/// block. The vector's length is set when the sink is dropped.
struct Flat<'a> {
    out: &'a mut Vec<u32>,
    /// `out`'s buffer at its length: slots `0..written` hold offsets, and `64 * blocks` slots
    /// (the count given to [`Flat::new`]) are allocated.
    at: *mut u32,
    written: usize,
}

impl<'a> Flat<'a> {
    /// A sink appending to `out`, with room for `blocks` calls of [`Flat::push`]: each appends at
    /// most 64 offsets and writes at most 64 slots past the ones before it, so `64 * blocks` slots
    /// suffice.
    #[inline(always)]
    fn new(out: &'a mut Vec<u32>, blocks: usize) -> Self {
        out.reserve(blocks.saturating_mul(64));
        // `as_mut_ptr` creates no reference to the buffer, so `at` stays valid while `out` is
        // only used again to set its length.
        let at = out.as_mut_ptr().wrapping_add(out.len());
        Flat {
            out,
            at,
            written: 0,
        }
    }

    /// Appends `base + j` for every set bit `j` of `bits`, ascending.
    ///
    /// # Safety
    ///
    /// - Called at most `blocks` times (the count given to [`Flat::new`]).
    #[inline(always)]
    unsafe fn push(&mut self, base: u32, mut bits: u64) {
        let count = bits.count_ones() as usize;
        // Write eight offsets at a time without checking whether bits remain: extra writes land in
        // spare capacity past `count` (value `base + 64` when `bits` is empty) and are never
        // exposed.
        let mut i = 0;
        while i < count {
            for k in 0..8 {
                // SAFETY: the slot is allocated. Before call `n` (counting from 0), `written <=
                // 64 * n`, since each call adds `count <= 64`. This call writes slot `written + i +
                // k` with `i + k <= 63` (`i` is a multiple of 8 below `count <= 64`, so `i <= 56`,
                // and `k < 8`): below `64 * (n + 1)`, which the contract keeps within the
                // `64 * blocks` slots `new` reserved.
                unsafe {
                    self.at
                        .add(self.written + i + k)
                        .write(base.wrapping_add(bits.trailing_zeros()));
                }
                bits &= bits.wrapping_sub(1);
            }
            i += 8;
        }
        self.written += count;
    }
}

impl Drop for Flat<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        let len = self.out.len() + self.written;
        // SAFETY: `out[old len..len]` (slots `0..written` from `at`) were initialised by `push`,
        // and lie within the capacity reserved by `new` (see `push`).
        unsafe { self.out.set_len(len) };
    }
}

/// Indexes `bytes` (whose first byte is at absolute offset `base`) block by block, continuing
/// from `state`. Appends structural offsets to `structurals` and the backslash mask of block `k` to
/// `backslashes[k]`. Returns the absolute offset of the first control character inside a string.
///
/// The last partial block is copied into a 64-byte stack block padded with spaces, so no byte
/// past `bytes` is ever read. Spaces are whitespace (never structural, never a control character,
/// never a backslash), so the padding adds nothing; the state after a padded block is not
/// meaningful, which is fine because a partial block only ever ends the input.
///
/// Offsets are `u32`: the caller must keep `base + bytes.len() <= u32::MAX as usize + 1`.
///
/// # Safety
///
/// - The CPU must support the instruction set of `B`.
#[inline(always)]
pub(crate) unsafe fn index_blocks<B: Block>(
    bytes: &[u8],
    base: usize,
    state: &mut State,
    structurals: &mut Vec<u32>,
    backslashes: &mut [u64],
) -> Option<usize> {
    let mut ctrl_at = None;
    let mut words = backslashes.iter_mut();
    let mut chunks = bytes.chunks_exact(64);
    let mut offset = base;
    let mut flat = Flat::new(structurals, bytes.len().div_ceil(64));
    for chunk in chunks.by_ref() {
        if let Some(block) = chunk.first_chunk::<64>() {
            // SAFETY: the caller guarantees the CPU supports `B`'s instruction set; one call per
            // whole block of `bytes`, and at most one more for the partial block below, is the
            // `bytes.len().div_ceil(64)` blocks `flat` was made for.
            unsafe { step::<B>(block, offset, words.next(), state, &mut flat, &mut ctrl_at) };
        }
        offset += 64;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut block = [b' '; 64];
        block[..rest.len()].copy_from_slice(rest);
        // SAFETY: as above.
        unsafe { step::<B>(&block, offset, words.next(), state, &mut flat, &mut ctrl_at) };
    }
    ctrl_at
}

/// One block of [`index_blocks`]. A function rather than a closure: `#[inline(always)]` functions
/// are compiled into their `#[target_feature]` caller, closures inside a generic helper are not.
///
/// # Safety
///
/// - The CPU must support the instruction set of `B`.
/// - Called at most once per block `flat` was made for.
#[inline(always)]
unsafe fn step<B: Block>(
    block: &[u8; 64],
    offset: usize,
    word: Option<&mut u64>,
    state: &mut State,
    flat: &mut Flat<'_>,
    ctrl_at: &mut Option<usize>,
) {
    // SAFETY: the caller guarantees the CPU supports `B`'s instruction set.
    let m = unsafe { B::classify(block) };
    if let Some(word) = word {
        *word = m.backslash;
    }
    let (bits, ctrl, _) = block_bits::<B>(m, state);
    if ctrl != 0 {
        first_ctrl(ctrl_at, offset, ctrl);
    }
    // SAFETY: the caller calls `step` at most once per block `flat` was made for.
    unsafe { flat.push(offset as u32, bits) };
}

/// Where [`index_until_close`] carries its state and writes the index.
#[derive(Debug)]
pub(crate) struct CloseScan<'a> {
    /// The block state, carried from the previous call.
    pub(crate) state: &'a mut State,
    /// Open brackets not yet closed (0 before the value's opening bracket).
    pub(crate) depth: &'a mut u64,
    /// Structural offsets are appended here.
    pub(crate) structurals: &'a mut Vec<u32>,
    /// Word `k` receives the backslash mask of the call's block `k`.
    pub(crate) backslashes: &'a mut [u64],
}

/// What [`index_until_close`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Stop {
    /// Absolute offset of the first control character inside a string (before `close`).
    pub(crate) ctrl: Option<usize>,
    /// Absolute offset of the bracket that brought the depth to zero.
    pub(crate) close: Option<usize>,
    /// Newlines in the bytes indexed (up to `close`).
    pub(crate) newlines: u64,
    /// Which runs of the bytes indexed hold a byte above ASCII, as [`tally`] gives them.
    pub(crate) non_ascii_runs: u64,
}

/// [`index_blocks`] over the whole 64-byte blocks of `bytes` (a trailing partial block is left
/// alone) while tracking the nesting depth as the nesting scan does ([`super::nest`]): brackets
/// outside strings open and close levels, counted by popcount and walked one by one only in a
/// block where `depth` may reach zero. It stops after the block holding the bracket that brings
/// `depth` to zero; nothing past that bracket is appended (structurals, control characters and
/// backslash bits after it are dropped), so the index is exactly the index of the value. It also
/// counts the newlines up to there, for the streaming reader's line numbers, and notes which runs
/// of the bytes are all ASCII (the caller checks the UTF-8 of the others), in a second pass over
/// the bytes it indexed ([`tally`]).
///
/// The caller starts at the value's opening bracket with `run.depth == 0`.
///
/// # Safety
///
/// - The CPU must support the instruction set of `B`.
#[inline(always)]
pub(crate) unsafe fn index_until_close<B: Block>(
    bytes: &[u8],
    base: usize,
    run: CloseScan<'_>,
) -> Stop {
    let CloseScan {
        state,
        depth,
        structurals,
        backslashes,
    } = run;
    // Locals rather than the callers' places, so the block loop keeps them in registers; one block
    // counter rather than separate iterators over the blocks and the words, and the closing block
    // finished on its own way out of the loop, for the same reason.
    let (mut st, mut level) = (*state, *depth);
    let mut ctrl_at = None;
    let mut flat = Flat::new(structurals, bytes.len() / 64);
    let mut k = 0;
    let close_at = loop {
        let Some(block) = bytes.get(64 * k..).and_then(<[u8]>::first_chunk::<64>) else {
            break None;
        };
        let offset = base + 64 * k;
        // SAFETY: the caller guarantees the CPU supports `B`'s instruction set.
        let (m, n) = unsafe { B::classify_brackets(block) };
        let (bits, ctrl, strings) = block_bits::<B>(m, &mut st);
        let open = n.open & !strings;
        let close = n.close & !strings;
        let closes = u64::from(close.count_ones());
        let mut out = BlockOut {
            word: backslashes.get_mut(k),
            offset,
            bits,
            ctrl,
            backslash: m.backslash,
        };
        if level > closes {
            level = level + u64::from(open.count_ones()) - closes;
        } else if let Some(j) = walk_brackets(open, close, &mut level) {
            // Keep bits `0..=j`: the value ends at the bracket `j`.
            let keep = !0u64 >> (63 - j);
            (out.bits, out.ctrl, out.backslash) = (bits & keep, ctrl & keep, m.backslash & keep);
            // SAFETY: one call per whole block of `bytes` (block `k` is whole), the count `flat`
            // was made for.
            unsafe { out.emit(&mut flat, &mut ctrl_at) };
            break Some(offset + j as usize);
        }
        // SAFETY: as above.
        unsafe { out.emit(&mut flat, &mut ctrl_at) };
        k += 1;
    };
    let offset = base + 64 * k;
    (*state, *depth) = (st, level);
    let upto = close_at.map_or(offset, |c| c + 1) - base;
    // SAFETY: as above.
    let (newlines, non_ascii_runs) = unsafe { tally::<B>(bytes.get(..upto).unwrap_or(bytes)) };
    Stop {
        ctrl: ctrl_at,
        close: close_at,
        newlines,
        non_ascii_runs,
    }
}

/// What [`index_until_close`] keeps of one block.
struct BlockOut<'w> {
    /// The block's backslash word, if the caller gave one.
    word: Option<&'w mut u64>,
    /// Absolute offset of the block's first byte.
    offset: usize,
    bits: u64,
    ctrl: u64,
    backslash: u64,
}

impl BlockOut<'_> {
    /// Stores the backslash word, notes a control character and appends the structurals.
    ///
    /// # Safety
    ///
    /// - Called at most once per block `flat` was made for.
    #[inline(always)]
    unsafe fn emit(self, flat: &mut Flat<'_>, ctrl_at: &mut Option<usize>) {
        if let Some(word) = self.word {
            *word = self.backslash;
        }
        if self.ctrl != 0 {
            first_ctrl(ctrl_at, self.offset, self.ctrl);
        }
        // SAFETY: the caller's contract.
        unsafe { flat.push(self.offset as u32, self.bits) };
    }
}

/// The longest run [`Block::tally_run`] takes: 16 blocks.
///
/// A run is the unit of the ASCII check, so a short one leaves fewer ASCII bytes around each byte
/// above ASCII for the UTF-8 check: on generated pages, 14% of the bytes lie in 1 KiB runs that
/// hold such a byte, and 39% in 4 KiB runs. The vector counters' byte lanes count at most one
/// newline per vector, 64 per run at most, far from wrapping; the counts are summed once per run.
pub(crate) const TALLY_RUN: usize = 16 * 64;

/// The newlines in a run of bytes, and whether one of them is above ASCII: what
/// [`Block::tally_run`] finds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// The newlines, for the streaming reader's line numbers.
    pub(crate) newlines: u64,
    /// Some byte is above ASCII (0x80 or more). Bytes that are all ASCII are valid UTF-8.
    pub(crate) non_ascii: bool,
}

impl Tally {
    /// The tally of two runs of bytes together.
    #[inline(always)]
    pub(crate) fn and(self, other: Tally) -> Tally {
        Tally {
            newlines: self.newlines + other.newlines,
            non_ascii: self.non_ascii | other.non_ascii,
        }
    }
}

/// The newlines in `bytes`, and which of its runs of [`TALLY_RUN`] bytes hold a byte above ASCII:
/// bit `r` stands for run `r` (bit 63 for run 63 and every later one).
///
/// It is a second pass over bytes just indexed (so still in the L1 cache). This is cheaper than a
/// newline mask in the index loop, whose registers are all in use: on the AVX2 kernel, counting
/// there cost about 10% of the loop's throughput. The ASCII check rides on the same loads and
/// spares the UTF-8 check every run that is all ASCII.
///
/// # Safety
///
/// - The CPU must support the instruction set of `B`.
#[inline(always)]
pub(crate) unsafe fn tally<B: Block>(bytes: &[u8]) -> (u64, u64) {
    let (mut newlines, mut non_ascii_runs) = (0, 0);
    for (r, run) in bytes.chunks(TALLY_RUN).enumerate() {
        // SAFETY: the caller guarantees the CPU supports `B`'s instruction set; each run is at
        // most `TALLY_RUN` bytes.
        let t = unsafe { B::tally_run(run) };
        newlines += t.newlines;
        non_ascii_runs |= u64::from(t.non_ascii) << r.min(63);
    }
    (newlines, non_ascii_runs)
}

/// The [`Tally`] of `bytes`, one byte at a time: the reference and the vector kernels' tail.
#[inline(always)]
pub(crate) fn tally_scalar(bytes: &[u8]) -> Tally {
    Tally {
        newlines: count_newlines_scalar(bytes),
        non_ascii: !bytes.is_ascii(),
    }
}

/// The newlines in `bytes`, one byte at a time.
#[inline(always)]
fn count_newlines_scalar(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Records the first control character of a block with some (`ctrl != 0`), unless one was found
/// before: out of line, since only malformed input gets here.
#[cold]
#[inline(never)]
fn first_ctrl(ctrl_at: &mut Option<usize>, offset: usize, ctrl: u64) {
    if ctrl_at.is_none() {
        *ctrl_at = Some(offset + ctrl.trailing_zeros() as usize);
    }
}

/// Walks one block's brackets in order; returns the bit of the one that brings `depth` to zero.
#[inline(always)]
pub(crate) fn walk_brackets(open: u64, close: u64, depth: &mut u64) -> Option<u32> {
    let mut bits = open | close;
    while bits != 0 {
        let j = bits.trailing_zeros();
        if open & (1u64 << j) != 0 {
            *depth += 1;
        } else {
            *depth = depth.saturating_sub(1);
            if *depth == 0 {
                return Some(j);
            }
        }
        bits &= bits - 1;
    }
    None
}

/// The scalar reference classification of one byte, for tests of the nibble tables.
#[cfg(test)]
pub(crate) fn classify_byte(b: u8) -> [bool; 4] {
    let t = LOW_NIBBLE[usize::from(b & 15)] & HIGH_NIBBLE[usize::from(b >> 4)];
    assert_eq!(t & 0x20, 0, "bit 5 is never set");
    [OP_BITS, WS_BITS, OPEN_BIT, CLOSE_BIT].map(|bits| t & bits != 0)
}
