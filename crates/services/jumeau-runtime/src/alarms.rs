//! The alarm board: the engine as the runtime's services left it after the last cycle, shared
//! with the handle for reading (annunciated alarms, worst priority per component, states).

use jumeau_core::alarm::{AlarmEngine, AlarmEvent, CommandError, Input};
use jumeau_core::masterdata::MasterData;
use jumeau_core::sync::AlarmCommand;
use jumeau_store::{RemoteAlarmAction, Store};
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

/// A command carried out on the engine by `user`.
pub(crate) fn apply(
    engine: &mut AlarmEngine,
    code: &str,
    command: &AlarmCommand,
    user: &str,
    now_ms: i64,
) -> Result<Vec<AlarmEvent>, CommandError> {
    match command {
        AlarmCommand::Acknowledge => engine.acknowledge(code, user, now_ms).map(|e| vec![e]),
        AlarmCommand::Shelve { until_ms, reason } => engine
            .shelve(code, *until_ms, reason, user, now_ms)
            .map(|e| vec![e]),
        AlarmCommand::Unshelve => engine.unshelve(code, user, now_ms),
        AlarmCommand::OutOfService { reason } => {
            engine.set_out_of_service(code, reason.as_deref(), user, now_ms)
        }
    }
}

/// Other devices' commands carried out here, in order: the transitions they caused and each
/// command's result (`applied`, superseded by a later write, or why it does not apply here).
pub(crate) fn take_remote(
    engine: &mut AlarmEngine,
    store: &Store,
    pending: &[RemoteAlarmAction],
    now_ms: i64,
) -> (Vec<AlarmEvent>, Vec<(String, String)>) {
    let mut events = Vec::new();
    let mut settled = Vec::new();
    for a in pending {
        let result = match take_one(engine, store, a, now_ms) {
            Ok(e) => {
                events.extend(e);
                jumeau_store::APPLIED.to_owned()
            }
            Err(why) => why,
        };
        settled.push((a.op_id.clone(), result));
    }
    (events, settled)
}

fn take_one(
    engine: &mut AlarmEngine,
    store: &Store,
    a: &RemoteAlarmAction,
    now_ms: i64,
) -> Result<Vec<AlarmEvent>, String> {
    if let Some((op_id, author, device)) = &a.superseded_by {
        return Err(format!("superseded by {author}@{device} ({op_id})"));
    }
    store.remote_author_role(&a.author, a.action.command.right())?;
    // A shelf lasts what was left of it when it was taken, less the time it took to arrive
    // (on the wall clock: plant clocks of two simulators need not agree).
    let command = match &a.action.command {
        AlarmCommand::Shelve { until_ms, reason } => {
            let travelled = (jumeau_tagbus::now_ms() - a.hlc.wall_ms as i64).max(0);
            let left = until_ms - a.action.at_ms - travelled;
            if left <= 0 {
                return Err("the shelf had run out when it arrived".into());
            }
            AlarmCommand::Shelve {
                until_ms: now_ms + left,
                reason: reason.clone(),
            }
        }
        c => c.clone(),
    };
    apply(engine, &a.action.code, &command, &a.author, now_ms)
        .map_err(|e| format!("not applicable here: {e}"))
}
