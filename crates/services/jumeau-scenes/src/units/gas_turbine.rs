//! E-class gas turbine, cold-end drive: generator west (−x), elevated filter house feeding the
//! inlet plenum, axial compressor, two silo combustors, turbine, axial exhaust diffuser towards
//! the HRSG (+x). Origin: the shaft line's foot, at the compressor inlet.

use super::{add, column, transformer, valve};
use crate::geometry::{Axis, Shape};
use crate::model::{Part, Tone, UnitModel, part};

/// Shaft centre-line height (m).
const SHAFT: f32 = 4.5;

pub fn build(side: f32) -> UnitModel {
    let mut u = UnitModel::default();
    let s = side;
    u.piece(
        "MBA00",
        vec![
            part(
                "foundation",
                Shape::Box([58.0, 1.0, 10.0]),
                [-2.0, 0.5, 0.0],
                Tone::Concrete,
            ),
            part(
                "shaft-line",
                Shape::Cyl(Axis::X, 0.35, 12.6),
                [-6.3, SHAFT, 0.0],
                Tone::Steel,
            ),
        ],
    );
    u.piece("MBL10", filter_house());
    u.piece(
        "MBA10",
        vec![
            part(
                "casing",
                Shape::Cone(Axis::X, 2.9, 2.3, 12.0),
                [6.0, SHAFT, 0.0],
                Tone::Light,
            ),
            part(
                "inlet-flange",
                Shape::Cyl(Axis::X, 3.1, 0.4),
                [0.2, SHAFT, 0.0],
                Tone::Steel,
            ),
            part(
                "mid-flange",
                Shape::Cyl(Axis::X, 2.8, 0.3),
                [6.0, SHAFT, 0.0],
                Tone::Steel,
            ),
            part(
                "support",
                Shape::Box([1.2, 2.6, 4.0]),
                [1.2, 1.8, 0.0],
                Tone::Dark,
            ),
        ],
    );
    let mut combustors = Vec::new();
    for z in [-4.2, 4.2] {
        combustors.extend([
            part(
                "silo",
                Shape::Cyl(Axis::Y, 1.8, 8.0),
                [14.0, 8.0, z],
                Tone::Mid,
            ),
            part(
                "silo-dome",
                Shape::Cone(Axis::Y, 1.8, 1.0, 1.2),
                [14.0, 12.6, z],
                Tone::Mid,
            ),
            part(
                "silo-neck",
                Shape::Cyl(Axis::Z, 1.1, 2.4),
                [14.0, SHAFT, z * 0.55],
                Tone::Steel,
            ),
        ]);
    }
    u.piece("MBM10", combustors);
    u.piece(
        "MBA20",
        vec![
            part(
                "casing",
                Shape::Cone(Axis::X, 2.6, 3.2, 6.0),
                [19.0, SHAFT, 0.0],
                Tone::Light,
            ),
            part(
                "flange",
                Shape::Cyl(Axis::X, 3.35, 0.3),
                [22.0, SHAFT, 0.0],
                Tone::Steel,
            ),
        ],
    );
    u.piece(
        "MBR10",
        vec![
            part(
                "diffuser",
                Shape::Cone(Axis::X, 3.3, 4.2, 9.0),
                [27.9, SHAFT, 0.0],
                Tone::Mid,
            ),
            part(
                "support",
                Shape::Box([6.0, 1.0, 6.0]),
                [27.9, 1.4, 0.0],
                Tone::Dark,
            ),
        ],
    );
    u.piece("MBD11", bearing(-1.2, 1.5));
    u.piece("MBD12", bearing(22.7, 1.3));
    u.piece(
        "MKA10",
        vec![
            part(
                "stator",
                Shape::Cyl(Axis::X, 3.0, 11.0),
                [-18.0, SHAFT, 0.0],
                Tone::Light,
            ),
            part(
                "end-shield-a",
                Shape::Cyl(Axis::X, 2.4, 0.6),
                [-23.8, SHAFT, 0.0],
                Tone::Mid,
            ),
            part(
                "end-shield-b",
                Shape::Cyl(Axis::X, 2.4, 0.6),
                [-12.2, SHAFT, 0.0],
                Tone::Mid,
            ),
            part(
                "frame",
                Shape::Box([12.0, 1.5, 7.0]),
                [-18.0, 1.75, 0.0],
                Tone::Dark,
            ),
            part(
                "terminal-box",
                Shape::Box([3.0, 1.6, 2.4]),
                [-18.0, 2.2, 4.0 * s],
                Tone::Mid,
            ),
            part(
                "exciter",
                Shape::Cyl(Axis::X, 1.1, 2.2),
                [-25.4, SHAFT, 0.0],
                Tone::Mid,
            ),
        ],
    );
    u.piece(
        "MBP10",
        vec![
            part(
                "skid",
                Shape::Box([6.0, 0.4, 4.0]),
                [12.0, 0.2, 11.0 * s],
                Tone::Dark,
            ),
            part(
                "filter",
                Shape::Cyl(Axis::Y, 0.6, 2.4),
                [10.0, 1.6, 10.5 * s],
                Tone::Mid,
            ),
            part(
                "enclosure",
                Shape::Box([2.4, 2.4, 2.6]),
                [13.6, 1.6, 11.2 * s],
                Tone::Light,
            ),
            part(
                "header",
                Shape::Cyl(Axis::Z, 0.2, 7.6),
                [14.0, 3.2, 7.6 * s],
                Tone::Steel,
            ),
        ],
    );
    u.piece("MBP10AA101", valve([11.6, 3.2, 9.5 * s], Axis::X));
    u.piece(
        "MBV10",
        vec![
            part(
                "tank",
                Shape::Box([7.0, 2.6, 4.5]),
                [-4.0, 1.3, 11.0 * s],
                Tone::Mid,
            ),
            part(
                "coolers",
                Shape::Cyl(Axis::X, 0.5, 4.0),
                [-4.0, 3.2, 12.4 * s],
                Tone::Steel,
            ),
            part(
                "return-line",
                Shape::Cyl(Axis::Z, 0.15, 6.0),
                [-2.0, 2.4, 7.0 * s],
                Tone::Steel,
            ),
        ],
    );
    u.piece("MBV10AP001", vertical_oil_pump([-6.0, 2.6, 10.2 * s]));
    u.piece("BAT10", transformer([-20.0, 0.0, 16.0 * s], s));
    u
}

/// Filter house on its steel, weather hoods on the west face, silencer and inlet duct down to
/// the plenum around the shaft at the compressor inlet.
fn filter_house() -> Vec<Part> {
    let mut parts = vec![
        part(
            "filter-house",
            Shape::Box([12.0, 10.0, 14.0]),
            [-8.0, 19.0, 0.0],
            Tone::Light,
        ),
        part(
            "roof",
            Shape::Box([12.6, 0.4, 14.6]),
            [-8.0, 24.2, 0.0],
            Tone::Mid,
        ),
        part(
            "silencer",
            Shape::Box([5.0, 3.0, 5.0]),
            [-3.4, 12.5, 0.0],
            Tone::Mid,
        ),
        part(
            "inlet-duct",
            Shape::Box([4.2, 5.0, 4.2]),
            [-3.4, 8.5, 0.0],
            Tone::Mid,
        ),
        part(
            "plenum",
            Shape::Box([2.6, 8.0, 8.0]),
            [-3.4, 4.8, 0.0],
            Tone::Mid,
        ),
    ];
    for y in [15.5, 18.5, 21.5] {
        parts.push(
            part(
                "weather-hood",
                Shape::Box([0.3, 2.4, 13.6]),
                [-14.6, y, 0.0],
                Tone::Steel,
            )
            .rolled(-35.0),
        );
    }
    for (x, z) in [(-13.5, -6.5), (-13.5, 6.5), (-2.5, -6.5), (-2.5, 6.5)] {
        parts.push(column("leg", x, z, 14.0));
    }
    parts
}

fn bearing(x: f32, radius: f32) -> Vec<Part> {
    vec![
        part(
            "housing",
            Shape::Cyl(Axis::X, radius, 1.0),
            [x, SHAFT, 0.0],
            Tone::Steel,
        ),
        part(
            "pedestal",
            Shape::Box([1.0, SHAFT - 1.0, 2.4]),
            [x, (SHAFT + 1.0) / 2.0, 0.0],
            Tone::Dark,
        ),
    ]
}

/// Main lube-oil pump standing on the tank, motor on top.
fn vertical_oil_pump(at: [f32; 3]) -> Vec<Part> {
    vec![
        part(
            "pump",
            Shape::Cyl(Axis::Y, 0.35, 0.8),
            add(at, [0.0, 0.4, 0.0]),
            Tone::Steel,
        ),
        part(
            "motor",
            Shape::Cyl(Axis::Y, 0.45, 1.0),
            add(at, [0.0, 1.3, 0.0]),
            Tone::Light,
        ),
    ]
}
