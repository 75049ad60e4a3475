//! One process at a time sets a store up — creating it, migrating, seeding, registering a
//! device's first key — under an advisory lock on `<store>.lock` beside it; the others wait for
//! it and then find the work done. A marker `<store>.seeded`, written once the first seeding is
//! complete, tells a data directory that held a store from one that never did.

use crate::StoreError;
use crate::files::sidecar;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Held while a store is set up; released when dropped (the file is closed).
pub(crate) struct SetupLock {
    _file: File,
}

/// Waits for, then takes, the store's setup lock.
pub(crate) fn setup_lock(store: &Path) -> Result<SetupLock, StoreError> {
    let path = sidecar(store, ".lock");
    let io = |source| StoreError::Io {
        path: path.clone(),
        source,
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(io)?;
    file.lock().map_err(io)?;
    Ok(SetupLock { _file: file })
}

/// The marker of a store whose first seeding completed.
pub fn seeded_marker(store: &Path) -> PathBuf {
    sidecar(store, ".seeded")
}

/// Writes the marker (durably) once the store is seeded.
pub(crate) fn mark_seeded(store: &Path) -> Result<(), StoreError> {
    let path = seeded_marker(store);
    if path.exists() {
        return Ok(());
    }
    let io = |source| StoreError::Io {
        path: path.clone(),
        source,
    };
    let file = File::create(&path).map_err(io)?;
    std::io::Write::write_all(
        &mut &file,
        b"A Jumeau store was seeded here; it is never re-created silently.\n",
    )
    .map_err(io)?;
    file.sync_all().map_err(io)
}
