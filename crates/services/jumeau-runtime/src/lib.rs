//! The plant runtime: every non-graphical service of a Jumeau client behind one handle. It owns
//! the data source (the built-in simulator served over OPC UA on loopback, or a plant's OPC UA
//! server or MQTT broker), the historian writer, the alarm engine and its journal, the
//! procedure runs, and the one writer of automatic logbook entries. A viewer or a command-line
//! tool talks to it only through [`RuntimeHandle`]: a snapshot of live values, alarms and runs;
//! a command channel; an event stream. No Bevy, no clap.

mod alarms;
mod boards;
mod clock;
mod commands;
mod config;
mod door;
mod dryrun;
mod events;
mod handle;
mod historian;
mod procedures;
mod reads;
mod service;
mod source;
mod sync;

pub use alarms::{AlarmBoard, CYCLE_MS};
pub use boards::SourceStatus;
pub use clock::PlantClock;
pub use commands::{Command, Pending, Reply, TrainerCommand};
pub use config::{Actor, RuntimeConfig, SourceConfig};
pub use door::{Door, LoginRefusal, Refused, Runtime};
pub use dryrun::{DryRun, DryRunEnd};
pub use events::RuntimeEvent;
pub use handle::RuntimeHandle;
pub use procedures::{ProcedureBoard, RunView};
pub use reads::{Series, TrendQuery};
pub use source::{mqtt_checks, watch_items};
pub use sync::{SyncState, SyncStatus};
// The store records the viewer shows, so that a viewer needs no store of its own.
pub use jumeau_store::{
    APPLIED, AuditFilter, AuditRow, ChangeSetRow, LogEntry, LogFilter, Password, RunAction,
    StoreError, Weakness,
};
