//! The tokenizer's full validating walk, side by side with simd-json (`to_tape` with reused
//! `Buffers`) and serde_json (`IgnoredAny`), on the docs corpus and on a large generated payload,
//! pretty and compact.
//!
//! `cargo bench --bench tokenizer`. Quick mode for CI: `CALLRECORDS_BENCH_QUICK=1` (an 8 MiB
//! payload instead of 64 MiB, fewer samples; combine with criterion's `-- --quick`).
//!
//! Contenders, per payload:
//!
//! - `tokenizer_validate`: `Tokenizer::skip_value` + `finish` over the whole document, with a reused
//!   `Scratch` (the full validation every parse does, nothing decoded);
//! - `tokenizer_tokens`: a `next_token` walk to the end (every token handed out);
//! - `simd_json_tape`: `simd_json::to_tape_with_buffers` with reused `Buffers`. simd-json rewrites
//!   its input in place, so each iteration works on a fresh copy made outside the timed section;
//! - `serde_json_ignored`: `serde_json::from_slice::<serde::de::IgnoredAny>`.

#![allow(
    clippy::panic,
    reason = "a benchmark with bad inputs should stop loudly"
)]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use callrecords::generate::{GenOptions, Shape};
use callrecords::tokenizer::{Scratch, Tokenizer, DEFAULT_DEPTH_LIMIT};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

fn quick() -> bool {
    std::env::var_os("CALLRECORDS_BENCH_QUICK").is_some()
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/docs")
}

fn docs_corpus() -> Vec<Vec<u8>> {
    let mut paths: Vec<_> = std::fs::read_dir(corpus_dir())
        .map(|dir| dir.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|x| x == "json"));
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

/// A generated sessions page of about `target` bytes (`callrecords gen --seed 1 --size ...`).
fn large_payload(target: usize, compact: bool) -> Vec<u8> {
    callrecords::generate::to_vec(&GenOptions {
        seed: 1,
        target_bytes: target,
        compact,
        shape: Shape::Sessions,
    })
}

fn tokenizer_validate(input: &[u8], scratch: &mut Option<Scratch>) -> bool {
    let s = scratch.take().unwrap_or_default();
    let mut t = Tokenizer::with_scratch(input, s, DEFAULT_DEPTH_LIMIT);
    let ok = t.skip_value().is_ok() && t.finish().is_ok();
    *scratch = Some(t.into_scratch());
    ok
}

fn tokenizer_tokens(input: &[u8], scratch: &mut Option<Scratch>) -> usize {
    let s = scratch.take().unwrap_or_default();
    let mut t = Tokenizer::with_scratch(input, s, DEFAULT_DEPTH_LIMIT);
    let mut n = 0;
    while let Ok(Some(_)) = t.next_token() {
        n += 1;
    }
    *scratch = Some(t.into_scratch());
    n
}

fn bench_docs(inputs: &[Vec<u8>], name: &str, c: &mut Criterion) {
    let total: usize = inputs.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(total as u64));
    if quick() {
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(2));
    }
    for input in inputs {
        assert!(
            tokenizer_validate(input, &mut None),
            "tokenizer rejects a {name} input"
        );
    }

    let mut scratch = Some(Scratch::default());
    group.bench_function("tokenizer_validate", |b| {
        b.iter(|| {
            for input in inputs {
                black_box(tokenizer_validate(black_box(input), &mut scratch));
            }
        })
    });
    group.bench_function("tokenizer_tokens", |b| {
        b.iter(|| {
            for input in inputs {
                black_box(tokenizer_tokens(black_box(input), &mut scratch));
            }
        })
    });
    let mut buffers = simd_json::Buffers::new(inputs.iter().map(Vec::len).max().unwrap_or(0));
    group.bench_function("simd_json_tape", |b| {
        b.iter_batched_ref(
            || inputs.to_vec(),
            |copies| {
                for copy in copies.iter_mut() {
                    let tape = simd_json::to_tape_with_buffers(copy, &mut buffers);
                    black_box(tape.map(|t| t.0.len()).ok());
                }
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("serde_json_ignored", |b| {
        b.iter(|| {
            for input in inputs {
                black_box(
                    serde_json::from_slice::<serde::de::IgnoredAny>(black_box(input)).is_ok(),
                );
            }
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_docs(&docs_corpus(), "docs_corpus", c);
    let size = if quick() { 8 << 20 } else { 64 << 20 };
    let label = if quick() { "8MiB" } else { "64MiB" };
    for compact in [false, true] {
        let payload = large_payload(size, compact);
        let name = format!("{}_{label}", if compact { "compact" } else { "pretty" });
        bench_docs(std::slice::from_ref(&payload), &name, c);
    }
}

criterion_group!(tokenizer, benches);
criterion_main!(tokenizer);
