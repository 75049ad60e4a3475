//! `jumeau sync enrol|status|push|pull`: the device's side of sync, run by hand (the client
//! syncs by itself when it runs).

use crate::cli::SyncCommand;
use crate::identity::{Identity, open_store};
use anyhow::Context;
use jumeau_store::{Password, Store, StoreFiles, SyncCounts};
use jumeau_sync::{Exchange, SyncError};
use serde::Serialize;
use std::process::ExitCode;

/// Where sync stands, as `sync status` reports it.
#[derive(Debug, Serialize)]
struct Status {
    /// `in_sync`, `pending` (reachable, work to do), `offline` or `error`.
    state: &'static str,
    hub: Option<String>,
    /// The hub's signing key as pinned here (what checks its countersignatures).
    hub_key: Option<String>,
    #[serde(flatten)]
    counts: SyncCounts,
    /// The hub's head when it answered.
    head: Option<u64>,
    reason: Option<String>,
}

pub fn run(files: &StoreFiles, who: &Identity, cmd: SyncCommand) -> anyhow::Result<ExitCode> {
    let mut store = open_store(files)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match cmd {
        SyncCommand::Enrol {
            hub,
            certificate_sha256,
            secret_file,
        } => {
            let secret = crate::commands::read_bounded(&secret_file, 4096)?;
            let secret = Password::new(secret.lines().next().unwrap_or("").trim());
            who.log_in(&mut store)?;
            who.second_factor(&mut store)?;
            store.enrol_hub(&who.login, &hub, &certificate_sha256, &secret)?;
            // The first contact pins the hub's signing key over the pinned channel.
            match runtime.block_on(jumeau_sync::connect(&mut store)) {
                Ok(_) => out!("device {} enrolled with {hub}", who.device),
                Err(e) => out!(
                    "device {} enrolled with {hub}; the hub did not answer yet ({e})",
                    who.device
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        SyncCommand::Status { json } => {
            let status = status(&mut store, &runtime)?;
            if json {
                out!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                out!("{}", describe(&status));
            }
            Ok(if status.state == "error" {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        SyncCommand::Push { json } => exchange(&mut store, &runtime, json, true),
        SyncCommand::Pull { json } => exchange(&mut store, &runtime, json, false),
    }
}

fn exchange(
    store: &mut Store,
    runtime: &tokio::runtime::Runtime,
    json: bool,
    push: bool,
) -> anyhow::Result<ExitCode> {
    let done: Result<Exchange, SyncError> = runtime.block_on(async {
        let mut link = jumeau_sync::connect(store).await?;
        let mut done = Exchange::default();
        if push {
            done.pushed = jumeau_sync::push_pending(&mut link, store).await?;
        } else {
            done.received = jumeau_sync::pull_all(&mut link, store).await?;
        }
        done.cursor = store.sync_cursor()?;
        done.head = link.head;
        Ok(done)
    });
    let done = done.context("sync")?;
    if json {
        out!("{}", serde_json::to_string_pretty(&done)?);
    } else if push {
        out!("{} op(s) pushed and acknowledged by the hub", done.pushed);
    } else {
        out!(
            "{} op(s) received ({} logbook entries of other devices, {} of this device \
             confirmed, {} quarantined); cursor {}",
            done.received.stored,
            done.received.entries,
            done.received.own,
            done.received.quarantined,
            done.cursor
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn status(store: &mut Store, runtime: &tokio::runtime::Runtime) -> anyhow::Result<Status> {
    let counts = store.sync_counts()?;
    let Some((enrolment, _)) = store.hub_enrolment()? else {
        return Ok(Status {
            state: "error",
            hub: None,
            hub_key: None,
            counts,
            head: None,
            reason: Some(SyncError::NotEnrolled.to_string()),
        });
    };
    let answer = runtime
        .block_on(jumeau_sync::connect(store))
        .map(|link| link.head);
    let (state, head, reason) = match answer {
        Ok(head) if counts.pending == 0 && counts.cursor >= head => ("in_sync", Some(head), None),
        Ok(head) => ("pending", Some(head), None),
        Err(e @ (SyncError::Unreachable { .. } | SyncError::Lost(_))) => {
            ("offline", None, Some(e.to_string()))
        }
        Err(e) => ("error", None, Some(e.to_string())),
    };
    Ok(Status {
        state,
        hub: Some(enrolment.url),
        hub_key: store.hub_enrolment()?.and_then(|(e, _)| e.hub_key),
        counts,
        head,
        reason,
    })
}

fn describe(s: &Status) -> String {
    let hub = s.hub.as_deref().unwrap_or("-");
    match s.state {
        "in_sync" => format!("in sync with {hub} (cursor {})", s.counts.cursor),
        "pending" => format!(
            "{hub}: {} op(s) to push, {} to pull",
            s.counts.pending,
            s.head.unwrap_or(0).saturating_sub(s.counts.cursor)
        ),
        "offline" => format!(
            "offline: {} op(s) pending{} — {}",
            s.counts.pending,
            s.counts
                .oldest_pending
                .as_deref()
                .map(|t| format!(" since {t}"))
                .unwrap_or_default(),
            s.reason.as_deref().unwrap_or("")
        ),
        _ => format!("sync error: {}", s.reason.as_deref().unwrap_or("")),
    }
}
