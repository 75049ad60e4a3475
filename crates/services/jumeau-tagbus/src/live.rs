//! Live values: the latest update of each tag with its quality and timestamps, and the rule that
//! decides whether it may be shown as fresh.

use std::collections::HashMap;

use serde::Serialize;

/// A measured value: analog or binary state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    State(bool),
}

impl Value {
    pub fn as_f64(&self) -> f64 {
        match self {
            Value::Number(x) => *x,
            Value::State(b) => f64::from(u8::from(*b)),
        }
    }
}

/// OPC UA-style quality: good, uncertain or bad, with the source's status text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    Good,
    Uncertain(String),
    Bad(String),
}

impl Quality {
    pub fn label(&self) -> &str {
        match self {
            Quality::Good => "good",
            Quality::Uncertain(_) => "uncertain",
            Quality::Bad(_) => "bad",
        }
    }
}

/// One value update as it arrives from a source.
#[derive(Debug, Clone, PartialEq)]
pub struct TagUpdate {
    /// Tag name when the source maps to master data, otherwise the node id or topic.
    pub key: String,
    pub value: Option<Value>,
    pub unit: Option<String>,
    pub quality: Quality,
    /// When the value was measured (source timestamp), ms since epoch.
    pub source_ms: i64,
    /// When the client received it, ms since epoch.
    pub receive_ms: i64,
}

/// Whether a value may be shown as current.
#[derive(Debug, Clone, PartialEq)]
pub enum Freshness {
    Fresh,
    /// Not confirmed for `age_ms`, or bad quality, or the link is down: shown greyed with its age.
    Stale {
        age_ms: i64,
        reason: StaleReason,
    },
    /// Never received.
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaleReason {
    LinkDown,
    NoUpdate,
    BadQuality,
}

/// Latest value per tag, plus when the link last proved alive (a data change or a keep-alive),
/// so that a value that does not change (a stopped pump reading 0 A) stays fresh while the link
/// lives, and every value turns stale when it dies.
#[derive(Debug, Default, Clone)]
pub struct LiveValues {
    values: HashMap<String, TagUpdate>,
    link_up: bool,
    link_alive_ms: i64,
    /// Longest silence accepted before values are stale.
    pub max_silence_ms: i64,
    pub updates: u64,
}

impl LiveValues {
    pub fn new(max_silence_ms: i64) -> Self {
        LiveValues {
            max_silence_ms,
            ..Default::default()
        }
    }

    pub fn apply(&mut self, update: TagUpdate) {
        self.link_alive_ms = self.link_alive_ms.max(update.receive_ms);
        self.link_up = true;
        self.updates += 1;
        self.values.insert(update.key.clone(), update);
    }

    /// The link answered (keep-alive or publish response) at `now_ms`.
    pub fn link_alive(&mut self, now_ms: i64) {
        self.link_up = true;
        self.link_alive_ms = self.link_alive_ms.max(now_ms);
    }

    /// The connection to the source is lost: everything turns stale at once.
    pub fn link_lost(&mut self) {
        self.link_up = false;
    }

    pub fn link_up(&self) -> bool {
        self.link_up
    }

    pub fn get(&self, key: &str) -> Option<&TagUpdate> {
        self.values.get(key)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Freshness of a tag's value at `now_ms`.
    pub fn freshness(&self, key: &str, now_ms: i64) -> Freshness {
        let Some(update) = self.values.get(key) else {
            return Freshness::Missing;
        };
        let reason = if !self.link_up {
            Some(StaleReason::LinkDown)
        } else if now_ms - self.link_alive_ms > self.max_silence_ms {
            Some(StaleReason::NoUpdate)
        } else if update.quality != Quality::Good {
            Some(StaleReason::BadQuality)
        } else {
            None
        };
        match reason {
            None => Freshness::Fresh,
            Some(reason) => Freshness::Stale {
                age_ms: (now_ms - update.receive_ms).max(0),
                reason,
            },
        }
    }

    /// The tag's value at `now_ms` if it is fresh and numeric (states as 0/1); None otherwise,
    /// so that nothing decides on stale data.
    pub fn fresh_value(&self, key: &str, now_ms: i64) -> Option<f64> {
        if self.freshness(key, now_ms) != Freshness::Fresh {
            return None;
        }
        self.get(key)?.value.map(|v| v.as_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(key: &str, at: i64, quality: Quality) -> TagUpdate {
        TagUpdate {
            key: key.into(),
            value: Some(Value::Number(1.0)),
            unit: None,
            quality,
            source_ms: at,
            receive_ms: at,
        }
    }

    #[test]
    fn constant_values_stay_fresh_while_the_link_lives() {
        let mut live = LiveValues::new(5_000);
        live.apply(update("A", 1_000, Quality::Good));
        assert_eq!(live.freshness("A", 2_000), Freshness::Fresh);
        live.link_alive(10_000);
        assert_eq!(
            live.freshness("A", 12_000),
            Freshness::Fresh,
            "keep-alives confirm an unchanged value"
        );
        assert!(matches!(
            live.freshness("A", 16_000),
            Freshness::Stale {
                reason: StaleReason::NoUpdate,
                ..
            }
        ));
        assert_eq!(live.freshness("B", 2_000), Freshness::Missing);
    }

    #[test]
    fn link_loss_and_bad_quality_make_values_stale_with_their_age() {
        let mut live = LiveValues::new(5_000);
        live.apply(update("A", 1_000, Quality::Good));
        live.apply(update("B", 1_000, Quality::Bad("BadSensorFailure".into())));
        assert!(matches!(
            live.freshness("B", 1_500),
            Freshness::Stale {
                reason: StaleReason::BadQuality,
                ..
            }
        ));
        live.link_lost();
        match live.freshness("A", 4_000) {
            Freshness::Stale { age_ms, reason } => {
                assert_eq!(reason, StaleReason::LinkDown);
                assert_eq!(age_ms, 3_000);
            }
            other => panic!("{other:?}"),
        }
        live.apply(update("A", 9_000, Quality::Good));
        assert_eq!(
            live.freshness("A", 9_100),
            Freshness::Fresh,
            "recovers with the next update"
        );
    }
}
