//! Guided procedures in the client: start a run, see its steps, the live status of each
//! automatic condition against its target, timers and overdue steps, and act by role. Runs are
//! ticked twice a second on fresh live values and saved through `StoreHandle`; they are reloaded
//! from the store every few seconds, so that two clients on one store follow the same run.

use super::timing::OwnTime;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::{Color32, RichText};
use jumeau_core::Role;
use jumeau_core::procedure::{self, Action, Checked, Run, RunStatus, StepKind};

use super::i18n::Language;
use super::live::LiveFeed;
use super::logbook::StoreHandle;
use super::plant::Session;
use super::selection::Select;

pub struct ProceduresPlugin;

impl Plugin for ProceduresPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ProcedureView>()
            .add_systems(Startup, load_procedures)
            .add_systems(Update, tick_runs)
            .add_systems(EguiPrimaryContextPass, procedure_window);
    }
}

/// A run as this client holds it; `saved` = events known to be in the store.
struct LocalRun {
    id: i64,
    run: Run,
    saved: usize,
}

#[derive(Resource, Default)]
pub struct ProcedureView {
    pub open: bool,
    procedures: Vec<Checked>,
    runs: Vec<LocalRun>,
    selected: Option<i64>,
    value: f64,
    reason: String,
    message: Option<String>,
    last_tick: f64,
    last_sync: f64,
    /// (run, step) whose component the 3D view was last sent to.
    flown_to: Option<(i64, String)>,
    /// A procedure to start as soon as the client runs (`jumeau screenshot --procedure`).
    pub autostart: Option<String>,
}

impl ProcedureView {
    /// The window opened on a new run of `name`.
    pub fn starting(name: Option<String>) -> Self {
        ProcedureView {
            open: name.is_some(),
            autostart: name,
            ..Default::default()
        }
    }
}

fn load_procedures(
    session: Res<Session>,
    handle: Res<StoreHandle>,
    mut view: ResMut<ProcedureView>,
) {
    let md = &session.md;
    view.procedures = md
        .procedures
        .iter()
        .filter_map(|p| p.load(md).map_err(|e| warn!("procedure skipped: {e}")).ok())
        .collect();
    sync(&mut view, &handle);
}

/// Adopts what the store has: runs started or advanced by another client.
fn sync(view: &mut ProcedureView, handle: &StoreHandle) {
    let Ok(stored) = handle.store.lock().map(|s| s.procedure_runs(true)) else {
        return;
    };
    match stored {
        Ok(stored) => {
            view.runs.retain(|r| r.run.status == RunStatus::Running);
            for (id, run) in stored {
                match view.runs.iter_mut().find(|r| r.id == id) {
                    Some(local) if local.saved < run.events.len() => {
                        local.saved = run.events.len();
                        local.run = run;
                    }
                    Some(_) => {}
                    None => view.runs.push(LocalRun {
                        id,
                        saved: run.events.len(),
                        run,
                    }),
                }
            }
        }
        Err(e) => view.message = Some(e.to_string()),
    }
}

fn save(view: &mut ProcedureView, k: usize, handle: &StoreHandle, login: &str) {
    let local = &view.runs[k];
    let result = handle
        .store
        .lock()
        .map_err(|e| e.to_string())
        .and_then(|mut s| {
            s.save_procedure_run(local.id, &local.run, local.saved, login, &handle.device)
                .map_err(|e| e.to_string())
        });
    match result {
        Ok(()) => view.runs[k].saved = view.runs[k].run.events.len(),
        Err(e) => {
            view.message = Some(e);
            sync(view, handle);
        }
    }
}

fn tick_runs(
    time: Res<Time>,
    feed: Res<LiveFeed>,
    session: Res<Session>,
    handle: Res<StoreHandle>,
    mut view: ResMut<ProcedureView>,
    mut select: MessageWriter<Select>,
    own_time: Res<OwnTime>,
) {
    let _t = own_time.measure();
    let now_s = time.elapsed_secs_f64();
    if now_s - view.last_sync > 3.0 {
        view.last_sync = now_s;
        sync(&mut view, &handle);
    }
    if now_s - view.last_tick < 0.5 {
        return;
    }
    view.last_tick = now_s;
    let now = jumeau_scada::now_ms();
    for k in 0..view.runs.len() {
        let Some(p) = find(&view.procedures, &view.runs[k].run.procedure).cloned() else {
            continue;
        };
        let events = {
            let Ok(live) = feed.0.live.lock() else { return };
            view.runs[k]
                .run
                .tick(&p, now, &|tag: &str| live.fresh_value(tag, now))
        };
        if !events.is_empty() {
            save(&mut view, k, &handle, &session.user.login);
        }
    }
    // The 3D view follows the selected run's current step.
    let Some(local) = view
        .selected
        .and_then(|id| view.runs.iter().find(|r| r.id == id))
    else {
        return;
    };
    let Some(p) = find(&view.procedures, &local.run.procedure) else {
        return;
    };
    let Some(state) = local.run.active.first() else {
        return;
    };
    let step = &p.procedure.steps[state.step];
    let key = (local.id, step.id.clone());
    if view.flown_to.as_ref() != Some(&key) {
        if let Some(c) = step.component.as_deref().and_then(|c| session.resolve(c)) {
            select.write(Select::component(c.code.clone()));
        }
        view.flown_to = Some(key);
    }
}

fn find<'a>(procedures: &'a [Checked], name: &str) -> Option<&'a Checked> {
    procedures.iter().find(|p| p.procedure.name == name)
}

/// What the window asks for; carried out after drawing.
enum Request {
    Start(String),
    Act(i64, String, Action),
}

fn procedure_window(
    mut contexts: EguiContexts,
    mut view: ResMut<ProcedureView>,
    session: Res<Session>,
    handle: Res<StoreHandle>,
    feed: Res<LiveFeed>,
    language: Res<Language>,
    own_time: Res<OwnTime>,
) -> Result {
    let _t = own_time.measure();
    if !view.open {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let fr = language.fr();
    let tr = |f: &'static str, e: &'static str| if fr { f } else { e };
    let role = session.user.role;
    let now = jumeau_scada::now_ms();
    let training = feed
        .0
        .status
        .lock()
        .map(|s| s.simulator.is_some())
        .unwrap_or(false);
    let mut request = view.autostart.take().map(Request::Start);
    let mut open = true;
    let view = &mut *view;
    let (procedures, runs, selected, reason, value, message) = (
        &view.procedures,
        &view.runs,
        &mut view.selected,
        &mut view.reason,
        &mut view.value,
        &view.message,
    );
    egui::Window::new(tr("Procédures", "Procedures"))
        .open(&mut open)
        .default_size([760.0, 480.0])
        .default_pos([360.0, 80.0])
        .show(&ctx, |ui| {
            ui.horizontal_wrapped(|ui| {
                for p in procedures.iter() {
                    let title = if fr {
                        &p.procedure.title_fr
                    } else {
                        &p.procedure.title_en
                    };
                    let button = ui
                        .add_enabled(
                            role != Role::Auditor,
                            egui::Button::new(format!("▶ {}", p.procedure.name)),
                        )
                        .on_hover_text(format!("{title}\n{}", p.procedure.applicability));
                    if button.clicked() {
                        request = Some(Request::Start(p.procedure.name.clone()));
                    }
                }
            });
            ui.separator();
            ui.horizontal_wrapped(|ui| {
                for r in runs.iter() {
                    let label = format!("#{} {} ({:?})", r.id, r.run.procedure, r.run.status);
                    if ui
                        .selectable_label((*selected) == Some(r.id), label)
                        .clicked()
                    {
                        (*selected) = Some(r.id);
                    }
                }
            });
            if let Some(m) = &message {
                ui.colored_label(Color32::from_rgb(0xf0, 0xb4, 0x29), m);
            }
            let Some(local) = (*selected).and_then(|id| runs.iter().find(|r| r.id == id)) else {
                ui.label(tr("Aucune exécution sélectionnée.", "No run selected."));
                return;
            };
            let Some(p) = find(procedures, &local.run.procedure) else {
                return;
            };
            ui.separator();
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .show(ui, |ui| {
                    let live = feed.0.live.lock().ok();
                    for (i, step) in p.procedure.steps.iter().enumerate() {
                        let active = local.run.active.iter().find(|s| s.step == i);
                        let done = local
                            .run
                            .events
                            .iter()
                            .any(|e| e.step.as_deref() == Some(&step.id));
                        let mark = match (active, done) {
                            (Some(s), _) if s.overdue => {
                                RichText::new("⏰").color(Color32::from_rgb(0xff, 0x80, 0x00))
                            }
                            (Some(_), _) => {
                                RichText::new("▶").color(Color32::from_rgb(0x00, 0xc7, 0xff))
                            }
                            (None, true) => {
                                RichText::new("✔").color(Color32::from_rgb(0x4c, 0xd9, 0x64))
                            }
                            (None, false) => RichText::new("·").color(Color32::from_gray(120)),
                        };
                        let text = if fr || step.text_en.is_empty() {
                            &step.text_fr
                        } else {
                            &step.text_en
                        };
                        ui.horizontal_wrapped(|ui| {
                            ui.label(mark);
                            ui.label(RichText::new(&step.id).monospace());
                            let t = RichText::new(text);
                            ui.label(if active.is_some() {
                                t.strong()
                            } else {
                                t.color(Color32::from_gray(170))
                            });
                        });
                        let Some(state) = active else { continue };
                        ui.indent(("step", i), |ui| {
                            ui.label(format!(
                                "{} {} s",
                                tr("en cours depuis", "in progress for"),
                                (now - state.since_ms).max(0) / 1000
                            ));
                            for c in &p.conditions[i] {
                                let value = live.as_ref().and_then(|l| l.fresh_value(&c.tag, now));
                                let (ok, shown) = match value {
                                    Some(v) => (c.holds(v), format!("{v:.2} {}", c.unit)),
                                    None => (
                                        false,
                                        tr("pas de valeur fraîche", "no fresh value").to_owned(),
                                    ),
                                };
                                let colour = if ok {
                                    Color32::from_rgb(0x4c, 0xd9, 0x64)
                                } else {
                                    Color32::from_gray(200)
                                };
                                ui.colored_label(
                                    colour,
                                    format!(
                                        "{} {}  →  {shown}",
                                        if ok { "✔" } else { "✗" },
                                        c.text
                                    ),
                                );
                            }
                            if let Some(since) = state.holding_since {
                                ui.label(format!(
                                    "{} {} s",
                                    tr("tenue depuis", "held for"),
                                    (now - since) / 1000
                                ));
                            }
                            actions(
                                ui,
                                step,
                                local.id,
                                role,
                                training || local.run.training,
                                &mut request,
                                fr,
                            );
                        });
                    }
                });
            ui.separator();
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(reason)
                        .hint_text(tr("motif (saut, abandon)", "reason (skip, abort)")),
                );
                if let Some(local) = (*selected).and_then(|id| runs.iter().find(|r| r.id == id))
                    && local.run.status == RunStatus::Running
                {
                    let why = reason.clone();
                    if let Some(first) = local.run.current(p).first()
                        && ui.button(tr("Sauter l'étape", "Skip step")).clicked()
                    {
                        request = Some(Request::Act(
                            local.id,
                            first.to_string(),
                            Action::Skip {
                                reason: why.clone(),
                            },
                        ));
                    }
                    if ui.button(tr("Abandonner", "Abort")).clicked() {
                        request = Some(Request::Act(
                            local.id,
                            String::new(),
                            Action::Abort { reason: why },
                        ));
                    }
                }
                ui.add(
                    egui::DragValue::new(value)
                        .speed(0.1)
                        .prefix(tr("valeur : ", "value: ")),
                );
            });
        });
    view.open = open;
    let login = session.user.login.clone();
    match request {
        Some(Request::Start(name)) => {
            if let Some(p) = find(&view.procedures, &name) {
                let run = Run::start(p, &login, role, now, training);
                let result = handle
                    .store
                    .lock()
                    .map_err(|e| e.to_string())
                    .and_then(|mut s| {
                        s.start_procedure_run(&run, &login, &handle.device)
                            .map_err(|e| e.to_string())
                    });
                match result {
                    Ok(id) => {
                        view.runs.push(LocalRun {
                            id,
                            saved: run.events.len(),
                            run,
                        });
                        view.selected = Some(id);
                        view.message = None;
                    }
                    Err(e) => view.message = Some(e),
                }
            }
        }
        Some(Request::Act(id, step, action)) => {
            let value = view.value;
            let action = match action {
                Action::Enter(_) => Action::Enter(value),
                a => a,
            };
            if let Some(k) = view.runs.iter().position(|r| r.id == id)
                && let Some(p) = find(&view.procedures, &view.runs[k].run.procedure).cloned()
            {
                match view.runs[k].run.act(&p, &step, action, &login, role, now) {
                    Ok(_) => {
                        view.message = None;
                        save(view, k, &handle, &login);
                    }
                    Err(e) => view.message = Some(e),
                }
            }
        }
        None => {}
    }
    Ok(())
}

/// The buttons a step offers to this role.
#[allow(clippy::too_many_arguments)]
fn actions(
    ui: &mut egui::Ui,
    step: &procedure::Step,
    run: i64,
    role: Role,
    training: bool,
    request: &mut Option<Request>,
    fr: bool,
) {
    let tr = |f: &'static str, e: &'static str| if fr { f } else { e };
    let act = |a: Action| Some(Request::Act(run, step.id.clone(), a));
    // Auditors read only.
    if role == Role::Auditor {
        return;
    }
    ui.horizontal(|ui| match &step.kind {
        StepKind::Instruction | StepKind::ManualCheck { value: None }
            if ui.button(tr("Confirmer", "Confirm")).clicked() =>
        {
            *request = act(Action::Confirm);
        }
        StepKind::ManualCheck { value: Some(v) } => {
            ui.label(format!("{} ({} … {} {})", v.name, v.min, v.max, v.unit));
            if ui
                .button(tr("Saisir la valeur", "Enter the value"))
                .clicked()
            {
                *request = act(Action::Enter(0.0));
            }
        }
        StepKind::Decision { .. } => {
            if ui.button(tr("Oui", "Yes")).clicked() {
                *request = act(Action::Answer(true));
            }
            if ui.button(tr("Non", "No")).clicked() {
                *request = act(Action::Answer(false));
            }
        }
        StepKind::Hold { role: needed } => {
            let allowed = role == *needed || (training && role == Role::Trainer);
            let label = format!(
                "{} ({needed})",
                tr("Lever le point d'arrêt", "Release the hold")
            );
            if ui.add_enabled(allowed, egui::Button::new(label)).clicked() {
                *request = act(Action::Release);
            }
        }
        _ => {}
    });
}
