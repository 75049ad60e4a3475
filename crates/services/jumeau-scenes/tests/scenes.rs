//! The committed scenes: reproducible from the layout, consistent with master data, valid glTF.

use jumeau_scenes::{EMBEDDED, Layout, build, check, embedded_identity_nodes, identity_nodes};
use std::path::{Path, PathBuf};
use std::process::Command;

fn scenes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../scenes")
}

#[test]
fn regenerating_the_scenes_gives_the_committed_bytes() {
    let md = jumeau_core::plant::embedded().md;
    let built = build(&Layout::embedded(), &md).unwrap();
    assert_eq!(built.len(), 6);
    for f in &built {
        let committed = std::fs::read(scenes_dir().join(&f.file)).unwrap();
        assert!(
            committed == f.bytes,
            "{} differs from a fresh build: run `jumeau scene build` and commit",
            f.file
        );
        let embedded = EMBEDDED.iter().find(|(name, _)| *name == f.file).unwrap().1;
        assert_eq!(embedded, f.bytes.as_slice(), "{}", f.file);
    }
    // A second build in the same process is identical too (no map-order dependence).
    assert_eq!(build(&Layout::embedded(), &md).unwrap(), built);
}

#[test]
fn every_seed_component_is_a_node_and_every_node_a_component() {
    let md = jumeau_core::plant::embedded().md;
    let nodes = embedded_identity_nodes().unwrap();
    let report = check(&md, &nodes);
    assert!(report.is_clean(), "{report:#?}");
    assert!(report.stale_aliases.is_empty(), "{report:#?}");
    assert_eq!(nodes.len(), md.components.len());
    // Sub-parts carrying tags are nodes of their own: the bearings with vibration probes.
    for code in ["11MBD11", "11MBD12", "12HAD50BB001", "12HNE10", "10MAD12"] {
        assert!(nodes.iter().any(|n| n.name == code), "{code}");
    }
}

#[test]
fn check_reports_what_master_data_and_the_scenes_disagree_on() {
    let mut md = jumeau_core::plant::embedded().md;
    let nodes = embedded_identity_nodes().unwrap();
    // A component removed from master data leaves its node orphaned; a new one has no node; a
    // renamed alias is reported as stale.
    md.components.retain(|c| c.code != "12LAC10AP002");
    let mut extra = md.component("12LAC10AP001").unwrap().clone();
    extra.code = "12LAC10AP003".into();
    extra.alias = "CR2-PA3".into();
    md.components.push(extra);
    md.components
        .iter_mut()
        .find(|c| c.code == "11HNE10")
        .unwrap()
        .alias = "CR1-STACK".into();
    let report = check(&md, &nodes);
    assert_eq!(report.components_without_node, vec!["12LAC10AP003"]);
    assert_eq!(
        report.nodes_without_component,
        vec!["cr2.glb: 12LAC10AP002"]
    );
    assert_eq!(
        report.stale_aliases,
        vec!["11HNE10: scene CR1-CHEM, master data CR1-STACK"]
    );
    assert!(!report.is_clean());
}

#[test]
fn a_builder_drawing_an_unknown_component_fails_the_build() {
    let mut md = jumeau_core::plant::embedded().md;
    md.components.retain(|c| c.code != "12HAD10BB001");
    let err = build(&Layout::embedded(), &md).unwrap_err().to_string();
    assert!(err.contains("12HAD10BB001"), "{err}");
}

#[test]
fn bad_layouts_and_files_are_refused_with_a_reason() {
    let twice = format!(
        "{}\n{}",
        jumeau_scenes::LAYOUT,
        &jumeau_scenes::LAYOUT[jumeau_scenes::LAYOUT.find("[[unit]]").unwrap()..]
    );
    assert!(
        Layout::parse(&twice)
            .unwrap_err()
            .to_string()
            .contains("listed twice")
    );
    let typo = jumeau_scenes::LAYOUT.replacen("origin", "orign", 1);
    assert!(Layout::parse(&typo).is_err());
    let err = identity_nodes("broken.glb", b"glTF\x02\0\0\0garbage")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("broken.glb: not a readable glTF file"),
        "{err}"
    );
}

/// `scene` with its JSON chunk edited by `edit` (the binary chunk kept).
fn with_json(scene: &[u8], edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let word = |at: usize| u32::from_le_bytes(scene[at..at + 4].try_into().unwrap()) as usize;
    let json_len = word(12);
    let mut json: serde_json::Value = serde_json::from_slice(&scene[20..20 + json_len]).unwrap();
    edit(&mut json);
    let mut text = serde_json::to_vec(&json).unwrap();
    while !text.len().is_multiple_of(4) {
        text.push(b' ');
    }
    let rest = &scene[20 + json_len..];
    let mut out = b"glTF".to_vec();
    out.extend(2u32.to_le_bytes());
    out.extend(((20 + text.len() + rest.len()) as u32).to_le_bytes());
    out.extend((text.len() as u32).to_le_bytes());
    out.extend(b"JSON");
    out.extend(text);
    out.extend(rest);
    out
}

#[test]
fn a_primitive_naming_a_missing_accessor_is_an_error_not_a_panic() {
    // Found by `scripts/fuzz.sh gltf_identity`: gltf-json 1.4 indexed the accessors unchecked.
    let tv = EMBEDDED.iter().find(|(f, _)| *f == "tv.glb").unwrap().1;
    let hostile = with_json(tv, |json| {
        json["meshes"][0]["primitives"][0]["attributes"]["POSITION"] = 210_000.into();
    });
    let err = identity_nodes("hostile.glb", &hostile)
        .unwrap_err()
        .to_string();
    assert!(err.contains("names accessor 210000"), "{err}");
    // The same file with its accessor put back reads as before.
    let fixed = with_json(tv, |_| {});
    assert!(!identity_nodes("tv.glb", &fixed).unwrap().is_empty());
}

#[test]
fn a_binary_header_stating_a_length_below_its_own_is_an_error_not_a_panic() {
    // Found by `scripts/fuzz.sh gltf_identity`: gltf 1.4 subtracted 12 from it unchecked.
    let tv = EMBEDDED.iter().find(|(f, _)| *f == "tv.glb").unwrap().1;
    for stated in [0u32, 11, tv.len() as u32 + 1] {
        let mut hostile = tv.to_vec();
        hostile[8..12].copy_from_slice(&stated.to_le_bytes());
        let err = identity_nodes("hostile.glb", &hostile)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("states {stated} bytes")), "{err}");
    }
    assert!(identity_nodes("short.glb", b"glTF\x02\0\0").is_err());
}

#[test]
fn cr2_is_an_hrsg_with_its_drums_on_top_and_its_stack_the_tallest() {
    let gltf =
        gltf::Gltf::from_slice(EMBEDDED.iter().find(|(f, _)| *f == "cr2.glb").unwrap().1).unwrap();
    let top_of = |prefix: &str| {
        gltf.nodes()
            .filter(|n| n.name().is_some_and(|name| name.starts_with(prefix)))
            .filter_map(|n| {
                let mesh = n.mesh()?;
                let (t, _, _) = n.transform().decomposed();
                let b = mesh.primitives().next()?.bounding_box();
                Some(t[1] + b.max[1])
            })
            .fold(f32::MIN, f32::max)
    };
    let casing = top_of("12HAD50/");
    for drum in ["12HAD50BB001/", "12HAD30BB001/", "12HAD10BB001/"] {
        assert!(top_of(drum) > casing, "{drum} above the casing");
    }
    assert!(
        top_of("12HNE10/stack") >= 60.0,
        "the 60 m stack of master data"
    );
}

/// The Khronos validator, run by `scripts/validate-gltf.cjs` (installed by scripts/test.sh).
#[test]
fn every_scene_passes_the_khronos_gltf_validator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let node_path = std::env::var("NODE_PATH").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        format!("{home}/.cache/jumeau/npm/node_modules")
    });
    assert!(
        Path::new(&node_path).join("gltf-validator").is_dir(),
        "the Khronos glTF validator is not installed under {node_path}: run scripts/test.sh \
         (it runs `npm install --prefix ~/.cache/jumeau/npm gltf-validator`)"
    );
    let files: Vec<PathBuf> = EMBEDDED.iter().map(|(f, _)| scenes_dir().join(f)).collect();
    let out = Command::new("node")
        .arg(root.join("scripts/validate-gltf.cjs"))
        .args(&files)
        .env("NODE_PATH", &node_path)
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text.matches(": 0 errors").count(), 6, "{text}");
}
