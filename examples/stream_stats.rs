//! Streams a callRecords JSON file through the [`callrecords::Reader`] and prints what it held;
//! the streaming side of the peak-memory comparison with `serde_json_rss`.
//!
//! ```text
//! cargo run --release --example stream_stats -- page.json
//! /usr/bin/time -v target/release/examples/stream_stats page.json   # "Maximum resident set size"
//! ```

use std::fs::File;

use callrecords::{Event, Reader};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args_os().nth(1) else {
        return Err("usage: stream_stats FILE.json".into());
    };
    let mut reader = Reader::new(File::open(&path)?);
    let mut counts = [0u64; 5];
    let mut largest = 0;
    while let Some(mut section) = reader.next_section()? {
        largest = largest.max(section.bytes().len());
        for event in section.events() {
            counts[match event? {
                Event::Session(_) => 0,
                Event::Segment(_) => 1,
                Event::Media(_) => 2,
                Event::Stream(_) => 3,
                _ => 4,
            }] += 1;
        }
    }
    println!(
        "{} bytes: {} sessions, {} segments, {} media, {} streams, {} other events; \
         largest section {largest} bytes, window {} bytes",
        reader.offset(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4],
        reader.window_capacity()
    );
    Ok(())
}
