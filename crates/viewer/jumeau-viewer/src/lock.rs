//! `LockPlugin`: after a spell without any input the screen locks — the runtime refuses every
//! action of the session meanwhile (alarms and automatic entries go on being recorded) — until
//! the user's password is typed again. Shorter on a tablet (`--lock-after`).

use crate::i18n::Language;
use crate::live::LiveFeed;
use crate::plant::Session;
use crate::sets::{ClientState, FrameSet, UiSet};
use crate::theme::opaque_backdrop;
use bevy::input::keyboard::KeyboardInput;
use bevy::input::mouse::{MouseButtonInput, MouseWheel};
use bevy::input::touch::TouchInput;
use bevy::prelude::*;
use bevy::window::CursorMoved;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use jumeau_runtime::Command;
use std::time::{Duration, Instant};

/// Locks after this long without input; `None` never.
pub struct LockPlugin(pub Option<Duration>);

#[derive(Resource)]
struct Lock {
    after: Option<Duration>,
    last_input: Instant,
    locked: bool,
    password: String,
    message: Option<String>,
}

impl Plugin for LockPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(Lock {
            after: self.0,
            last_input: Instant::now(),
            locked: false,
            password: String::new(),
            message: None,
        })
        .add_systems(OnEnter(ClientState::Running), |mut lock: ResMut<Lock>| {
            // Inactivity counts from the login, not from the window's opening.
            lock.last_input = Instant::now();
        })
        .add_systems(Update, watch_inactivity.in_set(FrameSet::Input))
        .add_systems(EguiPrimaryContextPass, draw_lock.in_set(UiSet::Overlay));
    }
}

#[allow(clippy::too_many_arguments)]
fn watch_inactivity(
    mut lock: ResMut<Lock>,
    feed: Res<LiveFeed>,
    mut keys: MessageReader<KeyboardInput>,
    mut buttons: MessageReader<MouseButtonInput>,
    mut wheel: MessageReader<MouseWheel>,
    mut cursor: MessageReader<CursorMoved>,
    mut touches: MessageReader<TouchInput>,
) {
    let input = keys.read().count()
        + buttons.read().count()
        + wheel.read().count()
        + cursor.read().count()
        + touches.read().count();
    if input > 0 {
        lock.last_input = Instant::now();
    }
    let Some(after) = lock.after else {
        return;
    };
    if !lock.locked && lock.last_input.elapsed() >= after {
        match feed.command(Command::Lock) {
            Ok(_) => lock.locked = true,
            Err(e) => lock.message = Some(e),
        }
    }
}

fn draw_lock(
    mut contexts: EguiContexts,
    mut lock: ResMut<Lock>,
    feed: Res<LiveFeed>,
    session: Res<Session>,
    language: Res<Language>,
) -> Result {
    if !lock.locked {
        return Ok(());
    }
    let t = language.texts();
    let ctx = contexts.ctx_mut()?;
    // Nothing of the plant shows and no click reaches a window.
    opaque_backdrop(ctx, "session-lock");
    egui::Area::new(egui::Id::new("session-lock-panel"))
        .order(egui::Order::Tooltip)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.set_width(420.0);
            let mut unlock = false;
            ui.vertical_centered(|ui| {
                ui.heading(t.session_locked);
                ui.label(format!(
                    "{} — {}",
                    session.user.display_name,
                    session.user.role.label(language.0)
                ));
                ui.add_space(12.0);
                let field = ui.add(
                    egui::TextEdit::singleline(&mut lock.password)
                        .password(true)
                        .hint_text(t.password)
                        .desired_width(280.0),
                );
                field.request_focus();
                let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                unlock = ui.button(t.unlock).clicked() || entered;
                if let Some(m) = &lock.message {
                    ui.colored_label(super::theme::WARNING, m);
                }
            });
            if unlock {
                let password = jumeau_runtime::Password::new(std::mem::take(&mut lock.password));
                match feed.command(Command::Unlock { password }) {
                    Ok(_) => {
                        lock.locked = false;
                        lock.message = None;
                        lock.last_input = Instant::now();
                    }
                    Err(e) => lock.message = Some(e),
                }
            }
        });
    Ok(())
}
