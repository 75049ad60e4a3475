//! The procedure runner: a state machine over a checked procedure. Automatic conditions and
//! timed waits advance on `tick`; people act with `act` (confirm, enter a value, answer,
//! release a hold, skip with a reason, abort). Every outcome is an event with who, when and the
//! tag values that justified it. Serialisable, so that a run can be stored and resumed.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Checked, StepKind};
use crate::role::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Completed,
    Aborted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Started,
    /// An automatic condition held for its hold time.
    Passed,
    Confirmed,
    ValueEntered,
    Answered,
    Released,
    Waited,
    Skipped,
    Overdue,
    Aborted,
    Completed,
}

/// One entry of a run's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEvent {
    pub ts_ms: i64,
    pub step: Option<String>,
    pub outcome: Outcome,
    pub user: Option<String>,
    pub role: Option<Role>,
    /// Tag values that justified an automatic pass, or the value entered.
    pub values: Vec<(String, f64)>,
    pub note: Option<String>,
}

/// A step in progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepState {
    pub step: usize,
    pub since_ms: i64,
    /// Since when the condition has held without interruption.
    pub holding_since: Option<i64>,
    pub overdue: bool,
    /// (parallel step, branch, position in the branch) for a step inside a branch.
    pub branch: Option<(usize, usize, usize)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub procedure: String,
    pub version: String,
    pub status: RunStatus,
    /// A run against the simulator: the trainer may then stand in for any role at a hold.
    pub training: bool,
    pub started_ms: i64,
    pub active: Vec<StepState>,
    /// Branches still running per parallel step.
    pending: HashMap<usize, usize>,
    pub events: Vec<RunEvent>,
}

/// What a person does on a step (serialised as it travels to the device that ticks a shared
/// run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    Confirm,
    Enter(f64),
    Answer(bool),
    Release,
    Skip { reason: String },
    Abort { reason: String },
}

/// A step waits this long (s) before it is flagged overdue, unless the file says otherwise.
const DEFAULT_OVERDUE_S: f64 = 1_800.0;

impl Run {
    pub fn start(p: &Checked, user: &str, role: Role, now_ms: i64, training: bool) -> Run {
        let mut run = Run {
            procedure: p.procedure.name.clone(),
            version: p.procedure.version.clone(),
            status: RunStatus::Running,
            training,
            started_ms: now_ms,
            active: Vec::new(),
            pending: HashMap::new(),
            events: Vec::new(),
        };
        run.record(
            now_ms,
            None,
            Outcome::Started,
            Some((user, role)),
            Vec::new(),
            None,
        );
        run.enter(p, 0, None, now_ms);
        run
    }

    /// Ids of the steps in progress.
    pub fn current<'a>(&self, p: &'a Checked) -> Vec<&'a str> {
        self.active
            .iter()
            .map(|s| p.procedure.steps[s.step].id.as_str())
            .collect()
    }

    /// Advances automatic conditions (on `value(tag)`, fresh values only) and timed waits, and
    /// flags overdue steps. Returns the new events.
    pub fn tick(
        &mut self,
        p: &Checked,
        now_ms: i64,
        value: &dyn Fn(&str) -> Option<f64>,
    ) -> Vec<RunEvent> {
        let before = self.events.len();
        let mut k = 0;
        while self.status == RunStatus::Running && k < self.active.len() {
            let state = self.active[k].clone();
            let step = &p.procedure.steps[state.step];
            let done = match &step.kind {
                StepKind::Condition { hold_s, .. } => {
                    let values: Option<Vec<(String, f64)>> = p.conditions[state.step]
                        .iter()
                        .map(|c| {
                            value(&c.tag)
                                .filter(|v| c.holds(*v))
                                .map(|v| (c.tag.clone(), v))
                        })
                        .collect();
                    match values {
                        Some(values) => {
                            let since = *self.active[k].holding_since.get_or_insert(now_ms);
                            (now_ms - since >= (hold_s * 1000.0) as i64)
                                .then_some((Outcome::Passed, values))
                        }
                        None => {
                            self.active[k].holding_since = None;
                            None
                        }
                    }
                }
                StepKind::Wait { seconds } => (now_ms - state.since_ms
                    >= (seconds * 1000.0) as i64)
                    .then_some((Outcome::Waited, Vec::new())),
                _ => None,
            };
            match done {
                Some((outcome, values)) => {
                    self.record(now_ms, Some(&step.id), outcome, None, values, None);
                    self.finish(p, k, None, now_ms);
                    k = 0;
                }
                None => {
                    let limit = step.overdue_s.unwrap_or(match step.kind {
                        StepKind::Wait { seconds } => seconds * 2.0,
                        _ => DEFAULT_OVERDUE_S,
                    });
                    if !state.overdue && now_ms - state.since_ms > (limit * 1000.0) as i64 {
                        self.active[k].overdue = true;
                        let note = format!("waiting for {:.0} s", (now_ms - state.since_ms) / 1000);
                        self.record(
                            now_ms,
                            Some(&step.id),
                            Outcome::Overdue,
                            None,
                            Vec::new(),
                            Some(&note),
                        );
                    }
                    k += 1;
                }
            }
        }
        self.events[before..].to_vec()
    }

    /// A person acts on step `id` (or on the run, for an abort).
    pub fn act(
        &mut self,
        p: &Checked,
        id: &str,
        action: Action,
        user: &str,
        role: Role,
        now_ms: i64,
    ) -> Result<Vec<RunEvent>, String> {
        if self.status != RunStatus::Running {
            return Err(format!("the run is {:?}", self.status).to_lowercase());
        }
        let before = self.events.len();
        if let Action::Abort { reason } = &action {
            if reason.trim().is_empty() {
                return Err("an abort needs a reason".into());
            }
            self.status = RunStatus::Aborted;
            self.active.clear();
            self.record(
                now_ms,
                None,
                Outcome::Aborted,
                Some((user, role)),
                Vec::new(),
                Some(reason),
            );
            return Ok(self.events[before..].to_vec());
        }
        let k = self
            .active
            .iter()
            .position(|s| p.procedure.steps[s.step].id == id)
            .ok_or_else(|| format!("step `{id}` is not in progress"))?;
        let step = &p.procedure.steps[self.active[k].step];
        let who = Some((user, role));
        let (outcome, values, note, branch) = match (&step.kind, action) {
            (_, Action::Skip { reason }) => {
                if reason.trim().is_empty() {
                    return Err("a skipped step needs a reason".into());
                }
                if !matches!(role, Role::Operator | Role::Engineer | Role::Trainer) {
                    return Err(format!("a {role} may not skip a step"));
                }
                (Outcome::Skipped, Vec::new(), Some(reason), None)
            }
            (StepKind::Instruction | StepKind::ManualCheck { value: None }, Action::Confirm) => {
                (Outcome::Confirmed, Vec::new(), None, None)
            }
            (StepKind::ManualCheck { value: Some(v) }, Action::Enter(x)) => {
                if !(v.min..=v.max).contains(&x) {
                    return Err(format!(
                        "{} = {x} {} is outside {}…{} {}",
                        v.name, v.unit, v.min, v.max, v.unit
                    ));
                }
                (Outcome::ValueEntered, vec![(v.name.clone(), x)], None, None)
            }
            (StepKind::Decision { yes, no }, Action::Answer(a)) => {
                let target = if a { yes } else { no };
                (
                    Outcome::Answered,
                    Vec::new(),
                    Some(if a { "yes" } else { "no" }.to_owned()),
                    p.index_of(target),
                )
            }
            (StepKind::Hold { role: needed }, Action::Release) => {
                if role != *needed && !(self.training && role == Role::Trainer) {
                    return Err(format!(
                        "this hold point is released by a {needed}, not a {role}"
                    ));
                }
                (Outcome::Released, Vec::new(), None, None)
            }
            (kind, a) => {
                return Err(format!(
                    "{a:?} does not apply to a {} step",
                    kind_name(kind)
                ));
            }
        };
        let step_id = step.id.clone();
        self.record(
            now_ms,
            Some(&step_id),
            outcome,
            who,
            values,
            note.as_deref(),
        );
        self.finish(p, k, branch, now_ms);
        Ok(self.events[before..].to_vec())
    }

    fn record(
        &mut self,
        ts_ms: i64,
        step: Option<&str>,
        outcome: Outcome,
        who: Option<(&str, Role)>,
        values: Vec<(String, f64)>,
        note: Option<&str>,
    ) {
        self.events.push(RunEvent {
            ts_ms,
            step: step.map(str::to_owned),
            outcome,
            user: who.map(|(u, _)| u.to_owned()),
            role: who.map(|(_, r)| r),
            values,
            note: note.map(str::to_owned),
        });
    }

    /// Step `k` of `active` is done: go on in its branch, to `jump` (a decision's answer) or to
    /// its next step; complete the run when nothing is left.
    fn finish(&mut self, p: &Checked, k: usize, jump: Option<usize>, now_ms: i64) {
        let done = self.active.remove(k);
        match done.branch {
            Some((parallel, b, pos)) => {
                let branch = match &p.procedure.steps[parallel].kind {
                    StepKind::Parallel { branches } => &branches[b],
                    _ => unreachable!("a branch belongs to a parallel step"),
                };
                match branch.get(pos + 1).and_then(|id| p.index_of(id)) {
                    Some(next) => self.enter(p, next, Some((parallel, b, pos + 1)), now_ms),
                    None => {
                        let left = self.pending.entry(parallel).or_insert(1);
                        *left -= 1;
                        if *left == 0 {
                            self.pending.remove(&parallel);
                            self.go_on(p, p.next_of(parallel), now_ms);
                        }
                    }
                }
            }
            None => self.go_on(p, jump.or_else(|| p.next_of(done.step)), now_ms),
        }
    }

    fn go_on(&mut self, p: &Checked, next: Option<usize>, now_ms: i64) {
        match next {
            Some(i) => self.enter(p, i, None, now_ms),
            None if self.active.is_empty() => {
                self.status = RunStatus::Completed;
                self.record(now_ms, None, Outcome::Completed, None, Vec::new(), None);
            }
            None => {}
        }
    }

    fn enter(&mut self, p: &Checked, i: usize, branch: Option<(usize, usize, usize)>, now_ms: i64) {
        if let StepKind::Parallel { branches } = &p.procedure.steps[i].kind {
            self.pending.insert(i, branches.len());
            for (b, members) in branches.iter().enumerate() {
                if let Some(first) = members.first().and_then(|id| p.index_of(id)) {
                    self.enter(p, first, Some((i, b, 0)), now_ms);
                }
            }
            return;
        }
        self.active.push(StepState {
            step: i,
            since_ms: now_ms,
            holding_since: None,
            overdue: false,
            branch,
        });
    }
}

fn kind_name(kind: &StepKind) -> &'static str {
    match kind {
        StepKind::Instruction => "instruction",
        StepKind::ManualCheck { .. } => "manual check",
        StepKind::Condition { .. } => "automatic condition",
        StepKind::Wait { .. } => "wait",
        StepKind::Decision { .. } => "decision",
        StepKind::Parallel { .. } => "parallel",
        StepKind::Hold { .. } => "hold point",
    }
}
