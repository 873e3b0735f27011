//! # callrecords
//!
//! The fastest and most trustworthy way to ingest Microsoft Graph call records.
//!
//! (Crate docs are filled in as the layers land.)

mod arch;
mod error;
pub mod generate;
pub mod quality;
pub mod tokenizer;
pub mod value;

pub use arch::{backend, stage1, Backend};
pub use error::{Category, Error, ErrorKind};
pub use value::{Duration, JsonStr, Timestamp, ValueError, ValueErrorKind};
