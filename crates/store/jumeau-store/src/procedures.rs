//! Procedure runs (migrations 0005, 0011): the run's state, so that a restart resumes it with
//! its timers right, and every outcome as an append-only event, also written as a signed
//! logbook entry in the same transaction. A run is shared through the hub: its owner (the
//! device that started it and ticks it) publishes it after every change, in the same
//! transaction; other devices follow it and send their users' actions, kept here with what
//! became of them.

use jumeau_core::access::Action;
use jumeau_core::procedure::{self, Run, RunEvent};
use jumeau_core::sync::{ActionOp, Op, RunOp, Settled};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;

use crate::{NOW, Store, StoreError, User};

/// A run as the store holds it.
#[derive(Debug, Clone)]
pub struct StoredRun {
    pub id: i64,
    /// The plant-wide id (none for a run from before shared runs: it stays on its device).
    pub uid: Option<String>,
    /// The device that ticks the run.
    pub owner: Option<String>,
    pub run: Run,
}

impl StoredRun {
    /// Whether `device` ticks this run (a run with no owner recorded is this store's own).
    pub fn owned_by(&self, device: &str) -> bool {
        self.owner.as_deref().is_none_or(|o| o == device)
    }
}

/// An action on a shared run, sent from here or received, with what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunAction {
    pub op_id: String,
    pub author: String,
    pub device: String,
    pub step: String,
    #[serde(skip)]
    pub action: procedure::Action,
    /// The run's event count the author had seen.
    pub base: u64,
    pub created_at: String,
    /// `None` while the owner has not taken it up; `Some("applied")` or the refusal.
    pub result: Option<String>,
}

/// What an owner's save settles: follower actions it applied or refused.
pub const APPLIED: &str = "applied";

impl Store {
    /// Stores a new run with its first events, owned by this session's device and published
    /// to the hub in the same transaction; returns its id.
    pub fn start_procedure_run(&mut self, run: &Run, login: &str) -> Result<i64, StoreError> {
        let (user, session) = self.authorize(login, Action::RunProcedure)?;
        let (device, key) = (&session.device, &session.key);
        let uid = uuid::Uuid::now_v7().to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert_run(&tx, run, login, &uid, device)?;
        record(&tx, id, run, &run.events, 0, (&user, device, key))?;
        publish(&tx, &uid, run, &[], (&user, device, key))?;
        tx.commit()?;
        Ok(id)
    }

    /// Saves a run's new state and its events since the last save (`run.events` beyond those
    /// already stored), with their logbook entries, and what became of the followers' actions
    /// in `settled`; a shared run is published in the same transaction. `known` is how many
    /// events the caller had loaded or saved: if another client saved the run meanwhile,
    /// nothing is written and the caller reloads it (two clients on one run never record an
    /// event twice). Only the run's owner saves it.
    pub fn save_procedure_run(
        &mut self,
        id: i64,
        run: &Run,
        known: usize,
        login: &str,
        settled: &[Settled],
    ) -> Result<(), StoreError> {
        let state = serde_json::to_string(run)?;
        // The actions in a run were checked when taken (role holds by the run itself); a
        // save also records what the run did by itself, for whoever's session ticks it.
        let (user, session) = self.authenticated(login)?;
        let (device, key) = (&session.device, &session.key);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (uid, owner, stored): (Option<String>, Option<String>, usize) = tx
            .query_row(
                "SELECT uid, owner, (SELECT count(*) FROM procedure_events WHERE run_id = id) \
                 FROM procedure_runs WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "procedure run",
                key: id.to_string(),
            })?;
        if let Some(owner) = owner.filter(|o| o != device) {
            return Err(StoreError::Invalid(format!(
                "procedure run {id} is ticked on {owner}: actions here are sent to it"
            )));
        }
        if stored != known {
            return Err(StoreError::Invalid(format!(
                "procedure run {id} was updated elsewhere ({stored} events stored, {known} known): reload it"
            )));
        }
        let new = run.events.get(stored..).unwrap_or_default();
        tx.execute(
            "UPDATE procedure_runs SET status = ?2, state = ?3 WHERE id = ?1",
            params![id, status(run), state],
        )?;
        record(&tx, id, run, new, stored, (&user, device, key))?;
        settle(&tx, settled)?;
        if let Some(uid) = uid {
            publish(&tx, &uid, run, settled, (&user, device, key))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Sends the user's action on a run another device ticks (the owner applies it in the
    /// hub's order and publishes the outcome); kept here as not yet settled. Returns the op id.
    pub fn send_procedure_action(
        &mut self,
        id: i64,
        step: &str,
        action: &procedure::Action,
        login: &str,
    ) -> Result<String, StoreError> {
        let (user, session) = self.authorize(login, Action::RunProcedure)?;
        let (device, key) = (&session.device, &session.key);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (uid, owner, running, seen): (Option<String>, Option<String>, bool, u64) = tx
            .query_row(
                "SELECT uid, owner, status = 'running', \
                 (SELECT count(*) FROM procedure_events WHERE run_id = id) \
                 FROM procedure_runs WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "procedure run",
                key: id.to_string(),
            })?;
        let uid = match (uid, owner) {
            (Some(uid), Some(owner)) if &owner != device => uid,
            _ => {
                return Err(StoreError::Invalid(format!(
                    "procedure run {id} is ticked here: act on it directly"
                )));
            }
        };
        if !running {
            return Err(StoreError::Invalid(format!("procedure run {id} has ended")));
        }
        let body = ActionOp {
            action: action.clone(),
            base: seen,
            step: step.to_owned(),
            uid,
        };
        let op_id =
            crate::outbox::enqueue_as(&tx, (&user.login, device, key), |signer, op_id, hlc| {
                Op::procedure_action(signer, &body, op_id, hlc)
            })?;
        insert_action(&tx, &op_id, &user.login, device, &body, None)?;
        tx.commit()?;
        Ok(op_id)
    }

    /// Runs, newest first; only those still running when asked.
    pub fn procedure_runs(&self, running_only: bool) -> Result<Vec<StoredRun>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, uid, owner, state FROM procedure_runs \
             WHERE (?1 = 0 OR status = 'running') ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([running_only], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, uid, owner, state) = row?;
            out.push(StoredRun {
                id,
                uid,
                owner,
                run: serde_json::from_str(&state)?,
            });
        }
        Ok(out)
    }

    /// The actions sent or received on shared run `uid`, oldest first.
    pub fn procedure_actions(&self, uid: &str) -> Result<Vec<RunAction>, StoreError> {
        let actions = self.actions_where("a.run_uid = ?1 ORDER BY a.created_at, a.op_id", uid)?;
        Ok(actions.into_iter().map(|(_, a)| a).collect())
    }

    /// Other devices' actions on runs `device` ticks, not settled yet, in the hub's order:
    /// what the owner applies next. Each with the local id of its run.
    pub fn pending_procedure_actions(
        &self,
        device: &str,
    ) -> Result<Vec<(i64, RunAction)>, StoreError> {
        self.actions_where(
            "a.result IS NULL AND a.hub_seq IS NOT NULL AND r.owner = ?1 AND a.device <> ?1 \
             ORDER BY a.hub_seq",
            device,
        )
    }

    /// Actions meeting `condition` (on `a`, the action, and `r`, its run), each with its run's
    /// local id.
    fn actions_where(
        &self,
        condition: &str,
        param: &str,
    ) -> Result<Vec<(i64, RunAction)>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT r.id, a.op_id, a.author, a.device, a.step, a.action, a.base, a.created_at, \
             a.result FROM procedure_actions a JOIN procedure_runs r ON r.uid = a.run_uid \
             WHERE {condition}"
        ))?;
        let rows = stmt.query_map([param], |r| {
            Ok((
                (
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                ),
                (
                    r.get(4)?,
                    r.get::<_, String>(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ),
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let ((id, op_id, author, device), (step, action, base, created_at, result)) = row?;
            out.push((
                id,
                RunAction {
                    op_id,
                    author,
                    device,
                    step,
                    action: serde_json::from_str(&action)?,
                    base,
                    created_at,
                    result,
                },
            ));
        }
        Ok(out)
    }

    /// The stored events of a run, in order (what the run's record says, independently of its
    /// state column).
    pub fn procedure_events(&self, id: i64) -> Result<Vec<RunEvent>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT ts_ms, step, outcome, user, role, vals, note FROM procedure_events \
             WHERE run_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (ts_ms, step, outcome, user, role, vals, note) = row?;
            let text = |s: String| serde_json::Value::String(s);
            out.push(RunEvent {
                ts_ms,
                step,
                outcome: serde_json::from_value(text(outcome))?,
                user,
                role: role.map(|r| serde_json::from_value(text(r))).transpose()?,
                values: serde_json::from_str(&vals)?,
                note,
            });
        }
        Ok(out)
    }
}

fn status(run: &Run) -> &'static str {
    match run.status {
        jumeau_core::procedure::RunStatus::Running => "running",
        jumeau_core::procedure::RunStatus::Completed => "completed",
        jumeau_core::procedure::RunStatus::Aborted => "aborted",
    }
}

/// A new run's row, owned by `owner`; returns its id.
fn insert_run(
    tx: &Transaction<'_>,
    run: &Run,
    started_by: &str,
    uid: &str,
    owner: &str,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO procedure_runs (procedure, version, started_by, started_ms, status, \
         training, state, uid, owner) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            run.procedure,
            run.version,
            started_by,
            run.started_ms,
            status(run),
            run.training,
            serde_json::to_string(run)?,
            uid,
            owner
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

type Signing<'a> = (&'a User, &'a str, &'a ed25519_dalek::SigningKey);

/// Appends `events` (numbered from `first_seq`) to the run's record and signs them into the
/// logbook, inside the caller's transaction.
fn record(
    tx: &Transaction<'_>,
    id: i64,
    run: &Run,
    events: &[RunEvent],
    first_seq: usize,
    (user, device, key): Signing<'_>,
) -> Result<(), StoreError> {
    insert_events(tx, id, events, first_seq)?;
    let drafts = jumeau_core::logbook::auto::procedure(run, events);
    crate::logbook::append_in_tx(
        tx,
        user,
        device,
        key,
        drafts.iter().map(|d| (d, Vec::new())),
    )?;
    Ok(())
}

fn insert_events(
    tx: &Transaction<'_>,
    id: i64,
    events: &[RunEvent],
    first_seq: usize,
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO procedure_events (run_id, seq, ts_ms, step, outcome, user, role, vals, note) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (k, e) in events.iter().enumerate() {
        let outcome = serde_json::to_value(e.outcome)?;
        let role = e.role.map(|r| r.as_str());
        insert.execute(params![
            id,
            (first_seq + k) as i64,
            e.ts_ms,
            e.step,
            outcome.as_str(),
            e.user,
            role,
            serde_json::to_string(&e.values)?,
            e.note
        ])?;
    }
    Ok(())
}

/// The owner's publication of run `uid` into the outbox, inside the save's transaction.
fn publish(
    tx: &Transaction<'_>,
    uid: &str,
    run: &Run,
    settled: &[Settled],
    (user, device, key): Signing<'_>,
) -> Result<(), StoreError> {
    let body = RunOp {
        run: serde_json::to_string(run)?,
        seq: run.events.len() as u64,
        settled: settled.to_vec(),
        uid: uid.to_owned(),
    };
    crate::outbox::enqueue_as(tx, (&user.login, device, key), |signer, op_id, hlc| {
        Op::procedure_run(signer, &body, op_id, hlc)
    })?;
    Ok(())
}

/// Records what became of follower actions (once: a settled action is never changed).
fn settle(tx: &Transaction<'_>, settled: &[Settled]) -> Result<(), StoreError> {
    for s in settled {
        tx.execute(
            &format!(
                "UPDATE procedure_actions SET result = ?2, settled_at = {NOW} \
                 WHERE op_id = ?1 AND result IS NULL"
            ),
            params![s.op_id, s.refused.as_deref().unwrap_or(APPLIED)],
        )?;
    }
    Ok(())
}

fn insert_action(
    tx: &Transaction<'_>,
    op_id: &str,
    author: &str,
    device: &str,
    body: &ActionOp,
    hub_seq: Option<u64>,
) -> Result<usize, StoreError> {
    Ok(tx.execute(
        &format!(
            "INSERT OR IGNORE INTO procedure_actions (op_id, run_uid, author, device, step, \
             action, base, hub_seq, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, {NOW})"
        ),
        params![
            op_id,
            body.uid,
            author,
            device,
            body.step,
            serde_json::to_string(&body.action)?,
            body.base,
            hub_seq
        ],
    )?)
}

/// Another device's action on a shared run, received from the hub: kept (whoever owns the
/// run), and applied by the owner's runtime. Returns 1 when new.
pub(crate) fn receive_action(
    tx: &Transaction<'_>,
    op: &Op,
    hub_seq: u64,
) -> Result<usize, StoreError> {
    let body = op
        .procedure_action_body()
        .map_err(crate::outbox::bad_op(hub_seq))?;
    insert_action(tx, &op.op_id, &op.author, &op.device, &body, Some(hub_seq))
}

/// A run's owner's publication, received from the hub: the run is created or brought up to
/// the publication (only its owner's, only forward), its new events appended, the actions it
/// settled recorded. Returns 1 when something changed. A run whose starter has no account
/// here is not shown (its ops are kept in `sync_received`).
pub(crate) fn receive_run(
    tx: &Transaction<'_>,
    op: &Op,
    hub_seq: u64,
) -> Result<usize, StoreError> {
    let (body, run) = op
        .procedure_run_body()
        .map_err(crate::outbox::bad_op(hub_seq))?;
    let existing: Option<(i64, Option<String>, usize)> = tx
        .query_row(
            "SELECT id, owner, (SELECT count(*) FROM procedure_events WHERE run_id = id) \
             FROM procedure_runs WHERE uid = ?1",
            [&body.uid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let changed = match existing {
        Some((_, owner, _)) if owner.as_deref() != Some(op.device.as_str()) => 0,
        Some((id, _, stored)) if run.events.len() > stored => {
            tx.execute(
                "UPDATE procedure_runs SET status = ?2, state = ?3 WHERE id = ?1",
                params![id, status(&run), serde_json::to_string(&run)?],
            )?;
            insert_events(tx, id, &run.events[stored..], stored)?;
            1
        }
        Some(_) => 0,
        None => {
            let starter = run
                .events
                .first()
                .and_then(|e| e.user.clone())
                .unwrap_or_else(|| op.author.clone());
            let known: bool = tx.query_row(
                "SELECT count(*) > 0 FROM users WHERE login = ?1",
                [&starter],
                |r| r.get(0),
            )?;
            if !known {
                return Ok(0);
            }
            let id = insert_run(tx, &run, &starter, &body.uid, &op.device)?;
            insert_events(tx, id, &run.events, 0)?;
            1
        }
    };
    settle(tx, &body.settled)?;
    Ok(changed + body.settled.len())
}
