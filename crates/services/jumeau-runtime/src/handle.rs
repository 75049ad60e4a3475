//! Starting the runtime and the handle every client of it holds.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context;
use jumeau_core::masterdata::MasterData;
use jumeau_store::{ChangeSetRow, LogEntry, LogFilter, Store};
use jumeau_tagbus::LiveValues;

use crate::alarms::AlarmBoard;
use crate::boards::{Boards, SourceStatus};
use crate::clock::PlantClock;
use crate::commands::{Command, Envelope, Pending, Reply};
use crate::config::{Actor, RuntimeConfig};
use crate::door::{Door, Runtime};
use crate::events::{EventLog, RuntimeEvent};
use crate::historian::Historian;
use crate::procedures::ProcedureBoard;
use crate::reads::{ReadRequest, Series, TrendQuery};
use crate::service::Services;
use crate::source::{Source, SourceKind};

struct Shared {
    md: MasterData,
    actor: Actor,
    training: bool,
    last_changeset: Option<ChangeSetRow>,
    boards: Boards,
    commands: Sender<Envelope>,
    reads: Sender<ReadRequest>,
    /// Dropped with the last handle: the source's thread then stops (and its server with it).
    _stop: tokio::sync::oneshot::Sender<()>,
    /// Dropped with the last handle: the sync thread stops.
    _stop_sync: tokio::sync::oneshot::Sender<()>,
}

/// A running runtime, shared by cloning. When the last handle is dropped the services stop.
#[derive(Clone)]
pub struct RuntimeHandle {
    shared: Arc<Shared>,
}

impl Runtime {
    /// Opens and starts a runtime (see [`Runtime::open`] and [`Runtime::launch`]).
    pub fn start(config: RuntimeConfig) -> anyhow::Result<RuntimeHandle> {
        Runtime::open(config)?.launch()
    }

    /// Starts the services: the source and historian on a tokio thread, alarms, procedure
    /// runs, commands and automatic entries on the service thread, store reads on a third.
    /// Errors in the configuration are reported now; trouble with the source later shows as
    /// stale values and [`SourceStatus::error`], and the source keeps retrying.
    pub fn launch(self) -> anyhow::Result<RuntimeHandle> {
        let Runtime {
            door:
                Door {
                    files,
                    source: kind,
                    store,
                    md,
                    last_changeset,
                    ..
                },
            actor,
        } = self;
        // Everything recorded on the built-in simulator is training.
        let training = matches!(kind, SourceKind::Simulator { .. });
        let boards = Boards {
            live: Arc::new(Mutex::new(LiveValues::new(5_000))),
            status: Arc::new(Mutex::new(SourceStatus::default())),
            alarms: Arc::new(Mutex::new(AlarmBoard::new(&md))),
            procedures: Arc::new(Mutex::new(ProcedureBoard::load(&md))),
            events: Arc::new(Mutex::new(EventLog::default())),
            clock: PlantClock::default(),
            sync: Arc::new(Mutex::new(crate::SyncStatus::default())),
        };
        let historian = Historian::new(Store::open(&files)?);
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let source = Source {
            md: md.clone(),
            live: boards.live.clone(),
            status: boards.status.clone(),
            clock: boards.clock.clone(),
        };
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("cannot start the source's runtime")?;
        std::thread::Builder::new()
            .name("jumeau-source".into())
            .spawn(move || {
                tokio.block_on(async move {
                    tokio::select! {
                        _ = source.run(kind, historian) => {}
                        _ = stop_rx => {}
                    }
                });
            })
            .context("cannot start the source thread")?;
        let (commands, rx) = std::sync::mpsc::channel();
        let services = Services::new(store, actor.clone(), training, boards.clone());
        std::thread::Builder::new()
            .name("jumeau-services".into())
            .spawn(move || services.run(rx))
            .context("cannot start the service thread")?;
        let (stop_sync, stop_sync_rx) = tokio::sync::oneshot::channel::<()>();
        crate::sync::start(
            files.clone(),
            boards.sync.clone(),
            boards.events.clone(),
            stop_sync_rx,
        )
        .context("cannot start the sync thread")?;
        let reads = crate::reads::start_worker(files).context("cannot start the store reader")?;
        Ok(RuntimeHandle {
            shared: Arc::new(Shared {
                md,
                actor,
                training,
                last_changeset,
                boards,
                commands,
                reads,
                _stop: stop_tx,
                _stop_sync: stop_sync,
            }),
        })
    }
}

impl RuntimeHandle {
    /// Master data as the store held it at start.
    pub fn md(&self) -> &MasterData {
        &self.shared.md
    }

    pub fn actor(&self) -> &Actor {
        &self.shared.actor
    }

    /// The source is the built-in simulator: everything recorded is training.
    pub fn training(&self) -> bool {
        self.shared.training
    }

    /// The last validated master-data change-set at start.
    pub fn last_changeset(&self) -> Option<&ChangeSetRow> {
        self.shared.last_changeset.as_ref()
    }

    /// The live values, locked for reading (None if a service died holding them).
    pub fn live(&self) -> Option<MutexGuard<'_, LiveValues>> {
        self.shared.boards.live.lock().ok()
    }

    pub fn status(&self) -> SourceStatus {
        self.shared
            .boards
            .status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// The alarm board, locked for reading.
    pub fn alarms(&self) -> Option<MutexGuard<'_, AlarmBoard>> {
        self.shared.boards.alarms.lock().ok()
    }

    /// Procedures and runs, locked for reading.
    pub fn procedures(&self) -> Option<MutexGuard<'_, ProcedureBoard>> {
        self.shared.boards.procedures.lock().ok()
    }

    /// The events numbered `cursor..` still in memory, and the cursor to ask with next.
    pub fn events_since(&self, cursor: u64) -> (Vec<RuntimeEvent>, u64) {
        self.shared
            .boards
            .events
            .lock()
            .map(|e| e.since(cursor))
            .unwrap_or((Vec::new(), cursor))
    }

    /// Plant time: the simulator's for the built-in simulator, the wall clock otherwise.
    /// Where sync with the plant hub stands.
    pub fn sync(&self) -> crate::SyncStatus {
        self.shared
            .boards
            .sync
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    pub fn clock(&self) -> &PlantClock {
        &self.shared.boards.clock
    }

    /// The simulator's latest journal lines (simulated seconds, text), newest first.
    pub fn simulator_journal(&self, n: usize) -> Vec<(f64, String)> {
        let Some(h) = self.shared.boards.clock.simulator() else {
            return Vec::new();
        };
        let Ok(sim) = h.simulator.lock() else {
            return Vec::new();
        };
        sim.journal().iter().rev().take(n).cloned().collect()
    }

    /// Sends a command to the service thread.
    pub fn send(&self, command: Command) -> Pending<Reply> {
        let (reply, pending) = Pending::new();
        // If the service thread is gone the reply sender is dropped with the command, and the
        // pending answer says the runtime has stopped.
        let _ = self.shared.commands.send(Envelope { command, reply });
        pending
    }

    /// A trend from the historian.
    pub fn trend(&self, query: TrendQuery) -> Pending<Series> {
        let (reply, pending) = Pending::new();
        let _ = self.shared.reads.send(ReadRequest::Trend(query, reply));
        pending
    }

    /// Logbook entries matching `filter`, oldest first.
    pub fn logbook(&self, filter: LogFilter) -> Pending<Vec<LogEntry>> {
        let (reply, pending) = Pending::new();
        let _ = self.shared.reads.send(ReadRequest::Logbook(filter, reply));
        pending
    }
}
