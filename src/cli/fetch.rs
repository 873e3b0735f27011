//! `callrecords fetch`: call records from Microsoft Graph, every page, into the rows `flatten`
//! writes.

use std::fs;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use callrecords::flatten::{Flattener, Table};
use callrecords::graph::{
    Client, ClientCredentials, ClientOptions, FetchStats, GraphError, Page, PageSink, RetryPolicy,
    Secret, SinkError, StaticToken, TokenSource, DEFAULT_AUTHORITY_URL, DEFAULT_GRAPH_URL,
};
use callrecords::table::Lossy;
use callrecords::Event;

use super::common::{exit, EXIT_INVALID, EXIT_OK, EXIT_USAGE_OR_IO};
use super::files::io_message;
use super::pieces::{lossy, renders, rest, Emitter, Piece, PieceOptions, Render};
use super::walk::WalkOptions;
use super::writers::{notes, OutputArgs, Writers};

const AFTER_HELP: &str = "\
Examples:
  GRAPH_TOKEN=$(cat token) callrecords fetch e523d2ed-2966-4b6b-925b-754a88034cc5 > streams.ndjson
  callrecords fetch --token-file token --format parquet -o streams.parquet ID1 ID2
  GRAPH_CLIENT_SECRET=… callrecords fetch --tenant contoso.onmicrosoft.com --client-id APP \\
      --since 2026-12-01T00:00:00Z --until 2026-12-02T00:00:00Z --tables --format parquet --output-dir lake/
  callrecords fetch --save pages/ ID && callrecords flatten pages/      # the same rows again

Each call record is GET /communications/callRecords/{id}?$expand=sessions($expand=segments), then
every sessions@odata.nextLink and @odata.nextLink page; each page is parsed while it arrives.
429, 503 and 504 are tried again after Retry-After (else an exponential back-off with jitter), a
429 pausing every worker; a connection or body that breaks is tried again from the page's start,
and its rows are never given twice. The file column holds the call record id.

Credentials: GRAPH_TOKEN or --token-file (a bearer token), or --tenant and --client-id with the
secret in GRAPH_CLIENT_SECRET (OAuth 2 client credentials, refreshed before expiry). The app needs
the application permission CallRecords.Read.All. Tokens and secrets are never printed.

Exit codes: 0 ok, 1 a call record could not be fetched or parsed, 2 usage, credentials or I/O.";

/// Arguments of `fetch`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct FetchArgs {
    /// Call record ids.
    #[arg(
        value_name = "ID",
        required_unless_present = "since",
        conflicts_with = "since"
    )]
    pub(crate) ids: Vec<String>,
    /// Fetch the call records that started at or after this instant (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub(crate) since: Option<String>,
    /// … and before this one (with --since).
    #[arg(long, value_name = "TIME", requires = "since")]
    pub(crate) until: Option<String>,
    /// The Graph root (national clouds: https://graph.microsoft.us/v1.0, …).
    #[arg(long, value_name = "URL", default_value = DEFAULT_GRAPH_URL)]
    pub(crate) graph_url: String,
    /// A file holding the bearer token (instead of GRAPH_TOKEN).
    #[arg(long, value_name = "FILE")]
    pub(crate) token_file: Option<PathBuf>,
    /// The tenant, for client credentials (secret in GRAPH_CLIENT_SECRET).
    #[arg(long, requires = "client_id")]
    pub(crate) tenant: Option<String>,
    /// The application (client) id, for client credentials.
    #[arg(long, requires = "tenant")]
    pub(crate) client_id: Option<String>,
    /// The identity platform authority, for client credentials.
    #[arg(long, value_name = "URL", default_value = DEFAULT_AUTHORITY_URL)]
    pub(crate) authority_url: String,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    /// Also write every page as received, to DIR/<callRecordId>/<n>.json (replay: flatten DIR).
    #[arg(long, value_name = "DIR")]
    pub(crate) save: Option<PathBuf>,
    /// Call records fetched at once (default 4). A 429 slows them all.
    #[arg(short, long, value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// Tries of a page in all, the first included.
    #[arg(long, value_name = "N", default_value_t = RetryPolicy::default().max_tries)]
    pub(crate) max_tries: u32,
    /// The longest a request may take, in seconds, its body included.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub(crate) timeout: u64,
    /// No progress and no notes on stderr; errors are still reported.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Stop at the first call record that fails instead of going on with the others.
    #[arg(long)]
    pub(crate) fail_fast: bool,
}

/// The token source the arguments and the environment name.
fn credentials(args: &FetchArgs) -> Result<Box<dyn TokenSource>, String> {
    if let (Some(tenant), Some(client_id)) = (&args.tenant, &args.client_id) {
        let secret = std::env::var("GRAPH_CLIENT_SECRET")
            .map(Secret::new)
            .unwrap_or(Secret::new(""));
        if secret.is_empty() {
            return Err(
                "--tenant and --client-id need the client secret in GRAPH_CLIENT_SECRET".into(),
            );
        }
        return Ok(Box::new(ClientCredentials::new(
            &args.authority_url,
            tenant,
            client_id.clone(),
            secret,
            &args.graph_url,
        )));
    }
    let token = match &args.token_file {
        Some(path) => fs::read_to_string(path)
            .map(Secret::new)
            .map_err(|e| format!("{}: {}", path.display(), io_message(&e)))?,
        None => std::env::var("GRAPH_TOKEN")
            .map(Secret::new)
            .unwrap_or(Secret::new("")),
    };
    if token.is_empty() {
        return Err(
            "no credentials: set GRAPH_TOKEN, give --token-file, or --tenant and --client-id with GRAPH_CLIENT_SECRET"
                .into(),
        );
    }
    Ok(Box::new(StaticToken(token)))
}

/// Counters the progress line shows.
#[derive(Default)]
struct Counters {
    pages: AtomicU64,
    sessions: AtomicU64,
    retries: AtomicU64,
}

/// Runs `fetch`.
pub(crate) fn run(args: &FetchArgs) -> ExitCode {
    let out = &args.output;
    if let Some(line) = out.refuse_terminal("fetch") {
        eprintln!("{line}");
        return exit(EXIT_USAGE_OR_IO);
    }
    let auth = match credentials(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("callrecords fetch: {e}");
            return exit(EXIT_USAGE_OR_IO);
        }
    };
    let options = ClientOptions::default()
        .graph_url(args.graph_url.clone())
        .timeout(Duration::from_secs(args.timeout.max(1)))
        .retry(RetryPolicy {
            max_tries: args.max_tries.max(1),
            ..RetryPolicy::default()
        });
    let client = Client::new(options, auth);
    let ids = match &args.since {
        Some(since) => match client.list_call_records(since, args.until.as_deref()) {
            Ok(ids) => {
                if !args.quiet {
                    eprintln!(
                        "callrecords: {} call record(s) started in the range",
                        ids.len()
                    );
                }
                ids
            }
            Err(e) => {
                eprintln!("callrecords fetch: listing call records: {e}");
                return exit(error_code(&e));
            }
        },
        None => args.ids.clone(),
    };
    // An id given (or listed) twice is fetched once: its rows, and its saved pages, once.
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<String> = ids
        .into_iter()
        .filter(|id| seen.insert(id.clone()))
        .collect();
    let writers = match Writers::create(out) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("{}", io_message(&e));
            return exit(EXIT_USAGE_OR_IO);
        }
    };
    let tables = out.tables();
    let pieces = PieceOptions {
        walk: WalkOptions::default(),
        format: out.format(),
        tables: &tables,
        table: out.table_options(),
    };
    let counters = Counters::default();
    let progress = ProgressLine::new(args.quiet);
    let mut lossy_total = Lossy::default();
    let code = writers.write_ordered(
        EXIT_OK,
        !out.targets().is_empty(),
        ids.len(),
        args.jobs.unwrap_or(4).max(1),
        |i, send| {
            let mut sink = FetchSink::new(&ids[i], &pieces, args, &counters, progress, send);
            let result = client.fetch_call_record(&ids[i], &mut sink);
            if result.is_ok() {
                sink.emitter.finish(Vec::new());
            }
            (result, sink.lossy)
        },
        |i, (result, lossy): (Result<FetchStats, GraphError>, Lossy)| {
            lossy_total = lossy_total + lossy;
            match result {
                Ok(_) => (EXIT_OK, false, true),
                Err(e) => {
                    progress.clear();
                    eprintln!("{}: {e}", ids[i]);
                    (error_code(&e), true, !args.fail_fast)
                }
            }
        },
    );
    progress.clear();
    if !args.quiet {
        notes(0, lossy_total);
        if ids.len() > 1 || counters.retries.load(Ordering::Relaxed) > 0 {
            eprintln!(
                "callrecords: {} call record(s), {} page(s), {} session(s), {} retried request(s)",
                ids.len(),
                counters.pages.load(Ordering::Relaxed),
                counters.sessions.load(Ordering::Relaxed),
                counters.retries.load(Ordering::Relaxed),
            );
        }
    }
    exit(code)
}

/// A call record's exit code: 2 for credentials and permissions, 1 for the rest.
fn error_code(e: &GraphError) -> u8 {
    match e {
        GraphError::Auth { .. } | GraphError::Denied { .. } | GraphError::Usage { .. } => {
            EXIT_USAGE_OR_IO
        }
        GraphError::Sink(_) => EXIT_USAGE_OR_IO,
        _ => EXIT_INVALID,
    }
}

/// One call record's pages into pieces: a page's rows are rendered apart and sent only once the
/// page arrived whole, so a page tried again is never given twice.
struct FetchSink<'s> {
    id: &'s str,
    options: &'s PieceOptions<'s>,
    quiet: bool,
    save: Option<PathBuf>,
    counters: &'s Counters,
    progress: ProgressLine,
    /// The page being read: its flattener, renderers and saved body.
    flattener: Option<Flattener>,
    page_render: Vec<(Table, Render)>,
    /// The page's pieces complete so far, sent when the page is done.
    page_pieces: Vec<Piece>,
    saved: Option<(fs::File, PathBuf)>,
    page_sessions: u64,
    emitter: Emitter<'s>,
    lossy: Lossy,
}

impl<'s> FetchSink<'s> {
    fn new(
        id: &'s str,
        options: &'s PieceOptions<'s>,
        args: &FetchArgs,
        counters: &'s Counters,
        progress: ProgressLine,
        send: &'s mut dyn FnMut(Piece) -> bool,
    ) -> Self {
        FetchSink {
            id,
            options,
            quiet: args.quiet,
            save: args.save.clone(),
            counters,
            progress,
            flattener: None,
            page_render: Vec::new(),
            page_pieces: Vec::new(),
            saved: None,
            page_sessions: 0,
            emitter: Emitter::new(send),
            lossy: Lossy::default(),
        }
    }

    /// Forgets the page being read.
    fn reset(&mut self) {
        self.flattener = None;
        self.page_render.clear();
        self.page_pieces.clear();
        self.page_sessions = 0;
        if let Some((file, path)) = self.saved.take() {
            drop(file);
            let _ = fs::remove_file(path);
        }
    }

    fn saved_path(&self, page: &Page<'_>) -> Option<PathBuf> {
        let dir = self.save.as_ref()?;
        Some(
            dir.join(safe_name(self.id))
                .join(format!("{}.json", page.index)),
        )
    }
}

impl Drop for FetchSink<'_> {
    /// A record that ended inside a page (an error, or the run stopping) leaves no
    /// `.json.partial` behind.
    fn drop(&mut self) {
        self.reset();
    }
}

impl PageSink for FetchSink<'_> {
    fn section(&mut self, _: &Page<'_>, events: &[Event<'_>]) -> Result<(), SinkError> {
        let options = self.options;
        let id = self.id;
        let flattener = self.flattener.get_or_insert_with(|| {
            Flattener::new(id)
                .with_tables(options.tables)
                .with_call_record_id(Some(id.to_owned()))
        });
        if self.page_render.is_empty() {
            self.page_render = renders(options);
        }
        let (render, staged) = (&mut self.page_render, &mut self.page_pieces);
        let mut rows = flattener.rows();
        for e in events {
            self.page_sessions += u64::from(matches!(e, Event::Session(_)));
            rows.push(e, &mut |r| stage(render, staged, r))?;
        }
        Ok(())
    }

    fn page_done(&mut self, page: &Page<'_>) -> Result<(), SinkError> {
        let (render, staged) = (&mut self.page_render, &mut self.page_pieces);
        if let Some(flattener) = self.flattener.as_mut() {
            flattener.finish(&mut |r| stage(render, staged, r))?;
        }
        self.lossy = self.lossy + lossy(render);
        staged.extend(rest(render));
        render.clear();
        self.flattener = None;
        for piece in std::mem::take(staged) {
            if !self.emitter.emit(piece) {
                return Err("the run stopped".into());
            }
        }
        if let Some((file, path)) = self.saved.take() {
            file.sync_all()?;
            drop(file);
            if let Some(final_path) = self.saved_path(page) {
                fs::rename(&path, final_path)?;
            }
        }
        self.counters.pages.fetch_add(1, Ordering::Relaxed);
        self.counters
            .sessions
            .fetch_add(std::mem::take(&mut self.page_sessions), Ordering::Relaxed);
        self.progress.draw(self.counters);
        Ok(())
    }

    fn page_failed(&mut self, _: &Page<'_>) {
        self.reset();
    }

    fn body(&mut self, page: &Page<'_>, chunk: &[u8]) -> Result<(), SinkError> {
        let Some(path) = self.saved_path(page) else {
            return Ok(());
        };
        if self.saved.is_none() {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            let partial = path.with_extension("json.partial");
            let file = fs::File::create(&partial)?;
            self.saved = Some((file, partial));
        }
        if let Some((file, _)) = self.saved.as_mut() {
            file.write_all(chunk)?;
        }
        Ok(())
    }

    fn retrying(&mut self, page: &Page<'_>, why: &str, wait: Duration) {
        self.counters.retries.fetch_add(1, Ordering::Relaxed);
        if !self.quiet {
            self.progress.clear();
            eprintln!(
                "{}: page {} try {}: {why}; trying again in {:.1} s",
                self.id,
                page.index,
                page.attempt,
                wait.as_secs_f64()
            );
        }
    }
}

/// Renders a row into its table's renderer, keeping a piece that completes with the page's.
fn stage(
    render: &mut [(Table, Render)],
    staged: &mut Vec<Piece>,
    r: &callrecords::flatten::FlatRow<'_, '_>,
) -> std::io::Result<()> {
    if let Some((t, rd)) = render.iter_mut().find(|(t, _)| *t == r.table) {
        if let Some(piece) = rd.row(*t, r)? {
            staged.push(piece);
        }
    }
    Ok(())
}

/// A call record id as a folder name: characters other than letters, digits, `-`, `_` and `.`
/// become `_` (ids are GUIDs; this keeps a stranger one inside the folder).
fn safe_name(id: &str) -> String {
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        "_".to_owned()
    } else {
        name
    }
}

/// A progress line on stderr (pages, sessions and retries so far), redrawn after each page when
/// stderr is a terminal.
#[derive(Clone, Copy)]
struct ProgressLine {
    on: bool,
}

impl ProgressLine {
    fn new(quiet: bool) -> Self {
        ProgressLine {
            on: !quiet && std::io::stderr().is_terminal(),
        }
    }

    fn draw(self, counters: &Counters) {
        if self.on {
            eprint!(
                "\r\x1b[2Kcallrecords: {} page(s), {} session(s), {} retried request(s)",
                counters.pages.load(Ordering::Relaxed),
                counters.sessions.load(Ordering::Relaxed),
                counters.retries.load(Ordering::Relaxed),
            );
        }
    }

    fn clear(self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}
