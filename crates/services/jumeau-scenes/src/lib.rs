//! The plant's 3D scenes: one binary glTF per unit, generated from `scenes/layout.toml` and the
//! unit builders, every master-data component a node named by its code. `check` compares scene
//! files with master data (components without a node, nodes without a component).

pub mod geometry;
mod glb;
pub mod model;
pub mod units;

use jumeau_core::MasterData;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The committed layout and scenes, embedded so that the client needs no files beside it.
pub const LAYOUT: &str = include_str!("../../../../scenes/layout.toml");
pub const EMBEDDED: [(&str, &[u8]); 6] = [
    ("tg1.glb", include_bytes!("../../../../scenes/tg1.glb")),
    ("tg2.glb", include_bytes!("../../../../scenes/tg2.glb")),
    ("cr1.glb", include_bytes!("../../../../scenes/cr1.glb")),
    ("cr2.glb", include_bytes!("../../../../scenes/cr2.glb")),
    ("tv.glb", include_bytes!("../../../../scenes/tv.glb")),
    ("bop.glb", include_bytes!("../../../../scenes/bop.glb")),
];

#[derive(Debug, thiserror::Error)]
pub enum SceneError {
    #[error("layout: {0}")]
    Layout(String),
    #[error("{unit}: the builder draws {code}, which master data does not have in unit {unit}")]
    UnknownComponent { unit: String, code: String },
    #[error("{unit}: {code} is drawn twice")]
    Duplicate { unit: String, code: String },
    #[error("{file}: not a readable glTF file: {reason}")]
    Unreadable { file: String, reason: String },
}

/// One unit in the layout file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitPlacement {
    pub unit: String,
    pub file: String,
    pub builder: units::Builder,
    pub prefix: String,
    pub origin: [f32; 3],
    pub side: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    #[serde(rename = "unit")]
    pub units: Vec<UnitPlacement>,
}

impl Layout {
    pub fn parse(text: &str) -> Result<Layout, SceneError> {
        let layout: Layout = toml::from_str(text).map_err(|e| SceneError::Layout(e.to_string()))?;
        let mut files = BTreeSet::new();
        for u in &layout.units {
            if !files.insert(&u.file) {
                return Err(SceneError::Layout(format!("{} is listed twice", u.file)));
            }
            if u.side.abs() != 1.0 {
                return Err(SceneError::Layout(format!(
                    "{}: side must be 1 or -1",
                    u.unit
                )));
            }
        }
        Ok(layout)
    }

    /// The layout the client and the committed scenes use.
    pub fn embedded() -> Layout {
        Layout::parse(LAYOUT).expect("the committed layout parses")
    }
}

/// A generated scene file.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneFile {
    pub file: String,
    pub bytes: Vec<u8>,
}

/// Generates every unit's scene. Fails when a builder draws a component master data does not
/// have in that unit; components it does not draw are left to `check`.
pub fn build(layout: &Layout, md: &MasterData) -> Result<Vec<SceneFile>, SceneError> {
    layout
        .units
        .iter()
        .map(|u| {
            build_unit(u, md).map(|bytes| SceneFile {
                file: u.file.clone(),
                bytes,
            })
        })
        .collect()
}

fn build_unit(u: &UnitPlacement, md: &MasterData) -> Result<Vec<u8>, SceneError> {
    let model = units::build(u.builder, u.side);
    let mut drawn: BTreeMap<String, &[model::Part]> = BTreeMap::new();
    for piece in &model.pieces {
        let code = format!("{}{}", u.prefix, piece.key);
        if md.component(&code).is_none_or(|c| c.unit != u.unit) {
            return Err(SceneError::UnknownComponent {
                unit: u.unit.clone(),
                code,
            });
        }
        if drawn.insert(code.clone(), &piece.parts).is_some() {
            return Err(SceneError::Duplicate {
                unit: u.unit.clone(),
                code,
            });
        }
    }
    // In code order (the map's), whatever order master data comes in.
    let placed: Vec<glb::Placed> = drawn
        .iter()
        .filter_map(|(code, parts)| {
            Some(glb::Placed {
                component: md.component(code)?,
                parts,
            })
        })
        .collect();
    Ok(glb::write(&u.unit, &placed, &model))
}

/// A node that carries a component identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityNode {
    pub file: String,
    pub name: String,
    pub code: String,
    pub alias: String,
}

/// Reads the identity nodes of a scene file (nodes whose extras carry a `code`).
pub fn identity_nodes(file: &str, bytes: &[u8]) -> Result<Vec<IdentityNode>, SceneError> {
    let unreadable = |reason: String| SceneError::Unreadable {
        file: file.to_owned(),
        reason,
    };
    check_glb_length(bytes).map_err(unreadable)?;
    let unvalidated =
        gltf::Gltf::from_slice_without_validation(bytes).map_err(|e| unreadable(e.to_string()))?;
    check_primitive_accessors(unvalidated.document.as_json()).map_err(unreadable)?;
    let gltf = gltf::Document::from_json(unvalidated.document.into_json())
        .map_err(|e| unreadable(e.to_string()))?;
    let mut out = Vec::new();
    for node in gltf.nodes() {
        let Some(extras) = node.extras() else {
            continue;
        };
        let value: serde_json::Value =
            serde_json::from_str(extras.get()).map_err(|e| unreadable(e.to_string()))?;
        let Some(code) = value.get("code").and_then(|c| c.as_str()) else {
            continue;
        };
        out.push(IdentityNode {
            file: file.to_owned(),
            name: node.name().unwrap_or_default().to_owned(),
            code: code.to_owned(),
            alias: value
                .get("alias")
                .and_then(|a| a.as_str())
                .unwrap_or_default()
                .to_owned(),
        });
    }
    Ok(out)
}

/// A binary glTF's header states a length of at least its own 12 bytes and at most the file's:
/// gltf 1.4 subtracts the header's size from that field unchecked (found by fuzzing: an
/// overflow panic where overflow checks are on, as in the debug build).
fn check_glb_length(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(b"glTF") {
        return Ok(());
    }
    let stated = bytes
        .get(8..12)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or("the binary glTF header is cut short")?;
    if stated < 12 || stated > bytes.len() {
        return Err(format!(
            "the binary glTF header states {stated} bytes, the file has {}",
            bytes.len()
        ));
    }
    Ok(())
}

/// Every accessor a mesh primitive names exists. gltf-json 1.4's validation indexes a
/// primitive's POSITION accessor before checking it (found by fuzzing: a panic on a hostile
/// file instead of an error), so this is checked first.
fn check_primitive_accessors(root: &gltf::json::Root) -> Result<(), String> {
    let count = root.accessors.len();
    for (m, mesh) in root.meshes.iter().enumerate() {
        for (p, primitive) in mesh.primitives.iter().enumerate() {
            let named =
                primitive
                    .attributes
                    .values()
                    .copied()
                    .chain(primitive.indices)
                    .chain(
                        primitive.targets.iter().flatten().flat_map(|t| {
                            [t.positions, t.normals, t.tangents].into_iter().flatten()
                        }),
                    );
            for accessor in named {
                if accessor.value() >= count {
                    return Err(format!(
                        "meshes[{m}].primitives[{p}] names accessor {}, of {count}",
                        accessor.value()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Scene files against master data.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CheckReport {
    /// Components of master data that no scene node stands for.
    pub components_without_node: Vec<String>,
    /// `FILE: NODE` for nodes whose code master data does not know.
    pub nodes_without_component: Vec<String>,
    /// `FILE: NODE` for nodes whose name is not their code, or whose code appears twice.
    pub inconsistent_nodes: Vec<String>,
    /// `CODE: scene ALIAS, master data ALIAS` for aliases renamed since the scenes were built.
    pub stale_aliases: Vec<String>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.components_without_node.is_empty()
            && self.nodes_without_component.is_empty()
            && self.inconsistent_nodes.is_empty()
    }
}

pub fn check(md: &MasterData, nodes: &[IdentityNode]) -> CheckReport {
    let mut report = CheckReport::default();
    let mut seen = BTreeSet::new();
    for n in nodes {
        let at = format!("{}: {}", n.file, n.name);
        if n.name != n.code {
            report
                .inconsistent_nodes
                .push(format!("{at} (extras say {})", n.code));
        }
        if !seen.insert(n.code.as_str()) {
            report
                .inconsistent_nodes
                .push(format!("{at} (code already used)"));
        }
        match md.component(&n.code) {
            None => report.nodes_without_component.push(at),
            Some(c) if c.alias != n.alias => report.stale_aliases.push(format!(
                "{}: scene {}, master data {}",
                n.code, n.alias, c.alias
            )),
            Some(_) => {}
        }
    }
    report.components_without_node = md
        .components
        .iter()
        .filter(|c| !seen.contains(c.code.as_str()))
        .map(|c| c.code.clone())
        .collect();
    report
}

/// Identity nodes of the embedded scenes.
pub fn embedded_identity_nodes() -> Result<Vec<IdentityNode>, SceneError> {
    let mut all = Vec::new();
    for (file, bytes) in EMBEDDED {
        all.extend(identity_nodes(file, bytes)?);
    }
    Ok(all)
}
