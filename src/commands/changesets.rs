//! `jumeau changesets list|show|propose|validate|reject`. Decisions are also written to the
//! logbook, signed by the deciding engineer from this device. On a device enrolled with a hub
//! a decision on a shared change-set takes effect once the hub has ordered it (docs/sync.md).

use crate::cli::ChangesetsCommand;
use crate::identity::{Identity, open_store};
use anyhow::Context;
use jumeau_core::ChangeSetContent;
use jumeau_store::StoreFiles;
use std::process::ExitCode;

/// The largest change-set file read (a whole plant's master data is ≈ 2 MB of JSON).
const MAX_CHANGESET_BYTES: u64 = 64 * 1024 * 1024;

pub fn run(
    store_files: &StoreFiles,
    who: &Identity,
    cmd: ChangesetsCommand,
) -> anyhow::Result<ExitCode> {
    let mut store = open_store(store_files)?;
    let user = who.login.as_str();
    match cmd {
        ChangesetsCommand::List { json } => {
            let rows = store.changesets()?;
            if json {
                out!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for c in rows {
                    let waiting = c
                        .shared
                        .as_ref()
                        .map(|s| match (&s.pending, &s.needs_rebase) {
                            (Some((verdict, by)), _) => {
                                format!("  [{verdict} by {by}, awaiting the hub]")
                            }
                            (None, Some(why)) => format!("  [needs rebase: {why}]"),
                            (None, None) => format!("  [from {}]", s.origin),
                        });
                    out!(
                        "#{:<4} {:<10} {:>5} changes  by {} {}  {}{}",
                        c.id,
                        c.status.as_str(),
                        c.changes,
                        c.proposed_by,
                        c.decided_by.map(|d| format!("→ {d}")).unwrap_or_default(),
                        c.title,
                        waiting.unwrap_or_default()
                    );
                }
            }
        }
        ChangesetsCommand::Show { id } => {
            let report = serde_json::json!({
                "changeset": store.changeset(id)?,
                "content": store.changeset_content(id)?,
            });
            out!("{}", serde_json::to_string_pretty(&report)?);
        }
        ChangesetsCommand::Propose { file, title } => {
            // The rights first, then the size: a refused user's file is never parsed.
            who.log_in(&mut store)?;
            store.may_propose(user)?;
            let text = crate::commands::read_bounded(&file, MAX_CHANGESET_BYTES)?;
            let content: ChangeSetContent = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a change-set", file.display()))?;
            // Refuse early what could never be validated; nothing is stored then.
            content
                .apply(&store.master_data()?)
                .map_err(jumeau_store::StoreError::Integrity)?;
            out!("{}", store.propose_changeset(user, &title, &content)?);
        }
        ChangesetsCommand::Validate { id, note } => {
            who.log_in(&mut store)?;
            who.second_factor(&mut store)?;
            store.validate_changeset(user, id, note.as_deref())?;
            out!("{}", decided(&store, id, "validated and applied")?);
        }
        ChangesetsCommand::Reject { id, note } => {
            who.log_in(&mut store)?;
            who.second_factor(&mut store)?;
            store.reject_changeset(user, id, &note)?;
            out!("{}", decided(&store, id, "rejected")?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What a decision did: done here, or sent and waiting for the hub's order.
fn decided(store: &jumeau_store::Store, id: i64, done: &str) -> anyhow::Result<String> {
    let row = store.changeset(id)?;
    Ok(match row.shared.and_then(|s| s.pending) {
        Some((verdict, _)) => format!(
            "change-set #{id}: {verdict}, sent to the hub; it takes effect on every device once the hub has ordered it"
        ),
        None => format!("change-set #{id} {done}"),
    })
}
