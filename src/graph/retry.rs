//! When to try a request again: the retry policy, `Retry-After`, back-off with jitter, and the
//! throttle that every worker of a client shares.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// The time, and sleeping: the system's, or a test's.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, on a monotonic clock.
    fn now(&self) -> Instant;
    /// Now, on the wall clock (for `Retry-After` given as an HTTP date).
    fn wall(&self) -> SystemTime;
    /// Waits for `d`.
    fn sleep(&self, d: Duration);
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// How often, and how long apart, a request is tried.
///
/// A throttled or unavailable answer (429, 503, 504), a connection that fails, and a body cut off
/// are tried again: after `Retry-After` when the answer gives it, else after an exponential
/// back-off with jitter (`base`, `2 base`, `4 base`, … up to `max_delay`, each somewhere between
/// half of it and all of it), up to `max_tries` tries in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first one included (at least 1).
    pub max_tries: u32,
    /// The first back-off.
    pub base: Duration,
    /// The longest back-off, and the longest `Retry-After` obeyed.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_tries: 6,
            base: Duration::from_millis(500),
            max_delay: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The back-off before try `attempt + 1` (after `attempt` failed tries, from 1), given a
    /// random `unit` in `[0, 1)`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = callrecords::graph::RetryPolicy::default();
    /// assert_eq!(p.backoff(1, 0.0), Duration::from_millis(250));
    /// assert!(p.backoff(3, 0.999) > Duration::from_millis(1990));
    /// assert!(p.backoff(3, 0.999) < Duration::from_secs(2));
    /// assert_eq!(p.backoff(40, 0.0), p.max_delay / 2);
    /// ```
    pub fn backoff(&self, attempt: u32, unit: f64) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(30))
            .min(self.max_delay);
        let half = exp / 2;
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0 - f64::EPSILON)
        } else {
            0.0
        };
        half + half.mul_f64(unit)
    }
}

/// Parses a `Retry-After` value: delay seconds (`120`) or an HTTP date (`Fri, 31 Dec 1999
/// 23:59:59 GMT`), relative to `now`. A date in the past is no delay.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use callrecords::graph::retry_after;
/// let now = UNIX_EPOCH + Duration::from_secs(946_684_790);
/// assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
/// assert_eq!(retry_after("Fri, 31 Dec 1999 23:59:59 GMT", now), Some(Duration::from_secs(9)));
/// assert_eq!(retry_after("soon", now), None);
/// ```
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The pause every worker of a client keeps: a 429 slows them all, not only the one that got it.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    until: Mutex<Option<Instant>>,
}

impl Throttle {
    /// No request starts before `at`.
    pub(crate) fn pause_until(&self, at: Instant) {
        let mut until = self.until.lock().unwrap_or_else(|p| p.into_inner());
        if until.is_none_or(|u| u < at) {
            *until = Some(at);
        }
    }

    /// Waits out the pause, if one is on; the time waited.
    pub(crate) fn wait(&self, clock: &dyn Clock) -> Duration {
        let until = *self.until.lock().unwrap_or_else(|p| p.into_inner());
        match until {
            Some(at) => {
                let now = clock.now();
                let d = at.saturating_duration_since(now);
                if !d.is_zero() {
                    clock.sleep(d);
                }
                d
            }
            None => Duration::ZERO,
        }
    }
}

/// A small random number source for jitter and request ids (xorshift; not for secrets).
#[derive(Debug)]
pub(crate) struct Jitter(u64);

impl Jitter {
    pub(crate) fn new() -> Self {
        use std::hash::{BuildHasher, Hasher};
        // The standard library seeds `RandomState` from the system's randomness.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0x9e37_79b9_7f4a_7c15);
        Jitter(h.finish() | 1)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A random (version 4) UUID, for `client-request-id`.
    pub(crate) fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        let a = (a & !0xf000) | 0x4000;
        let b = (b & !(0xc << 60)) | (0x8 << 60);
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // reason: test failures should panic

    use super::*;

    /// A clock that records its sleeps and moves on by them.
    #[derive(Debug)]
    struct FakeClock {
        start: Instant,
        elapsed: Mutex<Duration>,
        sleeps: Mutex<Vec<Duration>>,
    }

    impl FakeClock {
        fn new() -> Self {
            FakeClock {
                start: Instant::now(),
                elapsed: Mutex::new(Duration::ZERO),
                sleeps: Mutex::new(Vec::new()),
            }
        }
    }

    impl Clock for FakeClock {
        fn now(&self) -> Instant {
            self.start + *self.elapsed.lock().unwrap()
        }
        fn wall(&self) -> SystemTime {
            SystemTime::UNIX_EPOCH
                + Duration::from_secs(1_700_000_000)
                + *self.elapsed.lock().unwrap()
        }
        fn sleep(&self, d: Duration) {
            *self.elapsed.lock().unwrap() += d;
            self.sleeps.lock().unwrap().push(d);
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_within_bounds() {
        let p = RetryPolicy {
            max_tries: 10,
            base: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for (attempt, full) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (9, 1000)] {
            let full = Duration::from_millis(full);
            assert_eq!(p.backoff(attempt, 0.0), full / 2, "attempt {attempt}");
            let top = p.backoff(attempt, 0.999_999_9);
            assert!(
                top < full && top > full * 99 / 100,
                "attempt {attempt}: {top:?}"
            );
        }
        let mut j = Jitter::new();
        for _ in 0..1000 {
            let u = j.unit();
            assert!((0.0..1.0).contains(&u));
            let d = p.backoff(3, u);
            assert!(d >= Duration::from_millis(200) && d < Duration::from_millis(400));
        }
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(retry_after("0", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(42));
        assert_eq!(retry_after(&later, now), Some(Duration::from_secs(42)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(42));
        assert_eq!(retry_after(&earlier, now), Some(Duration::ZERO));
        for bad in ["", "-1", "1.5", "tomorrow", "Fri, 99 Dec 1999 23:59:59 GMT"] {
            assert_eq!(retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn one_pause_holds_every_worker() {
        let clock = FakeClock::new();
        let t = Throttle::default();
        assert_eq!(t.wait(&clock), Duration::ZERO);
        t.pause_until(clock.now() + Duration::from_secs(5));
        // A shorter pause does not shorten it.
        t.pause_until(clock.now() + Duration::from_secs(1));
        assert_eq!(t.wait(&clock), Duration::from_secs(5));
        // Once waited out, the next worker goes at once.
        assert_eq!(t.wait(&clock), Duration::ZERO);
        assert_eq!(*clock.sleeps.lock().unwrap(), [Duration::from_secs(5)]);
    }

    #[test]
    fn request_ids_are_version_4_uuids() {
        let mut j = Jitter::new();
        let a = j.uuid();
        let b = j.uuid();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }
}
