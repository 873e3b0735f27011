//! `callrecords fetch` against a Graph-shaped server on 127.0.0.1 (`support/graph_server.rs`):
//! every page once, both kinds of next link, each fault survived with the rows of `flatten` over
//! the whole documents (nothing missing, nothing twice), the waits the headers asked for, client
//! credentials requested once and refreshed, and no token or secret on any output stream.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // reason: test code

#[path = "support/graph_server.rs"]
mod graph_server;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use callrecords::generate::{self, GenOptions, Shape};
use graph_server::{Fault, GraphServer, Logged, Record, When};
use serde_json::{Map, Value};

const TOKEN: &str = "test-token-7f3a9c";
const SECRET: &str = "client-secret-e81b44";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/test-fetch").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A generated call record (compact, about `kib` KiB), written to `dir` and split into pages of
/// `per_page` sessions.
fn record(dir: &Path, seed: u64, kib: usize, per_page: usize) -> (Record, PathBuf) {
    let doc = generate::to_vec(&GenOptions {
        seed,
        target_bytes: kib << 10,
        compact: true,
        shape: Shape::CallRecord,
    });
    let path = dir.join(format!("record-{seed}.json"));
    fs::write(&path, &doc).unwrap();
    let record = Record::split(&doc, per_page);
    assert!(record.pages() >= 3, "seed {seed}: {} pages", record.pages());
    (record, path)
}

/// Runs `callrecords fetch` against `server` with the bearer token in GRAPH_TOKEN.
fn fetch(server: &GraphServer, args: &[&str]) -> Output {
    fetch_env(server, args, &[("GRAPH_TOKEN", TOKEN)])
}

fn fetch_env(server: &GraphServer, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_callrecords"));
    cmd.arg("fetch")
        .arg("--graph-url")
        .arg(&server.base)
        .args(args)
        .current_dir(root())
        .env_remove("GRAPH_TOKEN")
        .env_remove("GRAPH_CLIENT_SECRET");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run callrecords fetch")
}

/// NDJSON rows, each without its `file` column (a path for `flatten`, the id for `fetch`).
fn rows(stdout: &[u8]) -> Vec<Map<String, Value>> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(|l| match serde_json::from_str(l).unwrap() {
            Value::Object(mut m) => {
                m.remove("file");
                m
            }
            v => panic!("{v}"),
        })
        .collect()
}

/// `flatten`'s rows for whole documents, in order.
fn flatten(paths: &[&Path]) -> Vec<Map<String, Value>> {
    let o = Command::new(env!("CARGO_BIN_EXE_callrecords"))
        .args(["flatten", "--quiet"])
        .args(paths)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let r = rows(&o.stdout);
    assert!(!r.is_empty());
    r
}

/// Requests for page `page` of `id`, in order.
fn page_requests(log: &[Logged], id: &str, page: usize) -> Vec<Logged> {
    log.iter()
        .filter(|l| l.page.as_ref() == Some(&(id.to_owned(), page)))
        .cloned()
        .collect()
}

fn server_with(records: &[&Record]) -> GraphServer {
    let server = GraphServer::start(TOKEN);
    for r in records {
        server.add((*r).clone());
    }
    server
}

#[test]
fn every_page_once_through_both_kinds_of_next_link() {
    let dir = scratch("pages");
    let (a, a_doc) = record(&dir, 11, 160, 2);
    let (b, b_doc) = record(&dir, 12, 160, 2);
    let server = server_with(&[&a, &b]);
    let o = fetch(&server, &["--jobs", "2", &a.id, &b.id]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(rows(&o.stdout), flatten(&[&a_doc, &b_doc]));

    // The file column holds the call record id.
    let text = String::from_utf8(o.stdout).unwrap();
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["file"], Value::String(a.id.clone()));

    let log = server.log();
    for r in [&a, &b] {
        for page in 0..r.pages() {
            let got = page_requests(&log, &r.id, page);
            assert_eq!(got.len(), 1, "{} page {page}: {got:?}", r.id);
        }
        let first = &page_requests(&log, &r.id, 0)[0];
        assert!(
            first.target.contains("?$expand=sessions($expand=segments)"),
            "{}",
            first.target
        );
        // Page 1 came from sessions@odata.nextLink, page 2 from @odata.nextLink.
        assert!(page_requests(&log, &r.id, 2)[0]
            .target
            .contains("/sessions?"));
    }
    assert_eq!(log.len(), a.pages() + b.pages());
    let mut ids = HashSet::new();
    for l in &log {
        assert_eq!(
            l.headers.get("prefer").map(String::as_str),
            Some("include-unknown-enum-members")
        );
        let ua = l.headers.get("user-agent").cloned().unwrap_or_default();
        assert!(ua.starts_with("callrecords/"), "{ua}");
        let id = l.headers.get("client-request-id").cloned().unwrap();
        assert_eq!(id.len(), 36, "{id}");
        assert!(ids.insert(id), "a client-request-id used twice");
    }
}

/// Each fault on one page: the rows of the whole document, the page asked for again after the
/// wait the answer named.
#[test]
fn faults_are_survived_with_every_row_once() {
    let dir = scratch("faults");
    let (r, doc) = record(&dir, 21, 160, 2);
    let expected = flatten(&[&doc]);
    let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3));
    let cases: Vec<(&str, Fault, usize, Duration)> = vec![
        (
            "429 after 1 s",
            Fault::TooMany(Some("1".into())),
            2,
            Duration::from_millis(950),
        ),
        (
            "429 until an HTTP date",
            Fault::TooMany(Some(soon)),
            2,
            Duration::from_millis(950),
        ),
        (
            "503, back-off",
            Fault::Unavailable,
            2,
            Duration::from_millis(200),
        ),
        (
            "body cut off",
            Fault::CutBody,
            2,
            Duration::from_millis(200),
        ),
        (
            "slow body",
            Fault::Slow {
                chunk: 2048,
                pause: Duration::from_millis(2),
            },
            1,
            Duration::ZERO,
        ),
    ];
    for (name, fault, tries, wait) in cases {
        let server = server_with(&[&r]);
        server.fault(
            When {
                id: Some(r.id.clone()),
                page: Some(1),
            },
            fault.clone(),
        );
        let o = fetch(&server, &[&r.id]);
        let err = stderr(&o);
        assert!(o.status.success(), "{name}: {err}");
        assert_eq!(rows(&o.stdout), expected, "{name}");
        let got = page_requests(&server.log(), &r.id, 1);
        assert_eq!(got.len(), tries, "{name}: {got:?}");
        if tries == 2 {
            assert_eq!(got[0].fault.as_ref(), Some(&fault), "{name}");
            let waited = got[1].at - got[0].at;
            assert!(waited >= wait, "{name}: waited {waited:?}, wanted {wait:?}");
            assert!(err.contains("trying again"), "{name}: {err}");
            let id0 = &got[0].headers["client-request-id"];
            assert!(err.contains(id0.as_str()), "{name}: {err}");
        }
        for page in [0, 2] {
            assert_eq!(page_requests(&server.log(), &r.id, page).len(), 1);
        }
        assert!(!err.contains(TOKEN), "{name}: the token in {err}");
    }
}

/// A 429 for one call record pauses the worker fetching another: its next request waits for the
/// `Retry-After` too.
#[test]
fn a_429_slows_every_worker() {
    let dir = scratch("throttle");
    let (a, a_doc) = record(&dir, 101, 100, 1);
    let (b, b_doc) = record(&dir, 102, 100, 1);
    let server = server_with(&[&a, &b]);
    // b's first page takes about a second to arrive; a's first answer asks for a 2 s pause.
    let slow = Fault::Slow {
        chunk: 1024,
        pause: Duration::from_millis(40),
    };
    server.fault(when(&b, 0), slow);
    server.fault(when(&a, 0), Fault::TooMany(Some("2".into())));
    let o = fetch(&server, &["--jobs", "2", &a.id, &b.id]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(rows(&o.stdout), flatten(&[&a_doc, &b_doc]));
    let log = server.log();
    let throttled = page_requests(&log, &a.id, 0)[0].at;
    let b0 = page_requests(&log, &b.id, 0)[0].at;
    let b1 = page_requests(&log, &b.id, 1)[0].at;
    assert!(
        b0 < throttled + Duration::from_millis(500),
        "b's first page was asked for before the pause"
    );
    let after = b1 - throttled;
    assert!(
        after >= Duration::from_millis(1900),
        "b's second page {after:?} after a's 429"
    );
}

fn when(r: &Record, page: usize) -> When {
    When {
        id: Some(r.id.clone()),
        page: Some(page),
    }
}

#[test]
fn gives_up_after_max_tries_and_goes_on_with_the_others() {
    let dir = scratch("give-up");
    let (a, _) = record(&dir, 31, 100, 1);
    let (b, b_doc) = record(&dir, 32, 100, 1);
    let server = server_with(&[&a, &b]);
    for _ in 0..2 {
        let when = When {
            id: Some(a.id.clone()),
            page: Some(1),
        };
        server.fault(when, Fault::Unavailable);
    }
    let o = fetch(&server, &["--max-tries", "2", "--jobs", "1", &a.id, &b.id]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(&a.id), "{err}");
    assert_eq!(page_requests(&server.log(), &a.id, 1).len(), 2);
    // b's rows are all there, after a's first page.
    let got = rows(&o.stdout);
    let b_rows = flatten(&[&b_doc]);
    assert!(got.ends_with(&b_rows), "b's rows missing");

    // --fail-fast stops at the first failure.
    let server = server_with(&[&a, &b]);
    server.fault(
        When {
            id: Some(a.id.clone()),
            page: Some(0),
        },
        Fault::Forbidden,
    );
    let o = fetch(&server, &["--fail-fast", "--jobs", "1", &a.id, &b.id]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(page_requests(&server.log(), &b.id, 0).is_empty());
}

#[test]
fn denied_and_missing_say_what_and_are_not_retried() {
    let dir = scratch("denied");
    let (r, _) = record(&dir, 41, 100, 1);
    let server = server_with(&[&r]);
    let o = fetch_env(&server, &[&r.id], &[("GRAPH_TOKEN", "wrong-token-44c1")]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("401") && err.contains("CallRecords.Read.All"),
        "{err}"
    );
    assert!(!err.contains("wrong-token-44c1"), "{err}");
    assert_eq!(server.log().len(), 1, "a 401 was tried again");

    let server = server_with(&[&r]);
    server.fault(
        When {
            id: None,
            page: None,
        },
        Fault::Forbidden,
    );
    let o = fetch(&server, &[&r.id]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("403") && err.contains("CallRecords.Read.All"),
        "{err}"
    );
    assert_eq!(server.log().len(), 1);

    let missing = "00000000-0000-0000-0000-00000000dead";
    let o = fetch(&server, &[missing]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(missing), "{err}");
}

#[test]
fn client_credentials_are_requested_once_and_refreshed_after_expiry() {
    let dir = scratch("credentials");
    let (a, a_doc) = record(&dir, 51, 100, 1);
    let (b, b_doc) = record(&dir, 52, 100, 1);
    let run = |server: &GraphServer, ids: &[&str]| {
        let mut args = vec![
            "--tenant",
            "contoso.onmicrosoft.com",
            "--client-id",
            "app-1",
            "--authority-url",
            &server.authority,
            "--jobs",
            "1",
        ];
        args.extend_from_slice(ids);
        fetch_env(server, &args, &[("GRAPH_CLIENT_SECRET", SECRET)])
    };

    let server = server_with(&[&a, &b]);
    server.client_credentials(SECRET, 3600);
    let o = run(&server, &[&a.id, &b.id]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(rows(&o.stdout), flatten(&[&a_doc, &b_doc]));
    assert_eq!(server.issued(), 1, "the token was not reused");
    let log = server.log();
    let token_request = &log[0];
    assert!(token_request
        .target
        .ends_with("/contoso.onmicrosoft.com/oauth2/v2.0/token"));
    for l in &log[1..] {
        assert_eq!(l.headers["authorization"], "Bearer issued-token-1");
    }

    // Tokens that live 2 s: a 429 asking for 2 s outlives the first one, which the server then
    // refuses; the client asks for a new one before it tries again.
    let server = server_with(&[&a]);
    server.client_credentials(SECRET, 2);
    server.fault(
        When {
            id: Some(a.id.clone()),
            page: Some(1),
        },
        Fault::TooMany(Some("2".into())),
    );
    let o = run(&server, &[&a.id]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(rows(&o.stdout), flatten(&[&a_doc]));
    assert_eq!(server.issued(), 2);
    let retry = &page_requests(&server.log(), &a.id, 1)[1];
    assert_eq!(retry.headers["authorization"], "Bearer issued-token-2");
    assert!(server.log().iter().all(|l| l.status != 401));
}

#[test]
fn no_token_or_secret_on_any_output_stream() {
    let dir = scratch("secrets");
    let (r, _) = record(&dir, 61, 100, 1);
    let server = server_with(&[&r]);
    server.client_credentials("the-right-secret", 3600);
    let bad_secret = "wrong-secret-9d2e7a";
    let o = fetch_env(
        &server,
        &[
            "--tenant",
            "t",
            "--client-id",
            "c",
            "--authority-url",
            &server.authority,
            &r.id,
        ],
        &[("GRAPH_CLIENT_SECRET", bad_secret)],
    );
    assert_eq!(o.status.code(), Some(2));
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(all.contains("invalid client secret") || all.contains("Invalid client secret"));
    assert!(!all.contains(bad_secret), "{all}");

    let token_file = dir.join("token");
    let bad_token = "eyJ0eXAiOiJKV1QiLCJub3RhIjoidG9rZW4ifQ.bad";
    fs::write(&token_file, format!("{bad_token}\n")).unwrap();
    let o = fetch_env(
        &server,
        &["--token-file", token_file.to_str().unwrap(), &r.id],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(all.contains("401"), "{all}");
    assert!(!all.contains(bad_token), "{all}");
    assert!(!all.contains("eyJ0eXAi"), "{all}");

    let o = fetch_env(&server, &[&r.id], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("GRAPH_TOKEN"), "{}", stderr(&o));
}

#[test]
fn saved_pages_replay_to_the_same_rows() {
    let dir = scratch("save");
    let (r, _) = record(&dir, 71, 400, 1);
    // More than ten pages: `flatten DIR` must read 2.json before 10.json.
    assert!(r.pages() > 10, "{} pages", r.pages());
    let server = server_with(&[&r]);
    server.fault(
        When {
            id: Some(r.id.clone()),
            page: Some(2),
        },
        Fault::CutBody,
    );
    let saved = dir.join("pages");
    let o = fetch(&server, &["--save", saved.to_str().unwrap(), &r.id]);
    assert!(o.status.success(), "{}", stderr(&o));
    let fetched = rows(&o.stdout);
    let mut names: Vec<String> = fs::read_dir(saved.join(&r.id))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort_by_key(|n| n.trim_end_matches(".json").parse::<usize>().unwrap());
    let want: Vec<String> = (0..r.pages()).map(|i| format!("{i}.json")).collect();
    assert_eq!(names, want);
    for (i, name) in want.iter().enumerate() {
        let bytes = fs::read(saved.join(&r.id).join(name)).unwrap();
        assert_eq!(bytes, r.page(i, &server.base), "{name}");
    }
    assert_eq!(flatten(&[&saved]), fetched);
}

/// An id given twice is fetched once: its rows once, its pages asked for once.
#[test]
fn an_id_given_twice_is_fetched_once() {
    let dir = scratch("twice");
    let (r, doc) = record(&dir, 111, 100, 1);
    let server = server_with(&[&r]);
    let o = fetch(&server, &["--jobs", "2", &r.id, &r.id]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(rows(&o.stdout), flatten(&[&doc]));
    assert_eq!(server.log().len(), r.pages());
}

#[test]
fn a_time_range_lists_every_record_then_fetches_each() {
    let dir = scratch("range");
    let (a, a_doc) = record(&dir, 81, 100, 1);
    let (b, b_doc) = record(&dir, 82, 100, 1);
    let (c, c_doc) = record(&dir, 83, 100, 1);
    let server = server_with(&[&a, &b, &c]);
    let o = fetch(
        &server,
        &[
            "--since",
            "2026-12-01T00:00:00Z",
            "--until",
            "2026-12-02T00:00:00+00:00",
            "--jobs",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(rows(&o.stdout), flatten(&[&a_doc, &b_doc, &c_doc]));
    let log = server.log();
    let lists: Vec<&Logged> = log.iter().filter(|l| l.page.is_none()).collect();
    assert_eq!(lists.len(), 2, "{lists:?}");
    assert!(
        lists[0].target.ends_with(
            "/v1.0/communications/callRecords?$filter=startDateTime ge 2026-12-01T00:00:00Z and startDateTime lt 2026-12-02T00:00:00Z"
        ),
        "{}",
        lists[0].target
    );
    assert!(lists[1].target.contains("$skiptoken=1"));
}

#[test]
fn parquet_output_holds_the_fetched_rows() {
    let dir = scratch("parquet");
    let (r, doc) = record(&dir, 91, 100, 1);
    let server = server_with(&[&r]);
    let out = dir.join("streams.parquet");
    let o = fetch(
        &server,
        &["--format", "parquet", "-o", out.to_str().unwrap(), &r.id],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let file = fs::File::open(&out).unwrap();
    let reader = parquet::file::reader::SerializedFileReader::new(file).unwrap();
    use parquet::file::reader::FileReader;
    let n = reader.metadata().file_metadata().num_rows();
    assert_eq!(n as usize, flatten(&[&doc]).len());
}
