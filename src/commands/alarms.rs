//! `jumeau alarms watch` and `jumeau alarms kpi`.

use jumeau_store::StoreFiles;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use jumeau_core::alarm::{AlarmEvent, kpi};
use jumeau_tagbus::{format_ms, parse_ms};

use jumeau_runtime::{Runtime, RuntimeEvent};

use crate::cli::{AlarmsCommand, SourceArgs};
use crate::identity::{Identity, open_store};

pub fn run(
    store_files: &StoreFiles,
    who: &Identity,
    source: &SourceArgs,
    cmd: AlarmsCommand,
) -> anyhow::Result<ExitCode> {
    match cmd {
        AlarmsCommand::Watch { run_for, json } => watch(store_files, who, source, run_for, json),
        AlarmsCommand::Kpi { from, to, json } => kpis(store_files, from, to, json),
    }
}

fn watch(
    store_files: &StoreFiles,
    who: &Identity,
    source: &SourceArgs,
    run_for: Duration,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let runtime = Runtime::start(who.runtime_config(store_files, source.runtime_source()?)?)?;
    let deadline = Instant::now() + run_for;
    let mut cursor = 0;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        let (events, next) = runtime.events_since(cursor);
        cursor = next;
        let Some(board) = runtime.alarms() else { break };
        for e in events.iter().filter_map(|e| match e {
            RuntimeEvent::Alarm(a) => Some(a),
            _ => None,
        }) {
            let state = board
                .engine
                .alarm(&e.code)
                .map(|a| format!("{:?}", a.state).to_lowercase())
                .unwrap_or_default();
            print_event(e, &state, json);
        }
    }
    if let Some(e) = &runtime.status().error {
        eprintln!("jumeau: source: {e}");
    }
    if let Some(e) = runtime.alarms().and_then(|b| b.error.clone()) {
        eprintln!("jumeau: alarm journal: {e}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_event(e: &AlarmEvent, state: &str, json: bool) {
    let num = |v: f64| v.is_finite().then_some(v);
    if json {
        let line = serde_json::json!({
            "time": format_ms(e.ts_ms),
            "alarm": e.code,
            "component": e.component,
            "priority": e.priority.as_str(),
            "event": e.kind.as_str(),
            "state": state,
            "value": num(e.value),
            "limit": num(e.limit),
            "user": e.user,
            "note": e.note,
        });
        println!("{line}");
    } else {
        let v = |v: f64| num(v).map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"));
        println!(
            "{}  {:<24} {:<13} {:<8} {:<13} {:<24} value {:>9} limit {:>9}",
            format_ms(e.ts_ms),
            e.code,
            e.component,
            e.priority.as_str(),
            e.kind.as_str(),
            state,
            v(e.value),
            v(e.limit)
        );
    }
}

/// `2026-11-21` or RFC 3339.
fn parse_time(text: &str) -> anyhow::Result<i64> {
    parse_ms(text)
        .or_else(|| parse_ms(&format!("{text}T00:00:00Z")))
        .with_context(|| format!("`{text}` is not a date (2026-11-21) or an RFC 3339 time"))
}

fn kpis(
    store_files: &StoreFiles,
    from: Option<String>,
    to: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = open_store(store_files)?;
    // Standing alarms need what was raised before the period: read from the start.
    let mut rows = store.alarm_journal(i64::MIN, i64::MAX, usize::MAX)?;
    // By default up to now, or just past the latest event when it is later: on the simulator
    // the journal is on plant time, which runs ahead of the wall clock above ×1.
    let latest = rows.last().map(|r| r.ts_ms + 1);
    let to_ms = to
        .as_deref()
        .map(parse_time)
        .transpose()?
        .unwrap_or_else(|| jumeau_tagbus::now_ms().max(latest.unwrap_or(i64::MIN)));
    let from_ms = from
        .as_deref()
        .map(parse_time)
        .transpose()?
        .unwrap_or(to_ms - 24 * 3_600_000);
    anyhow::ensure!(from_ms < to_ms, "--from must be before --to");
    rows.retain(|r| r.ts_ms < to_ms);
    let events: Vec<kpi::JournalEvent> = rows.iter().filter_map(|r| r.to_kpi_event()).collect();
    let k = kpi::compute(&events, from_ms, to_ms);
    if json {
        println!("{}", serde_json::to_string_pretty(&k)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("Alarm KPIs {} → {}", format_ms(from_ms), format_ms(to_ms));
    println!(
        "  {} alarms raised ({})",
        k.alarms,
        k.by_priority
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("  position   alarms  per 10 min  peak/10 min  flood %");
    for p in &k.positions {
        println!(
            "  {:<9} {:>7} {:>11.2} {:>12} {:>8.1}",
            p.position, p.alarms, p.per_10_min, p.peak_10_min, p.flood_percent
        );
    }
    println!("  standing (> 24 h): {}", list(&k.standing));
    println!("  chattering (≥ 3/min): {}", list(&k.chattering));
    println!(
        "  top 10 bad actors ({:.1} % of all alarms):",
        k.top10_percent
    );
    for b in &k.top10 {
        println!("    {:<26} {:>5}  {:>5.1} %", b.code, b.alarms, b.percent);
    }
    println!("  benchmarks (ISA-18.2 / EEMUA 191):");
    for v in &k.verdicts {
        let mark = if v.met { "ok " } else { "NOT MET" };
        println!(
            "    {mark} {:<20} {:>8.2} (target ≤ {})",
            v.kpi, v.value, v.target
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
