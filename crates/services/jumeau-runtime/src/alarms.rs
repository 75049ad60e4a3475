//! The alarm board: the engine as the runtime's services left it after the last cycle, shared
//! with the handle for reading (annunciated alarms, worst priority per component, states).

use jumeau_core::alarm::{AlarmEngine, Input};
use jumeau_core::masterdata::MasterData;
use jumeau_tagbus::LiveValues;

/// How often the rules run, in wall-clock time at ×1 (faster at higher simulator speeds, so
/// that the rules see every plant second they would see at ×1).
pub const CYCLE_MS: u64 = 500;

pub struct AlarmBoard {
    pub engine: AlarmEngine,
    /// Last journal write failure, shown to the user until a write succeeds.
    pub error: Option<String>,
}

impl AlarmBoard {
    pub(crate) fn new(md: &MasterData) -> AlarmBoard {
        let engine = AlarmEngine::new(md);
        for p in engine.problems() {
            tracing::warn!("alarm rule skipped: {p}");
        }
        AlarmBoard {
            engine,
            error: None,
        }
    }
}

/// The engine's inputs from the live values: a value counts only while it is fresh (judged on
/// the wall clock, `wall_ms`); its time is the source's.
pub(crate) fn inputs(tags: &[String], live: &LiveValues, wall_ms: i64) -> Vec<Input> {
    tags.iter()
        .map(
            |tag| match (live.fresh_value(tag, wall_ms), live.get(tag)) {
                (Some(value), Some(u)) if value.is_finite() => Input {
                    value,
                    ts_ms: u.source_ms,
                    good: true,
                },
                _ => Input::MISSING,
            },
        )
        .collect()
}
