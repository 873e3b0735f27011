//! A reference walker over `serde_json::Value`.
//!
//! It fills rows from the column table's property paths, so it needs no knowledge of the schema
//! beyond [`COLUMNS`]. It is the oracle the event-based walker is compared against in tests, and
//! the walker the CLI uses while the event iterator is not available.

use std::borrow::Cow;

use callrecords::{Duration, Timestamp};
use serde_json::{Map, Value};

use super::columns::{col, Kind, Level, COLUMNS};
use super::row::{Cell, Row};
use super::walk::{
    call_record_id_from_context, finish_stream, DocStats, Problem, Shape, StreamRow, WalkOptions,
};

/// A call record to walk: its object (if any), its sessions, and their JSON path prefix.
type Record<'v> = (
    Option<&'v Map<String, Value>>,
    Option<&'v Vec<Value>>,
    String,
);

/// The members only a call record has: one of them (or `sessions`, or an entity context) makes a
/// top-level object a callRecord document, as in the library's `Shape::CallRecord`.
const RECORD_ONLY: [&str; 8] = [
    "version",
    "type",
    "lastModifiedDateTime",
    "joinWebUrl",
    "organizer",
    "participants",
    "organizer_v2",
    "participants_v2",
];

/// Walks one whole document, calling `consumer` for every stream row.
///
/// Returns the document's stats, or the problem that made it invalid (a syntax error, or with
/// `strict` a value error or a non-callRecords shape).
pub(crate) fn walk<'a>(
    file: &str,
    bytes: &'a [u8],
    options: WalkOptions,
    consumer: &mut dyn FnMut(&StreamRow<'_, '_>) -> std::io::Result<()>,
) -> Result<DocStats, Problem> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        let msg = e.to_string();
        let msg = match msg.rfind(" at line ") {
            Some(i) => msg[..i].to_string(),
            None => msg,
        };
        Problem::at(e.line() as u64, e.column().max(1) as u64, msg)
    })?;
    let mut stats = DocStats::default();
    let top = match &doc {
        Value::Object(top) => top,
        _ => return other_shape(stats, options),
    };
    let context = match top.get("@odata.context") {
        Some(Value::String(c)) => Some(c.as_str()),
        _ => None,
    };
    let is_list = context.is_some_and(|c| {
        c.contains("communications/callRecords")
            && !c.contains("/sessions")
            && !c.contains("$entity")
            && !c.contains("callRecords('")
    });
    let mut records: Vec<Record<'_>> = Vec::new();
    if let Some(Value::Array(v)) = top.get("value") {
        if is_list {
            stats.shape = Shape::CallRecordsPage;
            for (i, r) in v.iter().enumerate() {
                if let Value::Object(r) = r {
                    let sessions = match r.get("sessions") {
                        Some(Value::Array(s)) => Some(s),
                        _ => None,
                    };
                    records.push((Some(r), sessions, format!("/value/{i}/sessions")));
                }
            }
        } else {
            stats.shape = Shape::SessionsPage;
            records.push((None, Some(v), "/value".to_string()));
        }
    } else if top.contains_key("sessions")
        || RECORD_ONLY.iter().any(|k| top.contains_key(*k))
        || context.is_some_and(|c| {
            c.contains("communications/callRecords")
                && c.contains("$entity")
                && !c.contains("/sessions")
        })
    {
        stats.shape = Shape::CallRecord;
        let sessions = match top.get("sessions") {
            Some(Value::Array(v)) => Some(v),
            _ => None,
        };
        records.push((Some(top), sessions, "/sessions".to_string()));
    } else {
        return other_shape(stats, options);
    }
    let context_id = context.and_then(call_record_id_from_context);
    stats.next_links = top
        .keys()
        .filter(|k| k.ends_with("@odata.nextLink"))
        .count() as u64;

    let mut row = Row::new();
    row.set(col::FILE, Cell::Str(Cow::Owned(file.to_string())));
    let mut io_result = Ok(());
    let mut emit = |row: &mut Row<'_>| {
        if io_result.is_ok() {
            io_result = finish_stream(row, consumer);
        }
    };
    for (record, sessions, prefix) in records {
        let id = match record.and_then(|r| r.get("id")) {
            Some(Value::String(id)) => Some(id.as_str()),
            _ if stats.shape == Shape::CallRecordsPage => None,
            _ => context_id,
        };
        if record.is_some() {
            stats.call_records += 1;
        }
        if let Some(id) = id {
            stats.call_record_ids.insert(id.to_string());
        }
        row.set(
            col::CALL_RECORD_ID,
            id.map_or(Cell::Null, |id| Cell::Str(Cow::Owned(id.to_string()))),
        );
        for (si, session) in sessions.into_iter().flatten().enumerate() {
            let Value::Object(session) = session else {
                continue;
            };
            stats.sessions += 1;
            let spath = format!("{prefix}/{si}");
            row.clear_from(Level::Session);
            fill(&mut row, Level::Session, session, &spath, &mut stats);
            for (gi, segment) in array(session, "segments").enumerate() {
                stats.segments += 1;
                let gpath = format!("{spath}/segments/{gi}");
                row.clear_from(Level::Segment);
                fill(&mut row, Level::Segment, segment, &gpath, &mut stats);
                for (mi, media) in array(segment, "media").enumerate() {
                    stats.media += 1;
                    let mpath = format!("{gpath}/media/{mi}");
                    row.clear_from(Level::Media);
                    fill(&mut row, Level::Media, media, &mpath, &mut stats);
                    for (ti, stream) in array(media, "streams").enumerate() {
                        stats.streams += 1;
                        let tpath = format!("{mpath}/streams/{ti}");
                        row.clear_from(Level::Stream);
                        fill(&mut row, Level::Stream, stream, &tpath, &mut stats);
                        emit(&mut row);
                    }
                }
            }
        }
    }
    if let Err(e) = io_result {
        return Err(Problem::io(e.to_string()));
    }
    if options.strict {
        if let Some(p) = stats.first_value_error.clone() {
            return Err(p);
        }
    }
    Ok(stats)
}

fn other_shape(mut stats: DocStats, options: WalkOptions) -> Result<DocStats, Problem> {
    stats.shape = Shape::Other;
    if options.strict {
        return Err(Problem::at(
            1,
            1,
            "valid JSON, but not a callRecords sessions page or callRecord document",
        ));
    }
    Ok(stats)
}

fn array<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'v Map<String, Value>> {
    let items = match obj.get(key) {
        Some(Value::Array(items)) => items.as_slice(),
        _ => &[],
    };
    items.iter().filter_map(|v| match v {
        Value::Object(o) => Some(o),
        _ => None,
    })
}

fn lookup<'v>(obj: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    let mut parts = path.split('.');
    let mut cur = obj.get(parts.next()?)?;
    for p in parts {
        cur = match cur {
            Value::Object(o) => o.get(p)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn fill<'a>(
    row: &mut Row<'a>,
    level: Level,
    obj: &Map<String, Value>,
    base: &str,
    stats: &mut DocStats,
) {
    for (i, c) in COLUMNS.iter().enumerate() {
        if c.level != level || i == col::QUALITY || i == col::QUALITY_REASONS {
            continue;
        }
        let Some(v) = lookup(obj, c.path) else {
            continue;
        };
        match convert(c.kind, v) {
            Ok(cell) => row.set(i, cell),
            Err(msg) => {
                let path = format!("{base}/{}", c.path.replace('.', "/"));
                stats.value_error(&path, || Problem::invalid(format!("{msg} at {path}")));
            }
        }
    }
}

fn convert(kind: Kind, v: &Value) -> Result<Cell<'static>, &'static str> {
    if v.is_null() {
        return Ok(Cell::Null);
    }
    let wrong = "invalid value: WrongType";
    Ok(match kind {
        Kind::Str | Kind::Enum => Cell::Str(Cow::Owned(v.as_str().ok_or(wrong)?.to_string())),
        Kind::Int => Cell::Int(v.as_i64().ok_or(wrong)?),
        Kind::Float => match v {
            Value::Number(n) => Cell::Float(n.as_f64().ok_or(wrong)?),
            Value::String(s) => Cell::Float(match s.as_str() {
                "NaN" => f64::NAN,
                "INF" => f64::INFINITY,
                "-INF" => f64::NEG_INFINITY,
                _ => return Err(wrong),
            }),
            _ => return Err(wrong),
        },
        Kind::Bool => Cell::Bool(v.as_bool().ok_or(wrong)?),
        Kind::Time => Cell::Time(
            Timestamp::parse(v.as_str().ok_or(wrong)?.as_bytes())
                .map_err(|_| "invalid value: timestamp")?,
        ),
        Kind::Nanos => Cell::Nanos(
            Duration::parse(v.as_str().ok_or(wrong)?.as_bytes())
                .map_err(|_| "invalid value: duration")?
                .as_nanos(),
        ),
        Kind::List => match v {
            Value::Array(items) => Cell::List(
                items
                    .iter()
                    .map(|i| i.as_str().map(|s| Cow::Owned(s.to_string())).ok_or(wrong))
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err(wrong),
        },
    })
}
