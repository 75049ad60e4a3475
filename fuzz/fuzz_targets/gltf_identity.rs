//! Scene files (binary glTF): the identity nodes read back and checked against master data,
//! as `jumeau scene check` and the client do before trusting a scene.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static MD: LazyLock<jumeau_core::masterdata::MasterData> =
    LazyLock::new(|| jumeau_core::plant::embedded().md);

fuzz_target!(|data: &[u8]| {
    if let Ok(nodes) = jumeau_scenes::identity_nodes("fuzz.glb", data) {
        let _ = jumeau_scenes::check(&MD, &nodes);
    }
});
