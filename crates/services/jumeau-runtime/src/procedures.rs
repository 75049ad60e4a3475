//! Procedure runs in the runtime: the plant's procedures checked against master data, the runs
//! in progress ticked on fresh live values at plant time, every outcome saved (and signed) in
//! the store, runs started or advanced by another client on the same store adopted.

use jumeau_core::MasterData;
use jumeau_core::procedure::{Action, Checked, Run, RunEvent, RunStatus};
use jumeau_store::Store;
use jumeau_tagbus::LiveValues;

use crate::config::Actor;

/// A run as the runtime holds it.
#[derive(Debug, Clone)]
pub struct RunView {
    pub id: i64,
    pub run: Run,
    /// Events known to be in the store.
    saved: usize,
}

/// The procedures and runs, shared with the handle for reading.
#[derive(Default)]
pub struct ProcedureBoard {
    pub procedures: Vec<Checked>,
    pub runs: Vec<RunView>,
    /// Last failure to read or save runs.
    pub error: Option<String>,
}

impl ProcedureBoard {
    pub(crate) fn load(md: &MasterData) -> ProcedureBoard {
        let procedures = md
            .procedures
            .iter()
            .filter_map(|p| {
                p.load(md)
                    .map_err(|e| tracing::warn!("procedure skipped: {e}"))
                    .ok()
            })
            .collect();
        ProcedureBoard {
            procedures,
            ..ProcedureBoard::default()
        }
    }

    pub fn procedure(&self, name: &str) -> Option<&Checked> {
        self.procedures.iter().find(|p| p.procedure.name == name)
    }

    pub fn run(&self, id: i64) -> Option<&RunView> {
        self.runs.iter().find(|r| r.id == id)
    }

    /// Adopts what the store has: runs started or advanced by another client. Finished runs
    /// leave the board.
    pub(crate) fn sync(&mut self, store: &Store) {
        match store.procedure_runs(true) {
            Ok(stored) => {
                self.runs.retain(|r| r.run.status == RunStatus::Running);
                for (id, run) in stored {
                    match self.runs.iter_mut().find(|r| r.id == id) {
                        Some(local) if local.saved < run.events.len() => {
                            local.saved = run.events.len();
                            local.run = run;
                        }
                        Some(_) => {}
                        None => self.runs.push(RunView {
                            id,
                            saved: run.events.len(),
                            run,
                        }),
                    }
                }
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Starts a run of `name` and records it; returns its id.
    pub(crate) fn start(
        &mut self,
        store: &mut Store,
        actor: &Actor,
        name: &str,
        now_ms: i64,
        training: bool,
    ) -> Result<i64, String> {
        let p = self
            .procedure(name)
            .ok_or_else(|| format!("no procedure `{name}` in master data"))?;
        let run = Run::start(p, &actor.login, actor.role, now_ms, training);
        let id = store
            .start_procedure_run(&run, &actor.login)
            .map_err(|e| e.to_string())?;
        self.runs.push(RunView {
            id,
            saved: run.events.len(),
            run,
        });
        Ok(id)
    }

    /// An action of the actor on a step of run `id` (the run checks the role), saved at once.
    pub(crate) fn act(
        &mut self,
        store: &mut Store,
        actor: &Actor,
        id: i64,
        step: &str,
        action: Action,
        now_ms: i64,
    ) -> Result<Vec<RunEvent>, String> {
        let k = self
            .runs
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| format!("no run #{id} in progress"))?;
        let p = self
            .procedure(&self.runs[k].run.procedure)
            .cloned()
            .ok_or_else(|| format!("run #{id}: its procedure is not in master data"))?;
        let events = self.runs[k]
            .run
            .act(&p, step, action, &actor.login, actor.role, now_ms)?;
        self.save(k, store, actor)?;
        Ok(events)
    }

    /// Advances every run on the fresh values (wall clock `wall_ms` for freshness, plant time
    /// `now_ms` for hold times); saves the runs that moved. Returns (run, procedure, events).
    pub(crate) fn tick(
        &mut self,
        store: &mut Store,
        actor: &Actor,
        live: &LiveValues,
        wall_ms: i64,
        now_ms: i64,
    ) -> Vec<(i64, String, Vec<RunEvent>)> {
        // Advanced in place (no copy of the procedures: this runs every alarm cycle), saved
        // afterwards (a save that meets a conflict re-reads the runs).
        let mut moved = Vec::new();
        let ProcedureBoard {
            procedures, runs, ..
        } = self;
        for r in runs
            .iter_mut()
            .filter(|r| r.run.status == RunStatus::Running)
        {
            let Some(p) = procedures
                .iter()
                .find(|p| p.procedure.name == r.run.procedure)
            else {
                continue;
            };
            let events = r
                .run
                .tick(p, now_ms, &|tag: &str| live.fresh_value(tag, wall_ms));
            if !events.is_empty() {
                moved.push((r.id, r.run.procedure.clone(), events));
            }
        }
        for (id, _, _) in &moved {
            if let Some(k) = self.runs.iter().position(|r| r.id == *id)
                && let Err(e) = self.save(k, store, actor)
            {
                self.error = Some(e);
            }
        }
        moved
    }

    /// Saves run `k`'s new events; on a conflict (another client moved it) adopts the store's.
    fn save(&mut self, k: usize, store: &mut Store, actor: &Actor) -> Result<(), String> {
        let local = &self.runs[k];
        match store.save_procedure_run(local.id, &local.run, local.saved, &actor.login) {
            Ok(()) => {
                self.runs[k].saved = self.runs[k].run.events.len();
                self.error = None;
                Ok(())
            }
            Err(e) => {
                self.sync(store);
                Err(e.to_string())
            }
        }
    }
}
