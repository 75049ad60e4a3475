//! Starting the runtime and the handle every client of it holds.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context;
use jumeau_core::masterdata::MasterData;
use jumeau_sim::{Clock, Scenario, Simulator};
use jumeau_store::{ChangeSetRow, LogEntry, LogFilter, Store};
use jumeau_tagbus::LiveValues;

use crate::alarms::AlarmBoard;
use crate::boards::{Boards, SourceStatus};
use crate::clock::PlantClock;
use crate::commands::{Command, Envelope, Pending, Reply};
use crate::config::{Actor, RuntimeConfig, SourceConfig};
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
}

/// A running runtime, shared by cloning. When the last handle is dropped the services stop.
#[derive(Clone)]
pub struct RuntimeHandle {
    shared: Arc<Shared>,
}

/// A runtime opened on its store (master data and the actor's account loaded) but not
/// started yet: a client checks what it was asked against master data before anything runs.
pub struct Runtime {
    config: RuntimeConfig,
    store: Store,
    md: MasterData,
    actor: Actor,
    last_changeset: Option<ChangeSetRow>,
}

impl Runtime {
    /// Opens and starts a runtime (see [`Runtime::open`] and [`Runtime::launch`]).
    pub fn start(config: RuntimeConfig) -> anyhow::Result<RuntimeHandle> {
        Runtime::open(config)?.launch()
    }

    /// Opens the store (seeded before: the first start shows the one-time passwords, which a
    /// runtime has nobody to show to), logs the actor in, loads master data.
    pub fn open(config: RuntimeConfig) -> anyhow::Result<Runtime> {
        let mut store = Store::open(&config.store)?;
        anyhow::ensure!(
            store.seed_status()? == Some(jumeau_core::ChangeSetStatus::Validated),
            "{} is not set up yet: open it once with Jumeau (first start) before a runtime",
            config.store.store.display()
        );
        let session = store.login(&config.login, &config.password, &config.device)?;
        anyhow::ensure!(
            !session.must_change_password(),
            "{} logs in with a one-time password: set a new one first (jumeau login)",
            config.login
        );
        let md = store.master_data()?;
        let last_changeset = store
            .changesets()?
            .into_iter()
            .rev()
            .find(|c| c.status == jumeau_core::ChangeSetStatus::Validated);
        let actor = Actor {
            login: session.login().to_owned(),
            display_name: session.display_name().to_owned(),
            role: session.role(),
            device: session.device().to_owned(),
        };
        Ok(Runtime {
            config,
            store,
            md,
            actor,
            last_changeset,
        })
    }

    pub fn md(&self) -> &MasterData {
        &self.md
    }

    /// Starts the services: the source and historian on a tokio thread, alarms, procedure
    /// runs, commands and automatic entries on the service thread, store reads on a third.
    /// Errors in the configuration are reported now; trouble with the source later shows as
    /// stale values and [`SourceStatus::error`], and the source keeps retrying.
    pub fn launch(self) -> anyhow::Result<RuntimeHandle> {
        let Runtime {
            config,
            store,
            md,
            actor,
            last_changeset,
        } = self;
        let kind = source_kind(&config.source, &md)?;
        let training = config.source.is_simulator();
        let boards = Boards {
            live: Arc::new(Mutex::new(LiveValues::new(5_000))),
            status: Arc::new(Mutex::new(SourceStatus::default())),
            alarms: Arc::new(Mutex::new(AlarmBoard::new(&md))),
            procedures: Arc::new(Mutex::new(ProcedureBoard::load(&md))),
            events: Arc::new(Mutex::new(EventLog::default())),
            clock: PlantClock::default(),
        };
        let historian = Historian::new(Store::open(&config.store)?);
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
        let reads = crate::reads::start_worker(config.store.clone())
            .context("cannot start the store reader")?;
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
            }),
        })
    }
}

fn source_kind(source: &SourceConfig, md: &MasterData) -> anyhow::Result<SourceKind> {
    Ok(match source {
        SourceConfig::Simulator {
            scenario,
            speed,
            seed,
            addr,
        } => SourceKind::Simulator {
            simulator: Box::new(Simulator::new(&md.tags, Scenario::load(scenario)?, *seed)),
            clock: Clock::new(*speed).map_err(anyhow::Error::msg)?,
            addr: addr.clone(),
        },
        SourceConfig::Endpoint { url, link } => SourceKind::Endpoint {
            url: url.clone(),
            link: link.clone(),
        },
    })
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
