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
//!
//! Before each payload's criterion group, the bench runs the four parsers in turn in its thread
//! (11 rounds, 5 in the quick modes; Linux, on-CPU time) and prints a line `events alternated
//! <payload>, ...` with each one's median time per pass and the median ratio of each peer's time
//! to callrecords': criterion's benchmarks run seconds apart, and on a machine whose speed drifts
//! those ratios are the steadier ones.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/cpu_time.rs"]
mod cpu_time;
mod support;

use criterion::measurement::{Measurement, WallTime};
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

    let mut parser = callrecords::Parser::new();
    group.bench_function("callrecords_events", |b| {
        b.iter(|| callrecords_pass(&mut parser, docs))
    });
    group.bench_function("serde_json", |b| b.iter(|| serde_json_pass(docs)));
    group.bench_function("sonic_rs", |b| b.iter(|| sonic_rs_pass(docs)));
    let mut simd = SimdJsonPeer::default();
    group.bench_function("simd_json", |b| b.iter(|| simd_json_pass(&mut simd, docs)));
    group.finish();
}

/// One pass of callrecords over `docs`: the reusable `Parser` (as an ingester runs it), touching
/// every record. The lazy trace-route hops are walked too, so the coverage matches the peers',
/// which build them.
fn callrecords_pass(parser: &mut callrecords::Parser, docs: &[Vec<u8>]) {
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
                    for network in [&m.caller_network, &m.callee_network].into_iter().flatten() {
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
}

/// One pass of serde_json (typed, borrowed) over `docs`.
fn serde_json_pass(docs: &[Vec<u8>]) {
    for bytes in docs {
        let doc = serde_json_parse(black_box(bytes)).unwrap();
        black_box(doc.counts());
        black_box(&doc);
    }
}

/// One pass of sonic-rs (typed, borrowed) over `docs`.
fn sonic_rs_pass(docs: &[Vec<u8>]) {
    for bytes in docs {
        let doc = sonic_rs_parse(black_box(bytes)).unwrap();
        black_box(doc.counts());
        black_box(&doc);
    }
}

/// One pass of simd-json (typed, borrowed, buffers reused) over `docs`.
fn simd_json_pass(simd: &mut SimdJsonPeer, docs: &[Vec<u8>]) {
    for bytes in docs {
        let doc = simd.parse(black_box(bytes)).unwrap();
        black_box(doc.counts());
        black_box(&doc);
    }
}

/// Runs the four parsers over `docs` in turn, `rounds` times, in this thread, and prints each
/// one's on-CPU median per pass and the median over rounds of its time over callrecords' time.
///
/// Criterion measures the parsers one after the other, seconds apart, and this machine's speed
/// moves by up to a third between minutes; neighbouring passes see the same conditions, so these
/// ratios are the steadier ones. Each timed pass repeats the documents until it holds about 4 MiB.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn alternated(name: &str, docs: &[Vec<u8>], rounds: usize) {
    let total: usize = docs.iter().map(Vec::len).sum();
    let reps = ((4 << 20) / total.max(1)).max(1);
    let mut parser = callrecords::Parser::new();
    let mut simd = SimdJsonPeer::default();
    let mut times: [Vec<f64>; 4] = Default::default();
    let mut ratios: [Vec<f64>; 3] = Default::default();
    for _ in 0..rounds {
        let mut round = [0.0; 4];
        for (k, slot) in round.iter_mut().enumerate() {
            let t0 = cpu_time::thread_cpu_ns();
            for _ in 0..reps {
                match k {
                    0 => callrecords_pass(&mut parser, docs),
                    1 => serde_json_pass(docs),
                    2 => sonic_rs_pass(docs),
                    _ => simd_json_pass(&mut simd, docs),
                }
            }
            *slot = (cpu_time::thread_cpu_ns() - t0) as f64 / reps as f64;
        }
        for (k, t) in round.iter().enumerate() {
            times[k].push(*t);
        }
        for (k, r) in ratios.iter_mut().enumerate() {
            r.push(round[k + 1] / round[0]);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let time = |ns: f64| {
        if ns >= 1e6 {
            format!("{:.2} ms", ns / 1e6)
        } else {
            format!("{:.1} µs", ns / 1e3)
        }
    };
    let [cr, sj, so, sd] = times.map(|mut v| median(&mut v));
    let [rj, ro, rd] = ratios.map(|mut v| median(&mut v));
    eprintln!(
        "events alternated {name}, {rounds} rounds (on-CPU medians per pass; peer time over \
         callrecords' time): callrecords {}, serde_json {} ({rj:.2}×), sonic-rs {} ({ro:.2}×), \
         simd-json {} ({rd:.2}×)",
        time(cr),
        time(sj),
        time(so),
        time(sd),
    );
}

/// The alternated comparison (see [`alternated`]) and then the criterion group, for one payload.
fn compare<M: Measurement>(c: &mut Criterion<M>, name: &str, docs: &[Vec<u8>], large: bool) {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    alternated(name, docs, if quick() { 5 } else { 11 });
    bench_docs(c, name, docs, large);
}

fn events<M: Measurement>(c: &mut Criterion<M>) {
    let large_bytes = 64 << 20;
    let corpus: Vec<Vec<u8>> = docs_files().into_iter().map(|(_, b)| b).collect();
    compare(c, "events_docs_corpus", &corpus, false);
    let pretty = payload(Payload::Pretty {
        target_bytes: large_bytes,
    });
    compare(c, "events_pretty_64mib", &[pretty], true);
    let compact = payload(Payload::Compact {
        target_bytes: large_bytes,
    });
    compare(c, "events_compact_64mib", &[compact], true);
    compare(
        c,
        "events_page60_compact",
        &[payload(Payload::Page60)],
        false,
    );
}

fn main() {
    cpu_time::main_with(
        events::<WallTime>,
        #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
        events::<cpu_time::ThreadCpuTime>,
    );
}
