//! The `callrecords` command-line tool.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Fast, zero-copy parser for Microsoft Graph call records.
#[derive(Debug, Parser)]
#[command(name = "callrecords", version, about)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// One row per media stream, with its session, segment, media and quality, as NDJSON or CSV.
    Flatten(cli::flatten::FlattenArgs),
    /// Counts, stream quality and audio metric percentiles over files and folders.
    Summary(cli::summary::SummaryArgs),
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match &args.command {
        Command::Flatten(a) => cli::flatten::run(a),
        Command::Summary(a) => cli::summary::run(a),
    }
}
