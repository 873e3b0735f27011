//! `callrecords validate PATH...`: checks that each file is one valid JSON document.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use callrecords::tokenizer::Tokenizer;

use super::input;
use super::{exit, EXIT_ERROR, EXIT_INVALID, EXIT_OK};

/// Examples shown after `callrecords validate --help`.
pub(crate) const EXAMPLES: &str = "\
Prints `ok PATH` for each valid file, or `PATH:LINE:COLUMN: message` and the offending line with a
caret for each invalid one. Folders are walked for *.json and *.json.gz; `-` reads stdin.
The bytes validated and the throughput go to stderr.

With --strict, value errors (a bad duration, an out-of-range integer, the wrong JSON type for a
known field) and valid JSON that is not a callRecords shape fail too; without it, such a document
passes and is noted on stderr. --report-unknown lists undeclared keys by path under each file.

Examples:
  callrecords validate corpus/
  callrecords validate --strict --report-unknown corpus/
  callrecords validate target/gen-64m.json
  zcat big.json.gz | callrecords validate -

Exit codes: 0 all valid, 1 any invalid, 2 usage or I/O error (missing or unreadable file).";

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Files or folders to check; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print only invalid files and errors (no `ok` lines).
    #[arg(short, long)]
    quiet: bool,
    /// Also fail on value errors (bad duration, out-of-range integer, wrong type for a known
    /// field) and on valid JSON that is not a callRecords sessions page or callRecord document.
    #[arg(long)]
    strict: bool,
    /// List undeclared keys (schema drift) by path under each file.
    #[arg(long)]
    report_unknown: bool,
}

/// The outcome of checking one document.
enum Outcome {
    Valid,
    /// The message line and the snippet.
    Invalid(String),
}

/// Walks the whole document with the tokenizer (full RFC 8259 validation).
fn check(bytes: &[u8]) -> Outcome {
    let mut tokenizer = Tokenizer::new(bytes);
    loop {
        match tokenizer.next_token() {
            Ok(Some(_)) => {}
            Ok(None) => return Outcome::Valid,
            Err(e) => {
                let (line, column) = e.line_column(bytes);
                return Outcome::Invalid(format!("{line}:{column}: {e}\n{}", e.snippet(bytes)));
            }
        }
    }
}

/// Runs `validate`.
pub(crate) fn run(args: &Args) -> ExitCode {
    let wall = Instant::now();
    let (inputs, missing) = input::expand(&args.paths);
    let mut code = EXIT_OK;
    for (path, e) in &missing {
        eprintln!("callrecords: {}: {e}", path.display());
        code = EXIT_ERROR;
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut bytes_total: u64 = 0;
    let mut files: u64 = 0;
    let mut busy = Duration::ZERO;
    for input in &inputs {
        let name = input.display();
        let bytes = match input.read_all() {
            Ok(bytes) => bytes,
            Err(e) => {
                let _ = out.flush();
                eprintln!("callrecords: {name}: {e}");
                code = EXIT_ERROR;
                continue;
            }
        };
        let start = Instant::now();
        let mut outcome = check(&bytes);
        // The callRecords checks: `--strict`, `--report-unknown`, and the note for other shapes.
        let mut undeclared = Vec::new();
        if matches!(outcome, Outcome::Valid) {
            let checked = super::strict::check(&bytes, args.strict, args.report_unknown);
            if let Some(failure) = checked.failure.clone() {
                outcome = Outcome::Invalid(failure);
            } else if checked.not_call_records {
                eprintln!("callrecords: {name}: note: valid JSON, but not a callRecords sessions page or callRecord document");
            }
            undeclared.extend(checked.undeclared_lines());
        }
        busy += start.elapsed();
        bytes_total += bytes.len() as u64;
        files += 1;
        let written = match outcome {
            Outcome::Valid if args.quiet => Ok(()),
            Outcome::Valid => writeln!(out, "ok {name}"),
            Outcome::Invalid(message) => {
                if code == EXIT_OK {
                    code = EXIT_INVALID;
                }
                writeln!(out, "{name}:{message}")
            }
        };
        let written =
            written.and_then(|()| undeclared.iter().try_for_each(|l| writeln!(out, "{l}")));
        if let Err(e) = written {
            if e.kind() == io::ErrorKind::BrokenPipe {
                return exit(code);
            }
            eprintln!("callrecords: writing the report: {e}");
            return exit(EXIT_ERROR);
        }
    }
    if let Err(e) = out.flush() {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("callrecords: writing the report: {e}");
            return exit(EXIT_ERROR);
        }
    }
    let secs = busy.as_secs_f64();
    let mbps = if secs > 0.0 {
        bytes_total as f64 / 1e6 / secs
    } else {
        0.0
    };
    eprintln!(
        "callrecords: {files} file(s), {bytes_total} bytes validated in {secs:.3} s ({mbps:.1} MB/s; wall {:.3} s with I/O)",
        wall.elapsed().as_secs_f64()
    );
    exit(code)
}
