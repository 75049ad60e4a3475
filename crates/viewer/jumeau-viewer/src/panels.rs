//! The egui shell: top bar (plant state, user, language), component list by unit with search,
//! component card, hover tooltip (the world labels are `labels`).

use super::alarms::{self, AlarmActions, AlarmListView, AlarmSnapshot};
use super::audit::AuditView;
use super::camera::{FlyTo, ViewportInsets};
use super::i18n::{self, Language, Texts};
use super::live::{LiveFeed, LiveView};
use super::logbook::{ComponentEntries, LogbookView};
use super::pid::PidView;
use super::plant::Session;
use super::procedures::ProcedureView;
use super::selection::{Hovered, Select, Selection, ShowHover};
use super::sets::UiSet;
use super::theme::MUTED;
use super::timing::OwnTime;
use super::trends::TrendView;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::{Color32, FontId, RichText};
use jumeau_core::Locale;
use jumeau_core::access::Action;
use jumeau_core::{Component, Limits, MasterData};
use jumeau_runtime::{Command, TrainerCommand};

pub struct PanelsPlugin;

impl Plugin for PanelsPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ListState>()
            .add_systems(EguiPrimaryContextPass, shell.in_set(UiSet::Shell));
    }
}

#[derive(Resource, Default)]
struct ListState {
    search: String,
}

const ACCENT: Color32 = Color32::from_rgb(0x00, 0xc7, 0xff);

/// Actions the panels ask for; applied after drawing.
#[derive(Default)]
struct Actions {
    select: Option<Option<String>>,
    fly_overview: bool,
    toggle_logbook: bool,
    toggle_trends: bool,
    toggle_pid: bool,
    toggle_procedures: bool,
    toggle_audit: bool,
    lang: Option<Locale>,
    alarms: AlarmActions,
    /// Carried out once the live values are no longer held (the runtime reads them).
    trainer: Option<TrainerCommand>,
}

/// The client's windows and shared views the shell opens and feeds.
#[derive(SystemParam)]
struct Views<'w> {
    logbook: ResMut<'w, LogbookView>,
    latest: Res<'w, ComponentEntries>,
    feed: Res<'w, LiveFeed>,
    trends: ResMut<'w, TrendView>,
    alarm_list: ResMut<'w, AlarmListView>,
    pid: ResMut<'w, PidView>,
    procedures: ResMut<'w, ProcedureView>,
    audit: ResMut<'w, AuditView>,
    alarms: Res<'w, AlarmSnapshot>,
}

#[allow(clippy::too_many_arguments)]
fn shell(
    mut contexts: EguiContexts,
    session: Res<Session>,
    selection: Res<Selection>,
    hovered: Res<Hovered>,
    show_hover: Res<ShowHover>,
    mut language: ResMut<Language>,
    mut list: ResMut<ListState>,
    mut insets: ResMut<ViewportInsets>,
    mut views: Views,
    mut select: MessageWriter<Select>,
    mut fly: MessageWriter<FlyTo>,
    own_time: Res<OwnTime>,
) -> Result {
    let _t = own_time.measure();
    let ctx = contexts.ctx_mut()?.clone();
    let t = language.texts();
    let locale = language.locale();
    let mut actions = Actions::default();
    let feed = views.feed.clone();
    let live = LiveView::snapshot(&feed);
    let mut root = egui::Ui::new(
        ctx.clone(),
        "jumeau-root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );

    let top = egui::Panel::top("top-bar")
        .exact_size(40.0)
        .show(&mut root, |ui| {
            top_bar(ui, &session, &live, &feed, t, language.0, &mut actions)
        })
        .response
        .rect
        .height();
    let bottom = egui::Panel::bottom("alarm-banner")
        .show(&mut root, |ui| {
            alarms::banner(ui, &views.alarms, &session, t, locale, &mut actions.alarms)
        })
        .response
        .rect
        .height();
    let left = egui::Panel::left("component-list")
        .resizable(true)
        .default_size(330.0)
        .show(&mut root, |ui| {
            let scroll_to_selected = selection.is_changed();
            component_list(
                ui,
                &session,
                &selection,
                scroll_to_selected,
                &mut list.search,
                t,
                locale,
                &mut actions,
            )
        })
        .response
        .rect
        .width();
    let right = match selection.code.as_deref().and_then(|c| session.component(c)) {
        Some(c) => egui::Panel::right("component-card")
            .resizable(true)
            .default_size(480.0)
            .show(&mut root, |ui| {
                component_card(
                    ui,
                    &session,
                    &live,
                    c,
                    &views.latest,
                    t,
                    locale,
                    &mut actions,
                )
            })
            .response
            .rect
            .width(),
        None => 0.0,
    };
    let new_insets = ViewportInsets {
        left,
        right,
        top,
        bottom,
    };
    insets.set_if_neq(new_insets);

    if show_hover.0 {
        hover_tooltip(&ctx, &session, &hovered, locale);
    }

    if let Some(code) = actions.select {
        select.write(Select {
            code,
            instant: false,
        });
    }
    if actions.fly_overview {
        fly.write(FlyTo {
            component: None,
            instant: false,
        });
    }
    if actions.toggle_logbook {
        views.logbook.open = !views.logbook.open;
    }
    if actions.toggle_trends {
        views.trends.open = !views.trends.open;
    }
    if actions.toggle_pid {
        views.pid.open = !views.pid.open;
    }
    if actions.toggle_procedures {
        views.procedures.open = !views.procedures.open;
    }
    if actions.toggle_audit {
        views.audit.open = !views.audit.open;
    }
    drop(live);
    if let Some(command) = actions.trainer
        && let Err(e) = feed.command(Command::Trainer(command))
    {
        warn!("simulator command refused: {e}");
    }
    alarms::apply(
        actions.alarms,
        &feed,
        &mut views.alarm_list,
        &mut views.trends,
        &mut select,
    );
    if let Some(lang) = actions.lang {
        language.0 = lang;
    }
    Ok(())
}

fn top_bar(
    ui: &mut egui::Ui,
    session: &Session,
    live: &LiveView,
    feed: &LiveFeed,
    t: &Texts,
    lang: Locale,
    actions: &mut Actions,
) {
    ui.horizontal_centered(|ui| {
        ui.label(RichText::new(t.app_title).heading().strong());
        ui.separator();
        ui.label(RichText::new(format!("{} :", t.plant_state)).color(MUTED));
        let source = match &live.status.simulator {
            Some(title) => format!("{} — {title}\nOPC UA {}", t.simulator, live.status.endpoint),
            None => format!("OPC UA {}", live.status.endpoint),
        };
        if live.link_up() {
            // The simulator is live data too, but nobody must take it for the plant.
            let what = match live.status.simulator {
                Some(_) => format!("• {}", t.simulator),
                None => format!("• {}", t.live_data),
            };
            ui.label(RichText::new(what).color(super::theme::GOOD))
                .on_hover_text(source);
        } else {
            let hint = live
                .status
                .error
                .clone()
                .unwrap_or_else(|| t.no_live_data_hint.to_owned());
            ui.label(RichText::new(format!("• {}", t.no_live_data)).color(super::theme::WARNING))
                .on_hover_text(format!("{source}\n{hint}"));
        }
        // Running the simulator is the trainer's job, never an operator's (the runtime refuses
        // it to anyone else).
        if live.status.simulator.is_some() && session.user.role == jumeau_core::Role::Trainer {
            simulator_controls(ui, feed, t, &mut actions.trainer);
            trainer_menu(ui, feed, &session.md, t, &mut actions.trainer);
        }
        ui.separator();
        super::sync_status::label(ui, &live.sync, t);
        ui.separator();
        if let Some(cs) = &session.last_changeset {
            ui.label(
                RichText::new(format!(
                    "{} : #{} {} {}",
                    t.master_data,
                    cs.id,
                    t.validated_by,
                    cs.decided_by.as_deref().unwrap_or("—")
                ))
                .color(MUTED),
            )
            .on_hover_text(&cs.title);
        }
        if ui.button(t.overview).clicked() {
            actions.select = Some(None);
            actions.fly_overview = true;
        }
        // The windows under one menu: the bar must fit a 1280-px tablet too.
        ui.menu_button(t.windows, |ui| {
            for (label, toggle) in [
                (t.logbook, &mut actions.toggle_logbook),
                (t.trends, &mut actions.toggle_trends),
                ("P&ID", &mut actions.toggle_pid),
                (t.procedures, &mut actions.toggle_procedures),
                (t.alarm_list, &mut actions.alarms.open_list),
            ] {
                if ui.button(label).clicked() {
                    *toggle = true;
                    ui.close();
                }
            }
            // Only for those the store lets read it (engineers, auditors).
            if session.user.role.may(Action::ReadAudit) && ui.button(t.audit).clicked() {
                actions.toggle_audit = true;
                ui.close();
            }
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            for (l, label) in [(Locale::En, "EN"), (Locale::Fr, "FR")] {
                if ui.selectable_label(lang == l, label).clicked() {
                    actions.lang = Some(l);
                }
            }
            ui.separator();
            let role = session.user.role.label(lang);
            ui.label(format!("👤 {}", session.user.display_name))
                .on_hover_text(role);
        });
    });
}

fn matches(c: &Component, query: &str) -> bool {
    let q = query.to_lowercase();
    [&c.code, &c.alias, &c.name_fr, &c.name_en]
        .iter()
        .any(|s| s.to_lowercase().contains(&q))
}

#[allow(clippy::too_many_arguments)]
fn component_list(
    ui: &mut egui::Ui,
    session: &Session,
    selection: &Selection,
    scroll_to_selected: bool,
    search: &mut String,
    t: &Texts,
    locale: Locale,
    actions: &mut Actions,
) {
    ui.add_space(6.0);
    ui.add(
        egui::TextEdit::singleline(search)
            .hint_text(t.search)
            .desired_width(f32::INFINITY),
    );
    ui.add_space(4.0);
    let query = search.trim();
    let selected_unit = selection
        .code
        .as_deref()
        .and_then(|c| session.component(c))
        .map(|c| c.unit.as_str());
    egui::ScrollArea::vertical().show(ui, |ui| {
        let mut shown = 0;
        for unit in &session.md.units {
            let (unit, name) = (unit.code.as_str(), unit.name(locale));
            let mut members: Vec<&Component> = session
                .md
                .components
                .iter()
                .filter(|c| c.unit == unit && (query.is_empty() || matches(c, query)))
                .collect();
            if members.is_empty() {
                continue;
            }
            // The unit's own record first, then by code.
            members.sort_by_key(|c| (c.parent.is_some(), c.code.clone()));
            shown += members.len();
            let title = format!("{unit} — {name} ({})", members.len());
            // A search opens every unit; a new selection opens its unit and folds the others;
            // otherwise the operator's own folding stands.
            let open = if !query.is_empty() {
                Some(true)
            } else if scroll_to_selected {
                Some(selected_unit == Some(unit))
            } else {
                None
            };
            egui::CollapsingHeader::new(RichText::new(title).strong())
                .id_salt(unit)
                .open(open)
                .show(ui, |ui| {
                    for c in members {
                        let is_selected = selection.code.as_deref() == Some(c.code.as_str());
                        let text = RichText::new(format!("{:<9} {}", c.alias, c.name(locale)));
                        let resp = ui
                            .selectable_label(is_selected, text)
                            .on_hover_text(format!("{} · {}", c.code, c.kind));
                        if is_selected && scroll_to_selected {
                            resp.scroll_to_me(Some(egui::Align::Center));
                        }
                        if resp.clicked() {
                            actions.select = Some(Some(c.code.clone()));
                        }
                    }
                });
        }
        if shown == 0 {
            ui.label(RichText::new(t.no_match).color(MUTED));
        }
        ui.add_space(8.0);
        ui.label(RichText::new(t.help).small().color(MUTED));
    });
}

fn fmt_limit(v: Option<f64>, locale: Locale) -> String {
    v.map_or_else(String::new, |v| i18n::decimal(v, locale))
}

fn normal_range(l: &Limits, locale: Locale) -> String {
    match (l.normal_low, l.normal_high) {
        (Some(a), Some(b)) => format!(
            "{} … {}",
            i18n::decimal(a, locale),
            i18n::decimal(b, locale)
        ),
        _ => String::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn component_card(
    ui: &mut egui::Ui,
    session: &Session,
    live: &LiveView,
    c: &Component,
    latest: &ComponentEntries,
    t: &Texts,
    locale: Locale,
    actions: &mut Actions,
) {
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(&c.alias).heading().strong().color(ACCENT));
        ui.label(RichText::new(c.name(locale)).heading());
    });
    ui.horizontal(|ui| {
        if ui.button(t.fly_to).clicked() {
            actions.select = Some(Some(c.code.clone()));
        }
        if ui.button(t.close).clicked() {
            actions.select = Some(None);
        }
    });
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("identity")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                let mut row = |k: &str, v: &str| {
                    ui.label(RichText::new(k).color(MUTED));
                    ui.label(v);
                    ui.end_row();
                };
                row(t.code, &c.code);
                row(t.kind, &c.kind);
                row(t.unit, &c.unit);
                if let Some(m) = &c.manufacturer {
                    row(t.manufacturer, m);
                }
                if let Some(m) = &c.model {
                    row(t.model, m);
                }
            });
        if let Some(parent) = c.parent.as_deref().and_then(|p| session.component(p)) {
            ui.horizontal(|ui| {
                ui.label(RichText::new(t.parent).color(MUTED));
                if ui
                    .link(format!("{} — {}", parent.alias, parent.name(locale)))
                    .clicked()
                {
                    actions.select = Some(Some(parent.code.clone()));
                }
            });
        }
        if !c.description.is_empty() {
            ui.label(RichText::new(&c.description).italics());
        }
        if !c.rated.is_empty() {
            ui.add_space(6.0);
            ui.label(RichText::new(t.rated).strong());
            egui::Grid::new("rated")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for r in &c.rated {
                        ui.label(&r.name);
                        ui.label(format!("{} {}", r.value, r.unit));
                        ui.end_row();
                    }
                });
        }
        latest_entries(ui, latest, t);
        parameters_table(ui, session, c, t, locale);
        tags_table(ui, session, live, c, t, locale, actions);
        related(ui, session, c, t, locale, actions);
    });
}

fn latest_entries(ui: &mut egui::Ui, latest: &ComponentEntries, t: &Texts) {
    ui.add_space(6.0);
    ui.label(RichText::new(t.latest_entries).strong());
    if latest.entries.is_empty() {
        ui.label(RichText::new(t.no_entries).color(MUTED));
    }
    for e in latest.entries.iter().rev() {
        let b = &e.body;
        ui.label(format!(
            "#{} {} {} — {}",
            b.seq,
            b.recorded_at
                .get(..16)
                .unwrap_or(&b.recorded_at)
                .replace('T', " "),
            b.author,
            b.text.replace('\n', " / ")
        ));
    }
}

fn parameters_table(
    ui: &mut egui::Ui,
    session: &Session,
    c: &Component,
    t: &Texts,
    locale: Locale,
) {
    let params: Vec<_> = session
        .md
        .parameters
        .iter()
        .filter(|p| p.component == c.code)
        .collect();
    if params.is_empty() {
        return;
    }
    ui.add_space(6.0);
    ui.label(RichText::new(t.parameters).strong());
    egui::Grid::new("parameters")
        .num_columns(9)
        .striped(true)
        .show(ui, |ui| {
            for h in [
                t.parameter,
                t.unit,
                t.trip_low,
                "LL",
                "L",
                t.normal,
                "H",
                "HH",
                t.trip_high,
            ] {
                ui.label(RichText::new(h).small().color(MUTED));
            }
            ui.end_row();
            for p in params {
                let l = &p.limits;
                let label = p.label(locale);
                ui.label(label).on_hover_text(match p.startup_value {
                    Some(v) => format!("{}: {} {}", t.startup, i18n::decimal(v, locale), p.unit),
                    None => p.name.clone(),
                });
                ui.label(&p.unit);
                for v in [l.trip_low, l.ll, l.l] {
                    ui.label(fmt_limit(v, locale));
                }
                ui.label(normal_range(l, locale));
                for v in [l.h, l.hh, l.trip_high] {
                    ui.label(fmt_limit(v, locale));
                }
                ui.end_row();
            }
        });
}

fn tags_table(
    ui: &mut egui::Ui,
    session: &Session,
    live: &LiveView,
    c: &Component,
    t: &Texts,
    locale: Locale,
    actions: &mut Actions,
) {
    let tags: Vec<_> = session
        .md
        .tags
        .iter()
        .filter(|tag| tag.component == c.code)
        .collect();
    if tags.is_empty() {
        return;
    }
    ui.add_space(6.0);
    egui::CollapsingHeader::new(RichText::new(format!("{} ({})", t.tags, tags.len())).strong())
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("tags")
                .num_columns(4)
                .striped(true)
                .show(ui, |ui| {
                    for tag in tags {
                        ui.label(RichText::new(&tag.name).monospace());
                        ui.label(locale.pick_or_fr(&tag.description, &tag.description_en));
                        // Clicking a value opens its trend.
                        if live_value(ui, live, tag, locale)
                            .on_hover_text(t.trend)
                            .clicked()
                        {
                            actions.alarms.trend = Some(tag.name.clone());
                        }
                        ui.label(&tag.unit).on_hover_text(format!(
                            "{} : {}",
                            t.source,
                            tag.opcua_node
                                .as_deref()
                                .or(tag.mqtt_topic.as_deref())
                                .unwrap_or("—")
                        ));
                        ui.end_row();
                    }
                });
        });
}

/// Trainer's controls of the built-in simulator: pause/resume and speed (1×–60×).
fn simulator_controls(
    ui: &mut egui::Ui,
    feed: &LiveFeed,
    t: &Texts,
    command: &mut Option<TrainerCommand>,
) {
    let paused = feed.0.clock().paused();
    let label = if paused { t.resume } else { t.pause };
    if ui.small_button(label).clicked() {
        *command = Some(TrainerCommand::Pause(!paused));
    }
    let current = feed.0.clock().speed();
    egui::ComboBox::from_id_salt("sim-speed")
        .width(56.0)
        .selected_text(format!("×{current}"))
        .show_ui(ui, |ui| {
            for speed in [1.0, 5.0, 10.0, 30.0, 60.0] {
                if ui
                    .selectable_label(current == speed, format!("×{speed}"))
                    .clicked()
                {
                    *command = Some(TrainerCommand::Speed(speed));
                }
            }
        })
        .response
        .on_hover_text(t.sim_speed);
}

/// The trainer's commands to the built-in simulator: start, stop and trip the units, move the
/// gas turbines' load set-points, inject the scenario faults; the last events in the tooltip.
fn trainer_menu(
    ui: &mut egui::Ui,
    feed: &LiveFeed,
    md: &MasterData,
    t: &Texts,
    command: &mut Option<TrainerCommand>,
) {
    use jumeau_sim::Action;
    let recent: Vec<String> = feed
        .0
        .simulator_journal(5)
        .iter()
        .map(|(at, event)| format!("t+{:.0} s  {event}", at))
        .collect();
    let mut action = None;
    // The units the model runs: turbines start, stop and trip; gas turbines take a load set-point.
    let turbines = md.units.iter().filter(|u| u.kind.ends_with("turbine"));
    let alias = |code: &str| {
        md.component(code)
            .map_or(code, |c| c.alias.as_str())
            .to_owned()
    };
    ui.menu_button(t.trainer, |ui| {
        for unit in turbines.clone() {
            ui.horizontal(|ui| {
                ui.label(RichText::new(&unit.code).strong());
                let unit = unit.code.clone();
                if ui.button(t.start).clicked() {
                    action = Some(Action::Start { unit: unit.clone() });
                }
                if ui.button(t.stop).clicked() {
                    action = Some(Action::Stop { unit: unit.clone() });
                }
                if ui
                    .button(RichText::new(t.trip).color(Color32::from_rgb(0xff, 0x6b, 0x6b)))
                    .clicked()
                {
                    action = Some(Action::Trip { unit });
                }
            });
        }
        ui.separator();
        ui.label(t.load_setpoint);
        for unit in turbines.filter(|u| u.kind == "gas_turbine") {
            ui.horizontal(|ui| {
                ui.label(&unit.code);
                for mw in [60.0, 100.0, 140.0, 166.0] {
                    if ui.button(format!("{mw:.0} MW")).clicked() {
                        action = Some(Action::Load {
                            unit: unit.code.clone(),
                            mw,
                        });
                    }
                }
            });
        }
        ui.separator();
        ui.label(t.faults);
        for fault in jumeau_sim::scenario::trainer_faults() {
            let label = match &fault {
                Action::PumpTrip { component } => {
                    format!("{} — {}", alias(component), t.fault_feed_pump_trip)
                }
                Action::PumpVibration { component, .. } => {
                    format!("{} — {}", alias(component), t.fault_pump_vibration)
                }
                Action::LevelDrift { tag, .. } => {
                    let component = md.tags.iter().find(|x| &x.name == tag);
                    let at = component.map_or(tag.clone(), |x| alias(&x.component));
                    format!("{at} — {}", t.fault_level_drift)
                }
                other => format!("{other:?}"),
            };
            if ui.button(label).clicked() {
                action = Some(fault);
            }
        }
    })
    .response
    .on_hover_text(recent.join("\n"));
    if let Some(action) = action {
        *command = Some(TrainerCommand::Plant(action));
    }
}

/// The live value cell: bright when fresh, greyed with its age when stale, a dash when missing.
fn live_value(
    ui: &mut egui::Ui,
    live: &LiveView,
    tag: &jumeau_core::masterdata::Tag,
    locale: Locale,
) -> egui::Response {
    let text = match live.reading(tag, locale) {
        Some(r) if r.fresh => RichText::new(r.number)
            .monospace()
            .strong()
            .color(Color32::WHITE),
        Some(r) => RichText::new(format!("{} {}", r.number, r.age.unwrap_or_default()))
            .monospace()
            .italics()
            .color(MUTED),
        None => RichText::new("—").color(MUTED),
    };
    ui.add(egui::Label::new(text).sense(egui::Sense::click()))
}

fn related(
    ui: &mut egui::Ui,
    session: &Session,
    c: &Component,
    t: &Texts,
    locale: Locale,
    actions: &mut Actions,
) {
    let children = session.children(&c.code);
    if !children.is_empty() {
        ui.add_space(6.0);
        ui.label(RichText::new(t.subcomponents).strong());
        ui.horizontal_wrapped(|ui| {
            for code in children {
                if let Some(child) = session.component(code)
                    && ui
                        .link(&child.alias)
                        .on_hover_text(child.name(locale))
                        .clicked()
                {
                    actions.select = Some(Some(code.clone()));
                }
            }
        });
    }
    let alarms = session
        .md
        .alarms
        .iter()
        .filter(|a| a.component == c.code)
        .count();
    let docs: Vec<_> = session
        .md
        .documents
        .iter()
        .filter(|d| d.components.contains(&c.code))
        .collect();
    if !docs.is_empty() {
        ui.add_space(6.0);
        ui.label(RichText::new(t.documents).strong());
        for d in docs {
            ui.label(format!("📄 {} — {}", d.title, d.location));
        }
    }
    let circuits: Vec<String> = session
        .md
        .circuits
        .iter()
        .filter(|k| k.members.contains(&c.code))
        .map(|k| locale.pick(&k.name_fr, &k.name_en).to_owned())
        .collect();
    if !circuits.is_empty() {
        ui.add_space(6.0);
        ui.label(RichText::new(format!("{} : {}", t.circuits, circuits.join(", "))).color(MUTED));
    }
    if alarms > 0 {
        ui.label(RichText::new(format!("{} : {alarms}", t.alarms)).color(MUTED));
    }
}

fn hover_tooltip(ctx: &egui::Context, session: &Session, hovered: &Hovered, locale: Locale) {
    let (Some(code), Some(pos)) = (hovered.0.as_deref(), ctx.pointer_latest_pos()) else {
        return;
    };
    let Some(c) = session.component(code) else {
        return;
    };
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Tooltip,
        egui::Id::new("hover"),
    ));
    let text = format!("{} — {}\n{}", c.alias, c.name(locale), c.code);
    let galley = painter.layout_no_wrap(text, FontId::proportional(14.0), Color32::WHITE);
    let rect = egui::Rect::from_min_size(pos + egui::vec2(14.0, 14.0), galley.size()).expand(5.0);
    painter.rect_filled(rect, 4.0, Color32::from_rgb(0x2a, 0x2f, 0x35));
    painter.galley(rect.min + egui::vec2(5.0, 5.0), galley, Color32::WHITE);
}
