//! The outputs of `flatten` and `fetch`: the output options, and one writer per table, written
//! in input order on the main thread, made final only when the whole run succeeded.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use callrecords::flatten::Table;
use callrecords::table::{Lossy, TableOptions, TimestampUnit, DEFAULT_BATCH_SIZE};

use super::common::{EXIT_INVALID, EXIT_OK, EXIT_USAGE_OR_IO};
use super::files::{io_message, Input};
use super::output::Output;
use super::pieces::{Format, Piece};
use super::row::CsvRowWriter;
use super::run::run_streamed;
use super::tables::{Compression, TableWriter, Target, WRITERS_MEMORY};

/// Output format.
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

/// Where and how rows are written (`flatten` and `fetch`).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct OutputArgs {
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
}

impl OutputArgs {
    /// The tables written.
    pub(crate) fn tables(&self) -> Vec<Table> {
        if self.tables {
            Table::ALL.to_vec()
        } else {
            vec![Table::Streams]
        }
    }

    /// The unit of the timestamp columns.
    pub(crate) fn unit(&self) -> TimestampUnit {
        match self.timestamp_unit {
            UnitArg::Ns => TimestampUnit::Nanosecond,
            UnitArg::Us => TimestampUnit::Microsecond,
        }
    }

    /// How workers render rows.
    pub(crate) fn format(&self) -> Format {
        self.format.format()
    }

    /// How workers build batches.
    pub(crate) fn table_options(&self) -> TableOptions {
        TableOptions::default()
            .max_batch_bytes(BATCH_BYTES)
            .batch_size(self.batch_size)
            .timestamp_unit(self.unit())
    }

    /// The files written (none for stdout).
    pub(crate) fn targets(&self) -> Vec<PathBuf> {
        match (&self.output_dir, &self.output) {
            (Some(dir), _) => self
                .tables()
                .iter()
                .map(|t| dir.join(format!("{}.{}", t.name(), self.format.extension())))
                .collect(),
            (None, Some(path)) => vec![path.clone()],
            (None, None) => Vec::new(),
        }
    }

    /// An error line when binary data would go to a terminal.
    pub(crate) fn refuse_terminal(&self, command: &str) -> Option<String> {
        let to_stdout = self.output.is_none() && self.output_dir.is_none();
        (self.format.is_binary() && to_stdout && io::stdout().is_terminal()).then(|| {
            format!(
                "callrecords {command}: --format {} writes binary data; give --output FILE or redirect stdout",
                self.format.extension()
            )
        })
    }
}

/// Batches end at about this size: a few of them wait between a worker and the writers.
pub(crate) const BATCH_BYTES: usize = 4 << 20;

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
pub(crate) struct Writers {
    writers: Vec<(Table, Writer, String)>,
}

impl Writers {
    /// Creates the outputs `args` asks for.
    pub(crate) fn create(args: &OutputArgs) -> io::Result<Self> {
        let (tables, unit) = (args.tables(), args.unit());
        if let Some(dir) = &args.output_dir {
            std::fs::create_dir_all(dir).map_err(|e| named(dir, e))?;
        }
        let mut writers = Vec::new();
        for table in tables {
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

    /// Writes one piece to its table's output.
    pub(crate) fn write(&mut self, piece: &Piece) -> Result<(), String> {
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
    pub(crate) fn finish(self, keep: bool) -> Result<(), String> {
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
pub(crate) fn input_at(inputs: &[Input], output: &Path) -> Option<String> {
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

impl Writers {
    /// Runs `work` over `n` items on `jobs` workers ([`run_streamed`]), writing their pieces in
    /// item order, and `done(i, outcome)` on each item's outcome, which gives the item's exit
    /// code, whether it failed, and whether to go on. The outputs are made final only when every
    /// item succeeded (and `code`, the exit code so far, is 0); otherwise they are removed, and
    /// with `files` (outputs that are files) a line says that none was written. Returns the
    /// run's exit code.
    pub(crate) fn write_ordered<O: Send>(
        mut self,
        code: u8,
        files: bool,
        n: usize,
        jobs: usize,
        work: impl Fn(usize, &mut dyn FnMut(Piece) -> bool) -> O + Sync,
        mut done: impl FnMut(usize, O) -> (u8, bool, bool),
    ) -> u8 {
        let mut code = code;
        let mut failed = 0u64;
        let mut write_error: Option<String> = None;
        run_streamed(
            n,
            jobs,
            2,
            work,
            |_, piece| match self.write(&piece) {
                Ok(()) => true,
                Err(e) => {
                    write_error = Some(e);
                    false
                }
            },
            |i, outcome| {
                let (item_code, item_failed, go_on) = done(i, outcome);
                code = code.max(item_code);
                failed += u64::from(item_failed);
                go_on
            },
        );
        let keep = write_error.is_none() && code == EXIT_OK;
        let finished = self.finish(keep);
        if let Some(e) = write_error.or(finished.err()) {
            if !e.is_empty() {
                eprintln!("{e}");
                code = code.max(EXIT_USAGE_OR_IO);
            }
        }
        if !keep && files {
            if failed > 0 {
                eprintln!(
                    "callrecords: {failed} input(s) failed; no output file was written (an output holds every input's rows or is not written)"
                );
                code = code.max(EXIT_INVALID);
            } else {
                eprintln!("callrecords: no output file was written");
            }
        }
        code
    }
}

/// The notes after a run: next links not followed, timestamps the unit could not hold.
pub(crate) fn notes(next_links: u64, lossy: Lossy) {
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
