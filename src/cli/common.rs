//! Plumbing shared by `flatten`, `summary` and `validate --strict`: input discovery, parallel
//! per-file processing in input order, progress, error lines and exit codes.
//!
//! `main.rs` owns argument parsing for the whole tool; it embeds the argument structs defined here
//! and calls [`flatten::run`] and [`summary::run`].

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicU64;

use callrecords::flatten::Table;

use super::events::{self, Want};
use super::files::{self, Input};
use super::walk::{DocStats, Problem, Shape, Sink, WalkOptions};

/// Exit code: every input was fine.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code: at least one input was invalid (not JSON, truncated, or failing `--strict`).
pub(crate) const EXIT_INVALID: u8 = 1;
/// Exit code: a usage or I/O error (missing file, folder without JSON, unreadable input).
pub(crate) const EXIT_USAGE_OR_IO: u8 = 2;

/// Arguments shared by the commands that read call records.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct InputArgs {
    /// Files, folders (walked for *.json and *.json.gz, in sorted order) or `-` for stdin.
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// Files parsed in parallel (default: all cores). Output keeps the input order.
    #[arg(short = 'j', long, value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// No progress bar and no notes on stderr; `validate` also leaves out its `ok` lines. Errors
    /// are still reported.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Stop at the first bad file instead of carrying on with the others.
    #[arg(long)]
    pub(crate) fail_fast: bool,
}

/// What processing one file gave.
pub(crate) struct FileOutcome {
    /// The file's name as shown.
    pub(crate) name: String,
    /// Document bytes parsed (after gzip decompression).
    pub(crate) bytes: u64,
    /// The stats, when the file was read and parsed.
    pub(crate) stats: Option<DocStats>,
    /// Why the file failed, if it did.
    pub(crate) problem: Option<Problem>,
}

impl FileOutcome {
    /// This file's contribution to the exit code.
    pub(crate) fn exit_code(&self) -> u8 {
        match &self.problem {
            None => EXIT_OK,
            Some(p) if p.io => EXIT_USAGE_OR_IO,
            Some(_) => EXIT_INVALID,
        }
    }

    /// Prints the error line, and with `notes` a note for a document that is not call records.
    pub(crate) fn report(&self, notes: bool) {
        if let Some(p) = &self.problem {
            eprintln!("{}", p.line(&self.name));
        } else if notes {
            if let Some(s) = &self.stats {
                if s.shape == Shape::Other {
                    eprintln!(
                        "{}: note: valid JSON, but not a callRecords sessions page or callRecord document",
                        self.name
                    );
                }
            }
        }
    }
}

/// Reads one input through the streaming [`callrecords::Reader`] (gzip decompressed on the fly)
/// and walks it, giving each row of `tables` to `sink`. Memory follows the largest session, not
/// the file.
///
/// When no callRecord id is known at the first row (the document's `id` or `@odata.context`
/// follows its sessions, or it has none), a file is walked once more to learn the id and then
/// again with it, so every row has it and `sink` never sees a row twice. Standard input cannot
/// be read twice: its rows keep a null id, and a note says so when the id came late.
pub(crate) fn process(
    input: &Input,
    options: WalkOptions,
    tables: &[Table],
    counter: &AtomicU64,
    sink: &mut dyn Sink,
) -> FileOutcome {
    let name = input.name();
    let outcome = |bytes, result: Result<DocStats, Problem>| {
        let (stats, problem) = match result {
            Ok(stats) => (Some(stats), None),
            Err(problem) => (None, Some(problem)),
        };
        FileOutcome {
            name: name.clone(),
            bytes,
            stats,
            problem,
        }
    };
    let walk = |counter: &AtomicU64, want: Want<'_>, sink: &mut dyn Sink| match files::open(
        input, counter,
    ) {
        Ok(reader) => events::walk_reader(&name, reader, options, want, &mut |s| sink.row(s)),
        Err(e) => (0, Err(Problem::io(files::io_message(&e)))),
    };
    let stdin = *input == Input::Stdin;
    let want = Want {
        tables,
        call_record_id: None,
        stop_without_id: !stdin,
    };
    let (bytes, result) = walk(counter, want, sink);
    let Ok(stats) = &result else {
        return outcome(bytes, result);
    };
    if !stats.late_call_record_id {
        return outcome(bytes, result);
    }
    if stdin {
        if stats.call_record_id.is_some() {
            eprintln!(
                "{name}: note: the callRecord id follows the sessions; rows from stdin leave it null"
            );
        }
        return outcome(bytes, result);
    }
    // The walk stopped before its first row: learn the id, then walk with it.
    let (_, learned) = walk(&AtomicU64::new(0), Want::rows(&[]), &mut NoRows);
    let call_record_id = match learned {
        Ok(stats) => stats.call_record_id,
        Err(problem) => return outcome(bytes, Err(problem)),
    };
    let want = Want {
        tables,
        call_record_id,
        stop_without_id: false,
    };
    let (bytes, result) = walk(&AtomicU64::new(0), want, sink);
    outcome(bytes, result)
}

/// A sink for a walk that gives no rows.
struct NoRows;

impl Sink for NoRows {
    fn row(&mut self, _: &callrecords::flatten::FlatRow<'_, '_>) -> std::io::Result<()> {
        Ok(())
    }
}

/// Expands the inputs of `command`, printing one line per discovery error (and a usage line when
/// no PATH was given). Returns the inputs and the exit code so far.
pub(crate) fn discover(args: &InputArgs, command: &str) -> (Vec<Input>, u8) {
    if args.paths.is_empty() {
        eprintln!(
            "callrecords {command}: give at least one PATH (a file, a folder, or `-` for stdin)"
        );
        return (Vec::new(), EXIT_USAGE_OR_IO);
    }
    let (inputs, errors) = files::discover(&args.paths);
    for e in &errors {
        eprintln!("{}: {}", e.path, e.message);
    }
    if errors.is_empty() {
        return (inputs, EXIT_OK);
    }
    if args.fail_fast {
        // A path that cannot be read is a bad input like any other: stop before the rest.
        return (Vec::new(), EXIT_USAGE_OR_IO);
    }
    (inputs, EXIT_USAGE_OR_IO)
}

/// Converts an exit code into the process's.
pub(crate) fn exit(code: u8) -> ExitCode {
    ExitCode::from(code)
}

/// Total size on disk of the inputs (stdin counts as 0), for the progress bar.
pub(crate) fn total_size(inputs: &[Input]) -> u64 {
    inputs.iter().filter_map(Input::size).sum()
}
