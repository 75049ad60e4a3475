//! Alarm-management KPIs from the alarm journal, held against the ISA-18.2 / EEMUA 191
//! benchmarks: alarm rate per operator position, time in flood, standing, chattering and the
//! worst actors.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::engine::EventKind;
use crate::masterdata::Priority;

/// One journal row as the KPIs need it.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalEvent {
    pub ts_ms: i64,
    pub code: String,
    /// Operator position (console area) the alarm is presented on.
    pub position: String,
    pub priority: Priority,
    pub kind: EventKind,
}

const TEN_MIN: i64 = 600_000;
/// More than this many alarms in ten minutes is a flood (ISA-18.2).
pub const FLOOD_PER_10_MIN: usize = 10;
/// An alarm active longer than this is standing.
pub const STANDING_MS: i64 = 24 * 3_600_000;
/// At least this many raises within a minute is chattering.
pub const CHATTER_PER_MIN: usize = 3;

/// The benchmarks the figures are held against (ISA-18.2 table 5, EEMUA 191).
pub mod target {
    /// Average annunciated alarms per 10 minutes per position: "very likely acceptable" is
    /// about one (≈ 150 a day); twice that is the maximum manageable.
    pub const PER_10_MIN_ACCEPTABLE: f64 = 1.0;
    pub const PER_10_MIN_MANAGEABLE: f64 = 2.0;
    /// Share of ten-minute periods in flood: below about 1 %.
    pub const FLOOD_PERCENT: f64 = 1.0;
    /// Standing alarms: fewer than 5 at any time.
    pub const STANDING: usize = 5;
    /// Chattering alarms: none.
    pub const CHATTERING: usize = 0;
    /// The top 10 should carry no more than 1 to 5 % of all alarms.
    pub const TOP10_PERCENT: f64 = 5.0;
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionKpi {
    pub position: String,
    pub alarms: usize,
    pub per_10_min: f64,
    pub peak_10_min: usize,
    pub flood_percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BadActor {
    pub code: String,
    pub alarms: usize,
    pub percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    pub from_ms: i64,
    pub to_ms: i64,
    /// Annunciated alarms (raises) in the period.
    pub alarms: usize,
    pub by_priority: BTreeMap<String, usize>,
    pub positions: Vec<PositionKpi>,
    /// Alarms active at the end of the period for more than 24 h.
    pub standing: Vec<String>,
    /// Alarms raised at least three times within one minute.
    pub chattering: Vec<String>,
    pub top10: Vec<BadActor>,
    pub top10_percent: f64,
    /// Each benchmark with whether it is met.
    pub verdicts: Vec<Verdict>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub kpi: &'static str,
    pub value: f64,
    pub target: f64,
    pub met: bool,
}

/// Computes the KPIs of the period `[from_ms, to_ms)` from the journal (time-ordered; events
/// before `from_ms` only count for standing alarms).
pub fn compute(events: &[JournalEvent], from_ms: i64, to_ms: i64) -> Kpis {
    let span = (to_ms - from_ms).max(1);
    let windows = ((span + TEN_MIN - 1) / TEN_MIN).max(1) as usize;
    let raises: Vec<&JournalEvent> = events
        .iter()
        .filter(|e| e.kind == EventKind::Raised && (from_ms..to_ms).contains(&e.ts_ms))
        .collect();

    let mut by_priority = BTreeMap::new();
    let mut per_position: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut per_code: HashMap<&str, Vec<i64>> = HashMap::new();
    for e in &raises {
        *by_priority
            .entry(e.priority.as_str().to_owned())
            .or_insert(0) += 1;
        let buckets = per_position
            .entry(&e.position)
            .or_insert_with(|| vec![0; windows]);
        buckets[((e.ts_ms - from_ms) / TEN_MIN) as usize] += 1;
        per_code.entry(&e.code).or_default().push(e.ts_ms);
    }
    let positions: Vec<PositionKpi> = per_position
        .into_iter()
        .map(|(position, buckets)| {
            let alarms: usize = buckets.iter().sum();
            let flood = buckets.iter().filter(|&&n| n > FLOOD_PER_10_MIN).count();
            PositionKpi {
                position: position.to_owned(),
                alarms,
                per_10_min: alarms as f64 * TEN_MIN as f64 / span as f64,
                peak_10_min: buckets.iter().copied().max().unwrap_or(0),
                flood_percent: 100.0 * flood as f64 / windows as f64,
            }
        })
        .collect();

    let mut chattering: Vec<String> = per_code
        .iter()
        .filter(|(_, ts)| {
            ts.windows(CHATTER_PER_MIN)
                .any(|w| w[CHATTER_PER_MIN - 1] - w[0] < 60_000)
        })
        .map(|(code, _)| code.to_string())
        .collect();
    chattering.sort();

    let mut counts: Vec<(&str, usize)> = per_code.iter().map(|(c, t)| (*c, t.len())).collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let total = raises.len().max(1) as f64;
    let top10: Vec<BadActor> = counts
        .iter()
        .take(10)
        .map(|&(code, n)| BadActor {
            code: code.to_owned(),
            alarms: n,
            percent: 100.0 * n as f64 / total,
        })
        .collect();
    let top10_percent = top10.iter().map(|b| b.percent).sum::<f64>();
    let standing = standing_at(events, to_ms);

    let worst = |f: fn(&PositionKpi) -> f64| positions.iter().map(f).fold(0.0, f64::max);
    let verdicts = vec![
        verdict(
            "alarms_per_10_min",
            worst(|p| p.per_10_min),
            target::PER_10_MIN_ACCEPTABLE,
        ),
        verdict(
            "flood_percent",
            worst(|p| p.flood_percent),
            target::FLOOD_PERCENT,
        ),
        verdict(
            "standing",
            standing.len() as f64,
            target::STANDING as f64 - 1.0,
        ),
        verdict(
            "chattering",
            chattering.len() as f64,
            target::CHATTERING as f64,
        ),
        verdict(
            "top10_percent",
            if raises.len() >= 100 {
                top10_percent
            } else {
                0.0
            },
            target::TOP10_PERCENT,
        ),
    ];
    Kpis {
        from_ms,
        to_ms,
        alarms: raises.len(),
        by_priority,
        positions,
        standing,
        chattering,
        top10,
        top10_percent,
        verdicts,
    }
}

fn verdict(kpi: &'static str, value: f64, target: f64) -> Verdict {
    Verdict {
        kpi,
        value,
        target,
        met: value <= target,
    }
}

/// Codes whose latest raise before `at_ms` is older than 24 h and not followed by a clear,
/// shelf or out-of-service.
fn standing_at(events: &[JournalEvent], at_ms: i64) -> Vec<String> {
    let mut raised: HashMap<&str, Option<i64>> = HashMap::new();
    for e in events.iter().filter(|e| e.ts_ms < at_ms) {
        match e.kind {
            EventKind::Raised => {
                raised.insert(&e.code, Some(e.ts_ms));
            }
            EventKind::Cleared
            | EventKind::Shelved
            | EventKind::Suppressed
            | EventKind::OutOfService => {
                raised.insert(&e.code, None);
            }
            _ => {}
        }
    }
    let mut out: Vec<String> = raised
        .into_iter()
        .filter(|(_, since)| since.is_some_and(|t| at_ms - t > STANDING_MS))
        .map(|(code, _)| code.to_owned())
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ts_s: i64, code: &str, position: &str, kind: EventKind) -> JournalEvent {
        JournalEvent {
            ts_ms: ts_s * 1000,
            code: code.into(),
            position: position.into(),
            priority: Priority::Medium,
            kind,
        }
    }

    #[test]
    fn rate_flood_chatter_standing_and_bad_actors() {
        use EventKind::*;
        let mut events = vec![ev(-90_000, "OLD", "BOP", Raised)];
        // One hour: 6 ordinary alarms on TG1, then a flood of 12 within 10 minutes on CR1.
        for k in 0..6 {
            events.push(ev(k * 600 + 30, &format!("TG1-{k}"), "TG1", Raised));
        }
        for k in 0..12 {
            events.push(ev(1_800 + k * 20, &format!("CR1-{k}"), "CR1", Raised));
        }
        // A chattering alarm: three raises in 50 s.
        for t in [3_000, 3_020, 3_050] {
            events.push(ev(t, "CHAT", "TG1", Raised));
            events.push(ev(t + 5, "CHAT", "TG1", Cleared));
        }
        events.sort_by_key(|e| e.ts_ms);
        let k = compute(&events, 0, 3_600_000);
        assert_eq!(k.alarms, 6 + 12 + 3);
        let cr1 = k.positions.iter().find(|p| p.position == "CR1").unwrap();
        assert_eq!((cr1.peak_10_min, cr1.alarms), (12, 12));
        assert!((cr1.flood_percent - 100.0 / 6.0).abs() < 1e-9);
        let tg1 = k.positions.iter().find(|p| p.position == "TG1").unwrap();
        assert!((tg1.per_10_min - 1.5).abs() < 1e-9, "{tg1:?}");
        assert_eq!(tg1.flood_percent, 0.0);
        assert_eq!(k.chattering, ["CHAT"]);
        assert_eq!(k.standing, ["OLD"]);
        assert_eq!(k.top10[0].code, "CHAT");
        assert_eq!(k.top10[0].alarms, 3);
        let flood = k
            .verdicts
            .iter()
            .find(|v| v.kpi == "flood_percent")
            .unwrap();
        assert!(!flood.met);
    }

    #[test]
    fn a_cleared_alarm_is_not_standing() {
        use EventKind::*;
        let events = [
            ev(-100_000, "A", "TG1", Raised),
            ev(-50_000, "A", "TG1", Cleared),
        ];
        assert!(compute(&events, 0, 600_000).standing.is_empty());
    }
}
