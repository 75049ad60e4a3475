//! Writes one unit as binary glTF 2.0: component nodes named by their code (identity in the
//! extras) nested as in master data, one mesh node per part below them, structures at the root.
//! Identical shapes share one mesh; the output depends only on the inputs (no clock, no maps
//! with random order), so regenerating gives the same bytes.

use crate::geometry::{MeshData, Shape};
use crate::model::{Part, Tone, UnitModel};
use gltf::json;
use json::validation::Checked::Valid;
use json::validation::USize64;
use jumeau_core::Component;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The identity a component node carries in its extras.
#[derive(Debug, Serialize)]
struct ComponentExtras<'a> {
    code: &'a str,
    alias: &'a str,
    kind: &'a str,
    unit: &'a str,
    name_fr: &'a str,
    name_en: &'a str,
}

#[derive(Debug, Serialize)]
struct StructureExtras<'a> {
    structure: &'a str,
}

/// A component of the unit and the parts drawn for it.
pub struct Placed<'a> {
    pub component: &'a Component,
    pub parts: &'a [Part],
}

struct Writer {
    root: json::Root,
    bin: Vec<u8>,
    meshes: HashMap<(String, Tone), json::Index<json::Mesh>>,
    materials: BTreeMap<Tone, json::Index<json::Material>>,
}

/// Encodes a unit. `placed` lists the unit's components in code order.
pub fn write(unit: &str, placed: &[Placed], model: &UnitModel) -> Vec<u8> {
    let mut w = Writer {
        root: json::Root {
            asset: json::Asset {
                generator: Some("jumeau scene build".into()),
                version: "2.0".into(),
                ..Default::default()
            },
            ..Default::default()
        },
        bin: Vec::new(),
        meshes: HashMap::new(),
        materials: BTreeMap::new(),
    };
    for tone in Tone::ALL {
        let material = w.material(tone);
        w.materials.insert(tone, material);
    }
    let by_code: HashMap<&str, &Placed> = placed
        .iter()
        .map(|p| (p.component.code.as_str(), p))
        .collect();
    // A component whose parent is drawn in this unit nests under it; the others are roots.
    let mut roots = Vec::new();
    for p in placed {
        let parent_here = p
            .component
            .parent
            .as_deref()
            .is_some_and(|parent| by_code.contains_key(parent));
        if !parent_here {
            roots.push(w.component_node(p, &by_code));
        }
    }
    for s in &model.structures {
        let children = w.part_nodes(&format!("structure/{}", s.name), &s.parts);
        let extras = raw(&StructureExtras { structure: s.what });
        roots.push(w.root.push(json::Node {
            name: Some(format!("structure/{}", s.name)),
            children: Some(children),
            extras: Some(extras),
            ..Default::default()
        }));
    }
    let scene = w.root.push(json::Scene {
        extensions: None,
        extras: Some(raw(&serde_json::json!({ "unit": unit }))),
        name: Some(unit.to_owned()),
        nodes: roots,
    });
    w.root.scene = Some(scene);
    w.finish()
}

fn raw<T: Serialize>(value: &T) -> Box<serde_json::value::RawValue> {
    serde_json::value::to_raw_value(value).expect("extras serialise")
}

fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Quaternion (x, y, z, w) of a rotation about y by `yaw` then about z by `roll` (degrees).
fn rotation(yaw_deg: f32, roll_deg: f32) -> Option<[f32; 4]> {
    if yaw_deg == 0.0 && roll_deg == 0.0 {
        return None;
    }
    let (sy, cy) = (yaw_deg.to_radians() / 2.0).sin_cos();
    let (sr, cr) = (roll_deg.to_radians() / 2.0).sin_cos();
    // q_yaw (0, sy, 0, cy) · q_roll (0, 0, sr, cr)
    let q = [sy * sr, sy * cr, cy * sr, cy * cr];
    Some(q.map(|v| (v * 1e6).round() / 1e6))
}

impl Writer {
    fn material(&mut self, tone: Tone) -> json::Index<json::Material> {
        let [r, g, b] = tone.srgb().map(srgb_to_linear);
        let round = |v: f32| (v * 1e5).round() / 1e5;
        self.root.push(json::Material {
            name: Some(tone.material_name().into()),
            pbr_metallic_roughness: json::material::PbrMetallicRoughness {
                base_color_factor: json::material::PbrBaseColorFactor([
                    round(r),
                    round(g),
                    round(b),
                    1.0,
                ]),
                metallic_factor: json::material::StrengthFactor(0.05),
                roughness_factor: json::material::StrengthFactor(0.75),
                ..Default::default()
            },
            ..Default::default()
        })
    }

    fn component_node(
        &mut self,
        p: &Placed,
        by_code: &HashMap<&str, &Placed>,
    ) -> json::Index<json::Node> {
        let c = p.component;
        let mut children = self.part_nodes(&c.code, p.parts);
        // Children in code order: the output depends neither on a map's order nor on the order
        // master data comes in (the plant files' or the store's).
        let mut kids: Vec<&Placed> = by_code
            .values()
            .copied()
            .filter(|k| k.component.parent.as_deref() == Some(c.code.as_str()))
            .collect();
        kids.sort_by(|a, b| a.component.code.cmp(&b.component.code));
        for kid in kids {
            children.push(self.component_node(kid, by_code));
        }
        let extras = raw(&ComponentExtras {
            code: &c.code,
            alias: &c.alias,
            kind: &c.kind,
            unit: &c.unit,
            name_fr: &c.name_fr,
            name_en: &c.name_en,
        });
        self.root.push(json::Node {
            name: Some(c.code.clone()),
            children: (!children.is_empty()).then_some(children),
            extras: Some(extras),
            ..Default::default()
        })
    }

    /// One node per part, named `OWNER/part` (`-2`, `-3`… for repeated names).
    fn part_nodes(&mut self, owner: &str, parts: &[Part]) -> Vec<json::Index<json::Node>> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        parts
            .iter()
            .map(|part| {
                let n = seen.entry(part.name).or_default();
                *n += 1;
                let name = if *n == 1 {
                    format!("{owner}/{}", part.name)
                } else {
                    format!("{owner}/{}-{n}", part.name)
                };
                let mesh = self.mesh(part.shape, part.tone);
                self.root.push(json::Node {
                    name: Some(name),
                    mesh: Some(mesh),
                    translation: Some(part.at),
                    rotation: rotation(part.yaw_deg, part.roll_deg)
                        .map(json::scene::UnitQuaternion),
                    ..Default::default()
                })
            })
            .collect()
    }

    fn mesh(&mut self, shape: Shape, tone: Tone) -> json::Index<json::Mesh> {
        let key = (format!("{shape:?}"), tone);
        if let Some(&m) = self.meshes.get(&key) {
            return m;
        }
        let data = shape.mesh();
        let primitive = self.primitive(&data, self.materials[&tone]);
        let mesh = self.root.push(json::Mesh {
            extensions: None,
            extras: None,
            name: Some(format!("mesh-{}", self.meshes.len())),
            primitives: vec![primitive],
            weights: None,
        });
        self.meshes.insert(key, mesh);
        mesh
    }

    fn primitive(
        &mut self,
        m: &MeshData,
        material: json::Index<json::Material>,
    ) -> json::mesh::Primitive {
        let (lo, hi) = m.bounds();
        let positions = self.accessor(
            bytes_f32(&m.positions),
            m.positions.len(),
            json::accessor::Type::Vec3,
            json::accessor::ComponentType::F32,
            json::buffer::Target::ArrayBuffer,
            Some((lo.to_vec(), hi.to_vec())),
        );
        let normals = self.accessor(
            bytes_f32(&m.normals),
            m.normals.len(),
            json::accessor::Type::Vec3,
            json::accessor::ComponentType::F32,
            json::buffer::Target::ArrayBuffer,
            None,
        );
        let indices = self.accessor(
            m.indices.iter().flat_map(|i| i.to_le_bytes()).collect(),
            m.indices.len(),
            json::accessor::Type::Scalar,
            json::accessor::ComponentType::U16,
            json::buffer::Target::ElementArrayBuffer,
            None,
        );
        let mut attributes = BTreeMap::new();
        attributes.insert(Valid(json::mesh::Semantic::Positions), positions);
        attributes.insert(Valid(json::mesh::Semantic::Normals), normals);
        json::mesh::Primitive {
            attributes,
            extensions: None,
            extras: None,
            indices: Some(indices),
            material: Some(material),
            mode: Valid(json::mesh::Mode::Triangles),
            targets: None,
        }
    }

    fn accessor(
        &mut self,
        bytes: Vec<u8>,
        count: usize,
        type_: json::accessor::Type,
        component: json::accessor::ComponentType,
        target: json::buffer::Target,
        min_max: Option<(Vec<f32>, Vec<f32>)>,
    ) -> json::Index<json::Accessor> {
        let offset = self.bin.len();
        let length = bytes.len();
        self.bin.extend_from_slice(&bytes);
        while !self.bin.len().is_multiple_of(4) {
            self.bin.push(0);
        }
        let view = self.root.push(json::buffer::View {
            buffer: json::Index::new(0),
            byte_length: USize64::from(length),
            byte_offset: Some(USize64::from(offset)),
            byte_stride: None,
            extensions: None,
            extras: None,
            name: None,
            target: Some(Valid(target)),
        });
        let (min, max) = match min_max {
            Some((lo, hi)) => (Some(json::Value::from(lo)), Some(json::Value::from(hi))),
            None => (None, None),
        };
        self.root.push(json::Accessor {
            buffer_view: Some(view),
            byte_offset: None,
            count: USize64::from(count),
            component_type: Valid(json::accessor::GenericComponentType(component)),
            extensions: None,
            extras: None,
            type_: Valid(type_),
            min,
            max,
            name: None,
            normalized: false,
            sparse: None,
        })
    }

    fn finish(mut self) -> Vec<u8> {
        self.root.buffers.push(json::Buffer {
            byte_length: USize64::from(self.bin.len()),
            extensions: None,
            extras: None,
            name: None,
            uri: None,
        });
        // `Glb` pads the JSON chunk with spaces and the binary chunk with zeros.
        let text = json::serialize::to_string(&self.root).expect("glTF JSON serialises");
        let glb = gltf::binary::Glb {
            header: gltf::binary::Header {
                magic: *b"glTF",
                version: 2,
                length: 0, // computed by `to_vec`
            },
            json: std::borrow::Cow::Owned(text.into_bytes()),
            bin: Some(std::borrow::Cow::Owned(self.bin)),
        };
        glb.to_vec().expect("binary glTF within 4 GiB")
    }
}

fn bytes_f32(v: &[[f32; 3]]) -> Vec<u8> {
    v.iter().flatten().flat_map(|f| f.to_le_bytes()).collect()
}
