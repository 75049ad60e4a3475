//! Where the local store lives.

use anyhow::Context;
use jumeau_store::StoreFiles;
use std::path::Path;

/// The store `DIR/jumeau.sqlite` for `--data-dir DIR`, else in the platform's data directory
/// (`~/.local/share/jumeau` on Linux), and its key: `--store-key-file`, else one key per data
/// directory in the platform's configuration directory (`~/.config/jumeau/store-keys/` on
/// Linux), never beside the store. Creates the data directory.
pub fn store_files(data_dir: Option<&Path>, key_file: Option<&Path>) -> anyhow::Result<StoreFiles> {
    let dirs = || {
        directories::ProjectDirs::from("org", "jumeau", "jumeau")
            .context("no home directory: pass --data-dir DIR and --store-key-file FILE")
    };
    let dir = match data_dir {
        Some(d) => d.to_owned(),
        None => dirs()?.data_dir().to_owned(),
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    let key = match key_file {
        Some(k) => k.to_owned(),
        None => dirs()?
            .config_dir()
            .join("store-keys")
            .join(key_name(&dir)?),
    };
    Ok(StoreFiles::new(dir.join(jumeau_store::STORE_FILE), key))
}

/// `<last component>-<8 hex digits of the directory's absolute path>.key`: readable by a
/// person, distinct for two directories of the same name.
fn key_name(dir: &Path) -> anyhow::Result<String> {
    use sha2::Digest;
    let absolute = std::fs::canonicalize(dir)
        .with_context(|| format!("cannot resolve the data directory {}", dir.display()))?;
    let digest = sha2::Sha256::digest(absolute.as_os_str().as_encoded_bytes());
    let name: String = absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "root".into())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    Ok(format!("{name}-{}.key", hex::encode(&digest[..4])))
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
