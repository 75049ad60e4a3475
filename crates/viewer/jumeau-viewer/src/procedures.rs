//! Guided procedures in the client: start a run, see its steps, the live status of each
//! automatic condition against its target, timers and overdue steps, and act by role. The runs
//! live in the runtime (ticked on fresh live values at plant time, saved and signed there); the
//! window draws its board and sends the user's actions as commands.

use super::sets::{FrameSet, UiSet};
use super::timing::OwnTime;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::{Color32, RichText};
use jumeau_core::Role;
use jumeau_core::procedure::{self, Action, RunStatus, StepKind};
use jumeau_runtime::{Command, Reply};

use super::i18n::{self, Language};
use super::intent::Select;
use super::live::LiveFeed;
use super::plant::Session;
use jumeau_core::Locale;

pub struct ProceduresPlugin;

impl Plugin for ProceduresPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ProcedureView>()
            .add_systems(Update, follow_step.in_set(FrameSet::Sync))
            .add_systems(
                EguiPrimaryContextPass,
                procedure_window.in_set(UiSet::Windows),
            );
    }
}

#[derive(Resource, Default)]
pub struct ProcedureView {
    pub open: bool,
    selected: Option<i64>,
    value: f64,
    reason: String,
    message: Option<String>,
    /// (run, step) whose component the 3D view was last sent to.
    flown_to: Option<(i64, String)>,
    /// A procedure to start as soon as the client runs (`jumeau screenshot --procedure`).
    pub autostart: Option<String>,
}

impl ProcedureView {
    /// The window opened on a new run of `name`, or (`open`) on the newest run.
    pub fn starting(name: Option<String>, open: bool) -> Self {
        ProcedureView {
            open: open || name.is_some(),
            autostart: name,
            ..Default::default()
        }
    }
}

/// The 3D view follows the selected run's current step.
fn follow_step(
    feed: Res<LiveFeed>,
    session: Res<Session>,
    mut view: ResMut<ProcedureView>,
    mut select: MessageWriter<Select>,
    own_time: Res<OwnTime>,
) {
    let _t = own_time.measure();
    let Some(id) = view.selected else { return };
    let key = {
        let Some(board) = feed.0.procedures() else {
            return;
        };
        let Some(local) = board.run(id) else { return };
        let Some(p) = board.procedure(&local.run.procedure) else {
            return;
        };
        let Some(state) = local.run.active.first() else {
            return;
        };
        let step = &p.procedure.steps[state.step];
        (step.id.clone(), step.component.clone())
    };
    if view.flown_to.as_ref().map(|(r, s)| (*r, s)) != Some((id, &key.0)) {
        if let Some(c) = key.1.as_deref().and_then(|c| session.resolve(c)) {
            select.write(Select::component(c.code.clone()));
        }
        view.flown_to = Some((id, key.0));
    }
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
    feed: Res<LiveFeed>,
    language: Res<Language>,
    own_time: Res<OwnTime>,
) -> Result {
    let pt = &language.texts().procedure_window;
    let _t = own_time.measure();
    if !view.open {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let locale = language.locale();
    let role = session.user.role;
    let now = feed.0.clock().now_ms();
    let wall = jumeau_tagbus::now_ms();
    let training = feed.0.training();
    let mut request = view.autostart.take().map(Request::Start);
    let mut open = true;
    let view = &mut *view;
    let Some(board) = feed.0.procedures() else {
        return Ok(());
    };
    let (procedures, runs, selected, reason, value, message) = (
        &board.procedures,
        &board.runs,
        &mut view.selected,
        &mut view.reason,
        &mut view.value,
        &view.message,
    );
    egui::Window::new(language.texts().procedures)
        .open(&mut open)
        .default_size([760.0, 480.0])
        .default_pos([360.0, 80.0])
        .show(&ctx, |ui| {
            ui.horizontal_wrapped(|ui| {
                for p in procedures.iter() {
                    let title = locale.pick(&p.procedure.title_fr, &p.procedure.title_en);
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
                    let status = match r.run.status {
                        RunStatus::Running => pt.running,
                        RunStatus::Completed => pt.completed,
                        RunStatus::Aborted => pt.aborted,
                    };
                    let label = format!("#{} {} ({status})", r.id, r.run.procedure);
                    if ui
                        .selectable_label((*selected) == Some(r.id), label)
                        .clicked()
                    {
                        (*selected) = Some(r.id);
                    }
                }
            });
            if let Some(m) = &message {
                ui.colored_label(super::theme::WARNING, m);
            }
            // Nothing chosen yet: the newest run in progress (one started elsewhere included).
            if selected.is_none() {
                *selected = runs
                    .iter()
                    .filter(|r| r.run.status == RunStatus::Running)
                    .map(|r| r.id)
                    .max();
            }
            let Some(local) = (*selected).and_then(|id| runs.iter().find(|r| r.id == id)) else {
                ui.label(pt.no_run_selected);
                return;
            };
            let Some(p) = procedures
                .iter()
                .find(|p| p.procedure.name == local.run.procedure)
            else {
                return;
            };
            if let Some(device) = &local.ticked_on {
                ui.colored_label(super::theme::MUTED, format!("{} {device}", pt.ticked_on));
            }
            ui.separator();
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .show(ui, |ui| {
                    let live = feed.0.live();
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
                            (None, true) => RichText::new("✔").color(super::theme::GOOD),
                            (None, false) => RichText::new("·").color(Color32::from_gray(120)),
                        };
                        let text = locale.pick_or_fr(&step.text_fr, &step.text_en);
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
                                pt.in_progress_for,
                                (now - state.since_ms).max(0) / 1000
                            ));
                            for c in &p.conditions[i] {
                                let value = live.as_ref().and_then(|l| l.fresh_value(&c.tag, wall));
                                let (ok, shown) = match value {
                                    Some(v) => (
                                        c.holds(v),
                                        format!("{} {}", i18n::fixed(v, 2, locale), c.unit),
                                    ),
                                    None => (false, pt.no_fresh_value.to_owned()),
                                };
                                let colour = if ok {
                                    super::theme::GOOD
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
                                ui.label(format!("{} {} s", pt.held_for, (now - since) / 1000));
                            }
                            actions(
                                ui,
                                step,
                                local.id,
                                role,
                                training || local.run.training,
                                &mut request,
                                locale,
                            );
                        });
                    }
                });
            shared_actions(ui, &local.actions, pt);
            ui.separator();
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(reason).hint_text(pt.reason_skip_abort));
                if let Some(local) = (*selected).and_then(|id| runs.iter().find(|r| r.id == id))
                    && local.run.status == RunStatus::Running
                {
                    let why = reason.clone();
                    if let Some(first) = local.run.current(p).first()
                        && ui.button(pt.skip_step).clicked()
                    {
                        request = Some(Request::Act(
                            local.id,
                            first.to_string(),
                            Action::Skip {
                                reason: why.clone(),
                            },
                        ));
                    }
                    if ui.button(pt.abort).clicked() {
                        request = Some(Request::Act(
                            local.id,
                            String::new(),
                            Action::Abort { reason: why },
                        ));
                    }
                }
                ui.add(egui::DragValue::new(value).speed(0.1).prefix(pt.value));
            });
        });
    view.open = open;
    let error = board.error.clone();
    drop(board);
    let answer = match request {
        Some(Request::Start(name)) => feed.command(Command::StartProcedure { name }),
        Some(Request::Act(run, step, action)) => {
            let action = match action {
                Action::Enter(_) => Action::Enter(view.value),
                a => a,
            };
            feed.command(Command::ProcedureAction { run, step, action })
        }
        None => return Ok(()),
    };
    match answer {
        Ok(Reply::RunStarted(id)) => {
            view.selected = Some(id);
            view.message = error;
        }
        Ok(_) => view.message = error,
        Err(e) => view.message = Some(e),
    }
    Ok(())
}

/// The last actions sent between devices on a shared run, each with what became of it (a
/// refused one says why: the step was done meanwhile, the run had ended…).
fn shared_actions(
    ui: &mut egui::Ui,
    actions: &[jumeau_runtime::RunAction],
    pt: &crate::i18n::ProcedureTexts,
) {
    if actions.is_empty() {
        return;
    }
    ui.separator();
    ui.label(RichText::new(pt.shared_actions).strong());
    for a in actions.iter().rev().take(6) {
        let (colour, outcome) = match a.result.as_deref() {
            None => (super::theme::WARNING, pt.action_pending.to_owned()),
            Some(jumeau_runtime::APPLIED) => (super::theme::GOOD, pt.action_applied.to_owned()),
            Some(why) => (super::theme::FAULT, format!("{} {why}", pt.action_refused)),
        };
        ui.colored_label(
            colour,
            format!("{}@{} · {} · {outcome}", a.author, a.device, a.step),
        );
    }
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
    locale: Locale,
) {
    let pt = &Language(locale).texts().procedure_window;
    let act = |a: Action| Some(Request::Act(run, step.id.clone(), a));
    // Auditors read only.
    if role == Role::Auditor {
        return;
    }
    ui.horizontal(|ui| match &step.kind {
        StepKind::Instruction | StepKind::ManualCheck { value: None }
            if ui.button(pt.confirm).clicked() =>
        {
            *request = act(Action::Confirm);
        }
        StepKind::ManualCheck { value: Some(v) } => {
            ui.label(format!("{} ({} … {} {})", v.name, v.min, v.max, v.unit));
            if ui.button(pt.enter_the_value).clicked() {
                *request = act(Action::Enter(0.0));
            }
        }
        StepKind::Decision { .. } => {
            if ui.button(pt.yes).clicked() {
                *request = act(Action::Answer(true));
            }
            if ui.button(pt.no).clicked() {
                *request = act(Action::Answer(false));
            }
        }
        StepKind::Hold { role: needed } => {
            let allowed = role == *needed || (training && role == Role::Trainer);
            let label = format!("{} ({needed})", pt.release_the_hold);
            if ui.add_enabled(allowed, egui::Button::new(label)).clicked() {
                *request = act(Action::Release);
            }
        }
        _ => {}
    });
}
