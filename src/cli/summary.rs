//! `callrecords summary`: counts, stream quality and metric percentiles over many files.
//!
//! Every number except the elapsed time and MB/s is independent of `--jobs`: per-file partial
//! results are merged in input order, and percentiles are exact (computed over every collected
//! value after sorting).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Instant;

use callrecords::quality::{Class, MediaKind};

use callrecords::flatten::{Cell, FlatRow, Table};

use super::col;
use super::common::{discover, exit, process, total_size, InputArgs, EXIT_USAGE_OR_IO};
use super::run::{self, run_ordered, Progress};
use super::walk::{DocStats, Shape, Sink, WalkOptions};

const AFTER_HELP: &str = "\
Examples:
  callrecords summary corpus/
  callrecords summary --json --jobs 4 exports/*.json.gz

Poor % is poor / (good + poor) streams of that kind. Percentiles are exact (nearest rank) over
audio streams that carry the metric. Bytes are document bytes after gzip decompression.";

/// Arguments of `summary`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct SummaryArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Print machine-readable JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Media kinds in report order; index 3 is "no kind" (data or unknown labels).
const KINDS: [&str; 4] = ["audio", "video", "videoBasedScreenSharing", "other"];
const CLASSES: [Class; 3] = [Class::Good, Class::Poor, Class::Unclassified];

fn kind_index(kind: Option<MediaKind>) -> usize {
    match kind {
        Some(MediaKind::Audio) => 0,
        Some(MediaKind::Video) => 1,
        Some(MediaKind::VideoBasedScreenSharing) => 2,
        None => 3,
    }
}

fn class_index(class: Class) -> usize {
    match class {
        Class::Good => 0,
        Class::Poor => 1,
        Class::Unclassified => 2,
    }
}

/// Everything `summary` aggregates; per file, then merged.
#[derive(Debug, Default, Clone, PartialEq)]
struct Totals {
    files: u64,
    files_failed: u64,
    not_call_records: u64,
    bytes: u64,
    call_record_headers: u64,
    call_record_ids: BTreeSet<String>,
    sessions: u64,
    segments: u64,
    media: u64,
    streams: u64,
    by_label_direction: BTreeMap<(String, String), u64>,
    quality: [[u64; 3]; 4],
    jitter_ns: Vec<i64>,
    round_trip_ns: Vec<i64>,
    packet_loss: Vec<f64>,
    unknown_keys: BTreeMap<String, u64>,
    value_errors: BTreeMap<String, u64>,
    next_links: u64,
}

impl Totals {
    fn add_stream(&mut self, s: &FlatRow<'_, '_>) {
        let Some((kind, quality)) = s.quality else {
            return;
        };
        let label = s.row.get(col::MEDIA_LABEL).as_str().unwrap_or("(none)");
        let direction = s
            .row
            .get(col::STREAM_DIRECTION)
            .as_str()
            .unwrap_or("(none)");
        // Look up before allocating: most streams share a handful of labels.
        match self
            .by_label_direction
            .iter_mut()
            .find(|((l, d), _)| l == label && d == direction)
        {
            Some((_, n)) => *n += 1,
            None => {
                self.by_label_direction
                    .insert((label.to_string(), direction.to_string()), 1);
            }
        }
        self.quality[kind_index(kind)][class_index(quality.class)] += 1;
        if kind == Some(MediaKind::Audio) {
            if let Some(v) = s.row.get(col::AVERAGE_JITTER).as_nanos() {
                self.jitter_ns.push(v);
            }
            if let Some(v) = s.row.get(col::AVERAGE_ROUND_TRIP_TIME).as_nanos() {
                self.round_trip_ns.push(v);
            }
            if let Cell::Float(v) = *s.row.get(col::AVERAGE_PACKET_LOSS_RATE) {
                if !v.is_nan() {
                    self.packet_loss.push(v);
                }
            }
        }
    }

    fn add_doc(&mut self, stats: &DocStats) {
        if stats.shape == Shape::Other {
            self.not_call_records += 1;
        }
        self.call_record_headers += stats.call_records;
        self.call_record_ids
            .extend(stats.call_record_ids.iter().cloned());
        self.sessions += stats.sessions;
        self.segments += stats.segments;
        self.media += stats.media;
        self.streams += stats.streams;
        self.next_links += stats.next_links;
        for (k, v) in &stats.unknown_keys {
            *self.unknown_keys.entry(k.clone()).or_insert(0) += v;
        }
        for (k, v) in &stats.value_errors {
            *self.value_errors.entry(k.clone()).or_insert(0) += v;
        }
    }

    fn merge(&mut self, other: Totals) {
        self.files += other.files;
        self.files_failed += other.files_failed;
        self.not_call_records += other.not_call_records;
        self.bytes += other.bytes;
        self.call_record_headers += other.call_record_headers;
        self.call_record_ids.extend(other.call_record_ids);
        self.sessions += other.sessions;
        self.segments += other.segments;
        self.media += other.media;
        self.streams += other.streams;
        for (k, v) in other.by_label_direction {
            *self.by_label_direction.entry(k).or_insert(0) += v;
        }
        for (a, b) in self.quality.iter_mut().zip(other.quality) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self.jitter_ns.extend(other.jitter_ns);
        self.round_trip_ns.extend(other.round_trip_ns);
        self.packet_loss.extend(other.packet_loss);
        for (k, v) in other.unknown_keys {
            *self.unknown_keys.entry(k).or_insert(0) += v;
        }
        for (k, v) in other.value_errors {
            *self.value_errors.entry(k).or_insert(0) += v;
        }
        self.next_links += other.next_links;
    }
}

impl Sink for Totals {
    fn row(&mut self, s: &FlatRow<'_, '_>) -> io::Result<()> {
        self.add_stream(s);
        Ok(())
    }
}

/// Nearest-rank percentile `p` (0–100) of sorted values: the value at rank ⌈p/100 · n⌉.
fn percentile<T: Copy>(sorted: &[T], p: u32) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (n * p as usize).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Runs `summary`.
pub(crate) fn run(args: &SummaryArgs) -> ExitCode {
    let started = Instant::now();
    let (inputs, mut code) = discover(&args.input, "summary");
    if inputs.is_empty() {
        return exit(EXIT_USAGE_OR_IO);
    }
    let quiet = args.input.quiet;
    let progress = Progress::start(total_size(&inputs), quiet);
    let options = WalkOptions {
        strict: false,
        report_unknown: true,
    };
    let mut totals = Totals::default();
    run_ordered(
        inputs.len(),
        run::jobs(args.input.jobs),
        |i| {
            let mut t = Totals::default();
            let outcome = process(
                &inputs[i],
                options,
                &[Table::Streams],
                &progress.bytes,
                &mut t,
            );
            t.files = 1;
            t.bytes = outcome.bytes;
            match &outcome.stats {
                Some(stats) => t.add_doc(stats),
                None => {
                    // A failed file counts as a file, and nothing else from it.
                    t = Totals {
                        files: 1,
                        files_failed: 1,
                        bytes: outcome.bytes,
                        ..Totals::default()
                    };
                }
            }
            (t, outcome)
        },
        |_, (t, outcome)| {
            outcome.report(!quiet);
            code = code.max(outcome.exit_code());
            totals.merge(t);
            !(args.input.fail_fast && outcome.problem.is_some())
        },
    );
    progress.finish();
    let elapsed = started.elapsed().as_secs_f64();
    totals.jitter_ns.sort_unstable();
    totals.round_trip_ns.sort_unstable();
    totals.packet_loss.sort_unstable_by(f64::total_cmp);
    let text = if args.json {
        json_report(&totals, elapsed)
    } else {
        table_report(&totals, elapsed)
    };
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("stdout: {}", super::files::io_message(&e));
            code = code.max(EXIT_USAGE_OR_IO);
        }
    }
    exit(code)
}

fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        bytes as f64 / 1e6 / secs
    } else {
        0.0
    }
}

fn poor_percent(q: &[u64; 3]) -> Option<f64> {
    let classified = q[0] + q[1];
    (classified > 0).then(|| 100.0 * q[1] as f64 / classified as f64)
}

fn json_report(t: &Totals, elapsed: f64) -> String {
    use serde_json::{json, Map, Value};
    let ms = |v: Option<i64>| v.map_or(Value::Null, |ns| json!(ns as f64 / 1e6));
    let pct = |v: &[i64]| {
        json!({
            "count": v.len(),
            "p50": ms(percentile(v, 50)),
            "p90": ms(percentile(v, 90)),
            "p99": ms(percentile(v, 99)),
        })
    };
    // JSON numbers cannot hold an infinite rate: it is written as the input wrote it, `"INF"`.
    let rate = |v: Option<f64>| match v {
        Some(x) if !x.is_finite() => json!(super::row::non_finite(x)),
        other => json!(other),
    };
    let loss = json!({
        "count": t.packet_loss.len(),
        "p50": rate(percentile(&t.packet_loss, 50)),
        "p90": rate(percentile(&t.packet_loss, 90)),
        "p99": rate(percentile(&t.packet_loss, 99)),
    });
    let mut by_label = Map::new();
    for ((label, dir), n) in &t.by_label_direction {
        let entry = by_label
            .entry(label.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(dir.clone(), json!(n));
        }
    }
    let mut quality = Map::new();
    for (k, name) in KINDS.iter().enumerate() {
        let q = &t.quality[k];
        let mut m = Map::new();
        for (c, class) in CLASSES.iter().enumerate() {
            m.insert(class.name().to_string(), json!(q[c]));
        }
        if k < 3 {
            m.insert("poorPercent".to_string(), json!(poor_percent(q)));
        }
        quality.insert((*name).to_string(), Value::Object(m));
    }
    let v = json!({
        "files": t.files,
        "filesFailed": t.files_failed,
        "notCallRecords": t.not_call_records,
        "bytes": t.bytes,
        "elapsedSeconds": elapsed,
        "megabytesPerSecond": mb_per_s(t.bytes, elapsed),
        "callRecords": t.call_record_ids.len(),
        "callRecordHeaders": t.call_record_headers,
        "sessions": t.sessions,
        "segments": t.segments,
        "media": t.media,
        "streams": t.streams,
        "streamsByLabelAndDirection": by_label,
        "quality": quality,
        "audio": {
            "averageJitterMs": pct(&t.jitter_ns),
            "averageRoundTripTimeMs": pct(&t.round_trip_ns),
            "averagePacketLossRate": loss,
        },
        "undeclaredKeys": t.unknown_keys,
        "valueErrors": t.value_errors,
        "nextLinksNotFollowed": t.next_links,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn table_report(t: &Totals, elapsed: f64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "files        {:>12}   ({} failed, {} not call records)",
        t.files, t.files_failed, t.not_call_records
    );
    let _ = writeln!(
        s,
        "bytes        {:>12}   ({:.1} MB)",
        t.bytes,
        t.bytes as f64 / 1e6
    );
    let _ = writeln!(
        s,
        "elapsed      {:>12.3} s ({:.1} MB/s)",
        elapsed,
        mb_per_s(t.bytes, elapsed)
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "call records {:>12}   (distinct ids; {} with a callRecord header)",
        t.call_record_ids.len(),
        t.call_record_headers
    );
    for (name, n) in [
        ("sessions", t.sessions),
        ("segments", t.segments),
        ("media", t.media),
        ("streams", t.streams),
    ] {
        let _ = writeln!(s, "{name:<12} {n:>12}");
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "streams by media label and direction");
    if t.by_label_direction.is_empty() {
        let _ = writeln!(s, "  (none)");
    }
    for ((label, dir), n) in &t.by_label_direction {
        let (label, dir) = (printable(label), printable(dir));
        let _ = writeln!(s, "  {label:<28} {dir:<16} {n:>10}");
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "quality (CQD)                     good       poor unclassified   poor %"
    );
    for (k, name) in KINDS.iter().enumerate() {
        let q = &t.quality[k];
        let pct = if k < 3 {
            poor_percent(q).map_or("-".to_string(), |p| format!("{p:.1}%"))
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "  {name:<27} {:>10} {:>10} {:>12} {pct:>8}",
            q[0], q[1], q[2]
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "audio streams                  count        p50        p90        p99"
    );
    let ms = |v: Option<i64>| v.map_or("-".to_string(), |ns| format!("{}", ns as f64 / 1e6));
    for (name, v) in [
        ("averageJitter (ms)", &t.jitter_ns),
        ("averageRoundTripTime (ms)", &t.round_trip_ns),
    ] {
        let _ = writeln!(
            s,
            "  {name:<27} {:>6} {:>10} {:>10} {:>10}",
            v.len(),
            ms(percentile(v, 50)),
            ms(percentile(v, 90)),
            ms(percentile(v, 99))
        );
    }
    let f = |v: Option<f64>| match v {
        None => "-".to_string(),
        Some(x) if !x.is_finite() => super::row::non_finite(x).to_string(),
        Some(x) => format!("{x}"),
    };
    let _ = writeln!(
        s,
        "  {:<27} {:>6} {:>10} {:>10} {:>10}",
        "averagePacketLossRate",
        t.packet_loss.len(),
        f(percentile(&t.packet_loss, 50)),
        f(percentile(&t.packet_loss, 90)),
        f(percentile(&t.packet_loss, 99))
    );
    let _ = writeln!(s);
    for (title, map) in [
        ("undeclared keys (schema drift)", &t.unknown_keys),
        ("value errors", &t.value_errors),
    ] {
        let _ = writeln!(s, "{title}: {}", map.values().sum::<u64>());
        for (path, n) in map {
            let _ = writeln!(s, "  {}  {n}", printable(path));
        }
    }
    let _ = writeln!(s, "nextLinks not followed: {}", t.next_links);
    s
}

/// Text from the input as the terminal report shows it: control characters, line and paragraph
/// separators and bidirectional overrides escaped (`\n`, `\u{1b}`), so that a label cannot break
/// the table or drive the terminal.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if unsafe_char(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_what_would_drive_the_terminal() {
        assert_eq!(printable("main-audio"), "main-audio");
        assert_eq!(printable("évé"), "évé");
        assert_eq!(printable("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(printable("x\u{202e}y\u{2028}"), "x\\u{202e}y\\u{2028}");
    }

    #[test]
    fn nearest_rank() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 90), Some(90));
        assert_eq!(percentile(&v, 99), Some(99));
        assert_eq!(percentile(&[7i64], 99), Some(7));
        assert_eq!(percentile(&[1i64, 2], 50), Some(1));
        assert_eq!(percentile::<i64>(&[], 50), None);
    }
}
