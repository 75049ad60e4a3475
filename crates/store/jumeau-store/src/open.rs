//! Opening a store file without ever damaging what is there: a new one is made encrypted, a
//! clear one from before encryption is encrypted once, anything else must open with its key.

use crate::migrate;
use crate::{StoreError, StoreFiles, at_rest};
use rusqlite::{Connection, OpenFlags};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// What lies at a store's path before it is opened.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Found {
    /// Nothing, or an empty file: a new store.
    Nothing,
    /// A clear SQLite file (a store from before encryption, or someone else's database).
    Clear,
    /// Anything else: an encrypted store, or a file that is not one.
    Opaque,
}

/// Opens the store of `files`, refusing anything that is not a readable Jumeau store of a
/// known schema version *before* the first write (WAL switch, migrations). A clear Jumeau store
/// is encrypted first; its clear backup is returned.
pub(crate) fn open_checked(
    files: &StoreFiles,
) -> Result<(Connection, Option<PathBuf>), StoreError> {
    let path = &files.store;
    let found = what_is_at(path)?;
    let mut backup = None;
    if found == Found::Clear {
        let clear = connect(path)?;
        check_schema(&clear, path)?;
        backup = Some(at_rest::encrypt_clear_store(clear, files)?);
    }
    let key = match found {
        Found::Nothing => at_rest::read_or_make_key(files)?,
        Found::Clear | Found::Opaque => {
            at_rest::read_key(files)?.ok_or_else(|| not_a_store(files))?
        }
    };
    let conn = connect(path)?;
    key.apply(&conn)?;
    let checked = check_schema(&conn, path).map_err(|e| match e {
        StoreError::Corrupt { detail, .. } if detail.contains("not a database") => {
            not_a_store(files)
        }
        other => other,
    });
    match checked {
        // A read-only file or directory (a read-only medium, a copy kept for an audit): SQLite
        // cannot make the WAL's shared-memory file beside it and says it cannot open the file.
        // It is read as immutable instead — nothing can change it meanwhile — and every
        // write is refused as `ReadOnly`.
        Err(StoreError::Corrupt { .. }) if found == Found::Opaque && !writable_here(path) => {
            let conn = connect_immutable(path)?;
            key.apply(&conn)?;
            check_schema(&conn, path)?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            return Ok((conn, None));
        }
        checked => checked?,
    }
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| corrupt(path, e))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 64 MiB of page cache: the historian writes one row per tag each second, and a plant's
    // worth of B-tree leaves must stay in memory for that to be cheap.
    conn.pragma_update(None, "cache_size", -65_536)?;
    // Checkpoint every 64 MiB of WAL instead of 4: a page rewritten by consecutive historian
    // batches is copied back to the database once, not once per batch.
    conn.pragma_update(None, "wal_autocheckpoint", 16_384)?;
    Ok((conn, backup))
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| corrupt(path, e))?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

/// A store file that cannot be changed where it lies, read without locks or WAL.
fn connect_immutable(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let uri = format!("file:{}?immutable=1", uri_path(path));
    Connection::open_with_flags(uri, flags).map_err(|e| corrupt(path, e))
}

/// A path as the path of a `file:` URI: the characters a URI gives a meaning escaped.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' | ' ' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Whether this process may change the store file and make files beside it (the WAL's).
fn writable_here(path: &Path) -> bool {
    let file = std::fs::OpenOptions::new().write(true).open(path).is_ok();
    let dir = path.parent().unwrap_or(Path::new("."));
    let probe = dir.join(format!(".jumeau-write-probe-{}", std::process::id()));
    let beside = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .is_ok();
    if beside {
        let _ = std::fs::remove_file(&probe);
    }
    file && beside
}

/// The first reads: they fail on a wrong key, a damaged header or schema, another
/// application's tables or a newer schema, before anything is written.
fn check_schema(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| corrupt(path, e))?;
    let found = migrate::current_version(conn).map_err(|e| match e {
        StoreError::Sqlite(e) => corrupt(path, e),
        other => other,
    })?;
    if found == 0 && tables > 0 {
        return Err(StoreError::Foreign {
            path: path.to_owned(),
        });
    }
    let known = migrate::latest_version();
    if found > known {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found,
            known,
        });
    }
    Ok(())
}

fn not_a_store(files: &StoreFiles) -> StoreError {
    StoreError::NotSqlite {
        path: files.store.clone(),
        key: files.key.clone(),
    }
}

fn what_is_at(path: &Path) -> Result<Found, StoreError> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(source) => {
            return Err(StoreError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    let mut head = Vec::with_capacity(16);
    file.by_ref()
        .take(16)
        .read_to_end(&mut head)
        .map_err(|source| StoreError::Io {
            path: path.to_owned(),
            source,
        })?;
    Ok(if head.is_empty() {
        Found::Nothing
    } else if head.as_slice() == SQLITE_MAGIC {
        Found::Clear
    } else {
        Found::Opaque
    })
}

fn corrupt(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::Corrupt {
        path: path.to_owned(),
        detail: e.to_string(),
    }
}
