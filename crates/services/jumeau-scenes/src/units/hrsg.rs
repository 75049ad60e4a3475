//! Horizontal triple-pressure HRSG with reheat: diverter and bypass stack at the GT exhaust,
//! inlet duct widening to the casing, the heat-exchanger sections in gas-path order inside the
//! casing (each section a component), the drums across the roof with their downcomers, the
//! 60 m stack. Origin: the casing's foot, mid-length. Feed pumps and valves on the `side` face.

use super::{add, column, pump, valve};
use crate::geometry::{Axis, Shape};
use crate::model::{Part, Tone, UnitModel, part, pipe};

/// Casing: gas path from x = −11.3 to 8.6, 22 m tall, 12 m wide.
const CASING_TOP: f32 = 23.0;
const CASING_WIDTH: f32 = 12.0;

/// The sections in gas-path order: code, centre x, width along the gas path.
const SECTIONS: [(&str, f32, f32); 7] = [
    ("HAH50", -9.8, 3.0),
    ("HAJ30", -6.6, 2.6),
    ("HAD50", -3.3, 3.6),
    ("HAC50", -0.1, 2.4),
    ("HAD30", 2.4, 2.4),
    ("HAD10", 4.9, 2.4),
    ("HAC10", 7.4, 2.4),
];

pub fn build(side: f32) -> UnitModel {
    let s = side;
    let mut u = UnitModel::default();
    let mut frame = vec![
        part(
            "foundation",
            Shape::Box([40.0, 1.0, 16.0]),
            [-1.0, 0.5, 0.0],
            Tone::Concrete,
        ),
        part(
            "roof",
            Shape::Box([20.4, 0.5, 13.0]),
            [-1.35, CASING_TOP + 0.25, 0.0],
            Tone::Mid,
        ),
    ];
    for x in [-11.5, -5.0, 1.3, 8.8] {
        for z in [-6.6, 6.6] {
            frame.push(column("column", x, z, CASING_TOP + 0.5));
        }
    }
    u.piece("HAD00", frame);
    u.piece(
        "HNA10",
        vec![part(
            "inlet-duct",
            Shape::Taper(7.8, [13.0, 10.0], [22.0, CASING_WIDTH]),
            [-15.2, 12.0, 0.0],
            Tone::Mid,
        )],
    );
    u.piece(
        "HNA20",
        vec![
            part(
                "diverter",
                Shape::Box([2.8, 13.0, 11.0]),
                [-20.5, 6.5, 0.0],
                Tone::Steel,
            ),
            part(
                "bypass-stack",
                Shape::Cyl(Axis::Y, 2.6, 24.0),
                [-20.5, 25.0, 0.0],
                Tone::Mid,
            ),
            part(
                "actuator",
                Shape::Box([1.2, 1.2, 1.6]),
                [-20.5, 10.0, 6.3],
                Tone::Dark,
            ),
        ],
    );
    for (i, (key, x, width)) in SECTIONS.into_iter().enumerate() {
        let tone = if i % 2 == 0 { Tone::Light } else { Tone::Mid };
        u.piece(
            key,
            vec![part(
                "casing-section",
                Shape::Box([width - 0.15, CASING_TOP - 1.0, CASING_WIDTH]),
                [x, (CASING_TOP + 1.0) / 2.0, 0.0],
                tone,
            )],
        );
    }
    u.piece("HAD50BB001", drum(-3.3, 1.0, 11.0));
    u.piece("HAD30BB001", drum(2.4, 0.8, 9.0));
    u.piece("HAD10BB001", drum(5.6, 1.1, 10.0));
    u.piece(
        "HNE10",
        vec![
            part(
                "breeching",
                Shape::Taper(5.0, [CASING_TOP - 1.0, CASING_WIDTH], [8.0, 7.0]),
                [11.1, 12.0, 0.0],
                Tone::Mid,
            ),
            part(
                "stack",
                Shape::Cyl(Axis::Y, 2.8, 60.0),
                [15.4, 30.0, 0.0],
                Tone::Light,
            ),
            part(
                "platform-cems",
                Shape::Cyl(Axis::Y, 3.8, 0.3),
                [15.4, 30.0, 0.0],
                Tone::Dark,
            ),
            part(
                "platform-top",
                Shape::Cyl(Axis::Y, 3.6, 0.3),
                [15.4, 56.0, 0.0],
                Tone::Dark,
            ),
            part(
                "stack-foundation",
                Shape::Cyl(Axis::Y, 3.6, 1.0),
                [15.4, 0.5, 0.0],
                Tone::Concrete,
            ),
        ],
    );
    u.piece("LAC10AP001", pump([2.0, 0.0, 11.0 * s]));
    u.piece("LAC10AP002", pump([6.5, 0.0, 11.0 * s]));
    u.piece("LAB50AA101", valve([-0.5, 3.0, 8.4 * s], Axis::X));
    u.piece("LBA10AA001", valve([-3.3, 27.6, -4.8 * s], Axis::X));
    u.piece(
        "LAE10AA101",
        valve([-9.8, CASING_TOP + 1.5, -7.6 * s], Axis::X),
    );
    for (key, y) in [
        ("MAN10AA101", 27.0),
        ("MAN20AA101", 24.0),
        ("MAN30AA101", 21.0),
    ] {
        u.piece(key, valve([13.0, y, -7.5 * s], Axis::X));
    }
    u.structure(
        "stair-tower",
        "stair tower to the drum platform",
        vec![
            part(
                "tower",
                Shape::Box([3.0, CASING_TOP + 3.0, 3.0]),
                [-8.0, 13.0, 9.0 * s],
                Tone::Dark,
            ),
            part(
                "drum-platform",
                Shape::Box([18.0, 0.3, 2.2]),
                [0.6, CASING_TOP + 3.0, 7.6 * s],
                Tone::Dark,
            ),
        ],
    );
    u
}

/// Drum across the roof on its saddles, with two downcomers along the casing's sides.
fn drum(x: f32, radius: f32, length: f32) -> Vec<Part> {
    let y = CASING_TOP + 1.6 + radius;
    let mut parts = vec![
        part(
            "shell",
            Shape::Cyl(Axis::Z, radius, length),
            [x, y, 0.0],
            Tone::Steel,
        ),
        part(
            "head-a",
            Shape::Cone(Axis::Z, radius * 0.55, radius, 0.5),
            [x, y, -length / 2.0 - 0.25],
            Tone::Steel,
        ),
        part(
            "head-b",
            Shape::Cone(Axis::Z, radius, radius * 0.55, 0.5),
            [x, y, length / 2.0 + 0.25],
            Tone::Steel,
        ),
    ];
    for z in [-length / 2.0 + 1.0, length / 2.0 - 1.0] {
        parts.push(part(
            "saddle",
            Shape::Box([1.4, 1.6, 0.4]),
            [x, CASING_TOP + 0.8, z],
            Tone::Dark,
        ));
    }
    for z in [-(CASING_WIDTH / 2.0 + 0.5), CASING_WIDTH / 2.0 + 0.5] {
        parts.push(pipe("downcomer", [x, 1.5, z], [x, y, z], 0.22));
    }
    parts.push(part(
        "safety-valves",
        Shape::Cyl(Axis::Y, 0.18, 1.2),
        add([x, y + radius + 0.5, 0.0], [0.0, 0.0, 1.5]),
        Tone::Mid,
    ));
    parts
}
