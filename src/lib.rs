//! # callrecords
//!
//! The fastest and most trustworthy way to ingest Microsoft Graph call records.
//!
//! [`events`] turns a callRecords document (a sessions page `{"value": [...]}` or a callRecord
//! document `{"id": ..., "sessions": [...]}`) into a stream of typed records borrowed from the
//! input: [`Session`], [`Segment`], [`Media`] and [`MediaStream`], parents before children, whatever
//! the key order of the input. Every child carries its parents' identity, so writing one row per
//! stream needs no state of your own:
//!
//! ```
//! use callrecords::Event;
//!
//! let page = br#"{
//!   "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords('e523')/sessions",
//!   "value": [{
//!     "segments": [{
//!       "id": "seg-1",
//!       "media": [{
//!         "label": "main-audio",
//!         "streams": [
//!           {"streamDirection": "callerToCallee", "averageJitter": "PT0.016S", "averagePacketLossRate": 0},
//!           {"streamDirection": "calleeToCaller", "averageJitter": "PT0.007S", "averagePacketLossRate": 0.0138}
//!         ]
//!       }]
//!     }],
//!     "id": "session-1"
//!   }]
//! }"#;
//!
//! let mut rows = Vec::new();
//! for event in callrecords::events(page) {
//!     if let Event::Stream(s) = event? {
//!         rows.push(format!(
//!             "{} {} {} {} jitter={}ns",
//!             s.session_id.map_or("-".into(), |id| id.to_string()),
//!             s.segment_id.map_or("-".into(), |id| id.to_string()),
//!             s.media_label.map_or("-".into(), |l| l.to_string()),
//!             s.stream_direction.map_or("-", |d| d.as_str()),
//!             s.average_jitter.map_or(0, |d| d.as_nanos()),
//!         ));
//!     }
//! }
//! assert_eq!(rows, [
//!     "session-1 seg-1 main-audio callerToCallee jitter=16000000ns",
//!     "session-1 seg-1 main-audio calleeToCaller jitter=7000000ns",
//! ]);
//! # Ok::<(), callrecords::Error>(())
//! ```
//!
//! Durations are exact integer nanoseconds, timestamps exact to the nanosecond, enums keep unknown
//! members' text, and a bad value in one field is recorded on its record ([`FieldErrors`]) without
//! dropping anything else, unless [`Options::strict`] asks for an error. See [`Event`] for the
//! event order and [`schema`] for the records and the parsing rules.
//!
//! For input that should not be held whole (large files, HTTP bodies, `.json.gz`), [`Reader`] (over
//! any [`std::io::Read`]) and [`Feeder`] (pushed chunks, for async code) give the same events one
//! [`Section`] at a time, holding about one session in memory; see [`stream`].

mod arch;
mod error;
pub mod flatten;
pub mod generate;
#[cfg(feature = "graph")]
pub mod graph;
pub mod quality;
#[cfg(feature = "arrow")]
pub mod table;
pub mod tokenizer;
pub mod value;

pub use arch::{backend, stage1, Backend};
pub use error::{Category, Error, ErrorKind};
pub use value::{Duration, JsonStr, Timestamp, ValueError, ValueErrorKind};

mod event;
pub mod schema;

pub use event::{events, Event, Events, Options, Parser, ParserEvents};
pub use schema::{
    Annotation, CallRecord, Endpoint, FieldError, FieldErrors, Identity, IdentitySet, Media,
    MediaStream, ModalitySet, PageInfo, Path, Segment, Session, Shape, Undeclared, UserAgent,
};

pub mod stream;
pub use stream::{Feeder, Reader, Section, SectionEvents, SectionKind, StreamOptions};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
