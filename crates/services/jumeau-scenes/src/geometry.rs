//! Primitive shapes and their triangle meshes (y up, metres, centred on the origin). Vertices are
//! rounded to 0.1 mm so that the generated files do not depend on the last bit of `sin`/`cos`.

use std::f32::consts::TAU;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    X,
    Y,
    Z,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// Box of the given size (x, y, z).
    Box([f32; 3]),
    /// Closed cylinder: axis, radius, length.
    Cyl(Axis, f32, f32),
    /// Truncated cone: axis, radius at the negative end, radius at the positive end, length.
    Cone(Axis, f32, f32, f32),
    /// Rectangular duct tapering along x: length, (height, width) at −x, (height, width) at +x.
    Taper(f32, [f32; 2], [f32; 2]),
}

impl Shape {
    /// Half extents of the shape's axis-aligned bounds.
    pub fn half_extents(self) -> [f32; 3] {
        match self {
            Shape::Box([x, y, z]) => [x / 2.0, y / 2.0, z / 2.0],
            Shape::Cyl(axis, r, l) => along(axis, l / 2.0, r),
            Shape::Cone(axis, a, b, l) => along(axis, l / 2.0, a.max(b)),
            Shape::Taper(l, [h0, w0], [h1, w1]) => [l / 2.0, h0.max(h1) / 2.0, w0.max(w1) / 2.0],
        }
    }

    pub fn mesh(self) -> MeshData {
        let mut m = MeshData::default();
        match self {
            Shape::Box([x, y, z]) => m.taper(x, [y, z], [y, z]),
            Shape::Taper(l, from, to) => m.taper(l, from, to),
            Shape::Cyl(axis, r, l) => m.frustum(axis, r, r, l),
            Shape::Cone(axis, a, b, l) => m.frustum(axis, a, b, l),
        }
        m.round();
        m
    }
}

fn along(axis: Axis, half_len: f32, r: f32) -> [f32; 3] {
    match axis {
        Axis::X => [half_len, r, r],
        Axis::Y => [r, half_len, r],
        Axis::Z => [r, r, half_len],
    }
}

/// An indexed triangle list with per-vertex normals.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MeshData {
    pub positions: Vec<[f32; 3]>,
    pub normals: Vec<[f32; 3]>,
    pub indices: Vec<u16>,
}

impl MeshData {
    pub fn bounds(&self) -> ([f32; 3], [f32; 3]) {
        let mut lo = [f32::MAX; 3];
        let mut hi = [f32::MIN; 3];
        for p in &self.positions {
            for i in 0..3 {
                lo[i] = lo[i].min(p[i]);
                hi[i] = hi[i].max(p[i]);
            }
        }
        (lo, hi)
    }

    fn vertex(&mut self, p: [f32; 3], n: [f32; 3]) -> u16 {
        self.positions.push(p);
        self.normals.push(n);
        u16::try_from(self.positions.len() - 1).expect("a primitive mesh has < 65,536 vertices")
    }

    /// A flat quad, corners counter-clockwise seen from outside.
    fn quad(&mut self, corners: [[f32; 3]; 4]) {
        let n = normal_of(corners[0], corners[1], corners[2]);
        let i: Vec<u16> = corners.iter().map(|&c| self.vertex(c, n)).collect();
        self.indices
            .extend_from_slice(&[i[0], i[1], i[2], i[0], i[2], i[3]]);
    }

    /// A box whose ±x faces may differ in size (a box when they do not).
    fn taper(&mut self, len: f32, [h0, w0]: [f32; 2], [h1, w1]: [f32; 2]) {
        let (x0, x1) = (-len / 2.0, len / 2.0);
        let c = |x: f32, h: f32, w: f32, sy: f32, sz: f32| [x, sy * h / 2.0, sz * w / 2.0];
        let at0 = |sy, sz| c(x0, h0, w0, sy, sz);
        let at1 = |sy, sz| c(x1, h1, w1, sy, sz);
        // −x and +x ends.
        self.quad([at0(-1., -1.), at0(-1., 1.), at0(1., 1.), at0(1., -1.)]);
        self.quad([at1(-1., -1.), at1(1., -1.), at1(1., 1.), at1(-1., 1.)]);
        // Bottom, top, −z, +z.
        self.quad([at0(-1., -1.), at1(-1., -1.), at1(-1., 1.), at0(-1., 1.)]);
        self.quad([at0(1., -1.), at0(1., 1.), at1(1., 1.), at1(1., -1.)]);
        self.quad([at0(-1., -1.), at0(1., -1.), at1(1., -1.), at1(-1., -1.)]);
        self.quad([at0(-1., 1.), at1(-1., 1.), at1(1., 1.), at0(1., 1.)]);
    }

    /// A closed truncated cone along `axis` (a cylinder when `r0 == r1`).
    fn frustum(&mut self, axis: Axis, r0: f32, r1: f32, len: f32) {
        let segments = segments_for(r0.max(r1));
        let h = len / 2.0;
        // Built along y, then the axes are permuted so that y becomes `axis`.
        let slope = (r0 - r1) / len;
        let ring = |k: usize| {
            let a = TAU * k as f32 / segments as f32;
            (a.cos(), a.sin())
        };
        let mut side = Vec::with_capacity(2 * (segments + 1));
        for k in 0..=segments {
            let (c, s) = ring(k % segments);
            let n = normalize([c, slope, s]);
            side.push(self.vertex([r0 * c, -h, r0 * s], n));
            side.push(self.vertex([r1 * c, h, r1 * s], n));
        }
        for k in 0..segments {
            let (b0, t0, b1, t1) = (
                side[2 * k],
                side[2 * k + 1],
                side[2 * k + 2],
                side[2 * k + 3],
            );
            self.indices.extend_from_slice(&[b0, t0, t1, b0, t1, b1]);
        }
        for (y, r, ny) in [(-h, r0, -1.0), (h, r1, 1.0)] {
            if r <= 0.0 {
                continue;
            }
            let centre = self.vertex([0.0, y, 0.0], [0.0, ny, 0.0]);
            let rim: Vec<u16> = (0..segments)
                .map(|k| {
                    let (c, s) = ring(k);
                    self.vertex([r * c, y, r * s], [0.0, ny, 0.0])
                })
                .collect();
            for k in 0..segments {
                let (a, b) = (rim[k], rim[(k + 1) % segments]);
                if ny > 0.0 {
                    self.indices.extend_from_slice(&[centre, b, a]);
                } else {
                    self.indices.extend_from_slice(&[centre, a, b]);
                }
            }
        }
        let permute = |[x, y, z]: [f32; 3]| match axis {
            Axis::Y => [x, y, z],
            // y → x: (x, y, z) ↦ (y, −x, z) is a rotation (keeps the winding).
            Axis::X => [y, -x, z],
            // y → z: (x, y, z) ↦ (x, −z, y).
            Axis::Z => [x, -z, y],
        };
        for p in &mut self.positions {
            *p = permute(*p);
        }
        for n in &mut self.normals {
            *n = permute(*n);
        }
    }

    fn round(&mut self) {
        for p in &mut self.positions {
            *p = p.map(|v| round_to(v, 1e4));
        }
        for n in &mut self.normals {
            *n = normalize(n.map(|v| round_to(v, 1e5)));
        }
    }
}

fn round_to(v: f32, scale: f32) -> f32 {
    let r = (v * scale).round() / scale;
    if r == 0.0 { 0.0 } else { r }
}

/// Enough facets that a large casing reads round and a small pipe stays cheap.
fn segments_for(radius: f32) -> usize {
    match radius {
        r if r >= 1.5 => 32,
        r if r >= 0.4 => 20,
        _ => 12,
    }
}

fn normal_of(a: [f32; 3], b: [f32; 3], c: [f32; 3]) -> [f32; 3] {
    let u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    normalize([
        u[1] * v[2] - u[2] * v[1],
        u[2] * v[0] - u[0] * v[2],
        u[0] * v[1] - u[1] * v[0],
    ])
}

pub fn normalize(v: [f32; 3]) -> [f32; 3] {
    let len = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    if len == 0.0 { v } else { v.map(|c| c / len) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every triangle's winding agrees with its vertices' normals (outward faces).
    fn outward(m: &MeshData) -> bool {
        m.indices.chunks(3).all(|t| {
            let [a, b, c] = [0, 1, 2].map(|i| m.positions[t[i] as usize]);
            let n = normal_of(a, b, c);
            let vn = m.normals[t[0] as usize];
            n[0] * vn[0] + n[1] * vn[1] + n[2] * vn[2] > 0.0
        })
    }

    #[test]
    fn boxes_and_cylinders_have_the_size_asked_and_face_outwards() {
        let b = Shape::Box([2.0, 4.0, 6.0]).mesh();
        assert_eq!(b.bounds(), ([-1.0, -2.0, -3.0], [1.0, 2.0, 3.0]));
        assert!(outward(&b));
        for axis in [Axis::X, Axis::Y, Axis::Z] {
            let c = Shape::Cyl(axis, 1.0, 10.0).mesh();
            let (lo, hi) = c.bounds();
            let half = Shape::Cyl(axis, 1.0, 10.0).half_extents();
            for i in 0..3 {
                assert!((hi[i] - half[i]).abs() < 1e-3, "{axis:?} {hi:?}");
                assert!((lo[i] + half[i]).abs() < 1e-3, "{axis:?} {lo:?}");
            }
            assert!(outward(&c), "{axis:?}");
        }
        assert!(outward(&Shape::Cone(Axis::X, 2.0, 3.0, 4.0).mesh()));
        assert!(outward(&Shape::Taper(5.0, [2.0, 2.0], [8.0, 6.0]).mesh()));
    }

    #[test]
    fn a_cone_is_wider_at_its_positive_end() {
        let m = Shape::Cone(Axis::X, 1.0, 3.0, 4.0).mesh();
        let y_at = |x: f32| {
            m.positions
                .iter()
                .filter(|p| (p[0] - x).abs() < 1e-3)
                .map(|p| p[1])
                .fold(0.0f32, f32::max)
        };
        assert!((y_at(-2.0) - 1.0).abs() < 1e-3);
        assert!((y_at(2.0) - 3.0).abs() < 1e-3);
    }
}
