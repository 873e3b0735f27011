//! Output files that are complete or absent: written under a temporary name beside the final
//! one, renamed into place only when the whole run succeeded, removed otherwise.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// An output file being written.
///
/// A path that already exists and is not a regular file (`/dev/null`, `/dev/stdout`, a pipe) is
/// written in place: it cannot be replaced, and what is written there is gone anyway.
#[derive(Debug)]
pub(crate) struct Output {
    file: File,
    /// The temporary name, and the final one (`None` when written in place).
    names: Option<(PathBuf, PathBuf)>,
}

impl Output {
    /// Creates the output for `path`.
    pub(crate) fn create(path: &Path) -> io::Result<Output> {
        if fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let file = OpenOptions::new().write(true).open(path)?;
            return Ok(Output { file, names: None });
        }
        let mut name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(format!(".partial-{}", std::process::id()));
        let temp = path.with_file_name(name);
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)?;
        Ok(Output {
            file,
            names: Some((temp, path.to_path_buf())),
        })
    }

    /// The temporary name it is written under, if it is not written in place.
    pub(crate) fn temp_path(&self) -> Option<&Path> {
        self.names.as_ref().map(|(temp, _)| temp.as_path())
    }

    /// Makes the output final: flushed to the disk and renamed into place.
    pub(crate) fn commit(self) -> io::Result<()> {
        let Output { file, names } = self;
        let Some((temp, path)) = names else {
            return Ok(());
        };
        let synced = file.sync_all();
        drop(file);
        let renamed = synced.and_then(|()| fs::rename(&temp, &path));
        if renamed.is_err() {
            let _ = fs::remove_file(&temp);
        }
        renamed
    }

    /// Abandons the output: the temporary file is removed, and nothing is left under the final
    /// name.
    pub(crate) fn discard(self) {
        if let Some((temp, _)) = self.names {
            drop(self.file);
            let _ = fs::remove_file(temp);
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // reason: test failures should panic

    use super::*;

    #[test]
    fn complete_or_absent() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/cli-unit/output");
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("out-{}.txt", std::process::id()));
        let _ = fs::remove_file(&path);
        let mut out = Output::create(&path).unwrap();
        out.write_all(b"half").unwrap();
        assert!(!path.exists(), "nothing under the final name while writing");
        out.discard();
        assert!(!path.exists());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "no temporary left");
        let mut out = Output::create(&path).unwrap();
        out.write_all(b"whole").unwrap();
        out.commit().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"whole");
        fs::remove_file(&path).unwrap();
        // A device is written in place.
        let mut null = Output::create(Path::new("/dev/null")).unwrap();
        null.write_all(b"x").unwrap();
        null.commit().unwrap();
        assert!(Path::new("/dev/null").exists());
    }
}
