//! The service thread: carries out commands for the actor (rights checked here, below any UI),
//! evaluates the alarm rules on plant time, advances procedure runs, and writes the journal and
//! the automatic logbook entries with its own store connection. A command is answered only once
//! what it changed is in the store.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use jumeau_core::access::Action;
use jumeau_core::alarm::AlarmEvent;
use jumeau_core::sync::{AlarmCommand, AlarmOp};
use jumeau_store::Store;

use crate::alarms::{CYCLE_MS, inputs};
use crate::boards::Boards;
use crate::commands::{Command, Envelope, Reply, TrainerCommand};
use crate::config::Actor;
use crate::events::RuntimeEvent;
use jumeau_core::logbook::{Category, auto};

/// How often runs started or advanced by another client on the same store are adopted.
const SYNC_EVERY: Duration = Duration::from_secs(3);
/// The shortest alarm cycle, whatever the simulator's speed.
const MIN_CYCLE: Duration = Duration::from_millis(50);

pub(crate) struct Services {
    store: Store,
    actor: Actor,
    training: bool,
    boards: Boards,
    /// The engine's tags in its input order (a copy, so that the live values are read without
    /// holding the alarm board).
    alarm_tags: Vec<String>,
    /// Alarm events not yet in the journal.
    pending: Vec<AlarmEvent>,
    /// The actor's alarm commands behind them, not yet in the outbox.
    commands: Vec<AlarmOp>,
    /// Simulator journal lines already written to the logbook.
    journal_seen: usize,
}

impl Services {
    pub fn new(store: Store, actor: Actor, training: bool, boards: Boards) -> Services {
        let alarm_tags = boards
            .alarms
            .lock()
            .map(|b| b.engine.tags().to_vec())
            .unwrap_or_default();
        Services {
            store,
            actor,
            training,
            boards,
            alarm_tags,
            pending: Vec::new(),
            commands: Vec::new(),
            journal_seen: 0,
        }
    }

    /// Runs until every handle is gone.
    pub fn run(mut self, rx: Receiver<Envelope>) {
        if let Ok(mut p) = self.boards.procedures.lock() {
            p.sync(&self.store, &self.actor.device);
        }
        let mut received = 0;
        let mut next_cycle = Instant::now();
        let mut next_sync = Instant::now() + SYNC_EVERY;
        loop {
            match rx.recv_timeout(next_cycle.saturating_duration_since(Instant::now())) {
                Ok(envelope) => {
                    let result = self.execute(envelope.command);
                    let _ = envelope.reply.send(result);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let now = Instant::now();
            if now >= next_cycle {
                self.cycle();
                next_cycle = now + self.cycle_period();
            }
            let from_hub = self.boards.sync.lock().map_or(received, |s| s.received);
            if now >= next_sync || from_hub != received {
                self.adopt_runs();
                self.take_remote_alarm_commands();
                received = from_hub;
                next_sync = now + SYNC_EVERY;
            }
        }
    }

    /// Runs moved by another client or device, and other devices' actions on the runs
    /// ticked here.
    fn adopt_runs(&mut self) {
        let plant = self.boards.clock.now_ms();
        let moved = match self.boards.procedures.lock() {
            Ok(mut p) => {
                p.sync(&self.store, &self.actor.device);
                p.apply_remote(&mut self.store, &self.actor, plant)
            }
            Err(_) => Vec::new(),
        };
        self.push_run_events(moved);
    }

    /// Other devices' alarm commands, applied here in the hub's order (a register write older
    /// than one already applied is kept as superseded) and journaled with their results.
    fn take_remote_alarm_commands(&mut self) {
        let pending = match self.store.pending_alarm_actions() {
            Ok(p) if p.is_empty() => return,
            Ok(p) => p,
            Err(e) => return tracing::warn!("alarm commands from the hub: {e}"),
        };
        let now = self.boards.clock.now_ms();
        let (events, settled) = match self.boards.alarms.lock() {
            Ok(mut board) => {
                crate::alarms::take_remote(&mut board.engine, &self.store, &pending, now)
            }
            Err(_) => return,
        };
        if let Err(e) = self
            .store
            .settle_alarm_actions(&events, &settled, self.training)
        {
            tracing::warn!("alarm commands from the hub: {e}");
        }
        if let Ok(mut log) = self.boards.events.lock() {
            for e in events {
                log.push(RuntimeEvent::Alarm(e));
            }
        }
    }

    /// At ×N the rules run N times as often, so that they see the plant seconds they would
    /// see at ×1.
    fn cycle_period(&self) -> Duration {
        let speed = self.boards.clock.speed().max(1.0);
        Duration::from_millis(CYCLE_MS)
            .div_f64(speed)
            .max(MIN_CYCLE)
    }

    /// One cycle: the simulator's journal, the alarm rules, the procedure runs, then the alarm
    /// journal.
    fn cycle(&mut self) {
        self.record_simulator_journal();
        let wall = jumeau_tagbus::now_ms();
        let plant = self.boards.clock.now_ms();
        // A copy: the rules and the runs are evaluated without holding the live values, which
        // a viewer holds while it draws.
        let live = match self.boards.live.lock() {
            Ok(live) if !live.is_empty() => Some(live.clone()),
            _ => None,
        };
        // Until the source's first value there is nothing to judge (quality alarms are for
        // values that were there and went stale, not for a client still connecting).
        let Some(live) = live else {
            return self.flush_alarms_quietly();
        };
        let inputs = inputs(&self.alarm_tags, &live, wall);
        let events = match self.boards.alarms.lock() {
            Ok(mut board) => board.engine.evaluate(plant, &inputs),
            Err(_) => Vec::new(),
        };
        self.push_alarms(events);
        let moved = match self.boards.procedures.lock() {
            Ok(mut p) => p.tick(&mut self.store, &self.actor, &live, wall, plant),
            Err(_) => Vec::new(),
        };
        self.push_run_events(moved);
        self.flush_alarms_quietly();
    }

    fn push_alarms(&mut self, events: Vec<AlarmEvent>) {
        if let Ok(mut log) = self.boards.events.lock() {
            for e in &events {
                log.push(RuntimeEvent::Alarm(e.clone()));
            }
        }
        self.pending.extend(events);
    }

    fn push_run_events(&mut self, moved: crate::procedures::Moved) {
        let Ok(mut log) = self.boards.events.lock() else {
            return;
        };
        for (run, procedure, events) in moved {
            for event in events {
                log.push(RuntimeEvent::Procedure {
                    run,
                    procedure: procedure.clone(),
                    event,
                });
            }
        }
    }

    /// Writes the pending alarm events to the journal (and the logbook). A failed write keeps
    /// them for the next try: nothing is lost.
    fn flush_alarms(&mut self) -> Result<(), String> {
        if self.pending.is_empty() && self.commands.is_empty() {
            return Ok(());
        }
        let result = self
            .store
            .record_alarm_events(
                &self.pending,
                &self.commands,
                self.training,
                Some(&self.actor.login),
            )
            .map_err(|e| e.to_string());
        if result.is_ok() {
            self.pending.clear();
            self.commands.clear();
        }
        if let Ok(mut board) = self.boards.alarms.lock() {
            board.error = result.as_ref().err().cloned();
        }
        result
    }

    fn flush_alarms_quietly(&mut self) {
        if let Err(e) = self.flush_alarms() {
            tracing::warn!("alarm journal: {e}");
        }
    }

    /// The built-in simulator's journal (scenario events, trainer commands, protection trips)
    /// as signed automatic logbook entries flagged as training. Retried on the next cycle.
    fn record_simulator_journal(&mut self) {
        let Some(sim) = self.boards.clock.simulator() else {
            return;
        };
        let lines: Vec<(f64, String, String)> = {
            let Ok(sim) = sim.simulator.lock() else {
                return;
            };
            let name = sim.scenario().name.clone();
            sim.journal()[self.journal_seen.min(sim.journal().len())..]
                .iter()
                .map(|(t, what)| (*t, what.clone(), name.clone()))
                .collect()
        };
        if lines.is_empty() {
            return;
        }
        let drafts: Vec<_> = lines
            .iter()
            .map(|(t, what, name)| auto::simulator(name, *t, what))
            .collect();
        match self.store.append_logbook_batch(&self.actor.login, &drafts) {
            Ok(ids) => {
                self.journal_seen += drafts.len();
                if let Ok(mut log) = self.boards.events.lock() {
                    for ((t_s, text, _), id) in lines.into_iter().zip(ids) {
                        log.push(RuntimeEvent::Simulator { t_s, text });
                        log.push(RuntimeEvent::Logbook {
                            id,
                            category: Category::Simulator.as_str().into(),
                        });
                    }
                }
            }
            Err(e) => {
                if let Ok(mut b) = self.boards.alarms.lock() {
                    b.error = Some(e.to_string());
                }
            }
        }
    }

    fn execute(&mut self, command: Command) -> Result<Reply, String> {
        let now = self.boards.clock.now_ms();
        let login = self.actor.login.clone();
        match command {
            Command::Acknowledge { alarm } => self.alarm_command(alarm, AlarmCommand::Acknowledge),
            Command::Shelve {
                alarm,
                minutes,
                reason,
            } => {
                if minutes <= 0 {
                    return Err("a shelf lasts at least one minute".into());
                }
                let until_ms = now + minutes * 60_000;
                self.alarm_command(alarm, AlarmCommand::Shelve { until_ms, reason })
            }
            Command::Unshelve { alarm } => self.alarm_command(alarm, AlarmCommand::Unshelve),
            Command::OutOfService { alarm, reason } => {
                self.alarm_command(alarm, AlarmCommand::OutOfService { reason })
            }
            Command::Trainer(t) => {
                self.allow(Action::CommandSimulator)?;
                self.trainer(t).map(|()| Reply::Done)
            }
            Command::StartProcedure { name } => {
                self.allow(Action::RunProcedure)?;
                let mut board = self.boards.procedures.lock().map_err(|_| poisoned())?;
                let id = board.start(&mut self.store, &self.actor, &name, now, self.training)?;
                Ok(Reply::RunStarted(id))
            }
            Command::ProcedureAction { run, step, action } => {
                self.allow(Action::RunProcedure)?;
                let (events, procedure) = {
                    let mut board = self.boards.procedures.lock().map_err(|_| poisoned())?;
                    let events =
                        board.act(&mut self.store, &self.actor, run, &step, action, now)?;
                    let procedure = board.run(run).map(|r| r.run.procedure.clone());
                    (events, procedure.unwrap_or_default())
                };
                self.push_run_events(vec![(run, procedure, events)]);
                Ok(Reply::Done)
            }
            Command::AppendLogbook(draft) => {
                // What a person writes is manual; Jumeau's own entries are worded here only.
                if draft.kind != jumeau_core::logbook::EntryKind::Manual {
                    return Err("only manual entries may be appended by a command".into());
                }
                self.append(draft)
            }
            Command::SecondFactor { code } => done(self.store.verify_second_factor(&login, &code)),
            Command::Audit(filter) => self
                .store
                .audit_rows(&login, &filter)
                .map(Reply::Audit)
                .map_err(|e| e.to_string()),
            Command::ExportAudit { filter, out } => self.export_audit(&filter, &out),
            Command::Lock => done(self.store.lock_session(&login)),
            Command::Unlock { password } => done(self.store.unlock_session(&login, &password)),
            Command::Session { opened } => {
                let draft = auto::session(opened, &self.actor.display_name, &self.actor.device);
                let reply = self.append(draft)?;
                if !opened {
                    self.store
                        .logout(&self.actor.login, "client closed")
                        .map_err(|e| e.to_string())?;
                }
                Ok(reply)
            }
        }
    }

    /// The store's check, below any UI: the actor's session, the core's permission matrix,
    /// the second factor where the action needs one.
    fn allow(&self, action: Action) -> Result<(), String> {
        self.store
            .may(&self.actor.login, action)
            .map_err(|e| e.to_string())
    }

    /// The audit rows to `out`, signed with the actor's session key.
    fn export_audit(
        &mut self,
        filter: &jumeau_store::AuditFilter,
        out: &std::path::Path,
    ) -> Result<Reply, String> {
        let login = &self.actor.login;
        let rows = self
            .store
            .audit_rows(login, filter)
            .map_err(|e| e.to_string())?;
        let session = self
            .store
            .session(login)
            .cloned()
            .ok_or_else(|| format!("{login} is not logged in"))?;
        let now = self.store.now().map_err(|e| e.to_string())?;
        jumeau_reports::export_audit(&rows, out, &session, &now).map_err(|e| e.to_string())?;
        Ok(Reply::Exported(jumeau_reports::manifest_path(out)))
    }

    /// An operator's command on an alarm, checked against the actor's rights, applied to the
    /// engine, journaled and sent to the other devices in one transaction before the answer.
    fn alarm_command(&mut self, code: String, command: AlarmCommand) -> Result<Reply, String> {
        self.allow(command.right())?;
        let now = self.boards.clock.now_ms();
        let events = {
            let mut board = self.boards.alarms.lock().map_err(|_| poisoned())?;
            crate::alarms::apply(&mut board.engine, &code, &command, &self.actor.login, now)
                .map_err(|e| e.to_string())?
        };
        self.push_alarms(events);
        self.commands.push(AlarmOp {
            at_ms: now,
            code,
            command,
        });
        self.flush_alarms().map(|()| Reply::Done)
    }

    fn trainer(&mut self, command: TrainerCommand) -> Result<(), String> {
        let sim = self
            .boards
            .clock
            .simulator()
            .ok_or("the source is not the built-in simulator")?;
        match command {
            TrainerCommand::Pause(paused) => {
                sim.clock.lock().map_err(|_| poisoned())?.paused = paused;
            }
            TrainerCommand::Speed(speed) => {
                sim.clock.lock().map_err(|_| poisoned())?.set_speed(speed)?;
            }
            TrainerCommand::Plant(action) => {
                sim.simulator
                    .lock()
                    .map_err(|_| poisoned())?
                    .command(&action);
                // In the logbook before the answer.
                self.record_simulator_journal();
            }
        }
        Ok(())
    }

    fn append(&mut self, draft: jumeau_core::logbook::EntryDraft) -> Result<Reply, String> {
        let id = self
            .store
            .append_logbook(&self.actor.login, &draft)
            .map_err(|e| e.to_string())?;
        if let Ok(mut log) = self.boards.events.lock() {
            log.push(RuntimeEvent::Logbook {
                id,
                category: draft.category.clone(),
            });
        }
        Ok(Reply::Entry(id))
    }
}

/// A store write answered as done, or its error as the command's.
fn done(result: Result<(), jumeau_store::StoreError>) -> Result<Reply, String> {
    result.map(|()| Reply::Done).map_err(|e| e.to_string())
}

fn poisoned() -> String {
    "a runtime service failed; restart the client".into()
}
