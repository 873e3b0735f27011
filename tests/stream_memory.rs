//! Bounded memory: a counting global allocator watches the live heap while a generated 64 MiB
//! document (made on the fly by `GenReader`, never held whole) streams through the `Reader` with a
//! 64 KiB read size. The peak stays below the largest session's size plus 1 MiB.
//!
//! This file is its own test binary so that no other test allocates while it measures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test failures should panic

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use callrecords::generate::{GenOptions, GenReader, Shape};
use callrecords::{Reader, SectionKind, StreamOptions};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call forwards to `System` with the caller's layout unchanged; the counters are
// plain atomics and never affect the allocation itself.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's contract.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's contract.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Count a move as both blocks being live for a moment (the worst case of a realloc).
        grew(new_size);
        // SAFETY: forwarded with the caller's contract.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            LIVE.fetch_sub(new_size, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

struct Outcome {
    bytes: u64,
    sessions: usize,
    largest: usize,
    peak: usize,
}

fn stream(options: GenOptions) -> Outcome {
    let baseline = LIVE.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let gen = GenReader::new(&options);
    let mut reader = Reader::with_options(gen, StreamOptions::new().read_size(64 << 10));
    let mut sessions = 0;
    let mut largest = 0;
    loop {
        let section = match reader.next_section() {
            Ok(Some(s)) => s,
            Ok(None) => break,
            Err(e) => panic!("stream failed: {e}"),
        };
        largest = largest.max(section.bytes().len());
        if let SectionKind::Session { .. } = section.kind() {
            sessions += 1;
        }
    }
    let bytes = reader.offset();
    drop(reader);
    Outcome {
        bytes,
        sessions,
        largest,
        peak: PEAK.load(Ordering::Relaxed) - baseline,
    }
}

#[test]
fn streaming_64_mib_stays_within_the_largest_session_plus_1_mib() {
    for (target, compact, shape) in [
        (64 << 20, false, Shape::Sessions),
        (8 << 20, true, Shape::CallRecord),
    ] {
        let options = GenOptions {
            seed: 0x5eed,
            target_bytes: target,
            compact,
            shape,
        };
        let out = stream(options);
        assert!(out.bytes >= target as u64, "{} bytes streamed", out.bytes);
        assert!(out.sessions > 100, "{} sessions", out.sessions);
        let bound = out.largest + (1 << 20);
        eprintln!(
            "{shape:?} compact={compact}: {} bytes, {} sessions, largest session {} bytes, \
             peak live heap {} bytes (bound {bound})",
            out.bytes, out.sessions, out.largest, out.peak
        );
        assert!(
            out.peak < bound,
            "peak live heap {} >= largest session {} + 1 MiB",
            out.peak,
            out.largest
        );
    }
}
