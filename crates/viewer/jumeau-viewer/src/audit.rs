//! `AuditPlugin`: the auditor's (and engineers') window over the audit trail — logins, failures,
//! lockouts, every write — filtered by login and action, exported to a signed CSV. Everything
//! through the runtime, whose store checks the right to read it.

use super::i18n::Language;
use super::live::LiveFeed;
use super::sets::UiSet;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use jumeau_runtime::{AuditFilter, AuditRow, Command, Reply};

/// Rows shown at most (the newest); the export takes the same filter.
const SHOWN_ROWS: usize = 500;

pub struct AuditPlugin;

impl Plugin for AuditPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<AuditView>()
            .add_systems(EguiPrimaryContextPass, audit_window.in_set(UiSet::Windows));
    }
}

#[derive(Resource)]
pub struct AuditView {
    pub open: bool,
    actor: String,
    action: String,
    rows: Option<Vec<AuditRow>>,
    out: String,
    message: Option<String>,
}

impl Default for AuditView {
    fn default() -> Self {
        AuditView {
            open: false,
            actor: String::new(),
            action: String::new(),
            rows: None,
            out: "journal-audit.csv".into(),
            message: None,
        }
    }
}

impl AuditView {
    pub fn opened(open: bool) -> Self {
        AuditView {
            open,
            ..Default::default()
        }
    }

    fn filter(&self, limit: Option<usize>) -> AuditFilter {
        let given = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        AuditFilter {
            actor: given(&self.actor),
            action: given(&self.action),
            limit,
            ..Default::default()
        }
    }

    fn load(&mut self, feed: &LiveFeed) {
        match feed.command(Command::Audit(self.filter(Some(SHOWN_ROWS)))) {
            Ok(Reply::Audit(rows)) => {
                self.rows = Some(rows);
                self.message = None;
            }
            Ok(_) => {}
            Err(e) => {
                self.rows = Some(Vec::new());
                self.message = Some(e);
            }
        }
    }
}

fn audit_window(
    mut contexts: EguiContexts,
    mut view: ResMut<AuditView>,
    feed: Res<LiveFeed>,
    language: Res<Language>,
) -> Result {
    if !view.open {
        return Ok(());
    }
    if view.rows.is_none() {
        view.load(&feed);
    }
    let t = language.texts();
    let ctx = contexts.ctx_mut()?;
    let mut open = view.open;
    let view = &mut *view;
    egui::Window::new(t.audit)
        .open(&mut open)
        .default_width(900.0)
        .show(ctx, |ui| {
            let mut reload = false;
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut view.actor).hint_text(t.audit_actor));
                ui.add(egui::TextEdit::singleline(&mut view.action).hint_text(t.audit_action));
                reload = ui.button(t.audit_refresh).clicked();
            });
            if let Some(m) = &view.message {
                ui.colored_label(super::theme::WARNING, m);
            }
            ui.separator();
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .stick_to_bottom(true)
                .show(ui, |ui| {
                    egui::Grid::new("audit-grid")
                        .striped(true)
                        .num_columns(5)
                        .show(ui, |ui| {
                            for r in view.rows.iter().flatten() {
                                ui.label(r.at.get(..19).unwrap_or(&r.at).replace('T', " "));
                                ui.label(&r.actor);
                                ui.label(&r.action);
                                ui.label(format!(
                                    "{} {}",
                                    r.entity,
                                    r.entity_id.as_deref().unwrap_or("")
                                ));
                                ui.label(r.detail.as_deref().unwrap_or(""));
                                ui.end_row();
                            }
                        });
                });
            ui.separator();
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut view.out).desired_width(260.0));
                if ui.button(t.audit_export).clicked() {
                    let command = Command::ExportAudit {
                        filter: view.filter(None),
                        out: view.out.clone().into(),
                    };
                    view.message = Some(match feed.command(command) {
                        Ok(Reply::Exported(manifest)) => {
                            format!("{} + {}", view.out, manifest.display())
                        }
                        Ok(_) => String::new(),
                        Err(e) => e,
                    });
                }
            });
            if reload {
                view.load(&feed);
            }
        });
    view.open = open;
    Ok(())
}
