//! Verification of an export and its manifest (`jumeau logbook verify-export`): the input is
//! split at the first NUL into the exported file and its `FILE.sig.json`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| tempfile::tempdir().unwrap());

fuzz_target!(|data: &[u8]| {
    let (file, manifest) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let path = DIR.path().join("export.csv");
    std::fs::write(&path, file).unwrap();
    std::fs::write(jumeau_reports::manifest_path(&path), manifest).unwrap();
    let trusted = [jumeau_reports::TrustedKey {
        public_key: [7; 32],
        owner: Some(("l.petit".into(), "audit-1".into())),
    }];
    let _ = jumeau_reports::verify_export(&path, &trusted);
});
