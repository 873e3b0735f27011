//! Replays the regression corpus in `corpus/crash/` (see its README): every input found by fuzzing
//! (or added by hand) must give its recorded answer, and must not panic anywhere.
//!
//! For each `NAME.input` with its `NAME.expected` (`ok`, or `ErrorKind@offset` such as
//! `InvalidUtf8@1157`):
//!
//! - the tokenizer's full walk (`next_token` until `None`) and its skip (`skip_value` then
//!   `finish`) both give exactly the recorded answer, on every stage-1 backend this CPU supports;
//! - every supported stage-1 backend gives the scalar backend's output bit for bit
//!   ([`callrecords::stage1::Scanner::index`]);
//! - the event iterator, lenient and strict, keeps the invariants the `events` fuzz target checks:
//!   no panic, every error offset within the input, and every value error's raw text borrowed
//!   from inside the input.
//!
//! It runs in plain `cargo test` on stable, so a regression is caught without nightly or
//! cargo-fuzz.

#![allow(clippy::panic)] // reason: a test reports a failure by panicking with the details

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use callrecords::stage1::Scanner;
use callrecords::tokenizer::{Scratch, Tokenizer, DEFAULT_DEPTH_LIMIT};
use callrecords::{Backend, Error, Event, Events, Options};

fn crash_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/crash")
}

/// The answer in the form the `.expected` files use.
fn answer(result: Result<(), Error>) -> String {
    match result {
        Ok(()) => "ok".to_owned(),
        Err(e) => format!("{:?}@{}", e.kind(), e.offset()),
    }
}

fn walk(input: &[u8], backend: Backend) -> Result<(), Error> {
    let mut t = Tokenizer::with_scratch(input, Scratch::with_backend(backend), DEFAULT_DEPTH_LIMIT);
    while t.next_token()?.is_some() {}
    Ok(())
}

fn skip(input: &[u8], backend: Backend) -> Result<(), Error> {
    let mut t = Tokenizer::with_scratch(input, Scratch::with_backend(backend), DEFAULT_DEPTH_LIMIT);
    t.skip_value()?;
    t.finish()
}

type Stage1 = (Vec<u32>, Vec<u64>, String);

fn stage1(input: &[u8], backend: Backend) -> Option<Stage1> {
    let mut scanner = Scanner::new(backend)?;
    let (mut structurals, mut backslashes) = (Vec::new(), Vec::new());
    let result = scanner.index(input, &mut structurals, &mut backslashes);
    Some((structurals, backslashes, answer(result)))
}

/// The event iterator's invariants on `input` (lenient and strict); a description of each breach.
fn event_invariants(name: &str, input: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    let inside = |part: &[u8]| {
        let (w, p) = (input.as_ptr_range(), part.as_ptr_range());
        part.is_empty() || (w.start <= p.start && p.end <= w.end)
    };
    for strict in [false, true] {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let mut found = Vec::new();
            for event in Events::with_options(input, Options::default().strict(strict)) {
                let event = match event {
                    Ok(event) => event,
                    Err(e) => {
                        if e.offset() > input.len() as u64 {
                            found.push(format!("error offset {} past the input", e.offset()));
                        }
                        break;
                    }
                };
                let errors = match &event {
                    Event::CallRecord(r) => Some(r.errors),
                    Event::Session(r) => Some(r.errors),
                    Event::Segment(r) => Some(r.errors),
                    Event::Media(r) => Some(r.errors),
                    Event::Stream(r) => Some(r.errors),
                    _ => None,
                };
                for e in errors.iter().flat_map(|errors| errors.iter()) {
                    if !inside(e.raw) {
                        found.push(format!("value error at {e}: raw text outside the input"));
                    }
                    if e.offset > input.len() as u64 {
                        found.push(format!("value error at {e}: offset past the input"));
                    }
                }
            }
            found
        }));
        match outcome {
            Ok(found) => problems.extend(
                found
                    .into_iter()
                    .map(|p| format!("{name} [events, strict {strict}]: {p}")),
            ),
            Err(_) => problems.push(format!("{name} [events, strict {strict}]: panicked")),
        }
    }
    problems
}

/// Checks one case; returns a description of each disagreement.
fn replay(name: &str, input: &[u8], expected: &str) -> Vec<String> {
    let mut problems = event_invariants(name, input);
    let reference = stage1(input, Backend::Scalar);
    for backend in Backend::supported() {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            (
                answer(walk(input, backend)),
                answer(skip(input, backend)),
                stage1(input, backend),
            )
        }));
        let Ok((walked, skipped, indexed)) = outcome else {
            problems.push(format!("{name} [{backend}]: panicked"));
            continue;
        };
        if walked != expected {
            problems.push(format!(
                "{name} [{backend}]: walk gives {walked}, recorded {expected}"
            ));
        }
        if skipped != expected {
            problems.push(format!(
                "{name} [{backend}]: skip gives {skipped}, recorded {expected}"
            ));
        }
        if indexed != reference {
            problems.push(format!(
                "{name} [{backend}]: stage 1 differs from the scalar backend"
            ));
        }
    }
    problems
}

#[test]
fn every_recorded_crash_gives_its_recorded_answer() {
    let dir = crash_dir();
    let mut entries: Vec<PathBuf> = match fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "input"))
            .collect(),
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    entries.sort();
    assert!(
        !entries.is_empty(),
        "{} holds no cases; it must at least hold the tokenizer oracle's first finding",
        dir.display()
    );
    let mut problems = Vec::new();
    for path in &entries {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let input = match fs::read(path) {
            Ok(b) => b,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        let expected_path = path.with_extension("expected");
        let expected = match fs::read_to_string(&expected_path) {
            Ok(s) => s.trim().to_owned(),
            Err(e) => panic!(
                "{}: {e} (every case needs its answer)",
                expected_path.display()
            ),
        };
        problems.extend(replay(&name, &input, &expected));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `.expected` file belongs to an input (a renamed input would otherwise go unreplayed).
#[test]
fn every_answer_has_its_input() {
    let dir = crash_dir();
    let Ok(rd) = fs::read_dir(&dir) else {
        panic!("{} is missing", dir.display());
    };
    for path in rd.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.extension().is_some_and(|x| x == "expected") {
            assert!(
                path.with_extension("input").exists(),
                "{} has no input",
                path.display()
            );
        }
    }
}
