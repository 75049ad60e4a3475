//! Spawns the plant: one entity per component (named by its KKS code) with its primitive shapes
//! as children, the ground and the lights.

use super::layout::{self, Part, Shape, Tone};
use super::plant::{ComponentCode, Session};
use bevy::prelude::*;
use std::collections::HashMap;
use std::f32::consts::FRAC_PI_2;

pub struct PlantScenePlugin;

impl Plugin for PlantScenePlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(ClearColor(Color::srgb(0.13, 0.14, 0.16)))
            .insert_resource(GlobalAmbientLight {
                color: Color::WHITE,
                brightness: 450.0,
                ..default()
            })
            .init_resource::<PlantBounds>()
            .add_systems(Startup, spawn_plant);
    }
}

/// The grey tone a mesh returns to when it is not highlighted.
#[derive(Component, Clone, Copy)]
pub struct PartTone(pub Tone);

pub fn tone_color(tone: Tone) -> Color {
    match tone {
        Tone::Light => Color::srgb(0.62, 0.63, 0.64),
        Tone::Mid => Color::srgb(0.47, 0.48, 0.50),
        Tone::Dark => Color::srgb(0.30, 0.31, 0.32),
        Tone::Steel => Color::srgb(0.55, 0.57, 0.60),
    }
}

/// World-space bounds of each component's own shapes.
#[derive(Resource, Default)]
pub struct PlantBounds {
    own: HashMap<String, (Vec3, Vec3)>,
}

impl PlantBounds {
    /// Bounds of a component with everything below it.
    pub fn of(&self, session: &Session, code: &str) -> Option<(Vec3, Vec3)> {
        union(
            session
                .with_descendants(code)
                .iter()
                .filter_map(|c| self.own.get(c)),
        )
    }

    /// Where a component's label goes: above the tallest part of its family (a stack, a filter
    /// house). The family's overall centre can fall on another unit when sub-assemblies (pumps,
    /// bypass valves) stand far from the main body.
    pub fn label_anchor(&self, session: &Session, code: &str) -> Option<Vec3> {
        let (lo, hi) = session
            .with_descendants(code)
            .iter()
            .filter_map(|c| self.own.get(c))
            .max_by(|a, b| a.1.y.total_cmp(&b.1.y))?;
        Some(Vec3::new(
            (lo.x + hi.x) / 2.0,
            hi.y + 1.5,
            (lo.z + hi.z) / 2.0,
        ))
    }

    pub fn plant(&self) -> Option<(Vec3, Vec3)> {
        union(self.own.values())
    }
}

fn union<'a>(boxes: impl Iterator<Item = &'a (Vec3, Vec3)>) -> Option<(Vec3, Vec3)> {
    boxes.fold(None, |acc, &(lo, hi)| match acc {
        None => Some((lo, hi)),
        Some((a, b)) => Some((a.min(lo), b.max(hi))),
    })
}

fn mesh_of(shape: Shape) -> (Mesh, Quat) {
    match shape {
        Shape::Box(s) => (Cuboid::from_size(s).into(), Quat::IDENTITY),
        Shape::CylY(r, l) => (Cylinder::new(r, l).into(), Quat::IDENTITY),
        Shape::CylX(r, l) => (
            Cylinder::new(r, l).into(),
            Quat::from_rotation_z(-FRAC_PI_2),
        ),
        Shape::CylZ(r, l) => (Cylinder::new(r, l).into(), Quat::from_rotation_x(FRAC_PI_2)),
        // The frustum's top (+y) turns to +x.
        Shape::ConeX(a, b, l) => (
            ConicalFrustum {
                radius_top: b,
                radius_bottom: a,
                height: l,
            }
            .into(),
            Quat::from_rotation_z(-FRAC_PI_2),
        ),
    }
}

fn spawn_plant(
    mut commands: Commands,
    session: Res<Session>,
    mut bounds: ResMut<PlantBounds>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    commands.spawn((
        Name::new("ground"),
        Mesh3d(meshes.add(Plane3d::default().mesh().size(420.0, 260.0))),
        MeshMaterial3d(materials.add(StandardMaterial {
            base_color: Color::srgb(0.20, 0.21, 0.22),
            perceptual_roughness: 1.0,
            ..default()
        })),
        Transform::from_xyz(0.0, 0.0, 0.0),
        Pickable::IGNORE,
    ));
    commands.spawn((
        DirectionalLight {
            illuminance: 6_000.0,
            shadow_maps_enabled: false,
            ..default()
        },
        Transform::from_xyz(-40.0, 120.0, 60.0).looking_at(Vec3::ZERO, Vec3::Y),
    ));

    let mut unplaced = Vec::new();
    for c in &session.md.components {
        let parts = layout::parts(c).unwrap_or_else(|| {
            unplaced.push(c.code.clone());
            Vec::new()
        });
        if let Some(b) = layout::bounds(&parts) {
            bounds.own.insert(c.code.clone(), b);
        }
        commands
            .spawn((
                Name::new(c.code.clone()),
                ComponentCode(c.code.clone()),
                Transform::default(),
                Visibility::default(),
            ))
            .with_children(|children| {
                for Part { shape, at, tone } in parts {
                    let (mesh, rotation) = mesh_of(shape);
                    children.spawn((
                        Mesh3d(meshes.add(mesh)),
                        MeshMaterial3d(materials.add(StandardMaterial {
                            base_color: tone_color(tone),
                            perceptual_roughness: 0.75,
                            metallic: 0.05,
                            ..default()
                        })),
                        Transform::from_translation(at).with_rotation(rotation),
                        PartTone(tone),
                    ));
                }
            });
    }
    if !unplaced.is_empty() {
        warn!(
            "{} component(s) have no geometry in the procedural layout: {}",
            unplaced.len(),
            unplaced.join(", ")
        );
    }
    info!("plant spawned: {} components", session.md.components.len());
}
