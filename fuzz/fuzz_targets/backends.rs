//! Every stage-1 backend this CPU supports agrees with the scalar reference on every input, bit for
//! bit: the same structural offsets, the same backslash bitmap and the same first error.
#![no_main]

use callrecords::stage1::Scanner;
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
});
