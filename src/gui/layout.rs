//! Procedural placement of every component: a few primitive shapes each, laid out like a real
//! 2×1 block seen from above (x east along the gas path, z north–south between the two trains,
//! y up, metres). Issue-level stand-in until the glTF scenes replace it.

use bevy::math::Vec3;
use jumeau_core::Component;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Box(Vec3),
    /// Cylinder along the given axis: radius, length.
    CylX(f32, f32),
    CylY(f32, f32),
    CylZ(f32, f32),
    /// Truncated cone along x: radius at −x, radius at +x, length.
    ConeX(f32, f32, f32),
}

impl Shape {
    pub fn half_extents(self) -> Vec3 {
        match self {
            Shape::Box(s) => s / 2.0,
            Shape::CylX(r, l) => Vec3::new(l / 2.0, r, r),
            Shape::CylY(r, l) => Vec3::new(r, l / 2.0, r),
            Shape::CylZ(r, l) => Vec3::new(r, r, l / 2.0),
            Shape::ConeX(a, b, l) => Vec3::new(l / 2.0, a.max(b), a.max(b)),
        }
    }
}

/// ISA-101 grey tones: colour is reserved for abnormal states and selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Light,
    Mid,
    Dark,
    Steel,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Part {
    pub shape: Shape,
    pub at: Vec3,
    pub tone: Tone,
}

fn part(shape: Shape, at: Vec3, tone: Tone) -> Part {
    Part { shape, at, tone }
}

fn v(x: f32, y: f32, z: f32) -> Vec3 {
    Vec3::new(x, y, z)
}

/// Train 1 lies south (z < 0), train 2 north; `out` points away from the block's centre line.
struct Train {
    z: f32,
    out: f32,
}

fn train_of(code: &str) -> Option<Train> {
    match &code[..2] {
        "11" => Some(Train {
            z: -24.0,
            out: -1.0,
        }),
        "12" => Some(Train { z: 24.0, out: 1.0 }),
        _ => None,
    }
}

/// The shapes of one component, or `None` for a component this layout does not know.
pub fn parts(c: &Component) -> Option<Vec<Part>> {
    use Shape::*;
    use Tone::*;
    let key = &c.code[2..];
    if let Some(t) = train_of(&c.code) {
        let (z, o) = (t.z, t.out);
        let p = match key {
            // Gas turbine (cold-end drive: generator west of the compressor).
            "MBA00" => vec![part(Box(v(44.0, 1.0, 9.0)), v(-66.0, 0.5, z), Dark)],
            "MBL10" => vec![
                part(Box(v(12.0, 10.0, 14.0)), v(-72.0, 17.0, z), Light),
                part(Box(v(5.0, 10.0, 5.0)), v(-68.0, 8.0, z), Mid),
            ],
            "MBA10" => vec![part(ConeX(3.0, 2.4, 12.0), v(-60.0, 4.5, z), Light)],
            "MBM10" => vec![
                part(CylY(1.8, 9.0), v(-52.0, 8.0, z - 4.0), Mid),
                part(CylY(1.8, 9.0), v(-52.0, 8.0, z + 4.0), Mid),
            ],
            "MBA20" => vec![part(ConeX(2.6, 3.2, 6.0), v(-47.0, 4.5, z), Light)],
            "MBR10" => vec![part(ConeX(3.4, 4.8, 9.0), v(-39.5, 4.5, z), Mid)],
            "MBD11" => vec![part(CylX(1.6, 1.2), v(-66.8, 4.5, z), Steel)],
            "MBD12" => vec![part(CylX(1.6, 1.2), v(-43.6, 4.5, z), Steel)],
            "MKA10" => vec![
                part(CylX(3.0, 11.0), v(-84.0, 4.5, z), Light),
                part(Box(v(12.0, 1.5, 7.0)), v(-84.0, 0.75, z), Dark),
            ],
            "MBP10" => vec![part(
                Box(v(6.0, 3.0, 4.0)),
                v(-54.0, 1.5, z + 11.0 * o),
                Mid,
            )],
            "MBP10AA101" => vec![part(
                Box(v(1.2, 1.6, 1.2)),
                v(-52.0, 3.8, z + 9.0 * o),
                Steel,
            )],
            "MBV10" => vec![part(
                Box(v(7.0, 3.0, 4.5)),
                v(-70.0, 1.5, z + 11.0 * o),
                Mid,
            )],
            "MBV10AP001" => vec![part(CylY(0.7, 2.0), v(-67.5, 4.0, z + 11.0 * o), Steel)],
            "BAT10" => vec![
                part(Box(v(8.0, 7.0, 6.0)), v(-86.0, 3.5, z + 16.0 * o), Mid),
                part(Box(v(9.0, 4.0, 1.0)), v(-86.0, 4.0, z + 12.6 * o), Dark),
            ],
            // HRSG: casing sections along the gas path, drums on top, stack at the end.
            "HAD00" => vec![part(Box(v(38.0, 1.0, 16.0)), v(-16.0, 0.5, z), Dark)],
            "HNA10" => vec![part(ConeX(5.0, 9.0, 8.0), v(-31.0, 9.0, z), Mid)],
            "HNA20" => vec![
                part(Box(v(2.5, 12.0, 12.0)), v(-35.5, 6.0, z), Steel),
                part(CylY(2.6, 16.0), v(-35.5, 20.0, z), Mid),
            ],
            "HAH50" => section(-25.8, 3.0, z, Light),
            "HAJ30" => section(-22.6, 2.6, z, Mid),
            "HAD50" => section(-19.3, 3.6, z, Light),
            "HAC50" => section(-16.1, 2.4, z, Mid),
            "HAD30" => section(-13.6, 2.4, z, Light),
            "HAD10" => section(-11.1, 2.4, z, Mid),
            "HAC10" => section(-8.6, 2.4, z, Light),
            "HAD50BB001" => vec![part(CylZ(1.0, 11.0), v(-19.3, 25.6, z), Steel)],
            "HAD30BB001" => vec![part(CylZ(0.8, 9.0), v(-13.6, 25.4, z), Steel)],
            "HAD10BB001" => vec![part(CylZ(1.1, 10.0), v(-10.4, 25.7, z), Steel)],
            "HNE10" => vec![
                part(Box(v(5.0, 22.0, 10.0)), v(-4.9, 12.0, z), Mid),
                part(CylY(2.8, 48.0), v(-1.0, 24.0, z), Light),
            ],
            "LAC10AP001" => pump_at(v(-14.0, 0.0, z + 11.0 * o)),
            "LAC10AP002" => pump_at(v(-9.5, 0.0, z + 11.0 * o)),
            "LAB50AA101" => valve_at(v(-16.5, 3.0, z + 9.0 * o)),
            "LBA10AA001" => valve_at(v(-19.3, 27.6, z - 6.0 * o)),
            "LAE10AA101" => valve_at(v(-25.8, 24.0, z - 6.0 * o)),
            "MAN10AA101" => valve_at(v(-3.0, 27.0, z - 7.0 * o)),
            "MAN20AA101" => valve_at(v(-3.0, 24.0, z - 7.0 * o)),
            "MAN30AA101" => valve_at(v(-3.0, 21.0, z - 7.0 * o)),
            _ => return None,
        };
        return Some(p);
    }
    let p = match c.code.as_str() {
        // Steam turbine on its deck, condenser below the LP casing.
        "10MAA00" => {
            let mut deck = vec![part(Box(v(40.0, 1.2, 13.0)), v(56.0, 8.4, 0.0), Dark)];
            for (x, z) in [
                (38.0, -5.5),
                (38.0, 5.5),
                (74.0, -5.5),
                (74.0, 5.5),
                (48.0, -5.5),
                (48.0, 5.5),
            ] {
                deck.push(part(Box(v(1.5, 7.8, 1.5)), v(x, 3.9, z), Dark));
            }
            deck
        }
        "10MAA10" => vec![part(ConeX(2.2, 2.8, 6.0), v(43.0, 11.5, 0.0), Light)],
        "10MAB10" => vec![part(ConeX(2.8, 3.4, 6.0), v(49.5, 11.5, 0.0), Light)],
        "10MAC10" => vec![
            part(Box(v(10.0, 7.0, 10.0)), v(58.0, 12.5, 0.0), Light),
            part(CylX(0.8, 10.0), v(51.0, 16.5, 2.0), Steel),
        ],
        "10MAD11" => vec![part(CylX(1.3, 1.0), v(46.3, 11.5, 0.0), Steel)],
        "10MAD12" => vec![part(CylX(1.3, 1.0), v(63.6, 11.5, 0.0), Steel)],
        "10MKA10" => vec![part(CylX(3.0, 11.0), v(70.5, 12.0, 0.0), Light)],
        "10MAG10" => vec![part(Box(v(12.0, 7.6, 11.0)), v(58.0, 3.8, 0.0), Mid)],
        "10MAW10" => vec![part(Box(v(3.0, 2.0, 2.0)), v(45.0, 10.0, 7.5), Mid)],
        "10MAV10" => vec![part(Box(v(7.0, 3.0, 4.5)), v(56.0, 1.5, -11.0), Mid)],
        "10MAJ10AN001" => pump_at(v(66.0, 0.0, 9.0)),
        "10MAA10AA001" => valve_at(v(38.5, 12.0, -3.5)),
        "10MAA10AA101" => valve_at(v(38.5, 12.0, 3.5)),
        "10BAT10" => vec![
            part(Box(v(8.0, 7.0, 6.0)), v(72.0, 3.5, -16.0), Mid),
            part(Box(v(9.0, 4.0, 1.0)), v(72.0, 4.0, -12.6), Dark),
        ],
        // Balance of plant.
        "10LCB10AP001" => pump_at(v(60.0, 0.0, 10.5)),
        "10LCB10AP002" => pump_at(v(55.0, 0.0, 10.5)),
        "10PAC10AP001" => big_pump_at(v(92.0, 0.0, -5.0)),
        "10PAC10AP002" => big_pump_at(v(92.0, 0.0, 5.0)),
        "10PGB10AP001" => pump_at(v(84.0, 0.0, 12.0)),
        "10PGB10AP002" => pump_at(v(88.0, 0.0, 12.0)),
        "10LAA10BB001" => vec![
            part(CylX(2.2, 16.0), v(25.0, 22.0, 0.0), Light),
            part(CylY(1.2, 3.0), v(21.0, 24.5, 0.0), Light),
            part(Box(v(16.0, 20.0, 1.0)), v(25.0, 10.0, 0.0), Dark),
        ],
        "10LBA10" => header_at(12.0, 30.0),
        "10LBB10" => header_at(15.0, 28.0),
        "10LBC10" => header_at(18.0, 26.0),
        _ => return None,
    };
    Some(p)
}

/// One heat-exchanger section of the HRSG casing.
fn section(x: f32, width: f32, z: f32, tone: Tone) -> Vec<Part> {
    vec![part(
        Shape::Box(v(width - 0.15, 22.0, 12.0)),
        v(x, 12.0, z),
        tone,
    )]
}

fn pump_at(at: Vec3) -> Vec<Part> {
    vec![
        part(
            Shape::Box(v(3.2, 0.6, 1.4)),
            at + v(0.0, 0.3, 0.0),
            Tone::Dark,
        ),
        part(Shape::CylX(0.55, 1.6), at + v(-0.7, 1.2, 0.0), Tone::Light),
        part(Shape::CylX(0.45, 1.2), at + v(0.9, 1.2, 0.0), Tone::Steel),
    ]
}

fn big_pump_at(at: Vec3) -> Vec<Part> {
    vec![
        part(Shape::CylY(1.0, 5.0), at + v(0.0, 2.5, 0.0), Tone::Light),
        part(Shape::CylY(1.4, 2.5), at + v(0.0, 6.2, 0.0), Tone::Steel),
    ]
}

fn valve_at(at: Vec3) -> Vec<Part> {
    vec![
        part(Shape::Box(v(1.0, 1.0, 1.0)), at, Tone::Steel),
        part(Shape::CylY(0.12, 1.2), at + v(0.0, 1.0, 0.0), Tone::Mid),
        part(Shape::CylY(0.5, 0.1), at + v(0.0, 1.6, 0.0), Tone::Steel),
    ]
}

/// A steam header on the pipe rack between the HRSGs and the steam turbine.
fn header_at(x: f32, y: f32) -> Vec<Part> {
    vec![
        part(Shape::CylZ(0.45, 48.0), v(x, y, 0.0), Tone::Steel),
        part(
            Shape::CylX(0.45, 30.0 - x),
            v(x + (30.0 - x) / 2.0 + 8.0, y, 0.0),
            Tone::Steel,
        ),
    ]
}

/// Axis-aligned bounds of a set of parts.
pub fn bounds(parts: &[Part]) -> Option<(Vec3, Vec3)> {
    parts.iter().fold(None, |acc, p| {
        let (lo, hi) = (p.at - p.shape.half_extents(), p.at + p.shape.half_extents());
        Some(match acc {
            None => (lo, hi),
            Some((a, b)) => (a.min(lo), b.max(hi)),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_component_has_geometry() {
        let md = jumeau_core::seed::plant();
        let missing: Vec<&str> = md
            .components
            .iter()
            .filter(|c| parts(c).is_none())
            .map(|c| c.code.as_str())
            .collect();
        assert!(missing.is_empty(), "no layout for {missing:?}");
    }

    #[test]
    fn trains_are_mirrored_and_apart() {
        let md = jumeau_core::seed::plant();
        let b = |code| bounds(&parts(md.component(code).unwrap()).unwrap()).unwrap();
        let (tg1, tg2) = (b("11MBA10"), b("12MBA10"));
        assert!(tg1.1.z < tg2.0.z, "TG1 south of TG2");
        assert_eq!(tg1.0.x, tg2.0.x);
        let stack = b("11HNE10");
        assert!(stack.1.y > 40.0, "stack is the tallest structure");
    }
}
