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

#![allow(clippy::panic)] // reason: a benchmark that sees an error must stop

use std::hint::black_box;
use std::io::Cursor;
use std::time::Duration;

use callrecords::generate::{to_vec, GenOptions, Shape};
use callrecords::{Event, Reader};
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
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

fn bench<M: Measurement>(c: &mut Criterion<M>) {
    let quick = std::env::var_os("CALLRECORDS_BENCH_QUICK").is_some();
    let doc = to_vec(&GenOptions {
        seed: 1,
        target_bytes: PAYLOAD_BYTES,
        compact: false,
        shape: Shape::Sessions,
    });
    assert_eq!(slice(&doc), reader(&doc), "both paths see the same events");
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

/// On-CPU time of the calling thread in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn thread_cpu_ns() -> u64 {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` is the C library function with this signature on 64-bit Linux
    // (`clockid_t` is `int`, `struct timespec` is two 64-bit fields); `ts` is a valid, writable
    // `Timespec` for the duration of the call.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Criterion measurement: on-CPU time of the benchmark thread, in nanoseconds.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
struct ThreadCpuTime;

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &NanosFormatter
    }
}

/// Formats nanosecond values (ns … s) and throughputs (MiB/s, GiB/s; elem/s).
struct NanosFormatter;

impl ValueFormatter for NanosFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical < 1e3 {
            (1.0, "ns")
        } else if typical < 1e6 {
            (1e-3, "µs")
        } else if typical < 1e9 {
            (1e-6, "ms")
        } else {
            (1e-9, "s")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_throughputs(
        &self,
        typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let (per_iter, bytes) = match *throughput {
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) => (n as f64, true),
            Throughput::Elements(n) => (n as f64, false),
        };
        // Per second.
        let typical = per_iter * 1e9 / typical;
        values.iter_mut().for_each(|v| *v = per_iter * 1e9 / *v);
        let (factor, unit) = match (bytes, typical >= 1024.0 * 1024.0 * 1024.0) {
            (true, true) => (1.0 / (1024.0 * 1024.0 * 1024.0), "GiB/s"),
            (true, false) => (1.0 / (1024.0 * 1024.0), "MiB/s"),
            (false, _) => (1.0, "elem/s"),
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn main() {
    let cpu_time =
        std::env::var("CALLRECORDS_BENCH_CPU_TIME").is_ok_and(|v| !v.is_empty() && v != "0");
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    if cpu_time {
        let mut c = Criterion::default()
            .with_measurement(ThreadCpuTime)
            .configure_from_args();
        bench(&mut c);
        c.final_summary();
        return;
    }
    let _ = cpu_time;
    let mut c = Criterion::<WallTime>::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
