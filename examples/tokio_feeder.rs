//! Drives the push [`callrecords::Feeder`] from an async stream of body chunks in tokio.
//!
//! The chunks come from a `tokio::fs::File` read in arbitrary sizes, standing in for an HTTP body
//! (a hyper/reqwest body gives `Bytes` chunks the same way). The Feeder does no I/O of its own, so
//! the same loop works with any runtime: feed each chunk, take the complete sections, and call
//! `finish` at the end of the body.
//!
//! ```text
//! cargo run --example tokio_feeder -- page.json     # any callRecords JSON file
//! cargo run --example tokio_feeder                   # a generated 4 MiB page
//! ```

use callrecords::generate::{to_vec, GenOptions, Shape};
use callrecords::{Event, Feeder, SectionKind};
use tokio::io::AsyncReadExt;

/// Counts of what the body held.
#[derive(Debug, Default)]
struct Counts {
    sessions: u64,
    segments: u64,
    media: u64,
    streams: u64,
    annotations: u64,
    next_link: Option<String>,
}

fn count(
    section: &mut callrecords::Section<'_>,
    counts: &mut Counts,
) -> Result<(), callrecords::Error> {
    for event in section.events() {
        match event? {
            Event::Session(_) => counts.sessions += 1,
            Event::Segment(_) => counts.segments += 1,
            Event::Media(_) => counts.media += 1,
            Event::Stream(_) => counts.streams += 1,
            Event::Annotation(a) => {
                counts.annotations += 1;
                if a.term.raw() == b"odata.nextLink" {
                    counts.next_link = Some(String::from_utf8_lossy(a.raw).into_owned());
                }
            }
            _ => {}
        }
    }
    if let SectionKind::Header = section.kind() {
        eprintln!(
            "header: {} bytes, shape {:?}",
            section.bytes().len(),
            section.shape()
        );
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = match std::env::args_os().nth(1) {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let p = std::env::temp_dir().join("callrecords-tokio-feeder-example.json");
            let doc = to_vec(&GenOptions {
                seed: 42,
                target_bytes: 4 << 20,
                compact: false,
                shape: Shape::Sessions,
            });
            tokio::fs::write(&p, doc).await?;
            p
        }
    };
    let mut body = tokio::fs::File::open(&path).await?;
    let mut feeder = Feeder::new();
    let mut counts = Counts::default();
    // Irregular chunk sizes, as a network delivers them: boundaries fall anywhere.
    let sizes = [16_384usize, 1_000, 7, 65_536, 333];
    let mut chunk = Vec::with_capacity(65_536);
    for i in 0.. {
        chunk.clear();
        let n = (&mut body)
            .take(sizes[i % sizes.len()] as u64)
            .read_to_end(&mut chunk)
            .await?;
        if n == 0 {
            break;
        }
        feeder.feed(&chunk);
        while let Some(mut section) = feeder.next_section()? {
            count(&mut section, &mut counts)?;
        }
    }
    feeder.finish();
    while let Some(mut section) = feeder.next_section()? {
        count(&mut section, &mut counts)?;
    }
    println!("{}: {counts:?}", path.display());
    Ok(())
}
