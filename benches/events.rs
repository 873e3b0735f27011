//! Event-iterator benchmark: `callrecords::events` against typed, borrowed serde peers
//! (serde_json, sonic-rs 0.5, simd-json 0.15), all with the same coverage, durations and
//! timestamps parsed (see `benches/support/peers.rs`).
//!
//! Groups (one per payload, `Throughput::Bytes`):
//! * `events_docs_corpus`: every `corpus/docs/*.json` except the two `_jsonrep.json` templates,
//!   all parsed per iteration;
//! * `events_pretty_64mib` and `events_compact_64mib`: one large sessions page;
//! * `events_page60_compact`: one 60-session page, as Graph sends it.
//!
//! Run: `cargo bench --bench events` (full), or one of the quick modes:
//! * `cargo bench --bench events -- --quick`: criterion 0.5's own quick mode (no warm-up; doubles
//!   the iteration count until two samples agree within 5%, at most `measurement_time`);
//! * `CALLRECORDS_BENCH_QUICK=1 cargo bench --bench events`: 10 flat samples, 0.5 s warm-up,
//!   2 s measurement per benchmark (the payloads stay the same);
//! * CI (`.ci/run`) sets both: `--quick` then drives the sampling and stops each benchmark
//!   after the 2 s `measurement_time` at the latest.
//!
//! * `CALLRECORDS_BENCH_CPU_TIME=1` (Linux): measure the bench thread's on-CPU time
//!   (`CLOCK_THREAD_CPUTIME_ID`) instead of wall time, so that a machine shared with other jobs
//!   (the 2-core dev box) does not count the time the thread spends waiting for a core; it is
//!   reported in the same units, and combines with the quick modes.
//!
//! Add a filter as usual, e.g. `-- sonic` or `-- compact_64mib`. Medians are in
//! `target/criterion/events_<payload>/<peer>/new/estimates.json`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use std::time::Duration;
use support::payload::{docs_files, payload, Payload};
use support::peers::{serde_json_parse, sonic_rs_parse, SimdJsonPeer};

/// `CALLRECORDS_BENCH_QUICK=1` (or any non-empty value other than `0`).
fn quick() -> bool {
    std::env::var("CALLRECORDS_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn configure<M: Measurement>(group: &mut BenchmarkGroup<'_, M>, large: bool) {
    if large {
        // One iteration of a 64 MiB payload takes tens to hundreds of milliseconds.
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
    }
    if quick() {
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(2));
    } else if large {
        group.warm_up_time(Duration::from_secs(2));
        group.measurement_time(Duration::from_secs(10));
    }
}

/// Benchmarks one set of documents (parsed one after the other per iteration) with every parser.
fn bench_docs<M: Measurement>(
    c: &mut Criterion<M>,
    group_name: &str,
    docs: &[Vec<u8>],
    large: bool,
) {
    let total: usize = docs.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(total as u64));
    configure(&mut group, large);

    // callrecords: the reusable `Parser` (as an ingester runs it), touching every record. The lazy
    // trace-route hops are walked too, so the coverage matches the peers', which build them.
    let mut parser = callrecords::Parser::new();
    group.bench_function("callrecords_events", |b| {
        b.iter(|| {
            for bytes in docs {
                let (mut sessions, mut segments, mut media, mut streams) = (0u64, 0u64, 0u64, 0u64);
                for event in parser.events(black_box(bytes)) {
                    match event.expect("bench payloads are valid") {
                        callrecords::Event::Session(s) => {
                            sessions += 1;
                            black_box(&s);
                        }
                        callrecords::Event::Segment(s) => {
                            segments += 1;
                            black_box(&s);
                        }
                        callrecords::Event::Media(m) => {
                            media += 1;
                            for network in
                                [&m.caller_network, &m.callee_network].into_iter().flatten()
                            {
                                if let Some(hops) = &network.trace_route_hops {
                                    for hop in hops.iter() {
                                        black_box(&hop);
                                    }
                                }
                            }
                            black_box(&m);
                        }
                        callrecords::Event::Stream(s) => {
                            streams += 1;
                            black_box(&s);
                        }
                        other => {
                            black_box(&other);
                        }
                    }
                }
                black_box((sessions, segments, media, streams));
            }
        })
    });

    group.bench_function("serde_json", |b| {
        b.iter(|| {
            for bytes in docs {
                let doc = serde_json_parse(black_box(bytes)).unwrap();
                black_box(doc.counts());
                black_box(&doc);
            }
        })
    });
    group.bench_function("sonic_rs", |b| {
        b.iter(|| {
            for bytes in docs {
                let doc = sonic_rs_parse(black_box(bytes)).unwrap();
                black_box(doc.counts());
                black_box(&doc);
            }
        })
    });
    let mut simd = SimdJsonPeer::default();
    group.bench_function("simd_json", |b| {
        b.iter(|| {
            for bytes in docs {
                let doc = simd.parse(black_box(bytes)).unwrap();
                black_box(doc.counts());
                black_box(&doc);
            }
        })
    });
    group.finish();
}

fn events<M: Measurement>(c: &mut Criterion<M>) {
    let large_bytes = 64 << 20;
    let corpus: Vec<Vec<u8>> = docs_files().into_iter().map(|(_, b)| b).collect();
    bench_docs(c, "events_docs_corpus", &corpus, false);
    let pretty = payload(Payload::Pretty {
        target_bytes: large_bytes,
    });
    bench_docs(c, "events_pretty_64mib", &[pretty], true);
    let compact = payload(Payload::Compact {
        target_bytes: large_bytes,
    });
    bench_docs(c, "events_compact_64mib", &[compact], true);
    bench_docs(
        c,
        "events_page60_compact",
        &[payload(Payload::Page60)],
        false,
    );
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
        events(&mut c);
        c.final_summary();
        return;
    }
    let _ = cpu_time;
    let mut c = Criterion::<WallTime>::default().configure_from_args();
    events(&mut c);
    c.final_summary();
}
