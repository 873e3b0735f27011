//! `callrecords flatten`: one row per media stream (or per record of every table), as NDJSON,
//! CSV, Parquet or Arrow IPC.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callrecords::flatten::Table;
use callrecords::table::{Lossy, TableOptions, TimestampUnit, DEFAULT_BATCH_SIZE};

use super::common::{discover, exit, total_size, InputArgs, EXIT_INVALID, EXIT_USAGE_OR_IO};
use super::files::{io_message, Input};
use super::output::Output;
use super::pieces::{flatten_one, Format, Piece, PieceOptions};
use super::row::CsvRowWriter;
use super::run::{self, run_streamed, Progress};
use super::tables::{Compression, TableWriter, Target, WRITERS_MEMORY};
use super::walk::WalkOptions;

const AFTER_HELP: &str = "\
Examples:
  callrecords flatten corpus/docs/ > streams.ndjson
  callrecords flatten --format csv --output streams.csv sessions-*.json.gz
  callrecords flatten --format parquet -o streams.parquet exports/
  callrecords flatten --tables --format parquet --output-dir lake/ exports/
  curl … | callrecords flatten -

Rows: one per media stream, in input order (files in argument order, folders sorted); with
--tables, one per record in each of callRecords, sessions, segments, media and streams.
Every row has every column; an absent property is null (NDJSON, Parquet, Arrow) or an empty
cell (CSV). Durations are integer nanoseconds (columns ending in Ns); timestamps are RFC 3339
in UTC with Z (Parquet and Arrow: UTC timestamps in --timestamp-unit); enums are the input's
text. valueErrors, the last column, holds the value errors of the row's records.

An output file (-o, --output-dir) is written under a temporary name and renamed into place only
when every input succeeded: otherwise the run exits non-zero and leaves no file under the final
name. On standard output, the rows of a file that fails are not written when they fit in 8 MiB;
past that they stream, and the exit status and the file's error line are the sign.
nextLinks are not followed (a page is one file); their count is reported on stderr.";

/// Output format of `flatten`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FormatArg {
    /// One JSON object per line, every column present (`null` when absent).
    Ndjson,
    /// A header line, then one line per row; absent values are empty cells.
    Csv,
    /// Parquet (compressed with --compression; row groups of up to 131,072 rows).
    Parquet,
    /// An Arrow IPC stream (uncompressed).
    Arrow,
}

impl FormatArg {
    fn format(self) -> Format {
        match self {
            FormatArg::Ndjson => Format::Ndjson,
            FormatArg::Csv => Format::Csv,
            FormatArg::Parquet | FormatArg::Arrow => Format::Batches,
        }
    }

    /// The file extension of a table written in this format.
    fn extension(self) -> &'static str {
        match self {
            FormatArg::Ndjson => "ndjson",
            FormatArg::Csv => "csv",
            FormatArg::Parquet => "parquet",
            FormatArg::Arrow => "arrows",
        }
    }

    fn is_binary(self) -> bool {
        matches!(self, FormatArg::Parquet | FormatArg::Arrow)
    }
}

/// Unit of the Parquet and Arrow timestamp columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum UnitArg {
    /// Nanoseconds: Graph's 100 ns ticks exact; years 1677 to 2262 (others: null, kept in
    /// valueErrors).
    Ns,
    /// Microseconds (Spark's unit): every year; sub-microsecond digits truncated.
    Us,
}

/// Arguments of `flatten`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP, after_long_help = long_help())]
pub(crate) struct FlattenArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Ndjson)]
    pub(crate) format: FormatArg,
    /// Write the rows to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE", conflicts_with = "tables")]
    pub(crate) output: Option<PathBuf>,
    /// Write every table (callRecords, sessions, segments, media, streams), one file each, to
    /// --output-dir.
    #[arg(long, requires = "output_dir")]
    pub(crate) tables: bool,
    /// The folder for --tables (created if missing): DIR/streams.parquet, …
    #[arg(long, value_name = "DIR", requires = "tables")]
    pub(crate) output_dir: Option<PathBuf>,
    /// Parquet compression.
    #[arg(long, value_enum, default_value_t = Compression::Zstd)]
    pub(crate) compression: Compression,
    /// Unit of the Parquet and Arrow timestamp columns.
    #[arg(long, value_enum, default_value_t = UnitArg::Ns)]
    pub(crate) timestamp_unit: UnitArg,
    /// The most rows in a Parquet or Arrow record batch.
    #[arg(long, value_name = "ROWS", default_value_t = DEFAULT_BATCH_SIZE)]
    pub(crate) batch_size: usize,
    /// Print the column names, one per line, and exit.
    #[arg(long, hide = true)]
    pub(crate) columns: bool,
}

fn long_help() -> String {
    let mut columns = String::new();
    for c in Table::Streams.columns() {
        columns.push_str(&format!("  {:<52} {}\n", c.name(), c.kind().describe()));
    }
    format!(
        "{AFTER_HELP}\n\nColumns ({} in this order; new columns are only added at the end):\n{columns}",
        Table::Streams.columns().len(),
    )
}

/// Batches end at about this size: a few of them wait between a worker and the writers.
const BATCH_BYTES: usize = 4 << 20;

/// Where one table's rows are written, on the main thread, in input order.
enum Writer {
    Text(BufWriter<Target>),
    Table(TableWriter),
}

impl Writer {
    fn write(&mut self, piece: &Piece) -> io::Result<()> {
        match (self, piece) {
            (Writer::Text(w), Piece::Text(_, bytes)) => w.write_all(bytes),
            (Writer::Table(w), Piece::Batch(_, batch)) => w.write(batch),
            _ => Ok(()),
        }
    }

    /// Ends the table; `keep` says whether its file is made final or removed.
    fn finish(self, keep: bool) -> io::Result<()> {
        let target = match self {
            Writer::Text(w) => w.into_inner().map_err(|e| e.into_error()),
            Writer::Table(w) if keep => w.finish(),
            Writer::Table(w) => {
                w.discard();
                return Ok(());
            }
        };
        match target {
            Ok(t) if keep => t.commit(),
            Ok(t) => {
                t.discard();
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

/// The outputs of the run: one writer per table, and the name each is shown by in errors.
struct Writers {
    writers: Vec<(Table, Writer, String)>,
}

impl Writers {
    fn create(args: &FlattenArgs, tables: &[Table], unit: TimestampUnit) -> io::Result<Self> {
        if let Some(dir) = &args.output_dir {
            std::fs::create_dir_all(dir).map_err(|e| named(dir, e))?;
        }
        let mut writers = Vec::new();
        for &table in tables {
            let (target, shown) = match (&args.output_dir, &args.output) {
                (Some(dir), _) => {
                    let path = dir.join(format!("{}.{}", table.name(), args.format.extension()));
                    (file_target(&path)?, path.display().to_string())
                }
                (None, Some(path)) => (file_target(path)?, path.display().to_string()),
                (None, None) => (Target::Stdout(io::stdout()), "stdout".to_string()),
            };
            let writer = match args.format {
                FormatArg::Ndjson => Writer::Text(BufWriter::with_capacity(1 << 20, target)),
                FormatArg::Csv => {
                    let mut w = BufWriter::with_capacity(1 << 20, target);
                    let mut header = CsvRowWriter::new(Vec::new());
                    header.write_header(table.columns())?;
                    w.write_all(&header.into_inner()?)?;
                    Writer::Text(w)
                }
                FormatArg::Parquet => {
                    Writer::Table(TableWriter::parquet(table, unit, args.compression, target)?)
                }
                FormatArg::Arrow => Writer::Table(TableWriter::ipc(table, unit, target)?),
            };
            writers.push((table, writer, shown));
        }
        Ok(Writers { writers })
    }

    fn write(&mut self, piece: &Piece) -> Result<(), String> {
        let table = piece.table();
        match self.writers.iter_mut().find(|(t, ..)| *t == table) {
            Some((_, w, shown)) => w.write(piece).map_err(|e| target_error(shown, &e))?,
            None => return Ok(()),
        }
        self.bound_memory()
    }

    /// Ends the largest Parquet row group in progress while the writers hold more than
    /// [`WRITERS_MEMORY`] between them. This depends only on the rows written, so the files are
    /// the same for any `--jobs`.
    fn bound_memory(&mut self) -> Result<(), String> {
        let memory = |w: &Writer| match w {
            Writer::Table(t) => t.memory_size(),
            Writer::Text(_) => 0,
        };
        while self
            .writers
            .iter()
            .map(|(_, w, _)| memory(w))
            .sum::<usize>()
            > WRITERS_MEMORY
        {
            let Some((_, Writer::Table(w), shown)) =
                self.writers.iter_mut().max_by_key(|(_, w, _)| memory(w))
            else {
                break;
            };
            let before = w.memory_size();
            w.end_row_group().map_err(|e| target_error(shown, &e))?;
            if w.memory_size() >= before {
                break;
            }
        }
        Ok(())
    }

    /// Ends every table: made final when `keep`, removed otherwise. The first error, as an
    /// error line.
    fn finish(self, keep: bool) -> Result<(), String> {
        let mut first = Ok(());
        for (_, w, shown) in self.writers {
            if let Err(e) = w.finish(keep && first.is_ok()) {
                if first.is_ok() {
                    first = Err(target_error(&shown, &e));
                }
            }
        }
        first
    }
}

fn file_target(path: &Path) -> io::Result<Target> {
    Output::create(path)
        .map(Target::File)
        .map_err(|e| named(path, e))
}

/// `e`, with the path it concerns in its message.
fn named(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {}", path.display(), io_message(&e)))
}

/// The error line for a failed write to `shown`; an empty string for a closed pipe, which ends
/// the output quietly.
fn target_error(shown: &str, e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return String::new();
    }
    let message = io_message(e);
    if message.starts_with(shown) {
        message
    } else {
        format!("{shown}: {message}")
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

/// Prints the column names and exits.
fn print_columns() -> ExitCode {
    let mut out = io::stdout().lock();
    let mut code = 0;
    for c in Table::Streams.columns() {
        if let Err(e) = writeln!(out, "{}", c.name()) {
            code = report_stdout_error(&e);
            break;
        }
    }
    if let Err(e) = out.flush() {
        code = code.max(report_stdout_error(&e));
    }
    exit(code)
}

fn report_stdout_error(e: &io::Error) -> u8 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return 0;
    }
    eprintln!("stdout: {}", io_message(e));
    EXIT_USAGE_OR_IO
}

/// Runs `flatten`.
pub(crate) fn run(args: &FlattenArgs) -> ExitCode {
    if args.columns {
        return print_columns();
    }
    let (inputs, mut code) = discover(&args.input, "flatten");
    if inputs.is_empty() {
        return exit(EXIT_USAGE_OR_IO);
    }
    if args.format.is_binary()
        && args.output.is_none()
        && args.output_dir.is_none()
        && io::stdout().is_terminal()
    {
        eprintln!(
            "callrecords flatten: --format {} writes binary data; give --output FILE or redirect stdout",
            args.format.extension()
        );
        return exit(EXIT_USAGE_OR_IO);
    }
    let tables: Vec<Table> = if args.tables {
        Table::ALL.to_vec()
    } else {
        vec![Table::Streams]
    };
    let unit = match args.timestamp_unit {
        UnitArg::Ns => TimestampUnit::Nanosecond,
        UnitArg::Us => TimestampUnit::Microsecond,
    };
    let targets: Vec<PathBuf> = match (&args.output_dir, &args.output) {
        (Some(dir), _) => tables
            .iter()
            .map(|t| dir.join(format!("{}.{}", t.name(), args.format.extension())))
            .collect(),
        (None, Some(path)) => vec![path.clone()],
        (None, None) => Vec::new(),
    };
    if let Some(clash) = targets.iter().find_map(|out| input_at(&inputs, out)) {
        eprintln!("{clash}: the output is also an input; refusing to overwrite it");
        return exit(EXIT_USAGE_OR_IO);
    }
    let mut writers = match Writers::create(args, &tables, unit) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("{}", io_message(&e));
            return exit(EXIT_USAGE_OR_IO);
        }
    };
    let quiet = args.input.quiet;
    let progress = Progress::start(total_size(&inputs), quiet);
    let options = PieceOptions {
        walk: WalkOptions::default(),
        format: args.format.format(),
        tables: &tables,
        table: TableOptions::default()
            .max_batch_bytes(BATCH_BYTES)
            .batch_size(args.batch_size)
            .timestamp_unit(unit),
    };
    let mut write_error: Option<String> = None;
    let mut next_links = 0u64;
    let mut lossy = Lossy::default();
    let mut failed = 0u64;
    run_streamed(
        inputs.len(),
        run::jobs(args.input.jobs),
        2,
        |i, send| flatten_one(&inputs[i], &options, &progress.bytes, send),
        |_, piece| match writers.write(&piece) {
            Ok(()) => true,
            Err(e) => {
                write_error = Some(e);
                false
            }
        },
        |_, done| {
            done.outcome.report(!quiet);
            code = code.max(done.outcome.exit_code());
            if let Some(s) = &done.outcome.stats {
                next_links += s.next_links;
            }
            lossy = lossy + done.lossy;
            if done.outcome.problem.is_some() {
                failed += 1;
            }
            !(args.input.fail_fast && done.outcome.problem.is_some())
        },
    );
    progress.finish();
    // A file is kept only when every input gave all of its rows.
    let keep = write_error.is_none() && code == 0;
    let finished = writers.finish(keep);
    if let Some(e) = write_error.or(finished.err()) {
        if !e.is_empty() {
            eprintln!("{e}");
            code = code.max(EXIT_USAGE_OR_IO);
        }
    }
    if !keep && !targets.is_empty() && failed > 0 {
        eprintln!(
            "callrecords: {failed} input(s) failed; no output file was written (an output holds every input's rows or is not written)"
        );
        code = code.max(EXIT_INVALID);
    }
    if !quiet {
        notes(next_links, lossy);
    }
    exit(code)
}

fn notes(next_links: u64, lossy: Lossy) {
    if next_links > 0 {
        eprintln!(
            "callrecords: {next_links} nextLink(s) not followed (a page is one file; `callrecords fetch` follows them)"
        );
    }
    if lossy.timestamps_out_of_range > 0 {
        eprintln!(
            "callrecords: {} timestamp(s) outside the nanosecond range (1677 to 2262) were written as null; each is kept, with its text, in its row's valueErrors (--timestamp-unit us holds them)",
            lossy.timestamps_out_of_range
        );
    }
    if lossy.timestamps_truncated > 0 {
        eprintln!(
            "callrecords: {} timestamp(s) had digits below a microsecond and were truncated to it (--timestamp-unit ns keeps them exact)",
            lossy.timestamps_truncated
        );
    }
}

impl Piece {
    fn table(&self) -> Table {
        match self {
            Piece::Text(t, _) | Piece::Batch(t, _) => *t,
        }
    }
}
