//! Every stage-1 backend this CPU supports agrees with the scalar reference on every input, bit for
//! bit: the same structural offsets, the same backslash bitmap and the same first error. The same
//! holds for the streaming reader's ahead index of a value at the start of the input (its end, its
//! index and its newline count, fed in pieces), which must also be the plain index of exactly
//! that value, ending where the structurals' brackets first balance.
#![no_main]

use callrecords::stage1::{IndexedValue, Scanner};
use callrecords::Backend;
use libfuzzer_sys::fuzz_target;

type Output = (
    Vec<u32>,
    Vec<u64>,
    Result<(), (callrecords::ErrorKind, u64)>,
);

fn index(scanner: &mut Scanner, data: &[u8]) -> Output {
    let (mut structurals, mut backslashes) = (Vec::new(), Vec::new());
    let result = scanner
        .index(data, &mut structurals, &mut backslashes)
        .map_err(|e| (e.kind(), e.offset()));
    (structurals, backslashes, result)
}

type ValueOutput = (
    Result<Option<IndexedValue>, (callrecords::ErrorKind, u64)>,
    Vec<u32>,
    Vec<u64>,
);

fn index_value(scanner: &mut Scanner, data: &[u8], piece: usize) -> ValueOutput {
    let (mut structurals, mut backslashes) = (Vec::new(), Vec::new());
    let result = scanner
        .index_value(data, piece, &mut structurals, &mut backslashes)
        .map_err(|e| (e.kind(), e.offset()));
    (result, structurals, backslashes)
}

/// Where the value starting at byte 0 ends, from the whole input's structurals: one past the
/// bracket at which the brackets first balance.
fn balanced_end(data: &[u8], structurals: &[u32]) -> Option<usize> {
    let mut depth = 0u64;
    for &o in structurals {
        match data.get(o as usize)? {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(o as usize + 1);
                }
            }
            _ => {}
        }
    }
    None
}

fuzz_target!(|data: &[u8]| {
    let Some(mut reference) = Scanner::new(Backend::Scalar) else {
        return;
    };
    let expected = index(&mut reference, data);
    // `scan` is `index` without the outputs: same count, same error.
    let scanned = reference.scan(data).map_err(|e| (e.kind(), e.offset()));
    match (&scanned, &expected.2) {
        (Ok(n), Ok(())) => assert_eq!(*n, expected.0.len()),
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("scan {scanned:?} but index {:?}", expected.2),
    }
    assert_eq!(expected.1.len(), data.len().div_ceil(64));
    assert!(expected.0.windows(2).all(|w| w[0] < w[1]), "offsets ascend");
    assert!(expected.0.iter().all(|&o| (o as usize) < data.len()));
    for backend in Backend::supported() {
        let Some(mut scanner) = Scanner::new(backend) else {
            continue;
        };
        let got = index(&mut scanner, data);
        assert_eq!(got.2, expected.2, "backend {backend}: error");
        assert_eq!(got.1, expected.1, "backend {backend}: backslash bitmap");
        assert_eq!(got.0, expected.0, "backend {backend}: structural offsets");
    }

    // The ahead index, scalar, whole input at once, against the plain index.
    let want = index_value(&mut reference, data, data.len());
    let opens = matches!(data.first(), Some(b'{' | b'['));
    match (&want.0, opens.then(|| balanced_end(data, &expected.0)).flatten()) {
        (Ok(Some(value)), Some(end)) => {
            assert_eq!(value.len, end, "value end");
            let plain = index(&mut reference, &data[..end]);
            assert_eq!((&want.1, &want.2, &plain.2), (&plain.0, &plain.1, &Ok(())));
            let newlines = data[..end].iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(value.newlines, newlines, "newlines");
        }
        (Err((_, at)), Some(end)) => {
            assert!((*at as usize) < end, "error at {at} after the value's end {end}");
            assert_eq!(index(&mut reference, &data[..end]).2, Err(want.0.unwrap_err()));
        }
        (Ok(None), None) => {}
        (got, end) => panic!("ahead index {got:?}, but the brackets balance at {end:?}"),
    }
    // Every backend, fed in pieces as the reader's reads arrive, gives the same.
    for backend in Backend::supported() {
        let Some(mut scanner) = Scanner::new(backend) else {
            continue;
        };
        for piece in [1 + data.len() % 61, 64, data.len()] {
            let got = index_value(&mut scanner, data, piece);
            assert_eq!(got, want, "backend {backend}, pieces of {piece}: ahead index");
        }
    }
});
