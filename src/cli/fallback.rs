//! A reference walker over `serde_json::Value`.
//!
//! It fills rows from the column table's property paths, so it needs no knowledge of the schema
//! beyond [`COLUMNS`]. It is the oracle the event-based walker is compared against in tests, and
//! the walker the CLI uses while the event iterator is not available.

use std::borrow::Cow;

use callrecords::flatten::{Cell, ColumnKind as Kind, ErrorItem, FlatRow, Level, Row, Table};
use callrecords::{Duration, Timestamp, ValueErrorKind};
use serde_json::{Map, Value};

use super::walk::{call_record_id_from_context, DocStats, Problem, Shape, WalkOptions};

const FILE: usize = 0;
const CALL_RECORD_ID: usize = 1;

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
    consumer: &mut dyn FnMut(&FlatRow<'_, '_>) -> std::io::Result<()>,
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

    let columns = Table::Streams.columns();
    let mut row = Row::new(columns.len());
    row.set(FILE, Cell::Str(Cow::Owned(file.to_string())));
    let mut io_result = Ok(());
    let mut emit = |row: &mut Row<'_>, errors: &[ErrorItem<'static>]| {
        let errors = if errors.is_empty() {
            Cell::Null
        } else {
            Cell::Errors(errors.to_vec())
        };
        row.set(columns.len() - 1, errors);
        let quality = callrecords::flatten::classify(row);
        if io_result.is_ok() {
            io_result = consumer(&FlatRow {
                table: Table::Streams,
                row,
                quality: Some(quality),
            });
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
            CALL_RECORD_ID,
            id.map_or(Cell::Null, |id| Cell::Str(Cow::Owned(id.to_string()))),
        );
        for (si, session) in sessions.into_iter().flatten().enumerate() {
            let Value::Object(session) = session else {
                continue;
            };
            stats.sessions += 1;
            let spath = format!("{prefix}/{si}");
            row.clear_levels(columns, Level::Session);
            let mut errors = Vec::new();
            fill(
                &mut row,
                Level::Session,
                session,
                &spath,
                &mut stats,
                &mut errors,
            );
            for (gi, segment) in array(session, "segments").enumerate() {
                stats.segments += 1;
                let gpath = format!("{spath}/segments/{gi}");
                row.clear_levels(columns, Level::Segment);
                let mut errors = errors.clone();
                fill(
                    &mut row,
                    Level::Segment,
                    segment,
                    &gpath,
                    &mut stats,
                    &mut errors,
                );
                for (mi, media) in array(segment, "media").enumerate() {
                    stats.media += 1;
                    let mpath = format!("{gpath}/media/{mi}");
                    row.clear_levels(columns, Level::Media);
                    let mut errors = errors.clone();
                    fill(
                        &mut row,
                        Level::Media,
                        media,
                        &mpath,
                        &mut stats,
                        &mut errors,
                    );
                    for (ti, stream) in array(media, "streams").enumerate() {
                        stats.streams += 1;
                        let tpath = format!("{mpath}/streams/{ti}");
                        row.clear_levels(columns, Level::Stream);
                        let mut errors = errors.clone();
                        fill(
                            &mut row,
                            Level::Stream,
                            stream,
                            &tpath,
                            &mut stats,
                            &mut errors,
                        );
                        emit(&mut row, &errors);
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

/// Fills the cells of `level` from `obj`; a value of the wrong kind is a value error, kept in
/// `errors` (its kind as the parsers name it, and its text as the input has it where the value
/// is a string).
fn fill<'a>(
    row: &mut Row<'a>,
    level: Level,
    obj: &Map<String, Value>,
    base: &str,
    stats: &mut DocStats,
    errors: &mut Vec<ErrorItem<'static>>,
) {
    for (i, c) in Table::Streams.columns().iter().enumerate() {
        if c.level() != level || matches!(c.name(), "quality" | "qualityReasons" | "valueErrors") {
            continue;
        }
        let Some(v) = lookup(obj, c.property()) else {
            continue;
        };
        match convert(c.kind(), v) {
            Ok(cell) => row.set(i, cell),
            Err(kind) => {
                let path = format!("{base}/{}", c.property().replace('.', "/"));
                stats.value_error(&path, || {
                    Problem::invalid(format!("invalid value: {kind} at {path}"))
                });
                let raw = match v {
                    Value::String(s) => s.clone(),
                    v => v.to_string(),
                };
                errors.push(ErrorItem {
                    path,
                    kind: Some(kind),
                    raw: Cow::Owned(raw),
                });
            }
        }
    }
}

fn convert(kind: Kind, v: &Value) -> Result<Cell<'static>, ValueErrorKind> {
    if v.is_null() {
        return Ok(Cell::Null);
    }
    let wrong = ValueErrorKind::WrongType;
    Ok(match kind {
        Kind::Str | Kind::Enum => Cell::Str(Cow::Owned(v.as_str().ok_or(wrong)?.to_string())),
        Kind::Int32 | Kind::Int64 => Cell::Int(v.as_i64().ok_or(wrong)?),
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
        Kind::Time => {
            Cell::Time(Timestamp::parse(v.as_str().ok_or(wrong)?.as_bytes()).map_err(|e| e.kind())?)
        }
        Kind::Nanos => Cell::Nanos(
            Duration::parse(v.as_str().ok_or(wrong)?.as_bytes())
                .map_err(|e| e.kind())?
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
        _ => return Err(wrong),
    })
}
