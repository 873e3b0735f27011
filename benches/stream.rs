//! Streaming throughput against slice throughput on the generated 64 MiB pretty payload.
//!
//! - `slice`: `callrecords::events` over the document in memory, touching every event;
//! - `reader`: `callrecords::Reader` over an in-memory `io::Cursor` of the same bytes (64 KiB
//!   reads), touching every event of every section: the splitter, the window copy and the
//!   per-session parse;
//! - `split_only`: the `Reader` without parsing the sections (the splitter and the copies alone).
//!
//! Goal: `reader` at 90% or more of `slice`. `CALLRECORDS_BENCH_QUICK=1` takes fewer, shorter
//! samples; `CALLRECORDS_BENCH_CPU_TIME=1` (Linux) measures the bench thread's on-CPU time instead
//! of wall time, as the events bench does, for a shared machine.
//!
//! Criterion measures one benchmark after the other, so on a machine whose speed drifts, its
//! `slice` and `reader` medians can come from different conditions. Before them, on Linux, the
//! bench alternates a slice pass and a reader pass (31 pairs, 15 in quick mode) and prints the
//! median of the per-pair throughput ratios: the figure to compare with the goal.
//!
//! It then alternates the slice iterator over the page and over the page cut 100 bytes short (5
//! pairs, 11 in full), and prints what the end-of-input error costs, its JSON path included, as
//! a ratio of times (`error path, … cut/whole time`).

#![allow(clippy::panic)] // reason: a benchmark that sees an error must stop

#[path = "support/cpu_time.rs"]
mod cpu_time;

use std::hint::black_box;
use std::io::Cursor;
use std::time::Duration;

use callrecords::generate::{to_vec, GenOptions, Shape};
use callrecords::{Event, Reader};
use criterion::measurement::{Measurement, WallTime};
use criterion::{Criterion, Throughput};

const PAYLOAD_BYTES: usize = 64 << 20;

/// The same cheap consumer for both paths: count events by kind.
#[inline]
fn touch(ev: &Event<'_>, counts: &mut [u64; 4]) {
    match ev {
        Event::Session(_) => counts[0] += 1,
        Event::Segment(_) => counts[1] += 1,
        Event::Stream(s) => counts[2] += u64::from(s.average_jitter.is_some()),
        _ => counts[3] += 1,
    }
}

fn slice(doc: &[u8]) -> [u64; 4] {
    let mut counts = [0; 4];
    for ev in callrecords::events(doc) {
        match ev {
            Ok(ev) => touch(&ev, &mut counts),
            Err(e) => panic!("slice: {e}"),
        }
    }
    counts
}

fn reader(doc: &[u8]) -> [u64; 4] {
    let mut counts = [0; 4];
    let mut reader = Reader::new(Cursor::new(doc));
    loop {
        let mut section = match reader.next_section() {
            Ok(Some(s)) => s,
            Ok(None) => break,
            Err(e) => panic!("reader: {e}"),
        };
        for ev in section.events() {
            match ev {
                Ok(ev) => touch(&ev, &mut counts),
                Err(e) => panic!("reader: {e}"),
            }
        }
    }
    counts
}

fn split_only(doc: &[u8]) -> u64 {
    let mut n = 0;
    let mut reader = Reader::new(Cursor::new(doc));
    while let Ok(Some(section)) = reader.next_section() {
        n += section.bytes().len() as u64;
    }
    n
}

/// Alternates `pairs` runs of `first` and `second` in this thread; returns the on-CPU medians of
/// each, in ms, and the median of the per-pair time ratios `second / first`.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn alternate(pairs: usize, mut first: impl FnMut(), mut second: impl FnMut()) -> [f64; 3] {
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut f, mut s, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..pairs {
        let t0 = cpu_time::thread_cpu_ns();
        first();
        let t1 = cpu_time::thread_cpu_ns();
        second();
        let t2 = cpu_time::thread_cpu_ns();
        let (a, b) = ((t1 - t0) as f64 / 1e6, (t2 - t1) as f64 / 1e6);
        f.push(a);
        s.push(b);
        ratio.push(b / a);
    }
    [median(&mut f), median(&mut s), median(&mut ratio)]
}

/// Alternates `pairs` slice and reader passes and prints their on-CPU medians and the median of
/// the per-pair throughput ratios (reader over slice; `pairs` is odd, so it is the reciprocal of
/// the median time ratio).
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn alternated_ratio(doc: &[u8], pairs: usize) {
    let [s, r, time_ratio] = alternate(
        pairs,
        || {
            black_box(slice(black_box(doc)));
        },
        || {
            black_box(reader(black_box(doc)));
        },
    );
    eprintln!(
        "stream ratio, {pairs} alternated pairs (on-CPU medians): slice {s:.1} ms, reader {r:.1} ms, \
         reader/slice throughput {:.3} (goal 0.90)",
        1.0 / time_ratio
    );
}

/// The slice iterator over the page cut 100 bytes before its end, up to its end-of-input error,
/// whose JSON path is worked out by walking the bytes before it.
fn cut_short(cut: &[u8]) -> ([u64; 4], usize) {
    let mut counts = [0; 4];
    for ev in callrecords::events(cut) {
        match ev {
            Ok(ev) => touch(&ev, &mut counts),
            Err(e) => match e.path() {
                Some(path) if e.is_eof() => return (counts, path.len()),
                _ => panic!("cut page: {e}"),
            },
        }
    }
    panic!("cut page: no error")
}

/// Alternates `pairs` slice passes over the whole page and over the page cut short, and prints
/// their on-CPU medians and the median per-pair ratio: what an error at the end costs, its JSON
/// path included, against a parse that succeeds.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn error_path_cost(doc: &[u8], pairs: usize) {
    let cut = &doc[..doc.len() - 100];
    let [w, c, ratio] = alternate(
        pairs,
        || {
            black_box(slice(black_box(doc)));
        },
        || {
            black_box(cut_short(black_box(cut)));
        },
    );
    eprintln!(
        "error path, {pairs} alternated pairs (on-CPU medians): whole page {w:.1} ms, cut 100 bytes \
         short (end-of-input error and its JSON path) {c:.1} ms, cut/whole time {ratio:.3}"
    );
}

fn bench<M: Measurement>(c: &mut Criterion<M>) {
    let quick = std::env::var_os("CALLRECORDS_BENCH_QUICK").is_some();
    let doc = to_vec(&GenOptions {
        seed: 1,
        target_bytes: PAYLOAD_BYTES,
        compact: false,
        shape: Shape::Sessions,
    });
    assert_eq!(slice(&doc), reader(&doc), "both paths see the same events");
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    alternated_ratio(&doc, if quick { 15 } else { 31 });
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    error_path_cost(&doc, if quick { 5 } else { 11 });
    let mut g = c.benchmark_group("stream_64mib_pretty");
    g.throughput(Throughput::Bytes(doc.len() as u64));
    if quick {
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_secs(2));
    } else {
        g.sample_size(20).measurement_time(Duration::from_secs(15));
    }
    g.bench_function("slice", |b| b.iter(|| black_box(slice(black_box(&doc)))));
    g.bench_function("reader", |b| b.iter(|| black_box(reader(black_box(&doc)))));
    g.bench_function("split_only", |b| {
        b.iter(|| black_box(split_only(black_box(&doc))))
    });
    g.finish();
}

fn main() {
    cpu_time::main_with(
        bench::<WallTime>,
        #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
        bench::<cpu_time::ThreadCpuTime>,
    );
}
