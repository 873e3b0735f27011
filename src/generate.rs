//! A deterministic generator of large, realistic callRecords payloads for tests and benchmarks.
//!
//! (API skeleton: the generator helper fills it in.)

/// The document shape to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// `{"@odata.context", "value": [session...], "@odata.nextLink"}`.
    #[default]
    Sessions,
    /// A callRecord with its own fields and `"sessions": [...]`.
    CallRecord,
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    /// Seed of the deterministic pseudo-random sequence.
    pub seed: u64,
    /// Approximate output size in bytes (the document is closed just past it).
    pub target_bytes: usize,
    /// Compact (no whitespace) rather than pretty-printed output.
    pub compact: bool,
    /// Sessions page or callRecord document.
    pub shape: Shape,
}

/// Generates a whole document into a `Vec`.
pub fn to_vec(options: &GenOptions) -> Vec<u8> {
    let _ = options;
    todo!("generator helper")
}
