//! CPU-time throughput of the slice iterator and the `Reader` (over an in-memory `io::Cursor`) on
//! the generated 64 MiB pretty page, for machines too busy for wall-clock benchmarks: run it under
//! `perf stat -e task-clock` once per mode and subtract the `none` mode (generation only).
//!
//! ```text
//! cargo run --release --example stream_throughput -- slice 5
//! cargo run --release --example stream_throughput -- reader 5
//! cargo run --release --example stream_throughput -- none 5
//! cargo run --release --example stream_throughput -- reader 5 262144   # read size
//! cargo run --release --example stream_throughput -- ratio 21           # interleaved, see below
//! ```
//!
//! It also prints each mode's own per-pass thread time when the platform offers it (Linux).
//!
//! `ratio N` alternates a slice pass and a reader pass N times in one thread and prints the median
//! on-CPU time of each and the median of the per-pair ratios (reader throughput over slice
//! throughput): on a machine whose other cores are busy, neighbouring passes see the same
//! conditions, so the ratio is steadier than two separate runs.

use std::io::Cursor;

#[allow(dead_code)] // reason: only the thread clock is used here, not the criterion measurement
#[path = "../benches/support/cpu_time.rs"]
mod cpu_time;

use callrecords::generate::{to_vec, GenOptions, Shape};
use callrecords::{Event, Reader};

fn touch(ev: &Event<'_>, counts: &mut [u64; 4]) {
    match ev {
        Event::Session(_) => counts[0] += 1,
        Event::Segment(_) => counts[1] += 1,
        Event::Stream(s) => counts[2] += u64::from(s.average_jitter.is_some()),
        _ => counts[3] += 1,
    }
}

/// This thread's CPU time in seconds, from `/proc/thread-self/stat` (Linux), if available.
fn thread_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "reader".into());
    let passes: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(5);
    let read_size: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(callrecords::stream::DEFAULT_READ_SIZE);
    let doc = to_vec(&GenOptions {
        seed: 1,
        target_bytes: 64 << 20,
        compact: false,
        shape: Shape::Sessions,
    });
    if mode == "ratio" {
        return ratio(&doc, passes, read_size);
    }
    let start = thread_cpu();
    let mut counts = [0u64; 4];
    for _ in 0..passes {
        match mode.as_str() {
            "slice" => slice_pass(&doc, &mut counts)?,
            "reader" => reader_pass(&doc, read_size, &mut counts)?,
            _ => {}
        }
    }
    if let (Some(a), Some(b)) = (start, thread_cpu()) {
        let per = (b - a) / f64::from(passes.max(1));
        let mbs = if per > 0.0 {
            doc.len() as f64 / per / 1e6
        } else {
            0.0
        };
        println!(
            "{mode}: {} bytes, {passes} passes, {per:.3} s CPU per pass, {mbs:.0} MB/s; counts {counts:?}",
            doc.len()
        );
    }
    Ok(())
}

fn slice_pass(doc: &[u8], counts: &mut [u64; 4]) -> Result<(), callrecords::Error> {
    for ev in callrecords::events(doc) {
        touch(&ev?, counts);
    }
    Ok(())
}

fn reader_pass(
    doc: &[u8],
    read_size: usize,
    counts: &mut [u64; 4],
) -> Result<(), callrecords::Error> {
    let options = callrecords::StreamOptions::new().read_size(read_size);
    let mut reader = Reader::with_options(Cursor::new(doc), options);
    while let Some(mut section) = reader.next_section()? {
        for ev in section.events() {
            touch(&ev?, counts);
        }
    }
    Ok(())
}

/// Alternates slice and reader passes; prints the medians and the median per-pair ratio.
fn ratio(doc: &[u8], pairs: u32, read_size: usize) -> Result<(), Box<dyn std::error::Error>> {
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut slice, mut reader, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut counts = [0u64; 4];
    for _ in 0..pairs.max(1) {
        let t0 = cpu_time::thread_cpu_ns();
        slice_pass(doc, &mut counts)?;
        let t1 = cpu_time::thread_cpu_ns();
        reader_pass(doc, read_size, &mut counts)?;
        let t2 = cpu_time::thread_cpu_ns();
        let (s, r) = ((t1 - t0) as f64 / 1e6, (t2 - t1) as f64 / 1e6);
        slice.push(s);
        reader.push(r);
        ratios.push(s / r);
    }
    let mb = doc.len() as f64 / 1e6;
    let (s, r) = (median(&mut slice), median(&mut reader));
    println!(
        "slice {s:.1} ms ({:.0} MB/s), reader {r:.1} ms ({:.0} MB/s), median reader/slice throughput ratio {:.3} over {} pairs",
        mb / s * 1e3,
        mb / r * 1e3,
        median(&mut ratios),
        pairs.max(1)
    );
    Ok(())
}
