//! Dark, high-contrast egui theme with fonts large enough for control-room walls.

use super::sets::UiSet;
use bevy::prelude::*;
use bevy_egui::egui::Color32;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use jumeau_core::Priority;

pub struct ThemePlugin;

impl Plugin for ThemePlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(EguiPrimaryContextPass, apply_theme.in_set(UiSet::Theme));
    }
}

fn apply_theme(mut contexts: EguiContexts, mut done: Local<bool>) -> Result {
    if *done {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    let mut visuals = egui::Visuals::dark();
    visuals.panel_fill = egui::Color32::from_rgb(0x1c, 0x1f, 0x23);
    visuals.window_fill = egui::Color32::from_rgb(0x22, 0x26, 0x2b);
    visuals.extreme_bg_color = egui::Color32::from_rgb(0x12, 0x14, 0x17);
    visuals.selection.bg_fill = egui::Color32::from_rgb(0x00, 0x6f, 0x94);
    ctx.set_theme(egui::Theme::Dark);
    ctx.set_visuals_of(egui::Theme::Dark, visuals);
    ctx.all_styles_mut(|style| {
        use egui::{FontFamily, FontId, TextStyle};
        let prop = |size| FontId::new(size, FontFamily::Proportional);
        style.text_styles = [
            (TextStyle::Heading, prop(22.0)),
            (TextStyle::Body, prop(15.0)),
            (
                TextStyle::Monospace,
                FontId::new(14.0, FontFamily::Monospace),
            ),
            (TextStyle::Button, prop(15.0)),
            (TextStyle::Small, prop(12.0)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 5.0);
    });
    *done = true;
    Ok(())
}

/// Covers the whole window over everything else (the login screen, the lock): nothing behind it
/// shows and no click reaches it. What is drawn on it goes in an area of a higher order.
pub fn opaque_backdrop(ctx: &egui::Context, id: &str) {
    let rect = ctx.content_rect();
    egui::Area::new(egui::Id::new(id))
        .order(egui::Order::Foreground)
        .fixed_pos(rect.min)
        .show(ctx, |ui| {
            ui.painter().rect_filled(rect, 0.0, BACKDROP);
            ui.allocate_rect(rect, egui::Sense::click_and_drag());
        });
}

/// Secondary text: labels, what is not live.
pub const MUTED: Color32 = Color32::from_rgb(0x9a, 0xa0, 0xa6);
/// A link that is up (live data, in sync).
pub const GOOD: Color32 = Color32::from_rgb(0x4c, 0xd9, 0x64);
/// Something to look at: a refusal, no live data, offline.
pub const WARNING: Color32 = Color32::from_rgb(0xf0, 0xb4, 0x29);
/// A fault that needs someone (a sync error).
pub const FAULT: Color32 = Color32::from_rgb(0xe0, 0x40, 0x40);
const BACKDROP: Color32 = Color32::from_rgb(0x0c, 0x0d, 0x10);

/// ISA-101 alarm colours: reserved for alarms, never used for anything else in the client.
pub fn priority_color(p: Priority) -> Color32 {
    match p {
        Priority::Critical => Color32::from_rgb(0xe8, 0x1e, 0x1e),
        Priority::High => Color32::from_rgb(0xff, 0x80, 0x00),
        Priority::Medium => Color32::from_rgb(0xf2, 0xd0, 0x1a),
        Priority::Low => Color32::from_rgb(0xb0, 0x5c, 0xe6),
    }
}
