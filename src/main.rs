//! The `callrecords` command-line tool: validate JSON files and generate large test payloads.
//!
//! Each subcommand lives in its own module under `src/cli/`, with a clap `Args` struct and a
//! `run` function returning the process exit code.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Fast, zero-copy, streaming parser for Microsoft Graph callRecords.
#[derive(Debug, Parser)]
#[command(
    name = "callrecords",
    version,
    about,
    propagate_version = true,
    after_help = cli::EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check that files are valid JSON (RFC 8259); any JSON document is accepted.
    #[command(after_help = cli::validate::EXAMPLES)]
    Validate(cli::validate::Args),
    /// Generate a large, realistic callRecords payload (deterministic for a seed).
    #[command(after_help = cli::generate::EXAMPLES)]
    Gen(cli::generate::Args),
    /// One row per media stream (session, segment, media, stream, quality) as NDJSON or CSV.
    Flatten(cli::flatten::FlattenArgs),
    /// Counts, stream quality and audio metric percentiles over files and folders.
    Summary(cli::summary::SummaryArgs),
    /// Call records from Microsoft Graph, every page, as flatten's rows (NDJSON, CSV, Parquet, Arrow).
    Fetch(cli::fetch::FetchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => cli::validate::run(&args),
        Command::Gen(args) => cli::generate::run(&args),
        Command::Flatten(args) => cli::flatten::run(&args),
        Command::Summary(args) => cli::summary::run(&args),
        Command::Fetch(args) => cli::fetch::run(&args),
    }
}
