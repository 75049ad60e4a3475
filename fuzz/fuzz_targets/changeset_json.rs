//! Change-set JSON as `jumeau changesets propose` reads it, applied to the embedded plant and
//! checked.
#![no_main]

use jumeau_core::changeset::ChangeSetContent;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static MD: LazyLock<jumeau_core::masterdata::MasterData> =
    LazyLock::new(|| jumeau_core::plant::embedded().md);

fuzz_target!(|data: &[u8]| {
    if let Ok(content) = serde_json::from_slice::<ChangeSetContent>(data) {
        let _ = content.apply(&MD);
    }
});
