//! `LoginPlugin`: the login screen. Until someone logs in, the runtime is not started and
//! nothing of the plant shows (the scenes load behind an opaque screen). A password is checked
//! off the frame's thread (Argon2id); a one-time password asks for the person's own before
//! anything else; refusals say why without telling which accounts exist. On success the
//! runtime starts for that person, the session's opening is recorded, and the client runs.

use crate::i18n::{Language, Texts};
use crate::live::LiveFeed;
use crate::plant::Session;
use crate::sets::{ClientState, UiSet};
use crate::theme::opaque_backdrop;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use jumeau_core::Locale;
use jumeau_runtime::{
    Command, Door, LoginRefusal, Password, Refused, Runtime, RuntimeHandle, StoreError, Weakness,
};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long the client waits for the runtime to record a login or logout.
pub const ANSWER: Duration = Duration::from_secs(10);

/// The runtime the client signed in, shared with the code around the app (which records the
/// logout once the window has closed). Its `LiveFeed` and `Session` resources are made from
/// it when the client starts running.
#[derive(Resource, Clone, Default)]
pub struct SignedIn(Arc<Mutex<Option<RuntimeHandle>>>);

impl SignedIn {
    fn set(&self, handle: RuntimeHandle) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(handle);
        }
    }

    pub fn take(&self) -> Option<RuntimeHandle> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// Starts a logged-in runtime: its services, then the session's opening in the logbook. The
/// handle is returned once that entry is durable.
pub fn open_session(runtime: Runtime) -> anyhow::Result<RuntimeHandle> {
    let handle = runtime.launch()?;
    handle
        .send(Command::Session { opened: true })
        .wait(ANSWER)
        .map_err(|e| anyhow::anyhow!("login not recorded in the logbook: {e}"))?;
    Ok(handle)
}

/// What the running client's features need once someone is logged in: the session (master
/// data, the user) and the runtime's handle.
pub fn enter(world: &mut World, signed_in: &SignedIn, handle: RuntimeHandle) {
    world.insert_resource(Session::new(&handle));
    world.insert_resource(LiveFeed(handle.clone()));
    signed_in.set(handle);
}

/// The login screen over a door (the store opened, nobody logged in), its login field filled;
/// without a door (logged in before the window opened, `--password-file`) only the
/// [`SignedIn`] slot.
pub struct LoginPlugin {
    screen: Mutex<Option<LoginScreen>>,
    signed_in: SignedIn,
}

impl LoginPlugin {
    pub fn new(door: Option<(Door, String)>, signed_in: SignedIn) -> LoginPlugin {
        let screen = door.map(|(door, login)| LoginScreen {
            device: door.device().to_owned(),
            door: Mutex::new(Some(Box::new(door))),
            login,
            password: String::new(),
            one_time: None,
            new_password: String::new(),
            new_again: String::new(),
            submitted: false,
            pending: None,
            message: None,
        });
        LoginPlugin {
            screen: Mutex::new(screen),
            signed_in,
        }
    }
}

impl Plugin for LoginPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.signed_in.clone());
        // A door cannot be copied: the first build takes it.
        let Some(screen) = self.screen.lock().ok().and_then(|mut s| s.take()) else {
            return;
        };
        app.insert_resource(screen)
            .add_systems(
                Update,
                (send_attempt, receive_answer)
                    .chain()
                    .run_if(in_state(ClientState::LoggingIn)),
            )
            .add_systems(EguiPrimaryContextPass, draw_login.in_set(UiSet::Login));
    }
}

/// The screen's state: the form, the door while nobody is being checked, the answer awaited.
#[derive(Resource)]
pub struct LoginScreen {
    /// In a mutex only because a store connection may move between threads but not be shared.
    door: Mutex<Option<Box<Door>>>,
    device: String,
    pub login: String,
    pub password: String,
    /// The one-time password, once accepted: the person now chooses their own (twice), the
    /// one-time one kept (wiped on drop) to re-wrap the account key with.
    one_time: Option<Password>,
    pub new_password: String,
    pub new_again: String,
    /// The form was sent (a click, Enter, or a screenshot typing into it).
    pub submitted: bool,
    pending: Option<Mutex<Receiver<Attempt>>>,
    pub message: Option<Message>,
}

/// What a refusal says, in the screen's language when it is drawn.
#[derive(Debug, Clone)]
pub enum Message {
    Empty,
    WrongCredentials,
    Locked(String),
    Deactivated,
    PasswordsDiffer,
    PasswordRefused(Weakness),
    /// The runtime could not start (nothing more can be done on this screen).
    Failed(String),
    Other(String),
}

type Attempt = Result<RuntimeHandle, Outcome>;

enum Outcome {
    /// The password tried comes back: a one-time password accepted is needed again to set the
    /// person's own.
    Refused(Box<Refused>, Password),
    Failed(String),
}

impl LoginScreen {
    /// A one-time password was accepted: the screen asks for the person's own.
    pub fn first_login(&self) -> bool {
        self.one_time.is_some()
    }

    /// Waiting for the password's check.
    pub fn checking(&self) -> bool {
        self.pending.is_some()
    }

    /// The screen can still take an attempt (not checking, the runtime not failed).
    fn open(&self) -> bool {
        !self.checking() && self.door.lock().is_ok_and(|d| d.is_some())
    }

    fn take_door(&mut self) -> Option<Box<Door>> {
        self.door.get_mut().ok().and_then(Option::take)
    }

    fn give_back(&mut self, door: Box<Door>) {
        if let Ok(slot) = self.door.get_mut() {
            *slot = Some(door);
        }
    }

    fn clear_secrets(&mut self) {
        self.password.clear();
        self.new_password.clear();
        self.new_again.clear();
    }
}

/// A sent form becomes an attempt on its own thread, the door going with it.
fn send_attempt(mut screen: ResMut<LoginScreen>) {
    if !std::mem::take(&mut screen.submitted) || !screen.open() {
        return;
    }
    let login = screen.login.trim().to_owned();
    let attempt = match screen.one_time.take() {
        Some(once) if screen.new_password != screen.new_again => {
            screen.one_time = Some(once);
            Err(Message::PasswordsDiffer)
        }
        Some(_) if screen.new_password.is_empty() => Err(Message::Empty),
        Some(once) => Ok((
            once,
            Some(Password::new(std::mem::take(&mut screen.new_password))),
        )),
        None if login.is_empty() || screen.password.is_empty() => Err(Message::Empty),
        None => Ok((Password::new(std::mem::take(&mut screen.password)), None)),
    };
    screen.clear_secrets();
    let (password, new) = match attempt {
        Ok(attempt) => attempt,
        Err(message) => {
            screen.message = Some(message);
            return;
        }
    };
    let Some(door) = screen.take_door() else {
        return;
    };
    let (tx, rx) = channel();
    let spawned = std::thread::Builder::new()
        .name("jumeau-login".into())
        .spawn(move || {
            let entered = match &new {
                Some(new) => door.change_password_and_enter(&login, &password, new),
                None => door.log_in(&login, &password),
            };
            let attempt = match entered {
                Ok(runtime) => open_session(runtime).map_err(|e| Outcome::Failed(format!("{e:#}"))),
                Err(refused) => Err(Outcome::Refused(refused, password)),
            };
            let _ = tx.send(attempt);
        });
    match spawned {
        Ok(_) => screen.pending = Some(Mutex::new(rx)),
        Err(e) => screen.message = Some(Message::Failed(e.to_string())),
    }
}

/// The attempt's answer: the client runs, or the door comes back with the reason.
fn receive_answer(
    mut commands: Commands,
    mut screen: ResMut<LoginScreen>,
    signed_in: Res<SignedIn>,
    mut next: ResMut<NextState<ClientState>>,
) {
    let answer = match &screen.pending {
        Some(rx) => match rx.lock().map(|rx| rx.try_recv()) {
            Ok(Ok(answer)) => answer,
            Ok(Err(std::sync::mpsc::TryRecvError::Empty)) => return,
            _ => Err(Outcome::Failed("the login thread stopped".into())),
        },
        None => return,
    };
    screen.pending = None;
    match answer {
        Ok(handle) => {
            screen.message = None;
            let signed_in = signed_in.clone();
            commands.queue(move |world: &mut World| enter(world, &signed_in, handle));
            next.set(ClientState::Running);
        }
        Err(Outcome::Refused(refused, password)) => {
            let Refused { door, why } = *refused;
            screen.give_back(door);
            // The one-time password stays accepted while the new one is refused for its
            // strength; anything else starts over.
            screen.message = match why {
                LoginRefusal::MustChangePassword(_) => {
                    screen.one_time = Some(password);
                    None
                }
                LoginRefusal::Store(e @ StoreError::WeakPassword(_)) => {
                    screen.one_time = Some(password);
                    Some(Message::from_store(e))
                }
                LoginRefusal::Store(e) => Some(Message::from_store(e)),
            };
        }
        Err(Outcome::Failed(e)) => screen.message = Some(Message::Failed(e)),
    }
}

impl Message {
    fn from_store(e: StoreError) -> Message {
        match e {
            // Unknown login and wrong password read alike: the screen tells nobody which
            // accounts exist.
            StoreError::BadCredentials => Message::WrongCredentials,
            StoreError::Locked { until, .. } => Message::Locked(until),
            StoreError::Deactivated(_) => Message::Deactivated,
            StoreError::WeakPassword(why) => Message::PasswordRefused(why),
            other => Message::Other(other.to_string()),
        }
    }

    fn text(&self, t: &Texts) -> String {
        match self {
            Message::Empty => t.login_empty.to_owned(),
            Message::WrongCredentials => t.login_wrong.to_owned(),
            Message::Locked(until) => t.login_locked.replace("{until}", until),
            Message::Deactivated => t.login_deactivated.to_owned(),
            Message::PasswordsDiffer => t.passwords_differ.to_owned(),
            Message::PasswordRefused(why) => format!("{} {}", t.password_refused, weakness(why, t)),
            Message::Failed(why) => format!("{} {why}", t.login_failed),
            Message::Other(why) => why.clone(),
        }
    }
}

fn weakness(why: &Weakness, t: &Texts) -> String {
    match why {
        Weakness::TooShort { min, chars } => t
            .password_too_short
            .replace("{min}", &min.to_string())
            .replace("{chars}", &chars.to_string()),
        Weakness::ControlCharacter => t.password_control_character.to_owned(),
        Weakness::ContainsLogin => t.password_contains_login.to_owned(),
        Weakness::SameAsOld => t.password_same_as_old.to_owned(),
    }
}

/// Widths and heights in logical pixels: a gloved finger needs about 48 px on a 10" tablet.
const FIELD_WIDTH: f32 = 380.0;
const TOUCH_HEIGHT: f32 = 52.0;
const FIELD_TEXT: f32 = 20.0;

fn draw_login(
    mut contexts: EguiContexts,
    mut screen: ResMut<LoginScreen>,
    mut language: ResMut<Language>,
) -> Result {
    let t = language.texts();
    let ctx = contexts.ctx_mut()?;
    // Nothing of the plant shows before a login.
    opaque_backdrop(ctx, "login-backdrop");
    let mut switch_to = None;
    egui::Area::new(egui::Id::new("login-card"))
        .order(egui::Order::Tooltip)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            egui::Frame::new()
                .fill(ui.visuals().panel_fill)
                .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
                .corner_radius(10)
                .inner_margin(28)
                .show(ui, |ui| {
                    ui.set_width(FIELD_WIDTH);
                    form(ui, &mut screen, t);
                    ui.add_space(16.0);
                    ui.separator();
                    ui.horizontal(|ui| {
                        for (locale, name) in [(Locale::Fr, "Français"), (Locale::En, "English")] {
                            let button =
                                egui::Button::selectable(language.0 == locale, name).min_size(
                                    egui::vec2((FIELD_WIDTH - 8.0) / 2.0, TOUCH_HEIGHT - 8.0),
                                );
                            if ui.add(button).clicked() {
                                switch_to = Some(locale);
                            }
                        }
                    });
                });
        });
    if let Some(locale) = switch_to {
        language.0 = locale;
    }
    Ok(())
}

/// The card's title, fields, button and message.
fn form(ui: &mut egui::Ui, screen: &mut LoginScreen, t: &Texts) {
    ui.vertical_centered(|ui| {
        ui.label(egui::RichText::new("Jumeau").size(40.0).strong());
        ui.label(egui::RichText::new(t.login_subtitle).size(17.0).weak());
    });
    ui.add_space(20.0);
    let open = screen.open();
    let first_login = screen.first_login();
    let mut enter = false;
    ui.label(t.login_user);
    let login = ui.add_enabled(
        open && !first_login,
        field(&mut screen.login, t.login_user, false),
    );
    ui.add_space(8.0);
    // After a one-time password: the person's own, twice, in its place.
    let (first, second) = if first_login {
        ui.label(egui::RichText::new(t.first_login).strong());
        ui.add_space(4.0);
        ui.label(t.new_password);
        let new = ui.add_enabled(open, field(&mut screen.new_password, t.new_password, true));
        ui.add_space(8.0);
        ui.label(t.new_password_again);
        let again = ui.add_enabled(
            open,
            field(&mut screen.new_again, t.new_password_again, true),
        );
        (new, Some(again))
    } else {
        ui.label(t.password);
        (
            ui.add_enabled(open, field(&mut screen.password, t.password, true)),
            None,
        )
    };
    enter |= pressed_enter(ui, &first) || second.as_ref().is_some_and(|r| pressed_enter(ui, r));
    // The cursor waits where the person types next.
    if open && !ui.memory(|m| m.focused().is_some()) {
        if screen.login.trim().is_empty() {
            login.request_focus();
        } else {
            first.request_focus();
        }
    }
    ui.add_space(16.0);
    let label = if first_login {
        t.set_password_and_log_in
    } else {
        t.log_in
    };
    let button = egui::Button::new(egui::RichText::new(label).size(FIELD_TEXT).strong())
        .fill(ui.visuals().selection.bg_fill)
        .min_size(egui::vec2(FIELD_WIDTH, TOUCH_HEIGHT));
    // Centred text: the button's layout follows its parent's.
    let clicked = ui
        .vertical_centered(|ui| ui.add_enabled(open, button).clicked())
        .inner;
    if clicked || (open && enter) {
        screen.submitted = true;
    }
    ui.add_space(10.0);
    if screen.checking() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(t.login_checking);
        });
    } else if let Some(m) = &screen.message {
        ui.colored_label(super::theme::WARNING, m.text(t));
    }
    ui.add_space(6.0);
    ui.label(
        egui::RichText::new(format!(
            "{} {} · {}",
            t.login_device, screen.device, t.login_audited
        ))
        .small()
        .weak(),
    );
}

/// A large text field (touch, gloves), its length bounded.
fn field<'a>(text: &'a mut String, hint: &'a str, secret: bool) -> egui::TextEdit<'a> {
    egui::TextEdit::singleline(text)
        .password(secret)
        .hint_text(hint)
        .font(egui::FontId::proportional(FIELD_TEXT))
        .margin(egui::Margin::symmetric(12, 12))
        .desired_width(FIELD_WIDTH)
        .char_limit(256)
}

fn pressed_enter(ui: &egui::Ui, field: &egui::Response) -> bool {
    field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}
