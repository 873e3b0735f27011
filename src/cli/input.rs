//! Finding input files (walking folders) and reading them (plain, gzip, stdin).

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// One input named on the command line or found in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    /// The name used in messages.
    pub(crate) fn display(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }

    /// Reads the whole input, decompressing `*.gz` files and gzip data on stdin.
    pub(crate) fn read_all(&self) -> io::Result<Vec<u8>> {
        match self {
            Input::Stdin => {
                let mut bytes = Vec::new();
                io::stdin().lock().read_to_end(&mut bytes)?;
                if bytes.starts_with(&[0x1f, 0x8b]) {
                    gunzip(&bytes[..])
                } else {
                    Ok(bytes)
                }
            }
            Input::File(path) => {
                if is_gz(path) {
                    gunzip(fs::File::open(path)?)
                } else {
                    fs::read(path)
                }
            }
        }
    }
}

fn gunzip(reader: impl Read) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    flate2::read::MultiGzDecoder::new(reader).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn is_gz(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// True for the names a folder walk picks up: `*.json` and `*.json.gz`.
fn is_json_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".json") || name.ends_with(".json.gz")
}

/// Expands the command-line paths: `-` is stdin, a folder is walked (recursively, in sorted order)
/// for `*.json` and `*.json.gz`, anything else is taken as a file (whatever its name).
///
/// Returns the inputs, and the paths that could not be read (missing, or an unreadable folder) with
/// their errors.
pub(crate) fn expand(paths: &[PathBuf]) -> (Vec<Input>, Vec<(PathBuf, io::Error)>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut inputs, &mut errors),
            Ok(_) => inputs.push(Input::File(path.clone())),
            Err(e) => errors.push((path.clone(), e)),
        }
    }
    (inputs, errors)
}

fn walk(dir: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<(PathBuf, io::Error)>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push((dir.to_path_buf(), e));
            return;
        }
    };
    let mut children: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => children.push(entry.path()),
            Err(e) => errors.push((dir.to_path_buf(), e)),
        }
    }
    children.sort();
    for child in children {
        // Linked files are followed; linked folders are not (no cycles).
        let linked = fs::symlink_metadata(&child).is_ok_and(|m| m.file_type().is_symlink());
        match fs::metadata(&child) {
            Ok(meta) if meta.is_dir() => {
                if !linked {
                    walk(&child, inputs, errors);
                }
            }
            Ok(_) if is_json_name(&child) => inputs.push(Input::File(child)),
            Ok(_) => {}
            Err(e) => errors.push((child, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names() {
        assert!(is_json_name(Path::new("a/b.json")));
        assert!(is_json_name(Path::new("b.JSON.gz")));
        assert!(!is_json_name(Path::new("b.txt")));
        assert!(!is_json_name(Path::new("b.gz")));
    }
}
