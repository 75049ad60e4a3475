//! Opening a store file without ever damaging what is there.

use crate::StoreError;
use crate::migrate;
use rusqlite::{Connection, OpenFlags};
use std::io::Read;
use std::path::Path;
use std::time::Duration;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Opens `path`, refusing anything that is not a readable SQLite database of a known schema
/// version *before* the first write (WAL switch, migrations).
pub(crate) fn open_checked(path: &Path) -> Result<Connection, StoreError> {
    check_header(path)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| corrupt(path, e))?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // First read: fails on a damaged header or schema before anything is written.
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| corrupt(path, e))?;
    let found = migrate::current_version(&conn).map_err(|e| match e {
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
    Ok(conn)
}

/// A non-empty file must start with SQLite's magic string.
fn check_header(path: &Path) -> Result<(), StoreError> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
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
    if head.is_empty() || head.as_slice() == SQLITE_MAGIC {
        Ok(())
    } else {
        Err(StoreError::NotSqlite {
            path: path.to_owned(),
        })
    }
}

fn corrupt(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::Corrupt {
        path: path.to_owned(),
        detail: e.to_string(),
    }
}
