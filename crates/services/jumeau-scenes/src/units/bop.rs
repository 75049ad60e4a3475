//! Balance of plant, in plant coordinates: the deaerator on its bay, the three steam headers
//! with their runs from both HRSGs to the steam turbine on the pipe racks, the condensate,
//! circulating-water and closed-cooling pumps.

use super::{column, pump, vertical_pump};
use crate::geometry::{Axis, Shape};
use crate::model::{Part, Tone, UnitModel, part, pipe_route};

/// z of the pipe racks between the trains (the HRSG casings span |z| 18–30).
const RACK_Z: f32 = 15.0;

pub fn build() -> UnitModel {
    let mut u = UnitModel::default();
    u.piece(
        "LAA10BB001",
        vec![
            part(
                "storage-tank",
                Shape::Cyl(Axis::X, 2.2, 16.0),
                [25.0, 22.0, 0.0],
                Tone::Light,
            ),
            part(
                "head-east",
                Shape::Cone(Axis::X, 2.2, 1.2, 0.6),
                [33.3, 22.0, 0.0],
                Tone::Light,
            ),
            part(
                "head-west",
                Shape::Cone(Axis::X, 1.2, 2.2, 0.6),
                [16.7, 22.0, 0.0],
                Tone::Light,
            ),
            part(
                "deaerating-dome",
                Shape::Cyl(Axis::Y, 1.2, 3.2),
                [21.0, 25.2, 0.0],
                Tone::Light,
            ),
            part(
                "downcomer",
                Shape::Cyl(Axis::Y, 0.35, 10.0),
                [28.0, 14.8, 0.0],
                Tone::Steel,
            ),
        ],
    );
    // Headers: HP live steam (from the HP stop valves to the ST's HP valves), hot reheat
    // (reheater outlets to the IP casing), cold reheat (HP exhaust back to the reheaters).
    u.piece(
        "LBA10",
        header(-17.8, 30.0, 12.0, &[[36.0, 30.0, 0.0], [36.0, 12.5, 0.0]]),
    );
    u.piece(
        "LBB10",
        header(-23.6, 28.0, 15.0, &[[47.5, 28.0, 0.0], [47.5, 14.5, 0.0]]),
    );
    u.piece(
        "LBC10",
        header(-21.5, 26.0, 18.0, &[[40.5, 26.0, 0.0], [40.5, 14.0, 0.0]]),
    );
    u.piece("LCB10AP001", pump([60.0, 0.0, 10.5]));
    u.piece("LCB10AP002", pump([55.0, 0.0, 10.5]));
    u.piece("PAC10AP001", vertical_pump([92.0, 0.0, -5.0]));
    u.piece("PAC10AP002", vertical_pump([92.0, 0.0, 5.0]));
    u.piece("PGB10AP001", pump([84.0, 0.0, 12.0]));
    u.piece("PGB10AP002", pump([88.0, 0.0, 12.0]));

    let mut bay = vec![part(
        "platform",
        Shape::Box([17.0, 0.4, 7.0]),
        [25.0, 19.6, 0.0],
        Tone::Dark,
    )];
    for x in [17.5, 25.0, 32.5] {
        for z in [-3.2, 3.2] {
            bay.push(column("column", x, z, 19.4));
        }
    }
    u.structure("deaerator-bay", "steel bay carrying the deaerator", bay);
    for z in [-RACK_Z, RACK_Z] {
        u.structure(
            "pipe-rack",
            "pipe rack from the HRSG to the headers",
            rack_along_x(z),
        );
    }
    u.structure("pipe-rack", "pipe rack under the headers", rack_along_z());
    let mut cw = pipe_route(
        "circulating-water",
        &[[93.4, 1.6, -5.0], [93.4, 1.6, 5.0]],
        0.7,
    );
    cw.extend(pipe_route(
        "circulating-water",
        &[[93.4, 1.6, 0.0], [64.8, 1.6, 0.0], [64.8, 4.0, 0.0]],
        0.8,
    ));
    u.structure(
        "circulating-water",
        "circulating-water pipe from the pumps to the condenser",
        cw,
    );
    u
}

/// A header across the block at `x`, its runs from both HRSGs along the racks, and the run to
/// the steam turbine (`to_st`, starting from the header's midpoint).
fn header(hrsg_x: f32, y: f32, x: f32, to_st: &[[f32; 3]]) -> Vec<Part> {
    let mut parts = Vec::new();
    for side in [-1.0f32, 1.0] {
        let z = side * RACK_Z;
        let nozzle_z = side * 19.5;
        parts.extend(pipe_route(
            "from-hrsg",
            &[
                [hrsg_x, 24.0, nozzle_z],
                [hrsg_x, y, nozzle_z],
                [hrsg_x, y, z],
                [x, y, z],
            ],
            0.4,
        ));
    }
    parts.extend(pipe_route(
        "header",
        &[[x, y, -RACK_Z], [x, y, RACK_Z]],
        0.5,
    ));
    let mut run = vec![[x, y, 0.0]];
    run.extend_from_slice(to_st);
    parts.extend(pipe_route("to-steam-turbine", &run, 0.45));
    parts
}

fn rack_along_x(z: f32) -> Vec<Part> {
    let mut parts = Vec::new();
    for x in [-22.0, -14.0, -6.0, 2.0, 10.0] {
        parts.push(column("column", x, z - 1.6, 25.0));
        parts.push(column("column", x, z + 1.6, 25.0));
        parts.push(part(
            "beam",
            Shape::Box([0.4, 0.4, 3.6]),
            [x, 25.0, z],
            Tone::Dark,
        ));
    }
    parts.push(part(
        "stringer",
        Shape::Box([32.4, 0.3, 0.3]),
        [-6.0, 25.0, z - 1.6],
        Tone::Dark,
    ));
    parts.push(part(
        "stringer",
        Shape::Box([32.4, 0.3, 0.3]),
        [-6.0, 25.0, z + 1.6],
        Tone::Dark,
    ));
    parts
}

fn rack_along_z() -> Vec<Part> {
    let mut parts = Vec::new();
    for z in [-12.0, -4.0, 4.0, 12.0] {
        parts.push(column("column", 11.0, z, 25.0));
        parts.push(column("column", 19.0, z, 25.0));
        parts.push(part(
            "beam",
            Shape::Box([8.4, 0.4, 0.4]),
            [15.0, 25.0, z],
            Tone::Dark,
        ));
    }
    parts
}
