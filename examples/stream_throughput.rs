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
//! cargo run --release --example stream_throughput -- ratio 21 65536 131072   # one ratio per read size
//! ```
//!
//! It also prints each mode's own per-pass thread time when the platform offers it (Linux).
//!
//! `ratio N` alternates a slice pass and a reader pass N times in one thread and prints the median
//! on-CPU time of each and the median of the per-pair ratios (reader throughput over slice
//! throughput): on a machine whose other cores are busy, neighbouring passes see the same
//! conditions, so the ratio is steadier than two separate runs. Given several read sizes, each pair
//! runs one reader pass per read size, and each read size gets its own ratio. Each pair also times
//! the reads alone (the document through `io::Read` into a window, nothing parsed): the part of the
//! `Reader`'s extra time that no change to the parser can remove.

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
    let mut read_sizes: Vec<usize> = args.filter_map(|n| n.parse().ok()).collect();
    if read_sizes.is_empty() {
        read_sizes.push(callrecords::stream::DEFAULT_READ_SIZE);
    }
    let read_size = read_sizes[0];
    let doc = to_vec(&GenOptions {
        seed: 1,
        target_bytes: 64 << 20,
        compact: false,
        shape: Shape::Sessions,
    });
    if mode == "ratio" {
        return ratio(&doc, passes, &read_sizes);
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

/// What the `Reader`'s reads alone cost: the document through `io::Read` into a 256 KiB buffer,
/// `read_size` bytes per call, with nothing parsed (the lower bound of the `Reader`'s extra time
/// over the slice iterator, which reads the same bytes from memory but overlaps that with its work).
fn copy_pass(doc: &[u8], read_size: usize) -> std::io::Result<u64> {
    use std::io::Read;
    let mut source = Cursor::new(doc);
    let mut window = vec![0u8; (256 << 10).max(read_size)];
    let (mut at, mut sum) = (0, 0u64);
    loop {
        if at + read_size > window.len() {
            at = 0;
        }
        let n = source.read(&mut window[at..at + read_size])?;
        if n == 0 {
            return Ok(sum);
        }
        sum += u64::from(window[at]);
        at += n;
    }
}

/// Alternates slice and reader passes (one per read size); prints the medians and the median
/// per-pair ratio of each read size.
fn ratio(doc: &[u8], pairs: u32, read_sizes: &[usize]) -> Result<(), Box<dyn std::error::Error>> {
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut slice, mut copy) = (Vec::new(), Vec::new());
    let mut reader = vec![Vec::new(); read_sizes.len()];
    let mut ratios = vec![Vec::new(); read_sizes.len()];
    let mut counts = [0u64; 4];
    for _ in 0..pairs.max(1) {
        let t0 = cpu_time::thread_cpu_ns();
        slice_pass(doc, &mut counts)?;
        let s = (cpu_time::thread_cpu_ns() - t0) as f64 / 1e6;
        slice.push(s);
        let t1 = cpu_time::thread_cpu_ns();
        std::hint::black_box(copy_pass(doc, read_sizes[0])?);
        copy.push((cpu_time::thread_cpu_ns() - t1) as f64 / 1e6);
        for (k, &read_size) in read_sizes.iter().enumerate() {
            let t1 = cpu_time::thread_cpu_ns();
            reader_pass(doc, read_size, &mut counts)?;
            let r = (cpu_time::thread_cpu_ns() - t1) as f64 / 1e6;
            reader[k].push(r);
            ratios[k].push(s / r);
        }
    }
    let mb = doc.len() as f64 / 1e6;
    let s = median(&mut slice);
    print!(
        "slice {s:.1} ms ({:.0} MB/s); reads alone {:.1} ms",
        mb / s * 1e3,
        median(&mut copy)
    );
    for (k, read_size) in read_sizes.iter().enumerate() {
        let r = median(&mut reader[k]);
        print!(
            "; reader ({read_size} B reads) {r:.1} ms ({:.0} MB/s), ratio {:.3}",
            mb / r * 1e3,
            median(&mut ratios[k])
        );
    }
    println!(
        " (median reader/slice throughput ratios over {} pairs)",
        pairs.max(1)
    );
    Ok(())
}
