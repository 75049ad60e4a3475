//! Procedure runs in the runtime: the plant's procedures checked against master data, the runs
//! this device ticks advanced on fresh live values at plant time, every outcome saved (and
//! signed) in the store, runs started or advanced by another client on the same store or on
//! another device (through the hub) adopted. On a run another device ticks, the user's actions
//! are sent to it; on a run ticked here, other devices' actions are applied in the hub's order.

use std::collections::BTreeMap;

use jumeau_core::MasterData;
use jumeau_core::procedure::{Action, Checked, Run, RunEvent, RunStatus};
use jumeau_core::sync::Settled;
use jumeau_store::{RunAction, Store, StoredRun};
use jumeau_tagbus::LiveValues;

use crate::config::Actor;

/// A run as the runtime holds it.
#[derive(Debug, Clone)]
pub struct RunView {
    pub id: i64,
    pub run: Run,
    /// The device that ticks this run when it is not this one: actions here are sent to it.
    pub ticked_on: Option<String>,
    /// Actions sent or received on this run (shared through the hub), with what became of them.
    pub actions: Vec<RunAction>,
    /// Events known to be in the store.
    saved: usize,
}

/// (run, procedure, events) of runs that moved.
pub(crate) type Moved = Vec<(i64, String, Vec<RunEvent>)>;

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

    /// Adopts what the store has: runs started or advanced by another client or another
    /// device, and the actions on them. Finished runs leave the board.
    pub(crate) fn sync(&mut self, store: &Store, device: &str) {
        match store.procedure_runs(true) {
            Ok(stored) => {
                self.runs.retain(|r| {
                    r.run.status == RunStatus::Running && stored.iter().any(|s| s.id == r.id)
                });
                for s in stored {
                    let actions = actions_of(store, &s);
                    let ticked_on = if s.owned_by(device) {
                        None
                    } else {
                        s.owner.clone()
                    };
                    match self.runs.iter_mut().find(|r| r.id == s.id) {
                        Some(local) => {
                            if local.saved < s.run.events.len() {
                                local.saved = s.run.events.len();
                                local.run = s.run;
                            }
                            local.actions = actions;
                            local.ticked_on = ticked_on;
                        }
                        None => self.runs.push(RunView {
                            id: s.id,
                            saved: s.run.events.len(),
                            run: s.run,
                            ticked_on,
                            actions,
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
            ticked_on: None,
            actions: Vec::new(),
        });
        Ok(id)
    }

    /// An action of the actor on a step of run `id` (the run checks the role), saved at once;
    /// on a run another device ticks, checked against the run as known here and sent to it
    /// (no events until its owner publishes the outcome).
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
        if self.runs[k].ticked_on.is_some() {
            let mut copy = self.runs[k].run.clone();
            copy.act(&p, step, action.clone(), &actor.login, actor.role, now_ms)?;
            store
                .send_procedure_action(id, step, &action, &actor.login)
                .map_err(|e| e.to_string())?;
            self.sync(store, &actor.device);
            return Ok(Vec::new());
        }
        let events = self.runs[k]
            .run
            .act(&p, step, action, &actor.login, actor.role, now_ms)?;
        self.save(k, store, actor, &[])?;
        Ok(events)
    }

    /// Applies other devices' actions on the runs ticked here, in the hub's order, and
    /// publishes what became of each (an action on a step already done, on an ended run or by
    /// someone without the right is refused with its reason).
    pub(crate) fn apply_remote(&mut self, store: &mut Store, actor: &Actor, now_ms: i64) -> Moved {
        let pending = match store.pending_procedure_actions(&actor.device) {
            Ok(p) => p,
            Err(e) => {
                self.error = Some(e.to_string());
                return Vec::new();
            }
        };
        let mut settled: BTreeMap<i64, Vec<Settled>> = BTreeMap::new();
        let mut moved: Moved = Vec::new();
        for (id, a) in pending {
            let refused = match self.apply_one(store, id, &a, now_ms) {
                Ok(events) => {
                    if let Some(r) = self.run(id) {
                        moved.push((id, r.run.procedure.clone(), events));
                    }
                    None
                }
                Err(reason) => Some(reason),
            };
            settled.entry(id).or_default().push(Settled {
                op_id: a.op_id,
                refused,
            });
        }
        for (id, settled) in settled {
            let saved = match self.runs.iter().position(|r| r.id == id) {
                Some(k) => self.save(k, store, actor, &settled),
                // An ended run: the refusals are published with its last state.
                None => settle_ended(store, id, actor, &settled),
            };
            if let Err(e) = saved {
                self.error = Some(e);
            }
        }
        moved
    }

    fn apply_one(
        &mut self,
        store: &Store,
        id: i64,
        a: &RunAction,
        now_ms: i64,
    ) -> Result<Vec<RunEvent>, String> {
        let role =
            store.remote_author_role(&a.author, jumeau_core::access::Action::RunProcedure)?;
        let k = self
            .runs
            .iter()
            .position(|r| r.id == id && r.run.status == RunStatus::Running)
            .ok_or("the run had ended")?;
        let p = self
            .procedure(&self.runs[k].run.procedure)
            .cloned()
            .ok_or("its procedure is not in master data here")?;
        self.runs[k]
            .run
            .act(&p, &a.step, a.action.clone(), &a.author, role, now_ms)
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
    ) -> Moved {
        // Advanced in place (no copy of the procedures: this runs every alarm cycle), saved
        // afterwards (a save that meets a conflict re-reads the runs).
        let mut moved = Vec::new();
        let ProcedureBoard {
            procedures, runs, ..
        } = self;
        for r in runs
            .iter_mut()
            .filter(|r| r.run.status == RunStatus::Running && r.ticked_on.is_none())
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
                && let Err(e) = self.save(k, store, actor, &[])
            {
                self.error = Some(e);
            }
        }
        moved
    }

    /// Saves run `k`'s new events and the followers' actions it settled; on a conflict
    /// (another client moved it) adopts the store's.
    fn save(
        &mut self,
        k: usize,
        store: &mut Store,
        actor: &Actor,
        settled: &[Settled],
    ) -> Result<(), String> {
        let local = &self.runs[k];
        match store.save_procedure_run(local.id, &local.run, local.saved, &actor.login, settled) {
            Ok(()) => {
                self.runs[k].saved = self.runs[k].run.events.len();
                if !settled.is_empty() {
                    self.sync(store, &actor.device);
                }
                self.error = None;
                Ok(())
            }
            Err(e) => {
                self.sync(store, &actor.device);
                Err(e.to_string())
            }
        }
    }
}

/// The actions on a shared run (none for a run from before shared runs).
fn actions_of(store: &Store, run: &StoredRun) -> Vec<RunAction> {
    run.uid
        .as_deref()
        .and_then(|uid| store.procedure_actions(uid).ok())
        .unwrap_or_default()
}

/// Publishes refusals of actions on a run that ended, with its stored state.
fn settle_ended(
    store: &mut Store,
    id: i64,
    actor: &Actor,
    settled: &[Settled],
) -> Result<(), String> {
    let runs = store.procedure_runs(false).map_err(|e| e.to_string())?;
    let run = runs
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| format!("run #{id} is not in the store"))?
        .run;
    store
        .save_procedure_run(id, &run, run.events.len(), &actor.login, settled)
        .map_err(|e| e.to_string())
}
