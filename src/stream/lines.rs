//! Line numbers for the streaming reader: every newline counted once, as the window moves on.

/// The newlines of the stream before some offset, kept up to date as the window moves on.
///
/// Each byte is counted once. A session indexed ahead is counted by stage 1 as it indexes it
/// (`arch::AheadIndexer`, right after each piece, while the piece is in the L1 cache). The other
/// bytes (the header, the joints between sessions, the trailer, a session too long to index ahead)
/// are counted with `memchr` just before they leave the window.
/// An error's line and column then come from these counts and the bytes still in the window.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Lines {
    /// Stream offset up to which newlines are counted. Never below the window's first byte.
    to: u64,
    /// Newlines before `to`.
    count: u64,
    /// Where the line holding `to` starts: one past the last newline before `to`, or 0.
    line_start: u64,
    /// Where the line holding the window's first byte starts.
    base_line_start: u64,
}

impl Lines {
    /// Counts `bytes`, the stream bytes from `self.to` on.
    fn count(&mut self, bytes: &[u8]) {
        self.count += newlines(bytes);
        if let Some(k) = memchr::memrchr(b'\n', bytes) {
            self.line_start = self.to + k as u64 + 1;
        }
        self.to += bytes.len() as u64;
    }

    /// Takes in a session that stage 1 counted: `len` bytes from stream offset `start`, holding
    /// `newlines` newlines, the last at `last` (from `start`). The bytes before it that are not
    /// counted yet must be in `window` (the bytes from stream offset `base`).
    pub(crate) fn session(
        &mut self,
        (window, base): (&[u8], u64),
        (start, len): (u64, u64),
        newlines: u64,
        last: Option<usize>,
    ) {
        let from = self.to.saturating_sub(base) as usize;
        let Some(gap) = window.get(from..start.saturating_sub(base) as usize) else {
            // Already counted past `start` (the window never drops bytes it has not counted, so
            // it will count the rest).
            return;
        };
        self.count(gap);
        self.count += newlines;
        if let Some(k) = last {
            self.line_start = start + k as u64 + 1;
        }
        self.to = start + len;
    }

    /// Counts what is not counted yet of `window[..drop]` (the bytes from stream offset `base`)
    /// before the window drops them, and notes where the line holding the new first byte starts.
    pub(crate) fn drop_front(&mut self, window: &[u8], base: u64, drop: usize) {
        let keep = base + drop as u64;
        if self.to < keep {
            let from = self.to.saturating_sub(base) as usize;
            self.count(window.get(from..drop).unwrap_or(&[]));
        }
        // `to >= keep` now (in practice `to == keep`: the splitter never keeps bytes it has
        // delivered, and only delivered sessions are counted ahead). When the last newline before
        // `to` lies before `keep`, it is also the last before `keep`; otherwise look for it among
        // the dropped bytes.
        self.base_line_start = if self.line_start <= keep {
            self.line_start
        } else {
            match memchr::memrchr(b'\n', window.get(..drop).unwrap_or(&[])) {
                Some(k) => base + k as u64 + 1,
                None => self.base_line_start,
            }
        };
    }

    /// The line and column (both from 1, the column in bytes) of stream offset `at`, which lies
    /// in `window` (the bytes from stream offset `base`) or at its end.
    pub(crate) fn locate(&self, window: &[u8], base: u64, at: u64) -> (u64, u64) {
        let end = window.len() as u64;
        let idx = at.saturating_sub(base).min(end) as usize;
        let to = self.to.saturating_sub(base).min(end) as usize;
        let (line, start) = if idx >= to {
            let mid = window.get(to..idx).unwrap_or(&[]);
            let start = match memchr::memrchr(b'\n', mid) {
                Some(k) => base + (to + k) as u64 + 1,
                None => self.line_start,
            };
            (self.count + newlines(mid), start)
        } else {
            let mid = window.get(idx..to).unwrap_or(&[]);
            let start = match memchr::memrchr(b'\n', window.get(..idx).unwrap_or(&[])) {
                Some(k) => base + k as u64 + 1,
                None => self.base_line_start,
            };
            (self.count.saturating_sub(newlines(mid)), start)
        };
        (line + 1, at.saturating_sub(start) + 1)
    }
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}
