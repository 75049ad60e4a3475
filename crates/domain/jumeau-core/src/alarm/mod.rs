//! Alarms: rules as data, the evaluation engine with the ISA-18.2 lifecycle, and the
//! alarm-management KPIs. Pure; the store keeps the journal, the client shows the state.

mod engine;
pub mod kpi;

pub use engine::{
    Alarm, AlarmEngine, AlarmEvent, AlarmState, CommandError, EventKind, Input, MAX_SHELF_MS,
    RuleError, Shelf,
};
// Rules are master data (an alarm reference carries its rule); the engine evaluates them.
pub use crate::masterdata::rule::{AlarmRule, Condition, limit_is_high};

#[cfg(test)]
mod tests;
