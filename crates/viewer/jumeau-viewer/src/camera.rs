//! Orbit / pan / zoom camera with smooth fly-to, for mouse and touch; its viewport is the
//! part of the window the egui panels leave free.

use super::plant::Session;
use super::scene::PlantBounds;
use super::sets::FrameSet;
use super::timing::OwnTime;
use bevy::camera::visibility::RenderLayers;
use bevy::camera::{CameraOutputMode, Viewport};
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;
use bevy_egui::{EguiGlobalSettings, PrimaryEguiContext};

pub struct OrbitCameraPlugin;

impl Plugin for OrbitCameraPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ViewportInsets>()
            .init_resource::<PointerDrag>()
            .add_message::<FlyTo>()
            .add_systems(Startup, spawn_camera)
            .add_systems(
                Update,
                (
                    start_fly_to,
                    orbit_input,
                    animate,
                    apply_transform,
                    apply_viewport,
                )
                    .chain()
                    .in_set(FrameSet::Camera),
            );
    }
}

/// Where the camera should go.
#[derive(Message, Clone, Debug)]
pub struct FlyTo {
    /// `None`: the whole plant.
    pub component: Option<String>,
    /// Jump there at once (screenshots) instead of flying.
    pub instant: bool,
}

/// Space taken by egui panels around the 3D view, in logical pixels.
#[derive(Resource, Default, Clone, Copy, PartialEq)]
pub struct ViewportInsets {
    pub left: f32,
    pub right: f32,
    pub top: f32,
    pub bottom: f32,
}

/// How far the pointer moved since the last press: a drag is not a click.
#[derive(Resource, Default)]
pub struct PointerDrag {
    pub travelled: f32,
}

#[derive(Component)]
pub struct OrbitCamera {
    pub focus: Vec3,
    pub yaw: f32,
    pub pitch: f32,
    pub distance: f32,
    goal: Option<Goal>,
}

#[derive(Clone, Copy)]
struct Goal {
    focus: Vec3,
    distance: f32,
    yaw: f32,
    pitch: f32,
}

/// The overview looks at the block from the south-east, about 30° above the horizon.
const OVERVIEW_YAW: f32 = 0.45;
const OVERVIEW_PITCH: f32 = 0.52;
const FOV: f32 = std::f32::consts::FRAC_PI_4;

fn spawn_camera(mut commands: Commands, mut egui_settings: ResMut<EguiGlobalSettings>) {
    // egui gets its own camera over the whole window; the 3D camera only draws the free viewport.
    egui_settings.auto_create_primary_context = false;
    commands.spawn((
        PrimaryEguiContext,
        Camera2d,
        RenderLayers::none(),
        Camera {
            order: 1,
            output_mode: CameraOutputMode::Write {
                blend_state: Some(BlendState::ALPHA_BLENDING),
                clear_color: ClearColorConfig::None,
            },
            clear_color: ClearColorConfig::Custom(Color::NONE),
            ..default()
        },
    ));
    commands.spawn((
        Camera3d::default(),
        Projection::Perspective(PerspectiveProjection {
            fov: FOV,
            far: 2_000.0,
            ..default()
        }),
        OrbitCamera {
            focus: Vec3::new(0.0, 8.0, 0.0),
            yaw: OVERVIEW_YAW,
            pitch: OVERVIEW_PITCH,
            distance: 230.0,
            goal: None,
        },
        Transform::default(),
    ));
}

/// Distance at which a sphere of `radius` fills the view.
fn fit_distance(radius: f32) -> f32 {
    (radius / (FOV / 2.0).sin()).max(8.0)
}

/// Unit presets for the wall (keys 1–5): each unit seen from its own side of the block, so
/// that its auxiliaries face the camera (train 1 from the north, train 2 from the south; yaw 0
/// looks from +z, the south).
const PRESETS: [(&str, f32, f32); 5] = [
    ("TG1", std::f32::consts::PI - 0.6, 0.40),
    ("TG2", 0.6, 0.40),
    ("CR1", std::f32::consts::PI - 0.75, 0.36),
    ("CR2", 0.75, 0.36),
    ("TV", 0.65, 0.42),
];

fn preset(alias: &str) -> Option<(f32, f32)> {
    PRESETS
        .iter()
        .find(|(a, _, _)| *a == alias)
        .map(|&(_, yaw, pitch)| (yaw, pitch))
}

/// Requests wait in `pending` until the scenes are spawned and their bounds known.
fn start_fly_to(
    mut requests: MessageReader<FlyTo>,
    mut pending: Local<Vec<FlyTo>>,
    session: Res<Session>,
    bounds: Res<PlantBounds>,
    mut cam: Single<&mut OrbitCamera>,
    own_time: Res<OwnTime>,
) {
    let _t = own_time.measure();
    pending.extend(requests.read().cloned());
    if pending.is_empty() || bounds.plant().is_none() {
        return;
    }
    for req in pending.drain(..) {
        let (target, yaw, pitch, scale) = match &req.component {
            None => (bounds.plant(), OVERVIEW_YAW, OVERVIEW_PITCH, 0.62),
            Some(code) => {
                let (yaw, pitch) = session
                    .component(code)
                    .and_then(|c| preset(&c.alias))
                    .unwrap_or((cam.yaw, cam.pitch.clamp(0.25, 0.9)));
                (bounds.of(&session, code), yaw, pitch, 1.15)
            }
        };
        let Some((lo, hi)) = target else { continue };
        let radius = (hi - lo).length() / 2.0;
        let goal = Goal {
            focus: (lo + hi) / 2.0,
            distance: fit_distance(radius) * scale,
            yaw,
            pitch,
        };
        if req.instant {
            cam.focus = goal.focus;
            cam.distance = goal.distance;
            cam.yaw = goal.yaw;
            cam.pitch = goal.pitch;
            cam.goal = None;
        } else {
            // The shortest way round to the preset's heading.
            let turn = (goal.yaw - cam.yaw + std::f32::consts::PI)
                .rem_euclid(std::f32::consts::TAU)
                - std::f32::consts::PI;
            cam.goal = Some(Goal {
                yaw: cam.yaw + turn,
                ..goal
            });
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn orbit_input(
    mouse: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    touches: Res<Touches>,
    egui_input: Res<EguiWantsInput>,
    mut drag: ResMut<PointerDrag>,
    mut cam: Single<&mut OrbitCamera>,
    own_time: Res<OwnTime>,
) {
    let _t = own_time.measure();
    if mouse.any_just_pressed([MouseButton::Left, MouseButton::Right, MouseButton::Middle])
        || touches.any_just_pressed()
    {
        drag.travelled = 0.0;
    }
    if egui_input.wants_any_pointer_input() {
        return;
    }
    let mut orbit = Vec2::ZERO;
    let mut pan = Vec2::ZERO;
    let mut zoom = 0.0;
    if mouse.pressed(MouseButton::Left) {
        orbit += motion.delta;
    }
    if mouse.pressed(MouseButton::Right) || mouse.pressed(MouseButton::Middle) {
        pan += motion.delta;
    }
    zoom += match scroll.unit {
        MouseScrollUnit::Line => scroll.delta.y,
        MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
    };
    // Touch: one finger orbits, two fingers pan and pinch.
    let fingers: Vec<_> = touches.iter().collect();
    match fingers.as_slice() {
        [one] => orbit += one.delta(),
        [a, b] => {
            pan += (a.delta() + b.delta()) / 2.0;
            let before = a.previous_position().distance(b.previous_position());
            let now = a.position().distance(b.position());
            zoom += (now - before) / 60.0;
        }
        _ => {}
    }
    drag.travelled += orbit.length() + pan.length();
    if orbit == Vec2::ZERO && pan == Vec2::ZERO && zoom == 0.0 {
        return;
    }
    let cam = &mut **cam;
    cam.goal = None;
    cam.yaw -= orbit.x * 0.005;
    cam.pitch = (cam.pitch + orbit.y * 0.005).clamp(0.05, 1.5);
    if pan != Vec2::ZERO {
        let rot = Quat::from_rotation_y(cam.yaw);
        let right = rot * Vec3::X;
        let forward_flat = rot * Vec3::NEG_Z;
        let k = cam.distance * 0.0015;
        cam.focus += (-right * pan.x + forward_flat * pan.y) * k;
    }
    cam.distance = (cam.distance * (1.0 - 0.12 * zoom)).clamp(4.0, 800.0);
}

fn animate(time: Res<Time>, mut cam: Single<&mut OrbitCamera>, own_time: Res<OwnTime>) {
    let _t = own_time.measure();
    let Some(goal) = cam.goal else { return };
    let t = 1.0 - (-time.delta_secs() * 4.0).exp();
    cam.focus = cam.focus.lerp(goal.focus, t);
    cam.distance += (goal.distance - cam.distance) * t;
    cam.yaw += (goal.yaw - cam.yaw) * t;
    cam.pitch += (goal.pitch - cam.pitch) * t;
    if cam.focus.distance(goal.focus) < 0.05 && (cam.distance - goal.distance).abs() < 0.05 {
        cam.goal = None;
    }
}

fn apply_transform(
    mut q: Query<(&OrbitCamera, &mut Transform), Changed<OrbitCamera>>,
    own_time: Res<OwnTime>,
) {
    let _t = own_time.measure();
    for (cam, mut transform) in &mut q {
        let dir = Vec3::new(
            cam.pitch.cos() * cam.yaw.sin(),
            cam.pitch.sin(),
            cam.pitch.cos() * cam.yaw.cos(),
        );
        *transform = Transform::from_translation(cam.focus + dir * cam.distance)
            .looking_at(cam.focus, Vec3::Y);
    }
}

fn apply_viewport(
    insets: Res<ViewportInsets>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut camera: Single<&mut Camera, With<OrbitCamera>>,
    own_time: Res<OwnTime>,
) {
    let _t = own_time.measure();
    let scale = window.scale_factor();
    let (w, h) = (window.physical_width(), window.physical_height());
    let left = (insets.left * scale) as u32;
    let top = (insets.top * scale) as u32;
    let right = (insets.right * scale) as u32;
    let bottom = (insets.bottom * scale) as u32;
    if w <= left + right + 16 || h <= top + bottom + 16 {
        return;
    }
    let viewport = Viewport {
        physical_position: UVec2::new(left, top),
        physical_size: UVec2::new(w - left - right, h - top - bottom),
        ..default()
    };
    let same = camera.viewport.as_ref().is_some_and(|v| {
        v.physical_position == viewport.physical_position
            && v.physical_size == viewport.physical_size
    });
    if !same {
        camera.viewport = Some(viewport);
    }
}
