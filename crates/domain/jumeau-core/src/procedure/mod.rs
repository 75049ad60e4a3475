//! Guided procedures: definitions as versioned TOML files (docs/procedure-format.md), checked
//! against master data at load, and the runner's state machine. Pure: the caller reads the
//! files, supplies live values and the time, and stores the record.

mod expr;
mod runner;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::masterdata::MasterData;
use crate::role::Role;

pub use expr::{Comparison, Op};
pub use runner::{Action, Outcome, Run, RunEvent, RunStatus, StepState};

/// The plant's procedures, embedded (files in `assets/procedures/`).
pub const BUILT_IN: [(&str, &str); 7] = [
    (
        "gt-cold-start",
        include_str!("../../../../../assets/procedures/gt-cold-start.toml"),
    ),
    (
        "gt-hot-start",
        include_str!("../../../../../assets/procedures/gt-hot-start.toml"),
    ),
    (
        "cc-start",
        include_str!("../../../../../assets/procedures/cc-start.toml"),
    ),
    (
        "add-tg2",
        include_str!("../../../../../assets/procedures/add-tg2.toml"),
    ),
    (
        "normal-shutdown",
        include_str!("../../../../../assets/procedures/normal-shutdown.toml"),
    ),
    (
        "tg1-alone",
        include_str!("../../../../../assets/procedures/tg1-alone.toml"),
    ),
    (
        "tg1-trip-response",
        include_str!("../../../../../assets/procedures/tg1-trip-response.toml"),
    ),
];

/// The built-in procedures as master-data records.
pub fn built_in_sources() -> Vec<crate::ProcedureSource> {
    BUILT_IN
        .iter()
        .map(|(name, source)| crate::ProcedureSource {
            name: (*name).to_owned(),
            source: (*source).to_owned(),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    pub name: String,
    pub version: String,
    pub title_fr: String,
    pub title_en: String,
    /// When it applies (plant state, units).
    pub applicability: String,
    pub author: String,
    pub approver: String,
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub id: String,
    pub text_fr: String,
    #[serde(default)]
    pub text_en: String,
    #[serde(flatten)]
    pub kind: StepKind,
    /// Component to fly to in 3D (code or alias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// Document ids from master data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// The step after this one (default: the next step in the file that is not in a parallel
    /// branch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Seconds after which a waiting step is flagged overdue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue_s: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    /// Read and acknowledge.
    Instruction,
    /// The operator confirms, optionally entering a value within limits.
    ManualCheck {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<ValueEntry>,
    },
    /// Every comparison holds on fresh live values for `hold_s` seconds.
    Condition {
        when: Vec<String>,
        #[serde(default)]
        hold_s: f64,
    },
    /// A timed wait.
    Wait { seconds: f64 },
    /// The operator answers yes or no; the run goes on at `yes` or `no`.
    Decision { yes: String, no: String },
    /// Branches run side by side (each a list of step ids, in order); the step completes when
    /// all have.
    Parallel { branches: Vec<Vec<String>> },
    /// A hold point: only this role releases it.
    Hold { role: Role },
}

/// A value the operator enters at a manual check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueEntry {
    pub name: String,
    pub unit: String,
    pub min: f64,
    pub max: f64,
}

/// A procedure file refused at load: where and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

/// A procedure checked against master data, its conditions resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    pub procedure: Procedure,
    /// Per step, its resolved comparisons (empty for other kinds).
    pub conditions: Vec<Vec<Comparison>>,
    /// Step index by id, and each step's default successor: computed once, so that checking
    /// and running a procedure of n steps is linear in n.
    #[serde(skip)]
    ids: HashMap<String, usize>,
    #[serde(skip)]
    default_next: Vec<Option<usize>>,
}

impl Checked {
    fn new(procedure: Procedure, conditions: Vec<Vec<Comparison>>) -> Checked {
        let ids = procedure
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let members = branch_members(&procedure);
        // From the end: each step's successor is the next one that is not in a branch.
        let mut default_next = vec![None; procedure.steps.len()];
        let mut following = None;
        for i in (0..procedure.steps.len()).rev() {
            default_next[i] = following;
            if !members.contains(&i) {
                following = Some(i);
            }
        }
        Checked {
            procedure,
            conditions,
            ids,
            default_next,
        }
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    /// The step after `i` when it has no explicit `next`: the following one in the file that is
    /// not in a branch.
    pub fn default_next(&self, i: usize) -> Option<usize> {
        self.default_next.get(i).copied().flatten()
    }

    pub fn next_of(&self, i: usize) -> Option<usize> {
        match &self.procedure.steps[i].next {
            Some(id) => self.index_of(id),
            None => self.default_next(i),
        }
    }
}

/// Steps that belong to a parallel branch (not part of the main flow).
fn branch_members(p: &Procedure) -> HashSet<usize> {
    let ids: HashMap<&str, usize> = p
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    p.steps
        .iter()
        .filter_map(|s| match &s.kind {
            StepKind::Parallel { branches } => Some(branches),
            _ => None,
        })
        .flatten()
        .flatten()
        .filter_map(|id| ids.get(id.as_str()).copied())
        .collect()
}

/// The longest duration a step may name: a week (a procedure runs within a shift or an outage).
pub const MAX_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

fn sane_seconds(s: f64) -> bool {
    s.is_finite() && (0.0..=MAX_SECONDS).contains(&s)
}

/// Keys a procedure file may hold: the top level, every step, each kind's own, a value entry.
const TOP_KEYS: [&str; 8] = [
    "name",
    "version",
    "title_fr",
    "title_en",
    "applicability",
    "author",
    "approver",
    "step",
];
const STEP_KEYS: [&str; 8] = [
    "id",
    "text_fr",
    "text_en",
    "kind",
    "component",
    "documents",
    "next",
    "overdue_s",
];
const KIND_KEYS: [(&str, &[&str]); 7] = [
    ("instruction", &[]),
    ("manual_check", &["value"]),
    ("condition", &["when", "hold_s"]),
    ("wait", &["seconds"]),
    ("decision", &["yes", "no"]),
    ("parallel", &["branches"]),
    ("hold", &["role"]),
];
const VALUE_KEYS: [&str; 4] = ["name", "unit", "min", "max"];

/// The first key serde would silently drop (a misspelt `colour`, a `frobnicate`), with its line.
fn unknown_key(text: &str) -> Option<(usize, String)> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let line_of = |key: &str| {
        text.lines()
            .position(|l| {
                let l = l.trim_start();
                l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('=') || rest.starts_with('.'))
                    || l.starts_with(&format!("[{key}]"))
                    || l.starts_with(&format!("[step.{key}]"))
            })
            .map_or(0, |n| n + 1)
    };
    let stray = |table: &toml::Table, allowed: &[&str], place: &str| {
        table
            .keys()
            .find(|k| !allowed.contains(&k.as_str()))
            .map(|k| (line_of(k), format!("unknown key `{k}` {place}")))
    };
    if let Some(found) = stray(&table, &TOP_KEYS, "at the top level") {
        return Some(found);
    }
    let steps = table.get("step").and_then(|s| s.as_array())?;
    for step in steps.iter().filter_map(|s| s.as_table()) {
        let id = step.get("id").and_then(|v| v.as_str()).unwrap_or("?");
        let kind = step.get("kind").and_then(|v| v.as_str()).unwrap_or("");
        let own = KIND_KEYS
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(&[][..], |(_, keys)| *keys);
        let allowed: Vec<&str> = STEP_KEYS.iter().chain(own).copied().collect();
        let place = format!("in step `{id}` (kind {kind})");
        if let Some(found) = stray(step, &allowed, &place) {
            return Some(found);
        }
        if let Some(value) = step.get("value").and_then(|v| v.as_table())
            && let Some(found) = stray(value, &VALUE_KEYS, &format!("in step `{id}`'s value"))
        {
            return Some(found);
        }
    }
    None
}

/// Parses and checks a procedure file: TOML syntax, required fields, unique step ids, every
/// reference to a step, component, document and tag, units of every condition, limits of value
/// entries, and no cycle in the flow. `file` names it in errors.
pub fn load(file: &str, text: &str, md: &MasterData) -> Result<Checked, LoadError> {
    let err = |line: usize, problem: String| LoadError {
        file: file.to_owned(),
        line,
        problem,
    };
    let procedure: Procedure = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| {
            text[..s.start.min(text.len())].lines().count().max(1)
        });
        err(line, e.message().to_owned())
    })?;
    if let Some((line, problem)) = unknown_key(text) {
        return Err(err(line, problem));
    }
    // Semantic errors point at the step's `id = "…"` line.
    let line_of = |id: &str| {
        let needle = format!("\"{id}\"");
        text.lines()
            .position(|l| l.trim_start().starts_with("id") && l.contains(&needle))
            .map_or(0, |n| n + 1)
    };
    let mut ids = HashMap::new();
    for (i, s) in procedure.steps.iter().enumerate() {
        if ids.insert(s.id.as_str(), i).is_some() {
            return Err(err(
                line_of(&s.id),
                format!("step id `{}` is used twice", s.id),
            ));
        }
    }
    if procedure.steps.is_empty() {
        return Err(err(1, "a procedure needs at least one [[step]]".into()));
    }
    let mut conditions = Vec::new();
    for s in &procedure.steps {
        let here = |problem: String| err(line_of(&s.id), format!("step `{}`: {problem}", s.id));
        let refs: Vec<&String> = match &s.kind {
            StepKind::Decision { yes, no } => vec![yes, no],
            StepKind::Parallel { branches } => branches.iter().flatten().collect(),
            _ => Vec::new(),
        };
        for r in refs.into_iter().chain(s.next.as_ref()) {
            if !ids.contains_key(r.as_str()) {
                return Err(here(format!("refers to missing step `{r}`")));
            }
        }
        if let Some(c) = &s.component
            && !md
                .components
                .iter()
                .any(|x| x.code.eq_ignore_ascii_case(c) || x.alias.eq_ignore_ascii_case(c))
        {
            return Err(here(format!("unknown component `{c}`")));
        }
        if let Some(d) = s
            .documents
            .iter()
            .find(|d| !md.documents.iter().any(|x| &x.id == *d))
        {
            return Err(here(format!("unknown document `{d}`")));
        }
        // A run must be able to finish: no infinite, NaN or absurd durations.
        if let Some(t) = s.overdue_s
            && !sane_seconds(t)
        {
            return Err(here(format!(
                "overdue_s = {t}: a finite number of seconds up to {MAX_SECONDS} is needed"
            )));
        }
        let resolved = match &s.kind {
            StepKind::Condition { when, hold_s } => {
                if when.is_empty() || !sane_seconds(*hold_s) {
                    return Err(here(format!(
                        "a condition needs comparisons and 0 ≤ hold_s ≤ {MAX_SECONDS} s"
                    )));
                }
                when.iter()
                    .map(|w| Comparison::parse(w, md))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(here)?
            }
            StepKind::Wait { seconds } if *seconds <= 0.0 || !sane_seconds(*seconds) => {
                return Err(here(format!("a wait needs 0 < seconds ≤ {MAX_SECONDS}")));
            }
            StepKind::ManualCheck { value: Some(v) } => {
                if !(v.min.is_finite() && v.max.is_finite())
                    || v.min > v.max
                    || v.unit.trim().is_empty()
                {
                    return Err(here(format!(
                        "value `{}` needs a unit and min ≤ max",
                        v.name
                    )));
                }
                Vec::new()
            }
            StepKind::Parallel { branches } if branches.len() < 2 => {
                return Err(here("a parallel step needs at least two branches".into()));
            }
            _ => Vec::new(),
        };
        conditions.push(resolved);
    }
    let checked = Checked::new(procedure, conditions);
    if let Some(i) = find_cycle(&checked) {
        let id = &checked.procedure.steps[i].id;
        return Err(err(
            line_of(id),
            format!("step `{id}` is part of a cycle in the flow"),
        ));
    }
    Ok(checked)
}

impl crate::masterdata::ProcedureSource {
    /// Loads and checks this master-data procedure; errors name it `procedure NAME`.
    pub fn load(&self, md: &MasterData) -> Result<Checked, LoadError> {
        load(&format!("procedure {}", self.name), &self.source, md)
    }
}

/// A step on a cycle of the flow graph (next, yes/no, parallel members), if any.
fn find_cycle(c: &Checked) -> Option<usize> {
    let n = c.procedure.steps.len();
    let edges = |i: usize| -> Vec<usize> {
        let s = &c.procedure.steps[i];
        let mut out: Vec<usize> = match &s.kind {
            StepKind::Decision { yes, no } => {
                [yes, no].iter().filter_map(|id| c.index_of(id)).collect()
            }
            StepKind::Parallel { branches } => branches
                .iter()
                .flat_map(|b| b.first())
                .filter_map(|id| c.index_of(id))
                .collect(),
            _ => Vec::new(),
        };
        if !matches!(s.kind, StepKind::Decision { .. }) {
            out.extend(c.next_of(i));
        }
        out
    };
    // Iterative DFS with colours: 0 new, 1 on the stack, 2 done.
    let mut colour = vec![0u8; n];
    for start in 0..n {
        if colour[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, edges(start), 0usize)];
        colour[start] = 1;
        while let Some((node, out, k)) = stack.last_mut() {
            if let Some(&next) = out.get(*k) {
                *k += 1;
                match colour[next] {
                    1 => return Some(next),
                    0 => {
                        colour[next] = 1;
                        let e = edges(next);
                        stack.push((next, e, 0));
                    }
                    _ => {}
                }
            } else {
                colour[*node] = 2;
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
