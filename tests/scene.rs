//! `jumeau scene build|check` on the real binary: the committed scenes are what the tool
//! builds, and a master-data change the scenes do not know is reported (and warned at start).

mod common;
use common::*;
use std::path::Path;

/// A copy of component `alias` as `edit` changes it, upserted through a change-set proposed by
/// a field agent and validated by an engineer.
fn upsert_copy_of(dir: &Path, alias: &str, title: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut component = json(dir, &["components", "show", alias, "--json"])["component"].clone();
    edit(&mut component);
    let mut change = serde_json::json!({ "op": "upsert_component" });
    for (k, v) in component.as_object().unwrap() {
        change[k] = v.clone();
    }
    let id = propose(
        dir,
        "a.durand",
        &serde_json::json!({ "changes": [change] }),
        title,
    );
    ok(
        dir,
        &["--user", "m.lefebvre", "changesets", "validate", &id],
    );
}

#[test]
fn scene_build_writes_the_committed_scenes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scenes");
    let text = ok(
        dir.path(),
        &["scene", "build", "--out", out.to_str().unwrap()],
    );
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenes");
    for file in [
        "tg1.glb", "tg2.glb", "cr1.glb", "cr2.glb", "tv.glb", "bop.glb",
    ] {
        assert!(text.contains(file), "{text}");
        let built = std::fs::read(out.join(file)).unwrap();
        assert!(
            built == std::fs::read(committed.join(file)).unwrap(),
            "{file}: run `jumeau scene build` and commit"
        );
    }
}

#[test]
fn scene_check_reports_a_component_added_by_a_change_set() {
    let dir = tempfile::tempdir().unwrap();
    let text = ok(dir.path(), &["scene", "check"]);
    assert!(text.contains("96 scene nodes, 96 components"), "{text}");
    assert!(text.contains("ok:"), "{text}");

    // A third feed pump on CR2, through a validated change-set: no node draws it yet.
    upsert_copy_of(dir.path(), "CR2-PA2", "PA3", |pump| {
        pump["code"] = "12LAC10AP003".into();
        pump["alias"] = "CR2-PA3".into();
    });

    let o = jumeau(dir.path(), &["scene", "check", "--json"]);
    assert!(!o.status.success(), "check must fail: {}", stdout(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        report["components_without_node"],
        serde_json::json!(["12LAC10AP003"])
    );
    assert_eq!(report["nodes_without_component"], serde_json::json!([]));

    // The client says so when it starts (and still runs).
    let png = dir.path().join("o.png");
    let o = jumeau(
        dir.path(),
        &[
            "screenshot",
            "--size",
            "640x360",
            "--out",
            png.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 component(s) have no node in the 3D scenes: 12LAC10AP003"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_renamed_alias_shows_in_components_scene_check_and_the_client() {
    let dir = tempfile::tempdir().unwrap();
    upsert_copy_of(
        dir.path(),
        "CR2-PA2",
        "CR2 standby feed pump renamed",
        |pump| {
            pump["alias"] = "CR2-PAS".into();
        },
    );

    let shown = json(dir.path(), &["components", "show", "CR2-PAS", "--json"]);
    assert_eq!(shown["component"]["code"], "12LAC10AP002");

    // The committed scenes still carry the old alias: the check says so (a warning).
    let o = jumeau(dir.path(), &["scene", "check", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        report["stale_aliases"],
        serde_json::json!(["12LAC10AP002: scene CR2-PA2, master data CR2-PAS"])
    );
    // The client knows the component by its new alias (and its card and label show it).
    let png = dir.path().join("pas.png");
    let o = jumeau(
        dir.path(),
        &[
            "screenshot",
            "--view",
            "CR2-PAS",
            "--size",
            "640x360",
            "--out",
            png.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(png.is_file());
}
