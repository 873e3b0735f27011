#![allow(clippy::unwrap_used, clippy::panic)] // reason: test failures should panic

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, TimestampMicrosecondType, TimestampNanosecondType};
use arrow_array::{Array, RecordBatch};

use super::*;

fn batches(doc: &[u8], options: &TableOptions) -> (Vec<(Table, RecordBatch)>, Lossy) {
    let mut t = Tables::new("f.json", &Table::ALL, options);
    t.push(crate::events(doc)).unwrap();
    let mut out = Vec::new();
    while let Some(b) = t.next_batch() {
        out.push(b);
    }
    out.extend(t.finish());
    let lossy = t.lossy();
    (out, lossy)
}

fn table(all: &[(Table, RecordBatch)], which: Table) -> RecordBatch {
    let parts: Vec<_> = all
        .iter()
        .filter(|(t, _)| *t == which)
        .map(|(_, b)| b.clone())
        .collect();
    arrow_select_concat(&parts)
}

/// Concatenates batches of one schema (rows in order).
fn arrow_select_concat(parts: &[RecordBatch]) -> RecordBatch {
    assert!(!parts.is_empty());
    if parts.len() == 1 {
        return parts[0].clone();
    }
    panic!("test documents fit one batch")
}

const DOC: &[u8] = br#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('r1')/sessions",
  "value": [{"id": "s1", "modalities": ["audio", "newThing"],
    "startDateTime": "2020-02-25T18:52:21.2169889Z", "endDateTime": "0001-01-01T00:00:00Z",
    "segments": [{"id": "g1", "media": [{"label": "main-audio",
      "callerNetwork": {"linkSpeed": 4294967295, "port": 50011},
      "streams": [
        {"streamDirection": "callerToCallee", "averageJitter": "PT0.016S",
         "averagePacketLossRate": "INF", "packetUtilization": 709, "videoCodec": "futureCodec"},
        {"averageJitter": "garbage", "wasMediaBypassed": false}]}]}]}]}"#;

#[test]
fn types_and_exact_values() {
    let (all, lossy) = batches(DOC, &TableOptions::default());
    let streams = table(&all, Table::Streams);
    assert_eq!(
        streams.schema(),
        schema(Table::Streams, TimestampUnit::Nanosecond)
    );
    assert_eq!(streams.num_rows(), 2);
    let col = |name: &str| streams.column_by_name(name).unwrap().clone();
    let jitter = col("averageJitterNs");
    let jitter = jitter.as_primitive::<Int64Type>();
    assert_eq!(jitter.value(0), 16_000_000);
    assert!(jitter.is_null(1));
    let loss = col("averagePacketLossRate");
    assert_eq!(
        loss.as_primitive::<arrow_array::types::Float64Type>()
            .value(0),
        f64::INFINITY
    );
    let link = col("callerNetwork.linkSpeed");
    assert_eq!(link.as_primitive::<Int64Type>().value(1), 4_294_967_295);
    let port = col("callerNetwork.port");
    assert_eq!(port.as_primitive::<Int32Type>().value(0), 50011);
    assert_eq!(col("videoCodec").as_string::<i32>().value(0), "futureCodec");
    assert!(!col("wasMediaBypassed").as_boolean().value(1));
    let start = col("sessionStart");
    let start = start.as_primitive::<TimestampNanosecondType>();
    assert_eq!(start.value(0), 1_582_656_741_216_988_900);
    // The sentinel does not fit nanoseconds: null, counted, and in the row's errors.
    let end = col("sessionEnd");
    assert!(end.is_null(0));
    assert_eq!(
        lossy.timestamps_out_of_range, 3,
        "the session row and both stream rows"
    );
    let modalities = col("modalities");
    let list = modalities.as_list::<i32>();
    let first = list.value(0);
    let names: Vec<_> = first.as_string::<i32>().iter().flatten().collect();
    assert_eq!(names, ["audio", "newThing"]);
    let reasons = col("qualityReasons");
    let reasons = reasons.as_list::<i32>().value(0);
    assert_eq!(
        reasons.as_string::<i32>().value(0),
        "packetUtilization=709>500"
    );
    let errors = col("valueErrors");
    let errors = errors.as_list::<i32>();
    for (row, want) in [
        (0, vec!["/value/0/endDateTime"]),
        (
            1,
            vec![
                "/value/0/segments/0/media/0/streams/1/averageJitter",
                "/value/0/endDateTime",
            ],
        ),
    ] {
        let items = errors.value(row);
        let items = items.as_struct();
        let paths: Vec<_> = items
            .column(0)
            .as_string::<i32>()
            .iter()
            .flatten()
            .collect();
        assert_eq!(paths, want, "row {row}");
    }
    let items = errors.value(1);
    let raw = items.as_struct().column(2).as_string::<i32>();
    assert_eq!(raw.value(0), "garbage");
    assert_eq!(raw.value(1), "0001-01-01T00:00:00Z");
}

#[test]
fn microseconds_hold_the_sentinel_and_truncate_ticks() {
    let options = TableOptions::default().timestamp_unit(TimestampUnit::Microsecond);
    let (all, lossy) = batches(DOC, &options);
    let sessions = table(&all, Table::Sessions);
    let start = sessions.column_by_name("sessionStart").unwrap();
    let start = start.as_primitive::<TimestampMicrosecondType>();
    assert_eq!(start.value(0), 1_582_656_741_216_988);
    let end = sessions.column_by_name("sessionEnd").unwrap();
    assert_eq!(
        end.as_primitive::<TimestampMicrosecondType>().value(0),
        -62_135_596_800_000_000
    );
    assert_eq!(lossy.timestamps_out_of_range, 0);
    assert_eq!(lossy.timestamps_truncated, 3);
    assert!(sessions.column_by_name("valueErrors").unwrap().is_null(0));
}

#[test]
fn batches_are_bounded_and_every_record_has_its_row() {
    let doc = crate::generate::to_vec(&crate::generate::GenOptions {
        seed: 7,
        target_bytes: 512 << 10,
        compact: true,
        shape: crate::generate::Shape::CallRecord,
    });
    let options = TableOptions::default().batch_size(50);
    let (all, _) = batches(&doc, &options);
    let mut counts = [0usize; 5];
    for (t, b) in &all {
        assert!(b.num_rows() <= 50);
        counts[*t as usize] += b.num_rows();
    }
    let mut want = [0usize; 5];
    for e in crate::events(&doc) {
        match e.unwrap() {
            crate::Event::CallRecord(_) => want[0] += 1,
            crate::Event::Session(_) => want[1] += 1,
            crate::Event::Segment(_) => want[2] += 1,
            crate::Event::Media(_) => want[3] += 1,
            crate::Event::Stream(_) => want[4] += 1,
            _ => {}
        }
    }
    assert_eq!(counts, want);
    assert!(want[4] > 100);
    // A byte bound cuts batches too.
    let options = TableOptions::default().max_batch_bytes(64 << 10);
    let (all, _) = batches(&doc, &options);
    assert!(all.iter().filter(|(t, _)| *t == Table::Streams).count() > 1);
}
