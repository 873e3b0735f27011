//! `callrecords summary`, run as a built binary: counts against serde_json, and the same numbers
//! for any `--jobs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test code

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Instant;

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

fn summary_json(args: &[&str]) -> Value {
    let mut all = vec!["summary", "--json", "--quiet"];
    all.extend_from_slice(args);
    let o = run(&all);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("summary --json is JSON")
}

/// The numbers of a summary, without the timing fields.
fn numbers(mut v: Value) -> Value {
    let m = v.as_object_mut().unwrap();
    m.remove("elapsedSeconds");
    m.remove("megabytesPerSecond");
    v
}

#[test]
fn corpus_counts_match_serde_json() {
    let v = summary_json(&["corpus/"]);
    let (mut sessions, mut segments, mut media, mut streams, mut files) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut next_links, mut headers, mut not_call_records) = (0u64, 0u64, 0u64);
    for e in std::fs::read_dir(root().join("corpus/docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        files += 1;
        let doc: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        let Some(top) = doc.as_object() else { continue };
        // The docs corpus holds two kinds of top-level object: pages (`value`) and callRecord
        // documents (`sessions`); the two resource templates (a segment and a media object) are
        // neither.
        if top.contains_key("sessions") {
            headers += 1;
        } else if !top.contains_key("value") {
            not_call_records += 1;
        }
        next_links += top
            .keys()
            .filter(|k| k.ends_with("@odata.nextLink"))
            .count() as u64;
        let arr = |v: &Value, k: &str| {
            v.get(k)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let ss = if top.contains_key("value") {
            arr(&doc, "value")
        } else {
            arr(&doc, "sessions")
        };
        for s in ss {
            sessions += 1;
            for g in arr(&s, "segments") {
                segments += 1;
                for m in arr(&g, "media") {
                    media += 1;
                    streams += arr(&m, "streams").len() as u64;
                }
            }
        }
    }
    assert_eq!(v["files"], files);
    assert_eq!(v["sessions"], sessions);
    assert_eq!(v["segments"], segments);
    assert_eq!(v["media"], media);
    assert_eq!(v["streams"], streams);
    assert_eq!(v["nextLinksNotFollowed"], next_links);
    assert_eq!(v["callRecordHeaders"], headers);
    assert_eq!(v["notCallRecords"], not_call_records);
    assert_eq!((headers, not_call_records), (5, 2));
    let q = &v["quality"];
    let classified: u64 = ["audio", "video", "videoBasedScreenSharing", "other"]
        .iter()
        .map(|k| {
            ["good", "poor", "unclassified"]
                .iter()
                .map(|c| q[k][c].as_u64().unwrap())
                .sum::<u64>()
        })
        .sum();
    assert_eq!(classified, streams, "every stream gets a class");
    let by_label: u64 = v["streamsByLabelAndDirection"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|d| d.as_object().unwrap().values())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(by_label, streams);
}

#[test]
fn table_output_has_the_sections() {
    let o = run(&["summary", "--quiet", "corpus/"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    for needle in [
        "files",
        "MB/s",
        "sessions",
        "streams by media label and direction",
        "quality (CQD)",
        "p99",
        "undeclared keys",
        "value errors",
        "nextLinks not followed",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
}

#[test]
fn same_numbers_for_any_jobs_on_8_copies_of_16_mib() {
    let dir = root().join("target/cli-tests/summary-8x16");
    std::fs::create_dir_all(&dir).unwrap();
    let first = dir.join("copy-0.json");
    if std::fs::metadata(&first).map(|m| m.len()).unwrap_or(0) < 16 << 20 {
        let doc = callrecords::generate::to_vec(&callrecords::generate::GenOptions {
            seed: 16,
            target_bytes: 16 << 20,
            compact: false,
            shape: callrecords::generate::Shape::Sessions,
        });
        for i in 0..8 {
            std::fs::write(dir.join(format!("copy-{i}.json")), &doc).unwrap();
        }
    }
    let d = dir.display().to_string();
    let t = Instant::now();
    let one = summary_json(&["--jobs", "1", &d]);
    let t1 = t.elapsed();
    let t = Instant::now();
    let two = summary_json(&["--jobs", "2", &d]);
    let t2 = t.elapsed();
    assert_eq!(one["files"], 8);
    assert!(one["streams"].as_u64().unwrap() > 1000);
    assert_eq!(numbers(one), numbers(two));
    eprintln!(
        "summary on 8 x 16 MiB: --jobs 1 {:.2}s, --jobs 2 {:.2}s, ratio {:.2}",
        t1.as_secs_f64(),
        t2.as_secs_f64(),
        t1.as_secs_f64() / t2.as_secs_f64()
    );
}

// ---- `validate` extensions: --strict and --report-unknown ----

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/cli-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const PAGE_WITH_BAD_DURATION_AND_UNKNOWN_KEY: &str = r#"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('abc')/sessions",
  "value": [{
    "id": "s1",
    "fooBar": 1,
    "segments": [{"id": "g1", "media": [{"label": "main-audio", "streams": [
      {"streamDirection": "callerToCallee", "averageJitter": "PT1Y"}
    ]}]}]
  }]
}
"#;

#[test]
fn validate_strict_fails_on_value_errors_and_other_shapes() {
    let dir = scratch("validate-strict");
    let bad = dir.join("bad-duration.json");
    std::fs::write(&bad, PAGE_WITH_BAD_DURATION_AND_UNKNOWN_KEY).unwrap();
    let other = dir.join("other.json");
    std::fs::write(&other, "[1, 2, 3]\n").unwrap();
    let (bad, other) = (bad.display().to_string(), other.display().to_string());

    // Lenient: any valid JSON passes; the other shape is noted on stderr.
    let o = run(&["validate", &bad, &other]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{other}: note: valid JSON, but not a callRecords")),
        "{err}"
    );

    // Strict: the bad duration fails with its position and path; the other shape fails too.
    let o = run(&["validate", "--strict", &bad]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with(&format!("{bad}:7:63: invalid value")),
        "{out}"
    );
    assert!(out.contains("averageJitter"), "{out}");
    let o = run(&["validate", "--strict", &other]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with(&format!("{other}:1:1:")), "{out}");

    // The docs corpus: lenient passes; strict fails only on the two resource templates.
    assert_eq!(run(&["validate", "-q", "corpus/"]).status.code(), Some(0));
    let o = run(&["validate", "-q", "--strict", "corpus/"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    let failed: Vec<&str> = out.lines().filter(|l| l.starts_with("corpus/")).collect();
    assert_eq!(failed.len(), 2, "{out}");
    assert!(failed.iter().all(|l| l.contains("_jsonrep.json:")), "{out}");
}

#[test]
fn validate_report_unknown_lists_undeclared_keys() {
    let dir = scratch("validate-unknown");
    let f = dir.join("page.json");
    std::fs::write(&f, PAGE_WITH_BAD_DURATION_AND_UNKNOWN_KEY).unwrap();
    let o = run(&["validate", "--report-unknown", &f.display().to_string()]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("  undeclared /value/*/fooBar (1)"), "{out}");
}

#[test]
fn summary_reports_value_errors_and_undeclared_keys_by_path() {
    let dir = scratch("summary-drift");
    std::fs::write(
        dir.join("page.json"),
        PAGE_WITH_BAD_DURATION_AND_UNKNOWN_KEY,
    )
    .unwrap();
    let v = summary_json(&[&dir.display().to_string()]);
    assert_eq!(v["streams"], 1);
    assert_eq!(v["undeclaredKeys"]["/value/*/fooBar"], 1, "{v}");
    assert_eq!(
        v["valueErrors"]["/value/*/segments/*/media/*/streams/*/averageJitter"], 1,
        "{v}"
    );
    assert_eq!(v["callRecords"], 1);
}
