//! `jumeau procedures list | check FILE | run NAME --sim SCENARIO`.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use jumeau_core::changeset::{Change, ChangeSetContent};
use jumeau_core::procedure::{self, Action, Checked, Run, RunEvent, RunStatus, StepKind};
use jumeau_core::{MasterData, ProcedureSource, Role};
use jumeau_sim::{Scenario, Simulator};
use jumeau_store::Store;

use crate::cli::ProceduresCommand;

pub fn run(
    store_path: &Path,
    user: &str,
    device: &str,
    speed: f64,
    cmd: ProceduresCommand,
) -> anyhow::Result<ExitCode> {
    let store = Store::open_seeded(store_path)?;
    let md = store.master_data()?;
    if md.procedures.is_empty() {
        eprintln!(
            "jumeau: this store has no procedures in its master data (it predates them); \
             propose assets/procedures/*.toml with a change-set"
        );
    }
    match cmd {
        ProceduresCommand::List { json } => list(&md, json),
        ProceduresCommand::Check { file } => {
            let p = load(&file.to_string_lossy(), &md)?;
            println!(
                "{}: ok — {} v{}, {} steps, {} automatic conditions",
                file.display(),
                p.procedure.name,
                p.procedure.version,
                p.procedure.steps.len(),
                p.conditions.iter().map(Vec::len).sum::<usize>()
            );
            Ok(ExitCode::SUCCESS)
        }
        ProceduresCommand::Propose { file, title } => {
            let p = load(&file.to_string_lossy(), &md)?;
            let source = std::fs::read_to_string(&file)?;
            let content = ChangeSetContent {
                changes: vec![Change::UpsertProcedure(ProcedureSource {
                    name: p.procedure.name.clone(),
                    source,
                })],
            };
            let mut store = store;
            let id = store.propose_changeset(user, &title, &content)?;
            println!(
                "change-set #{id} proposed: procedure {} v{} (validate with `jumeau changesets validate {id}`)",
                p.procedure.name, p.procedure.version
            );
            Ok(ExitCode::SUCCESS)
        }
        ProceduresCommand::Run {
            name,
            scenario,
            confirm_manual_as,
            run_for,
            json,
        } => {
            store.user(user)?;
            let p = load(&name, &md)?;
            let scenario = Scenario::load(&scenario)?;
            anyhow::ensure!(
                (0.0..=3600.0).contains(&speed),
                "--speed must be between 0 (as fast as possible) and 3600"
            );
            let dry = DryRun {
                store,
                device: device.to_owned(),
                user,
                role: confirm_manual_as,
                speed,
                limit: run_for,
                json,
            };
            dry.run(&p, &md, scenario)
        }
    }
}

/// A procedure of master data by name, or a file path.
fn load(name: &str, md: &MasterData) -> anyhow::Result<Checked> {
    if name.ends_with(".toml") {
        let text = std::fs::read_to_string(name).with_context(|| format!("cannot read {name}"))?;
        return Ok(procedure::load(name, &text, md)?);
    }
    let p = md
        .procedures
        .iter()
        .find(|p| p.name == name)
        .with_context(|| {
            let known: Vec<&str> = md.procedures.iter().map(|p| p.name.as_str()).collect();
            format!(
                "no procedure `{name}` in master data (known: {})",
                known.join(", ")
            )
        })?;
    Ok(p.load(md)?)
}

fn list(md: &MasterData, json: bool) -> anyhow::Result<ExitCode> {
    let all = md
        .procedures
        .iter()
        .map(|p| load(&p.name, md))
        .collect::<Result<Vec<_>, _>>()?;
    if json {
        let rows: Vec<_> = all
            .iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.procedure.name,
                    "version": p.procedure.version,
                    "title_fr": p.procedure.title_fr,
                    "title_en": p.procedure.title_en,
                    "applicability": p.procedure.applicability,
                    "author": p.procedure.author,
                    "approver": p.procedure.approver,
                    "steps": p.procedure.steps.len(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for p in &all {
            println!(
                "{:<20} v{:<5} {:>3} steps  {}",
                p.procedure.name,
                p.procedure.version,
                p.procedure.steps.len(),
                p.procedure.title_fr
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

struct DryRun<'a> {
    store: Store,
    device: String,
    user: &'a str,
    role: Option<Role>,
    speed: f64,
    limit: Duration,
    json: bool,
}

impl DryRun<'_> {
    /// One simulated second at a time: the automatic checks read the simulator's values, and
    /// with a role the manual steps are confirmed as that role (values at mid-range, decisions
    /// answered yes).
    fn run(mut self, p: &Checked, md: &MasterData, scenario: Scenario) -> anyhow::Result<ExitCode> {
        let mut sim = Simulator::new(&md.tags, scenario, 1);
        let role = self.role.unwrap_or(Role::Trainer);
        let mut run = Run::start(p, self.user, role, 0, true);
        self.print(p, &run.events.clone());
        // Recorded like any run (training-flagged), times in simulated milliseconds.
        let id = self
            .store
            .start_procedure_run(&run, self.user, &self.device)?;
        let mut saved = run.events.len();
        let wall = Instant::now();
        let mut t_s = 0u64;
        while run.status == RunStatus::Running && t_s < self.limit.as_secs() {
            sim.advance(1.0);
            t_s += 1;
            let now = (t_s * 1000) as i64;
            let value = |tag: &str| sim.index_of(tag).and_then(|i| sim.value(i));
            let events = run.tick(p, now, &value);
            self.print(p, &events);
            if let Some(role) = self.role {
                for id in run
                    .current(p)
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                {
                    let Some(action) = manual_action(p, &id) else {
                        continue;
                    };
                    if let Ok(events) = run.act(p, &id, action, self.user, role, now) {
                        self.print(p, &events);
                    }
                }
            }
            if run.events.len() > saved {
                self.store
                    .save_procedure_run(id, &run, saved, self.user, &self.device)?;
                saved = run.events.len();
            }
            if self.speed > 0.0 {
                let due = Duration::from_secs_f64(t_s as f64 / self.speed);
                if let Some(wait) = due.checked_sub(wall.elapsed()) {
                    std::thread::sleep(wait);
                }
            }
        }
        if run.status == RunStatus::Completed {
            return Ok(ExitCode::SUCCESS);
        }
        let waiting = run.current(p).join(", ");
        if self.json {
            println!(
                "{}",
                serde_json::json!({"t_s": t_s, "outcome": "waiting", "steps": run.current(p)})
            );
        } else {
            println!("{t_s:>6} s  still waiting at: {waiting}");
        }
        Ok(ExitCode::from(3))
    }

    fn print(&self, p: &Checked, events: &[RunEvent]) {
        for e in events {
            let values: serde_json::Map<String, serde_json::Value> = e
                .values
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::json!(v)))
                .collect();
            if self.json {
                let line = serde_json::json!({
                    "t_s": e.ts_ms / 1000,
                    "step": e.step,
                    "outcome": e.outcome,
                    "user": e.user,
                    "role": e.role,
                    "values": values,
                    "note": e.note,
                });
                println!("{line}");
            } else {
                let text = e
                    .step
                    .as_deref()
                    .and_then(|id| p.index_of(id))
                    .map(|i| p.procedure.steps[i].text_fr.as_str())
                    .unwrap_or(&p.procedure.title_fr);
                println!(
                    "{:>6} s  {:<16} {:<13} {}  {}",
                    e.ts_ms / 1000,
                    e.step.as_deref().unwrap_or("—"),
                    format!("{:?}", e.outcome).to_lowercase(),
                    text,
                    serde_json::Value::Object(values)
                );
            }
        }
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
