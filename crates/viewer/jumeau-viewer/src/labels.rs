//! Labels anchored in the 3D world, with level of detail: the unit labels (key live values,
//! unit health) at every distance; component labels once the camera is close; the selected and
//! alarmed components first. A label that would cover one already placed is hidden, so labels
//! never pile up. Clicking a label selects its component: a large target for a finger.

use super::alarms::{AlarmPaint, AlarmSnapshot};
use super::camera::{OrbitCamera, ViewportInsets};
use super::i18n::Language;
use super::live::{LiveFeed, LiveView};
use super::plant::Session;
use super::scene::PlantBounds;
use super::selection::{Select, Selection};
use super::sets::UiSet;
use super::theme;
use super::theme::MUTED;
use super::timing::OwnTime;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::{Align2, Color32, FontId};
use jumeau_core::Locale;
use jumeau_core::{Component, Priority};
use std::collections::HashMap;

pub struct LabelsPlugin;

impl Plugin for LabelsPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<LabelRange>()
            .add_systems(EguiPrimaryContextPass, draw_labels.in_set(UiSet::Overlay));
    }
}

/// Beyond this distance from the camera (m) a component's own label is not drawn: the overview
/// shows the units, a unit's view its components.
const COMPONENT_LABEL_RANGE: f32 = 140.0;
/// How far from the camera component labels are drawn (`screenshot --all-labels`: everywhere,
/// the worst case for the frame budget).
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct LabelRange(pub f32);

impl Default for LabelRange {
    fn default() -> Self {
        LabelRange(COMPONENT_LABEL_RANGE)
    }
}

/// At most this many labels at once.
const MAX_LABELS: usize = 28;

const ACCENT: Color32 = Color32::from_rgb(0x00, 0xc7, 0xff);

/// What a label stands for, most important first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum LabelKind {
    Selected,
    Alarm(u8),
    Unit,
    Component,
}

#[derive(Debug, Clone, PartialEq)]
struct Candidate<'a> {
    component: &'a Component,
    kind: LabelKind,
    anchor: Vec3,
    distance: f32,
}

fn priority_rank(p: Priority) -> u8 {
    match p {
        Priority::Critical => 0,
        Priority::High => 1,
        Priority::Medium => 2,
        Priority::Low => 3,
    }
}

fn is_unit_root(c: &Component) -> bool {
    c.parent.is_none() && c.alias == c.unit
}

/// The labels worth drawing from `eye`, in the order they claim space: selected, alarmed (worst
/// first), units, then components by distance; components only within range.
fn candidates<'a>(
    session: &'a Session,
    anchors: &HashMap<String, Vec3>,
    selected: Option<&str>,
    alarmed: &AlarmPaint,
    eye: Vec3,
    range: f32,
) -> Vec<Candidate<'a>> {
    // Looking at a unit, its own components are labelled first; other units' only up close.
    let focus_unit = selected
        .and_then(|code| session.component(code))
        .map(|c| c.unit.as_str());
    let range_for = |c: &Component| match focus_unit {
        Some(unit) if unit != c.unit => range / 2.0,
        _ => range,
    };
    let mut out: Vec<Candidate> = session
        .md
        .components
        .iter()
        .filter_map(|c| {
            let anchor = *anchors.get(&c.code)?;
            let distance = anchor.distance(eye);
            let kind = if selected == Some(c.code.as_str()) {
                LabelKind::Selected
            } else if let Some((p, _)) = alarmed.components.get(&c.code) {
                LabelKind::Alarm(priority_rank(*p))
            } else if is_unit_root(c) {
                LabelKind::Unit
            } else if distance <= range_for(c) {
                LabelKind::Component
            } else {
                return None;
            };
            Some(Candidate {
                component: c,
                kind,
                anchor,
                distance,
            })
        })
        .collect();
    out.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.distance.total_cmp(&b.distance)));
    out
}

/// Places labels in order: a unit or selected label that would cover another moves up above
/// it (they must stay readable); any other label that would cover one is left out.
fn declutter(rects: impl IntoIterator<Item = (egui::Rect, bool)>) -> Vec<Option<egui::Rect>> {
    let mut placed: Vec<egui::Rect> = Vec::new();
    rects
        .into_iter()
        .map(|(mut rect, must_show)| {
            if placed.len() >= MAX_LABELS {
                return None;
            }
            if must_show {
                for _ in 0..8 {
                    let Some(other) = placed.iter().find(|r| r.intersects(rect)) else {
                        break;
                    };
                    rect = rect.translate(egui::vec2(0.0, other.min.y - rect.max.y - 2.0));
                }
            }
            if placed.iter().any(|r| r.intersects(rect)) {
                return None;
            }
            placed.push(rect);
            Some(rect)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn draw_labels(
    mut contexts: EguiContexts,
    session: Res<Session>,
    selection: Res<Selection>,
    bounds: Res<PlantBounds>,
    mut anchors: Local<HashMap<String, Vec3>>,
    insets: Res<ViewportInsets>,
    language: Res<Language>,
    feed: Res<LiveFeed>,
    paint: Res<AlarmPaint>,
    health: Res<AlarmSnapshot>,
    camera: Single<(&Camera, &GlobalTransform), With<OrbitCamera>>,
    mut select: MessageWriter<Select>,
    range: Res<LabelRange>,
    own_time: Res<OwnTime>,
) -> Result {
    let _t = own_time.measure();
    let ctx = contexts.ctx_mut()?.clone();
    let locale = language.locale();
    let (cam, cam_transform) = *camera;
    let screen = ctx.viewport_rect();
    let view_rect = egui::Rect::from_min_max(
        egui::pos2(screen.min.x + insets.left, screen.min.y + insets.top),
        egui::pos2(screen.max.x - insets.right, screen.max.y - insets.bottom),
    );
    let painter = ctx
        .layer_painter(egui::LayerId::new(
            egui::Order::Background,
            egui::Id::new("world-labels"),
        ))
        .with_clip_rect(view_rect);
    // Anchors only move when the plant's bounds do (once, when the scenes are indexed).
    if bounds.is_changed() {
        *anchors = session
            .md
            .components
            .iter()
            .filter_map(|c| Some((c.code.clone(), bounds.label_anchor(&session, &c.code)?)))
            .collect();
    }
    let live = LiveView::snapshot(&feed);
    let list = candidates(
        &session,
        &anchors,
        selection.code.as_deref(),
        &paint,
        cam_transform.translation(),
        range.0,
    );
    let mut drawn = Vec::new();
    for c in &list {
        // Already in window coordinates: the viewport's offset is included.
        let Ok(p) = cam.world_to_viewport(cam_transform, c.anchor) else {
            continue;
        };
        let pos = egui::pos2(p.x, p.y);
        if !view_rect.contains(pos) {
            continue;
        }
        let (text, color, size) = label_text(c, &session, &live, locale);
        let galley = painter.layout_no_wrap(text, FontId::proportional(size), color);
        // At least a finger's height: the label is also a button.
        let rect = Align2::CENTER_BOTTOM
            .anchor_size(pos, galley.size())
            .expand(4.0);
        let rect = rect.expand2(egui::vec2(0.0, ((30.0 - rect.height()) / 2.0).max(0.0)));
        let rect = keep_inside(rect, view_rect);
        drawn.push((c, galley, color, rect));
    }
    let places = declutter(drawn.iter().map(|(c, _, _, rect)| {
        (
            *rect,
            matches!(
                c.kind,
                LabelKind::Selected | LabelKind::Unit | LabelKind::Alarm(_)
            ),
        )
    }));
    let click = ctx.input(|i| {
        i.pointer
            .primary_clicked()
            .then(|| i.pointer.interact_pos())
            .flatten()
    });
    for ((c, galley, color, _), place) in drawn.into_iter().zip(places) {
        let Some(rect) = place else { continue };
        painter.rect_filled(rect, 3.0, Color32::from_black_alpha(170));
        let worst = match c.kind {
            LabelKind::Unit | LabelKind::Selected if is_unit_root(c.component) => health
                .unit_health(&session, &c.component.unit)
                .map(|(p, _)| p),
            _ => paint.components.get(&c.component.code).map(|(p, _)| *p),
        };
        if let Some(priority) = worst {
            let stroke = egui::Stroke::new(2.5, theme::priority_color(priority));
            painter.rect_stroke(rect, 3.0, stroke, egui::StrokeKind::Outside);
        }
        let text_at = egui::pos2(rect.min.x + 4.0, rect.center().y - galley.size().y / 2.0);
        painter.galley(text_at, galley, color);
        if let Some(at) = click
            && rect.contains(at)
            && ctx
                .layer_id_at(at)
                .is_none_or(|l| l.order == egui::Order::Background)
        {
            select.write(Select::component(c.component.code.clone()));
        }
    }
    Ok(())
}

/// A label whose anchor is near the view's edge slides inside it instead of being cut.
fn keep_inside(rect: egui::Rect, view: egui::Rect) -> egui::Rect {
    let dx = (view.min.x - rect.min.x).max(0.0) + (view.max.x - rect.max.x).min(0.0);
    let dy = (view.min.y - rect.min.y).max(0.0);
    rect.translate(egui::vec2(dx, dy))
}

/// The label's text, colour and font size: a unit with its key values and alarm count, a
/// component by its alias, the selection with its name.
fn label_text(
    c: &Candidate,
    session: &Session,
    live: &LiveView,
    locale: Locale,
) -> (String, Color32, f32) {
    let comp = c.component;
    let selected = c.kind == LabelKind::Selected;
    let mut text = if selected {
        format!("{} — {}", comp.alias, comp.name(locale))
    } else {
        comp.alias.clone()
    };
    if !is_unit_root(comp) && !selected {
        return (text, Color32::from_gray(225), 14.0);
    }
    // Key live values of the unit (master data) under its name; a stale one carries its age.
    let mut stale = false;
    let key_tags = session
        .md
        .unit(&comp.unit)
        .filter(|_| is_unit_root(comp))
        .map(|u| u.key_tags.as_slice());
    for name in key_tags.unwrap_or_default() {
        let reading = session
            .md
            .tags
            .iter()
            .find(|t| t.name == *name)
            .and_then(|tag| live.reading(tag, locale));
        if let Some(r) = reading {
            stale |= !r.fresh;
            text.push_str(&format!(
                "\n{}{}",
                r.text,
                r.age.map(|a| format!("  {a}")).unwrap_or_default()
            ));
        }
    }
    let color = if selected {
        ACCENT
    } else if stale {
        MUTED
    } else {
        Color32::from_gray(235)
    };
    (text, color, 16.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: f32, y: f32) -> egui::Rect {
        egui::Rect::from_min_size(egui::pos2(x, y), egui::vec2(80.0, 30.0))
    }

    #[test]
    fn overlapping_labels_are_hidden_unless_they_must_show() {
        let out = declutter([
            (r(100.0, 100.0), true),
            // Covers the first: a component label is left out…
            (r(120.0, 110.0), false),
            // …a unit label moves up above it.
            (r(120.0, 110.0), true),
            (r(400.0, 100.0), false),
        ]);
        assert_eq!(out[0], Some(r(100.0, 100.0)));
        assert_eq!(out[1], None);
        let moved = out[2].unwrap();
        assert!(moved.max.y <= 100.0 && !moved.intersects(r(100.0, 100.0)));
        assert_eq!(out[3], Some(r(400.0, 100.0)));
    }

    #[test]
    fn a_label_at_the_edge_slides_inside_the_view() {
        let view = egui::Rect::from_min_max(egui::pos2(300.0, 40.0), egui::pos2(1000.0, 800.0));
        let moved = keep_inside(r(960.0, 20.0), view);
        assert!(view.contains_rect(moved), "{moved:?}");
        assert_eq!(keep_inside(r(500.0, 300.0), view), r(500.0, 300.0));
    }

    #[test]
    fn no_more_than_the_maximum_are_placed() {
        let many = (0..100).map(|i| (r(i as f32 * 100.0, 0.0), false));
        let placed = declutter(many).into_iter().flatten().count();
        assert_eq!(placed, MAX_LABELS);
    }
}
