//! Integration tests of the `callrecords` binary.
//!
//! `validate` on valid, invalid and missing inputs (including every JSONTestSuite `y_` and `n_` file),
//! `gen`, argument handling and I/O errors.

#![cfg(feature = "cli")] // the binary and flate2 exist only with the `cli` feature
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test failures should panic

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_callrecords"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run callrecords")
}

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn callrecords");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exit code (not a signal)")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh scratch folder for one test, under Cargo's target tmp dir.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-tests")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn corpus_docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join("docs")
}

// ---- gen (independent of the tokenizer) ----

#[test]
fn gen_output_is_valid_json_for_both_shapes_and_modes() {
    for shape in ["sessions", "callrecord"] {
        for compact in [false, true] {
            let mut args = vec!["gen", "--seed", "3", "--size", "200kB", "--shape", shape];
            if compact {
                args.push("--compact");
            }
            let out = run(&args);
            assert_eq!(code(&out), 0, "{}", text(&out.stderr));
            assert!(out.stdout.len() >= 200_000);
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{shape} compact={compact}: {e}"));
            let key = if shape == "sessions" {
                "value"
            } else {
                "sessions"
            };
            assert!(doc[key].as_array().is_some_and(|s| !s.is_empty()));
            assert_eq!(compact, !out.stdout.contains(&b'\n'));
        }
    }
}

#[test]
fn gen_is_deterministic_and_matches_the_library() {
    let a = run(&["gen", "--seed", "42", "--size", "150000"]);
    let b = run(&["gen", "--seed", "42", "--size", "150000"]);
    let c = run(&["gen", "--seed", "43", "--size", "150000"]);
    assert_eq!(code(&a), 0);
    assert!(a.stdout == b.stdout);
    assert!(a.stdout != c.stdout);
    let lib = callrecords::generate::to_vec(&callrecords::generate::GenOptions {
        seed: 42,
        target_bytes: 150_000,
        compact: false,
        shape: callrecords::generate::Shape::Sessions,
    });
    assert!(a.stdout == lib);
}

#[test]
fn gen_output_file_equals_stdout() {
    let dir = scratch("gen_output_file");
    let file = dir.join("out.json");
    let to_file = run(&[
        "gen",
        "--seed",
        "5",
        "--size",
        "1MiB",
        "--compact",
        "--shape",
        "callrecord",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code(&to_file), 0, "{}", text(&to_file.stderr));
    assert!(to_file.stdout.is_empty());
    let to_stdout = run(&[
        "gen",
        "--seed",
        "5",
        "--size",
        "1MiB",
        "--compact",
        "--shape",
        "callrecord",
    ]);
    assert!(fs::read(&file).unwrap() == to_stdout.stdout);
    assert!(to_stdout.stdout.len() >= 1 << 20);
}

#[test]
fn gen_rejects_bad_arguments_with_exit_2() {
    assert_eq!(code(&run(&["gen", "--size", "12XB"])), 2);
    assert_eq!(code(&run(&["gen", "--shape", "nope"])), 2);
    assert_eq!(code(&run(&["gen", "--seed", "-1"])), 2);
    let out = run(&[
        "gen",
        "--size",
        "1kB",
        "--output",
        "/nonexistent-dir/x/y.json",
    ]);
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("/nonexistent-dir/x/y.json"));
}

// ---- usage and I/O errors (independent of the tokenizer) ----

#[test]
fn help_shows_examples() {
    let out = run(&["--help"]);
    assert_eq!(code(&out), 0);
    let help = text(&out.stdout);
    assert!(help.contains("Examples:"));
    assert!(help.contains("callrecords validate corpus/"));
    assert!(help.contains("callrecords gen --seed 1 --size 64MiB"));
    assert!(text(&run(&["validate", "--help"]).stdout).contains("Exit codes"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&run(&[])), 2);
    assert_eq!(code(&run(&["validate"])), 2);
    assert_eq!(code(&run(&["no-such-command"])), 2);
}

#[test]
fn validate_missing_file_exits_2() {
    let missing = scratch("missing").join("does-not-exist.json");
    let out = run(&["validate", missing.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("does-not-exist.json"));
}

#[test]
fn validate_folder_without_json_exits_2() {
    let dir = scratch("empty_folder");
    fs::write(dir.join("notes.txt"), "not json, and not picked up").unwrap();
    let out = run(&["validate", dir.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("folder holds no *.json or *.json.gz file"),
        "{}",
        text(&out.stderr)
    );
}

// ---- validate (these need the real tokenizer) ----

#[test]
fn validate_valid_file_exits_0() {
    let dir = scratch("valid_file");
    let file = dir.join("ok.json");
    fs::write(&file, "{\"a\": [1, 2.5e3, \"x\\u00e9\", true, null]}\n").unwrap();
    let out = run(&["validate", file.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("ok {}\n", file.display()));
    assert!(text(&out.stderr).contains("MB/s"));
}

#[test]
fn validate_invalid_file_exits_1_with_position() {
    let dir = scratch("invalid_file");
    let file = dir.join("bad.json");
    fs::write(&file, "{\n  \"a\": [1, 2,]\n}\n").unwrap();
    let out = run(&["validate", file.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}{}", text(&out.stdout), text(&out.stderr));
    let report = text(&out.stdout);
    let prefix = format!("{}:2:", file.display());
    assert!(report.starts_with(&prefix), "{report}");
    // The snippet: the offending line, then a caret line.
    assert!(report.contains("\"a\": [1, 2,]"), "{report}");
    assert!(report.lines().any(|l| l.trim() == "^"), "{report}");
}

/// Every command that reads call records says so when it is given no PATH, rather than exiting
/// 2 without a word.
#[test]
fn no_path_is_a_usage_error_with_a_message() {
    for command in ["flatten", "summary", "validate"] {
        let out = run(&[command]);
        assert_eq!(code(&out), 2, "{command}");
        assert_eq!(
            text(&out.stderr),
            format!(
                "callrecords {command}: give at least one PATH (a file, a folder, or `-` for stdin)\n"
            ),
            "{command}"
        );
    }
}

/// An error the splitter finds (here a stray byte before the session array) shows its JSON path,
/// the offending line and a caret whatever the input is: a file, a gzip file, or stdin, plain or
/// gzip.
#[test]
fn validate_snippet_for_files_gzip_and_stdin() {
    let doc = b"{\n  \"@odata.context\": \"x\",\n  \"value\": #[]\n}\n";
    let want = "3:12: expected a JSON value, found `#` at /value\n  \"value\": #[]\n           ^\n";
    let dir = scratch("snippets");
    fs::write(dir.join("a.json"), doc).unwrap();
    fs::write(dir.join("a.json.gz"), gz(doc)).unwrap();
    for name in ["a.json", "a.json.gz"] {
        let path = dir.join(name);
        let out = run(&["validate", "-q", path.to_str().unwrap()]);
        assert_eq!(code(&out), 1);
        assert_eq!(text(&out.stdout), format!("{}:{want}", path.display()));
    }
    for input in [doc.to_vec(), gz(doc)] {
        let out = run_with_stdin(&["validate", "-q", "-"], &input);
        assert_eq!(code(&out), 1);
        assert_eq!(text(&out.stdout), format!("-:{want}"));
    }
}

/// A value error (found by the event layer, after the splitter delivered the session) shows the
/// input's own line, from its start: not only the session's bytes, and not the text the reader
/// rebuilds for the members after the session array.
#[test]
fn validate_strict_snippet_shows_the_whole_line() {
    let dir = scratch("strict_snippets");
    let cases = [
        (
            "in_a_session.json",
            "{\"value\":[{\"id\":\"a\",\"startDateTime\":\"bad\"}]}",
            "1:38: invalid value: BadTimestampShape at /value/0/startDateTime\n\
             {\"value\":[{\"id\":\"a\",\"startDateTime\":\"bad\"}]}\n\
             \x20                                    ^\n",
        ),
        (
            "not_an_object.json",
            "{\"value\":[1,{\"id\":\"a\"}]}",
            "1:11: invalid value: WrongType at /value\n\
             {\"value\":[1,{\"id\":\"a\"}]}\n\
             \x20         ^\n",
        ),
        (
            "after_the_sessions.json",
            "{\"value\":[],\"@odata.context\":\"x\",\"id\":5}",
            "1:39: invalid value: WrongType at /id\n\
             {\"value\":[],\"@odata.context\":\"x\",\"id\":5}\n\
             \x20                                     ^\n",
        ),
    ];
    for (name, doc, want) in cases {
        let file = dir.join(name);
        fs::write(&file, doc).unwrap();
        let out = run(&["validate", "-q", "--strict", file.to_str().unwrap()]);
        let report = text(&out.stdout);
        assert_eq!(code(&out), 1, "{name}: {report}");
        assert_eq!(report, format!("{}:{want}", file.display()), "{name}");
    }
}

/// Without --strict, elements of the session array that are not objects are skipped, and noted on
/// stderr with the first one's index and offset; --strict fails on the first.
#[test]
fn validate_notes_skipped_elements() {
    let dir = scratch("skipped_elements");
    let file = dir.join("a.json");
    fs::write(
        &file,
        r#"{"value": [{"id": "s"}, 1, {"id": "t"}, "x", null]}"#,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = run(&["validate", path]);
    assert_eq!((code(&out), text(&out.stdout)), (0, format!("ok {path}\n")));
    let want = format!(
        "{path}: note: 3 array element(s) skipped, not JSON objects (--strict fails on them); \
         the first: element 1 at byte 24\n"
    );
    assert!(
        text(&out.stderr).starts_with(&want),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["validate", "-q", path]);
    assert_eq!((code(&out), text(&out.stderr)), (0, String::new()));
    let out = run(&["validate", "-q", "--strict", path]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stdout).starts_with(&format!("{path}:1:25: invalid value: WrongType at /value")),
        "{}",
        text(&out.stdout)
    );
}

/// Without --strict a value error passes, noted on stderr with the first error; --strict fails on
/// it; --quiet keeps only the problems.
#[test]
fn validate_notes_value_errors_and_quiet_keeps_only_problems() {
    let dir = scratch("value_errors");
    let file = dir.join("a.json");
    let doc = r#"{"value": [{"id": "s", "segments": [{"media": [{"streams": [
        {"averageJitter": "PT1,5S"}, {"averageJitter": "P1M"}]}]}]}]}"#;
    fs::write(&file, doc).unwrap();
    let path = file.to_str().unwrap();
    let out = run(&["validate", path]);
    assert_eq!(code(&out), 0);
    assert_eq!(text(&out.stdout), format!("ok {path}\n"));
    let note = text(&out.stderr);
    assert!(
        note.contains("note: 2 value error(s)")
            && note.contains(
                "CommaDecimal \"PT1,5S\" at /value/0/segments/0/media/0/streams/0/averageJitter"
            ),
        "{note}"
    );
    let out = run(&["validate", "--strict", path]);
    assert_eq!(code(&out), 1);
    let out = run(&["validate", "-q", path]);
    assert_eq!(
        (code(&out), text(&out.stdout), text(&out.stderr)),
        (0, String::new(), String::new())
    );
}

#[test]
fn validate_folder_walks_json_and_gz() {
    let dir = scratch("folder");
    fs::create_dir_all(dir.join("nested")).unwrap();
    fs::write(dir.join("a.json"), "[1, 2, 3]").unwrap();
    fs::write(dir.join("nested").join("b.json.gz"), gz(b"{\"b\": {}}")).unwrap();
    fs::write(dir.join("skip.txt"), "not json").unwrap();
    let out = run(&["validate", dir.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}{}", text(&out.stdout), text(&out.stderr));
    let report = text(&out.stdout);
    assert_eq!(report.lines().count(), 2, "{report}");
    assert!(report.contains("a.json"));
    assert!(report.contains("b.json.gz"));
    assert!(!report.contains("skip.txt"));

    // One invalid file in the folder makes the whole run exit 1; the valid ones are still reported.
    fs::write(dir.join("nested").join("c.json"), "{\"c\": tru}").unwrap();
    let out = run(&["validate", dir.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert_eq!(text(&out.stdout).matches("ok ").count(), 2);
    assert!(text(&out.stdout).contains("c.json:1:"));
}

#[test]
fn validate_missing_file_with_valid_ones_exits_2() {
    let dir = scratch("missing_and_valid");
    let file = dir.join("ok.json");
    fs::write(&file, "{}").unwrap();
    let missing = dir.join("gone.json");
    let out = run(&[
        "validate",
        file.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(text(&out.stdout).contains("ok "));
}

#[test]
fn validate_fail_fast_stops_at_a_missing_file() {
    let dir = scratch("fail_fast_missing");
    let file = dir.join("ok.json");
    fs::write(&file, "{}").unwrap();
    let missing = dir.join("gone.json");
    let args = [
        "validate",
        missing.to_str().unwrap(),
        file.to_str().unwrap(),
    ];
    // Without --fail-fast the other file still runs; with it, nothing does.
    let out = run(&args);
    assert_eq!(code(&out), 2);
    assert!(text(&out.stdout).contains("ok "), "{}", text(&out.stdout));
    let out = run(&[&["validate", "--fail-fast"][..], &args[1..]].concat());
    assert_eq!(code(&out), 2);
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("gone.json"),
        "{}",
        text(&out.stderr)
    );
}

/// A link to a file that is gone, met while walking a folder, is reported under its own path (as
/// the same path given by name is), and the rest of the folder still runs.
#[cfg(unix)]
#[test]
fn validate_folder_reports_a_dangling_link_and_goes_on() {
    let dir = scratch("dangling_link");
    fs::write(dir.join("a.json"), "{}").unwrap();
    std::os::unix::fs::symlink(dir.join("gone"), dir.join("b.json")).unwrap();
    fs::write(dir.join("c.json"), "[]").unwrap();
    let out = run(&["validate", dir.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stdout).matches("ok ").count(), 2);
    let err = text(&out.stderr);
    assert!(err.contains("b.json: No such file"), "{err}");
}

#[test]
fn validate_stdin_plain_and_gzip() {
    let out = run_with_stdin(&["validate", "-"], b"{\"x\": [true, false]}");
    assert_eq!(code(&out), 0, "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stdout), "ok -\n");
    let out = run_with_stdin(&["validate", "-"], &gz(b"[\"gz\"]"));
    assert_eq!(code(&out), 0);
    let out = run_with_stdin(&["validate", "-"], b"[1,]");
    assert_eq!(code(&out), 1);
    assert!(text(&out.stdout).starts_with("-:1:"));
}

#[test]
fn validate_docs_corpus_and_generated_payloads() {
    let out = run(&["validate", corpus_docs().to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stdout).matches("ok ").count(), 15);

    let dir = scratch("generated");
    for (i, shape) in ["sessions", "callrecord"].iter().enumerate() {
        let file = dir.join(format!("gen-{shape}.json"));
        let gen = run(&[
            "gen",
            "--seed",
            &i.to_string(),
            "--size",
            "2MiB",
            "--shape",
            shape,
            "--output",
            file.to_str().unwrap(),
        ]);
        assert_eq!(code(&gen), 0);
    }
    let out = run(&["validate", dir.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}{}", text(&out.stdout), text(&out.stderr));
}

/// `../shared/jsontestsuite/test_parsing` beside the project root (or `/work/shared/...`).
fn jsontestsuite_dir() -> Option<PathBuf> {
    [
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/jsontestsuite/test_parsing"),
        PathBuf::from("/work/shared/jsontestsuite/test_parsing"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

#[test]
fn validate_accepts_every_y_file_and_rejects_every_n_file_with_a_position() {
    let dir = jsontestsuite_dir().expect("the JSONTestSuite files beside the project");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut y, mut n) = (0, 0);
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let arg = path.to_string_lossy().into_owned();
        if name.starts_with("y_") {
            let out = run(&["validate", "--quiet", &arg]);
            assert_eq!(code(&out), 0, "{name}: {}", text(&out.stderr));
            y += 1;
        } else if name.starts_with("n_") {
            let out = run(&["validate", "--quiet", &arg]);
            assert_eq!(code(&out), 1, "{name}: {}", text(&out.stderr));
            // `PATH:LINE:COLUMN: message`, on stdout with the report (or stderr).
            let stderr = format!("{}{}", text(&out.stdout), text(&out.stderr));
            let rest = stderr
                .split_once(&format!("{arg}:"))
                .map(|(_, rest)| rest)
                .unwrap_or_else(|| panic!("{name}: no `file:` prefix in {stderr}"));
            let mut parts = rest.splitn(3, ':');
            let line = parts.next().unwrap_or("");
            let column = parts.next().unwrap_or("");
            assert!(
                line.parse::<u64>().is_ok() && column.parse::<u64>().is_ok(),
                "{name}: no line:column in {stderr}"
            );
            n += 1;
        }
    }
    assert_eq!((y, n), (95, 188));
}

/// `validate` streams each file: an error found inside a session (by the event layer) or between
/// sessions (by the session splitter) is reported at its position in the whole file, with the
/// offending line and a caret, whether the session is the first or the thousandth.
#[test]
fn validate_streams_and_reports_positions_in_the_whole_file() {
    let dir = scratch("streamed_errors");
    let session = "  {\"id\": \"s\", \"segments\": []}";
    let many = vec![session; 1000].join(",\n");
    // (name, document, expected `line:column:`, the snippet's first line, the JSON path)
    let cases = [
        (
            "inside_last_session.json",
            format!("{{\"value\": [\n{many},\n  {{\"id\": tru}}\n]}}\n"),
            "1002:13:",
            // The whole line, from the reader's window: the indent before the session too.
            "  {\"id\": tru}",
            " at /value/1000/id",
        ),
        (
            "between_sessions.json",
            format!("{{\"value\": [\n{many},\n  ,\n]}}\n"),
            "1002:3:",
            "  ,",
            " at /value",
        ),
        (
            "after_the_sessions.json",
            format!("{{\"value\": [\n{many}\n],\n\"@odata.nextLink\": nul}}\n"),
            "1003:23:",
            "\"@odata.nextLink\": nul}",
            " at /@odata.nextLink",
        ),
    ];
    for (name, doc, position, line, path) in &cases {
        let file = dir.join(name);
        fs::write(&file, doc).unwrap();
        let out = run(&["validate", file.to_str().unwrap()]);
        assert_eq!(code(&out), 1, "{name}: {}", text(&out.stderr));
        let report = text(&out.stdout);
        let mut lines = report.lines();
        let first = lines.next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("{}:{position}", file.display())),
            "{name}: {report}"
        );
        assert!(first.ends_with(path), "{name}: {report}");
        assert_eq!(lines.next(), Some(*line), "{name}: {report}");
        assert!(
            lines.next().is_some_and(|caret| caret.ends_with('^')),
            "{name}: {report}"
        );
    }

    // Parallel checking keeps the input order of the report.
    fs::write(
        dir.join("valid.json"),
        format!("{{\"value\": [\n{many}\n]}}"),
    )
    .unwrap();
    let one = run(&["validate", "--jobs", "1", dir.to_str().unwrap()]);
    let two = run(&["validate", "--jobs", "2", dir.to_str().unwrap()]);
    assert_eq!(code(&one), 1);
    assert_eq!(text(&one.stdout), text(&two.stdout));
    let named: Vec<String> = text(&one.stdout)
        .lines()
        .filter_map(|l| l.split(".json").next().filter(|_| l.contains(".json")))
        .map(|l| l.rsplit('/').next().unwrap_or(l).to_string())
        .collect();
    let expected = [
        "after_the_sessions",
        "between_sessions",
        "inside_last_session",
        "valid",
    ];
    assert_eq!(named, expected, "{}", text(&one.stdout));
}
