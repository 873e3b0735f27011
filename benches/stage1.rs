//! Stage 1 alone (structural index + UTF-8 validation, window by window), per supported backend.
//!
//! Inputs: the docs corpus (`corpus/docs/*.json`) scanned file by file, and two larger payloads
//! built from it: "pretty" (the files as they are, repeated to 16 MiB) and "compact" (the same
//! with whitespace outside strings removed). Stage 1 does not check the grammar, so concatenated
//! documents are a fair workload. (When `callrecords::generate::to_vec` is implemented, the
//! payloads should switch to generated 64 MiB pretty and compact documents.)
//!
//! `cargo bench --bench stage1` for the full run, `cargo bench --bench stage1 -- --quick` for a
//! quick one. On a busy machine, set `STAGE1_CPU_TIME=1` to also print each backend's throughput
//! per second of this thread's on-CPU time (Linux `/proc/thread-self/schedstat`), which waiting
//! for a core does not inflate. Forcing a backend through `CALLRECORDS_BACKEND` is not needed: every supported
//! backend is measured side by side.

#![allow(missing_docs)] // reason: `criterion_group!` generates undocumented items

use std::hint::black_box;
use std::time::Duration;

use callrecords::{stage1::Scanner, Backend};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Size of the large payloads.
const PAYLOAD_BYTES: usize = 16 << 20;

fn docs() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/docs");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

/// The docs repeated (newline-separated) until `PAYLOAD_BYTES`.
fn pretty(docs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(PAYLOAD_BYTES + (1 << 16));
    while out.len() < PAYLOAD_BYTES && !docs.is_empty() {
        for doc in docs {
            out.extend_from_slice(doc);
            out.push(b'\n');
        }
    }
    out
}

/// `text` without whitespace outside strings (one space between documents).
fn compact(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in text {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'\n' && out.last() == Some(&b'}') {
            out.push(b' ');
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            in_string = b == b'"';
            out.push(b);
        }
    }
    out
}

/// Nanoseconds this thread has spent on a CPU, if the kernel says.
fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Throughput per on-CPU second, for each backend, over `rounds` scans of each input.
fn cpu_time_report(backends: &[Backend], inputs: &[(&str, &[u8])]) {
    for &(name, input) in inputs {
        for &backend in backends {
            let Some(mut scanner) = Scanner::new(backend) else {
                continue;
            };
            black_box(scanner.scan(input).ok());
            let rounds = 10;
            let Some(before) = cpu_ns() else {
                return;
            };
            for _ in 0..rounds {
                black_box(scanner.scan(black_box(input)).ok());
            }
            let Some(after) = cpu_ns() else {
                return;
            };
            let secs = (after.saturating_sub(before)) as f64 / 1e9;
            let gbps = (input.len() * rounds) as f64 / secs.max(1e-9) / 1e9;
            eprintln!("stage1 cpu-time {name}/{}: {gbps:.2} GB/s", backend.name());
        }
    }
}

fn bench(c: &mut Criterion) {
    let docs = docs();
    let pretty = pretty(&docs);
    let compact = compact(&pretty);
    let backends = Backend::supported();
    if std::env::var_os("STAGE1_CPU_TIME").is_some() {
        cpu_time_report(&backends, &[("pretty", &pretty), ("compact", &compact)]);
    }
    eprintln!(
        "stage1 bench: detected backend {}, measuring {}",
        callrecords::backend(),
        backends
            .iter()
            .map(|b| b.name())
            .collect::<Vec<_>>()
            .join(", ")
    );

    for (name, input) in [("pretty", &pretty), ("compact", &compact)] {
        let mut group = c.benchmark_group(format!("stage1/{name}"));
        group
            .throughput(Throughput::Bytes(input.len() as u64))
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        for &backend in &backends {
            let Some(mut scanner) = Scanner::new(backend) else {
                continue;
            };
            group.bench_function(backend.name(), |b| {
                b.iter(|| black_box(scanner.scan(black_box(input)).ok()))
            });
        }
        group.finish();
    }

    let total: usize = docs.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group("stage1/docs");
    group
        .throughput(Throughput::Bytes(total as u64))
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    for &backend in &backends {
        let Some(mut scanner) = Scanner::new(backend) else {
            continue;
        };
        group.bench_function(backend.name(), |b| {
            b.iter(|| {
                for doc in &docs {
                    black_box(scanner.scan(black_box(doc)).ok());
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
