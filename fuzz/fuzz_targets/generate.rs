//! Any input: parse, lower, emit and format must return `Ok` or a clean
//! `Err`, never panic or hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = generator::generate(text, &generator::Options::default());
    }
});
