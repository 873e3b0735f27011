//! Reads a gzip-compressed callRecords file (`.json.gz`) through `flate2` and the
//! [`callrecords::Reader`], holding about one session in memory however large the file is.
//!
//! ```text
//! cargo run --example gzip_reader -- records.json.gz
//! cargo run --example gzip_reader                      # writes and reads a generated 8 MiB one
//! ```

use std::fs::File;
use std::io::{BufReader, Write};

use callrecords::generate::{GenOptions, GenReader, Shape};
use callrecords::{Event, Reader};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = match std::env::args_os().nth(1) {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let p = std::env::temp_dir().join("callrecords-gzip-example.json.gz");
            let mut gz = GzEncoder::new(File::create(&p)?, Compression::fast());
            let mut gen = GenReader::new(&GenOptions {
                seed: 7,
                target_bytes: 8 << 20,
                compact: false,
                shape: Shape::CallRecord,
            });
            std::io::copy(&mut gen, &mut gz)?;
            gz.finish()?.flush()?;
            p
        }
    };
    let file = BufReader::new(File::open(&path)?);
    let mut reader = Reader::new(GzDecoder::new(file));
    let (mut sessions, mut streams, mut poor_jitter) = (0u64, 0u64, 0u64);
    let mut call_record_id = None;
    while let Some(mut section) = reader.next_section()? {
        for event in section.events() {
            match event? {
                Event::CallRecord(h) => {
                    call_record_id =
                        h.id.map(|id| String::from_utf8_lossy(id.raw()).into_owned())
                }
                Event::Session(_) => sessions += 1,
                Event::Stream(s) => {
                    streams += 1;
                    // Call Quality Dashboard: average jitter over 30 ms is poor for audio.
                    if s.average_jitter.is_some_and(|j| j.as_nanos() > 30_000_000) {
                        poor_jitter += 1;
                    }
                }
                _ => {}
            }
        }
    }
    println!(
        "{}: callRecord {:?}, {sessions} sessions, {streams} streams ({poor_jitter} with jitter over 30 ms), \
         {} bytes decompressed, window {} bytes",
        path.display(),
        call_record_id,
        reader.offset(),
        reader.window_capacity()
    );
    Ok(())
}
