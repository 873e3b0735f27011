//! Input discovery and reading: files, folders walked for `*.json` and `*.json.gz`, and stdin.

use std::cmp::Ordering as Order;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;

/// One input to process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    /// Standard input (`-`); gzip is detected from its first bytes.
    Stdin,
    /// A file; gzip when its name ends in `.gz` or its first bytes are the gzip magic.
    File(PathBuf),
}

impl Input {
    /// The name used in output rows and error lines (`-` for stdin).
    pub(crate) fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }

    /// The size on disk, when known (for progress).
    pub(crate) fn size(&self) -> Option<u64> {
        match self {
            Input::Stdin => None,
            Input::File(p) => fs::metadata(p).ok().map(|m| m.len()),
        }
    }
}

/// A problem found while discovering inputs: an I/O or usage error for one argument.
#[derive(Debug)]
pub(crate) struct DiscoveryError {
    /// The argument as given.
    pub(crate) path: String,
    /// What went wrong.
    pub(crate) message: String,
}

/// True for names the folder walk picks up: `*.json` and `*.json.gz` (ASCII case-insensitive).
fn is_json_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".json.gz")
}

/// Expands the arguments into inputs, in order: a file stays as given, a folder becomes its
/// `*.json` and `*.json.gz` files (recursively, sorted by path with runs of digits compared as
/// numbers, so `pages/2.json` comes before `pages/10.json`), and `-` is stdin.
///
/// A missing path, an unreadable folder (or subfolder), a linked `*.json` whose target is gone,
/// or a folder with no JSON file is a [`DiscoveryError`] naming that path; everything else is
/// still expanded.
pub(crate) fn discover(args: &[PathBuf]) -> (Vec<Input>, Vec<DiscoveryError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let shown = arg.display().to_string();
        match fs::metadata(arg) {
            Err(e) => errors.push(DiscoveryError {
                path: shown,
                message: io_message(&e),
            }),
            Ok(m) if m.is_dir() => {
                let mut found = Vec::new();
                let before = errors.len();
                walk_dir(arg, &mut found, &mut errors);
                if found.is_empty() && errors.len() == before {
                    errors.push(DiscoveryError {
                        path: shown,
                        message: "folder holds no *.json or *.json.gz file".to_string(),
                    });
                }
                found.sort_by(|a, b| natural_cmp(a, b));
                inputs.extend(found.into_iter().map(Input::File));
            }
            Ok(_) => inputs.push(Input::File(arg.clone())),
        }
    }
    (inputs, errors)
}

/// Adds the `*.json` and `*.json.gz` files under `dir` to `out`. A folder or entry that cannot be
/// read is an error naming it, and the walk goes on with the rest.
fn walk_dir(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<DiscoveryError>) {
    fn fail(errors: &mut Vec<DiscoveryError>, path: &Path, e: &io::Error) {
        errors.push(DiscoveryError {
            path: path.display().to_string(),
            message: io_message(e),
        });
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return fail(errors, dir, &e),
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                fail(errors, dir, &e);
                continue;
            }
        };
        let path = entry.path();
        let ty = match entry.file_type() {
            Ok(ty) => ty,
            Err(e) => {
                fail(errors, &path, &e);
                continue;
            }
        };
        if ty.is_dir() {
            walk_dir(&path, out, errors);
        } else if is_json_name(&entry.file_name().to_string_lossy()) {
            // Linked files are followed; linked folders are not (no cycles). A link whose target
            // is gone is reported, as the same path given by name would be.
            if !ty.is_symlink() {
                out.push(path);
            } else {
                match fs::metadata(&path) {
                    Ok(m) if m.is_dir() => {}
                    Ok(_) => out.push(path),
                    Err(e) => fail(errors, &path, &e),
                }
            }
        }
    }
}

/// An I/O error's message without the "(os error N)" noise.
pub(crate) fn io_message(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// A reader that adds the bytes it reads to a shared counter (for the progress bar).
pub(crate) struct Counting<'c, R> {
    inner: R,
    counter: &'c AtomicU64,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens an input for reading, decompressing gzip (detected by its magic bytes), and counting the
/// raw bytes read into `counter`.
///
/// A plain input is read straight into the streaming reader's window: the two bytes that decide
/// gzip are read first and put back in front, rather than through a buffer that every byte would
/// be copied through once more. (The gzip decoder buffers its own input.)
pub(crate) fn open<'c>(input: &Input, counter: &'c AtomicU64) -> io::Result<Box<dyn Read + 'c>> {
    let raw: Box<dyn Read + 'c> = match input {
        Input::Stdin => Box::new(io::stdin()),
        Input::File(p) => Box::new(File::open(p)?),
    };
    let mut counted = Counting {
        inner: raw,
        counter,
    };
    let mut head = [0u8; 2];
    let mut got = 0;
    while got < head.len() {
        match counted.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let gzip = head[..got] == [0x1f, 0x8b];
    let reader = io::Cursor::new(head).take(got as u64).chain(counted);
    if gzip {
        Ok(Box::new(MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

/// Orders paths component by component, comparing runs of ASCII digits by their value (then by
/// length, so `01` and `1` stay apart) and everything else byte by byte.
fn natural_cmp(a: &Path, b: &Path) -> Order {
    let mut a_parts = a.components();
    let mut b_parts = b.components();
    loop {
        let (x, y) = match (a_parts.next(), b_parts.next()) {
            (None, None) => return Order::Equal,
            (None, Some(_)) => return Order::Less,
            (Some(_), None) => return Order::Greater,
            (Some(x), Some(y)) => (x, y),
        };
        let x = x.as_os_str().as_encoded_bytes();
        let y = y.as_os_str().as_encoded_bytes();
        match natural_cmp_bytes(x, y) {
            Order::Equal => {}
            order => return order,
        }
    }
}

/// [`natural_cmp`] within one name.
fn natural_cmp_bytes(mut a: &[u8], mut b: &[u8]) -> Order {
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Order::Equal,
            (None, Some(_)) => return Order::Less,
            (Some(_), None) => return Order::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (x_run, x_rest) = split_digits(a);
                let (y_run, y_rest) = split_digits(b);
                let (x_value, y_value) = (trim_zeros(x_run), trim_zeros(y_run));
                let order = x_value
                    .len()
                    .cmp(&y_value.len())
                    .then_with(|| x_value.cmp(y_value))
                    .then_with(|| x_run.len().cmp(&y_run.len()));
                if order != Order::Equal {
                    return order;
                }
                (a, b) = (x_rest, y_rest);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

/// The leading run of ASCII digits of `s`, and the rest.
fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    s.split_at(n)
}

/// `digits` without its leading zeros.
fn trim_zeros(digits: &[u8]) -> &[u8] {
    let n = digits.iter().take_while(|&&c| c == b'0').count();
    &digits[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut paths: Vec<PathBuf> = [
            "p/a/10.json",
            "p/a/2.json",
            "p/a/1.json",
            "p/a/01.json",
            "p/b/0.json",
            "p/a/page-3.json",
            "p/a/page-20.json",
            "p/a10/0.json",
            "p/a9/0.json",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        paths.sort_by(|a, b| natural_cmp(a, b));
        let got: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(
            got,
            [
                "p/a/1.json",
                "p/a/01.json",
                "p/a/2.json",
                "p/a/10.json",
                "p/a/page-3.json",
                "p/a/page-20.json",
                "p/a9/0.json",
                "p/a10/0.json",
                "p/b/0.json",
            ]
        );
    }

    #[test]
    fn names() {
        assert!(is_json_name("a.json"));
        assert!(is_json_name("a.JSON.gz"));
        assert!(!is_json_name("a.json.bak"));
        assert!(!is_json_name("README.md"));
    }
}
