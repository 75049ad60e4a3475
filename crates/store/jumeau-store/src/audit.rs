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

impl Store {
    /// The latest `limit` audit rows, newest first, for a logged-in engineer or auditor.
    pub fn audit_trail(&self, actor: &str, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        self.authorize(actor, jumeau_core::access::Action::ReadAudit)?;
        let mut stmt = self.conn.prepare(
            "SELECT id, at, actor, action, entity, entity_id, detail FROM audit \
             ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(AuditRow {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    entity: r.get(4)?,
                    entity_id: r.get(5)?,
                    detail: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
