//! Every stage-1 backend this CPU supports agrees with the scalar reference on every input.
#![no_main]

use callrecords::stage1::Scanner;
use callrecords::Backend;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(mut reference) = Scanner::new(Backend::Scalar) else {
        return;
    };
    let expected = reference.scan(data).map_err(|e| (e.kind(), e.offset()));
    for backend in Backend::supported() {
        let Some(mut scanner) = Scanner::new(backend) else {
            continue;
        };
        let got = scanner.scan(data).map_err(|e| (e.kind(), e.offset()));
        assert_eq!(got, expected, "backend {backend:?}");
    }
});
