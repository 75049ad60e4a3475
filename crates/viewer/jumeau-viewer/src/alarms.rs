//! Alarms on the client, ISA-101 style: the 3D stays grey while normal and an alarmed
//! component takes its priority colour, blinking only while unacknowledged; a banner with the
//! newest highest-priority alarms (click: fly to the component); the alarm list with filter,
//! sort, acknowledge and shelve by role.

use jumeau_core::access::Action;
use std::collections::HashMap;

use super::timing::OwnTime;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::{Color32, RichText};
use jumeau_core::Priority;
use jumeau_core::alarm::Alarm;
use jumeau_runtime::{Command, Reply};

use super::i18n::{self, Language, Texts};
use super::intent::Select;
use super::live::LiveFeed;
use super::plant::Session;
use super::sets::{FrameSet, UiSet};
use super::theme::priority_color;
use super::trends::TrendView;
use jumeau_core::Locale;

pub struct AlarmsPlugin;

impl Plugin for AlarmsPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<AlarmPaint>()
            .init_resource::<AlarmListView>()
            .init_resource::<AlarmSnapshot>()
            .add_systems(Update, refresh_alarms.in_set(FrameSet::Sync))
            .add_systems(
                EguiPrimaryContextPass,
                alarm_list_window.in_set(UiSet::Windows),
            );
    }
}

/// Worst annunciated priority per component and whether any of its alarms is unacknowledged;
/// `blink_on` is the blinking phase (1 Hz).
#[derive(Resource, Default, PartialEq)]
pub struct AlarmPaint {
    pub components: HashMap<String, (Priority, bool)>,
    pub blink_on: bool,
}

/// The annunciated alarms (highest priority, then newest first), how many are shelved, and
/// the journal's last write error; refreshed once per frame.
#[derive(Resource, Default)]
pub struct AlarmSnapshot {
    pub rows: Vec<Alarm>,
    pub shelved: Vec<Alarm>,
    pub error: Option<String>,
}

impl AlarmSnapshot {
    /// Worst priority among a unit's annunciated alarms, and how many.
    pub fn unit_health(&self, session: &Session, unit: &str) -> Option<(Priority, usize)> {
        let mut worst = None;
        let mut n = 0;
        for a in &self.rows {
            if session
                .component(&a.component)
                .is_some_and(|c| c.unit == unit)
            {
                n += 1;
                worst = Some(worst.map_or(a.priority, |w: Priority| w.min(a.priority)));
            }
        }
        worst.map(|w| (w, n))
    }
}

/// Reads the board once per frame: the paint of the 3D view and the rows of the banner and
/// the list.
fn refresh_alarms(
    feed: Res<LiveFeed>,
    time: Res<Time>,
    mut paint: ResMut<AlarmPaint>,
    mut snapshot: ResMut<AlarmSnapshot>,
    language: Res<Language>,
    own_time: Res<OwnTime>,
) {
    let _t = own_time.measure();
    let Some(board) = feed.0.alarms() else {
        snapshot.error = Some(language.texts().alarm_engine_stopped.into());
        return;
    };
    let components = board
        .engine
        .worst_by_component()
        .into_iter()
        .map(|(c, v)| (c.to_owned(), v))
        .collect();
    let blink_on = ((time.elapsed_secs() * 2.0) as u64).is_multiple_of(2);
    paint.set_if_neq(AlarmPaint {
        components,
        blink_on,
    });
    *snapshot = AlarmSnapshot {
        rows: board.engine.annunciated().into_iter().cloned().collect(),
        shelved: board
            .engine
            .alarms()
            .iter()
            .filter(|a| a.shelved.is_some() || a.out_of_service.is_some())
            .cloned()
            .collect(),
        error: board.error.clone(),
    };
}

/// What a click in the banner or the list asks for.
#[derive(Default)]
pub struct AlarmActions {
    pub select: Option<String>,
    pub acknowledge: Vec<String>,
    pub open_list: bool,
    pub trend: Option<String>,
}

/// "15:57:39" (UTC, as every time in the journal).
fn clock(ms: i64) -> String {
    let s = jumeau_tagbus::format_ms(ms);
    s.get(11..19).unwrap_or(&s).to_owned()
}

fn describe(session: &Session, a: &Alarm) -> String {
    session
        .md
        .alarms
        .iter()
        .find(|r| r.code == a.code)
        .map(|r| {
            if r.consequence.is_empty() {
                r.cause.clone()
            } else {
                r.consequence.clone()
            }
        })
        .unwrap_or_default()
}

/// An alarm's value or limit, two decimals, the locale's decimal mark.
fn number(v: f64, locale: Locale) -> String {
    i18n::fixed(v, 2, locale)
}

/// A priority chip; an unacknowledged one blinks.
fn chip(ui: &mut egui::Ui, a: &Alarm, locale: Locale) {
    let blink_off = a.unacknowledged() && (ui.input(|i| i.time) * 2.0) as u64 % 2 == 1;
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(250));
    let color = priority_color(a.priority);
    let (fill, text) = if blink_off {
        (Color32::TRANSPARENT, color)
    } else {
        (color, Color32::BLACK)
    };
    let label = RichText::new(format!(" {} ", i18n::priority(locale, a.priority)))
        .color(text)
        .background_color(fill)
        .strong();
    ui.label(label);
}

/// The banner at the bottom of the screen: the three most important alarms.
pub fn banner(
    ui: &mut egui::Ui,
    snapshot: &AlarmSnapshot,
    session: &Session,
    t: &Texts,
    locale: Locale,
    actions: &mut AlarmActions,
) {
    let can_ack = session.user.role.may(Action::AcknowledgeAlarm);
    ui.horizontal(|ui| {
        let unack = snapshot.rows.iter().filter(|a| a.unacknowledged()).count();
        let summary = format!(
            "{} : {}  ·  {unack} {}  ·  {} {}",
            t.alarm_list,
            snapshot.rows.len(),
            t.unacknowledged,
            snapshot.shelved.len(),
            t.shelved_alarms
        );
        if ui.button(summary).clicked() {
            actions.open_list = true;
        }
        if let Some(e) = &snapshot.error {
            ui.label(
                RichText::new(format!("⚠ {} : {e}", t.alarm_journal_error))
                    .color(super::theme::WARNING),
            );
        }
    });
    if snapshot.rows.is_empty() {
        ui.label(RichText::new(t.no_alarms).color(Color32::from_gray(150)));
        return;
    }
    for a in snapshot.rows.iter().take(3) {
        ui.horizontal(|ui| {
            chip(ui, a, locale);
            let alias = session
                .component(&a.component)
                .map_or(a.component.as_str(), |c| c.alias.as_str());
            let text = format!(
                "{}  {alias:<10}  {}  —  {} {}  ({} {})  {}",
                clock(a.since_ms),
                a.code,
                describe(session, a),
                number(a.value, locale),
                t.limit.to_lowercase(),
                number(a.limit, locale),
                i18n::alarm_state(locale, a.state)
            );
            if ui
                .add(egui::Label::new(RichText::new(text).monospace()).sense(egui::Sense::click()))
                .on_hover_text(t.fly_to)
                .clicked()
            {
                actions.select = Some(a.component.clone());
            }
            if can_ack && a.unacknowledged() && ui.small_button(t.acknowledge).clicked() {
                actions.acknowledge.push(a.code.clone());
            }
        });
    }
}

/// Carries out what the banner or the list asked for, as the session's user.
pub fn apply(
    actions: AlarmActions,
    feed: &LiveFeed,
    list: &mut AlarmListView,
    trends: &mut TrendView,
    select: &mut MessageWriter<Select>,
) {
    if let Some(code) = actions.select {
        select.write(Select::component(code));
    }
    if actions.open_list {
        list.open = !list.open;
    }
    if let Some(tag) = actions.trend {
        trends.show(&tag);
    }
    if actions.acknowledge.is_empty() {
        return;
    }
    {
        for alarm in actions.acknowledge {
            if let Err(e) = feed.command(Command::Acknowledge { alarm }) {
                list.message = Some(e);
            }
        }
    }
}

/// Rows drawn in the list: in a flood, laying out thousands of rows each frame would cost the
/// operator the frame rate; the filter reaches the others.
const MAX_LIST_ROWS: usize = 200;

#[derive(Resource)]
pub struct AlarmListView {
    pub open: bool,
    filter: String,
    by_priority: bool,
    /// The alarm being shelved (minutes, reason) or taken out of service (minutes 0).
    shelving: Option<(String, i64, String)>,
    /// The engineer's authenticator code, asked when taking an alarm out of service.
    second_factor: String,
    message: Option<String>,
}

impl AlarmListView {
    pub fn opened(open: bool) -> Self {
        AlarmListView {
            open,
            ..Default::default()
        }
    }
}

impl Default for AlarmListView {
    fn default() -> Self {
        AlarmListView {
            open: false,
            filter: String::new(),
            by_priority: true,
            shelving: None,
            second_factor: String::new(),
            message: None,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn alarm_list_window(
    mut contexts: EguiContexts,
    feed: Res<LiveFeed>,
    snapshot: Res<AlarmSnapshot>,
    session: Res<Session>,
    language: Res<Language>,
    mut view: ResMut<AlarmListView>,
    mut trends: ResMut<TrendView>,
    mut select: MessageWriter<Select>,
    own_time: Res<OwnTime>,
) -> Result {
    let _t = own_time.measure();
    if !view.open {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let (t, locale) = (language.texts(), language.locale());
    let mut actions = AlarmActions::default();
    let mut shelve: Option<(String, i64, String)> = None;
    let mut unshelve: Option<String> = None;
    let mut in_service: Option<String> = None;
    let mut open = true;
    egui::Window::new(t.alarm_list)
        .open(&mut open)
        .default_size([980.0, 420.0])
        .default_pos([340.0, 120.0])
        .show(&ctx, |ui| {
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut view.filter).hint_text(t.alarm_filter));
                ui.checkbox(&mut view.by_priority, t.sort_by_priority);
            });
            if let Some(m) = &view.message {
                ui.colored_label(super::theme::WARNING, m);
            }
            ui.separator();
            let mut rows: Vec<&Alarm> = snapshot
                .rows
                .iter()
                .filter(|a| matches_filter(&session, a, &view.filter))
                .collect();
            if !view.by_priority {
                rows.sort_by_key(|a| std::cmp::Reverse(a.since_ms));
            }
            if rows.is_empty() {
                ui.label(t.no_alarms);
            }
            if rows.len() > MAX_LIST_ROWS {
                // A flood: the most important first; the filter narrows the rest.
                ui.label(format!("{} / {}", MAX_LIST_ROWS, rows.len()));
            }
            egui::ScrollArea::vertical()
                .max_height(300.0)
                .show(ui, |ui| {
                    egui::Grid::new("alarm-grid")
                        .striped(true)
                        .num_columns(8)
                        .show(ui, |ui| {
                            for h in [
                                t.priority, t.time, t.code, t.unit, t.value, t.limit, t.state, "",
                            ] {
                                ui.label(RichText::new(h).strong());
                            }
                            ui.end_row();
                            for a in rows.iter().take(MAX_LIST_ROWS) {
                                alarm_row(ui, a, &session, t, locale, &mut view, &mut actions);
                                ui.end_row();
                            }
                        });
                });
            let view = &mut *view;
            if let Some((code, minutes, reason)) = &mut view.shelving {
                ui.separator();
                ui.horizontal(|ui| {
                    let what = if *minutes > 0 {
                        t.shelve
                    } else {
                        t.out_of_service
                    };
                    ui.label(format!("{what} {code} :"));
                    if *minutes > 0 {
                        let suffix = format!(" {}", t.minutes);
                        ui.add(egui::DragValue::new(minutes).range(5..=720).suffix(suffix));
                    }
                    ui.add(egui::TextEdit::singleline(reason).hint_text(t.shelve_reason));
                    if *minutes == 0 {
                        // Out of service changes the plant's rules: a second factor.
                        ui.add(
                            egui::TextEdit::singleline(&mut view.second_factor)
                                .password(true)
                                .desired_width(90.0)
                                .hint_text(t.second_factor_code),
                        );
                    }
                    if ui.button(what).clicked() {
                        shelve = Some((code.clone(), *minutes, reason.clone()));
                    }
                });
            }
            if !snapshot.shelved.is_empty() {
                ui.separator();
                ui.label(RichText::new(t.shelved_alarms).strong());
                for a in &snapshot.shelved {
                    ui.horizontal(|ui| {
                        let role = session.user.role;
                        if let Some(s) = &a.shelved {
                            ui.label(format!(
                                "{}  → {}  {} ({})",
                                a.code,
                                clock(s.until_ms),
                                s.reason,
                                s.by
                            ));
                            if role.may(Action::ShelveAlarm)
                                && ui.small_button(t.unshelve).clicked()
                            {
                                unshelve = Some(a.code.clone());
                            }
                        }
                        if let Some(reason) = &a.out_of_service {
                            ui.label(format!("{}  {} : {reason}", a.code, t.out_of_service));
                            if role.may(Action::TakeAlarmOutOfService)
                                && ui.small_button(t.in_service).clicked()
                            {
                                in_service = Some(a.code.clone());
                            }
                        }
                    });
                }
            }
        });
    view.open = open;
    if let Some((alarm, minutes, reason)) = shelve {
        let command = if minutes > 0 {
            Command::Shelve {
                alarm,
                minutes,
                reason,
            }
        } else {
            Command::OutOfService {
                alarm,
                reason: Some(reason),
            }
        };
        let code = std::mem::take(&mut view.second_factor);
        let verified = if code.trim().is_empty() {
            Ok(Reply::Done)
        } else {
            feed.command(Command::SecondFactor { code })
        };
        match verified.and_then(|_| feed.command(command)) {
            Ok(_) => {
                view.shelving = None;
                view.message = None;
            }
            Err(e) => view.message = Some(e),
        }
    }
    if let Some(alarm) = unshelve
        && let Err(e) = feed.command(Command::Unshelve { alarm })
    {
        view.message = Some(e);
    }
    if let Some(alarm) = in_service
        && let Err(e) = feed.command(Command::OutOfService {
            alarm,
            reason: None,
        })
    {
        view.message = Some(e);
    }
    apply(actions, &feed, &mut view, &mut trends, &mut select);
    Ok(())
}

fn matches_filter(session: &Session, a: &Alarm, filter: &str) -> bool {
    let f = filter.trim().to_lowercase();
    f.is_empty()
        || a.code.to_lowercase().contains(&f)
        || session.component(&a.component).is_some_and(|c| {
            c.alias.to_lowercase().contains(&f) || c.unit.to_lowercase().contains(&f)
        })
}

fn alarm_row(
    ui: &mut egui::Ui,
    a: &Alarm,
    session: &Session,
    t: &Texts,
    locale: Locale,
    view: &mut AlarmListView,
    actions: &mut AlarmActions,
) {
    chip(ui, a, locale);
    ui.label(clock(a.since_ms));
    if ui
        .add(egui::Label::new(&a.code).sense(egui::Sense::click()))
        .on_hover_text(describe(session, a))
        .clicked()
    {
        actions.select = Some(a.component.clone());
    }
    let alias = session
        .component(&a.component)
        .map_or(a.component.clone(), |c| c.alias.clone());
    ui.label(alias);
    // Clicking a value opens its trend.
    if ui
        .add(egui::Label::new(number(a.value, locale)).sense(egui::Sense::click()))
        .on_hover_text(t.trend)
        .clicked()
    {
        actions.trend = a.tag.clone();
    }
    ui.label(number(a.limit, locale));
    ui.label(i18n::alarm_state(locale, a.state));
    ui.horizontal(|ui| {
        let role = session.user.role;
        if role.may(Action::AcknowledgeAlarm)
            && a.unacknowledged()
            && ui.small_button(t.acknowledge).clicked()
        {
            actions.acknowledge.push(a.code.clone());
        }
        if role.may(Action::ShelveAlarm) && ui.small_button(t.shelve).clicked() {
            view.shelving = Some((a.code.clone(), 60, String::new()));
        }
        if role.may(Action::TakeAlarmOutOfService) && ui.small_button(t.out_of_service).clicked() {
            view.shelving = Some((a.code.clone(), 0, String::new()));
        }
    });
}
