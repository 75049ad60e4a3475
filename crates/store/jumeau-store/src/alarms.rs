//! The alarm journal (migration 0004): every alarm transition, append-only, and the same
//! transitions as signed automatic logbook entries (IEC 62682 alarm records). Operators'
//! commands are shared through the hub (migration 0012): each one taken here goes to the
//! outbox in the journal's transaction; those received are kept with what became of them.

use jumeau_core::alarm::{AlarmEvent, EventKind, kpi::JournalEvent};
use jumeau_core::logbook::EntryDraft;
use jumeau_core::sync::{AlarmOp, Hlc, Op, alarm::wins};
use rusqlite::{Transaction, TransactionBehavior, params};
use serde::Serialize;

use crate::{NOW, Store, StoreError};

/// Another device's alarm command, received and not yet taken up here.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteAlarmAction {
    pub op_id: String,
    pub author: String,
    pub device: String,
    pub hlc: Hlc,
    pub action: AlarmOp,
    /// A later write on the same register already applied here (op id, author, device): this
    /// one loses and is kept as superseded.
    pub superseded_by: Option<(String, String, String)>,
}

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
    /// writes each as an automatic logbook entry signed with its session's key, and each of
    /// the signer's `commands` that caused them as an op for the other devices, all in one
    /// transaction. `training` marks a simulator source.
    pub fn record_alarm_events(
        &mut self,
        events: &[AlarmEvent],
        commands: &[AlarmOp],
        training: bool,
        signer: Option<&str>,
    ) -> Result<(), StoreError> {
        if events.is_empty() && commands.is_empty() {
            return Ok(());
        }
        let signing = signer.map(|login| self.authenticated(login)).transpose()?;
        match signer {
            None if !commands.is_empty() => {
                return Err(StoreError::Invalid(
                    "an operator's alarm command needs its operator's session".into(),
                ));
            }
            Some(login) => {
                for c in commands {
                    self.may(login, c.command.right())?;
                }
            }
            None => {}
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        journal(&tx, events, training)?;
        if let Some((user, session)) = &signing {
            for command in commands {
                let by = (user.login.as_str(), session.device.as_str(), &session.key);
                let mut stamped = Hlc::default();
                let op_id = crate::outbox::enqueue_as(&tx, by, |signer, op_id, hlc| {
                    stamped = hlc;
                    Op::alarm_action(signer, command, op_id, hlc)
                })?;
                let op = (op_id.as_str(), user.login.as_str(), session.device.as_str());
                insert_action(&tx, op, stamped, command, None, Some(crate::APPLIED))?;
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

    /// Other devices' alarm commands not taken up here yet, in the hub's order, each with the
    /// later write on its register already applied here, if any (then it loses).
    pub fn pending_alarm_actions(&self) -> Result<Vec<RemoteAlarmAction>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT op_id, author, device, hlc_wall_ms, hlc_counter, command FROM alarm_actions \
             WHERE result IS NULL AND hub_seq IS NOT NULL ORDER BY hub_seq",
        )?;
        let rows = stmt.query_map([], |r| Ok((stamped(r)?, r.get::<_, String>(5)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (((op_id, author, device), hlc), command) = row?;
            let action: AlarmOp = serde_json::from_str(&command)?;
            let superseded_by = match action.command.register() {
                Some(register) => {
                    self.latest_write(&action.code, register.as_str(), (hlc, &device))?
                }
                None => None,
            };
            out.push(RemoteAlarmAction {
                op_id,
                author,
                device,
                hlc,
                action,
                superseded_by,
            });
        }
        Ok(out)
    }

    /// The applied write on an alarm's register that beats `than`, if any.
    fn latest_write(
        &self,
        code: &str,
        register: &str,
        than: (Hlc, &str),
    ) -> Result<Option<(String, String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT op_id, author, device, hlc_wall_ms, hlc_counter FROM alarm_actions \
             WHERE code = ?1 AND register = ?2 AND result = 'applied'",
        )?;
        let rows = stmt.query_map(params![code, register], stamped)?;
        let mut best: Option<Stamped> = None;
        for row in rows {
            let (who, hlc) = row?;
            let beats_best = best
                .as_ref()
                .is_none_or(|(b, bh)| wins((hlc, &who.2), (*bh, &b.2)));
            if wins((hlc, &who.2), than) && beats_best {
                best = Some((who, hlc));
            }
        }
        Ok(best.map(|(who, _)| who))
    }

    /// Records what other devices' commands did here: the transitions they caused (journal
    /// only: each command's logbook entry is its author's, signed on their device) and each
    /// command's result, in one transaction.
    pub fn settle_alarm_actions(
        &mut self,
        events: &[AlarmEvent],
        settled: &[(String, String)],
        training: bool,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        journal(&tx, events, training)?;
        for (op_id, result) in settled {
            tx.execute(
                &format!(
                    "UPDATE alarm_actions SET result = ?2, settled_at = {NOW} \
                     WHERE op_id = ?1 AND result IS NULL"
                ),
                params![op_id, result],
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

/// (op id, author, device) and clock of an `alarm_actions` row selected in that order.
type Stamped = ((String, String, String), Hlc);

fn stamped(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stamped> {
    Ok((
        (r.get(0)?, r.get(1)?, r.get(2)?),
        Hlc {
            wall_ms: r.get(3)?,
            counter: r.get(4)?,
        },
    ))
}

/// Journal rows for `events`, inside the caller's transaction.
fn journal(tx: &Transaction<'_>, events: &[AlarmEvent], training: bool) -> Result<(), StoreError> {
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
    Ok(())
}

/// Keeps an alarm command taken here (`result` applied) or received (`hub_seq`, not settled).
fn insert_action(
    tx: &Transaction<'_>,
    (op_id, author, device): (&str, &str, &str),
    hlc: Hlc,
    command: &AlarmOp,
    hub_seq: Option<u64>,
    result: Option<&str>,
) -> Result<usize, StoreError> {
    Ok(tx.execute(
        &format!(
            "INSERT OR IGNORE INTO alarm_actions (op_id, code, register, author, device, \
             hlc_wall_ms, hlc_counter, command, hub_seq, created_at, result, settled_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, {NOW}, ?10, \
             CASE WHEN ?10 IS NULL THEN NULL ELSE {NOW} END)"
        ),
        params![
            op_id,
            command.code,
            command.command.register().map(|r| r.as_str()),
            author,
            device,
            hlc.wall_ms,
            hlc.counter,
            serde_json::to_string(command)?,
            hub_seq,
            result
        ],
    )?)
}

/// Another device's alarm command received from the hub: kept, to be taken up by the runtime.
/// Returns 1 when new.
pub(crate) fn receive_action(
    tx: &Transaction<'_>,
    op: &Op,
    hub_seq: u64,
) -> Result<usize, StoreError> {
    let command = op
        .alarm_action_body()
        .map_err(crate::outbox::bad_op(hub_seq))?;
    insert_action(
        tx,
        (&op.op_id, &op.author, &op.device),
        op.hlc,
        &command,
        Some(hub_seq),
        None,
    )
}
