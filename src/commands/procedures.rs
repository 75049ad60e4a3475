//! `jumeau procedures list | check FILE | run NAME --sim SCENARIO`.

use crate::identity::{Identity, open_store};
use jumeau_store::StoreFiles;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use jumeau_core::changeset::{Change, ChangeSetContent};
use jumeau_core::procedure::{self, Checked, RunEvent};
use jumeau_core::{MasterData, ProcedureSource};
use jumeau_runtime::{DryRun, DryRunEnd};
use jumeau_sim::Scenario;

use crate::cli::ProceduresCommand;

/// The largest procedure file read (the plant's longest is ≈ 10 kB).
const MAX_PROCEDURE_BYTES: u64 = 4 * 1024 * 1024;

pub fn run(
    store_files: &StoreFiles,
    who: &Identity,
    speed: f64,
    cmd: ProceduresCommand,
) -> anyhow::Result<ExitCode> {
    let mut store = open_store(store_files)?;
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
            out!(
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
            who.log_in(&mut store)?;
            store.may_propose(&who.login)?;
            let p = load(&file.to_string_lossy(), &md)?;
            let source = crate::commands::read_bounded(&file, MAX_PROCEDURE_BYTES)?;
            let content = ChangeSetContent {
                changes: vec![Change::UpsertProcedure(ProcedureSource {
                    name: p.procedure.name.clone(),
                    source,
                })],
            };
            let id = store.propose_changeset(&who.login, &title, &content)?;
            out!(
                "change-set #{id} proposed: procedure {} v{} (validate with `jumeau changesets validate {id}`)",
                p.procedure.name,
                p.procedure.version
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
            who.log_in(&mut store)?;
            let p = load(&name, &md)?;
            let scenario = Scenario::load(&scenario)?;
            anyhow::ensure!(
                (0.0..=3600.0).contains(&speed),
                "--speed must be between 0 (as fast as possible) and 3600"
            );
            let dry = DryRun {
                store: &mut store,
                login: &who.login,
                confirm_as: confirm_manual_as,
                speed,
                limit: run_for,
            };
            match dry.run(&p, &md, scenario, |events| print(&p, events, json))? {
                DryRunEnd::Completed { .. } => Ok(ExitCode::SUCCESS),
                DryRunEnd::Aborted { t_s } => waiting(t_s, &[], json),
                DryRunEnd::Waiting { t_s, steps } => waiting(t_s, &steps, json),
            }
        }
    }
}

/// A procedure of master data by name, or a file path.
fn load(name: &str, md: &MasterData) -> anyhow::Result<Checked> {
    if name.ends_with(".toml") {
        let text = crate::commands::read_bounded(Path::new(name), MAX_PROCEDURE_BYTES)?;
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
        out!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for p in &all {
            out!(
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

/// A run that did not complete: where it waits, exit 3.
fn waiting(t_s: u64, steps: &[String], json: bool) -> anyhow::Result<ExitCode> {
    if json {
        out!(
            "{}",
            serde_json::json!({"t_s": t_s, "outcome": "waiting", "steps": steps})
        );
    } else {
        out!("{t_s:>6} s  still waiting at: {}", steps.join(", "));
    }
    Ok(ExitCode::from(3))
}

/// One line per run event, as text or JSON.
fn print(p: &Checked, events: &[RunEvent], json: bool) {
    for e in events {
        let values: serde_json::Map<String, serde_json::Value> = e
            .values
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::json!(v)))
            .collect();
        if json {
            let line = serde_json::json!({
                "t_s": e.ts_ms / 1000,
                "step": e.step,
                "outcome": e.outcome,
                "user": e.user,
                "role": e.role,
                "values": values,
                "note": e.note,
            });
            out!("{line}");
        } else {
            let text = e
                .step
                .as_deref()
                .and_then(|id| p.index_of(id))
                .map(|i| p.procedure.steps[i].text_fr.as_str())
                .unwrap_or(&p.procedure.title_fr);
            out!(
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
