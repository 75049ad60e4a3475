//! A procedure tried against the built-in simulator in-process, as fast as wanted: one
//! simulated second at a time, the automatic checks reading the simulator's values, and with a
//! role the steps that wait for a person answered as that role (values at mid-range, decisions
//! answered yes, holds released). Recorded like any run, training-flagged, times in simulated
//! milliseconds.

use jumeau_core::Role;
use jumeau_core::procedure::{Action, Checked, Run, RunEvent, RunStatus, StepKind};
use jumeau_sim::{Scenario, Simulator};
use jumeau_store::{Store, StoreError};
use std::time::{Duration, Instant};

pub struct DryRun<'a> {
    pub store: &'a mut Store,
    /// Logged in on `store`.
    pub login: &'a str,
    /// Answer manual steps as this role; `None` leaves them waiting.
    pub confirm_as: Option<Role>,
    /// Simulated seconds per wall second; 0 as fast as possible.
    pub speed: f64,
    /// Simulated time after which the run is given up as waiting.
    pub limit: Duration,
}

/// How a dry run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum DryRunEnd {
    Completed {
        t_s: u64,
    },
    Aborted {
        t_s: u64,
    },
    /// Still running when the limit came: the steps it waits at.
    Waiting {
        t_s: u64,
        steps: Vec<String>,
    },
}

impl DryRun<'_> {
    /// Runs `p` on `scenario`; `seen` gets every batch of events as they happen.
    pub fn run(
        self,
        p: &Checked,
        md: &jumeau_core::MasterData,
        scenario: Scenario,
        mut seen: impl FnMut(&[RunEvent]),
    ) -> Result<DryRunEnd, StoreError> {
        let mut sim = Simulator::new(&md.tags, scenario, 1);
        let role = self.confirm_as.unwrap_or(Role::Trainer);
        let mut run = Run::start(p, self.login, role, 0, true);
        seen(&run.events);
        let id = self.store.start_procedure_run(&run, self.login)?;
        let mut saved = run.events.len();
        let wall = Instant::now();
        let mut t_s = 0u64;
        while run.status == RunStatus::Running && t_s < self.limit.as_secs() {
            sim.advance(1.0);
            t_s += 1;
            let now = (t_s * 1000) as i64;
            let value = |tag: &str| sim.index_of(tag).and_then(|i| sim.value(i));
            seen(&run.tick(p, now, &value));
            if let Some(role) = self.confirm_as {
                let current: Vec<String> = run.current(p).iter().map(|s| s.to_string()).collect();
                for step in current {
                    let Some(action) = manual_action(p, &step) else {
                        continue;
                    };
                    if let Ok(events) = run.act(p, &step, action, self.login, role, now) {
                        seen(&events);
                    }
                }
            }
            if run.events.len() > saved {
                self.store
                    .save_procedure_run(id, &run, saved, self.login, &[])?;
                saved = run.events.len();
            }
            if self.speed > 0.0 {
                let due = Duration::from_secs_f64(t_s as f64 / self.speed);
                if let Some(wait) = due.checked_sub(wall.elapsed()) {
                    std::thread::sleep(wait);
                }
            }
        }
        Ok(match run.status {
            RunStatus::Completed => DryRunEnd::Completed { t_s },
            RunStatus::Aborted => DryRunEnd::Aborted { t_s },
            RunStatus::Running => DryRunEnd::Waiting {
                t_s,
                steps: run.current(p).iter().map(|s| s.to_string()).collect(),
            },
        })
    }
}

/// What a dry run does on a step that waits for a person.
fn manual_action(p: &Checked, id: &str) -> Option<Action> {
    let step = &p.procedure.steps[p.index_of(id)?];
    Some(match &step.kind {
        StepKind::Instruction | StepKind::ManualCheck { value: None } => Action::Confirm,
        StepKind::ManualCheck { value: Some(v) } => Action::Enter((v.min + v.max) / 2.0),
        StepKind::Decision { .. } => Action::Answer(true),
        StepKind::Hold { .. } => Action::Release,
        _ => return None,
    })
}
