//! What a unit builder produces: named parts (a shape at a place, in a grey tone) grouped under
//! component codes, and plant structures (pipe racks, steelwork) that belong to no component.

use crate::geometry::{Axis, Shape};

/// ISA-101 grey tones: colour is reserved for abnormal states and the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tone {
    Light,
    Mid,
    Dark,
    Steel,
    Concrete,
}

impl Tone {
    pub const ALL: [Tone; 5] = [
        Tone::Light,
        Tone::Mid,
        Tone::Dark,
        Tone::Steel,
        Tone::Concrete,
    ];

    /// The material name in the glTF files; the client maps it back to the tone.
    pub fn material_name(self) -> &'static str {
        match self {
            Tone::Light => "grey-light",
            Tone::Mid => "grey-mid",
            Tone::Dark => "grey-dark",
            Tone::Steel => "grey-steel",
            Tone::Concrete => "concrete",
        }
    }

    pub fn from_material_name(name: &str) -> Option<Tone> {
        Tone::ALL.into_iter().find(|t| t.material_name() == name)
    }

    /// sRGB colour, 0–1.
    pub fn srgb(self) -> [f32; 3] {
        match self {
            Tone::Light => [0.62, 0.63, 0.64],
            Tone::Mid => [0.47, 0.48, 0.50],
            Tone::Dark => [0.30, 0.31, 0.32],
            Tone::Steel => [0.55, 0.57, 0.60],
            Tone::Concrete => [0.40, 0.40, 0.39],
        }
    }
}

/// One shape of a component or structure, in the unit's own coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub name: &'static str,
    pub shape: Shape,
    pub at: [f32; 3],
    /// Rotation about the y axis, degrees (pipes and hoods that do not run along x or z).
    pub yaw_deg: f32,
    /// Rotation about the z axis, degrees (weather hoods, sloped ducts).
    pub roll_deg: f32,
    pub tone: Tone,
}

pub fn part(name: &'static str, shape: Shape, at: [f32; 3], tone: Tone) -> Part {
    Part {
        name,
        shape,
        at,
        yaw_deg: 0.0,
        roll_deg: 0.0,
        tone,
    }
}

impl Part {
    pub fn rolled(mut self, degrees: f32) -> Part {
        self.roll_deg = degrees;
        self
    }

    /// Axis-aligned bounds (rotations are ignored: they are small or around a symmetric axis).
    pub fn bounds(&self) -> ([f32; 3], [f32; 3]) {
        let h = self.shape.half_extents();
        (
            [self.at[0] - h[0], self.at[1] - h[1], self.at[2] - h[2]],
            [self.at[0] + h[0], self.at[1] + h[1], self.at[2] + h[2]],
        )
    }
}

/// A straight pipe run between two points that differ along one axis only.
pub fn pipe(name: &'static str, from: [f32; 3], to: [f32; 3], radius: f32) -> Part {
    let d = [to[0] - from[0], to[1] - from[1], to[2] - from[2]];
    let mid = [
        (from[0] + to[0]) / 2.0,
        (from[1] + to[1]) / 2.0,
        (from[2] + to[2]) / 2.0,
    ];
    let (axis, len) = match d {
        [x, 0.0, 0.0] => (Axis::X, x.abs()),
        [0.0, y, 0.0] => (Axis::Y, y.abs()),
        [0.0, 0.0, z] => (Axis::Z, z.abs()),
        _ => panic!("pipe {name} from {from:?} to {to:?} is not along one axis"),
    };
    part(name, Shape::Cyl(axis, radius, len), mid, Tone::Steel)
}

/// A pipe following a path of axis-aligned runs.
pub fn pipe_route(name: &'static str, points: &[[f32; 3]], radius: f32) -> Vec<Part> {
    points
        .windows(2)
        .map(|w| pipe(name, w[0], w[1], radius))
        .collect()
}

/// The geometry of one component, keyed by its code without the unit prefix (`MBA10`).
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub key: &'static str,
    pub parts: Vec<Part>,
}

/// Steelwork, racks and foundations: part of the scene, not of master data.
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub name: &'static str,
    /// What it is, in words, for the node's extras.
    pub what: &'static str,
    pub parts: Vec<Part>,
}

/// Everything a unit builder returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitModel {
    pub pieces: Vec<Piece>,
    pub structures: Vec<Structure>,
}

impl UnitModel {
    pub fn piece(&mut self, key: &'static str, parts: Vec<Part>) {
        self.pieces.push(Piece { key, parts });
    }

    pub fn structure(&mut self, name: &'static str, what: &'static str, parts: Vec<Part>) {
        self.structures.push(Structure { name, what, parts });
    }
}

/// Axis-aligned bounds of parts.
pub fn bounds<'a>(parts: impl IntoIterator<Item = &'a Part>) -> Option<([f32; 3], [f32; 3])> {
    parts
        .into_iter()
        .map(Part::bounds)
        .reduce(|(a, b), (c, d)| {
            (
                [a[0].min(c[0]), a[1].min(c[1]), a[2].min(c[2])],
                [b[0].max(d[0]), b[1].max(d[1]), b[2].max(d[2])],
            )
        })
}
