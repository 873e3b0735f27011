//! A reference walker over `serde_json::Value`.
//!
//! It fills rows from the column table's property paths, so it needs no knowledge of the schema
//! beyond [`COLUMNS`]. It is the oracle the event-based walker is compared against in tests, and
//! the walker the CLI uses while the event iterator is not available.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::columns::{col, Kind, Level, COLUMNS};
use super::row::{days_from_civil, Cell, Row};
use super::walk::{
    call_record_id_from_context, finish_stream, DocStats, Problem, Shape, StreamRow, WalkOptions,
};

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
    let (sessions, sessions_key) = if let Some(Value::Array(v)) = top.get("value") {
        stats.shape = Shape::SessionsPage;
        (Some(v), "value")
    } else if top.contains_key("sessions")
        || (top.contains_key("id") && (top.contains_key("modalities") || top.contains_key("type")))
    {
        stats.shape = Shape::CallRecord;
        match top.get("sessions") {
            Some(Value::Array(v)) => (Some(v), "sessions"),
            _ => (None, "sessions"),
        }
    } else {
        return other_shape(stats, options);
    };
    let context_id = match top.get("@odata.context") {
        Some(Value::String(c)) => call_record_id_from_context(c),
        _ => None,
    };
    stats.call_record_id = match (stats.shape, top.get("id")) {
        (Shape::CallRecord, Some(Value::String(id))) => Some(id.clone()),
        _ => context_id.map(str::to_string),
    };
    stats.next_links = top
        .keys()
        .filter(|k| k.ends_with("@odata.nextLink"))
        .count() as u64;

    let mut row = Row::new();
    row.set(col::FILE, Cell::Str(Cow::Owned(file.to_string())));
    if let Some(id) = &stats.call_record_id {
        row.set(col::CALL_RECORD_ID, Cell::Str(Cow::Owned(id.clone())));
    }
    let mut io_result = Ok(());
    let mut emit = |row: &mut Row<'_>| {
        if io_result.is_ok() {
            io_result = finish_stream(row, consumer);
        }
    };
    for (si, session) in sessions.into_iter().flatten().enumerate() {
        let Value::Object(session) = session else {
            continue;
        };
        stats.sessions += 1;
        let spath = format!("/{sessions_key}/{si}");
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
                stats.value_error(&path, || Problem::at(1, 1, format!("{msg} at {path}")));
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
        Kind::Time => {
            let (s, n) = parse_timestamp(v.as_str().ok_or(wrong)?.as_bytes())
                .ok_or("invalid value: timestamp")?;
            Cell::Time(s, n)
        }
        Kind::Nanos => Cell::Nanos(
            parse_duration(v.as_str().ok_or(wrong)?.as_bytes()).ok_or("invalid value: duration")?,
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

/// `[-|+]P[nD][T[nH][nM][n[.f]S]]` to nanoseconds; digits past the ninth are truncated.
pub(crate) fn parse_duration(s: &[u8]) -> Option<i64> {
    let (neg, s) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let mut s = s.strip_prefix(b"P")?;
    let mut total: i64 = 0;
    let mut in_time = false;
    let mut any = false;
    let mut last_unit = 0u8; // D=1 H=2 M=3 S=4
    while !s.is_empty() {
        if s[0] == b'T' {
            if in_time {
                return None;
            }
            in_time = true;
            s = &s[1..];
            if s.is_empty() {
                return None;
            }
            continue;
        }
        let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let mut int: i64 = 0;
        for &b in &s[..digits] {
            int = int.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
        }
        s = &s[digits..];
        let mut frac_nanos: i64 = 0;
        let mut has_frac = false;
        if s.first() == Some(&b'.') {
            let fd = s[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if fd == 0 {
                return None;
            }
            has_frac = true;
            for i in 0..9 {
                frac_nanos = frac_nanos * 10
                    + s.get(1 + i)
                        .filter(|_| i < fd)
                        .map_or(0, |b| i64::from(b - b'0'));
            }
            s = &s[1 + fd..];
        }
        let (unit, scale) = match (s.first()?, in_time) {
            (b'D', false) => (1, 86_400_000_000_000i64),
            (b'H', true) => (2, 3_600_000_000_000),
            (b'M', true) => (3, 60_000_000_000),
            (b'S', true) => (4, 1_000_000_000),
            _ => return None,
        };
        if unit <= last_unit || (has_frac && unit != 4) {
            return None;
        }
        last_unit = unit;
        total = total
            .checked_add(int.checked_mul(scale)?)?
            .checked_add(frac_nanos)?;
        any = true;
        s = &s[1..];
    }
    if !any {
        return None;
    }
    Some(if neg { -total } else { total })
}

/// `YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)` to UTC seconds and nanoseconds.
pub(crate) fn parse_timestamp(s: &[u8]) -> Option<(i64, u32)> {
    let num = |r: core::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &b in s.get(r)? {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(b - b'0');
        }
        Some(v)
    };
    if s.len() < 20
        || s[4] != b'-'
        || s[7] != b'-'
        || !matches!(s[10], b'T' | b't')
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    let (y, mo, d, h, mi, se) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mdays = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if y == 0
        || !(1..=12).contains(&mo)
        || d == 0
        || d > mdays[(mo - 1) as usize]
        || h > 23
        || mi > 59
        || se > 59
    {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if s[i] == b'.' {
        let fd = s[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if fd == 0 || fd > 12 {
            return None;
        }
        for k in 0..9 {
            nanos = nanos * 10
                + if k < fd {
                    u32::from(s[i + 1 + k] - b'0')
                } else {
                    0
                };
        }
        i += 1 + fd;
    }
    let offset_secs: i64 = match s.get(i..)? {
        b"Z" | b"z" => 0,
        rest if rest.len() == 6 && matches!(rest[0], b'+' | b'-') && rest[3] == b':' => {
            let oh = i64::from(num(i + 1..i + 3)?);
            let om = i64::from(num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if rest[0] == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(y), mo, d);
    let secs = days * 86_400 + i64::from(h * 3600 + mi * 60 + se) - offset_secs;
    Some((secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration(b"PT0.016S"), Some(16_000_000));
        assert_eq!(parse_duration(b"PT1S"), Some(1_000_000_000));
        assert_eq!(parse_duration(b"PT1M2.5S"), Some(62_500_000_000));
        assert_eq!(parse_duration(b"P1DT1H"), Some(90_000_000_000_000));
        assert_eq!(parse_duration(b"-PT0.0000000019S"), Some(-1));
        assert_eq!(parse_duration(b"P"), None);
        assert_eq!(parse_duration(b"PT"), None);
        assert_eq!(parse_duration(b"P1Y"), None);
        assert_eq!(parse_duration(b"PT1.5M"), None);
    }

    #[test]
    fn timestamps() {
        let t = parse_timestamp(b"2020-02-25T18:52:21.2169889Z");
        let base = days_from_civil(2020, 2, 25) * 86_400 + 18 * 3600 + 52 * 60 + 21;
        assert_eq!(t, Some((base, 216_988_900)));
        assert_eq!(
            parse_timestamp(b"2020-02-25T19:52:21+01:00"),
            Some((base, 0))
        );
        assert_eq!(parse_timestamp(b"2020-02-30T19:52:21Z"), None);
        assert_eq!(parse_timestamp(b"2020-02-25 19:52:21Z"), None);
    }
}
