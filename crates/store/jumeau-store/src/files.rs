//! Small file helpers shared by the store's modules: owner-only files, sidecar names, durable
//! directory entries.

use crate::StoreError;
use std::path::{Path, PathBuf};

/// `<path><suffix>`: a file that belongs to `path` (`jumeau.sqlite.lock`).
pub(crate) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes a new file readable by its owner only, durably; never overwrites.
pub(crate) fn write_private(path: &Path, content: &str) -> Result<(), StoreError> {
    use std::io::Write;
    let io = io_at(path);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_at(dir))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(&io)?;
    file.write_all(content.as_bytes()).map_err(&io)?;
    file.sync_all().map_err(io)
}

/// Flushes a file, or a directory's entries (after a rename), to disk.
pub(crate) fn sync(path: &Path) -> Result<(), StoreError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io_at(path))
}

/// Maps an I/O error to the store's error naming `path`.
pub(crate) fn io_at(path: &Path) -> impl Fn(std::io::Error) -> StoreError + use<> {
    let path = path.to_owned();
    move |source| StoreError::Io {
        path: path.clone(),
        source,
    }
}
