//! Events into rows: the five tables of a callRecords document, and the columns of each.
//!
//! A [`Flattener`] reads the [`Event`]s of one document (from the slice iterator, or section by
//! section from the [`Reader`](crate::Reader) or [`Feeder`](crate::Feeder)) and gives one
//! [`Row`] per record:
//!
//! | table | one row per | key columns |
//! |---|---|---|
//! | [`Table::CallRecords`] | callRecord header | `file`, `callRecordId` |
//! | [`Table::Sessions`] | session | `file`, `callRecordId`, `sessionId` |
//! | [`Table::Segments`] | segment | … and `segmentId` |
//! | [`Table::Media`] | media | … and `mediaLabel` |
//! | [`Table::Streams`] | media stream, with its parents' fields: the `flatten` columns | all of the above |
//!
//! A session without segments, or a segment without media, still has its row in its own table.
//! The `streams` table has exactly the columns of `callrecords flatten --columns`, in that order:
//! it is the tool's contract, and new columns only ever go at the end. Every table ends with
//! `valueErrors`, the value errors of the row's records (a stream row: its session's, segment's,
//! media's and its own), so a value that became null is never lost without a word.
//!
//! ```
//! use callrecords::flatten::{Flattener, Table};
//!
//! let doc = br#"{"value": [{"id": "s1", "segments": [{"id": "g1", "media": [{"label": "main-audio",
//!     "streams": [{"averageJitter": "PT0.016S"}, {"averageJitter": "garbage"}]}]}]}]}"#;
//! let mut flattener = Flattener::new("page.json");
//! let mut rows = flattener.rows();
//! let mut streams = Vec::new();
//! for event in callrecords::events(doc) {
//!     rows.push(&event?, &mut |r| {
//!         if r.table == Table::Streams {
//!             let jitter = Table::Streams.column("averageJitterNs").unwrap();
//!             streams.push((r.row.get(jitter).as_nanos(), r.row.errors().len()));
//!         }
//!         Ok::<(), callrecords::Error>(())
//!     })?;
//! }
//! assert_eq!(streams, [(Some(16_000_000), 0), (None, 1)]);
//! # Ok::<(), callrecords::Error>(())
//! ```

mod cells;
mod columns;
mod row;

use std::borrow::Cow;

pub use columns::{Column, ColumnKind, Level};
pub use row::{Cell, ErrorItem, Row};

use crate::event::Event;
use crate::quality::{self, Classification, MediaKind, Metrics};
use crate::schema::{FieldErrors, Path, Shape};
use crate::value::Duration;
use columns::col;

/// One of the tables a document flattens into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// One row per callRecord header.
    CallRecords,
    /// One row per session.
    Sessions,
    /// One row per segment.
    Segments,
    /// One row per media.
    Media,
    /// One row per media stream, with its parents' fields (the `flatten` columns).
    Streams,
}

impl Table {
    /// Every table, parents first.
    pub const ALL: [Table; 5] = [
        Table::CallRecords,
        Table::Sessions,
        Table::Segments,
        Table::Media,
        Table::Streams,
    ];

    /// The table's name: `callRecords`, `sessions`, `segments`, `media` or `streams`.
    pub const fn name(self) -> &'static str {
        match self {
            Table::CallRecords => "callRecords",
            Table::Sessions => "sessions",
            Table::Segments => "segments",
            Table::Media => "media",
            Table::Streams => "streams",
        }
    }

    /// The table called `name`.
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The table's columns, in order.
    ///
    /// ```
    /// use callrecords::flatten::Table;
    /// let names: Vec<_> = Table::Sessions.columns().iter().map(|c| c.name()).take(4).collect();
    /// assert_eq!(names, ["file", "callRecordId", "sessionId", "sessionStart"]);
    /// ```
    pub const fn columns(self) -> &'static [Column] {
        columns::of(self)
    }

    /// The index of the column called `name`.
    pub const fn column(self, name: &str) -> Option<usize> {
        columns::position(self.columns(), name)
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl core::fmt::Display for Table {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// A finished row, as a [`Rows::push`] sink sees it.
#[derive(Debug)]
pub struct FlatRow<'r, 'a> {
    /// The table it belongs to.
    pub table: Table,
    /// The row.
    pub row: &'r Row<'a>,
    /// For a `streams` row: the media kind that chose the classifier, and the classification
    /// (also in the row's `quality` and `qualityReasons` cells).
    pub quality: Option<(Option<MediaKind>, Classification)>,
}

impl Row<'_> {
    /// The row's value errors (its `valueErrors` cell), in input order.
    pub fn errors(&self) -> &[ErrorItem<'_>] {
        match self.cells().last() {
            Some(Cell::Errors(items)) => items,
            _ => &[],
        }
    }
}

/// Flattens the events of one document into rows; see the [module docs](self).
///
/// It keeps what rows need across the sections of a stream (the input's name and the callRecord
/// id); [`Flattener::rows`] gives the working rows for one run of events borrowed from the same
/// bytes (a whole document from the slice iterator, or one [`Section`](crate::Section)).
#[derive(Debug, Clone)]
pub struct Flattener {
    file: String,
    want: u8,
    shape: Shape,
    context_id: Option<String>,
    document_id: Option<String>,
    preset_id: Option<String>,
    /// The header row of a callRecord document, given by [`Flattener::finish`]: a stream gives the
    /// header again, complete, after the sessions when some of its members follow them.
    header: Option<Row<'static>>,
    records: u32,
}

impl Flattener {
    /// A flattener giving the rows of every table, with `file` in their `file` column.
    pub fn new(file: impl Into<String>) -> Self {
        Flattener {
            file: file.into(),
            want: Table::ALL.iter().fold(0, |m, t| m | t.bit()),
            shape: Shape::Other,
            context_id: None,
            document_id: None,
            preset_id: None,
            header: None,
            records: 0,
        }
    }

    /// Gives only the rows of `tables`.
    pub fn with_tables(mut self, tables: &[Table]) -> Self {
        self.want = tables.iter().fold(0, |m, t| m | t.bit());
        self
    }

    /// The callRecord id for rows given before the document names one (a document whose `id`
    /// or `@odata.context` follows its sessions: read it once to learn the id, then again with it).
    pub fn with_call_record_id(mut self, id: Option<String>) -> Self {
        self.preset_id = id;
        self
    }

    /// The document's shape, as far as the events so far said.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The callRecord id the rows get now: the document's (or the current list element's) `id`,
    /// else the one in `@odata.context`, else the one given to
    /// [`Flattener::with_call_record_id`].
    pub fn call_record_id(&self) -> Option<&str> {
        self.document_id
            .as_deref()
            .or(self.context_id.as_deref())
            .or(self.preset_id.as_deref())
    }

    /// The working rows for a run of events borrowed from one input.
    pub fn rows<'a>(&mut self) -> Rows<'_, 'a> {
        let mut stream = Row::new(Table::Streams.columns().len());
        self.file_cells(&mut stream);
        Rows {
            flat: self,
            stream,
            scratch: Default::default(),
            parents: [FieldErrors::default(); 3],
        }
    }

    /// Gives the rows held to the end of the document (a callRecord document's header row).
    pub fn finish<E>(
        &mut self,
        sink: &mut dyn FnMut(&FlatRow<'_, '_>) -> Result<(), E>,
    ) -> Result<(), E> {
        match self.header.take() {
            Some(row) => sink(&FlatRow {
                table: Table::CallRecords,
                row: &row,
                quality: None,
            }),
            None => Ok(()),
        }
    }

    fn wants(&self, table: Table) -> bool {
        self.want & table.bit() != 0
    }

    fn file_cells(&self, row: &mut Row<'_>) {
        row.set(col::FILE, Cell::Str(Cow::Owned(self.file.clone())));
        self.id_cell(row);
    }

    fn id_cell(&self, row: &mut Row<'_>) {
        let id = self.call_record_id();
        row.set(
            col::CALL_RECORD_ID,
            id.map_or(Cell::Null, |id| Cell::Str(Cow::Owned(id.to_owned()))),
        );
    }
}

/// The working rows of a [`Flattener`] for events borrowed from one input; see
/// [`Flattener::rows`].
#[derive(Debug)]
pub struct Rows<'f, 'a> {
    flat: &'f mut Flattener,
    /// The `streams` row, filled level by level.
    stream: Row<'a>,
    /// A reused row for each other table.
    scratch: [Option<Row<'a>>; 5],
    /// The value errors of the current session, segment and media.
    parents: [FieldErrors<'a>; 3],
}

/// Where the groups filled from each record begin, in each table.
mod at {
    use super::columns::{index_of, CALL_RECORDS, MEDIA, SEGMENTS, SESSIONS, STREAMS};

    macro_rules! at {
        ($($konst:ident = $table:ident $name:literal;)*) => {
            $( pub(super) const $konst: usize = index_of(&$table, $name); )*
        };
    }

    at! {
        SESSION = STREAMS "sessionStart";
        SEGMENT = STREAMS "segmentStart";
        STREAM = STREAMS "streamId";
        R_RECORD = CALL_RECORDS "version";
        R_ORGANIZER = CALL_RECORDS "organizer.user.id";
        R_ORGANIZER_V2_ID = CALL_RECORDS "organizer_v2.id";
        R_ORGANIZER_V2 = CALL_RECORDS "organizer_v2.identity.user.id";
        R_ERRORS = CALL_RECORDS "valueErrors";
        S_ID = SESSIONS "sessionId";
        S_SESSION = SESSIONS "sessionStart";
        S_IS_TEST = SESSIONS "isTest";
        S_FAILURE = SESSIONS "failureInfo.stage";
        S_CALLER = SESSIONS "caller.name";
        S_CALLEE = SESSIONS "callee.name";
        S_ERRORS = SESSIONS "valueErrors";
        G_SESSION_ID = SEGMENTS "sessionId";
        G_ID = SEGMENTS "segmentId";
        G_SEGMENT = SEGMENTS "segmentStart";
        G_FAILURE = SEGMENTS "failureInfo.stage";
        G_CALLER = SEGMENTS "caller.name";
        G_CALLEE = SEGMENTS "callee.name";
        G_ERRORS = SEGMENTS "valueErrors";
        M_SESSION_ID = MEDIA "sessionId";
        M_SEGMENT_ID = MEDIA "segmentId";
        M_LABEL = MEDIA "mediaLabel";
        M_CALLER_NETWORK = MEDIA "callerNetwork.bandwidthLowEventRatio";
        M_CALLEE_NETWORK = MEDIA "calleeNetwork.bandwidthLowEventRatio";
        M_CALLER_DEVICE = MEDIA "callerDevice.captureDeviceDriver";
        M_CALLEE_DEVICE = MEDIA "calleeDevice.captureDeviceDriver";
        M_ERRORS = MEDIA "valueErrors";
    }
}

impl<'a> Rows<'_, 'a> {
    /// Takes one event, giving `sink` the rows it completes.
    ///
    /// # Errors
    ///
    /// Whatever `sink` returns; the rows after it are not given.
    pub fn push<E>(
        &mut self,
        event: &Event<'a>,
        sink: &mut dyn FnMut(&FlatRow<'_, 'a>) -> Result<(), E>,
    ) -> Result<(), E> {
        match event {
            Event::Page(page) => {
                self.flat.shape = page.shape;
                if let Some(id) = page.call_record_id {
                    self.flat.context_id = Some(id.decode_lossy().into_owned());
                    self.refresh_ids();
                }
            }
            Event::CallRecord(record) => {
                if self.flat.shape == Shape::Other {
                    self.flat.shape = Shape::CallRecord;
                }
                let id = record.id.map(|i| i.decode_lossy().into_owned());
                // Each element of a list page is its own call record.
                if self.flat.shape == Shape::CallRecordsPage || id.is_some() {
                    self.flat.document_id = id;
                }
                self.refresh_ids();
                if self.flat.wants(Table::CallRecords) {
                    self.call_record_row(record, sink)?;
                }
            }
            Event::Session(s) => {
                let row = &mut self.stream;
                row.clear_levels(Table::Streams.columns(), Level::Session);
                row.set_at(Level::Session, s.at);
                row.set(col::SESSION_ID, cells::text(s.id));
                row.put(at::SESSION, cells::session(s));
                self.parents = [s.errors, FieldErrors::default(), FieldErrors::default()];
                if self.flat.wants(Table::Sessions) {
                    let flat = &*self.flat;
                    let row = scratch(&mut self.scratch, flat, Table::Sessions);
                    row.set_at(Level::Session, s.at);
                    row.set(at::S_ID, cells::text(s.id));
                    row.put(at::S_SESSION, cells::session(s));
                    row.set(at::S_IS_TEST, s.is_test.map_or(Cell::Null, Cell::Bool));
                    row.put(at::S_FAILURE, cells::failure(s.failure_info.as_ref()));
                    row.put(at::S_CALLER, cells::endpoint(s.caller.as_ref()));
                    row.put(at::S_CALLEE, cells::endpoint(s.callee.as_ref()));
                    row.set(at::S_ERRORS, cells::errors(&[&s.errors]));
                    emit(sink, Table::Sessions, row)?;
                }
            }
            Event::Segment(g) => {
                let row = &mut self.stream;
                row.clear_levels(Table::Streams.columns(), Level::Segment);
                row.set_at(Level::Segment, g.at);
                row.set(col::SEGMENT_ID, cells::text(g.id));
                row.put(at::SEGMENT, cells::segment(g));
                row.put(col::CALLER, cells::endpoint(g.caller.as_ref()));
                row.put(col::CALLEE, cells::endpoint(g.callee.as_ref()));
                self.parents[1] = g.errors;
                self.parents[2] = FieldErrors::default();
                if self.flat.wants(Table::Segments) {
                    let flat = &*self.flat;
                    let row = scratch(&mut self.scratch, flat, Table::Segments);
                    row.set_at(Level::Segment, g.at);
                    row.set(at::G_SESSION_ID, cells::text(g.session_id));
                    row.set(at::G_ID, cells::text(g.id));
                    row.put(at::G_SEGMENT, cells::segment(g));
                    row.put(at::G_FAILURE, cells::failure(g.failure_info.as_ref()));
                    row.put(at::G_CALLER, cells::endpoint(g.caller.as_ref()));
                    row.put(at::G_CALLEE, cells::endpoint(g.callee.as_ref()));
                    row.set(at::G_ERRORS, cells::errors(&[&g.errors]));
                    emit(sink, Table::Segments, row)?;
                }
            }
            Event::Media(m) => {
                let row = &mut self.stream;
                row.clear_levels(Table::Streams.columns(), Level::Media);
                row.set_at(Level::Media, m.at);
                row.set(col::MEDIA_LABEL, cells::text(m.label));
                row.put(
                    col::CALLER_NETWORK,
                    cells::network(m.caller_network.as_ref()),
                );
                row.put(
                    col::CALLEE_NETWORK,
                    cells::network(m.callee_network.as_ref()),
                );
                row.put(col::CALLER_DEVICE, cells::device(m.caller_device.as_ref()));
                row.put(col::CALLEE_DEVICE, cells::device(m.callee_device.as_ref()));
                self.parents[2] = m.errors;
                if self.flat.wants(Table::Media) {
                    let flat = &*self.flat;
                    let row = scratch(&mut self.scratch, flat, Table::Media);
                    row.set_at(Level::Media, m.at);
                    row.set(at::M_SESSION_ID, cells::text(m.session_id));
                    row.set(at::M_SEGMENT_ID, cells::text(m.segment_id));
                    row.set(at::M_LABEL, cells::text(m.label));
                    row.put(
                        at::M_CALLER_NETWORK,
                        cells::network(m.caller_network.as_ref()),
                    );
                    row.put(
                        at::M_CALLEE_NETWORK,
                        cells::network(m.callee_network.as_ref()),
                    );
                    row.put(at::M_CALLER_DEVICE, cells::device(m.caller_device.as_ref()));
                    row.put(at::M_CALLEE_DEVICE, cells::device(m.callee_device.as_ref()));
                    row.set(at::M_ERRORS, cells::errors(&[&m.errors]));
                    emit(sink, Table::Media, row)?;
                }
            }
            Event::Stream(t) => {
                if !self.flat.wants(Table::Streams) {
                    return Ok(());
                }
                let row = &mut self.stream;
                row.clear_levels(Table::Streams.columns(), Level::Stream);
                row.set_at(Level::Stream, t.at);
                row.put(at::STREAM, cells::stream(t));
                let [s, g, m] = &self.parents;
                row.set(col::VALUE_ERRORS, cells::errors(&[s, g, m, &t.errors]));
                let quality = classify(row);
                sink(&FlatRow {
                    table: Table::Streams,
                    row,
                    quality: Some(quality),
                })?;
            }
            Event::Annotation(_) | Event::Undeclared(_) => {}
        }
        Ok(())
    }

    fn call_record_row<E>(
        &mut self,
        record: &crate::CallRecord<'a>,
        sink: &mut dyn FnMut(&FlatRow<'_, 'a>) -> Result<(), E>,
    ) -> Result<(), E> {
        let list = self.flat.shape == Shape::CallRecordsPage;
        let at = if list {
            Path::record(self.flat.records)
        } else {
            Path::document()
        };
        self.flat.records = self.flat.records.saturating_add(1);
        let flat = &*self.flat;
        let row = scratch(&mut self.scratch, flat, Table::CallRecords);
        row.set_at(Level::CallRecord, at);
        row.put(at::R_RECORD, cells::record(record));
        row.put(
            at::R_ORGANIZER,
            cells::identity_set(record.organizer.as_ref()),
        );
        let v2 = record.organizer_v2.as_ref();
        row.set(at::R_ORGANIZER_V2_ID, cells::text(v2.and_then(|p| p.id)));
        row.put(
            at::R_ORGANIZER_V2,
            cells::identity_set(v2.and_then(|p| p.identity.as_ref())),
        );
        row.set(at::R_ERRORS, cells::errors(&[&record.errors]));
        if list {
            return emit(sink, Table::CallRecords, row);
        }
        // A callRecord document has one header; a stream may give it twice (see the field).
        self.flat.header = Some(row.clone().into_owned());
        Ok(())
    }

    /// Sets the callRecord id of the rows held, after an event that named it.
    fn refresh_ids(&mut self) {
        self.flat.id_cell(&mut self.stream);
        for row in self.scratch.iter_mut().flatten() {
            self.flat.id_cell(row);
        }
    }
}

/// The reused row of `table`, its cells after the key columns cleared.
fn scratch<'r, 'a>(
    rows: &'r mut [Option<Row<'a>>; 5],
    flat: &Flattener,
    table: Table,
) -> &'r mut Row<'a> {
    let slot = &mut rows[table as usize];
    let row = slot.get_or_insert_with(|| {
        let mut row = Row::new(table.columns().len());
        flat.file_cells(&mut row);
        row
    });
    row.clear_levels(table.columns(), Level::CallRecord);
    row
}

fn emit<'a, E>(
    sink: &mut dyn FnMut(&FlatRow<'_, 'a>) -> Result<(), E>,
    table: Table,
    row: &Row<'a>,
) -> Result<(), E> {
    sink(&FlatRow {
        table,
        row,
        quality: None,
    })
}

/// Classifies the stream of a `streams` row from its cells ([`crate::quality::classify`], the media
/// kind from `mediaLabel` and `modalities`), and fills its `quality` and `qualityReasons` cells.
pub fn classify(row: &mut Row<'_>) -> (Option<MediaKind>, Classification) {
    let kind = media_kind(row);
    let quality = quality::classify(kind, &metrics(row));
    row.set(col::QUALITY, Cell::Str(Cow::Borrowed(quality.class.name())));
    row.set(
        col::QUALITY_REASONS,
        if quality.reasons.is_empty() {
            Cell::Null
        } else {
            Cell::Reasons(quality.reasons)
        },
    );
    (kind, quality)
}

/// The media kind of a `streams` row, from its label and its session's modalities.
fn media_kind(row: &Row<'_>) -> Option<MediaKind> {
    let label = row.get(col::MEDIA_LABEL).as_str();
    match row.get(col::MODALITIES) {
        Cell::List(items) => {
            MediaKind::from_label_and_modalities(label, items.iter().map(|s| s.as_ref()))
        }
        _ => MediaKind::from_label_and_modalities(label, std::iter::empty()),
    }
}

/// The classifier's metrics from a `streams` row's cells.
fn metrics(row: &Row<'_>) -> Metrics {
    let nanos = |i| row.get(i).as_nanos().map(Duration::from_nanos);
    let float = |i| row.get(i).as_float();
    Metrics {
        packet_utilization: row.get(col::PACKET_UTILIZATION).as_int(),
        average_round_trip_time: nanos(col::AVERAGE_ROUND_TRIP_TIME),
        average_packet_loss_rate: float(col::AVERAGE_PACKET_LOSS_RATE),
        average_jitter: nanos(col::AVERAGE_JITTER),
        average_video_frame_loss_percentage: float(col::AVERAGE_VIDEO_FRAME_LOSS_PERCENTAGE),
        average_video_frame_rate: float(col::AVERAGE_VIDEO_FRAME_RATE),
        average_received_frame_rate: float(col::AVERAGE_RECEIVED_FRAME_RATE),
        post_forward_error_correction_packet_loss_rate: float(col::POST_FEC_PACKET_LOSS_RATE),
    }
}

#[cfg(test)]
mod tests;
