//! SQLite store of Jumeau (rusqlite, bundled SQLCipher, WAL), encrypted at rest.
//!
//! Opening a store applies the numbered migrations of `migrations/` in order, refuses a store
//! written by a newer Jumeau, and never writes to a file that is not a healthy SQLite database.
//! Master data changes only through change-sets; every write appends to the audit trail.

mod alarms;
mod at_rest;
pub use at_rest::StoreFiles;
mod audit;
mod auth;
mod changesets;
mod error;
mod files;
mod historian;
mod keys;
mod lock;
mod logbook;
mod masterdata;
mod migrate;
mod open;
mod outbox;
mod password;
mod procedures;
mod seal;
mod second_factor;
pub use second_factor::{Enrolment, SECOND_FACTOR_MINUTES};
mod seed;
mod sync;
pub use sync::{HubEnrolment, ReceiveReport, SyncCounts};
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub use lock::seeded_marker;
pub use seed::{SEED_TITLE, SUPPLEMENT_TITLE};
mod users;

pub use alarms::{JournalRow, RemoteAlarmAction};
pub use audit::{AuditFilter, AuditRow};
pub use auth::{LOCKOUT_MINUTES, MAX_FAILED_LOGINS, Session};
pub use changesets::{ChangeSetRow, SharedChangeSet};
pub use error::StoreError;
pub use historian::{CompactReport, Retention, Sample, TrendPoint};
pub use keys::DeviceKey;
pub use logbook::{LogEntry, LogFilter, RemoteFault, Verification};
pub use masterdata::ComponentDetail;
pub use migrate::{MIGRATIONS, Migration, latest_version};
pub use password::{MIN_PASSWORD_CHARS, Password, Weakness};
pub use procedures::{APPLIED, RunAction, StoredRun};
pub use users::User;

use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// File name of the store inside a data directory.
pub const STORE_FILE: &str = "jumeau.sqlite";

/// An open, migrated store.
pub struct Store {
    conn: Connection,
    files: StoreFiles,
    /// The clear original of a store this process encrypted, until shown.
    clear_backup: Option<PathBuf>,
    /// Who has logged in on this connection, by login: the only ones it writes for.
    sessions: std::collections::HashMap<String, Session>,
    /// One-time passwords of accounts this process created, until shown.
    new_passwords: Vec<(String, Password)>,
    /// Historian tag ids already known, by name (ids never change once given).
    history_ids: std::collections::HashMap<String, i64>,
}

impl Store {
    /// Opens (creating if absent) and migrates the store at `path`; other processes opening it
    /// meanwhile wait. A missing or emptied store where one was seeded is refused, not
    /// re-created.
    pub fn open(files: &StoreFiles) -> Result<Store, StoreError> {
        let _setup = lock::setup_lock(&files.store)?;
        Store::open_locked(files)
    }

    fn open_locked(files: &StoreFiles) -> Result<Store, StoreError> {
        let path = &files.store;
        let marker = lock::seeded_marker(path);
        let lost = || StoreError::Lost {
            path: path.to_owned(),
            marker: marker.clone(),
        };
        // Missing or emptied: refused before SQLite touches the file.
        let empty = match std::fs::metadata(path) {
            Ok(m) => m.len() == 0,
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        };
        if empty && marker.exists() {
            return Err(lost());
        }
        let (conn, clear_backup) = open::open_checked(files)?;
        if migrate::current_version(&conn)? == 0 && marker.exists() {
            return Err(lost());
        }
        let mut store = Store {
            conn,
            files: files.clone(),
            clear_backup,
            sessions: Default::default(),
            new_passwords: Vec::new(),
            history_ids: Default::default(),
        };
        migrate::apply_pending(&mut store.conn)?;
        Ok(store)
    }

    /// Opens the store and makes sure the seed accounts and plant master data are there
    /// (resuming a seeding a crash interrupted).
    pub fn open_seeded(files: &StoreFiles) -> Result<Store, StoreError> {
        let _setup = lock::setup_lock(&files.store)?;
        let mut store = Store::open_locked(files)?;
        store.ensure_seeded()?;
        lock::mark_seeded(&files.store)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.files.store
    }

    /// The store file and its key file.
    pub fn files(&self) -> &StoreFiles {
        &self.files
    }

    /// Where the clear original of a store from before encryption was kept, when this open
    /// encrypted it (once: to be told to the person who started Jumeau).
    pub fn take_clear_backup(&mut self) -> Option<PathBuf> {
        self.clear_backup.take()
    }

    /// The schema version the store is at.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        migrate::current_version(&self.conn)
    }

    /// SQLite's full integrity check; `Ok(vec![])` when healthy.
    pub fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        self.check_pages("integrity_check")
    }

    /// The problems `PRAGMA integrity_check` or `quick_check` reports; a check that fails to
    /// run is a problem too, never a healthy file.
    pub(crate) fn check_pages(&self, pragma: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("PRAGMA {pragma}"))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|line| line.unwrap_or_else(|e| format!("the check itself failed: {e}")))
            .filter(|line| line != "ok")
            .collect();
        Ok(rows)
    }

    /// Current UTC time as the store writes it.
    pub fn now(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row(&format!("SELECT {NOW}"), [], |r| r.get(0))?)
    }

    /// Direct connection, for tests and benchmarks of this crate's callers only.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Current UTC time as SQLite writes it everywhere in the store (RFC 3339, milliseconds).
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
