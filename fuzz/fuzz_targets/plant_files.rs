//! The plant files: one of the eight (chosen by the first byte) replaced by the input, the
//! others as embedded, parsed and checked as a whole.
#![no_main]

use jumeau_core::plant;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut files = plant::EMBEDDED;
    files[*which as usize % files.len()].1 = text;
    let _ = plant::parse(&files, Vec::new());
});
