//! `jumeau db migrate|check`.

use crate::cli::DbCommand;
use jumeau_store::StoreFiles;

use std::process::ExitCode;

pub fn run(store_files: &StoreFiles, cmd: DbCommand) -> anyhow::Result<ExitCode> {
    let store = crate::identity::open_store(store_files)?;
    let md = store.master_data()?;
    match cmd {
        DbCommand::Migrate => {
            println!(
                "{}: schema v{}, {} components, {} tags, {} parameters, {} change-sets",
                store.path().display(),
                store.schema_version()?,
                md.components.len(),
                md.tags.len(),
                md.parameters.len(),
                store.changesets()?.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        DbCommand::Check { json } => {
            let sqlite = store.integrity_problems()?;
            let mut master: Vec<String> = md.check().iter().map(|e| e.to_string()).collect();
            match store.seed_status()? {
                Some(jumeau_core::ChangeSetStatus::Validated) => {}
                Some(status) => master.push(format!(
                    "the seed change-set is {} (not validated): the plant has no master data",
                    status.as_str()
                )),
                None => master.push("no seed change-set: the plant has no master data".into()),
            }
            let ok = sqlite.is_empty() && master.is_empty();
            if json {
                let report = serde_json::json!({
                    "store": store.path(),
                    "schema_version": store.schema_version()?,
                    "sqlite_problems": sqlite,
                    "master_data_problems": master,
                    "components": md.components.len(),
                    "tags": md.tags.len(),
                    "ok": ok,
                });
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "{}: schema v{}",
                    store.path().display(),
                    store.schema_version()?
                );
                for p in sqlite.iter().chain(&master) {
                    println!("  problem: {p}");
                }
                println!("{}", if ok { "ok" } else { "PROBLEMS FOUND" });
            }
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
