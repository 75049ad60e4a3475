//! Procedure files (TOML) loaded and checked against the embedded plant's master data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static MD: LazyLock<jumeau_core::masterdata::MasterData> =
    LazyLock::new(|| jumeau_core::plant::embedded().md);

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = jumeau_core::procedure::load("fuzz.toml", text, &MD);
    }
});
