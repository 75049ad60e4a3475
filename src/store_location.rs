//! Where the local store lives.

use anyhow::Context;
use std::path::{Path, PathBuf};

/// `DIR/jumeau.sqlite` for `--data-dir DIR`, else the platform's data directory
/// (`~/.local/share/jumeau` on Linux). Creates the directory.
pub fn store_path(data_dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = match data_dir {
        Some(d) => d.to_owned(),
        None => directories::ProjectDirs::from("org", "jumeau", "jumeau")
            .context("no home directory: pass --data-dir DIR")?
            .data_dir()
            .to_owned(),
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    Ok(dir.join(jumeau_store::STORE_FILE))
}

/// The device name used for signing keys: `--device`, else the host name, else `poste-local`.
/// Only letters, digits, '.', '-' and '_' are kept.
pub fn device_name(given: Option<&str>) -> String {
    let raw = given.map(str::to_owned).unwrap_or_else(|| {
        std::fs::read_to_string("/etc/hostname")
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    });
    let clean: String = raw
        .chars()
        .filter(|c| jumeau_core::logbook::is_device_name_char(*c))
        .collect();
    if clean.is_empty() {
        "poste-local".to_owned()
    } else {
        clean
    }
}
