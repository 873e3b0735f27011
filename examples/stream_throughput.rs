//! CPU-time throughput of the slice iterator and the `Reader` (over an in-memory `io::Cursor`) on
//! the generated 64 MiB pretty page, for machines too busy for wall-clock benchmarks: run it under
//! `perf stat -e task-clock` once per mode and subtract the `none` mode (generation only).
//!
//! ```text
//! cargo run --release --example stream_throughput -- slice 5
//! cargo run --release --example stream_throughput -- reader 5
//! cargo run --release --example stream_throughput -- none 5
//! cargo run --release --example stream_throughput -- reader 5 262144   # read size
//! ```
//!
//! It also prints each mode's own per-pass thread time when the platform offers it (Linux).

use std::io::Cursor;

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
    let start = thread_cpu();
    let mut counts = [0u64; 4];
    for _ in 0..passes {
        match mode.as_str() {
            "slice" => {
                for ev in callrecords::events(&doc) {
                    touch(&ev?, &mut counts);
                }
            }
            "reader" => {
                let options = callrecords::StreamOptions::new().read_size(read_size);
                let mut reader = Reader::with_options(Cursor::new(&doc[..]), options);
                while let Some(mut section) = reader.next_section()? {
                    for ev in section.events() {
                        touch(&ev?, &mut counts);
                    }
                }
            }
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
