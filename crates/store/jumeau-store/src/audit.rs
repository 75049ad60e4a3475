//! The append-only audit trail (SQL triggers refuse updates and deletes).

use crate::{NOW, Store, StoreError};
use rusqlite::{Connection, params};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub detail: Option<String>,
}

/// Appends one audit row; called inside the transaction of the write it records.
pub(crate) fn record(
    conn: &Connection,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "INSERT INTO audit (at, actor, action, entity, entity_id, detail) \
             VALUES ({NOW}, ?1, ?2, ?3, ?4, ?5)"
        ),
        params![actor, action, entity, entity_id, detail],
    )?;
    Ok(())
}

/// Which audit rows to list or export. Times are RFC 3339 UTC text; `to` may be a prefix such
/// as a date (`2026-12-01` includes that whole day).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub actor: Option<String>,
    /// Exact action (`login_failed`, `validate`, `revoke`…).
    pub action: Option<String>,
    /// Exact entity (`session`, `changeset`, `user`, `device_key`…).
    pub entity: Option<String>,
    /// Only the last N rows.
    pub limit: Option<usize>,
}

impl Store {
    /// The latest `limit` audit rows, newest first, for a logged-in engineer or auditor.
    pub fn audit_trail(&self, actor: &str, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        let mut rows = self.audit_rows(
            actor,
            &AuditFilter {
                limit: Some(limit),
                ..Default::default()
            },
        )?;
        rows.reverse();
        Ok(rows)
    }

    /// The audit rows matching `filter`, oldest first (the last `filter.limit` when set), for
    /// a logged-in engineer or auditor.
    pub fn audit_rows(
        &self,
        actor: &str,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditRow>, StoreError> {
        self.authorize(actor, jumeau_core::access::Action::ReadAudit)?;
        let mut stmt = self.conn.prepare(
            "SELECT * FROM (SELECT id, at, actor, action, entity, entity_id, detail FROM audit \
             WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR substr(at, 1, length(?2)) <= ?2) \
             AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR action = ?4) \
             AND (?5 IS NULL OR entity = ?5) ORDER BY id DESC LIMIT ?6) ORDER BY id",
        )?;
        let limit = filter.limit.map_or(-1, |l| l as i64);
        let rows = stmt
            .query_map(
                rusqlite::params![
                    filter.from,
                    filter.to,
                    filter.actor,
                    filter.action,
                    filter.entity,
                    limit
                ],
                |r| {
                    Ok(AuditRow {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        actor: r.get(2)?,
                        action: r.get(3)?,
                        entity: r.get(4)?,
                        entity_id: r.get(5)?,
                        detail: r.get(6)?,
                    })
                },
            )?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
