//! Selecting a component (3D pick, list, keys), highlighting it with everything below it, and
//! hover tooltips.

use super::alarms::{AlarmPaint, priority_color};
use super::camera::{FlyTo, PointerDrag};
use super::layout::Tone;
use super::plant::{ComponentCode, Session};
use super::scene::{PartTone, tone_color};
use bevy::prelude::*;
use std::collections::HashSet;

pub struct SelectionPlugin;

impl Plugin for SelectionPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Selection>()
            .init_resource::<Hovered>()
            .init_resource::<ShowHover>()
            .add_message::<Select>()
            .add_observer(pick_on_click)
            .add_observer(hover_on_over)
            .add_observer(hover_on_out)
            .add_systems(Update, (unit_shortcuts, apply_select, highlight).chain());
    }
}

#[derive(Resource, Default, Debug, Clone, PartialEq)]
pub struct Selection {
    pub code: Option<String>,
}

#[derive(Resource, Default, Debug, Clone, PartialEq)]
pub struct Hovered(pub Option<String>);

/// Whether hover tooltips are drawn (off for screenshots, where the pointer is wherever the
/// virtual display put it).
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct ShowHover(pub bool);

impl Default for ShowHover {
    fn default() -> Self {
        ShowHover(true)
    }
}

/// Request to select a component (`None` clears) and fly the camera to it.
#[derive(Message, Clone, Debug)]
pub struct Select {
    pub code: Option<String>,
    pub instant: bool,
}

impl Select {
    pub fn component(code: impl Into<String>) -> Select {
        Select {
            code: Some(code.into()),
            instant: false,
        }
    }
}

/// Selection colour: a cyan that no alarm priority uses (ISA-101 keeps red/orange/yellow/
/// magenta for alarms).
pub const SELECTION_COLOR: Color = Color::srgb(0.0, 0.78, 1.0);

/// A drag of more than this many pixels is a camera move, not a click.
const CLICK_SLOP: f32 = 6.0;

fn pick_on_click(
    mut click: On<Pointer<Click>>,
    codes: Query<&ComponentCode>,
    drag: Res<PointerDrag>,
    mut select: MessageWriter<Select>,
) {
    if click.button != PointerButton::Primary {
        return;
    }
    if let Ok(code) = codes.get(click.event_target()) {
        click.propagate(false);
        if drag.travelled <= CLICK_SLOP {
            select.write(Select::component(code.0.clone()));
        }
    }
}

fn hover_on_over(
    mut over: On<Pointer<Over>>,
    codes: Query<&ComponentCode>,
    mut hovered: ResMut<Hovered>,
) {
    if let Ok(code) = codes.get(over.event_target()) {
        over.propagate(false);
        hovered.0 = Some(code.0.clone());
    }
}

fn hover_on_out(
    mut out: On<Pointer<Out>>,
    codes: Query<&ComponentCode>,
    mut hovered: ResMut<Hovered>,
) {
    if let Ok(code) = codes.get(out.event_target()) {
        out.propagate(false);
        if hovered.0.as_ref() == Some(&code.0) {
            hovered.0 = None;
        }
    }
}

/// Wall-display shortcuts: 0 overview, 1–5 TG1, TG2, CR1, CR2, TV; Esc clears.
fn unit_shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    session: Res<Session>,
    mut select: MessageWriter<Select>,
    mut fly: MessageWriter<FlyTo>,
) {
    const UNITS: [(KeyCode, &str); 5] = [
        (KeyCode::Digit1, "TG1"),
        (KeyCode::Digit2, "TG2"),
        (KeyCode::Digit3, "CR1"),
        (KeyCode::Digit4, "CR2"),
        (KeyCode::Digit5, "TV"),
    ];
    for (key, alias) in UNITS {
        if keys.just_pressed(key)
            && let Some(c) = session.resolve(alias)
        {
            select.write(Select::component(c.code.clone()));
        }
    }
    if keys.just_pressed(KeyCode::Digit0) {
        select.write(Select {
            code: None,
            instant: false,
        });
        fly.write(FlyTo {
            component: None,
            instant: false,
        });
    }
    if keys.just_pressed(KeyCode::Escape) {
        select.write(Select {
            code: None,
            instant: false,
        });
    }
}

fn apply_select(
    mut requests: MessageReader<Select>,
    mut selection: ResMut<Selection>,
    mut fly: MessageWriter<FlyTo>,
) {
    for req in requests.read() {
        selection.set_if_neq(Selection {
            code: req.code.clone(),
        });
        if req.code.is_some() {
            fly.write(FlyTo {
                component: req.code.clone(),
                instant: req.instant,
            });
        }
    }
}

fn highlighted_material(tone: Tone) -> (Color, LinearRgba) {
    let base = tone_color(tone).mix(&SELECTION_COLOR, 0.55);
    (base, LinearRgba::from(SELECTION_COLOR) * 0.6)
}

/// Paints every part: its alarm colour while its component is in alarm (blinking while
/// unacknowledged), tinted when selected, grey otherwise (ISA-101: colour means abnormal).
fn highlight(
    selection: Res<Selection>,
    session: Res<Session>,
    paint: Res<AlarmPaint>,
    parts: Query<(&ChildOf, &MeshMaterial3d<StandardMaterial>, &PartTone)>,
    codes: Query<&ComponentCode>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    if !selection.is_changed() && !paint.is_changed() {
        return;
    }
    let lit: HashSet<String> = selection
        .code
        .as_deref()
        .map(|c| session.with_descendants(c).into_iter().collect())
        .unwrap_or_default();
    for (parent, material, tone) in &parts {
        let Ok(code) = codes.get(parent.parent()) else {
            continue;
        };
        let Some(mut m) = materials.get_mut(&material.0) else {
            continue;
        };
        let alarm = paint
            .components
            .get(&code.0)
            .filter(|(_, unack)| !unack || paint.blink_on);
        let (base, emissive) = match (alarm, lit.contains(&code.0)) {
            // The alarm colour wins over the selection tint: the card shows what is selected.
            (Some((priority, _)), _) => {
                let c = priority_color(*priority);
                let base = Color::srgb_u8(c.r(), c.g(), c.b()).mix(&tone_color(tone.0), 0.2);
                (base, LinearRgba::from(base) * 0.25)
            }
            (None, true) => highlighted_material(tone.0),
            (None, false) => (tone_color(tone.0), LinearRgba::BLACK),
        };
        if m.base_color != base || m.emissive != emissive {
            m.base_color = base;
            m.emissive = emissive;
        }
    }
}
