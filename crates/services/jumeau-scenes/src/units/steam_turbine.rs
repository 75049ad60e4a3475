//! Reheat steam turbine on its table-top deck: HP and IP casings, crossover pipes to the
//! double-flow LP casing, generator east, axial-flow condenser below the LP under the deck.
//! Origin: the foot of the deck, at the LP casing's centre.

use super::{pump, transformer, valve};
use crate::geometry::{Axis, Shape};
use crate::model::{Part, Tone, UnitModel, part, pipe_route};

const SHAFT: f32 = 11.5;
const DECK_TOP: f32 = 9.0;

pub fn build(_side: f32) -> UnitModel {
    let mut u = UnitModel::default();
    let mut deck = vec![
        part(
            "deck",
            Shape::Box([42.0, 1.2, 13.0]),
            [-2.0, DECK_TOP - 0.6, 0.0],
            Tone::Concrete,
        ),
        part(
            "foundation",
            Shape::Box([44.0, 0.6, 15.0]),
            [-2.0, 0.3, 0.0],
            Tone::Concrete,
        ),
    ];
    for x in [-20.0, -12.0, 10.0, 18.0] {
        for z in [-5.5, 5.5] {
            deck.push(part(
                "deck-column",
                Shape::Box([1.6, DECK_TOP - 1.2, 1.6]),
                [x, (DECK_TOP - 1.2) / 2.0 + 0.6, z],
                Tone::Concrete,
            ));
        }
    }
    u.piece("MAA00", deck);
    u.piece(
        "MAA10",
        vec![
            part(
                "casing",
                Shape::Cone(Axis::X, 2.0, 2.6, 6.0),
                [-13.0, SHAFT, 0.0],
                Tone::Light,
            ),
            part(
                "flange",
                Shape::Box([6.0, 0.3, 5.6]),
                [-13.0, SHAFT, 0.0],
                Tone::Steel,
            ),
        ],
    );
    u.piece(
        "MAB10",
        vec![
            part(
                "casing",
                Shape::Cone(Axis::X, 2.7, 3.3, 6.0),
                [-6.5, SHAFT, 0.0],
                Tone::Light,
            ),
            part(
                "flange",
                Shape::Box([6.0, 0.3, 6.8]),
                [-6.5, SHAFT, 0.0],
                Tone::Steel,
            ),
        ],
    );
    let mut lp = vec![
        part(
            "outer-casing",
            Shape::Box([10.0, 5.0, 10.0]),
            [2.0, DECK_TOP + 2.5, 0.0],
            Tone::Light,
        ),
        part(
            "hood",
            Shape::Cyl(Axis::X, 4.6, 9.6),
            [2.0, DECK_TOP + 5.0, 0.0],
            Tone::Light,
        ),
    ];
    for z in [-1.8, 1.8] {
        lp.extend(pipe_route(
            "crossover",
            &[
                [-5.0, SHAFT + 3.0, z],
                [-5.0, 20.5, z],
                [2.0, 20.5, z],
                [2.0, 18.0, z],
            ],
            0.8,
        ));
    }
    u.piece("MAC10", lp);
    u.piece("MAD11", bearing(-9.7, 1.3));
    u.piece("MAD12", bearing(7.6, 1.3));
    u.piece(
        "MKA10",
        vec![
            part(
                "stator",
                Shape::Cyl(Axis::X, 3.0, 11.0),
                [14.5, SHAFT + 0.5, 0.0],
                Tone::Light,
            ),
            part(
                "end-shield",
                Shape::Cyl(Axis::X, 2.4, 0.6),
                [20.3, SHAFT + 0.5, 0.0],
                Tone::Mid,
            ),
            part(
                "terminal-box",
                Shape::Box([3.0, 1.6, 2.4]),
                [14.5, DECK_TOP + 0.8, -4.2],
                Tone::Mid,
            ),
        ],
    );
    u.piece(
        "MAG10",
        vec![
            part(
                "shell",
                Shape::Box([12.0, 6.6, 11.0]),
                [2.0, 4.4, 0.0],
                Tone::Mid,
            ),
            part(
                "neck",
                Shape::Box([9.0, 1.0, 8.0]),
                [2.0, 8.2, 0.0],
                Tone::Mid,
            ),
            part(
                "water-box-in",
                Shape::Cyl(Axis::X, 2.2, 1.6),
                [-4.8, 4.0, 0.0],
                Tone::Steel,
            ),
            part(
                "water-box-out",
                Shape::Cyl(Axis::X, 2.2, 1.6),
                [8.8, 4.0, 0.0],
                Tone::Steel,
            ),
            part(
                "hotwell",
                Shape::Box([8.0, 1.0, 6.0]),
                [2.0, 0.6, 0.0],
                Tone::Dark,
            ),
        ],
    );
    u.piece(
        "MAW10",
        vec![
            part(
                "condenser",
                Shape::Box([3.0, 2.0, 2.0]),
                [-11.0, 1.6, 8.5],
                Tone::Mid,
            ),
            part(
                "header",
                Shape::Cyl(Axis::X, 0.15, 14.0),
                [-6.0, DECK_TOP + 0.3, 5.0],
                Tone::Steel,
            ),
        ],
    );
    u.piece(
        "MAV10",
        vec![
            part(
                "tank",
                Shape::Box([7.0, 3.0, 4.5]),
                [0.0, 1.5, -11.0],
                Tone::Mid,
            ),
            part(
                "coolers",
                Shape::Cyl(Axis::X, 0.55, 4.0),
                [0.0, 3.6, -12.6],
                Tone::Steel,
            ),
        ],
    );
    u.piece("MAJ10AN001", pump([10.0, 0.0, 9.5]));
    u.piece("MAA10AA001", valve([-17.5, SHAFT + 1.0, -3.5], Axis::X));
    u.piece("MAA10AA101", valve([-17.5, SHAFT + 1.0, 3.5], Axis::X));
    u.piece("BAT10", transformer([16.0, 0.0, -16.0], -1.0));
    u
}

fn bearing(x: f32, radius: f32) -> Vec<Part> {
    vec![part(
        "housing",
        Shape::Cyl(Axis::X, radius, 1.0),
        [x, SHAFT, 0.0],
        Tone::Steel,
    )]
}
