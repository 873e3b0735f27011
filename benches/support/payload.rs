//! Bench payloads: the docs corpus, and large generated documents.
//!
//! [`payload`] is the single place that builds the large payloads. Until the crate's generator
//! (`callrecords::generate::to_vec`) lands, it repeats the docs corpus sessions into one sessions
//! page (`{"@odata.context", "value": [...], "@odata.nextLink"}`); flip [`USE_GENERATOR`] then.

use std::path::PathBuf;

/// Whether [`payload`] uses `callrecords::generate::to_vec` (true) or repeats the docs sessions.
pub(crate) const USE_GENERATOR: bool = true;

/// Seed of the generated payloads.
pub(crate) const SEED: u64 = 0x00ca_11ec_0dd5;

/// The sessions-page size cap of Graph (`/sessions`, max 60 per page).
pub(crate) const PAGE_SESSIONS: usize = 60;

/// Which large payload to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payload {
    /// A sessions page of about `target_bytes`, pretty-printed.
    Pretty { target_bytes: usize },
    /// The same, compact.
    Compact { target_bytes: usize },
    /// One compact sessions page of exactly [`PAGE_SESSIONS`] sessions, as Graph sends it.
    Page60,
}

/// `corpus/docs`.
pub(crate) fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/docs")
}

/// Every `corpus/docs/*.json` except the `*_jsonrep.json` resource templates, sorted by name.
pub(crate) fn docs_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(docs_dir()).unwrap_or_else(|e| panic!("corpus/docs: {e}"));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("corpus/docs: {e}")).path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.ends_with(".json") || name.ends_with("_jsonrep.json") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push((name, bytes));
    }
    out.sort();
    out
}

/// Builds a large payload (see [`Payload`]).
pub(crate) fn payload(kind: Payload) -> Vec<u8> {
    if USE_GENERATOR {
        use callrecords::generate::{to_vec, GenOptions, Shape};
        let gen = |target_bytes, compact| {
            to_vec(&GenOptions {
                seed: SEED,
                target_bytes,
                compact,
                shape: Shape::Sessions,
            })
        };
        return match kind {
            Payload::Pretty { target_bytes } => gen(target_bytes, false),
            Payload::Compact { target_bytes } => gen(target_bytes, true),
            // The generator sizes by bytes: generate more than enough, keep the first 60 sessions.
            Payload::Page60 => {
                let mut target = 1 << 20;
                loop {
                    if let Some(page) = first_sessions(&gen(target, true), PAGE_SESSIONS) {
                        break page;
                    }
                    target *= 2;
                }
            }
        };
    }
    let sessions = docs_sessions();
    match kind {
        Payload::Pretty { target_bytes } => repeat_page(&sessions, false, target_bytes, usize::MAX),
        Payload::Compact { target_bytes } => repeat_page(&sessions, true, target_bytes, usize::MAX),
        Payload::Page60 => repeat_page(&sessions, true, usize::MAX, PAGE_SESSIONS),
    }
}

/// Every session of every docs file (both shapes), as `serde_json::Value`s.
fn docs_sessions() -> Vec<serde_json::Value> {
    let mut sessions = Vec::new();
    for (name, bytes) in docs_files() {
        let doc: serde_json::Value =
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        for key in ["value", "sessions"] {
            if let Some(serde_json::Value::Array(items)) = doc.get(key) {
                sessions.extend(items.iter().cloned());
            }
        }
    }
    assert!(!sessions.is_empty(), "no sessions in corpus/docs");
    sessions
}

/// Writes one sessions page, cycling through `sessions` until the document reaches `target_bytes`
/// or holds `max_sessions` sessions. Pretty output uses serde_json's two-space style.
fn repeat_page(
    sessions: &[serde_json::Value],
    compact: bool,
    target_bytes: usize,
    max_sessions: usize,
) -> Vec<u8> {
    const CONTEXT: &str = "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('e523d2ed-2966-4b6b-925b-754a88034cc5')/sessions";
    const NEXT: &str = "https://graph.microsoft.com/v1.0/communications/callRecords/e523d2ed-2966-4b6b-925b-754a88034cc5/sessions?$skiptoken=abc";
    // Each session rendered once; pretty sessions are re-indented to sit inside `"value": [`.
    let rendered: Vec<Vec<u8>> = sessions
        .iter()
        .map(|s| {
            if compact {
                serde_json::to_vec(s).unwrap_or_default()
            } else {
                let text = serde_json::to_string_pretty(s).unwrap_or_default();
                let mut out = Vec::with_capacity(text.len() + 64);
                for (i, line) in text.lines().enumerate() {
                    if i > 0 {
                        out.push(b'\n');
                    }
                    out.extend_from_slice(b"    ");
                    out.extend_from_slice(line.as_bytes());
                }
                out
            }
        })
        .collect();
    let mut out = Vec::with_capacity(target_bytes.min(1 << 30) + 4096);
    let (open, sep, close) = if compact {
        (
            format!("{{\"@odata.context\":\"{CONTEXT}\",\"value\":["),
            ",".to_owned(),
            format!("],\"@odata.nextLink\":\"{NEXT}\"}}"),
        )
    } else {
        (
            format!("{{\n  \"@odata.context\": \"{CONTEXT}\",\n  \"value\": [\n"),
            ",\n".to_owned(),
            format!("\n  ],\n  \"@odata.nextLink\": \"{NEXT}\"\n}}\n"),
        )
    };
    out.extend_from_slice(open.as_bytes());
    let mut n = 0;
    while n < max_sessions && out.len() + close.len() < target_bytes {
        if n > 0 {
            out.extend_from_slice(sep.as_bytes());
        }
        out.extend_from_slice(&rendered[n % rendered.len()]);
        n += 1;
    }
    out.extend_from_slice(close.as_bytes());
    out
}

/// A compact sessions page of the first `n` sessions of the sessions page `doc`, each session's
/// text kept byte for byte. `None` when `doc` has fewer than `n` sessions.
pub(crate) fn first_sessions(doc: &[u8], n: usize) -> Option<Vec<u8>> {
    let value = sonic_rs::get_from_slice(doc, ["value"]).ok()?;
    let mut out = Vec::with_capacity(doc.len().min(1 << 24));
    out.extend_from_slice(br#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('e523d2ed-2966-4b6b-925b-754a88034cc5')/sessions","value":["#);
    let mut count = 0;
    for item in sonic_rs::to_array_iter(value.as_raw_str()).take(n) {
        if count > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item.ok()?.as_raw_str().as_bytes());
        count += 1;
    }
    out.extend_from_slice(br#"],"@odata.nextLink":"https://graph.microsoft.com/v1.0/communications/callRecords/e523d2ed-2966-4b6b-925b-754a88034cc5/sessions?$skiptoken=abc"}"#);
    (count == n).then_some(out)
}
