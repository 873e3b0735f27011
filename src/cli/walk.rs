//! Walking one document into rows: the shared result types.
//!
//! A walker hands the library's [`FlatRow`]s to a [`Sink`] (`flatten` writes them, `summary`
//! aggregates them) and gathers a [`DocStats`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use callrecords::flatten::FlatRow;

/// What kind of document a file held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Shape {
    /// A sessions page (`value`).
    #[default]
    SessionsPage,
    /// A callRecord document (`sessions` and the callRecord's own fields).
    CallRecord,
    /// A callRecords list page (`value` holds call records, each with its sessions if expanded).
    CallRecordsPage,
    /// Valid JSON that is not a callRecords shape.
    Other,
}

/// What to check and collect while walking.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WalkOptions {
    /// Value errors (and a non-callRecords shape) are failures.
    pub(crate) strict: bool,
    /// Collect undeclared keys by path.
    pub(crate) report_unknown: bool,
}

/// Counts and findings of one document.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocStats {
    /// The document's shape.
    pub(crate) shape: Shape,
    /// callRecord headers seen (1 for a callRecord document, one per element of a list page).
    pub(crate) call_records: u64,
    /// The distinct callRecord ids (from the records, or else from `@odata.context`).
    pub(crate) call_record_ids: BTreeSet<String>,
    /// Sessions.
    pub(crate) sessions: u64,
    /// Segments.
    pub(crate) segments: u64,
    /// Media.
    pub(crate) media: u64,
    /// Streams.
    pub(crate) streams: u64,
    /// nextLinks (`@odata.nextLink`, `sessions@odata.nextLink`, …) seen and not followed.
    pub(crate) next_links: u64,
    /// Undeclared keys, by generalised path (`/value/*/segments/*/foo`).
    pub(crate) unknown_keys: BTreeMap<String, u64>,
    /// Value errors, by generalised path.
    pub(crate) value_errors: BTreeMap<String, u64>,
    /// A row was given, or with `Want::stop_without_id` was about to be, before any callRecord
    /// id was known (it came after the session array, or the document has none).
    pub(crate) late_call_record_id: bool,
    /// The callRecord id at the end of the document (its `id`, else the `@odata.context` one).
    pub(crate) call_record_id: Option<String>,
    /// The first value error, as an error line, for `--strict`.
    pub(crate) first_value_error: Option<Problem>,
}

impl DocStats {
    /// Records a value error at `path` (array indices are generalised to `*`).
    pub(crate) fn value_error(&mut self, path: &str, problem: impl FnOnce() -> Problem) {
        *self.value_errors.entry(generalise(path)).or_insert(0) += 1;
        if self.first_value_error.is_none() {
            self.first_value_error = Some(problem());
        }
    }

    /// Records an undeclared key at `path`.
    pub(crate) fn unknown_key(&mut self, path: &str) {
        *self.unknown_keys.entry(generalise(path)).or_insert(0) += 1;
    }
}

/// Replaces every all-digit path segment with `*`: `/value/3/segments/0/x` → `/value/*/segments/*/x`.
pub(crate) fn generalise(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push('*');
        } else {
            out.push_str(seg);
        }
    }
    out
}

/// Why a file failed, with a position when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// 1-based line and column, when known.
    pub(crate) position: Option<(u64, u64)>,
    /// The message.
    pub(crate) message: String,
    /// An I/O error (exit 2) rather than invalid input (exit 1).
    pub(crate) io: bool,
}

impl Problem {
    /// Invalid input at a position.
    pub(crate) fn at(line: u64, column: u64, message: impl Into<String>) -> Self {
        Problem {
            position: Some((line, column)),
            message: message.into(),
            io: false,
        }
    }

    /// Invalid input without a position.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Problem {
            position: None,
            message: message.into(),
            io: false,
        }
    }

    /// An I/O error.
    pub(crate) fn io(message: impl Into<String>) -> Self {
        Problem {
            position: None,
            message: message.into(),
            io: true,
        }
    }

    /// The error line for `file`: `file:line:column: message`, or `file: message`.
    pub(crate) fn line(&self, file: &str) -> String {
        match self.position {
            Some((l, c)) => format!("{file}:{l}:{c}: {}", self.message),
            None => format!("{file}: {}", self.message),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Where a command sends the rows of one file.
pub(crate) trait Sink {
    /// Takes one row.
    fn row(&mut self, row: &FlatRow<'_, '_>) -> std::io::Result<()>;
}

#[cfg(test)]
/// Extracts the callRecord id from an `@odata.context` such as
/// `…/callRecords('e523…')/sessions`.
pub(crate) fn call_record_id_from_context(context: &str) -> Option<&str> {
    let start = context.find("callRecords('")? + "callRecords('".len();
    let len = context[start..].find('\'')?;
    Some(&context[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_context() {
        assert_eq!(
            generalise("/value/3/segments/10/media/0/streams/1/averageJitter"),
            "/value/*/segments/*/media/*/streams/*/averageJitter"
        );
        assert_eq!(
            call_record_id_from_context(
                "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('e523d2ed')/sessions"
            ),
            Some("e523d2ed")
        );
        assert_eq!(
            call_record_id_from_context("https://x/$metadata#communications/callRecords/$entity"),
            None
        );
    }
}
