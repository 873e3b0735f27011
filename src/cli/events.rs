//! The walker the commands use: the crate's streaming [`Reader`] and its events, through the
//! library's [`Flattener`], into rows.
//!
//! Every file is read through [`Reader`], one section (about one session) at a time, so memory
//! follows the largest session, not the file. Rows borrow the reader's window; the file name and
//! the callRecord id are the only cells kept across sessions.

use std::io::Read;

use callrecords::flatten::{FlatRow, Flattener, Table};
#[cfg(test)]
use callrecords::Events;
use callrecords::{Error, Event, FieldErrors, Options, Reader, Shape as DocShape, StreamOptions};

use super::walk::{DocStats, Problem, Shape, WalkOptions};

/// The rows a walk gives, and what it does when the callRecord id is not known at the first one.
pub(crate) struct Want<'t> {
    /// The tables whose rows are given.
    pub(crate) tables: &'t [Table],
    /// The callRecord id to give rows before the document names one (a second walk's).
    pub(crate) call_record_id: Option<String>,
    /// Stop at the first row when no callRecord id is known yet, before giving it: the caller
    /// walks the document once to learn the id, then again with it
    /// ([`DocStats::late_call_record_id`] says so).
    pub(crate) stop_without_id: bool,
}

impl Want<'_> {
    /// Every row of `tables`, whatever the id.
    pub(crate) fn rows(tables: &[Table]) -> Want<'_> {
        Want {
            tables,
            call_record_id: None,
            stop_without_id: false,
        }
    }
}

/// Walks one document read from `input` through the streaming [`Reader`], calling `consumer`
/// for every row of the wanted tables.
///
/// Returns the number of document bytes read, and the document's stats or the problem that made
/// it invalid (a syntax error, an I/O error, or with `strict` a value error or a non-callRecords
/// shape), or the stats of a walk stopped for want of an id ([`Want::stop_without_id`]).
pub(crate) fn walk_reader(
    file: &str,
    input: impl Read,
    options: WalkOptions,
    want: Want<'_>,
    consumer: &mut dyn FnMut(&FlatRow<'_, '_>) -> std::io::Result<()>,
) -> (u64, Result<DocStats, Problem>) {
    let mut reader =
        Reader::with_options(input, StreamOptions::new().events(event_options(options)));
    let (mut state, mut flat) = State::new(file, want);
    let result = (|| {
        while let Some(mut section) = reader.next_section().map_err(|e| problem(&e, &[]))? {
            // Rows borrow the section; each section has working rows of its own.
            let mut rows = flat.rows();
            for event in section.events() {
                let event = event.map_err(|e| problem(&e, &[]))?;
                if !state.event(&event, &mut rows, consumer)? {
                    return Ok(());
                }
            }
        }
        flat.finish(&mut |r| consumer(r)).map_err(io_problem)
    })();
    let bytes = reader.offset();
    (bytes, result.map(|()| state.finish(&flat)))
}

/// Walks one document in memory with the slice iterator, calling `consumer` for every row of
/// `tables`.
#[cfg(test)]
pub(crate) fn walk_slice(
    file: &str,
    bytes: &[u8],
    options: WalkOptions,
    tables: &[Table],
    consumer: &mut dyn FnMut(&FlatRow<'_, '_>) -> std::io::Result<()>,
) -> Result<DocStats, Problem> {
    let (mut state, mut flat) = State::new(file, Want::rows(tables));
    let mut rows = flat.rows();
    for event in Events::with_options(bytes, event_options(options)) {
        let event = event.map_err(|e| problem(&e, bytes))?;
        state.event(&event, &mut rows, consumer)?;
    }
    drop(rows);
    flat.finish(&mut |r| consumer(r)).map_err(io_problem)?;
    Ok(state.finish(&flat))
}

fn event_options(options: WalkOptions) -> Options {
    Options::default()
        .strict(options.strict)
        .report_undeclared(options.report_unknown)
}

fn io_problem(e: std::io::Error) -> Problem {
    Problem::io(e.to_string())
}

/// What a walk keeps across events (and across the reader's sections), beside the flattener.
struct State {
    stats: DocStats,
    stop_without_id: bool,
}

impl State {
    fn new(file: &str, want: Want<'_>) -> (Self, Flattener) {
        let state = State {
            stats: DocStats {
                shape: Shape::Other,
                ..DocStats::default()
            },
            stop_without_id: want.stop_without_id,
        };
        let flat = Flattener::new(file)
            .with_tables(want.tables)
            .with_call_record_id(want.call_record_id);
        (state, flat)
    }

    fn finish(mut self, flat: &Flattener) -> DocStats {
        let stats = &mut self.stats;
        stats.call_record_id = flat.call_record_id().map(str::to_owned);
        if stats.call_record_ids.is_empty() {
            stats.call_record_ids.extend(stats.call_record_id.clone());
        }
        // A streamed callRecord document whose fields also follow the sessions repeats its
        // header in the trailer: it is still one call record.
        if stats.shape == Shape::CallRecord {
            stats.call_records = stats.call_records.min(1);
        }
        self.stats
    }

    /// Takes one event; `false` when the walk stops for want of a callRecord id.
    fn event<'a>(
        &mut self,
        event: &Event<'a>,
        rows: &mut callrecords::flatten::Rows<'_, 'a>,
        consumer: &mut dyn FnMut(&FlatRow<'_, '_>) -> std::io::Result<()>,
    ) -> Result<bool, Problem> {
        let stats = &mut self.stats;
        match event {
            Event::Page(page) => {
                stats.shape = match page.shape {
                    DocShape::SessionsPage => Shape::SessionsPage,
                    DocShape::CallRecord => Shape::CallRecord,
                    DocShape::CallRecordsPage => Shape::CallRecordsPage,
                    DocShape::Other => Shape::Other,
                };
            }
            Event::CallRecord(record) => {
                stats.call_records += 1;
                if stats.shape == Shape::Other {
                    stats.shape = Shape::CallRecord;
                }
                value_errors(stats, &record.errors);
                if let Some(id) = record.id {
                    stats.call_record_ids.insert(id.decode_lossy().into_owned());
                }
            }
            Event::Session(s) => {
                stats.sessions += 1;
                value_errors(stats, &s.errors);
            }
            Event::Segment(g) => {
                stats.segments += 1;
                value_errors(stats, &g.errors);
            }
            Event::Media(m) => {
                stats.media += 1;
                value_errors(stats, &m.errors);
            }
            Event::Stream(t) => {
                stats.streams += 1;
                value_errors(stats, &t.errors);
            }
            Event::Annotation(a) => {
                if a.is_next_link() {
                    stats.next_links += 1;
                }
            }
            Event::Undeclared(u) => stats.unknown_key(&u.to_string()),
        }
        let stop = self.stop_without_id;
        let late = &mut stats.late_call_record_id;
        let result = rows.push(event, &mut |r| {
            if r.row.get(1).as_str().is_none() {
                if stop {
                    *late = true;
                    return Err(None);
                }
                *late = true;
            }
            consumer(r).map_err(Some)
        });
        match result {
            Ok(()) => Ok(true),
            Err(None) => Ok(false),
            Err(Some(e)) => Err(io_problem(e)),
        }
    }
}

/// The error line's position and message for a parse or I/O error.
///
/// `input` is the document for the slice iterator; the streaming reader records positions in its
/// errors, so it passes an empty slice.
pub(crate) fn problem(e: &Error, input: &[u8]) -> Problem {
    let text = e.to_string();
    // `Display` ends with the position (`at line L column C` or `at byte N`); it goes first.
    let message = match text.rfind(" at line ").or_else(|| text.rfind(" at byte ")) {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    if e.is_io() {
        // A corrupt or truncated gzip stream is invalid input, not an I/O failure.
        let source = std::error::Error::source(e).and_then(|s| s.downcast_ref::<std::io::Error>());
        if let Some(io) = source {
            use std::io::ErrorKind::{InvalidData, InvalidInput, UnexpectedEof};
            if matches!(io.kind(), InvalidData | InvalidInput | UnexpectedEof) {
                return Problem::invalid(format!(
                    "invalid gzip data: {}",
                    super::files::io_message(io)
                ));
            }
            return Problem::io(super::files::io_message(io));
        }
        return Problem::io(message);
    }
    let (line, column) = e.line_column(input);
    Problem::at(line, column, message)
}

fn value_errors(stats: &mut DocStats, errors: &FieldErrors<'_>) {
    let mut kept = 0;
    for e in errors.iter() {
        kept += 1;
        let path = e.to_string();
        stats.value_error(&path, || {
            Problem::invalid(format!(
                "invalid value: {} at {path} (byte {})",
                e.error.kind(),
                e.offset
            ))
        });
    }
    if errors.total() > kept {
        *stats
            .value_errors
            .entry("(more in the same record)".to_string())
            .or_insert(0) += u64::from(errors.total() - kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::fallback;
    use super::super::row::NdjsonWriter;
    use super::super::walk::Sink;
    use callrecords::generate::{self, GenOptions};

    /// Collects NDJSON rows.
    struct Rows<'w>(&'w NdjsonWriter, Vec<u8>);

    impl Sink for Rows<'_> {
        fn row(&mut self, s: &FlatRow<'_, '_>) -> std::io::Result<()> {
            self.0.write_row(&mut self.1, s.row)
        }
    }

    type Counts = Option<(u64, u64, u64, u64, u64)>;

    /// NDJSON rows and counts of `bytes` through the reference walker (0), the slice iterator (1)
    /// or what the commands do (2): the streaming reader over a file, walked again when the
    /// callRecord id came late.
    fn rows(which: u8, path: &std::path::Path, bytes: &[u8]) -> (String, Counts) {
        let writer = NdjsonWriter::new(Table::Streams.columns());
        let mut sink = Rows(&writer, Vec::new());
        let options = WalkOptions::default();
        let input = super::super::files::Input::File(path.to_path_buf());
        let name = input.name();
        let stats = match which {
            0 => fallback::walk(&name, bytes, options, &mut |s| sink.row(s)).ok(),
            1 => walk_slice(&name, bytes, options, &[Table::Streams], &mut |s| {
                sink.row(s)
            })
            .ok(),
            _ => {
                let counter = std::sync::atomic::AtomicU64::new(0);
                let tables = [Table::Streams];
                super::super::common::process(&input, options, &tables, &counter, &mut sink).stats
            }
        };
        let counts = stats.map(|s| (s.sessions, s.segments, s.media, s.streams, s.next_links));
        (String::from_utf8(sink.1).unwrap_or_default(), counts)
    }

    fn agree(name: &str, bytes: &[u8]) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/cli-unit");
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("doc-{}-{}.json", std::process::id(), bytes.len()));
        std::fs::write(&path, bytes).ok();
        let reference = rows(0, &path, bytes);
        assert!(reference.1.is_some(), "{name}: reference walker failed");
        assert_eq!(
            rows(1, &path, bytes),
            reference,
            "{name}: slice iterator differs"
        );
        assert_eq!(
            rows(2, &path, bytes),
            reference,
            "{name}: streaming reader differs"
        );
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn walkers_agree_on_the_corpus() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/docs");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            agree(&entry.path().display().to_string(), &bytes);
            n += 1;
        }
        assert!(n >= 15);
    }

    #[test]
    fn walkers_agree_on_generated_documents() {
        for (seed, shape, compact) in [
            (1, generate::Shape::Sessions, false),
            (2, generate::Shape::CallRecord, true),
            (3, generate::Shape::Sessions, true),
            (4, generate::Shape::CallRecord, false),
        ] {
            let doc = generate::to_vec(&GenOptions {
                seed,
                target_bytes: 256 << 10,
                compact,
                shape,
            });
            agree(&format!("seed {seed}"), &doc);
        }
    }
}
