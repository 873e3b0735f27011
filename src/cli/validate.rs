//! `callrecords validate PATH...`: checks that each input is one valid JSON document, and with
//! `--strict` a valid callRecords document.
//!
//! Every input is read through the streaming [`Reader`] (gzip decompressed on the fly), so memory
//! follows the largest session, not the file. Each section is parsed by the event layer, which
//! validates the full JSON grammar of every byte, skipped subtrees included.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use callrecords::schema::FieldErrors;
use callrecords::{Error, ErrorKind, Event, Options, Reader, SectionKind, Shape, StreamOptions};

use super::common::{
    discover, exit, total_size, InputArgs, EXIT_INVALID, EXIT_OK, EXIT_USAGE_OR_IO,
};
use super::files::{self, Input};
use super::run::{self, run_ordered, Progress};
use super::walk::generalise;

/// Examples shown after `callrecords validate --help`.
pub(crate) const EXAMPLES: &str = "\
Prints `ok PATH` for each valid file (not with --quiet), or `PATH:LINE:COLUMN: message` and the
offending line with a caret for each invalid one; the message ends with the JSON path of the error
(`at /value/3/segments/0/id`) unless it is at the top level. Folders are walked for *.json and
*.json.gz; `-` reads stdin. Inputs are streamed (memory follows the largest session, not the file)
and checked in parallel; the report keeps the input order. The bytes validated and the throughput
go to stderr.

With --strict, value errors (a bad duration, an out-of-range integer, the wrong JSON type for a
known field), elements of the session array that are not objects, and valid JSON that is not a
callRecords shape fail too; without it, such a document passes and is noted on stderr (the number of
value errors or skipped elements, and the first one). --report-unknown lists undeclared keys by path under each file.

Examples:
  callrecords validate corpus/
  callrecords validate --strict --report-unknown corpus/
  callrecords validate target/gen-64m.json
  zcat big.json.gz | callrecords validate -

Exit codes: 0 all valid, 1 any invalid, 2 usage or I/O error (missing or unreadable file, or a
folder without JSON).";

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Also fail on value errors (bad duration, out-of-range integer, wrong type for a known
    /// field) and on valid JSON that is not a callRecords sessions page or callRecord document.
    #[arg(long)]
    strict: bool,
    /// List undeclared keys (schema drift) by path under each file.
    #[arg(long)]
    report_unknown: bool,
}

/// The value errors of a valid document (lenient mode): how many, and the first one described.
#[derive(Default)]
struct ValueErrors {
    total: u64,
    first: Option<String>,
}

impl ValueErrors {
    fn add(&mut self, errors: &FieldErrors<'_>) {
        self.total += u64::from(errors.total());
        if self.first.is_none() {
            self.first = errors.iter().next().map(|e| {
                let raw = String::from_utf8_lossy(e.raw);
                format!("{} {raw:?} at {e} (byte {})", e.error.kind(), e.offset)
            });
        }
    }
}

/// The elements of the session (or record) array that are not objects, which lenient mode skips:
/// how many, and the index and byte offset of the first.
#[derive(Default)]
struct Skipped {
    total: u64,
    first: Option<(usize, u64)>,
}

/// The outcome of checking one input.
enum Verdict {
    /// Valid; the document's shape, its undeclared keys by generalised path, its value errors,
    /// and the array elements skipped.
    Valid {
        shape: Shape,
        undeclared: BTreeMap<String, u64>,
        value_errors: ValueErrors,
        skipped: Skipped,
    },
    /// Invalid input: `LINE:COLUMN: message`, then the snippet when the bytes were at hand.
    Invalid(String),
    /// The input could not be read.
    Io(String),
}

/// One checked input.
struct Checked {
    verdict: Verdict,
    /// Document bytes read (after gzip decompression).
    bytes: u64,
}

/// Runs `validate`.
pub(crate) fn run(args: &Args) -> ExitCode {
    let wall = Instant::now();
    let (inputs, mut code) = discover(&args.input, "validate");
    if inputs.is_empty() {
        return exit(EXIT_USAGE_OR_IO);
    }
    let quiet = args.input.quiet;
    let progress = Progress::start(total_size(&inputs), quiet);
    let options = Options::default()
        .strict(args.strict)
        .report_undeclared(args.report_unknown);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let (mut files, mut bytes) = (0u64, 0u64);
    let mut write_error = None;
    run_ordered(
        inputs.len(),
        run::jobs(args.input.jobs),
        |i| check(&inputs[i], options, &progress.bytes),
        |i, checked| {
            let name = inputs[i].name();
            files += 1;
            bytes += checked.bytes;
            let written = match checked.verdict {
                Verdict::Valid {
                    shape,
                    undeclared,
                    value_errors,
                    skipped,
                } => {
                    if shape == Shape::Other && !quiet {
                        eprintln!("{name}: note: valid JSON, but not a callRecords sessions page or callRecord document");
                    }
                    if let (Some(first), false) = (&value_errors.first, quiet) {
                        eprintln!(
                            "{name}: note: {} value error(s), kept on their records (--strict fails on them); the first: {first}",
                            value_errors.total
                        );
                    }
                    if let (Some((index, at)), false) = (skipped.first, quiet) {
                        eprintln!(
                            "{name}: note: {} array element(s) skipped, not JSON objects (--strict fails on them); the first: element {index} at byte {at}",
                            skipped.total
                        );
                    }
                    let ok = if quiet {
                        Ok(())
                    } else {
                        writeln!(out, "ok {name}")
                    };
                    ok.and_then(|()| {
                        undeclared
                            .iter()
                            .try_for_each(|(path, n)| writeln!(out, "  undeclared {path} ({n})"))
                    })
                }
                Verdict::Invalid(message) => {
                    code = code.max(EXIT_INVALID);
                    writeln!(out, "{name}:{message}")
                }
                Verdict::Io(message) => {
                    let _ = out.flush();
                    eprintln!("{name}: {message}");
                    code = code.max(EXIT_USAGE_OR_IO);
                    Ok(())
                }
            };
            if let Err(e) = written {
                write_error = Some(e);
                return false;
            }
            !(args.input.fail_fast && code != EXIT_OK)
        },
    );
    progress.finish();
    let flushed = match write_error {
        Some(e) => Err(e),
        None => out.flush(),
    };
    if let Err(e) = flushed {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("callrecords: writing the report: {}", files::io_message(&e));
            return exit(EXIT_USAGE_OR_IO);
        }
        return exit(code);
    }
    if !quiet {
        let secs = wall.elapsed().as_secs_f64();
        let mbps = if secs > 0.0 {
            bytes as f64 / 1e6 / secs
        } else {
            0.0
        };
        eprintln!(
            "callrecords: {files} file(s), {bytes} bytes validated in {secs:.3} s ({mbps:.1} MB/s)"
        );
    }
    exit(code)
}

/// Streams one input through the [`Reader`] and parses every section.
fn check(input: &Input, options: Options, counter: &AtomicU64) -> Checked {
    let source = match files::open(input, counter) {
        Ok(source) => source,
        Err(e) => {
            return Checked {
                verdict: Verdict::Io(files::io_message(&e)),
                bytes: 0,
            }
        }
    };
    let mut reader = Reader::with_options(source, StreamOptions::new().events(options));
    let mut shape = Shape::Other;
    let mut undeclared = BTreeMap::new();
    let mut value_errors = ValueErrors::default();
    let mut skipped = Skipped::default();
    let verdict = loop {
        let mut section = match reader.next_section() {
            Ok(Some(section)) => section,
            Ok(None) => {
                break Verdict::Valid {
                    shape,
                    undeclared,
                    value_errors,
                    skipped,
                }
            }
            // The splitter's errors come without a section: the snippet is taken from the
            // reader's window, which holds the bytes around the error.
            Err(e) => {
                let (window, start) = reader.window();
                break invalid_or_io(&e, || Some(e.snippet_in(window, start)));
            }
        };
        if let SectionKind::Session { index } = section.kind() {
            // Lenient mode gives no event for an element that is not an object; strict mode
            // fails on it below.
            if section.bytes().first() != Some(&b'{') {
                skipped.total += 1;
                skipped.first = skipped.first.or(Some((index, section.offset())));
            }
        }
        let mut failed = None;
        for event in section.events() {
            match event {
                Ok(Event::Page(page)) => shape = page.shape,
                Ok(Event::Undeclared(u)) => {
                    *undeclared.entry(generalise(&u.to_string())).or_insert(0) += 1;
                }
                Ok(other) => {
                    if let Some(errors) = other.field_errors() {
                        value_errors.add(errors);
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = failed {
            // The reader's window rather than the section's bytes: it holds the whole line
            // around the section, and the input's own text where the section's is rewritten
            // (the members around the session array). `--strict` reports a document of another
            // shape at its start; the reader has already reported any syntax error in it (or
            // after it) first. (`section` is not used past this point, which ends its borrow.)
            let (window, start) = reader.window();
            break invalid_or_io(&e, || Some(e.snippet_in(window, start)));
        }
    };
    Checked {
        verdict,
        bytes: reader.offset(),
    }
}

/// The verdict for an error: an I/O failure, or invalid input with its position, message and
/// snippet.
fn invalid_or_io(e: &Error, snippet: impl FnOnce() -> Option<String>) -> Verdict {
    if e.is_io() {
        let source = std::error::Error::source(e).and_then(|s| s.downcast_ref::<io::Error>());
        return match source {
            // A corrupt or truncated gzip stream is invalid input, not an I/O failure.
            Some(io)
                if matches!(
                    io.kind(),
                    io::ErrorKind::InvalidData
                        | io::ErrorKind::InvalidInput
                        | io::ErrorKind::UnexpectedEof
                ) =>
            {
                Verdict::Invalid(format!(" invalid gzip data: {}", files::io_message(io)))
            }
            Some(io) => Verdict::Io(files::io_message(io)),
            None => Verdict::Io(e.to_string()),
        };
    }
    Verdict::Invalid(report(e, &[], snippet()))
}

/// `LINE:COLUMN: message`, then the snippet. The position is computed in `input`, or recorded
/// in the error by the streaming reader (then `input` is empty).
fn report(e: &Error, input: &[u8], snippet: Option<String>) -> String {
    let (line, column) = e.line_column(input);
    let message = match e.kind() {
        ErrorKind::NotCallRecords => {
            "valid JSON, but not a callRecords sessions page or callRecord document".to_string()
        }
        _ => {
            // `Display` ends with the position, which goes first here.
            let text = e.to_string();
            match text.rfind(" at line ").or_else(|| text.rfind(" at byte ")) {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    };
    match snippet {
        Some(snippet) => format!("{line}:{column}: {message}\n{snippet}"),
        None => format!("{line}:{column}: {message}"),
    }
}
