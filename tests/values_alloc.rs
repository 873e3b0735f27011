//! A counting global allocator shows that the value parsers make no heap allocation: 10,000 each of
//! durations, timestamps and numbers, and escape-free strings, decoded, compared and decoded into an
//! arena (which allocates only in its own chunks, counted separately).

use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::cell::Cell;

use callrecords::value::{parse_f64, parse_f64_str, parse_i32, parse_i64};
use callrecords::{Duration, JsonStr, Timestamp};

struct Counting;

thread_local! {
    /// Allocations made by this thread (other test-harness threads do not disturb the count).
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every method forwards to `System` with the same arguments; counting touches only a
// thread-local `Cell` with const initialisation, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: `ptr` came from `System` with `layout`; the caller upholds the rest.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn parsing_values_makes_no_heap_allocation() {
    const N: usize = 10_000;
    let durations: Vec<String> = (0..N)
        .map(|i| match i % 6 {
            0 => format!("PT0.0{}S", i % 100),
            1 => format!("PT{}S", i),
            2 => format!("PT{}M{}.5S", i % 60, i % 60),
            3 => format!("P{}DT{}H", i % 400, i % 24),
            4 => format!("-PT0.{:09}123S", i),
            _ => "P1DT2H3M4.123456789S".to_owned(),
        })
        .collect();
    let timestamps: Vec<String> = (0..N)
        .map(|i| match i % 4 {
            0 => format!("2020-02-25T18:52:{:02}.2169889Z", i % 60),
            1 => format!("2020-02-{:02}T19:00:24.582757Z", 1 + i % 28),
            2 => format!("{:04}-09-25T10:36:40Z", 1 + i % 9999),
            _ => format!("2023-09-25T10:{:02}:40.123456789012+01:00", i % 60),
        })
        .collect();
    let numbers: Vec<String> = (0..N)
        .map(|i| match i % 5 {
            0 => format!("{i}"),
            1 => format!("-{}", i * 7919),
            2 => format!("0.{i:04}"),
            3 => format!("{i}.25e-3"),
            _ => format!("1.{i}234567890123456789e{}", i % 300),
        })
        .collect();
    let strings: Vec<String> = (0..N).map(|i| format!("caller-{i}-Zürich")).collect();
    let arena = bumpalo::Bump::with_capacity(1 << 16);

    // The counter is live: an owned decode does allocate.
    let before = allocations();
    let owned = JsonStr::from_raw(br"\n").decode();
    assert!(matches!(owned, Ok(Cow::Owned(_))));
    assert!(allocations() > before, "the counting allocator saw nothing");
    drop(owned);

    let before = allocations();
    let mut checksum: i64 = 0;
    let mut errors = 0usize;
    for s in &durations {
        match Duration::parse(s.as_bytes()) {
            Ok(d) => checksum = checksum.wrapping_add(d.as_nanos()),
            Err(_) => errors += 1,
        }
    }
    for s in &timestamps {
        match Timestamp::parse(s.as_bytes()) {
            Ok(t) => {
                checksum = checksum.wrapping_add(t.unix_seconds() + i64::from(t.subsec_nanos()))
            }
            Err(_) => errors += 1,
        }
    }
    for s in &numbers {
        match parse_f64(s.as_bytes()) {
            Ok(v) => checksum = checksum.wrapping_add(v.to_bits() as i64),
            Err(_) => errors += 1,
        }
        if let Ok(v) = parse_i64(s.as_bytes()) {
            checksum = checksum.wrapping_add(v);
        }
        if let Ok(v) = parse_i32(s.as_bytes()) {
            checksum = checksum.wrapping_add(i64::from(v));
        }
    }
    for s in &strings {
        let j = JsonStr::from_raw(s.as_bytes());
        match j.decode() {
            Ok(Cow::Borrowed(d)) => checksum = checksum.wrapping_add(d.len() as i64),
            Ok(Cow::Owned(_)) | Err(_) => errors += 1,
        }
        match j.decode_in(&arena) {
            Ok(d) => checksum = checksum.wrapping_add(d.len() as i64),
            Err(_) => errors += 1,
        }
        if j.eq_str(s) {
            checksum = checksum.wrapping_add(1);
        }
    }
    // Escaped strings: comparing never allocates, and the special float strings neither.
    let escaped = JsonStr::from_raw(br"c\u0061ller \ud83d\ude00");
    let specials = [&b"NaN"[..], b"INF", b"-INF"];
    for i in 0..N {
        if escaped.eq_str("caller \u{1F600}") {
            checksum = checksum.wrapping_add(1);
        }
        if let Ok(v) = parse_f64_str(JsonStr::from_raw(specials[i % 3])) {
            checksum = checksum.wrapping_add(v.to_bits() as i64);
        }
    }
    let after = allocations();

    assert_eq!(errors, 0);
    assert_ne!(checksum, 0);
    assert_eq!(after - before, 0, "heap allocations while parsing values");
    // Decoding escapes into the arena makes no heap allocation while the arena has room.
    let before = allocations();
    for _ in 0..100 {
        if let Ok(d) = escaped.decode_in(&arena) {
            checksum = checksum.wrapping_add(d.len() as i64);
        }
    }
    assert_eq!(
        allocations() - before,
        0,
        "decode_in allocated outside the arena"
    );
    assert_ne!(checksum, 0);
}
