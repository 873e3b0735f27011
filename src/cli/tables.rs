//! Writing tables' record batches: Parquet (arrow-rs's writer) or Arrow IPC streams.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_ipc::writer::StreamWriter;
use callrecords::flatten::Table;
use callrecords::table::{schema, TimestampUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression as ParquetCompression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::output::Output;

/// Parquet compression, as `--compression` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Compression {
    /// Zstandard (level 3): small files, fast to read; every engine reads it.
    Zstd,
    /// Snappy: faster to write, larger files.
    Snappy,
    /// LZ4 (the `LZ4_RAW` codec).
    Lz4,
    /// None.
    None,
}

/// The most rows in a Parquet row group.
///
/// About DuckDB's own row-group size (122,880): its readers, and Spark's, split a file by row
/// group, so a table of a few hundred thousand rows is still read by several threads.
pub(crate) const ROW_GROUP_ROWS: usize = 128 * 1024;

/// The most memory the Parquet writers of one run hold between them: a writer holds its row
/// group until the row group ends, so when they hold more, the largest one ends its row group
/// (see `flatten.rs`). A row group of the 187-column `streams` table then ends at about 7,000
/// rows (4 MB compressed).
pub(crate) const WRITERS_MEMORY: usize = 32 << 20;

/// Parquet data pages and dictionary pages of at most this size. Each column writer buffers a
/// page of each, so this is what a wide table costs before its first row group ends (the
/// default, 1 MiB, would cost 2 MiB a column); 64 KiB pages read as fast in DuckDB and Spark.
const PAGE_BYTES: usize = 64 << 10;

/// Where a table's bytes go.
pub(crate) enum Target {
    /// A file, renamed into place when the run succeeds.
    File(Output),
    /// Standard output.
    Stdout(io::Stdout),
}

impl Write for Target {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Target::File(f) => f.write(buf),
            Target::Stdout(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Target::File(f) => f.flush(),
            Target::Stdout(s) => s.flush(),
        }
    }
}

impl Target {
    /// Makes the output final ([`Output::commit`]).
    pub(crate) fn commit(self) -> io::Result<()> {
        match self {
            Target::File(f) => f.commit(),
            Target::Stdout(mut s) => s.flush(),
        }
    }

    /// Abandons the output ([`Output::discard`]).
    pub(crate) fn discard(self) {
        if let Target::File(f) = self {
            f.discard();
        }
    }

    fn temp_path(&self) -> Option<PathBuf> {
        match self {
            Target::File(f) => f.temp_path().map(Path::to_path_buf),
            Target::Stdout(_) => None,
        }
    }
}

/// A writer of one table's batches.
pub(crate) struct TableWriter {
    inner: Inner,
    /// The temporary file to remove if the table is abandoned.
    temp: Option<PathBuf>,
}

enum Inner {
    Parquet(Box<ArrowWriter<Target>>),
    Ipc(Box<StreamWriter<Target>>),
}

impl TableWriter {
    /// A Parquet writer of `table` into `target`.
    pub(crate) fn parquet(
        table: Table,
        unit: TimestampUnit,
        compression: Compression,
        target: Target,
    ) -> io::Result<TableWriter> {
        let codec = match compression {
            Compression::Zstd => ParquetCompression::ZSTD(ZstdLevel::default()),
            Compression::Snappy => ParquetCompression::SNAPPY,
            Compression::Lz4 => ParquetCompression::LZ4_RAW,
            Compression::None => ParquetCompression::UNCOMPRESSED,
        };
        let props = WriterProperties::builder()
            .set_compression(codec)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_data_page_size_limit(PAGE_BYTES)
            .set_dictionary_page_size_limit(PAGE_BYTES)
            .build();
        let temp = target.temp_path();
        let writer =
            ArrowWriter::try_new(target, schema(table, unit), Some(props)).map_err(parquet_io)?;
        Ok(TableWriter {
            inner: Inner::Parquet(Box::new(writer)),
            temp,
        })
    }

    /// An Arrow IPC stream writer of `table` into `target`.
    pub(crate) fn ipc(
        table: Table,
        unit: TimestampUnit,
        target: Target,
    ) -> io::Result<TableWriter> {
        let temp = target.temp_path();
        let writer = StreamWriter::try_new(target, &schema(table, unit)).map_err(arrow_io)?;
        Ok(TableWriter {
            inner: Inner::Ipc(Box::new(writer)),
            temp,
        })
    }

    /// Writes one batch.
    pub(crate) fn write(&mut self, batch: &RecordBatch) -> io::Result<()> {
        match &mut self.inner {
            Inner::Parquet(w) => w.write(batch).map_err(parquet_io),
            Inner::Ipc(w) => w.write(batch).map_err(arrow_io),
        }
    }

    /// The memory a Parquet writer holds for its row group in progress (0 for IPC, which holds
    /// nothing).
    pub(crate) fn memory_size(&self) -> usize {
        match &self.inner {
            Inner::Parquet(w) => w.memory_size(),
            Inner::Ipc(_) => 0,
        }
    }

    /// Ends a Parquet row group in progress.
    pub(crate) fn end_row_group(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::Parquet(w) => w.flush().map_err(parquet_io),
            Inner::Ipc(_) => Ok(()),
        }
    }

    /// Ends the table (the Parquet footer, the IPC end-of-stream marker) and returns its target.
    pub(crate) fn finish(self) -> io::Result<Target> {
        match self.inner {
            Inner::Parquet(w) => w.into_inner().map_err(parquet_io),
            Inner::Ipc(mut w) => {
                w.finish().map_err(arrow_io)?;
                w.into_inner().map_err(arrow_io)
            }
        }
    }

    /// Abandons the table: its temporary file is closed unfinished and removed.
    pub(crate) fn discard(self) {
        drop(self.inner);
        if let Some(temp) = self.temp {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// The I/O error inside a Parquet error, or the error as I/O.
fn parquet_io(e: parquet::errors::ParquetError) -> io::Error {
    match e {
        parquet::errors::ParquetError::External(inner) => match inner.downcast::<io::Error>() {
            Ok(io) => *io,
            Err(other) => io::Error::other(other),
        },
        other => io::Error::other(other),
    }
}

/// The I/O error inside an Arrow error, or the error as I/O.
fn arrow_io(e: arrow_schema::ArrowError) -> io::Error {
    match e {
        arrow_schema::ArrowError::IoError(_, io) => io,
        other => io::Error::other(other),
    }
}
