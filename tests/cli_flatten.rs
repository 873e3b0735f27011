//! `callrecords flatten`, run as a built binary: row counts, columns, values, CSV, golden output,
//! error lines and exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test code

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn corpus_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("corpus/docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| format!("corpus/docs/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    files
}

fn columns() -> Vec<String> {
    let o = run(&["flatten", "--columns"]);
    assert!(o.status.success());
    stdout(&o).lines().map(str::to_string).collect()
}

/// Streams in a document, counted with serde_json.
fn count_streams(doc: &Value) -> usize {
    let sessions = doc
        .get("value")
        .or_else(|| doc.get("sessions"))
        .and_then(Value::as_array);
    let arr = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    sessions
        .into_iter()
        .flatten()
        .flat_map(|s| arr(s, "segments"))
        .flat_map(|g| arr(&g, "media"))
        .map(|m| arr(&m, "streams").len())
        .sum()
}

fn rows(text: &str) -> Vec<serde_json::Map<String, Value>> {
    text.lines()
        .map(|l| match serde_json::from_str(l).expect("row is JSON") {
            Value::Object(m) => m,
            other => panic!("row is not an object: {other}"),
        })
        .collect()
}

#[test]
fn row_count_is_stream_count_and_every_column_is_in_every_row() {
    let cols = columns();
    assert!(cols.len() > 150);
    assert_eq!(cols.first().map(String::as_str), Some("file"));
    assert_eq!(cols.last().map(String::as_str), Some("valueErrors"));
    let mut total = 0;
    for file in corpus_files() {
        let doc: Value =
            serde_json::from_slice(&std::fs::read(root().join(&file)).unwrap()).unwrap();
        let o = run(&["flatten", "--quiet", &file]);
        assert_eq!(o.status.code(), Some(0), "{file}: {}", stderr(&o));
        let text = stdout(&o);
        let rows = rows(&text);
        assert_eq!(rows.len(), count_streams(&doc), "{file}");
        total += rows.len();
        for (line, row) in text.lines().zip(&rows) {
            assert_eq!(row.len(), cols.len(), "{file}");
            // Every column, in order.
            let mut at = 0;
            for c in &cols {
                let key = format!("\"{c}\":");
                let pos = line[at..]
                    .find(&key)
                    .unwrap_or_else(|| panic!("{file}: {c} missing or out of order"));
                at += pos + key.len();
            }
            assert_eq!(row["file"], Value::String(file.clone()));
        }
    }
    assert!(total >= 10, "the corpus has streams");
}

#[test]
fn readme_lists_the_columns() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- columns:begin -->\n```text\n")
        .expect("columns block");
    let rest = &readme[start..];
    let body =
        &rest[rest.find("```text\n").unwrap() + 8..rest.find("```\n<!-- columns:end -->").unwrap()];
    let listed: Vec<&str> = body.lines().collect();
    assert_eq!(
        listed,
        columns(),
        "README column list differs from `flatten --columns`"
    );
}

#[test]
fn exact_duration_nanoseconds_and_values() {
    let o = run(&[
        "flatten",
        "corpus/docs/legacy2021_v1.0_callrecords-session-list_example2.json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let rows = rows(&stdout(&o));
    assert_eq!(rows.len(), 2);
    let (a, b) = (&rows[0], &rows[1]);
    assert_eq!(a["averageJitterNs"], 16_000_000);
    assert_eq!(a["maxJitterNs"], 21_000_000);
    assert_eq!(a["averageRoundTripTimeNs"], 61_000_000);
    assert_eq!(a["averageAudioNetworkJitterNs"], 43_000_000);
    assert_eq!(b["averageJitterNs"], 7_000_000);
    assert_eq!(b["maxAudioNetworkJitterNs"], 474_000_000);
    assert_eq!(a["averageAudioDegradation"], Value::Null);
    assert_eq!(b["averageAudioDegradation"].as_f64(), Some(1.160898));
    assert_eq!(a["calleeNetwork.linkSpeed"], 4_294_967_295u64);
    assert_eq!(a["sessionStart"], "2020-02-25T18:52:21.2169889Z");
    assert_eq!(a["modalities"], serde_json::json!(["audio"]));
    assert_eq!(a["callRecordId"], "e523d2ed-2966-4b6b-925b-754a88034cc5");
    assert_eq!(a["quality"], "unclassified");
    assert_eq!(a["qualityReasons"], "packetUtilization=67<=500");
    assert_eq!(b["quality"], "good");
    let nextlinks = stderr(&o);
    assert!(
        nextlinks.contains("1 nextLink(s) not followed"),
        "{nextlinks}"
    );
}

#[test]
fn golden_example2() {
    let input = "corpus/docs/legacy2021_v1.0_callrecords-session-list_example2.json";
    let golden =
        root().join("tests/golden/legacy2021_v1.0_callrecords-session-list_example2.ndjson");
    let o = run(&["flatten", input]);
    assert_eq!(o.status.code(), Some(0));
    let got = stdout(&o);
    if std::env::var_os("CALLRECORDS_BLESS").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap();
    assert_eq!(
        got, want,
        "regenerate with CALLRECORDS_BLESS=1 and review by hand"
    );
}

/// The CSV cell text that an NDJSON value must read back as.
fn as_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join(";"),
        other => other.to_string(),
    }
}

#[test]
fn csv_reads_back_to_the_ndjson_values() {
    let cols = columns();
    let files = corpus_files();
    let mut args = vec!["flatten", "--quiet"];
    args.extend(files.iter().map(String::as_str));
    let nd = run(&args);
    let mut csv_args = args.clone();
    csv_args.extend(["--format", "csv"]);
    let cs = run(&csv_args);
    assert_eq!(nd.status.code(), Some(0));
    assert_eq!(cs.status.code(), Some(0));
    let rows = rows(&stdout(&nd));
    let mut reader = csv::Reader::from_reader(cs.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, cols);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len());
    for (rec, row) in records.iter().zip(&rows) {
        assert_eq!(rec.len(), cols.len());
        for (cell, c) in rec.iter().zip(&cols) {
            let v = &row[c];
            match v {
                Value::Number(n) => {
                    let x: f64 = cell.parse().unwrap_or_else(|_| panic!("{c}: {cell:?}"));
                    assert_eq!(Some(x), n.as_f64(), "{c}");
                    if let Some(i) = n.as_i64() {
                        assert_eq!(cell.parse::<i64>().ok(), Some(i), "{c}");
                    }
                }
                _ => assert_eq!(cell, as_cell(v), "{c}"),
            }
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/cli-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn missing_file_is_exit_2() {
    let o = run(&["flatten", "target/cli-tests/no-such-file.json"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with("target/cli-tests/no-such-file.json: "),
        "{err}"
    );
    assert!(err.to_lowercase().contains("no such file"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn folder_without_json_is_exit_2() {
    let dir = scratch("empty-folder");
    std::fs::write(dir.join("notes.txt"), "hello").unwrap();
    let o = run(&["flatten", &s(&dir)]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("no *.json or *.json.gz file"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn non_json_file_is_exit_1_with_position() {
    let dir = scratch("non-json");
    let f = dir.join("notes.json");
    std::fs::write(&f, "hello, world\n").unwrap();
    let o = run(&["flatten", &s(&f)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with(&format!("{}:1:1: ", s(&f))), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn truncated_file_is_exit_1_and_other_files_still_run() {
    let dir = scratch("truncated");
    let full = std::fs::read(
        root().join("corpus/docs/legacy2021_v1.0_callrecords-session-list_example2.json"),
    )
    .unwrap();
    let f = dir.join("a-truncated.json");
    std::fs::write(&f, &full[..full.len() / 2]).unwrap();
    std::fs::write(dir.join("b-good.json"), &full).unwrap();
    let o = run(&["flatten", &s(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.contains("a-truncated.json"))
        .unwrap_or_else(|| panic!("{err}"));
    let rest = line
        .strip_prefix(&format!("{}:", s(&f)))
        .unwrap_or_else(|| panic!("{line}"));
    let mut parts = rest.splitn(3, ':');
    let l: u64 = parts.next().unwrap().parse().unwrap();
    let c: u64 = parts.next().unwrap().parse().unwrap();
    assert!(l > 1 && c >= 1, "{line}");
    // The good file after it still gives its rows; the truncated one gives none.
    let rows = rows(&stdout(&o));
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|r| r["file"].as_str().unwrap().ends_with("b-good.json")));

    let o = run(&["flatten", "--fail-fast", &s(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "fail-fast stops before the good file");
}

#[test]
fn output_that_is_an_input_is_refused_and_the_input_kept() {
    let dir = scratch("output_is_input");
    let input = dir.join("page.json");
    let doc = fs::read(root().join("corpus/docs/v1.0_callrecords-callrecord-get_example2.json"))
        .expect("corpus file");
    fs::write(&input, &doc).unwrap();
    // By the same name, and through a link.
    let link = dir.join("link.json");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, &link).unwrap();
    #[cfg(not(unix))]
    let link = input.clone();
    for out_path in [&input, &link] {
        let o = run(&["flatten", "-o", &s(out_path), &s(&input)]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("also an input"), "{}", stderr(&o));
        assert_eq!(fs::read(&input).unwrap(), doc, "the input is untouched");
    }
    // Standard input redirected from the output file (`flatten -o page.json - < page.json`).
    let o = Command::new(env!("CARGO_BIN_EXE_callrecords"))
        .args(["flatten", "-o", &s(&input), "-"])
        .stdin(fs::File::open(&input).unwrap())
        .output()
        .expect("run callrecords");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("standard input"), "{}", stderr(&o));
    assert_eq!(fs::read(&input).unwrap(), doc, "the input is untouched");
}

/// Text is written decoded: an unknown enum member's escapes too, and a string holding an escaped
/// lone surrogate (valid JSON, not valid Unicode) keeps its text with U+FFFD in place of the
/// surrogate, rather than becoming null.
#[test]
fn unknown_enum_members_and_lone_surrogates_are_decoded() {
    let dir = scratch("decoded_text");
    let file = dir.join("page.json");
    fs::write(
        &file,
        r#"{"value": [{"id": "a\ud800b", "modalities": ["holo\u0067ram"], "segments": [{"id": "g",
            "media": [{"label": "main-\udc00audio", "streams": [{"streamDirection": "new\u0041",
            "audioCodec": "x\"y", "videoCodec": "\u00e9t\u00e9"}]}]}]}]}"#,
    )
    .unwrap();
    let o = run(&["flatten", &s(&file)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = rows(&stdout(&o));
    let row = &rows[0];
    assert_eq!(row["sessionId"], "a\u{FFFD}b");
    assert_eq!(row["modalities"], serde_json::json!(["hologram"]));
    assert_eq!(row["mediaLabel"], "main-\u{FFFD}audio");
    assert_eq!(row["streamDirection"], "newA");
    assert_eq!(row["audioCodec"], "x\"y");
    assert_eq!(row["videoCodec"], "\u{e9}t\u{e9}");
}

/// An instant whose UTC date is in year 0 keeps its own offset, as one in year 10000 does: RFC 3339
/// (and this crate's own parser) has no year 0.
#[test]
fn year_0_in_utc_keeps_its_offset() {
    let dir = scratch("year_0");
    let file = dir.join("page.json");
    fs::write(
        &file,
        r#"{"value": [{"id": "s", "segments": [{"id": "g",
            "startDateTime": "0001-01-01T00:30:00+01:00", "endDateTime": "0001-01-01T01:30:00+01:00",
            "media": [{"streams": [{}]}]}]}]}"#,
    )
    .unwrap();
    let o = run(&["flatten", &s(&file)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = rows(&stdout(&o));
    assert_eq!(rows[0]["segmentStart"], "0001-01-01T00:30:00+01:00");
    assert_eq!(rows[0]["segmentEnd"], "0001-01-01T00:30:00Z");
}

/// Values a JSON number or an RFC 3339 UTC time cannot hold keep their own text: OData's `"INF"`
/// for a float, the original offset for an instant in UTC year 10000.
#[test]
fn infinite_floats_and_year_10000_keep_their_text() {
    let dir = scratch("special_values");
    let file = dir.join("page.json");
    fs::write(
        &file,
        r#"{"value": [{"id": "s", "segments": [{"id": "g",
            "startDateTime": "9999-12-31T23:59:59-01:00", "endDateTime": "9999-12-31T22:59:59-01:00",
            "media": [{"streams": [{"averagePacketLossRate": "INF"}, {"averagePacketLossRate": "-INF"}]}]}]}]}"#,
    )
    .unwrap();
    let o = run(&["flatten", &s(&file)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = rows(&stdout(&o));
    assert_eq!(rows[0]["segmentStart"], "9999-12-31T23:59:59-01:00");
    assert_eq!(rows[0]["segmentEnd"], "9999-12-31T23:59:59Z");
    assert_eq!(rows[0]["averagePacketLossRate"], "INF");
    assert_eq!(rows[1]["averagePacketLossRate"], "-INF");
    let o = run(&["flatten", "--format", "csv", &s(&file)]);
    let text = stdout(&o);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header
        .iter()
        .position(|&c| c == "averagePacketLossRate")
        .unwrap();
    let cells: Vec<&str> = lines.map(|l| l.split(',').nth(at).unwrap()).collect();
    assert_eq!(cells, ["INF", "-INF"]);
}

#[test]
fn gzip_and_stdin() {
    use std::io::Write;
    let dir = scratch("gzip");
    let full = std::fs::read(
        root().join("corpus/docs/legacy2021_v1.0_callrecords-session-list_example2.json"),
    )
    .unwrap();
    let gz = dir.join("x.json.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&full).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let o = run(&["flatten", &s(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows(&stdout(&o)).len(), 2);

    let mut child = Command::new(env!("CARGO_BIN_EXE_callrecords"))
        .args(["flatten", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&full).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let rows = rows(&stdout(&o));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["file"], "-");
}

#[test]
fn output_file_and_help_lists_columns() {
    let dir = scratch("output");
    let out = dir.join("rows.csv");
    let o = run(&[
        "flatten",
        "--format",
        "csv",
        "--output",
        &s(&out),
        "corpus/docs/legacy2021_v1.0_callrecords-session-list_example2.json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 3);
    let help = stdout(&run(&["flatten", "--help"]));
    for c in columns() {
        assert!(help.contains(&c), "--help lacks {c}");
    }
}

#[test]
fn call_record_ids_of_list_pages_and_late_ids() {
    let dir = scratch("record-ids");
    // A callRecords list page: each record gives its own id to its rows.
    std::fs::write(
        dir.join("a-list.json"),
        r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords",
  "value": [
    {"id": "r1", "sessions": [{"id": "s1", "segments": [{"id": "g1", "media": [
        {"label": "main-audio", "streams": [{"streamId": "a"}]}]}]}]},
    {"id": "r2", "sessions": [{"id": "s2", "segments": [{"id": "g2", "media": [
        {"label": "main-video", "streams": [{"streamId": "b"}]}]}]}]}
  ]}"#,
    )
    .unwrap();
    // A callRecord document whose id follows its sessions: the rows still carry it.
    std::fs::write(
        dir.join("b-late.json"),
        r#"{"sessions": [{"id": "s3", "segments": [{"id": "g3", "media": [
        {"label": "main-audio", "streams": [{"streamId": "c"}]}]}]}],
  "id": "late", "modalities": ["audio"],
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords/$entity"}"#,
    )
    .unwrap();
    let o = run(&["flatten", &s(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = rows(&stdout(&o));
    let ids: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["streamId"].as_str().unwrap(),
                r["callRecordId"].as_str().unwrap_or("null"),
            )
        })
        .collect();
    assert_eq!(ids, [("a", "r1"), ("b", "r2"), ("c", "late")]);
    assert_eq!(rows[1]["quality"], "unclassified");
}

/// A bad value is null in its cell, never silently: a note names it, `--quiet` drops the note,
/// and `--strict` fails the file with the value's position and path.
#[test]
fn value_errors_get_a_note_and_strict_fails_on_them() {
    let dir = scratch("value-errors");
    let bad = dir.join("bad.json");
    fs::write(
        &bad,
        r#"{"value": [{"id": "s1", "segments": [{"id": "g1", "media": [{"label": "main-audio",
  "streams": [{"streamDirection": "callerToCallee", "averageJitter": "garbage"}]}]}]}]}"#,
    )
    .unwrap();
    let o = run(&["flatten", &s(&bad)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let row = &rows(&stdout(&o))[0];
    assert_eq!(row["averageJitterNs"], Value::Null);
    assert_eq!(row["valueErrors"][0]["raw"], "garbage");
    let err = stderr(&o);
    assert!(err.contains("1 value error(s)"), "{err}");
    assert!(err.contains("MissingP") && err.contains("(byte "), "{err}");
    assert!(err.contains("/averageJitter"), "{err}");

    let quiet = run(&["flatten", "--quiet", &s(&bad)]);
    assert!(stderr(&quiet).is_empty(), "{}", stderr(&quiet));

    let strict = run(&["flatten", "--strict", &s(&bad)]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        stdout(&strict).is_empty(),
        "a failed file's held rows are not written"
    );
    let err = stderr(&strict);
    assert!(err.contains("bad.json:2:"), "{err}");
    assert!(
        err.contains("/value/0/segments/0/media/0/streams/0/averageJitter"),
        "{err}"
    );

    // A file without value errors has no note, and passes --strict.
    let good = run(&[
        "flatten",
        "--strict",
        "corpus/docs/v1.0_callrecords-callrecord-get_example2.json",
    ]);
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));
    assert!(!stderr(&good).contains("value error"), "{}", stderr(&good));
}

/// `@odata.nextlink`, as six 2020 docs examples spell it, is a next link all the same: counted
/// and reported, so the user sees that the page goes on.
#[test]
fn a_lower_case_next_link_is_counted() {
    let dir = scratch("nextlink");
    for key in [
        "@odata.nextLink",
        "@odata.nextlink",
        "sessions@odata.nextlink",
    ] {
        let page = dir.join("page.json");
        let doc = if key.starts_with("sessions") {
            format!(
                r#"{{"id": "r", "sessions": [{{"id": "s1"}}], "{key}": "https://graph.microsoft.com/v1.0/x"}}"#
            )
        } else {
            format!(
                r#"{{"value": [{{"id": "s1"}}], "{key}": "https://graph.microsoft.com/v1.0/x"}}"#
            )
        };
        fs::write(&page, doc).unwrap();
        let o = run(&["flatten", &s(&page)]);
        assert_eq!(o.status.code(), Some(0), "{key}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("1 nextLink(s) not followed"),
            "{key}: {}",
            stderr(&o)
        );
    }
}
