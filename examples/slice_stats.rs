//! The slice side of `stream_stats`: reads a file whole and counts the events of
//! `callrecords::events` (for comparing time and peak memory with the streaming `stream_stats`).
//!
//! ```text
//! cargo run --release --example slice_stats -- page.json
//! ```

use callrecords::Event;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args_os().nth(1) else {
        return Err("usage: slice_stats FILE.json".into());
    };
    let bytes = std::fs::read(&path)?;
    let mut counts = [0u64; 5];
    for event in callrecords::events(&bytes) {
        counts[match event? {
            Event::Session(_) => 0,
            Event::Segment(_) => 1,
            Event::Media(_) => 2,
            Event::Stream(_) => 3,
            _ => 4,
        }] += 1;
    }
    println!(
        "{} bytes: {} sessions, {} segments, {} media, {} streams, {} other events",
        bytes.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4]
    );
    Ok(())
}
