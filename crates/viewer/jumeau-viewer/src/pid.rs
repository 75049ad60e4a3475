//! P&ID: an interactive 2D schematic per circuit, generated from master data (members in flow
//! order), with ISA-5.1-style symbols joined by flow lines, live values and alarm colours.
//! Selecting a symbol selects the component in 3D, and a selection made elsewhere is shown
//! here (switching to a circuit that holds it).

use super::timing::OwnTime;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::{Color32, Pos2, Rect, Stroke, pos2, vec2};
use jumeau_core::Component;

use super::alarms::AlarmPaint;
use super::i18n::Language;
use super::live::{LiveFeed, LiveView};
use super::plant::Session;
use super::selection::{Select, Selection};
use super::sets::UiSet;
use super::theme::priority_color;
use jumeau_core::Locale;

pub struct PidPlugin;

impl Plugin for PidPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<PidView>()
            .add_systems(EguiPrimaryContextPass, pid_window.in_set(UiSet::Windows));
    }
}

#[derive(Resource, Default)]
pub struct PidView {
    pub open: bool,
    /// Circuit code shown (the first one when none).
    pub circuit: Option<String>,
}

impl PidView {
    pub fn opened(circuit: Option<String>) -> Self {
        PidView {
            open: circuit.is_some(),
            circuit,
        }
    }
}

/// Columns in flow order; a column holds parallel equipment (duty/standby pumps).
pub fn columns<'a>(session: &'a Session, members: &'a [String]) -> Vec<Vec<&'a Component>> {
    let mut out: Vec<Vec<&Component>> = Vec::new();
    for c in members.iter().filter_map(|m| session.component(m)) {
        match out.last_mut() {
            Some(col) if parallel(col[0], c) => col.push(c),
            _ => out.push(vec![c]),
        }
    }
    out
}

/// Same kind, same parent, aliases differing only in a final number (PA1/PA2, PEX1/PEX2).
fn parallel(a: &Component, b: &Component) -> bool {
    let stem = |s: &str| s.trim_end_matches(|c: char| c.is_ascii_digit()).to_owned();
    a.kind == b.kind
        && a.parent == b.parent
        && a.alias != b.alias
        && stem(&a.alias) == stem(&b.alias)
}

/// The value shown under a symbol: the first of the component's tags in this order.
const KEY_SIGNALS: [&str; 12] = [
    "level",
    "pressure",
    "steam_p",
    "discharge_p",
    "pos",
    "inlet_p",
    "speed",
    "power",
    "outlet_t",
    "stack_t",
    "exhaust_t",
    "brg_temp",
];

const COL_W: f32 = 120.0;
const ROW_H: f32 = 110.0;
const PER_ROW: usize = 7;
const SYMBOL: Vec2 = Vec2::new(64.0, 40.0);

type Vec2 = egui::Vec2;

#[allow(clippy::too_many_arguments)]
fn pid_window(
    mut contexts: EguiContexts,
    mut view: ResMut<PidView>,
    session: Res<Session>,
    selection: Res<Selection>,
    paint: Res<AlarmPaint>,
    feed: Res<LiveFeed>,
    language: Res<Language>,
    mut select: MessageWriter<Select>,
    own_time: Res<OwnTime>,
) -> Result {
    let _t = own_time.measure();
    if !view.open {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let locale = language.locale();
    // A selection made elsewhere: show a circuit that holds it.
    if selection.is_changed()
        && let Some(code) = &selection.code
    {
        let current = view.circuit.as_deref().and_then(|c| circuit(&session, c));
        if !current.is_some_and(|c| c.members.contains(code))
            && let Some(c) = session
                .md
                .circuits
                .iter()
                .find(|c| c.members.contains(code))
        {
            view.circuit = Some(c.code.clone());
        }
    }
    let Some(shown) = view
        .circuit
        .as_deref()
        .and_then(|c| circuit(&session, c))
        .or(session.md.circuits.first())
    else {
        return Ok(());
    };
    let live = LiveView::snapshot(&feed);
    let mut clicked = None;
    let mut chosen = None;
    let mut open = true;
    egui::Window::new("P&ID")
        .open(&mut open)
        .default_size([880.0, 360.0])
        .default_pos([340.0, 60.0])
        .show(&ctx, |ui| {
            egui::ComboBox::from_id_salt("pid-circuit")
                .selected_text(shown.name(locale))
                .show_ui(ui, |ui| {
                    for c in &session.md.circuits {
                        if ui
                            .selectable_label(c.code == shown.code, c.name(locale))
                            .clicked()
                        {
                            chosen = Some(c.code.clone());
                        }
                    }
                });
            let cols = columns(&session, &shown.members);
            let rows = cols.len().div_ceil(PER_ROW).max(1);
            let tallest = cols.iter().map(Vec::len).max().unwrap_or(1) as f32;
            let size = vec2(
                COL_W * PER_ROW.min(cols.len()).max(1) as f32 + 20.0,
                rows as f32 * ROW_H * tallest.max(1.0) + 20.0,
            );
            egui::ScrollArea::both().show(ui, |ui| {
                let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
                let row_h = ROW_H * tallest;
                let place = |i: usize, k: usize, n: usize| -> Pos2 {
                    let (row, col) = (i / PER_ROW, i % PER_ROW);
                    let y0 = rect.top() + 30.0 + row as f32 * row_h;
                    let spread = (k as f32 - (n as f32 - 1.0) / 2.0) * ROW_H * 0.8;
                    pos2(
                        rect.left() + 20.0 + col as f32 * COL_W + SYMBOL.x / 2.0,
                        y0 + (row_h - ROW_H) / 2.0 + spread + SYMBOL.y / 2.0,
                    )
                };
                let painter = ui.painter_at(rect);
                let line = Stroke::new(2.0, Color32::from_gray(150));
                // Flow lines first, symbols over them.
                for (i, pair) in cols.windows(2).enumerate() {
                    for (ka, _) in pair[0].iter().enumerate() {
                        for (kb, _) in pair[1].iter().enumerate() {
                            let a = place(i, ka, pair[0].len());
                            let b = place(i + 1, kb, pair[1].len());
                            flow_line(&painter, a, b, line);
                        }
                    }
                }
                for (i, col) in cols.iter().enumerate() {
                    for (k, c) in col.iter().enumerate() {
                        let centre = place(i, k, col.len());
                        let r = Rect::from_center_size(centre, SYMBOL);
                        let response = ui.interact(
                            r.expand(4.0),
                            ui.id().with(("pid", &c.code)),
                            egui::Sense::click(),
                        );
                        if response.clicked() {
                            clicked = Some(c.code.clone());
                        }
                        let alarm = paint
                            .components
                            .get(&c.code)
                            .filter(|(_, unack)| !unack || paint.blink_on);
                        let fill =
                            alarm.map_or(Color32::from_gray(58), |(p, _)| priority_color(*p));
                        let selected = selection.code.as_deref() == Some(c.code.as_str());
                        let stroke = if selected {
                            Stroke::new(3.0, Color32::from_rgb(0x00, 0xc7, 0xff))
                        } else {
                            Stroke::new(1.5, Color32::from_gray(200))
                        };
                        symbol(&painter, &c.kind, r, fill, stroke);
                        let value = key_value(&session, &live, c, locale);
                        painter.text(
                            pos2(centre.x, r.bottom() + 4.0),
                            egui::Align2::CENTER_TOP,
                            format!("{}\n{value}", c.alias),
                            egui::FontId::proportional(13.0),
                            Color32::from_gray(225),
                        );
                        response.on_hover_text(format!("{} — {}", c.code, c.name(locale)));
                    }
                }
            });
        });
    view.open = open;
    if let Some(c) = chosen {
        view.circuit = Some(c);
    }
    if let Some(code) = clicked {
        select.write(Select::component(code));
    }
    Ok(())
}

fn circuit<'a>(session: &'a Session, code: &str) -> Option<&'a jumeau_core::Circuit> {
    session.md.circuits.iter().find(|c| c.code == code)
}

fn key_value(session: &Session, live: &LiveView, c: &Component, locale: Locale) -> String {
    let tags: Vec<_> = session
        .md
        .tags
        .iter()
        .filter(|t| t.component == c.code)
        .collect();
    let tag = KEY_SIGNALS
        .iter()
        .find_map(|s| tags.iter().find(|t| t.signal == *s))
        .or(tags.first());
    match tag.and_then(|t| live.reading(t, locale)) {
        Some(r) if r.fresh => r.text,
        Some(r) => format!("{} {}", r.text, r.age.unwrap_or_default()),
        None => String::new(),
    }
}

/// A line from a's right edge to b's left edge, with an arrow (flow direction); across a row
/// break it goes down and back.
fn flow_line(p: &egui::Painter, a: Pos2, b: Pos2, stroke: Stroke) {
    let start = pos2(a.x + SYMBOL.x / 2.0, a.y);
    let end = pos2(b.x - SYMBOL.x / 2.0, b.y);
    let points = if end.x > start.x {
        let mid = (start.x + end.x) / 2.0;
        vec![start, pos2(mid, start.y), pos2(mid, end.y), end]
    } else {
        let drop = (start.y + end.y) / 2.0;
        vec![
            start,
            pos2(start.x + 10.0, start.y),
            pos2(start.x + 10.0, drop),
            pos2(end.x - 10.0, drop),
            pos2(end.x - 10.0, end.y),
            end,
        ]
    };
    p.add(egui::Shape::line(points, stroke));
    p.add(egui::Shape::convex_polygon(
        vec![end, end + vec2(-8.0, -4.0), end + vec2(-8.0, 4.0)],
        stroke.color,
        Stroke::NONE,
    ));
}

/// ISA-5.1-style symbols by kind of component.
fn symbol(p: &egui::Painter, kind: &str, r: Rect, fill: Color32, stroke: Stroke) {
    let c = r.center();
    match kind {
        "pump" | "vacuum_pump" => {
            let radius = r.height() / 2.0;
            p.circle(c, radius, fill, stroke);
            p.add(egui::Shape::convex_polygon(
                vec![
                    c + vec2(-radius * 0.5, -radius * 0.6),
                    c + vec2(radius * 0.8, 0.0),
                    c + vec2(-radius * 0.5, radius * 0.6),
                ],
                Color32::TRANSPARENT,
                stroke,
            ));
        }
        "valve" | "damper" => {
            let (w, h) = (r.width() / 2.0, r.height() / 3.0);
            for side in [-1.0, 1.0] {
                p.add(egui::Shape::convex_polygon(
                    vec![c, c + vec2(side * w, -h), c + vec2(side * w, h)],
                    fill,
                    stroke,
                ));
            }
            p.line_segment([c, c + vec2(0.0, -h - 8.0)], stroke);
            p.circle(c + vec2(0.0, -h - 12.0), 5.0, fill, stroke);
        }
        "drum" | "deaerator" | "lube_oil" | "fuel_gas_skid" => {
            p.rect(r, r.height() / 2.0, fill, stroke, egui::StrokeKind::Middle);
        }
        "turbine" | "turbine_casing" | "compressor" => {
            // Narrow end upstream for a turbine (it expands), downstream for a compressor.
            let (l, rr) = if kind == "compressor" {
                (0.5, 0.2)
            } else {
                (0.2, 0.5)
            };
            let h = r.height();
            p.add(egui::Shape::convex_polygon(
                vec![
                    pos2(r.left(), c.y - h * l),
                    pos2(r.right(), c.y - h * rr),
                    pos2(r.right(), c.y + h * rr),
                    pos2(r.left(), c.y + h * l),
                ],
                fill,
                stroke,
            ));
        }
        "generator" | "bearing" => {
            p.circle(c, r.height() / 2.0, fill, stroke);
            let mark = if kind == "generator" { "G" } else { "B" };
            p.text(
                c,
                egui::Align2::CENTER_CENTER,
                mark,
                egui::FontId::proportional(16.0),
                Color32::WHITE,
            );
        }
        "economiser" | "evaporator" | "superheater" | "reheater" | "condenser" | "gland_steam" => {
            p.rect(r, 2.0, fill, stroke, egui::StrokeKind::Middle);
            // The coil of a heat exchanger.
            let n = 5;
            let pts: Vec<Pos2> = (0..=n * 2)
                .map(|k| {
                    let x = r.left() + 6.0 + (r.width() - 12.0) * k as f32 / (n * 2) as f32;
                    let y = if k % 2 == 0 {
                        r.bottom() - 8.0
                    } else {
                        r.top() + 8.0
                    };
                    pos2(x, y)
                })
                .collect();
            p.add(egui::Shape::line(pts, stroke));
        }
        "stack" => {
            let narrow = Rect::from_center_size(c, vec2(r.width() / 3.0, r.height() * 1.3));
            p.rect(narrow, 1.0, fill, stroke, egui::StrokeKind::Middle);
        }
        _ => {
            p.rect(r, 4.0, fill, stroke, egui::StrokeKind::Middle);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session::seed_for_tests()
    }

    #[test]
    fn feedwater_circuit_in_flow_order_with_the_pump_pair_in_parallel() {
        let s = session();
        let ali1 = circuit(&s, "ALI1").unwrap();
        let cols: Vec<Vec<&str>> = columns(&s, &ali1.members)
            .iter()
            .map(|col| col.iter().map(|c| c.alias.as_str()).collect())
            .collect();
        assert_eq!(
            cols,
            [
                vec!["BAA"],
                vec!["CR1-PA1", "CR1-PA2"],
                vec!["CR1-VRA"],
                vec!["CR1-ECOHP"],
                vec!["CR1-BHP"],
                vec!["CR1-BMP"],
            ]
        );
    }

    #[test]
    fn every_circuit_member_is_drawn_once() {
        let s = session();
        for c in &s.md.circuits {
            let n: usize = columns(&s, &c.members).iter().map(Vec::len).sum();
            assert_eq!(n, c.members.len(), "{}", c.code);
        }
    }
}
