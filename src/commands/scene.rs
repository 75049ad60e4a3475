//! `jumeau scene build|check`: the glTF scenes of the plant (crate jumeau-scenes).

use crate::cli::SceneCommand;
use anyhow::Context;
use jumeau_scenes::{IdentityNode, Layout};
use jumeau_store::StoreFiles;

use std::path::Path;
use std::process::ExitCode;

pub fn run(store_files: &StoreFiles, cmd: SceneCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SceneCommand::Build { out } => build(store_files, &out),
        SceneCommand::Check { dir, json } => check(store_files, dir.as_deref(), json),
    }
}

fn layout_in(dir: &Path) -> anyhow::Result<Layout> {
    let path = dir.join("layout.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Layout::parse(&text).with_context(|| path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Layout::embedded()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn build(store_files: &StoreFiles, out: &Path) -> anyhow::Result<ExitCode> {
    let layout = layout_in(out)?;
    // Master data as validated in the store: a renamed alias or a new component is drawn.
    let md = crate::identity::open_store(store_files)?.master_data()?;
    let files = jumeau_scenes::build(&layout, &md)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for f in &files {
        let path = out.join(&f.file);
        std::fs::write(&path, &f.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let nodes = jumeau_scenes::identity_nodes(&f.file, &f.bytes)?.len();
        println!(
            "{}  {} bytes, {nodes} components",
            path.display(),
            f.bytes.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn check(store_files: &StoreFiles, dir: Option<&Path>, json: bool) -> anyhow::Result<ExitCode> {
    let store = crate::identity::open_store(store_files)?;
    let md = store.master_data()?;
    let nodes: Vec<IdentityNode> = match dir {
        None => jumeau_scenes::embedded_identity_nodes()?,
        Some(dir) => {
            let mut all = Vec::new();
            for unit in layout_in(dir)?.units {
                let path = dir.join(&unit.file);
                let bytes = std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                all.extend(jumeau_scenes::identity_nodes(&unit.file, &bytes)?);
            }
            all
        }
    };
    let report = jumeau_scenes::check(&md, &nodes);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} scene nodes, {} components in master data",
            nodes.len(),
            md.components.len()
        );
        for (title, list) in [
            ("components without a node", &report.components_without_node),
            ("nodes without a component", &report.nodes_without_component),
            ("inconsistent nodes", &report.inconsistent_nodes),
            (
                "aliases renamed since the scenes were built",
                &report.stale_aliases,
            ),
        ] {
            if !list.is_empty() {
                println!("{title} ({}):", list.len());
                for item in list {
                    println!("  {item}");
                }
            }
        }
        if report.is_clean() {
            println!("ok: every component has its node and every node its component");
        }
    }
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
