//! The callRecords checks of `validate --strict` and `validate --report-unknown`, over a document
//! already in memory (and already known to be valid JSON).

use std::collections::BTreeMap;

use callrecords::{Event, Events, Options, Shape};

use super::walk::generalise;

/// What the callRecords checks found in one document.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// The failure under `--strict` (a value error or a non-callRecords shape), as
    /// `line:column: message` followed by the snippet.
    pub(crate) failure: Option<String>,
    /// The document is valid JSON but not a callRecords shape.
    pub(crate) not_call_records: bool,
    /// Value errors (lenient mode), by generalised path.
    pub(crate) value_errors: BTreeMap<String, u64>,
    /// Undeclared keys, by generalised path (with `report_unknown`).
    pub(crate) undeclared: BTreeMap<String, u64>,
}

/// Runs the event iterator over `bytes`: strict mode fails on value errors and on a document that
/// is not a callRecords shape; `report_unknown` collects undeclared keys.
///
/// With neither, only the shape is needed: the walk stops at the first event (the page info of a
/// callRecords document; a document of another shape yields none).
pub(crate) fn check(bytes: &[u8], strict: bool, report_unknown: bool) -> Checked {
    let full = strict || report_unknown;
    let options = Options::default()
        .strict(strict)
        .report_undeclared(report_unknown);
    let mut out = Checked {
        not_call_records: true,
        ..Checked::default()
    };
    for event in Events::with_options(bytes, options) {
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                let (line, column) = e.line_column(bytes);
                let text = e.describe(bytes);
                let message = match text.rfind(" at line ") {
                    Some(i) => &text[..i],
                    None => &text,
                };
                out.failure = Some(format!("{line}:{column}: {message}\n{}", e.snippet(bytes)));
                return out;
            }
        };
        let errors = match &event {
            Event::Page(p) => {
                out.not_call_records = p.shape == Shape::Other;
                if !full {
                    return out;
                }
                None
            }
            Event::CallRecord(r) => Some(r.errors),
            Event::Session(s) => Some(s.errors),
            Event::Segment(g) => Some(g.errors),
            Event::Media(m) => Some(m.errors),
            Event::Stream(t) => Some(t.errors),
            Event::Undeclared(u) => {
                *out.undeclared
                    .entry(generalise(&u.to_string()))
                    .or_insert(0) += 1;
                None
            }
            Event::Annotation(_) => None,
        };
        for e in errors.iter().flat_map(|errors| errors.iter()) {
            *out.value_errors
                .entry(generalise(&e.to_string()))
                .or_insert(0) += 1;
        }
    }
    if strict && out.not_call_records && out.failure.is_none() {
        out.failure = Some(
            "1:1: valid JSON, but not a callRecords sessions page or callRecord document"
                .to_string(),
        );
    }
    out
}

impl Checked {
    /// The `--report-unknown` lines: `  undeclared PATH (N)`, by path.
    pub(crate) fn undeclared_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.undeclared
            .iter()
            .map(|(path, n)| format!("  undeclared {path} ({n})"))
    }
}
