//! `jumeau tags watch`: value updates from any OPC UA server or MQTT broker, one line each.

use jumeau_store::StoreFiles;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};
use jumeau_scada::mqtt;
use jumeau_scada::opcua_client::{self, ClientConfig, WatchItem};

use jumeau_tagbus::LinkEvent;
use jumeau_tagbus::{TagUpdate, format_ms};

use crate::cli::{SourceArgs, TagsCommand, WatchArgs};

pub fn run(
    store_files: &StoreFiles,
    cmd: TagsCommand,
    source: &SourceArgs,
) -> anyhow::Result<ExitCode> {
    let TagsCommand::Watch(args) = cmd;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let rejected = Arc::new(AtomicU64::new(0));
    // Held until the watch ends: dropping it would close the OPC UA session.
    let mut _session = None;
    if args.source.starts_with("opc.tcp://") {
        let items = opcua_items(store_files, &args)?;
        let mut cfg = ClientConfig::with_link(&args.source, &source.link()?);
        cfg.sampling_ms = args.sampling_ms;
        cfg.publishing_ms = args.publishing_ms;
        let conn = runtime.block_on(async {
            let conn = opcua_client::connect(&cfg, tx.clone()).await?;
            opcua_client::keep_subscribed(&conn, &cfg, items, tx.clone()).await?;
            anyhow::Ok(conn)
        })?;
        _session = Some(conn);
    } else if args.source.starts_with("mqtt://") || args.source.starts_with("mqtts://") {
        let filters = mqtt_filters(store_files, &args)?;
        // The plant's topics are checked against master data; raw --topic filters by clock only.
        let mut checks = if args.topics.is_empty() {
            jumeau_runtime::mqtt_checks(&crate::identity::open_store(store_files)?.master_data()?)
        } else {
            mqtt::Checks::default()
        };
        checks.max_future_ms = args.max_skew.as_millis() as i64;
        let (broker, tx, rejected) = (args.source.clone(), tx.clone(), rejected.clone());
        mqtt::broker_address(&broker).map_err(anyhow::Error::msg)?;
        let link = source.link()?;
        runtime.spawn(async move {
            if let Err(e) = mqtt::subscribe(&broker, &link, filters, checks, tx, rejected).await {
                eprintln!("jumeau: MQTT: {e}");
            }
        });
    } else {
        bail!(
            "--source must start with opc.tcp://, mqtt:// or mqtts://, not \"{}\"",
            args.source
        );
    }
    drop(tx);
    let deadline = tokio::time::Instant::now() + args.run_for;
    let mut printed = 0u64;
    runtime.block_on(async {
        while let Ok(Some(event)) = tokio::time::timeout_at(deadline, rx.recv()).await {
            match event {
                LinkEvent::Update(u) => {
                    printed += 1;
                    print_update(&u, &args);
                }
                LinkEvent::Lost(e) => eprintln!("jumeau: link lost: {e}"),
                LinkEvent::Connected | LinkEvent::Alive(_) => {}
            }
        }
    });
    let bad = rejected.load(Ordering::Relaxed);
    if bad > 0 {
        eprintln!(
            "jumeau: {bad} malformed payloads dropped (refused: bad syntax, too large, wrong \
             topic, tag or unit, beyond the instrument's range, or from the future)"
        );
    }
    runtime.shutdown_background();
    Ok(if printed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

fn print_update(u: &TagUpdate, args: &WatchArgs) {
    if args.json {
        // Items named by node id report their node; the others are master-data tags.
        let key = if args.nodes.contains(&u.key) {
            "node"
        } else {
            "tag"
        };
        let line = serde_json::json!({
            key: u.key,
            "value": u.value,
            "unit": u.unit,
            "quality": u.quality.label(),
            "source_ts": format_ms(u.source_ms),
            "receive_ts": format_ms(u.receive_ms),
        });
        out!("{line}");
    } else {
        let value = u
            .value
            .map(|v| format!("{:.3}", v.as_f64()))
            .unwrap_or_else(|| "—".into());
        out!(
            "{}  {:<24} {:>12} {:<7} {:<9} (source {})",
            format_ms(u.receive_ms),
            u.key,
            value,
            u.unit.as_deref().unwrap_or(""),
            u.quality.label(),
            format_ms(u.source_ms)
        );
    }
}

/// OPC UA items: named nodes as they are, named tags through master data, else every tag.
fn opcua_items(store_files: &StoreFiles, args: &WatchArgs) -> anyhow::Result<Vec<WatchItem>> {
    let mut items = Vec::new();
    for node in &args.nodes {
        let id = node.parse().map_err(|_| {
            anyhow::anyhow!("\"{node}\" is not an OPC UA node id (e.g. ns=2;s=NAME)")
        })?;
        items.push(WatchItem {
            key: node.clone(),
            node: id,
            unit: None,
        });
    }
    if !args.nodes.is_empty() && args.tags.is_empty() {
        return Ok(items);
    }
    let md = crate::identity::open_store(store_files)?.master_data()?;
    let all = jumeau_runtime::watch_items(&md);
    if args.tags.is_empty() {
        return Ok(all);
    }
    for name in &args.tags {
        let item = all
            .iter()
            .find(|i| &i.key == name)
            .with_context(|| format!("no tag {name} with an OPC UA node in master data"))?;
        items.push(item.clone());
    }
    Ok(items)
}

fn mqtt_filters(store_files: &StoreFiles, args: &WatchArgs) -> anyhow::Result<Vec<String>> {
    let mut filters = args.topics.clone();
    if !args.tags.is_empty() {
        let md = crate::identity::open_store(store_files)?.master_data()?;
        for name in &args.tags {
            let tag = md
                .tags
                .iter()
                .find(|t| &t.name == name)
                .with_context(|| format!("no tag {name} in master data"))?;
            filters.push(
                tag.mqtt_topic
                    .clone()
                    .with_context(|| format!("tag {name} has no MQTT topic"))?,
            );
        }
    }
    if filters.is_empty() {
        filters.push("jumeau/#".into());
    }
    Ok(filters)
}
