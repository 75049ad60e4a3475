//! The state the runtime's threads share with its handles: each board behind its own lock, so
//! that a reader of live values never waits for the alarm cycle.

use std::sync::{Arc, Mutex};

use jumeau_tagbus::LiveValues;

use crate::alarms::AlarmBoard;
use crate::clock::PlantClock;
use crate::events::EventLog;
use crate::procedures::ProcedureBoard;
use crate::sync::SyncStatus;

/// What a client shows about the data source.
#[derive(Debug, Clone, Default)]
pub struct SourceStatus {
    pub endpoint: String,
    /// Scenario title when the source is the built-in simulator (once it serves).
    pub simulator: Option<String>,
    pub error: Option<String>,
}

/// The state the services share with the handles.
#[derive(Clone)]
pub(crate) struct Boards {
    pub live: Arc<Mutex<LiveValues>>,
    pub status: Arc<Mutex<SourceStatus>>,
    pub alarms: Arc<Mutex<AlarmBoard>>,
    pub procedures: Arc<Mutex<ProcedureBoard>>,
    pub events: Arc<Mutex<EventLog>>,
    pub clock: PlantClock,
    pub sync: Arc<Mutex<SyncStatus>>,
}
