//! Subcommands of the `callrecords` tool, and helpers they share.

pub(crate) mod common;
pub(crate) mod events;
#[cfg(test)]
pub(crate) mod fallback;
pub(crate) mod fetch;
pub(crate) mod files;
pub(crate) mod flatten;
pub(crate) mod generate;
pub(crate) mod output;
pub(crate) mod pieces;
pub(crate) mod row;
pub(crate) mod run;
pub(crate) mod summary;
pub(crate) mod tables;
pub(crate) mod validate;
pub(crate) mod walk;
pub(crate) mod writers;

/// Indices of the `streams` columns the commands read by name.
#[allow(clippy::panic)] // reason: evaluated in const context, where a panic is a build error
pub(crate) mod col {
    use callrecords::flatten::Table;

    macro_rules! cols {
        ($($konst:ident = $name:literal;)*) => {
            $( pub(crate) const $konst: usize = match Table::Streams.column($name) {
                Some(i) => i,
                None => panic!(concat!("no column ", $name)),
            }; )*
        };
    }

    cols! {
        MEDIA_LABEL = "mediaLabel";
        STREAM_DIRECTION = "streamDirection";
        AVERAGE_JITTER = "averageJitterNs";
        AVERAGE_ROUND_TRIP_TIME = "averageRoundTripTimeNs";
        AVERAGE_PACKET_LOSS_RATE = "averagePacketLossRate";
    }
}

/// Examples shown after `callrecords --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  callrecords summary corpus/                  counts, stream quality and percentiles
  callrecords flatten corpus/ > streams.ndjson one row per media stream (--format csv)
  callrecords validate corpus/                 validate every *.json and *.json.gz under corpus/
  callrecords validate a.json b.json.gz        validate files
  curl -s URL | callrecords validate -         validate stdin (gzip is detected)
  callrecords gen --seed 1 --size 64MiB --output target/gen-64m.json
  callrecords gen --seed 2 --size 1MB --compact --shape callrecord > record.json

Exit codes: 0 success, 1 invalid input, 2 usage or I/O error.";
