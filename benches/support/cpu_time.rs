//! `CALLRECORDS_BENCH_CPU_TIME=1`: a criterion measurement of the bench thread's on-CPU time, for
//! machines shared with other work, and the `main` that picks it. Included by `benches/events.rs` and
//! `benches/stream.rs`.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput};

/// On-CPU time of the calling thread in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
pub(crate) fn thread_cpu_ns() -> u64 {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` is the C library function with this signature on 64-bit Linux
    // (`clockid_t` is `int`, `struct timespec` is two 64-bit fields); `ts` is a valid, writable
    // `Timespec` for the duration of the call.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Criterion measurement: on-CPU time of the benchmark thread, in nanoseconds.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
pub(crate) struct ThreadCpuTime;

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &NanosFormatter
    }
}

/// Formats nanosecond values (ns … s) and throughputs (MiB/s, GiB/s; elem/s).
pub(crate) struct NanosFormatter;

impl ValueFormatter for NanosFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical < 1e3 {
            (1.0, "ns")
        } else if typical < 1e6 {
            (1e-3, "µs")
        } else if typical < 1e9 {
            (1e-6, "ms")
        } else {
            (1e-9, "s")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_throughputs(
        &self,
        typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let (per_iter, bytes) = match *throughput {
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) => (n as f64, true),
            Throughput::Elements(n) => (n as f64, false),
        };
        // Per second.
        let typical = per_iter * 1e9 / typical;
        values.iter_mut().for_each(|v| *v = per_iter * 1e9 / *v);
        let (factor, unit) = match (bytes, typical >= 1024.0 * 1024.0 * 1024.0) {
            (true, true) => (1.0 / (1024.0 * 1024.0 * 1024.0), "GiB/s"),
            (true, false) => (1.0 / (1024.0 * 1024.0), "MiB/s"),
            (false, _) => (1.0, "elem/s"),
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

/// Runs `wall` with criterion's wall-clock measurement, or `cpu` with [`ThreadCpuTime`] when
/// `CALLRECORDS_BENCH_CPU_TIME` is set (Linux only).
pub(crate) fn main_with(
    wall: fn(&mut Criterion<WallTime>),
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))] cpu: fn(
        &mut Criterion<ThreadCpuTime>,
    ),
) {
    let cpu_time =
        std::env::var("CALLRECORDS_BENCH_CPU_TIME").is_ok_and(|v| !v.is_empty() && v != "0");
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    if cpu_time {
        let mut c = Criterion::default()
            .with_measurement(ThreadCpuTime)
            .configure_from_args();
        cpu(&mut c);
        c.final_summary();
        return;
    }
    let _ = cpu_time;
    let mut c = Criterion::<WallTime>::default().configure_from_args();
    wall(&mut c);
    c.final_summary();
}
