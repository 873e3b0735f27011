//! Subcommands of the `callrecords` tool, and helpers they share.

pub(crate) mod columns;
pub(crate) mod common;
pub(crate) mod fallback;
pub(crate) mod files;
pub(crate) mod flatten;
pub(crate) mod row;
pub(crate) mod run;
pub(crate) mod summary;
pub(crate) mod walk;
