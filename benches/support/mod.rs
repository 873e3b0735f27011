//! Shared bench support: the peer structs (serde_json, sonic-rs, simd-json) and the payload builder.
//!
//! Included by `benches/events.rs` (`mod support;`) and by `tests/peer_structs.rs`
//! (`#[path = "../benches/support/mod.rs"] mod support;`). Not every includer uses every item.
#![allow(dead_code)]

pub(crate) mod payload;
pub(crate) mod peers;
pub(crate) mod values;
