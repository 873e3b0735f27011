//! `callrecords gen`: writes a generated callRecords payload (see `callrecords::generate`).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use callrecords::generate::{GenOptions, GenReader, Shape};

use super::common::{exit, EXIT_OK, EXIT_USAGE_OR_IO};

/// Examples shown after `callrecords gen --help`.
pub(crate) const EXAMPLES: &str = "\
The same seed, size, shape and mode always give the same bytes. The document is closed just past
--size. Output is streamed session by session, so memory stays small whatever the size.

Sizes: a number of bytes with an optional unit: B, kB/KB/k (1000), KiB/Ki (1024), MB/M, MiB/Mi, GB/G,
GiB/Gi; decimals are allowed (1.5MiB).

Examples:
  callrecords gen --seed 1 --size 64MiB --output target/gen-64m.json
  callrecords gen --seed 1 --size 64MiB --compact --output target/gen-64m-compact.json
  callrecords gen --seed 7 --size 200kB --shape callrecord | callrecords validate -";

/// The document shape (command-line spelling of [`Shape`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ShapeArg {
    /// A list-sessions page: `{"@odata.context", "value": [...], "@odata.nextLink"}`.
    Sessions,
    /// A callRecord with expanded `sessions`.
    Callrecord,
}

/// Arguments of `gen`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Seed of the pseudo-random sequence.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Target size (the document is closed just past it), e.g. 64MiB, 1MB, 1000.
    #[arg(long, default_value = "1MiB", value_parser = parse_size)]
    size: u64,
    /// Compact output (no whitespace) instead of 4-space pretty printing.
    #[arg(long)]
    compact: bool,
    /// Document shape.
    #[arg(long, value_enum, default_value_t = ShapeArg::Sessions)]
    shape: ShapeArg,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Parses `64MiB`, `1MB`, `1.5GiB`, `1000`.
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let multiplier: u128 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "ki" | "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mi" | "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gi" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown size unit `{other}` (use B, kB, KiB, MB, MiB, GB, GiB)"
            ))
        }
    };
    let number = number.replace('_', "");
    let (int, frac) = number.split_once('.').unwrap_or((&number, ""));
    if int.is_empty() && frac.is_empty() {
        return Err(format!("`{text}` is not a size (e.g. 64MiB, 1MB, 1000)"));
    }
    if frac.contains('.') || frac.len() > 9 {
        return Err(format!("`{text}` is not a size (e.g. 64MiB, 1MB, 1000)"));
    }
    let parse = |s: &str| -> Result<u128, String> {
        if s.is_empty() {
            Ok(0)
        } else {
            s.parse::<u128>()
                .map_err(|_| format!("`{text}` is not a size"))
        }
    };
    let scale = 10u128.pow(frac.len() as u32);
    let value = (parse(int)? * scale + parse(frac)?) * multiplier / scale;
    u64::try_from(value).map_err(|_| format!("`{text}` is too large"))
}

/// Runs `gen`.
pub(crate) fn run(args: &Args) -> ExitCode {
    let Ok(target_bytes) = usize::try_from(args.size) else {
        eprintln!(
            "callrecords: --size {} does not fit this platform",
            args.size
        );
        return exit(EXIT_USAGE_OR_IO);
    };
    let options = GenOptions {
        seed: args.seed,
        target_bytes,
        compact: args.compact,
        shape: match args.shape {
            ShapeArg::Sessions => Shape::Sessions,
            ShapeArg::Callrecord => Shape::CallRecord,
        },
    };
    let result = match &args.output {
        Some(path) => File::create(path)
            .and_then(|file| write(&options, file))
            .map_err(|e| format!("{}: {e}", path.display())),
        None => match write(&options, io::stdout().lock()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|e| format!("writing to stdout: {e}")),
        },
    };
    match result {
        Ok(()) => exit(EXIT_OK),
        Err(message) => {
            eprintln!("callrecords: {message}");
            exit(EXIT_USAGE_OR_IO)
        }
    }
}

fn write(options: &GenOptions, sink: impl Write) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(256 * 1024, sink);
    io::copy(&mut GenReader::new(options), &mut out)?;
    out.flush()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // reason: test failures should panic
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert_eq!(parse_size("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("1MB").unwrap(), 1_000_000);
        assert_eq!(parse_size("1mb").unwrap(), 1_000_000);
        assert_eq!(parse_size("1.5KiB").unwrap(), 1536);
        assert_eq!(parse_size("2 GiB").unwrap(), 2 << 30);
        assert_eq!(parse_size("10k").unwrap(), 10_000);
        assert!(parse_size("").is_err());
        assert!(parse_size("MB").is_err());
        assert!(parse_size("12XB").is_err());
        assert!(parse_size("1.2.3").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
    }
}
