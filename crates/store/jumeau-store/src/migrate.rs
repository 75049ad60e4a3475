//! Numbered SQL migrations from the top-level `migrations/` folder, applied in order and
//! recorded (with their SHA-256) in `schema_migrations`.

use crate::{NOW, StoreError};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. A test checks this list against the files of `migrations/`.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial.sql",
        sql: include_str!("../../../../migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "0002_logbook.sql",
        sql: include_str!("../../../../migrations/0002_logbook.sql"),
    },
    Migration {
        version: 3,
        name: "0003_historian.sql",
        sql: include_str!("../../../../migrations/0003_historian.sql"),
    },
    Migration {
        version: 4,
        name: "0004_alarms.sql",
        sql: include_str!("../../../../migrations/0004_alarms.sql"),
    },
    Migration {
        version: 5,
        name: "0005_procedures.sql",
        sql: include_str!("../../../../migrations/0005_procedures.sql"),
    },
    Migration {
        version: 6,
        name: "0006_units.sql",
        sql: include_str!("../../../../migrations/0006_units.sql"),
    },
    Migration {
        version: 7,
        name: "0007_tag_ranges.sql",
        sql: include_str!("../../../../migrations/0007_tag_ranges.sql"),
    },
    Migration {
        version: 8,
        name: "0008_credentials.sql",
        sql: include_str!("../../../../migrations/0008_credentials.sql"),
    },
    Migration {
        version: 9,
        name: "0009_second_factor.sql",
        sql: include_str!("../../../../migrations/0009_second_factor.sql"),
    },
    Migration {
        version: 10,
        name: "0010_sync.sql",
        sql: include_str!("../../../../migrations/0010_sync.sql"),
    },
    Migration {
        version: 11,
        name: "0011_shared_runs.sql",
        sql: include_str!("../../../../migrations/0011_shared_runs.sql"),
    },
    Migration {
        version: 12,
        name: "0012_alarm_actions.sql",
        sql: include_str!("../../../../migrations/0012_alarm_actions.sql"),
    },
    Migration {
        version: 13,
        name: "0013_shared_changesets.sql",
        sql: include_str!("../../../../migrations/0013_shared_changesets.sql"),
    },
];

pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

const CREATE_SCHEMA_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    applied_at TEXT NOT NULL
)";

/// Highest applied version, 0 for an empty store. Reads only.
pub(crate) fn current_version(conn: &Connection) -> Result<u32, StoreError> {
    let exists: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    let v: Option<u32> = conn
        .query_row("SELECT max(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    Ok(v.unwrap_or(0))
}

/// Applies every migration not yet recorded, each in its own transaction; checks that the ones
/// already applied are the ones this build carries.
pub(crate) fn apply_pending(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute(CREATE_SCHEMA_TABLE, [])?;
    for m in MIGRATIONS {
        let applied: Option<String> = conn
            .query_row(
                "SELECT sha256 FROM schema_migrations WHERE version = ?1",
                [m.version],
                |r| r.get(0),
            )
            .optional()?;
        let expected = checksum(m.sql);
        match applied {
            Some(applied) if applied == expected => continue,
            Some(applied) => {
                return Err(StoreError::MigrationChanged {
                    version: m.version,
                    name: m.name.to_owned(),
                    applied,
                    expected,
                });
            }
            None => {
                let tx = conn.transaction()?;
                tx.execute_batch(m.sql)?;
                tx.execute(
                    &format!(
                        "INSERT INTO schema_migrations (version, name, sha256, applied_at) \
                         VALUES (?1, ?2, ?3, {NOW})"
                    ),
                    rusqlite::params![m.version, m.name, expected],
                )?;
                tx.commit()?;
            }
        }
    }
    Ok(())
}
