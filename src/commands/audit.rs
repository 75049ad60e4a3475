//! `jumeau audit list|export`: the audit trail for engineers and auditors (the store checks
//! the right), listed or exported to CSV with a signed manifest.

use crate::cli::{AuditCommand, AuditFilterArgs};
use crate::identity::{Identity, open_store};
use anyhow::Context;
use jumeau_reports::export_audit;
use jumeau_store::{AuditFilter, StoreFiles};
use std::process::ExitCode;

pub fn run(
    store_files: &StoreFiles,
    who: &Identity,
    cmd: AuditCommand,
) -> anyhow::Result<ExitCode> {
    let mut store = open_store(store_files)?;
    let session = who.log_in(&mut store)?;
    match cmd {
        AuditCommand::List { filter, json } => {
            let rows = store.audit_rows(&who.login, &to_filter(&filter))?;
            if json {
                out!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(ExitCode::SUCCESS);
            }
            for r in rows {
                out!(
                    "{:>6}  {}  {:<14} {:<16} {:<12} {} {}",
                    r.id,
                    r.at,
                    crate::commands::printable(&r.actor),
                    r.action,
                    r.entity,
                    crate::commands::printable(r.entity_id.as_deref().unwrap_or("")),
                    crate::commands::printable(r.detail.as_deref().unwrap_or(""))
                );
            }
        }
        AuditCommand::Export { filter, out } => {
            let rows = store.audit_rows(&who.login, &to_filter(&filter))?;
            let manifest = export_audit(&rows, &out, &session, &store.now()?)
                .with_context(|| format!("cannot export to {}", out.display()))?;
            out!(
                "{} ({} rows, sha256 {})",
                out.display(),
                rows.len(),
                manifest.sha256
            );
            out!("{}", jumeau_reports::manifest_path(&out).display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn to_filter(f: &AuditFilterArgs) -> AuditFilter {
    AuditFilter {
        from: f.from.clone(),
        to: f.to.clone(),
        actor: f.actor.clone(),
        action: f.action.clone(),
        entity: f.entity.clone(),
        limit: f.limit,
    }
}
