//! `jumeau components list|show`.

use crate::cli::{ComponentsCommand, Lang};
use jumeau_core::Locale;
use jumeau_store::{ComponentDetail, StoreFiles};
use std::process::ExitCode;

pub fn run(
    store_files: &StoreFiles,
    cmd: ComponentsCommand,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let store = crate::identity::open_store(store_files)?;
    let locale = Locale::from(lang);
    match cmd {
        ComponentsCommand::List { unit, json } => {
            let units = store.master_data()?.units;
            if let Some(u) = &unit
                && !units.iter().any(|x| x.code.eq_ignore_ascii_case(u))
            {
                let known: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
                anyhow::bail!("unknown unit `{u}` (units: {})", known.join(", "));
            }
            let components = store.components(unit.as_deref())?;
            if json {
                out!("{}", serde_json::to_string_pretty(&components)?);
            } else {
                for c in &components {
                    out!(
                        "{:<13} {:<10} {:<4} {:<15} {}",
                        c.code,
                        c.alias,
                        c.unit,
                        c.kind,
                        c.name(locale)
                    );
                }
            }
        }
        ComponentsCommand::Show { id, json } => {
            let detail = store.component_detail(&id)?;
            if json {
                out!("{}", serde_json::to_string_pretty(&detail)?);
            } else {
                print_detail(&detail, locale);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v}"))
}

fn print_detail(d: &ComponentDetail, locale: Locale) {
    let c = &d.component;
    out!("{} — {} ({})", c.alias, c.name(locale), c.code);
    out!(
        "  kind: {}   unit: {}   parent: {}",
        c.kind,
        c.unit,
        c.parent.as_deref().unwrap_or("—")
    );
    if let Some(m) = &c.manufacturer {
        out!(
            "  manufacturer: {m}   model: {}",
            c.model.as_deref().unwrap_or("—")
        );
    }
    if !c.description.is_empty() {
        out!("  {}", c.description);
    }
    for r in &c.rated {
        out!("  rated  {:<32} {} {}", r.name, r.value, r.unit);
    }
    if !d.parameters.is_empty() {
        out!("  parameters (unit: trip_low LL L [normal] H HH trip_high, start-up):");
    }
    for p in &d.parameters {
        let l = &p.limits;
        out!(
            "    {:<16} {:<6} {} {} {} [{}..{}] {} {} {}  start-up {}",
            p.name,
            p.unit,
            fmt_opt(l.trip_low),
            fmt_opt(l.ll),
            fmt_opt(l.l),
            fmt_opt(l.normal_low),
            fmt_opt(l.normal_high),
            fmt_opt(l.h),
            fmt_opt(l.hh),
            fmt_opt(l.trip_high),
            fmt_opt(p.startup_value)
        );
    }
    for t in &d.tags {
        out!(
            "  tag {:<14} {:<16} {:<7} {}",
            t.name,
            t.signal,
            t.unit,
            t.opcua_node.as_deref().unwrap_or("—")
        );
    }
    for a in &d.alarms {
        out!(
            "  alarm {:<26} {:<8} {}",
            a.code,
            a.priority.as_str(),
            a.consequence
        );
    }
    for doc in &d.documents {
        out!("  document {} — {} ({})", doc.id, doc.title, doc.location);
    }
    if !d.children.is_empty() {
        out!("  children: {}", d.children.join(", "));
    }
    out!(
        "  master data from change-set #{} proposed by {}, validated by {} at {}",
        d.changeset.id,
        d.changeset.proposed_by,
        d.changeset.decided_by.as_deref().unwrap_or("—"),
        d.changeset.decided_at.as_deref().unwrap_or("—")
    );
}
