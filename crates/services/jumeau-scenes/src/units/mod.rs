//! The unit builders (one per kind of unit in the layout) and the small kit they share: pumps
//! with their motors, valves on their pipes, transformers, steel columns.

mod bop;
mod gas_turbine;
mod hrsg;
mod steam_turbine;

use crate::geometry::{Axis, Shape};
use crate::model::{Part, Tone, UnitModel, part};
use serde::Deserialize;

/// What a layout entry builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Builder {
    GasTurbine,
    Hrsg,
    SteamTurbine,
    BalanceOfPlant,
}

/// Builds a unit in its own coordinates; `side` (±1) is the z direction away from the block's
/// centre line, where a train's auxiliaries stand.
pub fn build(builder: Builder, side: f32) -> UnitModel {
    match builder {
        Builder::GasTurbine => gas_turbine::build(side),
        Builder::Hrsg => hrsg::build(side),
        Builder::SteamTurbine => steam_turbine::build(side),
        Builder::BalanceOfPlant => bop::build(),
    }
}

pub(crate) fn add(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

/// Horizontal pump on its baseplate, driven by an electric motor on the −x side.
pub(crate) fn pump(at: [f32; 3]) -> Vec<Part> {
    let p = |name, shape, off, tone| part(name, shape, add(at, off), tone);
    vec![
        p(
            "baseplate",
            Shape::Box([3.4, 0.5, 1.4]),
            [0.0, 0.25, 0.0],
            Tone::Dark,
        ),
        p(
            "motor",
            Shape::Cyl(Axis::X, 0.55, 1.6),
            [-0.8, 1.1, 0.0],
            Tone::Light,
        ),
        p(
            "motor-fan-cover",
            Shape::Cyl(Axis::X, 0.48, 0.35),
            [-1.78, 1.1, 0.0],
            Tone::Mid,
        ),
        p(
            "motor-terminal-box",
            Shape::Box([0.5, 0.35, 0.4]),
            [-0.8, 1.75, 0.0],
            Tone::Mid,
        ),
        p(
            "coupling",
            Shape::Cyl(Axis::X, 0.18, 0.5),
            [0.25, 1.1, 0.0],
            Tone::Steel,
        ),
        p(
            "casing",
            Shape::Cyl(Axis::X, 0.62, 0.55),
            [0.95, 1.1, 0.0],
            Tone::Steel,
        ),
        p(
            "discharge",
            Shape::Cyl(Axis::Y, 0.2, 0.9),
            [0.95, 2.0, 0.0],
            Tone::Steel,
        ),
        p(
            "suction",
            Shape::Cyl(Axis::X, 0.22, 0.7),
            [1.55, 1.1, 0.0],
            Tone::Steel,
        ),
    ]
}

/// Vertical pump in its pit (circulating water), motor on top.
pub(crate) fn vertical_pump(at: [f32; 3]) -> Vec<Part> {
    let p = |name, shape, off, tone| part(name, shape, add(at, off), tone);
    vec![
        p(
            "floor-plate",
            Shape::Box([3.6, 0.4, 3.6]),
            [0.0, 0.2, 0.0],
            Tone::Concrete,
        ),
        p(
            "column",
            Shape::Cyl(Axis::Y, 0.9, 3.0),
            [0.0, 1.9, 0.0],
            Tone::Steel,
        ),
        p(
            "discharge",
            Shape::Cyl(Axis::X, 0.6, 2.4),
            [1.4, 1.6, 0.0],
            Tone::Steel,
        ),
        p(
            "motor-stand",
            Shape::Cone(Axis::Y, 1.1, 0.9, 1.2),
            [0.0, 4.0, 0.0],
            Tone::Mid,
        ),
        p(
            "motor",
            Shape::Cyl(Axis::Y, 1.3, 2.4),
            [0.0, 5.8, 0.0],
            Tone::Light,
        ),
        p(
            "motor-cap",
            Shape::Cyl(Axis::Y, 1.0, 0.4),
            [0.0, 7.2, 0.0],
            Tone::Mid,
        ),
    ]
}

/// Valve on a pipe running along `axis`, with its stem and actuator.
pub(crate) fn valve(at: [f32; 3], axis: Axis) -> Vec<Part> {
    let p = |name, shape, off, tone| part(name, shape, add(at, off), tone);
    vec![
        p("pipe", Shape::Cyl(axis, 0.3, 3.0), [0.0; 3], Tone::Steel),
        p("body", Shape::Box([0.9, 0.9, 0.9]), [0.0; 3], Tone::Steel),
        p(
            "stem",
            Shape::Cyl(Axis::Y, 0.12, 1.0),
            [0.0, 0.9, 0.0],
            Tone::Mid,
        ),
        p(
            "actuator",
            Shape::Cyl(Axis::Y, 0.5, 0.4),
            [0.0, 1.55, 0.0],
            Tone::Mid,
        ),
    ]
}

/// Oil-immersed step-up transformer: tank, radiator banks on the `side` face, HV bushings and
/// conservator.
pub(crate) fn transformer(at: [f32; 3], side: f32) -> Vec<Part> {
    let p = |name, shape, off, tone| part(name, shape, add(at, off), tone);
    let mut parts = vec![
        p(
            "plinth",
            Shape::Box([10.0, 0.4, 8.0]),
            [0.0, 0.2, 0.0],
            Tone::Concrete,
        ),
        p(
            "tank",
            Shape::Box([7.0, 4.6, 3.6]),
            [0.0, 2.7, 0.0],
            Tone::Mid,
        ),
        p(
            "radiators",
            Shape::Box([6.4, 3.8, 1.2]),
            [0.0, 2.6, 2.6 * side],
            Tone::Dark,
        ),
        p(
            "conservator",
            Shape::Cyl(Axis::X, 0.55, 3.6),
            [-1.5, 6.0, -side],
            Tone::Mid,
        ),
    ];
    for (i, x) in [-2.0f32, 0.0, 2.0].into_iter().enumerate() {
        let name = ["bushing-a", "bushing-b", "bushing-c"][i];
        parts.push(p(
            name,
            Shape::Cyl(Axis::Y, 0.22, 2.0),
            [x, 6.0, 0.6 * side],
            Tone::Light,
        ));
    }
    parts
}

/// Vertical steel column from the ground to `top`.
pub(crate) fn column(name: &'static str, x: f32, z: f32, top: f32) -> Part {
    part(
        name,
        Shape::Box([0.5, top, 0.5]),
        [x, top / 2.0, z],
        Tone::Dark,
    )
}
