//! One input's rows as pieces of output, made on a worker thread: NDJSON or CSV text in chunks,
//! or record batches, per table.
//!
//! A file's first pieces are held until they reach [`HOLD_BYTES`], so that a file failing before
//! that gives no rows at all; past it they are sent as they are made, so that memory stays
//! bounded for a file of any size.

use std::mem;
use std::sync::atomic::AtomicU64;

use arrow_array::RecordBatch;
use callrecords::flatten::{FlatRow, Table};
use callrecords::table::{Lossy, TableBuilder, TableOptions};

use super::common::{process, FileOutcome};
use super::files::Input;
use super::row::{CsvRowWriter, NdjsonWriter};
use super::walk::{Sink, WalkOptions};

/// A file's pieces are held until they reach this size (then sent as they are made).
pub(crate) const HOLD_BYTES: usize = 8 << 20;

/// Text is sent in chunks of about this size.
const CHUNK_BYTES: usize = 1 << 20;

/// How a worker renders rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// NDJSON lines.
    Ndjson,
    /// CSV lines (the header is the writer's).
    Csv,
    /// Arrow record batches (for Parquet and Arrow IPC).
    Batches,
}

/// A piece of one table's output.
pub(crate) enum Piece {
    /// NDJSON or CSV text.
    Text(Table, Vec<u8>),
    /// A record batch.
    Batch(Table, RecordBatch),
}

impl Piece {
    fn size(&self) -> usize {
        match self {
            Piece::Text(_, bytes) => bytes.len(),
            Piece::Batch(_, b) => b.get_array_memory_size(),
        }
    }
}

/// What a worker needs to know.
pub(crate) struct PieceOptions<'t> {
    /// How to walk.
    pub(crate) walk: WalkOptions,
    /// How to render rows.
    pub(crate) format: Format,
    /// The tables wanted.
    pub(crate) tables: &'t [Table],
    /// How to build batches.
    pub(crate) table: TableOptions,
}

/// What flattening one input gave, beside its pieces.
pub(crate) struct Done {
    /// The file's outcome.
    pub(crate) outcome: FileOutcome,
    /// What the timestamp unit could not hold.
    pub(crate) lossy: Lossy,
}

/// Flattens one input, handing its pieces to `send` (see the module docs); a `false` from `send`
/// stops the walk.
pub(crate) fn flatten_one(
    input: &Input,
    options: &PieceOptions<'_>,
    counter: &AtomicU64,
    send: &mut dyn FnMut(Piece) -> bool,
) -> Done {
    let mut sink = PieceSink {
        render: renders(options),
        emitter: Emitter::new(send),
    };
    let outcome = process(input, options.walk, options.tables, counter, &mut sink);
    let lossy = lossy(&sink.render);
    if outcome.problem.is_none() && !sink.emitter.stopped {
        let rest = rest(&mut sink.render);
        sink.emitter.finish(rest);
    }
    Done { outcome, lossy }
}

/// A renderer for each table `options` wants.
pub(crate) fn renders(options: &PieceOptions<'_>) -> Vec<(Table, Render)> {
    options
        .tables
        .iter()
        .map(|&t| (t, Render::new(options.format, t, &options.table)))
        .collect()
}

/// What the renderers hold, as pieces.
pub(crate) fn rest(render: &mut [(Table, Render)]) -> Vec<Piece> {
    render.iter_mut().filter_map(|(t, r)| r.rest(*t)).collect()
}

/// What the timestamp unit could not hold, over the renderers.
pub(crate) fn lossy(render: &[(Table, Render)]) -> Lossy {
    render.iter().fold(Lossy::default(), |l, (_, r)| match r {
        Render::Batches(b) => l + b.lossy(),
        _ => l,
    })
}

/// One table's renderer.
pub(crate) enum Render {
    Ndjson(NdjsonWriter, Vec<u8>),
    Csv(Box<CsvRowWriter<Vec<u8>>>),
    Batches(TableBuilder),
}

impl Render {
    fn new(format: Format, table: Table, options: &TableOptions) -> Self {
        match format {
            Format::Ndjson => Render::Ndjson(NdjsonWriter::new(table.columns()), Vec::new()),
            Format::Csv => Render::Csv(Box::new(CsvRowWriter::new(Vec::new()))),
            Format::Batches => Render::Batches(TableBuilder::new(table, options)),
        }
    }

    /// Renders one row; a piece when one is complete.
    pub(crate) fn row(
        &mut self,
        table: Table,
        r: &FlatRow<'_, '_>,
    ) -> std::io::Result<Option<Piece>> {
        match self {
            Render::Ndjson(w, buf) => {
                w.write_row(buf, r.row)?;
                Ok((buf.len() >= CHUNK_BYTES).then(|| Piece::Text(table, mem::take(buf))))
            }
            Render::Csv(w) => {
                w.write_row(r.row)?;
                if w.buffered() < CHUNK_BYTES {
                    return Ok(None);
                }
                let full = mem::replace(&mut **w, CsvRowWriter::new(Vec::new()));
                Ok(Some(Piece::Text(table, full.into_inner()?)))
            }
            Render::Batches(b) => {
                b.append(r.row);
                if !b.is_full() {
                    return Ok(None);
                }
                Ok(b.finish().map(|batch| Piece::Batch(table, batch)))
            }
        }
    }

    /// What is left once the input ended.
    fn rest(&mut self, table: Table) -> Option<Piece> {
        match self {
            Render::Ndjson(_, buf) => (!buf.is_empty()).then(|| Piece::Text(table, mem::take(buf))),
            Render::Csv(w) => {
                let full = mem::replace(&mut **w, CsvRowWriter::new(Vec::new()));
                let bytes = full.into_inner().unwrap_or_default();
                (!bytes.is_empty()).then_some(Piece::Text(table, bytes))
            }
            Render::Batches(b) => b.finish().map(|batch| Piece::Batch(table, batch)),
        }
    }
}

/// Sends one input's pieces: the first [`HOLD_BYTES`] are held, then they go as they are made.
pub(crate) struct Emitter<'s> {
    held: Vec<Piece>,
    held_bytes: usize,
    streaming: bool,
    /// The run is stopping: nothing more is sent.
    pub(crate) stopped: bool,
    send: &'s mut dyn FnMut(Piece) -> bool,
}

impl<'s> Emitter<'s> {
    pub(crate) fn new(send: &'s mut dyn FnMut(Piece) -> bool) -> Self {
        Emitter {
            held: Vec::new(),
            held_bytes: 0,
            streaming: false,
            stopped: false,
            send,
        }
    }

    /// Holds or sends `piece`; `false` when the run is stopping.
    pub(crate) fn emit(&mut self, piece: Piece) -> bool {
        if !self.streaming {
            self.held_bytes += piece.size();
            self.held.push(piece);
            if self.held_bytes < HOLD_BYTES {
                return true;
            }
            self.streaming = true;
        } else {
            self.held.push(piece);
        }
        self.send_held()
    }

    /// The input ended well: sends what is held, then `rest`.
    pub(crate) fn finish(&mut self, rest: Vec<Piece>) {
        self.streaming = true;
        self.held.extend(rest);
        self.send_held();
    }

    fn send_held(&mut self) -> bool {
        for piece in self.held.drain(..) {
            if !(self.send)(piece) {
                self.stopped = true;
                return false;
            }
        }
        true
    }
}

/// The sink of one input's rows.
struct PieceSink<'s> {
    render: Vec<(Table, Render)>,
    emitter: Emitter<'s>,
}

impl Sink for PieceSink<'_> {
    fn row(&mut self, r: &FlatRow<'_, '_>) -> std::io::Result<()> {
        let Some((table, render)) = self.render.iter_mut().find(|(t, _)| *t == r.table) else {
            return Ok(());
        };
        if let Some(piece) = render.row(*table, r)? {
            if !self.emitter.emit(piece) {
                return Err(std::io::Error::other("the run stopped"));
            }
        }
        Ok(())
    }
}
