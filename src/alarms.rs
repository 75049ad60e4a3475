//! The client's alarm service: the engine evaluated on the live values twice a second on the
//! feed's thread; operators' commands from the panels; every transition journalled in the
//! store and signed into the logbook by the client's user. No Bevy here.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};

use jumeau_core::alarm::{AlarmEngine, AlarmEvent, CommandError, Input};
use jumeau_core::logbook::EntryDraft;
use jumeau_core::masterdata::MasterData;
use jumeau_scada::LiveValues;
use jumeau_store::{Signer, Store};

use crate::feed::FeedStatus;

/// How often the rules run.
pub const CYCLE_MS: u64 = 500;
/// Transitions kept in memory for the panels and `alarms watch`.
const RECENT: usize = 2_000;

/// The engine and what it produced, shared between the feed thread and the client.
pub struct AlarmBoard {
    pub engine: AlarmEngine,
    /// Not yet written to the store.
    pending: Vec<AlarmEvent>,
    /// The latest transitions, oldest first.
    pub recent: VecDeque<AlarmEvent>,
    /// Transitions since start (the index of the next one).
    pub total: u64,
    /// Last journal write failure, shown in the client.
    pub error: Option<String>,
}

pub type SharedAlarms = Arc<Mutex<AlarmBoard>>;

impl AlarmBoard {
    pub fn new(md: &MasterData) -> AlarmBoard {
        let engine = AlarmEngine::new(md);
        for p in engine.problems() {
            tracing::warn!("alarm rule skipped: {p}");
        }
        AlarmBoard {
            engine,
            pending: Vec::new(),
            recent: VecDeque::new(),
            total: 0,
            error: None,
        }
    }

    fn push(&mut self, events: Vec<AlarmEvent>) {
        for e in events {
            if self.recent.len() == RECENT {
                self.recent.pop_front();
            }
            self.recent.push_back(e.clone());
            self.pending.push(e);
            self.total += 1;
        }
    }

    /// The transitions numbered `from..total` still in memory, and the next number.
    pub fn events_since(&self, from: u64) -> (Vec<AlarmEvent>, u64) {
        let first = self.total - self.recent.len() as u64;
        let skip = from.saturating_sub(first) as usize;
        (self.recent.iter().skip(skip).cloned().collect(), self.total)
    }

    pub fn acknowledge(&mut self, code: &str, user: &str) -> Result<(), CommandError> {
        let e = self
            .engine
            .acknowledge(code, user, jumeau_scada::now_ms())?;
        self.push(vec![e]);
        Ok(())
    }

    pub fn shelve(
        &mut self,
        code: &str,
        minutes: i64,
        reason: &str,
        user: &str,
    ) -> Result<(), CommandError> {
        let now = jumeau_scada::now_ms();
        let e = self
            .engine
            .shelve(code, now + minutes * 60_000, reason, user, now)?;
        self.push(vec![e]);
        Ok(())
    }

    pub fn unshelve(&mut self, code: &str, user: &str) -> Result<(), CommandError> {
        let events = self.engine.unshelve(code, user, jumeau_scada::now_ms())?;
        self.push(events);
        Ok(())
    }

    pub fn set_out_of_service(
        &mut self,
        code: &str,
        reason: Option<&str>,
        user: &str,
    ) -> Result<(), CommandError> {
        let events = self
            .engine
            .set_out_of_service(code, reason, user, jumeau_scada::now_ms())?;
        self.push(events);
        Ok(())
    }
}

/// The engine's inputs from the live values: a value counts only while it is fresh.
pub fn inputs(tags: &[String], live: &LiveValues, now_ms: i64) -> Vec<Input> {
    tags.iter()
        .map(|tag| match (live.fresh_value(tag, now_ms), live.get(tag)) {
            (Some(value), Some(u)) if value.is_finite() => Input {
                value,
                ts_ms: u.source_ms,
                good: true,
            },
            _ => Input::MISSING,
        })
        .collect()
}

/// Writes the transitions to the store from the feed thread (its own connection).
pub struct Recorder {
    store: Store,
    /// The engine's tags, in its input order (a copy, so that the live values are read
    /// without holding the board: the client locks them in the other order).
    tags: Vec<String>,
    login: String,
    device: String,
    /// The source is the built-in simulator: entries are training entries.
    training: bool,
    /// Simulator journal entries (scenario events, trainer commands, protection trips)
    /// already written to the logbook.
    journal_seen: usize,
}

impl Recorder {
    pub fn open(
        store_path: &Path,
        board: &SharedAlarms,
        login: &str,
        device: &str,
        training: bool,
    ) -> anyhow::Result<Recorder> {
        Ok(Recorder {
            store: Store::open(store_path)?,
            tags: board.lock().expect("alarm lock").engine.tags().to_vec(),
            login: login.to_owned(),
            device: device.to_owned(),
            training,
            journal_seen: 0,
        })
    }

    /// One cycle: evaluate, then journal everything pending (commands included). A failed
    /// write keeps the transitions pending for the next cycle: nothing is lost.
    pub fn cycle(
        &mut self,
        board: &SharedAlarms,
        live: &Mutex<LiveValues>,
        status: &Mutex<FeedStatus>,
    ) {
        self.record_simulator_journal(board, status);
        let now = jumeau_scada::now_ms();
        // Until the source has delivered its first value there is nothing to judge (the top bar
        // says there is no live data): quality alarms are for values that were there and went
        // stale, not for a client still connecting.
        let inputs = {
            let live = live.lock().expect("live lock");
            (!live.is_empty()).then(|| inputs(&self.tags, &live, now))
        };
        let mut guard = board.lock().expect("alarm lock");
        if let Some(inputs) = inputs {
            let events = guard.engine.evaluate(now, &inputs);
            guard.push(events);
        }
        let pending = std::mem::take(&mut guard.pending);
        drop(guard);
        if pending.is_empty() {
            return;
        }
        let signer = Signer {
            login: &self.login,
            device: &self.device,
        };
        let result = self
            .store
            .record_alarm_events(&pending, self.training, Some(signer));
        let mut guard = board.lock().expect("alarm lock");
        match result {
            Ok(()) => guard.error = None,
            Err(e) => {
                guard.error = Some(e.to_string());
                let newer = std::mem::replace(&mut guard.pending, pending);
                guard.pending.extend(newer);
            }
        }
    }
}

impl Recorder {
    /// The built-in simulator's journal (scenario events, trainer commands, protection trips)
    /// as signed automatic logbook entries flagged as training. A failed write is retried on
    /// the next cycle.
    fn record_simulator_journal(&mut self, board: &SharedAlarms, status: &Mutex<FeedStatus>) {
        let Some(control) = status.lock().ok().and_then(|s| s.control.clone()) else {
            return;
        };
        let drafts: Vec<EntryDraft> = {
            let Ok(sim) = control.simulator.lock() else {
                return;
            };
            sim.journal()[self.journal_seen.min(sim.journal().len())..]
                .iter()
                .map(|(t, what)| EntryDraft {
                    kind: "automatic".into(),
                    category: "simulator".into(),
                    text: format!(
                        "Simulateur, scénario « {} », t = {} : {what}",
                        sim.scenario().name,
                        plant_time(*t)
                    ),
                    training: true,
                    ..EntryDraft::default()
                })
                .collect()
        };
        if drafts.is_empty() {
            return;
        }
        match self
            .store
            .append_logbook_batch(&self.login, &self.device, &drafts)
        {
            Ok(_) => self.journal_seen += drafts.len(),
            Err(e) => {
                if let Ok(mut b) = board.lock() {
                    b.error = Some(e.to_string());
                }
            }
        }
    }
}

/// Simulated time as `1 h 02 min 05 s`.
fn plant_time(t_s: f64) -> String {
    let s = t_s.max(0.0) as u64;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, m, s) => format!("{m} min {s:02} s"),
        (h, m, s) => format!("{h} h {m:02} min {s:02} s"),
    }
}
