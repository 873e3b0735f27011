//! `flatten --format parquet|arrow` and `--tables`, run as a built binary, read back with the
//! `parquet` crate's Arrow reader and arrow-ipc: the same rows as `flatten`'s NDJSON, value for
//! value; every record in its table; atomic outputs; the same bytes for any `--jobs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test code

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float64Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampNanosecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use callrecords::flatten::Table;
use callrecords::generate::{self, GenOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callrecords"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run callrecords")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/test-tables").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Every batch of a Parquet file.
fn read_parquet(path: &Path) -> Vec<RecordBatch> {
    let file = fs::File::open(path).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Every batch of an Arrow IPC stream.
fn read_ipc(bytes: &[u8]) -> Vec<RecordBatch> {
    arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes.to_vec()), None)
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The NDJSON rows `flatten` gives for `args`.
fn ndjson(args: &[&str]) -> Vec<serde_json::Map<String, Value>> {
    let mut all = vec!["flatten", "--quiet"];
    all.extend_from_slice(args);
    let o = run(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| match serde_json::from_str(l).unwrap() {
            Value::Object(m) => m,
            v => panic!("{v}"),
        })
        .collect()
}

/// Nanoseconds since the epoch of an RFC 3339 text.
fn unix_nanos(text: &str) -> i128 {
    callrecords::Timestamp::parse(text.as_bytes())
        .unwrap()
        .unix_nanos_i128()
}

/// Checks one Arrow cell against the NDJSON value of the same column.
fn check_cell(col: &ArrayRef, i: usize, want: &Value, what: &str) {
    if want.is_null() {
        assert!(col.is_null(i), "{what}: want null");
        return;
    }
    assert!(col.is_valid(i), "{what}: want {want}");
    match col.data_type() {
        DataType::Utf8 => {
            let got = col.as_string::<i32>().value(i);
            assert_eq!(Some(got), want.as_str(), "{what}");
        }
        DataType::Int32 => {
            let got = col.as_primitive::<Int32Type>().value(i);
            assert_eq!(Some(i64::from(got)), want.as_i64(), "{what}");
        }
        DataType::Int64 => {
            let got = col.as_primitive::<Int64Type>().value(i);
            assert_eq!(Some(got), want.as_i64(), "{what}");
        }
        DataType::Float64 => {
            let got = col.as_primitive::<Float64Type>().value(i);
            let want = match want {
                Value::String(s) => match s.as_str() {
                    "INF" => f64::INFINITY,
                    "-INF" => f64::NEG_INFINITY,
                    "NaN" => f64::NAN,
                    other => panic!("{what}: {other}"),
                },
                v => v.as_f64().unwrap(),
            };
            // Bit for bit (every NaN the parser gives is the one quiet NaN).
            assert_eq!(got.to_bits(), want.to_bits(), "{what}: {got} vs {want}");
        }
        DataType::Boolean => {
            assert_eq!(Some(col.as_boolean().value(i)), want.as_bool(), "{what}");
        }
        DataType::Timestamp(unit, tz) => {
            assert_eq!(tz.as_deref(), Some("UTC"), "{what}");
            let nanos = unix_nanos(want.as_str().unwrap());
            match unit {
                TimeUnit::Nanosecond => {
                    let got = col.as_primitive::<TimestampNanosecondType>().value(i);
                    assert_eq!(i128::from(got), nanos, "{what}");
                }
                TimeUnit::Microsecond => {
                    let got = col.as_primitive::<TimestampMicrosecondType>().value(i);
                    assert_eq!(i128::from(got), nanos.div_euclid(1000), "{what}");
                }
                other => panic!("{what}: {other:?}"),
            }
        }
        DataType::List(item) => {
            let items = col.as_list::<i32>().value(i);
            match item.data_type() {
                DataType::Utf8 => {
                    let got: Vec<&str> = items.as_string::<i32>().iter().flatten().collect();
                    let want: Vec<String> = match want {
                        // qualityReasons: `;`-joined in NDJSON.
                        Value::String(s) => s.split(';').map(str::to_owned).collect(),
                        Value::Array(a) => {
                            a.iter().map(|v| v.as_str().unwrap().to_owned()).collect()
                        }
                        v => panic!("{what}: {v}"),
                    };
                    assert_eq!(got, want, "{what}");
                }
                DataType::Struct(_) => {
                    let items = items.as_struct();
                    let want = want.as_array().unwrap();
                    assert_eq!(items.len(), want.len(), "{what}");
                    for (k, w) in want.iter().enumerate() {
                        for (f, name) in ["path", "error", "raw"].iter().enumerate() {
                            check_cell(
                                items.column(f),
                                k,
                                &w[*name],
                                &format!("{what}[{k}].{name}"),
                            );
                        }
                    }
                }
                other => panic!("{what}: {other:?}"),
            }
        }
        other => panic!("{what}: unexpected type {other:?}"),
    }
}

/// Checks that `batches` hold exactly `rows`, column by column, value by value.
fn same_rows(batches: &[RecordBatch], rows: &[serde_json::Map<String, Value>], what: &str) {
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(total, rows.len(), "{what}: row count");
    let mut r = 0;
    for b in batches {
        let names: Vec<&str> = b
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let want: Vec<&str> = Table::Streams.columns().iter().map(|c| c.name()).collect();
        assert_eq!(names, want, "{what}: the flatten columns, in order");
        for i in 0..b.num_rows() {
            for (c, name) in names.iter().enumerate() {
                let want = &rows[r][*name];
                check_cell(b.column(c), i, want, &format!("{what} row {r} {name}"));
            }
            r += 1;
        }
    }
}

/// A document with what the generator never writes: special floats, the .NET sentinel, value
/// errors, unknown enum members, escapes.
const EDGES: &str = r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('edge')/sessions",
  "value": [{"id": "s\u00e9", "modalities": ["audio", "hologram"],
    "startDateTime": "2020-02-25T18:52:21.2169889Z", "endDateTime": "0001-01-01T00:00:00Z",
    "segments": [{"id": "g1", "startDateTime": "2020-02-25T18:52:21.9999999+01:00",
      "caller": {"name": "n\"q", "userAgent": {"platform": "quantum"}},
      "media": [{"label": "main-audio",
      "callerNetwork": {"linkSpeed": 4294967295, "port": 50011, "delayEventRatio": -0.0},
      "streams": [
        {"streamDirection": "callerToCallee", "averageJitter": "PT0.016S",
         "averagePacketLossRate": "INF", "maxPacketLossRate": "-INF", "lowFrameRateRatio": "NaN",
         "averageAudioDegradation": 1.0000001192092896, "packetUtilization": 709,
         "videoCodec": "futureCodec"},
        {"averageJitter": "garbage", "wasMediaBypassed": false, "averageRoundTripTime": "P1DT2H3M4.123456789S"}]}]}]}]}"#;

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    let edges = dir.join("edges.json");
    fs::write(&edges, EDGES).unwrap();
    paths.push(edges);
    for (seed, compact, shape) in [
        (11, true, generate::Shape::Sessions),
        (12, false, generate::Shape::CallRecord),
    ] {
        let doc = generate::to_vec(&GenOptions {
            seed,
            target_bytes: 200 << 10,
            compact,
            shape,
        });
        let p = dir.join(format!("gen-{seed}.json"));
        fs::write(&p, doc).unwrap();
        paths.push(p);
    }
    for f in fs::read_dir(root().join("corpus/docs")).unwrap() {
        paths.push(f.unwrap().path());
    }
    paths.sort();
    paths
}

#[test]
fn parquet_and_arrow_read_back_as_the_ndjson_rows() {
    let dir = scratch("round-trip");
    for input in inputs(&dir) {
        let input = s(&input);
        let rows = ndjson(&[&input]);
        for unit in ["ns", "us"] {
            let out = dir.join(format!("out-{unit}.parquet"));
            let o = run(&[
                "flatten",
                "--quiet",
                "--format",
                "parquet",
                "--timestamp-unit",
                unit,
                "-o",
                &s(&out),
                &input,
            ]);
            assert!(o.status.success(), "{input}: {}", stderr(&o));
            let batches = read_parquet(&out);
            // Nanoseconds cannot hold the sentinel: null there, and one more value error.
            let want = if unit == "ns" {
                without_unrepresentable(&rows)
            } else {
                rows.clone()
            };
            same_rows(&batches, &want, &format!("{input} parquet {unit}"));
        }
        let o = run(&["flatten", "--quiet", "--format", "arrow", &input]);
        assert!(o.status.success(), "{input}: {}", stderr(&o));
        same_rows(
            &read_ipc(&o.stdout),
            &without_unrepresentable(&rows),
            &format!("{input} arrow"),
        );
    }
}

/// The rows as nanosecond columns hold them: a timestamp outside 1677 to 2262 is null and one
/// more value error of its row.
fn without_unrepresentable(
    rows: &[serde_json::Map<String, Value>],
) -> Vec<serde_json::Map<String, Value>> {
    let columns = Table::Streams.columns();
    rows.iter()
        .map(|row| {
            let mut row = row.clone();
            let mut extra = Vec::new();
            for c in columns {
                if c.kind() != callrecords::flatten::ColumnKind::Time {
                    continue;
                }
                let Some(text) = row[c.name()].as_str().map(str::to_owned) else {
                    continue;
                };
                if i64::try_from(unix_nanos(&text)).is_err() {
                    row.insert(c.name().to_owned(), Value::Null);
                    extra.push(text);
                }
            }
            if !extra.is_empty() {
                let mut errors = row["valueErrors"].as_array().cloned().unwrap_or_default();
                for text in extra {
                    // Only the sentinel of EDGES, at the session's endDateTime.
                    errors.push(serde_json::json!({
                        "path": "/value/0/endDateTime", "error": "Overflow", "raw": text,
                    }));
                }
                row.insert("valueErrors".into(), Value::Array(errors));
            }
            row
        })
        .collect()
}

#[test]
fn every_record_has_its_row_in_its_table() {
    let dir = scratch("tables");
    for input in inputs(&dir) {
        let out = dir.join("lake");
        let o = run(&[
            "flatten",
            "--quiet",
            "--tables",
            "--format",
            "parquet",
            "--output-dir",
            &s(&out),
            &s(&input),
        ]);
        assert!(o.status.success(), "{}: {}", input.display(), stderr(&o));
        let bytes = fs::read(&input).unwrap();
        let mut want = [0usize; 5];
        let mut reader = callrecords::Reader::new(&bytes[..]);
        while let Some(mut section) = reader.next_section().unwrap() {
            for e in section.events() {
                let i = match e.unwrap() {
                    callrecords::Event::CallRecord(_) => 0,
                    callrecords::Event::Session(_) => 1,
                    callrecords::Event::Segment(_) => 2,
                    callrecords::Event::Media(_) => 3,
                    callrecords::Event::Stream(_) => 4,
                    _ => continue,
                };
                want[i] += 1;
            }
        }
        // A streamed callRecord document may give its header twice; it is one record.
        want[0] = want[0].min(
            callrecords::events(&bytes)
                .filter(|e| matches!(e, Ok(callrecords::Event::CallRecord(_))))
                .count(),
        );
        for t in Table::ALL {
            let batches = read_parquet(&out.join(format!("{}.parquet", t.name())));
            let got: usize = batches.iter().map(RecordBatch::num_rows).sum();
            assert_eq!(got, want[t as usize], "{} {t}", input.display());
            for b in &batches {
                assert_eq!(
                    b.schema(),
                    callrecords::table::schema(t, callrecords::table::TimestampUnit::Nanosecond)
                );
            }
        }
        // The streams table is flatten's, and the row counts hold for the events iterator too.
        let streams = read_parquet(&out.join("streams.parquet"));
        same_rows(
            &streams,
            &without_unrepresentable(&ndjson(&[&s(&input)])),
            "streams",
        );
    }
}

#[test]
fn the_same_bytes_for_any_jobs() {
    let dir = scratch("jobs");
    let ins: Vec<String> = inputs(&dir).iter().map(|p| s(p)).collect();
    let mut outputs = Vec::new();
    for jobs in ["1", "3"] {
        let out = dir.join(format!("j{jobs}"));
        let mut args = vec![
            "flatten",
            "--quiet",
            "--tables",
            "--format",
            "parquet",
            "--batch-size",
            "100",
            "--jobs",
            jobs,
            "--output-dir",
        ];
        let o = s(&out);
        args.push(&o);
        args.extend(ins.iter().map(String::as_str));
        let r = run(&args);
        assert!(r.status.success(), "{}", stderr(&r));
        outputs.push(
            Table::ALL
                .iter()
                .map(|t| fs::read(out.join(format!("{}.parquet", t.name()))).unwrap())
                .collect::<Vec<_>>(),
        );
    }
    assert!(
        outputs[0] == outputs[1],
        "--jobs 1 and --jobs 3 wrote different files"
    );
}

#[test]
fn failures_leave_no_file_under_the_final_name() {
    let dir = scratch("faults");
    let good = root().join("corpus/docs/legacy2021_v1.0_callrecords-session-list_example2.json");
    let full = fs::read(&good).unwrap();
    let cut = dir.join("cut.json");
    fs::write(&cut, &full[..full.len() / 2]).unwrap();
    // A truncated input among good ones: exit 1, the error line, and no output.
    for format in ["parquet", "arrow", "ndjson", "csv"] {
        let out = dir.join(format!("out.{format}"));
        let o = run(&[
            "flatten",
            "--format",
            format,
            "-o",
            &s(&out),
            &s(&good),
            &s(&cut),
        ]);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        assert!(stderr(&o).contains("cut.json:"), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("no output file was written"),
            "{}",
            stderr(&o)
        );
        assert!(
            !out.exists(),
            "{format}: a partial output under the final name"
        );
    }
    let lake = dir.join("lake");
    let o = run(&[
        "flatten",
        "--tables",
        "--format",
        "parquet",
        "--output-dir",
        &s(&lake),
        &s(&cut),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        fs::read_dir(&lake).unwrap().count(),
        0,
        "nothing left in the folder"
    );
    // A full disk: exit 2 and what went wrong.
    let o = run(&[
        "flatten",
        "--format",
        "parquet",
        "-o",
        "/dev/full",
        &s(&good),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("/dev/full: No space left on device"),
        "{}",
        stderr(&o)
    );
    // An output folder that cannot be made (its parent is a file).
    let blocked = dir.join("cut.json/lake");
    let o = run(&[
        "flatten",
        "--tables",
        "--format",
        "parquet",
        "--output-dir",
        &s(&blocked),
        &s(&good),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cut.json/lake"), "{}", stderr(&o));
    // Binary data is not written to a terminal, and a missing --output-dir is a usage error.
    let o = run(&["flatten", "--tables", &s(&good)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Nothing was left beside the inputs.
    let left: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.iter().all(|n| !n.contains(".partial-")), "{left:?}");
}
