//! `callrecords flatten`: one row per media stream, as NDJSON or CSV.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callrecords::flatten::{FlatRow, Table};

use super::common::{discover, exit, process, total_size, InputArgs, EXIT_USAGE_OR_IO};
use super::files::Input;
use super::row::{CsvRowWriter, NdjsonWriter};
use super::run::{self, run_ordered, Progress};
use super::walk::{Sink, WalkOptions};

/// Output format of `flatten`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One JSON object per line, every column present (`null` when absent).
    Ndjson,
    /// A header line, then one line per stream; absent values are empty cells.
    Csv,
}

const AFTER_HELP: &str = "\
Examples:
  callrecords flatten corpus/docs/ > streams.ndjson
  callrecords flatten --format csv --output streams.csv sessions-*.json.gz
  curl … | callrecords flatten -

Rows: one per media stream, in input order (files in argument order, folders sorted).
Every row has every column; an absent property is null (NDJSON) or an empty cell (CSV).
Durations are integer nanoseconds (columns ending in Ns); timestamps are RFC 3339 in UTC
with Z; enums are the input's text. A file that fails contributes no rows.
nextLinks are not followed (a page is one file); their count is reported on stderr.";

/// Arguments of `flatten`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP, after_long_help = long_help())]
pub(crate) struct FlattenArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Ndjson)]
    pub(crate) format: Format,
    /// Write the rows to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Print the column names, one per line, and exit.
    #[arg(long, hide = true)]
    pub(crate) columns: bool,
}

fn long_help() -> String {
    format!(
        "{AFTER_HELP}\n\nColumns ({} in this order; new columns are only added at the end):\n{}",
        Table::Streams.columns().len(),
        help_text()
    )
}

/// The column list as help text: one `name  (type)` line per column.
fn help_text() -> String {
    let mut s = String::new();
    for c in Table::Streams.columns() {
        s.push_str(&format!("  {:<52} {}\n", c.name(), c.kind().describe()));
    }
    s
}

/// Where a worker writes one file's rows: a buffer, written out in input order.
enum RowSink<'w> {
    Ndjson(&'w NdjsonWriter, Vec<u8>),
    Csv(Box<CsvRowWriter<Vec<u8>>>),
}

impl RowSink<'_> {
    fn into_bytes(self) -> Vec<u8> {
        match self {
            RowSink::Ndjson(_, buf) => buf,
            RowSink::Csv(w) => w.into_inner().unwrap_or_default(),
        }
    }
}

impl Sink for RowSink<'_> {
    fn row(&mut self, s: &FlatRow<'_, '_>) -> io::Result<()> {
        match self {
            RowSink::Ndjson(w, buf) => w.write_row(buf, s.row),
            RowSink::Csv(w) => w.write_row(s.row),
        }
    }
}

/// The name of the input that is the same file as `output`, if one is: creating the output would
/// truncate it before it is read. Standard input counts when it is redirected from that file.
fn input_at(inputs: &[Input], output: &Path) -> Option<String> {
    let out = same_file::Handle::from_path(output).ok()?;
    inputs.iter().find_map(|input| {
        let handle = match input {
            Input::File(p) => same_file::Handle::from_path(p),
            Input::Stdin => same_file::Handle::stdin(),
        };
        if !handle.is_ok_and(|h| h == out) {
            return None;
        }
        Some(match input {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => format!("- (standard input, {})", output.display()),
        })
    })
}

/// Runs `flatten`.
pub(crate) fn run(args: &FlattenArgs) -> ExitCode {
    if args.columns {
        let mut out = io::stdout().lock();
        for c in Table::Streams.columns() {
            if writeln!(out, "{}", c.name()).is_err() {
                break;
            }
        }
        return exit(0);
    }
    let (inputs, mut code) = discover(&args.input, "flatten");
    if inputs.is_empty() {
        return exit(EXIT_USAGE_OR_IO);
    }
    if let Some(clash) = args
        .output
        .as_deref()
        .and_then(|out| input_at(&inputs, out))
    {
        eprintln!("{clash}: the output is also an input; refusing to overwrite it");
        return exit(EXIT_USAGE_OR_IO);
    }
    let sink: Box<dyn Write> = match &args.output {
        Some(path) => match File::create(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("{}: {}", path.display(), super::files::io_message(&e));
                return exit(EXIT_USAGE_OR_IO);
            }
        },
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    let mut write_error: Option<io::Error> = None;
    if args.format == Format::Csv {
        let mut header = CsvRowWriter::new(Vec::new());
        let bytes = header
            .write_header(Table::Streams.columns())
            .and_then(|()| header.into_inner());
        if let Err(e) = bytes.and_then(|b| out.write_all(&b)) {
            write_error = Some(e);
        }
    }
    let quiet = args.input.quiet;
    let progress = Progress::start(total_size(&inputs), quiet);
    let ndjson = NdjsonWriter::new(Table::Streams.columns());
    let options = WalkOptions::default();
    let mut next_links = 0u64;
    if write_error.is_none() {
        run_ordered(
            inputs.len(),
            run::jobs(args.input.jobs),
            |i| {
                let input = &inputs[i];
                let mut sink = match args.format {
                    Format::Ndjson => RowSink::Ndjson(&ndjson, Vec::new()),
                    Format::Csv => RowSink::Csv(Box::new(CsvRowWriter::new(Vec::new()))),
                };
                let outcome = process(
                    input,
                    options,
                    &[Table::Streams],
                    &progress.bytes,
                    &mut sink,
                );
                (sink.into_bytes(), outcome)
            },
            |_, (buf, outcome)| {
                outcome.report(!quiet);
                code = code.max(outcome.exit_code());
                if let Some(s) = &outcome.stats {
                    next_links += s.next_links;
                }
                if outcome.problem.is_none() {
                    if let Err(e) = out.write_all(&buf) {
                        write_error = Some(e);
                        return false;
                    }
                }
                !(args.input.fail_fast && outcome.problem.is_some())
            },
        );
    }
    progress.finish();
    if write_error.is_none() {
        write_error = out.flush().err();
    }
    if let Some(e) = write_error {
        if e.kind() != io::ErrorKind::BrokenPipe {
            let target = args
                .output
                .as_ref()
                .map_or("stdout".to_string(), |p| p.display().to_string());
            eprintln!("{target}: {}", super::files::io_message(&e));
            code = code.max(EXIT_USAGE_OR_IO);
        }
    }
    if next_links > 0 && !quiet {
        eprintln!(
            "callrecords: {next_links} nextLink(s) not followed (a page is one file; this tool does not call Graph)"
        );
    }
    exit(code)
}
