//! Trends (egui_plot): several pens, presets 10 min / 1 h / 8 h / 24 h, live follow, on plant
//! time. The data comes from the local historian through the runtime, which answers on its
//! own reader so that a 24-hour query never holds a frame.

use super::sets::UiSet;
use super::timing::OwnTime;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{Legend, Line, Plot};
use jumeau_runtime::{Pending, TrendQuery};

use super::i18n::Language;
use super::live::LiveFeed;
use super::plant::Session;

pub struct TrendsPlugin;

impl Plugin for TrendsPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<TrendView>()
            .add_systems(EguiPrimaryContextPass, trend_window.in_set(UiSet::Windows));
    }
}

/// Most pens on one trend: beyond that nobody reads it.
const MAX_PENS: usize = 6;
/// Points per pen asked of the historian (min/max decimated).
const POINTS: usize = 1_200;
const PRESETS: [(&str, i64); 4] = [("10 min", 10), ("1 h", 60), ("8 h", 480), ("24 h", 1_440)];

type Series = Vec<(String, Vec<[f64; 2]>)>;

#[derive(Resource)]
pub struct TrendView {
    pub open: bool,
    pens: Vec<String>,
    minutes: i64,
    follow: bool,
    new_pen: String,
    data: Series,
    /// Time of the last query (ms, wall clock) and the one running.
    asked_ms: i64,
    waiting: Option<Pending<jumeau_runtime::Series>>,
    /// End of the window shown (plant time).
    to_ms: i64,
    error: Option<String>,
}

impl Default for TrendView {
    fn default() -> Self {
        TrendView {
            open: false,
            pens: Vec::new(),
            minutes: 10,
            follow: true,
            new_pen: String::new(),
            data: Vec::new(),
            asked_ms: 0,
            waiting: None,
            to_ms: 0,
            error: None,
        }
    }
}

impl TrendView {
    /// Opens the trend with `tag` as a pen (kept if already there).
    pub fn show(&mut self, tag: &str) {
        self.open = true;
        if !self.pens.iter().any(|p| p == tag) {
            if self.pens.len() == MAX_PENS {
                self.pens.remove(0);
            }
            self.pens.push(tag.to_owned());
        }
        self.asked_ms = 0;
    }
}

/// Seconds relative to the end of the window, so that the x axis reads "−5 min".
fn lines(series: jumeau_runtime::Series, to_ms: i64) -> Series {
    series
        .into_iter()
        .map(|(tag, points)| {
            let line = points
                .iter()
                .map(|p| [(p.ts_ms - to_ms) as f64 / 1000.0, p.value])
                .collect();
            (tag, line)
        })
        .collect()
}

fn trend_window(
    mut contexts: EguiContexts,
    mut view: ResMut<TrendView>,
    session: Res<Session>,
    feed: Res<LiveFeed>,
    language: Res<Language>,
    own_time: Res<OwnTime>,
) -> Result {
    let _t = own_time.measure();
    if !view.open {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let t = language.texts();
    refresh(&mut view, &feed);
    let mut open = true;
    egui::Window::new(t.trends)
        .open(&mut open)
        .default_size([760.0, 380.0])
        .default_pos([360.0, 380.0])
        .show(&ctx, |ui| {
            ui.horizontal(|ui| {
                for (label, minutes) in PRESETS {
                    if ui
                        .selectable_label(view.minutes == minutes, label)
                        .clicked()
                    {
                        view.minutes = minutes;
                        view.asked_ms = 0;
                    }
                }
                ui.separator();
                ui.checkbox(&mut view.follow, t.live_follow);
                ui.separator();
                let added = ui.add(
                    egui::TextEdit::singleline(&mut view.new_pen)
                        .hint_text(t.add_pen)
                        .desired_width(150.0),
                );
                if added.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    let tag = view.new_pen.trim().to_uppercase();
                    if session.md.tags.iter().any(|t| t.name == tag) {
                        view.show(&tag);
                        view.new_pen.clear();
                    }
                }
            });
            let mut remove = None;
            ui.horizontal_wrapped(|ui| {
                for (i, pen) in view.pens.iter().enumerate() {
                    let unit = session
                        .md
                        .tags
                        .iter()
                        .find(|t| t.name == *pen)
                        .map(|t| t.unit.as_str())
                        .unwrap_or("");
                    if ui.small_button(format!("✖ {pen} [{unit}]")).clicked() {
                        remove = Some(i);
                    }
                }
            });
            if let Some(i) = remove {
                view.pens.remove(i);
                view.asked_ms = 0;
            }
            if let Some(e) = &view.error {
                ui.colored_label(super::theme::WARNING, e);
            }
            if view.data.iter().all(|(_, l)| l.is_empty()) {
                ui.label(t.no_history);
            }
            let span_s = (view.minutes * 60) as f64;
            Plot::new("trend-plot")
                .legend(Legend::default())
                .include_x(-span_s)
                .include_x(0.0)
                .x_axis_formatter(|mark, _| format!("{:.0} min", mark.value / 60.0))
                .show(ui, |plot| {
                    for (tag, line) in &view.data {
                        plot.line(Line::new(tag.clone(), line.clone()));
                    }
                });
        });
    view.open = open;
    Ok(())
}

/// Collects a finished query and asks for the next one: on a change of pens or period, and
/// every 2 s while following live.
fn refresh(view: &mut TrendView, feed: &LiveFeed) {
    let now = jumeau_tagbus::now_ms();
    if let Some(result) = view.waiting.as_ref().and_then(|p| p.try_take()) {
        view.waiting = None;
        match result {
            Ok(series) => {
                view.data = lines(series, view.to_ms);
                view.error = None;
            }
            Err(e) => view.error = Some(e),
        }
    }
    let due = view.asked_ms == 0 || (view.follow && now - view.asked_ms > 2_000);
    if view.waiting.is_some() || !due || view.pens.is_empty() {
        return;
    }
    let to_ms = if view.follow || view.to_ms == 0 {
        feed.0.clock().now_ms()
    } else {
        view.to_ms
    };
    view.waiting = Some(feed.0.trend(TrendQuery {
        pens: view.pens.clone(),
        from_ms: to_ms - view.minutes * 60_000,
        to_ms,
        points: POINTS,
    }));
    view.to_ms = to_ms;
    view.asked_ms = now;
}
