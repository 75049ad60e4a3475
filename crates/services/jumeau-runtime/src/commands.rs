//! What a viewer or a tool asks of the runtime. Every command is carried out on the runtime's
//! service thread for the runtime's actor, whose rights are checked there, below any UI.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::Duration;

use jumeau_core::logbook::EntryDraft;
use jumeau_core::procedure::Action;

#[derive(Debug, Clone)]
pub enum Command {
    Acknowledge {
        alarm: String,
    },
    Shelve {
        alarm: String,
        minutes: i64,
        reason: String,
    },
    Unshelve {
        alarm: String,
    },
    /// Out of service with a reason; back in service with None.
    OutOfService {
        alarm: String,
        reason: Option<String>,
    },
    /// The built-in simulator (trainers only).
    Trainer(TrainerCommand),
    StartProcedure {
        name: String,
    },
    ProcedureAction {
        run: i64,
        /// Empty for actions on the whole run (abort).
        step: String,
        action: Action,
    },
    /// A manual logbook entry, signed by the actor's device key.
    AppendLogbook(EntryDraft),
    /// Recorded as an automatic entry: the actor opened or closed a session on this device.
    Session {
        opened: bool,
    },
    /// A code of the actor's authenticator: the second factor that taking an alarm out of
    /// service asks for (trusted for a while after).
    SecondFactor {
        code: String,
    },
    /// Rows of the audit trail (engineers and auditors).
    Audit(jumeau_store::AuditFilter),
    /// The rows of the audit trail to a CSV file, signed by the actor (`FILE.sig.json`).
    ExportAudit {
        filter: jumeau_store::AuditFilter,
        out: std::path::PathBuf,
    },
    /// The client's screen locks after inactivity: every action is refused until unlocked.
    Lock,
    /// The actor's password again, to unlock.
    Unlock {
        password: jumeau_store::Password,
    },
}

#[derive(Debug, Clone)]
pub enum TrainerCommand {
    Pause(bool),
    Speed(f64),
    /// Start, stop, trip, load set-point, fault injection.
    Plant(jumeau_sim::Action),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Done,
    RunStarted(i64),
    Entry(u64),
    Audit(Vec<jumeau_store::AuditRow>),
    /// The manifest written beside an export.
    Exported(std::path::PathBuf),
}

/// The answer to a command or a query, to be collected later (a viewer polls it each frame, a
/// tool waits for it). Shareable between threads, so that a viewer can keep it in its state.
pub struct Pending<T> {
    rx: Mutex<Receiver<Result<T, String>>>,
}

impl<T> Pending<T> {
    pub(crate) fn new() -> (Sender<Result<T, String>>, Pending<T>) {
        let (tx, rx) = std::sync::mpsc::channel();
        (tx, Pending { rx: Mutex::new(rx) })
    }

    /// The answer if it has come.
    pub fn try_take(&self) -> Option<Result<T, String>> {
        let Ok(rx) = self.rx.lock() else {
            return Some(Err("the runtime's answer was lost".into()));
        };
        match rx.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err("the runtime has stopped".into())),
        }
    }

    /// Waits for the answer.
    pub fn wait(self, timeout: Duration) -> Result<T, String> {
        let rx = self
            .rx
            .into_inner()
            .map_err(|_| "the runtime's answer was lost".to_owned())?;
        match rx.recv_timeout(timeout) {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) => Err("the runtime did not answer in time".into()),
            Err(RecvTimeoutError::Disconnected) => Err("the runtime has stopped".into()),
        }
    }
}

/// A command with where to send its answer.
pub(crate) struct Envelope {
    pub command: Command,
    pub reply: Sender<Result<Reply, String>>,
}
