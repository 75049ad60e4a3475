//! Live values on the client: the runtime's `LiveValues` read once per frame into a `LiveView`
//! that the panels draw from. A stale value is drawn greyed with its age, never as fresh.

use std::sync::MutexGuard;

use bevy::prelude::*;
use jumeau_core::Locale;
use jumeau_core::masterdata::Tag;
use jumeau_runtime::{Command, Reply, RuntimeHandle, SourceStatus, SyncStatus};
use jumeau_tagbus::{Freshness, LiveValues, StaleReason, Value};

/// The plant runtime: the viewer's only way to the live values, alarms, runs and the store.
#[derive(Resource, Clone)]
pub struct LiveFeed(pub RuntimeHandle);

impl LiveFeed {
    /// Carries out a command and waits for the runtime to say it is done (durable): used on a
    /// click, where the answer must be known before the screen shows the result.
    pub fn command(&self, command: Command) -> Result<Reply, String> {
        self.0.send(command).wait(COMMAND_WAIT)
    }
}

/// Longest wait for the runtime's answer to a click.
const COMMAND_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The live state for one frame: the feed's values are read in place (the lock is held while
/// the panels are drawn) rather than copied, which would cost a whole plant's worth of values
/// every frame.
pub struct LiveView<'a> {
    guard: Option<MutexGuard<'a, LiveValues>>,
    /// Stands in when the feed thread died holding the lock: nothing is live then.
    empty: LiveValues,
    pub status: SourceStatus,
    pub sync: SyncStatus,
    now_ms: i64,
}

/// A value ready to draw.
pub struct Reading {
    /// Value and unit.
    pub text: String,
    /// Value alone, for tables that have a unit column.
    pub number: String,
    pub fresh: bool,
    /// "⏱ 12 s" style age when stale.
    pub age: Option<String>,
}

impl<'a> LiveView<'a> {
    pub fn snapshot(feed: &'a LiveFeed) -> LiveView<'a> {
        LiveView {
            guard: feed.0.live(),
            empty: LiveValues::default(),
            status: feed.0.status(),
            sync: feed.0.sync(),
            now_ms: jumeau_tagbus::now_ms(),
        }
    }

    fn values(&self) -> &LiveValues {
        self.guard.as_deref().unwrap_or(&self.empty)
    }

    pub fn link_up(&self) -> bool {
        self.values().link_up() && !self.values().is_empty()
    }

    pub fn reading(&self, tag: &Tag, locale: Locale) -> Option<Reading> {
        let update = self.values().get(&tag.name)?;
        // A state reads as what it means ("En marche"), as master data words it, and has no
        // unit to show beside it.
        let number = match update.value {
            Some(Value::State(b)) => tag
                .state_text(b, locale)
                .unwrap_or(if b { "1" } else { "0" })
                .to_owned(),
            Some(Value::Number(x)) => format_number(x, &tag.unit, locale),
            None => "—".to_owned(),
        };
        let text = match update.value {
            Some(Value::Number(_)) => format!("{number} {}", tag.unit),
            _ => number.clone(),
        };
        let (fresh, age) = match self.values().freshness(&tag.name, self.now_ms) {
            Freshness::Fresh => (true, None),
            Freshness::Stale { age_ms, reason } => {
                let why = match reason {
                    StaleReason::BadQuality => update.quality.label().to_owned(),
                    _ => format!("⏱ {}", format_age(age_ms)),
                };
                (false, Some(why))
            }
            Freshness::Missing => return None,
        };
        Some(Reading {
            text,
            number,
            fresh,
            age,
        })
    }
}

/// Value with a precision suited to its unit, French decimal comma when the UI is French.
fn format_number(x: f64, unit: &str, locale: Locale) -> String {
    let decimals = match unit {
        "rpm" | "mm" | "A" | "kg/s" if x.abs() >= 100.0 => 0,
        "rpm" | "°C" | "mbar" | "MW" | "Mvar" | "%" | "mm" | "K" | "µm" | "A" | "°" => 1,
        "ppm" => 3,
        _ => 2,
    };
    crate::i18n::fixed(x, decimals, locale)
}

fn format_age(ms: i64) -> String {
    let s = ms / 1000;
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", s / 60)
    } else {
        format!("{} h", s / 3600)
    }
}
