//! `callrecords flatten`: one row per media stream (or per record of every table), as NDJSON,
//! CSV, Parquet or Arrow IPC.

use std::io::{self, Write};
use std::process::ExitCode;

use callrecords::flatten::Table;
use callrecords::table::Lossy;

use super::common::{discover, exit, total_size, InputArgs, EXIT_USAGE_OR_IO};
use super::files::io_message;
use super::pieces::{flatten_one, PieceOptions};
use super::run::{self, Progress};
use super::walk::{DocStats, WalkOptions};
use super::writers::{input_at, notes, OutputArgs, Writers};

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
text. valueErrors, the last column, holds the value errors of the row's records; a file with
value errors gets a note on stderr, and with --strict fails instead.

An output file (-o, --output-dir) is written under a temporary name and renamed into place only
when every input succeeded: otherwise the run exits non-zero and leaves no file under the final
name. On standard output, the rows of a file that fails are not written when they fit in 8 MiB;
past that they stream, and the exit status and the file's error line are the sign.
nextLinks are not followed (a page is one file); their count is reported on stderr.";

/// Arguments of `flatten`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP, after_long_help = long_help())]
pub(crate) struct FlattenArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    /// Fail a file on a value error (a bad duration, an out-of-range integer, the wrong JSON
    /// type for a field) instead of leaving the cell null, and on valid JSON that is not a
    /// callRecords document.
    #[arg(long)]
    pub(crate) strict: bool,
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

/// A file's value errors, whose cells are null: a note on stderr, as `validate` gives, so that
/// a bad value is never taken for an absent one without a word.
fn value_error_note(name: &str, stats: &DocStats) {
    let total: u64 = stats.value_errors.values().sum();
    let Some(first) = stats.first_value_error.as_ref().filter(|_| total > 0) else {
        return;
    };
    let at = first
        .position
        .map(|(line, column)| format!("line {line} column {column}: "))
        .unwrap_or_default();
    eprintln!(
        "{name}: note: {total} value error(s), null in their cells and kept with their text in valueErrors (--strict fails on them); the first: {at}{first}"
    );
}

/// Runs `flatten`.
pub(crate) fn run(args: &FlattenArgs) -> ExitCode {
    if args.columns {
        return print_columns();
    }
    let (inputs, code) = discover(&args.input, "flatten");
    if inputs.is_empty() {
        return exit(EXIT_USAGE_OR_IO);
    }
    let out = &args.output;
    if let Some(line) = out.refuse_terminal("flatten") {
        eprintln!("{line}");
        return exit(EXIT_USAGE_OR_IO);
    }
    if let Some(clash) = out.targets().iter().find_map(|t| input_at(&inputs, t)) {
        eprintln!("{clash}: the output is also an input; refusing to overwrite it");
        return exit(EXIT_USAGE_OR_IO);
    }
    let writers = match Writers::create(out) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("{}", io_message(&e));
            return exit(EXIT_USAGE_OR_IO);
        }
    };
    let quiet = args.input.quiet;
    let progress = Progress::start(total_size(&inputs), quiet);
    let tables = out.tables();
    let options = PieceOptions {
        walk: WalkOptions {
            strict: args.strict,
            ..WalkOptions::default()
        },
        format: out.format(),
        tables: &tables,
        table: out.table_options(),
    };
    let mut next_links = 0u64;
    let mut lossy = Lossy::default();
    let code = writers.write_ordered(
        code,
        !out.targets().is_empty(),
        inputs.len(),
        run::jobs(args.input.jobs),
        |i, send| flatten_one(&inputs[i], &options, &progress.bytes, send),
        |_, done| {
            done.outcome.report(!quiet);
            if let Some(s) = &done.outcome.stats {
                next_links += s.next_links;
                if !quiet {
                    value_error_note(&done.outcome.name, s);
                }
            }
            lossy = lossy + done.lossy;
            let failed = done.outcome.problem.is_some();
            (
                done.outcome.exit_code(),
                failed,
                !(args.input.fail_fast && failed),
            )
        },
    );
    progress.finish();
    if !quiet {
        notes(next_links, lossy);
    }
    exit(code)
}
