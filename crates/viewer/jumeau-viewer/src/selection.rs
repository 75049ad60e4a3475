//! Selecting a component (3D pick, list, keys), highlighting it with everything below it, and
//! hover tooltips.

use super::alarms::AlarmPaint;
use super::camera::{FlyTo, PointerDrag};
pub use super::intent::Select;
use super::plant::{ComponentCode, Session};
use super::scene::{Paint, Palette, ScenePart};
use super::sets::FrameSet;
use super::timing::OwnTime;
use bevy::ecs::schedule::ScheduleConfigs;
use bevy::ecs::system::ScheduleSystem;
use bevy::prelude::*;
use jumeau_core::Priority;
use std::collections::{HashMap, HashSet};

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
            .add_systems(
                Update,
                (
                    (shortcuts(), apply_select).chain().in_set(FrameSet::Input),
                    highlight.in_set(FrameSet::Paint),
                ),
            );
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

/// Wall-display shortcuts: 0 overview, 1–9 the plant's units in display order (TG1, TG2, CR1,
/// CR2, TV on the seed plant); Esc clears.
/// The keys 0–9 and Escape, but never while a text field has the keyboard: "PA1" typed in the
/// search box, or "08h12" in a logbook entry, must not fly to a unit and change what the entry
/// is linked to.
fn shortcuts() -> ScheduleConfigs<ScheduleSystem> {
    unit_shortcuts
        .run_if(not(bevy_egui::input::egui_wants_any_keyboard_input))
        .into_configs()
}

fn unit_shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    session: Res<Session>,
    mut select: MessageWriter<Select>,
    mut fly: MessageWriter<FlyTo>,
    own_time: Res<OwnTime>,
) {
    let _t = own_time.measure();
    const DIGITS: [KeyCode; 9] = [
        KeyCode::Digit1,
        KeyCode::Digit2,
        KeyCode::Digit3,
        KeyCode::Digit4,
        KeyCode::Digit5,
        KeyCode::Digit6,
        KeyCode::Digit7,
        KeyCode::Digit8,
        KeyCode::Digit9,
    ];
    for (key, unit) in DIGITS.into_iter().zip(&session.md.units) {
        if keys.just_pressed(key)
            && let Some(c) = session.resolve(&unit.code)
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
    own_time: Res<OwnTime>,
) {
    let _t = own_time.measure();
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

/// The alarm look of each component: the worst priority among its own alarms and its
/// ancestors' (a turbine trip, raised on the unit, colours the whole machine; a pump's alarm
/// only the pump), unacknowledged if any of them is.
fn inherited_alarms<'a>(
    session: &'a Session,
    paint: &AlarmPaint,
) -> HashMap<&'a str, (Priority, bool)> {
    let mut out = HashMap::new();
    if paint.components.is_empty() {
        return out;
    }
    for c in &session.md.components {
        let mut worst: Option<(Priority, bool)> = None;
        let mut at = Some(c);
        while let Some(comp) = at {
            if let Some(&(p, unack)) = paint.components.get(&comp.code) {
                worst = Some(match worst {
                    None => (p, unack),
                    Some((w, u)) => (w.min(p), u || unack),
                });
            }
            at = comp
                .parent
                .as_deref()
                .and_then(|parent| session.component(parent));
        }
        if let Some(w) = worst {
            out.insert(c.code.as_str(), w);
        }
    }
    out
}

/// Paints every part: its alarm colour while its component is in alarm (blinking while
/// unacknowledged), tinted when selected, grey otherwise (ISA-101: colour means abnormal).
#[allow(clippy::too_many_arguments)]
fn highlight(
    selection: Res<Selection>,
    session: Res<Session>,
    paint: Res<AlarmPaint>,
    mut parts: Query<(&ScenePart, &mut MeshMaterial3d<StandardMaterial>)>,
    new_parts: Query<(), Added<ScenePart>>,
    mut palette: ResMut<Palette>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    own_time: Res<OwnTime>,
) {
    let _t = own_time.measure();
    if !selection.is_changed() && !paint.is_changed() && new_parts.is_empty() {
        return;
    }
    let lit: HashSet<String> = selection
        .code
        .as_deref()
        .map(|c| session.with_descendants(c).into_iter().collect())
        .unwrap_or_default();
    let alarms = inherited_alarms(&session, &paint);
    for (part, mut material) in &mut parts {
        let Some(code) = &part.code else { continue };
        let alarm = alarms
            .get(code.as_str())
            .filter(|(_, unack)| !unack || paint.blink_on);
        // The alarm colour wins over the selection tint: the card shows what is selected.
        let look = match (alarm, lit.contains(code)) {
            (Some((priority, _)), _) => Paint::Alarm(*priority),
            (None, true) => Paint::Selected,
            (None, false) => Paint::Normal,
        };
        let handle = palette.get(part.tone, look, &mut materials);
        if material.0 != handle {
            material.0 = handle;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy::ecs::message::Messages;
    use bevy_egui::EguiContext;
    use bevy_egui::egui;
    use bevy_egui::input::{EguiWantsInput, write_egui_wants_input_system};

    /// The shortcut systems as the plugin adds them, with egui's own focus tracking, on an
    /// egui context whose text field has the keyboard or not.
    fn digit_one_selects(field_focused: bool) -> usize {
        let mut app = App::new();
        app.insert_resource(Session::seed_for_tests())
            .init_resource::<ButtonInput<KeyCode>>()
            .init_resource::<OwnTime>()
            .init_resource::<EguiWantsInput>()
            .add_message::<Select>()
            .add_message::<FlyTo>()
            .add_systems(PreUpdate, write_egui_wants_input_system)
            .add_systems(Update, shortcuts());
        let mut context = EguiContext::default();
        let mut text = String::new();
        for _ in 0..2 {
            let mut output = context.get_mut().run_ui(egui::RawInput::default(), |ui| {
                let field = ui.text_edit_singleline(&mut text);
                if field_focused {
                    field.request_focus();
                }
            });
            // Nothing is rendered: the font textures egui made are dropped on purpose.
            output.textures_delta.clear();
        }
        app.world_mut().spawn(context);
        app.world_mut()
            .resource_mut::<ButtonInput<KeyCode>>()
            .press(KeyCode::Digit1);
        app.update();
        let messages = app.world().resource::<Messages<Select>>();
        messages.get_cursor().read(messages).count()
    }

    #[test]
    fn digit_keys_select_a_unit_except_while_a_text_field_has_the_keyboard() {
        assert_eq!(digit_one_selects(false), 1, "1 selects the first unit");
        assert_eq!(
            digit_one_selects(true),
            0,
            "typing a 1 in a field selects nothing"
        );
    }

    #[test]
    fn a_unit_alarm_colours_the_whole_machine_and_a_pump_alarm_only_the_pump() {
        let session = Session::seed_for_tests();
        let mut paint = AlarmPaint::default();
        paint
            .components
            .insert("11MBA00".into(), (Priority::Critical, false));
        paint
            .components
            .insert("11MBD11".into(), (Priority::Medium, true));
        paint
            .components
            .insert("11LAC10AP001".into(), (Priority::High, false));
        let alarms = inherited_alarms(&session, &paint);
        // The trip on TG1 reaches its compressor and generator; the bearing keeps the worst of
        // its own (medium, unacknowledged) and the trip (critical): critical, blinking.
        assert_eq!(alarms["11MBA10"], (Priority::Critical, false));
        assert_eq!(alarms["11MKA10"], (Priority::Critical, false));
        assert_eq!(alarms["11MBD11"], (Priority::Critical, true));
        assert_eq!(alarms["11LAC10AP001"], (Priority::High, false));
        // Nothing spills sideways or upwards.
        assert!(!alarms.contains_key("11LAC10AP002"));
        assert!(!alarms.contains_key("11HAD00"));
        assert!(!alarms.contains_key("12MBA10"));
    }
}
