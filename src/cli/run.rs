//! Parallel per-file processing with results delivered in input order, and the progress bar.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The number of worker threads for `--jobs`: the given number, or all cores.
pub(crate) fn jobs(requested: Option<usize>) -> usize {
    match requested {
        Some(n) if n > 0 => n,
        _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

/// Runs `work(i)` for every `i` in `0..n` on `jobs` threads (a shared work queue), and calls
/// `emit(i, result)` on the calling thread in increasing `i` order.
///
/// Workers run at most `2 * jobs` items ahead of the last emitted one, so memory stays bounded
/// when results are large. When `emit` returns `false`, no new item is started and the remaining
/// results are dropped.
pub(crate) fn run_ordered<T, W, E>(n: usize, jobs: usize, work: W, mut emit: E)
where
    T: Send,
    W: Fn(usize) -> T + Sync,
    E: FnMut(usize, T) -> bool,
{
    let jobs = jobs.clamp(1, n.max(1));
    if jobs == 1 {
        for i in 0..n {
            if !emit(i, work(i)) {
                return;
            }
        }
        return;
    }
    let ahead = 2 * jobs;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let emitted = Mutex::new(0usize);
    let moved = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, T)>();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, stop, emitted, moved, work) = (&next, &stop, &emitted, &moved, &work);
            scope.spawn(move || loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                {
                    let mut done = emitted.lock().unwrap_or_else(|p| p.into_inner());
                    while i >= *done + ahead && !stop.load(Ordering::Relaxed) {
                        done = moved.wait(done).unwrap_or_else(|p| p.into_inner());
                    }
                }
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                if tx.send((i, work(i))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut want = 0usize;
        let mut running = true;
        for (i, result) in rx {
            if !running {
                continue;
            }
            pending.insert(i, result);
            while let Some(result) = pending.remove(&want) {
                let keep_going = emit(want, result);
                want += 1;
                {
                    let mut done = emitted.lock().unwrap_or_else(|p| p.into_inner());
                    *done = want;
                }
                if !keep_going {
                    running = false;
                    stop.store(true, Ordering::Relaxed);
                    pending.clear();
                    break;
                }
            }
            moved.notify_all();
        }
    });
}

/// What a streamed item sends: pieces of output as they are made, then its outcome.
enum Piece<M, O> {
    Part(M),
    Done(O),
}

/// Runs `work(i, send)` for every `i` in `0..n` on `jobs` threads, like [`run_ordered`], but
/// streamed: `work` hands its output over in pieces with `send` as it makes them, and on the
/// calling thread `part(i, piece)` sees item `i`'s pieces as they come, then `done(i, outcome)`,
/// in increasing `i` order.
///
/// An item's pieces wait in a channel of `capacity` pieces while an earlier item is being
/// emitted, and workers start at most `2 * jobs` items ahead of the one being emitted, so at most
/// about `2 * jobs * capacity` pieces are held at once, whatever the sizes of the items. `send`
/// returns `false` once the run is stopping (`part` or `done` returned `false`); `work` should
/// then give up. No new item starts after a stop.
pub(crate) fn run_streamed<M, O, W, P, D>(
    n: usize,
    jobs: usize,
    capacity: usize,
    work: W,
    mut part: P,
    mut done: D,
) where
    M: Send,
    O: Send,
    W: Fn(usize, &mut dyn FnMut(M) -> bool) -> O + Sync,
    P: FnMut(usize, M) -> bool,
    D: FnMut(usize, O) -> bool,
{
    let jobs = jobs.clamp(1, n.max(1));
    if jobs == 1 {
        for i in 0..n {
            let mut running = true;
            let outcome = work(i, &mut |m| {
                running = running && part(i, m);
                running
            });
            if !running || !done(i, outcome) {
                return;
            }
        }
        return;
    }
    let ahead = 2 * jobs;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let emitted = Mutex::new(0usize);
    let moved = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, mpsc::Receiver<Piece<M, O>>)>();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, stop, emitted, moved, work) = (&next, &stop, &emitted, &moved, &work);
            scope.spawn(move || loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                {
                    let mut done = emitted.lock().unwrap_or_else(|p| p.into_inner());
                    while i >= *done + ahead && !stop.load(Ordering::Relaxed) {
                        done = moved.wait(done).unwrap_or_else(|p| p.into_inner());
                    }
                }
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let (pieces, inbox) = mpsc::sync_channel(capacity.max(1));
                if tx.send((i, inbox)).is_err() {
                    break;
                }
                let outcome = work(i, &mut |m| {
                    !stop.load(Ordering::Relaxed) && pieces.send(Piece::Part(m)).is_ok()
                });
                if pieces.send(Piece::Done(outcome)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut inboxes = BTreeMap::new();
        let mut want = 0usize;
        'items: while want < n {
            let inbox = loop {
                if let Some(inbox) = inboxes.remove(&want) {
                    break inbox;
                }
                match rx.recv() {
                    Ok((i, inbox)) => {
                        inboxes.insert(i, inbox);
                    }
                    // Every worker has stopped.
                    Err(_) => break 'items,
                }
            };
            let mut keep_going = true;
            for piece in inbox.iter() {
                match piece {
                    Piece::Part(m) => {
                        if !part(want, m) {
                            keep_going = false;
                            break;
                        }
                    }
                    Piece::Done(outcome) => {
                        keep_going = done(want, outcome);
                        break;
                    }
                }
            }
            want += 1;
            {
                let mut done = emitted.lock().unwrap_or_else(|p| p.into_inner());
                *done = want;
            }
            moved.notify_all();
            if !keep_going {
                break;
            }
        }
        // Stop the workers: blocked senders fail once their inboxes are dropped.
        stop.store(true, Ordering::Relaxed);
        drop(inboxes);
        moved.notify_all();
        for (_, inbox) in rx.iter() {
            drop(inbox);
        }
    });
}

/// Inputs at least this large (in bytes, on disk) get a progress bar.
pub(crate) const PROGRESS_MIN_BYTES: u64 = 32 * 1024 * 1024;

/// A progress bar on stderr: bytes read, MB/s and ETA, redrawn a few times a second.
///
/// It draws only when enabled (stderr is a terminal, the input is large, and `--quiet` was not
/// given), and erases itself when finished, so it never mixes with other output lines.
pub(crate) struct Progress {
    /// Bytes read so far (raw, as on disk); readers add to it.
    pub(crate) bytes: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Starts the bar for `total` bytes when `quiet` is false, stderr is a terminal and `total`
    /// is at least [`PROGRESS_MIN_BYTES`]; otherwise only counts.
    pub(crate) fn start(total: u64, quiet: bool) -> Progress {
        let bytes = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let enabled = !quiet && total >= PROGRESS_MIN_BYTES && std::io::stderr().is_terminal();
        let thread = enabled.then(|| {
            let (bytes, done) = (Arc::clone(&bytes), Arc::clone(&done));
            std::thread::spawn(move || draw_loop(total, &bytes, &done))
        });
        Progress {
            bytes,
            done,
            thread,
        }
    }

    /// Stops and erases the bar.
    pub(crate) fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}

fn draw_loop(total: u64, bytes: &AtomicU64, done: &AtomicBool) {
    let start = Instant::now();
    let mut drawn = false;
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        let read = bytes.load(Ordering::Relaxed).min(total);
        let secs = start.elapsed().as_secs_f64();
        let rate = if secs > 0.0 { read as f64 / secs } else { 0.0 };
        let eta = if rate > 0.0 {
            format!("{:.0}s", (total - read) as f64 / rate)
        } else {
            "?".to_string()
        };
        let frac = read as f64 / total as f64;
        let width = 30usize;
        let filled = ((frac * width as f64) as usize).min(width);
        let line = format!(
            "\r[{}{}] {:.1}/{:.1} MB {:>3.0}% {:.1} MB/s ETA {eta}  ",
            "#".repeat(filled),
            " ".repeat(width - filled),
            read as f64 / 1e6,
            total as f64 / 1e6,
            frac * 100.0,
            rate / 1e6,
        );
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
        drawn = true;
    }
    if drawn {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(b"\r\x1b[2K");
        let _ = err.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_for_any_jobs() {
        for jobs in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            run_ordered(
                50,
                jobs,
                |i| {
                    std::thread::sleep(Duration::from_micros(((i * 7919) % 13) as u64 * 50));
                    i * 2
                },
                |i, r| {
                    seen.push((i, r));
                    true
                },
            );
            let want: Vec<_> = (0..50).map(|i| (i, i * 2)).collect();
            assert_eq!(seen, want, "jobs {jobs}");
        }
    }

    #[test]
    fn streamed_in_order_for_any_jobs() {
        for jobs in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            let mut outcomes = Vec::new();
            run_streamed(
                30,
                jobs,
                2,
                |i, send| {
                    for k in 0..(i % 5) {
                        std::thread::sleep(Duration::from_micros(((i * 31) % 7) as u64 * 40));
                        if !send((i, k)) {
                            return usize::MAX;
                        }
                    }
                    i
                },
                |i, m| {
                    assert_eq!(i, m.0);
                    seen.push(m);
                    true
                },
                |i, o| {
                    outcomes.push((i, o));
                    true
                },
            );
            let want: Vec<_> = (0..30)
                .flat_map(|i| (0..i % 5).map(move |k| (i, k)))
                .collect();
            assert_eq!(seen, want, "jobs {jobs}");
            assert_eq!(outcomes, (0..30).map(|i| (i, i)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn streamed_stops_when_told_and_holds_few_pieces() {
        use std::sync::atomic::AtomicUsize;
        let made = AtomicUsize::new(0);
        let mut outcomes = Vec::new();
        run_streamed(
            50,
            3,
            1,
            |i, send| {
                let mut sent = 0;
                while sent < 1000 {
                    made.fetch_add(1, Ordering::Relaxed);
                    if !send(i) {
                        break;
                    }
                    sent += 1;
                }
                sent
            },
            |i, _| i != 4,
            |i, o| {
                outcomes.push((i, o));
                true
            },
        );
        // Items 0 to 3 finished; item 4's part said stop; nothing after it was emitted.
        assert_eq!(outcomes, (0..4).map(|i| (i, 1000)).collect::<Vec<_>>());
        // Workers ahead of item 4 stopped too: far fewer pieces than the 50,000 asked for.
        assert!(made.load(Ordering::Relaxed) < 10_000);
    }

    #[test]
    fn stops_when_emit_says_so() {
        let mut seen = Vec::new();
        run_ordered(
            100,
            4,
            |i| i,
            |i, _| {
                seen.push(i);
                i < 5
            },
        );
        assert_eq!(seen, vec![0, 1, 2, 3, 4, 5]);
    }
}
