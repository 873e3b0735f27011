//! JSONTestSuite (`test_parsing/`): every `y_` file accepted, every `n_` file rejected (never a panic),
//! every `i_` file answered as the table in `docs/jsontestsuite.md` says. Runs once per stage-1
//! backend.
//!
//! The suite lives beside the project root: `$CALLRECORDS_JSONTESTSUITE`, else
//! `$CARGO_MANIFEST_DIR/../shared/jsontestsuite/test_parsing`, else
//! `/work/shared/jsontestsuite/test_parsing`.

#![allow(clippy::panic, reason = "test failures panic")]

use std::path::PathBuf;

use callrecords::tokenizer::{Scratch, Tokenizer, DEFAULT_DEPTH_LIMIT};
use callrecords::{Backend, Error, ErrorKind};

/// The answer for each implementation-defined (`i_`) file: `None` = accepted, else the error kind.
const I_ANSWERS: &[(&str, Option<ErrorKind>)] = &[
    // I_TABLE_START (keep in step with docs/jsontestsuite.md)
    ("i_number_double_huge_neg_exp.json", None),
    ("i_number_huge_exp.json", None),
    ("i_number_neg_int_huge_exp.json", None),
    ("i_number_pos_double_huge_exp.json", None),
    ("i_number_real_neg_overflow.json", None),
    ("i_number_real_pos_overflow.json", None),
    ("i_number_real_underflow.json", None),
    ("i_number_too_big_neg_int.json", None),
    ("i_number_too_big_pos_int.json", None),
    ("i_number_very_big_negative_int.json", None),
    ("i_object_key_lone_2nd_surrogate.json", None),
    ("i_string_1st_surrogate_but_2nd_missing.json", None),
    ("i_string_1st_valid_surrogate_2nd_invalid.json", None),
    (
        "i_string_UTF-16LE_with_BOM.json",
        Some(ErrorKind::InvalidUtf8),
    ),
    (
        "i_string_UTF-8_invalid_sequence.json",
        Some(ErrorKind::InvalidUtf8),
    ),
    (
        "i_string_UTF8_surrogate_U+D800.json",
        Some(ErrorKind::InvalidUtf8),
    ),
    ("i_string_incomplete_surrogate_and_escape_valid.json", None),
    ("i_string_incomplete_surrogate_pair.json", None),
    ("i_string_incomplete_surrogates_escape_valid.json", None),
    ("i_string_invalid_lonely_surrogate.json", None),
    ("i_string_invalid_surrogate.json", None),
    ("i_string_invalid_utf-8.json", Some(ErrorKind::InvalidUtf8)),
    ("i_string_inverted_surrogates_U+1D11E.json", None),
    ("i_string_iso_latin_1.json", Some(ErrorKind::InvalidUtf8)),
    ("i_string_lone_second_surrogate.json", None),
    (
        "i_string_lone_utf8_continuation_byte.json",
        Some(ErrorKind::InvalidUtf8),
    ),
    (
        "i_string_not_in_unicode_range.json",
        Some(ErrorKind::InvalidUtf8),
    ),
    (
        "i_string_overlong_sequence_2_bytes.json",
        Some(ErrorKind::InvalidUtf8),
    ),
    (
        "i_string_overlong_sequence_6_bytes.json",
        Some(ErrorKind::InvalidUtf8),
    ),
    (
        "i_string_overlong_sequence_6_bytes_null.json",
        Some(ErrorKind::InvalidUtf8),
    ),
    (
        "i_string_truncated-utf-8.json",
        Some(ErrorKind::InvalidUtf8),
    ),
    (
        "i_string_utf16BE_no_BOM.json",
        Some(ErrorKind::ExpectedValue),
    ),
    (
        "i_string_utf16LE_no_BOM.json",
        Some(ErrorKind::ExpectedValue),
    ),
    (
        "i_structure_500_nested_arrays.json",
        Some(ErrorKind::DepthLimitExceeded),
    ),
    (
        "i_structure_UTF-8_BOM_empty_object.json",
        Some(ErrorKind::ExpectedValue),
    ),
    // I_TABLE_END
];

fn suite_dir() -> PathBuf {
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("CALLRECORDS_JSONTESTSUITE") {
        candidates.push(PathBuf::from(dir));
    }
    candidates.push(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/jsontestsuite/test_parsing"),
    );
    candidates.push(PathBuf::from("/work/shared/jsontestsuite/test_parsing"));
    for dir in &candidates {
        if dir.is_dir() {
            return dir.clone();
        }
    }
    panic!("JSONTestSuite not found; tried {candidates:?} (set CALLRECORDS_JSONTESTSUITE)");
}

/// Every stage-1 backend this CPU supports (the scalar reference included).
fn backends() -> Vec<Backend> {
    Backend::supported()
}

/// Validates through `skip_value` + `finish`.
fn skip_walk(input: &[u8], backend: Backend) -> Result<(), Error> {
    let mut t = Tokenizer::with_scratch(input, Scratch::with_backend(backend), DEFAULT_DEPTH_LIMIT);
    t.skip_value()
        .and_then(|_| t.finish())
        .map_err(|e| t.with_path(e))
}

/// Validates through `next_token` until `None`.
fn token_walk(input: &[u8], backend: Backend) -> Result<(), Error> {
    let mut t = Tokenizer::with_scratch(input, Scratch::with_backend(backend), DEFAULT_DEPTH_LIMIT);
    while t.next_token()?.is_some() {}
    Ok(())
}

/// Both walks, which must agree on the error kind and offset.
fn check(name: &str, input: &[u8], backend: Backend) -> Result<(), Error> {
    let a = skip_walk(input, backend);
    let b = token_walk(input, backend);
    let key = |r: &Result<(), Error>| r.as_ref().err().map(|e| (e.kind(), e.offset()));
    assert_eq!(
        key(&a),
        key(&b),
        "{name} ({backend:?}): skip_value and next_token disagree"
    );
    a
}

#[test]
fn jsontestsuite() {
    let dir = suite_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let print_table = std::env::var_os("JSONTESTSUITE_PRINT").is_some();
    for backend in backends() {
        let (mut y, mut n, mut i) = (0, 0, 0);
        let mut failures = Vec::new();
        for path in &files {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let input = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
            // Exact-size buffer: the input ends in the allocation's last byte.
            let input = input.into_boxed_slice().into_vec();
            let result = check(&name, &input, backend);
            if name.starts_with("y_") {
                y += 1;
                if let Err(e) = &result {
                    failures.push(format!(
                        "{name}: rejected: {} ({:?})",
                        e.describe(&input),
                        e.kind()
                    ));
                }
            } else if name.starts_with("n_") {
                n += 1;
                match &result {
                    Ok(()) => failures.push(format!("{name}: accepted")),
                    // Every tokenizer error has a position in the JSON, so it gets a path.
                    Err(e) if e.path().is_none() => failures.push(format!("{name}: no path")),
                    Err(_) => {}
                }
            } else if name.starts_with("i_") {
                i += 1;
                let got = result.as_ref().err().map(|e| e.kind());
                if print_table {
                    println!("    ({name:?}, {got:?}),");
                }
                match I_ANSWERS.iter().find(|(n, _)| *n == name) {
                    Some(&(_, want)) if want == got => {}
                    Some(&(_, want)) => {
                        failures.push(format!("{name}: want {want:?}, got {got:?}"))
                    }
                    None => failures.push(format!("{name}: not in the i_ table (got {got:?})")),
                }
            }
        }
        eprintln!("JSONTestSuite ({backend:?}): {y} y accepted, {n} n rejected, {i} i answered");
        assert!(failures.is_empty(), "{backend:?}:\n{}", failures.join("\n"));
        assert_eq!((y, n, i), (95, 188, 35), "file counts");
        assert_eq!(I_ANSWERS.len(), 35);
    }
}
