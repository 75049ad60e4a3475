//! Procedure runs (migration 0005): the run's state, so that a restart resumes it with its
//! timers right, and every outcome as an append-only event, also written as a signed logbook
//! entry in the same transaction.

use jumeau_core::procedure::{Run, RunEvent};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::{Store, StoreError};
use jumeau_core::access::Action;

impl Store {
    /// Stores a new run with its first events; returns its id.
    pub fn start_procedure_run(&mut self, run: &Run, login: &str) -> Result<i64, StoreError> {
        let state = serde_json::to_string(run)?;
        let (user, session) = self.authorize(login, Action::RunProcedure)?;
        let (device, key) = (&session.device, &session.key);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO procedure_runs (procedure, version, started_by, started_ms, status, \
             training, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                run.procedure,
                run.version,
                login,
                run.started_ms,
                status(run),
                run.training,
                state
            ],
        )?;
        let id = tx.last_insert_rowid();
        record(&tx, id, run, &run.events, 0, (&user, device, key))?;
        tx.commit()?;
        Ok(id)
    }

    /// Saves a run's new state and its events since the last save (`run.events` beyond those
    /// already stored), with their logbook entries. `known` is how many events the caller had
    /// loaded or saved: if another client saved the run meanwhile, nothing is written and the
    /// caller reloads it (two clients on one run never record an event twice).
    pub fn save_procedure_run(
        &mut self,
        id: i64,
        run: &Run,
        known: usize,
        login: &str,
    ) -> Result<(), StoreError> {
        let state = serde_json::to_string(run)?;
        // The actions in a run were checked when taken (role holds by the run itself); a
        // save also records what the run did by itself, for whoever's session ticks it.
        let (user, session) = self.authenticated(login)?;
        let (device, key) = (&session.device, &session.key);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored: usize = tx
            .query_row(
                "SELECT count(*) FROM procedure_events WHERE run_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        if stored != known {
            return Err(StoreError::Invalid(format!(
                "procedure run {id} was updated elsewhere ({stored} events stored, {known} known): reload it"
            )));
        }
        let new = run.events.get(stored..).unwrap_or_default();
        let changed = tx.execute(
            "UPDATE procedure_runs SET status = ?2, state = ?3 WHERE id = ?1",
            params![id, status(run), state],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "procedure run",
                key: id.to_string(),
            });
        }
        record(&tx, id, run, new, stored, (&user, device, key))?;
        tx.commit()?;
        Ok(())
    }

    /// Runs, newest first; only those still running when asked.
    pub fn procedure_runs(&self, running_only: bool) -> Result<Vec<(i64, Run)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, state FROM procedure_runs WHERE (?1 = 0 OR status = 'running') \
             ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([running_only], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, state) = row?;
            out.push((id, serde_json::from_str(&state)?));
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

/// Appends `events` (numbered from `first_seq`) to the run's record and signs them into the
/// logbook, inside the caller's transaction.
fn record(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    run: &Run,
    events: &[RunEvent],
    first_seq: usize,
    (user, device, key): (&crate::User, &str, &ed25519_dalek::SigningKey),
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
