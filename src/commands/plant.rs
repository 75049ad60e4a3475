//! `jumeau plant check`: the plant files of a folder, parsed and checked (jumeau_core::plant).

use crate::cli::PlantCommand;
use anyhow::Context;
use jumeau_core::plant;
use std::path::Path;
use std::process::ExitCode;

pub fn run(cmd: PlantCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PlantCommand::Check { dir } => check(&dir),
    }
}

fn check(dir: &Path) -> anyhow::Result<ExitCode> {
    let mut texts = Vec::new();
    for name in plant::FILES {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => texts.push((name, text)),
            // Reported by the parser, with the other problems.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
    let files: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
    match plant::parse(&files, jumeau_core::procedure::built_in_sources()) {
        Ok(p) => {
            let md = &p.md;
            println!(
                "{}: ok — {} units, {} components, {} parameters, {} tags, {} alarms, {} circuits, \
                 {} documents, {} accounts",
                dir.display(),
                md.units.len(),
                md.components.len(),
                md.parameters.len(),
                md.tags.len(),
                md.alarms.len(),
                md.circuits.len(),
                md.documents.len(),
                p.accounts.accounts.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            let count = errors.len();
            for e in errors {
                let file = dir.join(&e.file).display().to_string();
                eprintln!("{}", plant::PlantError { file, ..e });
            }
            eprintln!("{count} problem(s) in {}", dir.display());
            Ok(ExitCode::FAILURE)
        }
    }
}
