#![allow(clippy::unwrap_used, clippy::panic)] // reason: test failures should panic

use super::*;
use crate::schema::{CallRecord, Media, MediaStream, Segment, Session};

/// Checks that the `(name, cell)` pairs of a group sit under those names in `table` from `base`.
fn check<const N: usize>(table: Table, base: usize, prefix: &str, cells: [(&str, Cell<'_>); N]) {
    for (i, (name, _)) in cells.iter().enumerate() {
        assert_eq!(
            table.columns()[base + i].name(),
            format!("{prefix}{name}"),
            "{table} column {}",
            base + i
        );
    }
}

#[test]
fn groups_match_the_column_tables() {
    let s = Session::default();
    let g = Segment::default();
    let h = CallRecord::default();
    check(Table::Streams, at::SESSION, "", cells::session(&s));
    check(Table::Streams, at::SEGMENT, "", cells::segment(&g));
    check(
        Table::Streams,
        at::STREAM,
        "",
        cells::stream(&MediaStream::default()),
    );
    check(
        Table::Streams,
        col::CALLER_NETWORK,
        "callerNetwork.",
        cells::network(None),
    );
    check(
        Table::Streams,
        col::CALLEE_NETWORK,
        "calleeNetwork.",
        cells::network(None),
    );
    check(
        Table::Streams,
        col::CALLER_DEVICE,
        "callerDevice.",
        cells::device(None),
    );
    check(
        Table::Streams,
        col::CALLEE_DEVICE,
        "calleeDevice.",
        cells::device(None),
    );
    check(
        Table::Streams,
        col::CALLER,
        "caller.",
        cells::endpoint(None),
    );
    check(
        Table::Streams,
        col::CALLEE,
        "callee.",
        cells::endpoint(None),
    );
    check(Table::Sessions, at::S_SESSION, "", cells::session(&s));
    check(
        Table::Sessions,
        at::S_FAILURE,
        "failureInfo.",
        cells::failure(None),
    );
    check(
        Table::Sessions,
        at::S_CALLER,
        "caller.",
        cells::endpoint(None),
    );
    check(
        Table::Sessions,
        at::S_CALLEE,
        "callee.",
        cells::endpoint(None),
    );
    check(Table::Segments, at::G_SEGMENT, "", cells::segment(&g));
    check(
        Table::Segments,
        at::G_FAILURE,
        "failureInfo.",
        cells::failure(None),
    );
    check(
        Table::Segments,
        at::G_CALLER,
        "caller.",
        cells::endpoint(None),
    );
    check(
        Table::Segments,
        at::G_CALLEE,
        "callee.",
        cells::endpoint(None),
    );
    check(
        Table::Media,
        at::M_CALLER_NETWORK,
        "callerNetwork.",
        cells::network(None),
    );
    check(
        Table::Media,
        at::M_CALLEE_NETWORK,
        "calleeNetwork.",
        cells::network(None),
    );
    check(
        Table::Media,
        at::M_CALLER_DEVICE,
        "callerDevice.",
        cells::device(None),
    );
    check(
        Table::Media,
        at::M_CALLEE_DEVICE,
        "calleeDevice.",
        cells::device(None),
    );
    check(Table::CallRecords, at::R_RECORD, "", cells::record(&h));
    check(
        Table::CallRecords,
        at::R_ORGANIZER,
        "organizer.",
        cells::identity_set(None),
    );
    check(
        Table::CallRecords,
        at::R_ORGANIZER_V2,
        "organizer_v2.identity.",
        cells::identity_set(None),
    );
    let _ = Media::default();
}

/// Every row of `doc`, as `(table, cells)`.
fn rows_of(doc: &[u8]) -> Vec<(Table, Vec<Cell<'static>>)> {
    let mut out = Vec::new();
    let mut flat = Flattener::new("f");
    let mut rows = flat.rows();
    let mut sink = |r: &FlatRow<'_, '_>| {
        out.push((r.table, r.row.clone().into_owned().cells().to_vec()));
        Ok::<(), crate::Error>(())
    };
    for e in crate::events(doc) {
        rows.push(&e.unwrap(), &mut sink).unwrap();
    }
    flat.finish(&mut sink).unwrap();
    out
}

#[test]
fn every_record_has_its_row_and_children_carry_their_keys() {
    let doc = br#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('r1')/sessions",
      "value": [
        {"id": "s0"},
        {"id": "s1", "isTest": true, "segments": [{"id": "g0"}, {"id": "g1", "media": [
          {"label": "main-audio", "streams": [{"streamId": "a", "averageJitter": "bad"}]}]}]}]}"#;
    let rows = rows_of(doc);
    let tables: Vec<Table> = rows.iter().map(|r| r.0).collect();
    use Table::*;
    assert_eq!(
        tables,
        [Sessions, Sessions, Segments, Segments, Media, Streams]
    );
    let text = |c: &Cell<'_>| c.as_str().map(str::to_owned);
    // Keys: file, callRecordId, then the parents' ids.
    for (_, cells) in &rows {
        assert_eq!(text(&cells[0]).as_deref(), Some("f"));
        assert_eq!(text(&cells[1]).as_deref(), Some("r1"));
    }
    assert_eq!(text(&rows[1].1[2]).as_deref(), Some("s1"));
    assert_eq!(rows[1].1[at::S_IS_TEST], Cell::Bool(true));
    assert_eq!(text(&rows[3].1[at::G_SESSION_ID]).as_deref(), Some("s1"));
    assert_eq!(text(&rows[3].1[at::G_ID]).as_deref(), Some("g1"));
    assert_eq!(text(&rows[4].1[at::M_SEGMENT_ID]).as_deref(), Some("g1"));
    assert_eq!(text(&rows[4].1[at::M_LABEL]).as_deref(), Some("main-audio"));
    let stream = &rows[5].1;
    assert_eq!(text(&stream[col::SESSION_ID]).as_deref(), Some("s1"));
    assert_eq!(text(&stream[col::SEGMENT_ID]).as_deref(), Some("g1"));
    assert_eq!(text(&stream[at::STREAM]).as_deref(), Some("a"));
    // The bad value is null, and its error is in the row.
    let Cell::Errors(items) = &stream[col::VALUE_ERRORS] else {
        panic!("{:?}", stream[col::VALUE_ERRORS]);
    };
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].path,
        "/value/1/segments/1/media/0/streams/0/averageJitter"
    );
    assert_eq!(items[0].raw, "bad");
    // The media row has no error of its own.
    assert_eq!(rows[4].1[at::M_ERRORS], Cell::Null);
}

#[test]
fn a_call_record_document_gives_one_header_row() {
    let doc = br#"{"id": "r9", "version": 3, "type": "groupCall", "sessions": [{"id": "s"}],
      "organizer_v2": {"id": "o", "identity": {"user": {"id": "u", "displayName": "U"}}}}"#;
    let rows = rows_of(doc);
    let headers: Vec<_> = rows.iter().filter(|r| r.0 == Table::CallRecords).collect();
    assert_eq!(headers.len(), 1);
    let cells = &headers[0].1;
    assert_eq!(cells[1].as_str(), Some("r9"));
    assert_eq!(cells[at::R_RECORD], Cell::Int(3));
    assert_eq!(cells[at::R_ORGANIZER_V2_ID].as_str(), Some("o"));
    assert_eq!(cells[at::R_ORGANIZER_V2 + 1].as_str(), Some("U"));
    // The session's row carries the id, although the header row comes last.
    let session = rows.iter().find(|r| r.0 == Table::Sessions).unwrap();
    assert_eq!(session.1[1].as_str(), Some("r9"));
}

#[test]
fn list_pages_give_a_header_row_per_record() {
    let doc = br#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords",
      "value": [{"id": "a", "sessions": [{"id": "s"}]}, {"id": "b"}]}"#;
    let rows = rows_of(doc);
    let ids: Vec<_> = rows
        .iter()
        .map(|r| (r.0, r.1[1].as_str().map(str::to_owned)))
        .collect();
    assert_eq!(
        ids,
        [
            (Table::CallRecords, Some("a".into())),
            (Table::Sessions, Some("a".into())),
            (Table::CallRecords, Some("b".into())),
        ]
    );
}
