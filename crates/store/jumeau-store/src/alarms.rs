//! The alarm journal (migration 0004): every alarm transition, append-only, and the same
//! transitions as signed automatic logbook entries (IEC 62682 alarm records).

use jumeau_core::alarm::{AlarmEvent, EventKind, kpi::JournalEvent};
use jumeau_core::logbook::EntryDraft;
use rusqlite::{TransactionBehavior, params};
use serde::Serialize;

use crate::{Store, StoreError};

/// One journal row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalRow {
    pub id: i64,
    pub ts_ms: i64,
    pub code: String,
    pub component: String,
    pub position: String,
    pub priority: String,
    pub event: String,
    pub value: Option<f64>,
    pub limit: Option<f64>,
    pub user: Option<String>,
    pub note: Option<String>,
    pub training: bool,
}

impl JournalRow {
    /// The row as the KPIs read it (None for a row this build does not know).
    pub fn to_kpi_event(&self) -> Option<JournalEvent> {
        Some(JournalEvent {
            ts_ms: self.ts_ms,
            code: self.code.clone(),
            position: self.position.clone(),
            priority: crate::masterdata::priority(&self.priority).ok()?,
            kind: EventKind::parse(&self.event)?,
        })
    }
}

impl Store {
    /// Journals alarm transitions and, with a signer (a logged-in login: the client's user),
    /// writes each as an automatic logbook entry signed with its session's key, all in one
    /// transaction. `training` marks a simulator source.
    pub fn record_alarm_events(
        &mut self,
        events: &[AlarmEvent],
        training: bool,
        signer: Option<&str>,
    ) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let signing = signer.map(|login| self.authenticated(login)).transpose()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO alarm_journal (ts_ms, code, component, position, priority, event, \
                 value, limit_value, user, note, training) \
                 VALUES (?1, ?2, ?3, COALESCE((SELECT unit FROM components WHERE code = ?3), '-'), \
                 ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for e in events {
                insert.execute(params![
                    e.ts_ms,
                    e.code,
                    e.component,
                    e.priority.as_str(),
                    e.kind.as_str(),
                    finite(e.value),
                    finite(e.limit),
                    e.user,
                    e.note,
                    training,
                ])?;
            }
        }
        if let Some((user, session)) = &signing {
            let drafts: Vec<(EntryDraft, Vec<String>)> = events
                .iter()
                .map(|e| {
                    (
                        jumeau_core::logbook::auto::alarm(e, training),
                        vec![e.component.clone()],
                    )
                })
                .collect();
            crate::logbook::append_in_tx(
                &tx,
                user,
                &session.device,
                &session.key,
                drafts.iter().map(|(d, c)| (d, c.clone())),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Journal rows with `from_ms <= ts_ms < to_ms`, oldest first, at most `limit`.
    pub fn alarm_journal(
        &self,
        from_ms: i64,
        to_ms: i64,
        limit: usize,
    ) -> Result<Vec<JournalRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, ts_ms, code, component, position, priority, event, value, limit_value, \
             user, note, training FROM alarm_journal WHERE ts_ms >= ?1 AND ts_ms < ?2 \
             ORDER BY ts_ms, id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![from_ms, to_ms, limit as i64], |r| {
            Ok(JournalRow {
                id: r.get(0)?,
                ts_ms: r.get(1)?,
                code: r.get(2)?,
                component: r.get(3)?,
                position: r.get(4)?,
                priority: r.get(5)?,
                event: r.get(6)?,
                value: r.get(7)?,
                limit: r.get(8)?,
                user: r.get(9)?,
                note: r.get(10)?,
                training: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}
