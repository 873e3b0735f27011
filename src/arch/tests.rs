//! One shared runner feeds every case to every backend this CPU supports and compares the result
//! with the naive oracle byte for byte: structural offsets, backslash bitmap and first error.

#![allow(clippy::panic)] // reason: a test reports a mismatch by panicking with the details

use proptest::prelude::*;

use super::naive::{self, NaiveIndex};
use super::{Backend, Indexer, Window, WINDOW_BYTES};

/// Runs `backend` over all of `input`, window by window, gathering the oracle's output shape.
/// Also checks the window contract (ascending offsets inside the window, bitmap length, error
/// returned only at or before the window end).
fn run(backend: Backend, input: &[u8], window_bytes: usize) -> NaiveIndex {
    let Some(indexer) = Indexer::try_new(backend) else {
        panic!("{backend} is not supported but was listed as supported");
    };
    let mut indexer = indexer.with_window_bytes(window_bytes);
    assert_eq!(indexer.backend(), backend);
    let mut window = Window::default();
    let mut out = NaiveIndex::default();
    let mut start = 0;
    loop {
        let error = indexer.index_window(input, start, &mut window);
        assert_eq!(window.start, start);
        assert_eq!(window.end, input.len().min(start + window_bytes));
        assert_eq!(
            window.backslashes.len(),
            (window.end - window.start).div_ceil(64)
        );
        assert!(window.structurals.windows(2).all(|w| w[0] < w[1]));
        assert!(window
            .structurals
            .iter()
            .all(|&s| (start..window.end).contains(&(s as usize))));
        if let Some((_, at)) = error {
            assert!(
                at < window.end,
                "error at {at} past window end {}",
                window.end
            );
        }
        if out.error.is_none() {
            out.error = error;
        }
        out.structurals.extend_from_slice(&window.structurals);
        out.backslashes.extend_from_slice(&window.backslashes);
        start = window.end;
        if start >= input.len() {
            return out;
        }
    }
}

/// The backends under test: all this CPU supports. Unsupported ones are skipped (and named).
fn backends() -> Vec<Backend> {
    static SKIPPED: std::sync::Once = std::sync::Once::new();
    let supported = Backend::supported();
    SKIPPED.call_once(|| {
        for b in Backend::all() {
            if !supported.contains(b) {
                eprintln!("stage-1 tests: skipping {b} (not supported here)");
            }
        }
    });
    supported
}

/// Window sizes every case runs with: the real one, and small ones so that ordinary cases also
/// cross window boundaries.
/// Under Miri only the 64-byte window runs (it crosses a window at every block, the costliest case
/// to get wrong); the full set costs three times the interpretation time.
const WINDOWS: &[usize] = if cfg!(miri) {
    &[64]
} else {
    &[WINDOW_BYTES, 64, 192]
};

/// Compares every supported backend with the oracle on `input`.
fn check(input: &[u8]) {
    check_windows(input, WINDOWS);
}

/// [`check`] with the given window sizes only.
fn check_windows(input: &[u8], windows: &[usize]) {
    let want = naive::index(input);
    for backend in backends() {
        for &window_bytes in windows {
            let got = run(backend, input, window_bytes);
            if got != want {
                let first = got
                    .structurals
                    .iter()
                    .zip(&want.structurals)
                    .position(|(a, b)| a != b);
                panic!(
                    "{backend} (window {window_bytes}) differs from the oracle on {} bytes (first \
                 differing structural index {first:?}; errors {:?} vs {:?}): {:?}",
                    input.len(),
                    got.error,
                    want.error,
                    String::from_utf8_lossy(&input[..input.len().min(300)]),
                );
            }
        }
    }
}

/// Sample text with strings, escapes, numbers, literals and non-ASCII characters.
const SAMPLE: &[u8] = "{\"id\": \"a\\\"b\\\\\", \"n\": [1.5e3, -2, true, null, false],\n  \
    \"name\": \"Zo\u{eb} \u{20ac}\u{1d11e} \\u0041\\\\\\\"x\", \"k\\\\\": {\"v\":\"\"}, \"z\":0}\r\n\t"
    .as_bytes();

#[test]
fn nibble_tables_match_the_oracle_classes() {
    for b in 0..=255u8 {
        assert_eq!(
            super::kernel::classify_byte(b),
            [
                naive::is_op(b),
                naive::is_ws(b),
                b == b'{' || b == b'[',
                b == b'}' || b == b']',
            ],
            "byte {b:#04x}"
        );
    }
}

#[test]
fn portable_prefix_xor() {
    for x in [
        0u64,
        1,
        0x8000_0000_0000_0000,
        0b1001,
        !0,
        0x0123_4567_89AB_CDEF,
    ] {
        let mut want = 0;
        let mut acc = 0;
        for j in 0..64 {
            acc ^= (x >> j) & 1;
            want |= acc << j;
        }
        assert_eq!(super::kernel::prefix_xor_portable(x), want);
    }
}

#[test]
fn every_length_up_to_200() {
    let sample: Vec<u8> = SAMPLE.iter().copied().cycle().take(200).collect();
    let quotes = [b'"'; 200];
    let backslashes = [b'\\'; 200];
    let mixed: Vec<u8> = b"\\\"".iter().copied().cycle().take(200).collect();
    let digits: Vec<u8> = b"1234 ".iter().copied().cycle().take(200).collect();
    let step = if cfg!(miri) { 13 } else { 1 };
    for n in (0..=200).step_by(step) {
        for text in [&sample[..], &quotes, &backslashes, &mixed, &digits] {
            check(&text[..n]);
            // The same, shifted by one byte, so each feature meets the block edge differently.
            if n > 0 {
                check(&text[1..n]);
            }
        }
    }
}

#[test]
fn every_byte_value() {
    let all: Vec<u8> = (0..=255u8).collect();
    check(&all);
    let mut in_string = vec![b'"'];
    in_string.extend(0..=255u8);
    check(&in_string);
    // Every byte after a backslash, inside and outside a string.
    let escaped: Vec<u8> = (0..=255u8).flat_map(|b| [b'\\', b]).collect();
    check(&escaped);
    let mut quoted = vec![b'"'];
    quoted.extend_from_slice(&escaped);
    check(&quoted);
}

/// `filler` bytes up to `at`, then `feature`, then more filler, `len` bytes in all.
fn place(filler: u8, at: usize, feature: &[u8], len: usize) -> Vec<u8> {
    let mut v = vec![filler; at];
    v.extend_from_slice(feature);
    v.resize(len.max(v.len()), filler);
    v
}

/// Features that straddle a block (or window) boundary at position `edge`.
fn straddle_cases(edge: usize, len: usize, reach: usize, f: impl FnMut(&[u8])) {
    straddle_features(
        FEATURES,
        edge,
        len,
        reach,
        &[(b' ', false), (b'a', true), (b'7', false)],
        f,
    );
}

/// Byte sequences whose meaning depends on state carried across a boundary.
const FEATURES: &[&[u8]] = &[
    b"\"",
    b"\\\"",
    b"\\\\\"",
    b"\\\\\\\"",
    b"\\\\\\\\\"",
    b"\\",
    b"\\\\\\",
    "\u{e9}".as_bytes(),
    "\u{20ac}".as_bytes(),
    "\u{1d11e}".as_bytes(),
    b"\xE2\x82",         // truncated 3-byte sequence
    b"\xF0\x9D\x84\x41", // bad continuation
    b"\x80",
    b"\x01",
    b"\t",
    b"12345",
    b"tru",
    b",:{}[]",
];

/// Each of `features` placed so that it ends `0..=len + reach` bytes before `edge`, over each
/// filler (and opening quote or not).
fn straddle_features(
    features: &[&[u8]],
    edge: usize,
    len: usize,
    reach: usize,
    fillers: &[(u8, bool)],
    mut f: impl FnMut(&[u8]),
) {
    for feature in features {
        for back in 0..=(feature.len() + reach) {
            let Some(at) = edge.checked_sub(back) else {
                continue;
            };
            // Outside a string (filler is whitespace) and inside one (filler is a letter, after
            // an opening quote at 0), and next to scalars.
            for &(filler, open) in fillers {
                let mut v = place(filler, at, feature, len);
                if open && at > 0 {
                    v[0] = b'"';
                }
                f(&v);
            }
        }
    }
}

#[test]
fn features_straddle_block_boundaries() {
    let edges: &[usize] = if cfg!(miri) { &[64] } else { &[64, 128, 192] };
    for &edge in edges {
        straddle_cases(edge, edge + 40, if cfg!(miri) { 1 } else { 5 }, check);
    }
}

#[test]
fn backslash_runs_of_every_parity_across_blocks() {
    let max = if cfg!(miri) { 3 } else { 70 };
    let starts: &[usize] = if cfg!(miri) {
        &[0, 63, 64]
    } else {
        &[0, 1, 30, 60, 63, 64, 65, 127]
    };
    for run_len in 0..=max {
        for &start in starts {
            for inside in [false, true] {
                let mut v = Vec::new();
                if inside {
                    v.push(b'"');
                }
                v.resize(start.max(v.len()), b'x');
                v.extend(std::iter::repeat_n(b'\\', run_len));
                v.extend_from_slice(b"\"x\" 1,\"\\\\\" 2");
                check(&v);
            }
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "64 KiB inputs are too slow under Miri")]
fn features_straddle_the_window_boundary() {
    // Small windows cross boundaries in every other test; here the real size, more sparsely.
    let features: &[&[u8]] = &[
        b"\"",
        b"\\\"",
        b"\\\\\"",
        "\u{1d11e}".as_bytes(),
        b"\xE2\x82",
        b"\x01",
        b"12345",
    ];
    straddle_features(
        features,
        WINDOW_BYTES,
        WINDOW_BYTES + 64,
        0,
        &[(b' ', false), (b'a', true)],
        |v| check_windows(v, &[WINDOW_BYTES]),
    );
    // A character cut by the window end whose completion lies in the last, short window.
    for extra in 1..4 {
        let mut v = vec![b' '; WINDOW_BYTES - 1];
        v.extend_from_slice(&"\u{1d11e}".as_bytes()[..extra + 1]);
        check(&v);
    }
    // Realistic text over several windows, with and without an error late in it.
    let big: Vec<u8> = SAMPLE
        .iter()
        .copied()
        .cycle()
        .take(3 * WINDOW_BYTES + 77)
        .collect();
    check(&big);
    let mut bad = big.clone();
    bad[2 * WINDOW_BYTES + 5] = 0xFF;
    check(&bad);
}

#[test]
fn exact_size_buffers() {
    let lengths: Vec<usize> = if cfg!(miri) {
        vec![0, 1, 63, 64, 65, 130]
    } else {
        (0..=130)
            .chain([WINDOW_BYTES - 1, WINDOW_BYTES, WINDOW_BYTES + 1])
            .collect()
    };
    for n in lengths {
        let data: Vec<u8> = SAMPLE.iter().copied().cycle().take(n).collect();
        // A boxed slice has no spare capacity: the input ends in the allocation's last byte.
        let exact = Vec::from(data.into_boxed_slice());
        assert_eq!(exact.capacity(), exact.len());
        check(&exact);
    }
}

#[test]
fn unsupported_backends_are_refused_or_replaced() {
    for &b in Backend::all() {
        assert_eq!(Indexer::try_new(b).is_some(), b.is_supported(), "{b}");
        let fallback = Indexer::new(b).backend();
        if b.is_supported() {
            assert_eq!(fallback, b);
        } else {
            assert_eq!(fallback, super::detected());
        }
    }
    assert!(Backend::Scalar.is_supported());
    assert!(Backend::supported().contains(&super::detected()));
    assert_eq!(super::backend(), super::detected().name());
    assert_eq!(super::detected(), super::detected());
}

#[test]
fn names_and_forcing() {
    for &b in Backend::all() {
        assert_eq!(Backend::from_name(b.name()), Some(b));
        assert_eq!(Backend::from_name(&b.name().to_uppercase()), Some(b));
    }
    assert_eq!(Backend::from_name("sse42"), Some(Backend::Sse42));
    assert_eq!(Backend::from_name("avx3"), None);
    let auto = super::choose(None).0;
    assert_eq!(Backend::supported().first(), Some(&auto));
    assert_eq!(super::choose(Some("")), (auto, None));
    assert_eq!(super::choose(Some("scalar")), (Backend::Scalar, None));
    let (b, warning) = super::choose(Some("bogus"));
    assert_eq!(b, auto);
    assert!(warning.is_some());
    for &b in Backend::all() {
        let (chosen, warning) = super::choose(Some(b.name()));
        if b.is_supported() {
            assert_eq!((chosen, warning), (b, None));
        } else {
            assert_eq!(chosen, auto);
            assert!(warning.is_some());
        }
    }
}

#[test]
fn scanner_counts_match_the_oracle_on_the_docs_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/docs");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files = 0;
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read(entry.path()) else {
            continue;
        };
        files += 1;
        check(&text);
        let want = naive::index(&text).structurals.len();
        for backend in Backend::supported() {
            let Some(mut scanner) = super::stage1::Scanner::new(backend) else {
                panic!("{backend} listed as supported");
            };
            assert_eq!(scanner.scan(&text).ok(), Some(want), "{backend}");
            // Reuse works.
            assert_eq!(scanner.scan(&text).ok(), Some(want), "{backend}");
        }
        if cfg!(miri) {
            break;
        }
    }
    assert!(files > 0);
}

#[test]
fn scanner_reports_the_first_error() {
    let mut scanner = super::stage1::Scanner::detected();
    let err = scanner.scan(b"[\"a\x01\", \"\xFF\"]").err();
    assert_eq!(
        err.as_ref().map(|e| (e.kind(), e.offset())),
        Some((crate::ErrorKind::ControlCharacterInString, 3))
    );
    let err = scanner.scan(b"[\"\xFF\", \"a\x01\"]").err();
    assert_eq!(
        err.as_ref().map(|e| (e.kind(), e.offset())),
        Some((crate::ErrorKind::InvalidUtf8, 2))
    );
    assert_eq!(scanner.scan(b"").ok(), Some(0));
}

/// Bytes that matter to stage 1, weighted toward JSON structure and block-edge trouble.
fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => Just(b"\"".to_vec()),
        4 => Just(b"\\".to_vec()),
        3 => prop::sample::select(b"{}[]:,".to_vec()).prop_map(|b| vec![b]),
        3 => prop::sample::select(b" \t\n\r".to_vec()).prop_map(|b| vec![b]),
        4 => prop::sample::select(b"abtrue0123456789-.eE".to_vec()).prop_map(|b| vec![b]),
        1 => (0u8..0x20).prop_map(|b| vec![b]),
        1 => Just("\u{e9}".as_bytes().to_vec()),
        1 => Just("\u{20ac}".as_bytes().to_vec()),
        1 => Just("\u{1d11e}".as_bytes().to_vec()),
        1 => (0x80u8..=0xFF).prop_map(|b| vec![b]),
        1 => prop::collection::vec(b' '..=b'~', 1..64),
    ]
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(token(), 0..160).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 128 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[cfg_attr(miri, ignore = "proptest is too slow to interpret; Miri runs the table tests above")]
    #[test]
    fn random_inputs_match_the_oracle(input in input()) {
        check(&input);
    }

    #[cfg_attr(miri, ignore = "proptest is too slow to interpret; Miri runs the table tests above")]
    #[test]
    fn random_valid_utf8_matches_the_oracle(text in "[\"\\\\{}\\[\\]:, a-z0-9\u{e9}\u{20ac}\u{1d11e}]{0,300}") {
        check(text.as_bytes());
    }
}

/// Miri cannot detect CPU features, so under Miri the SIMD backends are never "supported" and the
/// shared runner above only covers the scalar one. This test builds each x86_64 SIMD kernel
/// directly when the build enables its features (`.ci/miri` runs it a second time with
/// `RUSTFLAGS=-Ctarget-feature=+sse4.2,+popcnt,+avx2,+pclmulqdq,+bmi1,+lzcnt`, and with AVX-512 F+BW where Miri
/// emulates their intrinsics) and compares it with the oracle on inputs that cross block and
/// window boundaries. Miri then checks every load, intrinsic and the padded last block.
#[cfg(all(miri, target_arch = "x86_64"))]
#[test]
fn simd_kernels_under_miri() {
    use super::Kernel;
    #[allow(unused_mut)] // reason: which kernels are pushed depends on the build's target features
    let mut kernels: Vec<Kernel> = Vec::new();
    #[cfg(all(target_feature = "sse4.2", target_feature = "popcnt"))]
    // SAFETY: the build enables SSE4.2 and POPCNT (`-Ctarget-feature`), so every instruction Miri interprets
    // is one the (virtual) CPU has.
    kernels.push(Kernel::Sse42(unsafe {
        super::sse42::Sse42::new_unchecked()
    }));
    #[cfg(all(
        target_feature = "avx2",
        target_feature = "pclmulqdq",
        target_feature = "popcnt",
        target_feature = "bmi1",
        target_feature = "lzcnt"
    ))]
    // SAFETY: as above, for AVX2, PCLMULQDQ, POPCNT, BMI1 and LZCNT.
    kernels.push(Kernel::Avx2(unsafe { super::avx2::Avx2::new_unchecked() }));
    #[cfg(all(
        target_feature = "avx512f",
        target_feature = "avx512bw",
        target_feature = "pclmulqdq",
        target_feature = "popcnt",
        target_feature = "bmi1",
        target_feature = "lzcnt"
    ))]
    // SAFETY: as above, for AVX-512 F+BW, PCLMULQDQ, POPCNT, BMI1 and LZCNT.
    kernels.push(Kernel::Avx512(unsafe {
        super::avx512::Avx512::new_unchecked()
    }));
    if kernels.is_empty() {
        eprintln!("simd_kernels_under_miri: no SIMD target feature enabled in this build; skipped");
        return;
    }
    let escaped: Vec<u8> = (0..=255u8).flat_map(|b| [b'\\', b]).collect();
    let inputs: Vec<Vec<u8>> = vec![
        SAMPLE.to_vec(),
        SAMPLE.iter().copied().cycle().take(200).collect(),
        (0..=255u8).collect(),
        escaped,
        place(b'x', 62, b"\\\\\\\"\xe2\x82\xac\"", 140),
        place(b' ', 63, b"\"\x01\"", 70),
        b"[\"\xED\xA0\x80\"]".to_vec(),
    ];
    for kernel in kernels {
        for input in &inputs {
            let want = naive::index(input);
            for window_bytes in [64, 192] {
                let mut indexer = Indexer::with(kernel).with_window_bytes(window_bytes);
                let mut window = Window::default();
                let mut got = NaiveIndex::default();
                let mut start = 0;
                loop {
                    let error = indexer.index_window(input, start, &mut window);
                    got.error = got.error.or(error);
                    got.structurals.extend_from_slice(&window.structurals);
                    got.backslashes.extend_from_slice(&window.backslashes);
                    start = window.end;
                    if start >= input.len() {
                        break;
                    }
                }
                assert_eq!(got, want, "{:?} (window {window_bytes})", kernel.backend());
            }
            nest_agrees(super::Nester(kernel), input, super::Nest::opened());
        }
    }
}

// ---- The nesting scan (`nest.rs`): every backend against the byte-at-a-time reference ----

/// Checks `nester` against [`find_close_bytes`] on `input` from state `start`: in one call, and
/// cut in two at every block-edge position (the second call continues from the first's state).
fn nest_agrees(nester: super::Nester, input: &[u8], start: super::Nest) {
    use super::nest::find_close_bytes;
    let mut want_state = start;
    let want = find_close_bytes(input, &mut want_state);
    let mut state = start;
    assert_eq!(
        nester.find_close(input, &mut state),
        want,
        "{nester:?} on {input:?}"
    );
    if want.is_none() {
        assert_eq!(state, want_state, "{nester:?} state on {input:?}");
    }
    let cuts: &[usize] = if cfg!(miri) {
        &[63, 64]
    } else {
        &[1, 63, 64, 65, 127, 128, 129, 200]
    };
    for &cut in cuts.iter().filter(|&&cut| cut < input.len()) {
        let mut state = start;
        let got = match nester.find_close(&input[..cut], &mut state) {
            Some(i) => Some(i),
            None => nester
                .find_close(&input[cut..], &mut state)
                .map(|i| i + cut),
        };
        assert_eq!(got, want, "{nester:?} cut at {cut} on {input:?}");
    }
}

fn nesters() -> Vec<super::Nester> {
    backends()
        .into_iter()
        .map(|b| super::Nester::new(b).unwrap_or_else(|| panic!("{b} listed as supported")))
        .collect()
}

#[test]
fn nest_finds_the_closing_bracket_past_strings_and_escapes() {
    let doc = br#""a{": [1, {"b": "\"}]"}], "c\\": {}} , tail"#;
    for nester in nesters() {
        let mut st = super::Nest::opened();
        let got = nester.find_close(doc, &mut st);
        assert_eq!(got, Some(doc.len() - 8), "{nester:?}");
        nest_agrees(nester, doc, super::Nest::opened());
        // The same with the closing bracket pushed across block and window edges.
        for pad in [0, 1, 50, 62, 63, 64, 65, 127, 128] {
            let mut padded = vec![b' '; pad];
            padded.extend_from_slice(doc);
            nest_agrees(nester, &padded, super::Nest::opened());
        }
    }
}

#[test]
fn nest_on_exact_size_buffers() {
    // Each input is its own allocation of exactly its length, so a read past the end is caught
    // by Miri and sanitizers; lengths cover every block remainder.
    let pattern = br#"{"k": "v\"}", "[": [1, {"x": "\\"}]}], "#;
    let max = if cfg!(miri) { 70 } else { 200 };
    for len in 0..=max {
        let input: Box<[u8]> = pattern.iter().copied().cycle().take(len).collect();
        for nester in nesters() {
            for depth in [1, 2, 5] {
                let start = super::Nest {
                    depth,
                    ..super::Nest::opened()
                };
                nest_agrees(nester, &input, start);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[cfg_attr(miri, ignore = "proptest is too slow to interpret; Miri runs the table tests above")]
    #[test]
    fn nest_agrees_on_noise(
        bytes in prop::collection::vec(
            prop_oneof![
                Just(b'"'), Just(b'\\'), Just(b'{'), Just(b'}'), Just(b'['), Just(b']'),
                Just(b'a'), Just(b' '), any::<u8>()
            ],
            0..400,
        ),
        depth in 1u64..4,
        in_string: bool,
        escaped: bool,
    ) {
        for nester in nesters() {
            nest_agrees(nester, &bytes, super::Nest { depth, in_string, escaped });
        }
    }

    #[cfg_attr(miri, ignore = "proptest is too slow to interpret; Miri runs the table tests above")]
    #[test]
    fn ahead_agrees_on_noise(
        open in prop_oneof![Just(b'{'), Just(b'[')],
        bytes in prop::collection::vec(
            prop_oneof![
                Just(b'"'), Just(b'\\'), Just(b'{'), Just(b'}'), Just(b'['), Just(b']'),
                Just(b'a'), Just(b' '), Just(b'\n'), Just(b':'), Just(b','), Just(0x01), Just(0xe9),
                any::<u8>()
            ],
            0..400,
        ),
        cuts in prop::collection::vec(0usize..400, 0..4),
    ) {
        let mut value = vec![open];
        value.extend_from_slice(&bytes);
        let mut cuts = cuts;
        cuts.sort_unstable();
        for backend in backends() {
            ahead_agrees(backend, &value, &cuts);
        }
    }
}

/// Indexes `value` ahead with `backend`, fed as growing prefixes cut at `cuts` (then whole), and
/// checks it against the oracle: the value ends where the byte-at-a-time nesting scan says, and
/// its index is the oracle's index of exactly those bytes.
fn ahead_agrees(backend: Backend, value: &[u8], cuts: &[usize]) {
    use super::nest::{find_close_bytes, Nest};
    use super::{Ahead, AheadIndexer};
    let want_len = value
        .get(1..)
        .and_then(|rest| find_close_bytes(rest, &mut Nest::opened()))
        .map(|i| i + 2);
    let Some(mut ahead) = AheadIndexer::new(backend) else {
        panic!("{backend} listed as supported");
    };
    // Twice: the second value reuses the buffers of the first.
    for _ in 0..2 {
        ahead.begin();
        let mut got = None;
        for &cut in cuts
            .iter()
            .filter(|&&c| c < value.len())
            .chain([&value.len()])
        {
            match ahead.advance(&value[..cut]) {
                Ahead::Closed(len) => {
                    got = Some(len);
                    assert!(len <= cut, "{backend}: closed at {len} with {cut} bytes");
                    break;
                }
                Ahead::Open => {}
                Ahead::Handoff { .. } => panic!("{backend}: handoff on {} bytes", value.len()),
            }
        }
        assert_eq!(got, want_len, "{backend} cuts {cuts:?} on {value:?}");
        let Some(len) = got else {
            assert!(ahead.indexed(value.len()).is_none());
            continue;
        };
        let want = naive::index(&value[..len]);
        let Some(index) = ahead.indexed(len) else {
            panic!("{backend}: no index for the closed value");
        };
        assert_eq!(
            (
                &index.window.structurals,
                &index.window.backslashes,
                index.error
            ),
            (&want.structurals, &want.backslashes, want.error),
            "{backend} cuts {cuts:?} on {:?}",
            String::from_utf8_lossy(value)
        );
        assert_eq!((index.window.start, index.window.end), (0, len));
        let newlines = value[..len].iter().filter(|&&b| b == b'\n').count() as u64;
        let last = value[..len].iter().rposition(|&b| b == b'\n');
        assert_eq!(
            (index.newlines, index.last_newline),
            (newlines, last),
            "{backend} newlines, cuts {cuts:?} on {value:?}"
        );
    }
}

/// Every backend, fed whole, in two pieces around block edges, and byte by byte (short values).
fn ahead_agrees_everywhere(value: &[u8]) {
    let single: Vec<usize> = if value.len() <= 300 && !cfg!(miri) {
        (1..value.len()).collect()
    } else {
        Vec::new()
    };
    let cuts: &[usize] = if cfg!(miri) {
        &[64]
    } else {
        &[1, 63, 64, 65, 127, 128, 129, 200]
    };
    for backend in backends() {
        ahead_agrees(backend, value, &[]);
        for &cut in cuts {
            ahead_agrees(backend, value, &[cut]);
        }
        ahead_agrees(backend, value, &single);
    }
}

#[test]
fn ahead_indexes_exactly_the_value() {
    let session = br#"{"id": "a{\"}", "n": [1, -2.5e3, true], "s\\": {"t": "\u00e9"}, "z": null}"#;
    let cases: Vec<Vec<u8>> = vec![
        b"{}".to_vec(),
        b"[]".to_vec(),
        session.to_vec(),
        // What follows the value is not part of its index.
        [&session[..], b", {\"next\": 1}, 2]"].concat(),
        [&session[..], b"]\n\t\"x\\"].concat(),
        b"{\n  \"a\": \"x\ny\",\n  \"b\": [\n1\n]\n}\n\n".to_vec(),
        // Stage-1 errors inside the value, and after it (ignored).
        b"{\"a\": \"x\x01y\"}".to_vec(),
        b"{\"a\": \"x\xffy\"}, \"\x01\"".to_vec(),
        b"{\"a\": \"\xe2\x82\"}".to_vec(),
        b"{\"a\": 1} \"\xff\x01\"".to_vec(),
        // Unclosed.
        b"{\"a\": [1, 2".to_vec(),
        b"{\"a\": \"}\"".to_vec(),
    ];
    for case in &cases {
        ahead_agrees_everywhere(case);
        // The end pushed across block edges.
        let pads: &[usize] = if cfg!(miri) {
            &[63]
        } else {
            &[1, 50, 62, 63, 64, 65, 127, 128]
        };
        for &pad in pads {
            let mut padded = case.clone();
            let at = padded.len().min(2);
            padded.splice(at..at, core::iter::repeat_n(b' ', pad));
            ahead_agrees_everywhere(&padded);
        }
    }
}

#[test]
fn ahead_on_exact_size_buffers() {
    // With newlines, so that the newline count's vector and tail parts meet at every length.
    let pattern = b"{\"k\": \"v\\\"}\",\n \"[\": [1, {\"x\": \"\\\\\"}]}],\n ";
    let max = if cfg!(miri) { 70 } else { 200 };
    for len in 1..=max {
        let mut value: Vec<u8> = vec![b'['];
        value.extend(pattern.iter().copied().cycle().take(len - 1));
        let value: Box<[u8]> = value.into_boxed_slice();
        for backend in backends() {
            ahead_agrees(backend, &value, &[]);
            ahead_agrees(backend, &value, &[len / 2]);
        }
    }
}

#[test]
fn ahead_counts_dense_newlines() {
    // All newlines: every byte lane of the vector counters takes the most a run allows, and the
    // values span several runs (`NEWLINE_RUN`) and pieces; a run too long for its lanes wraps.
    // Under Miri, which checks the unsafe loads rather than the counts, two short lengths do.
    let lengths: &[usize] = if cfg!(miri) {
        &[33, 200]
    } else {
        &[
            0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 4030, 4031, 4032, 4033, 4095, 4096, 4097,
            9000, 20000,
        ]
    };
    for &n in lengths {
        let mut value = b"[".to_vec();
        value.resize(n + 1, b'\n');
        value.extend_from_slice(b"]\n");
        for backend in backends() {
            ahead_agrees(backend, &value, &[]);
            if !cfg!(miri) {
                ahead_agrees(backend, &value, &[value.len() / 2]);
            }
        }
        if cfg!(miri) {
            continue;
        }
        // Inside a string (a stage-1 error, still counted) and around other bytes.
        let text: Vec<u8> = b"{\"a\":\n\"x\ny\"\n}"
            .iter()
            .copied()
            .chain(core::iter::repeat_n(b'\n', n))
            .collect();
        let value = [&b"["[..], &text, b"]"].concat();
        for backend in backends() {
            ahead_agrees(backend, &value, &[]);
        }
    }
}

#[test]
fn ahead_checks_utf8_around_run_and_piece_edges() {
    use super::kernel::TALLY_RUN;
    // Only the runs of bytes that hold a byte above ASCII get the UTF-8 check, so put valid and
    // invalid sequences across the edges of those runs and of the indexer's pieces (16 KiB), alone
    // and after a valid character some runs before, and compare the first error with the oracle's.
    let features: &[&[u8]] = &[
        "é".as_bytes(),
        "€".as_bytes(),
        "𝄞".as_bytes(),
        b"\x80",
        b"\xe2\x82",
        b"\xf0\x9d\x84",
        b"\xc0\x80",
        b"\xed\xa0\x80",
        b"\xff",
    ];
    // Under Miri, which checks the tally's loads rather than the UTF-8 logic, one valid and one
    // invalid sequence across one run edge do.
    let features = if cfg!(miri) {
        &features[2..4]
    } else {
        features
    };
    // Values that end on a block's edge (their last run holds the closing bracket, and is checked
    // when the value closes) and two bytes past one (a partial block, in a run of its own).
    let (lens, edges): (&[usize], &[usize]) = if cfg!(miri) {
        (&[TALLY_RUN + 62], &[TALLY_RUN])
    } else {
        (
            &[(16 << 10) + 3 * TALLY_RUN - 2, (16 << 10) + 3 * TALLY_RUN],
            &[
                1,
                TALLY_RUN,
                3 * TALLY_RUN,
                16 << 10,
                (16 << 10) + TALLY_RUN,
                usize::MAX,
            ],
        )
    };
    let shifts: &[usize] = if cfg!(miri) { &[2] } else { &[0, 1, 2, 3, 4] };
    for (&len, feature) in lens
        .iter()
        .flat_map(|l| features.iter().map(move |f| (l, f)))
    {
        for (&edge, &shift) in edges
            .iter()
            .flat_map(|e| shifts.iter().map(move |s| (e, s)))
        {
            // `usize::MAX` puts the feature last, against the closing quote.
            let at = edge
                .saturating_add(shift)
                .saturating_sub(2)
                .clamp(2, len - feature.len());
            let earlier = Some(at.saturating_sub(2 * TALLY_RUN + 7));
            for earlier in [None, earlier]
                .into_iter()
                .take(if cfg!(miri) { 1 } else { 2 })
            {
                let mut value = vec![b'a'; len];
                value[..2].copy_from_slice(b"[\"");
                value[at..at + feature.len()].copy_from_slice(feature);
                if let Some(e) = earlier.filter(|&e| e > 2) {
                    value[e..e + 2].copy_from_slice("é".as_bytes());
                }
                value.extend_from_slice(b"\"]");
                for backend in backends() {
                    ahead_agrees(backend, &value, &[]);
                    if !cfg!(miri) {
                        ahead_agrees(backend, &value, &[at + 1, len / 2]);
                    }
                }
            }
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "a value over 1 MiB is too slow to interpret")]
fn ahead_hands_long_values_over_to_the_nesting_scan() {
    use super::ahead::AHEAD_MAX_BYTES;
    use super::nest::{find_close_bytes, Nest};
    use super::{Ahead, AheadIndexer};
    let mut value = b"{\"a\": [".to_vec();
    while value.len() <= AHEAD_MAX_BYTES {
        value.extend_from_slice(br#"{"s": "x\"]}", "n": 1}, "#);
    }
    value.extend_from_slice(b"{}]}");
    for backend in backends() {
        let mut ahead = AheadIndexer::new(backend).unwrap_or_else(|| panic!("{backend}"));
        ahead.begin();
        let Ahead::Handoff { at, nest } = ahead.advance(&value) else {
            panic!("{backend}: no handoff");
        };
        assert_eq!(at, AHEAD_MAX_BYTES);
        let mut want = Nest::opened();
        assert_eq!(find_close_bytes(&value[1..at], &mut want), None);
        assert_eq!(nest, want, "{backend}");
        assert!(ahead.indexed(value.len()).is_none());
    }
}

#[test]
#[cfg_attr(miri, ignore = "the ahead tables above run its kernels under Miri")]
fn scanner_index_value_is_the_index_of_exactly_the_value() {
    use super::stage1::{IndexedValue, Scanner};
    let (mut structurals, mut backslashes) = (Vec::new(), Vec::new());
    let (mut want_s, mut want_b) = (Vec::new(), Vec::new());
    let cases: &[(&[u8], Option<usize>)] = &[
        (b"{\"a\\\"\": [1,\n2]} [3]", Some(15)),
        (b"[\n\n]", Some(4)),
        (b"[{\"x\": \"]\"}\n, 4]\n", Some(16)),
        // Not a container at the start, or not closed.
        (b" {}", None),
        (b"\"s\"", None),
        (b"{\"a\": [1}", None),
        (b"", None),
    ];
    for backend in backends() {
        let Some(mut scanner) = Scanner::new(backend) else {
            continue;
        };
        for &(input, len) in cases {
            for piece in [1, 5, 64, input.len().max(1)] {
                let got = scanner.index_value(input, piece, &mut structurals, &mut backslashes);
                let want = len.map(|len| IndexedValue {
                    len,
                    newlines: input[..len].iter().filter(|&&b| b == b'\n').count() as u64,
                });
                assert_eq!(got.ok(), Some(want), "{backend} piece {piece} on {input:?}");
                match len {
                    Some(len) => {
                        assert!(scanner
                            .index(&input[..len], &mut want_s, &mut want_b)
                            .is_ok());
                        assert_eq!((&structurals, &backslashes), (&want_s, &want_b));
                    }
                    None => assert!(structurals.is_empty() && backslashes.is_empty()),
                }
            }
        }
        // A stage-1 error inside the value is reported at its offset; one after it is not.
        let err = scanner.index_value(b"{\"a\": \"\x01\"}", 4, &mut structurals, &mut backslashes);
        let err = err.err().map(|e| (e.kind(), e.offset()));
        assert_eq!(
            err,
            Some((crate::ErrorKind::ControlCharacterInString, 7)),
            "{backend}"
        );
        let ok = scanner.index_value(b"{} \"\xff\"", 4, &mut structurals, &mut backslashes);
        assert_eq!(ok.ok().flatten().map(|v| v.len), Some(2), "{backend}");
    }
}
