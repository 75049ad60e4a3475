//! Encryption at rest: every store file is an SQLCipher database (AES-256, an HMAC per page,
//! the WAL included) under a random 256-bit key kept in a key file *outside* the data
//! directory, so a copied data directory (backup, a tablet's card) reads as noise. A store from
//! before encryption is converted once, its clear original kept as a backup.

use crate::StoreError;
use crate::files::{io_at, sidecar, sync, write_private};
use rusqlite::{Connection, OpenFlags, params};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Where a store and its key live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreFiles {
    /// The SQLCipher database.
    pub store: PathBuf,
    /// Its key: 64 hex digits, readable by its owner only, never in the store's directory.
    pub key: PathBuf,
}

impl StoreFiles {
    pub fn new(store: impl Into<PathBuf>, key: impl Into<PathBuf>) -> StoreFiles {
        StoreFiles {
            store: store.into(),
            key: key.into(),
        }
    }
}

/// A store key, wiped from memory when dropped.
pub(crate) struct StoreKey(Zeroizing<[u8; 32]>);

impl StoreKey {
    fn generate() -> Result<StoreKey, StoreError> {
        let mut key = Zeroizing::new([0u8; 32]);
        crate::seal::random(&mut *key)?;
        Ok(StoreKey(key))
    }

    /// SQLCipher's raw-key literal (no key derivation: the key is random already).
    fn literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(*self.0)))
    }

    /// The key given to a new connection, before anything else is read.
    pub(crate) fn apply(&self, conn: &Connection) -> rusqlite::Result<()> {
        // A wrong key is our error to word; SQLCipher's own log would print it to stderr too.
        conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()))
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(()),
                e => Err(e),
            })?;
        conn.pragma_update(None, "key", &*self.literal())
    }
}

/// The key of `files`, read from its file; `None` when there is no key file.
pub(crate) fn read_key(files: &StoreFiles) -> Result<Option<StoreKey>, StoreError> {
    check_key_place(files)?;
    let path = &files.key;
    let text = match std::fs::read_to_string(path) {
        Ok(t) => Zeroizing::new(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_at(path)(e)),
    };
    check_private(path)?;
    let mut key = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text.trim(), &mut *key).map_err(|_| StoreError::BadKeyFile {
        path: path.clone(),
        why: "it does not hold 64 hexadecimal digits".into(),
    })?;
    Ok(Some(StoreKey(key)))
}

/// The key of `files`, made (and written, owner-only, durably) if there is none yet.
pub(crate) fn read_or_make_key(files: &StoreFiles) -> Result<StoreKey, StoreError> {
    if let Some(key) = read_key(files)? {
        return Ok(key);
    }
    let key = StoreKey::generate()?;
    if let Some(dir) = files.key.parent() {
        make_private_dir(dir)?;
    }
    write_private(&files.key, &format!("{}\n", hex::encode(*key.0)))?;
    Ok(key)
}

/// A key in the store's own directory would travel with every copy of it.
fn check_key_place(files: &StoreFiles) -> Result<(), StoreError> {
    let dir_of = |p: &Path| {
        let parent = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_owned())
    };
    if dir_of(&files.key) == dir_of(&files.store) {
        return Err(StoreError::BadKeyFile {
            path: files.key.clone(),
            why: "it is in the store's own directory, where any copy of the store would carry \
                  it; keep it elsewhere (the default is under ~/.config/jumeau/store-keys)"
                .into(),
        });
    }
    Ok(())
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(io_at(path))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(StoreError::BadKeyFile {
            path: path.to_owned(),
            why: format!(
                "others may read it (mode {:o}); make it the owner's only: chmod 600",
                mode & 0o777
            ),
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), StoreError> {
    Ok(())
}

fn make_private_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io_at(dir))
}

/// Converts the clear store `conn` (already checked: a Jumeau schema, not newer) into an
/// SQLCipher file under the key of `files`, keeping the clear original in
/// `backup-before-encryption/` beside it. The rows of every table are counted on both sides
/// before the encrypted file replaces the clear one (an atomic rename): a crash at any point
/// leaves one complete store at the path. Returns the backup.
pub(crate) fn encrypt_clear_store(
    conn: Connection,
    files: &StoreFiles,
) -> Result<PathBuf, StoreError> {
    let path = &files.store;
    // Leaving WAL needs every other connection closed: an older Jumeau still writing to the
    // clear file would otherwise lose its writes to the file being replaced.
    let in_use = || StoreError::InUse { path: path.clone() };
    conn.busy_timeout(std::time::Duration::ZERO)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                in_use()
            }
            _ => e.into(),
        })?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(in_use());
    }
    let key = read_or_make_key(files)?;
    let encrypting = sidecar(path, ".encrypting");
    let _ = std::fs::remove_file(&encrypting);
    conn.execute(
        "ATTACH DATABASE ?1 AS encrypted KEY ?2",
        params![encrypting.to_string_lossy(), &*key.literal()],
    )?;
    conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    conn.pragma_update(Some("encrypted"), "user_version", version)?;
    conn.execute_batch("DETACH DATABASE encrypted")?;
    let counts = table_counts(&conn)?;
    drop(conn);

    let copy = Connection::open_with_flags(&encrypting, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    key.apply(&copy)?;
    let same = table_counts(&copy)? == counts;
    let healthy: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    drop(copy);
    if !same || healthy != "ok" {
        let _ = std::fs::remove_file(&encrypting);
        return Err(StoreError::Invalid(format!(
            "encrypting {} gave a copy that differs from it ({healthy}); the clear store was \
             left as it was",
            path.display()
        )));
    }
    sync(&encrypting)?;

    let backup = keep_clear_backup(path)?;
    std::fs::rename(&encrypting, path).map_err(io_at(path))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        sync(dir)?;
    }
    Ok(backup)
}

/// Row count of every table, by name.
fn table_counts(conn: &Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    names
        .into_iter()
        .map(|name| {
            let quoted = name.replace('"', "\"\"");
            let n = conn.query_row(&format!("SELECT count(*) FROM \"{quoted}\""), [], |r| {
                r.get(0)
            })?;
            Ok((name, n))
        })
        .collect()
}

/// Copies the clear store (durably, owner-only) to `backup-before-encryption/` beside it.
fn keep_clear_backup(path: &Path) -> Result<PathBuf, StoreError> {
    let dir = path
        .parent()
        .unwrap_or(Path::new("."))
        .join("backup-before-encryption");
    make_private_dir(&dir)?;
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".into());
    let backup = dir.join(format!("{name}.clear-{seconds}"));
    std::fs::copy(path, &backup).map_err(io_at(&backup))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&backup, std::fs::Permissions::from_mode(0o600))
            .map_err(io_at(&backup))?;
    }
    sync(&backup)?;
    Ok(backup)
}
