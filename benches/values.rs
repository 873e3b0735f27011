// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]
//! Value parsers against speedate, on the forms real call records carry.
//!
//! Each benchmark parses the whole mix once per iteration; criterion's `Throughput::Elements` turns
//! that into time per value. Run with `cargo bench --bench values` (add `-- --quick` for a short run).

use callrecords::value::{parse_f64, parse_i64};
use callrecords::{Duration, JsonStr, Timestamp};
use criterion::{black_box, criterion_group, Criterion, Throughput};

const DURATIONS: &[&str] = &[
    "PT0.016S",
    "PT0.02S",
    "PT1S",
    "PT1M2.5S",
    "P1DT2H",
    "PT0.045S",
    "PT12M34.5678S",
    "PT0S",
];

const TIMESTAMPS: &[&str] = &[
    "2020-02-25T18:52:21.2169889Z",
    "2020-02-25T19:00:24.582757Z",
    "2023-09-25T10:36:40Z",
    "2023-09-25T11:36:40.1234567+01:00",
    "2020-02-25T18:52:21.2169889Z",
    "2023-09-25T11:36:40+01:00",
];

const NUMBERS: &[&str] = &[
    "0",
    "23",
    "3830",
    "0.016",
    "4294967295",
    "0.1234567",
    "-17",
    "1",
];

fn durations(c: &mut Criterion) {
    let mut g = c.benchmark_group("duration");
    g.throughput(Throughput::Elements(DURATIONS.len() as u64));
    g.bench_function("callrecords", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for s in DURATIONS {
                if let Ok(d) = Duration::parse(black_box(s.as_bytes())) {
                    sum = sum.wrapping_add(d.as_nanos());
                }
            }
            sum
        })
    });
    g.bench_function("speedate", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for s in DURATIONS {
                if let Ok(d) = speedate::Duration::parse_bytes(black_box(s.as_bytes())) {
                    sum = sum.wrapping_add(i64::from(d.second) + i64::from(d.microsecond));
                }
            }
            sum
        })
    });
    g.finish();
}

fn timestamps(c: &mut Criterion) {
    let mut g = c.benchmark_group("timestamp");
    g.throughput(Throughput::Elements(TIMESTAMPS.len() as u64));
    g.bench_function("callrecords", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for s in TIMESTAMPS {
                if let Ok(t) = Timestamp::parse(black_box(s.as_bytes())) {
                    sum = sum.wrapping_add(t.unix_seconds() + i64::from(t.subsec_nanos()));
                }
            }
            sum
        })
    });
    g.bench_function("speedate", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for s in TIMESTAMPS {
                if let Ok(t) = speedate::DateTime::parse_bytes(black_box(s.as_bytes())) {
                    sum = sum.wrapping_add(t.timestamp() + i64::from(t.time.microsecond));
                }
            }
            sum
        })
    });
    g.finish();
}

fn numbers_and_strings(c: &mut Criterion) {
    let mut g = c.benchmark_group("number");
    g.throughput(Throughput::Elements(NUMBERS.len() as u64));
    g.bench_function("parse_f64", |b| {
        b.iter(|| {
            let mut sum = 0.0f64;
            for s in NUMBERS {
                if let Ok(v) = parse_f64(black_box(s.as_bytes())) {
                    sum += v;
                }
            }
            sum
        })
    });
    g.bench_function("std_f64", |b| {
        b.iter(|| {
            let mut sum = 0.0f64;
            for s in NUMBERS {
                if let Ok(v) = black_box(*s).parse::<f64>() {
                    sum += v;
                }
            }
            sum
        })
    });
    g.bench_function("parse_i64", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for s in NUMBERS {
                if let Ok(v) = parse_i64(black_box(s.as_bytes())) {
                    sum = sum.wrapping_add(v);
                }
            }
            sum
        })
    });
    g.finish();

    let mut g = c.benchmark_group("string");
    g.throughput(Throughput::Elements(1));
    let escaped = JsonStr::from_raw(br"c\u0061ller");
    g.bench_function("eq_str_escaped", |b| {
        b.iter(|| black_box(escaped).eq_str(black_box("caller")))
    });
    g.finish();
}

criterion_group!(benches, durations, timestamps, numbers_and_strings);

/// `VALUES_BENCH_LOOP=<name>` runs one parser over its mix 100,000 times and exits, for counting
/// instructions with `valgrind --tool=callgrind` when wall-clock timings are too noisy (a shared
/// machine). Names: `duration`, `speedate_duration`, `timestamp`, `speedate_timestamp`.
fn instruction_count_mode(name: &str) {
    let mut sum = 0i64;
    for _ in 0..100_000 {
        match name {
            "duration" => {
                for s in DURATIONS {
                    if let Ok(d) = Duration::parse(black_box(s.as_bytes())) {
                        sum = sum.wrapping_add(d.as_nanos());
                    }
                }
            }
            "speedate_duration" => {
                for s in DURATIONS {
                    if let Ok(d) = speedate::Duration::parse_bytes(black_box(s.as_bytes())) {
                        sum = sum.wrapping_add(i64::from(d.second));
                    }
                }
            }
            "timestamp" => {
                for s in TIMESTAMPS {
                    if let Ok(t) = Timestamp::parse(black_box(s.as_bytes())) {
                        sum = sum.wrapping_add(t.unix_seconds());
                    }
                }
            }
            "speedate_timestamp" => {
                for s in TIMESTAMPS {
                    if let Ok(t) = speedate::DateTime::parse_bytes(black_box(s.as_bytes())) {
                        sum = sum.wrapping_add(t.timestamp());
                    }
                }
            }
            _ => return,
        }
    }
    black_box(sum);
}

fn main() {
    if let Ok(name) = std::env::var("VALUES_BENCH_LOOP") {
        instruction_count_mode(&name);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
