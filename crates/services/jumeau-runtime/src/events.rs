//! The runtime's event stream: everything that happened, numbered, the latest kept in memory.
//! Readers keep a cursor and ask for what came after it (a viewer once per frame, a CLI in its
//! loop); a reader that fell behind by more than the buffer sees the gap in the numbers.

use std::collections::VecDeque;

use jumeau_core::alarm::AlarmEvent;
use jumeau_core::procedure::RunEvent;

/// Events kept in memory.
const KEPT: usize = 5_000;

#[derive(Debug, Clone)]
pub enum RuntimeEvent {
    /// An alarm transition or an operator's command on an alarm.
    Alarm(AlarmEvent),
    /// A step outcome of a procedure run.
    Procedure {
        run: i64,
        procedure: String,
        event: RunEvent,
    },
    /// An entry the runtime wrote to the logbook (automatic or on request).
    Logbook { id: u64, category: String },
    /// Entries written on other devices arrived through the plant hub.
    Synced { entries: usize },
    /// The simulator's own journal: scenario events, trainer commands, protection trips.
    Simulator { t_s: f64, text: String },
}

#[derive(Default)]
pub(crate) struct EventLog {
    kept: VecDeque<RuntimeEvent>,
    /// Events since start: the number of the next one.
    total: u64,
}

impl EventLog {
    pub fn push(&mut self, e: RuntimeEvent) {
        if self.kept.len() == KEPT {
            self.kept.pop_front();
        }
        self.kept.push_back(e);
        self.total += 1;
    }

    /// The events numbered `from..` still in memory, and the next number.
    pub fn since(&self, from: u64) -> (Vec<RuntimeEvent>, u64) {
        let first = self.total - self.kept.len() as u64;
        let skip = from.saturating_sub(first) as usize;
        (self.kept.iter().skip(skip).cloned().collect(), self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(n: u64) -> RuntimeEvent {
        RuntimeEvent::Simulator {
            t_s: n as f64,
            text: n.to_string(),
        }
    }

    #[test]
    fn readers_get_what_came_after_their_cursor() {
        let mut log = EventLog::default();
        for n in 0..3 {
            log.push(sim(n));
        }
        let (events, next) = log.since(1);
        assert_eq!(next, 3);
        assert!(
            matches!(&events[..], [RuntimeEvent::Simulator { text: a, .. }, RuntimeEvent::Simulator { text: b, .. }] if a == "1" && b == "2")
        );
        assert!(log.since(3).0.is_empty());
    }

    #[test]
    fn a_reader_behind_the_buffer_gets_the_oldest_kept() {
        let mut log = EventLog::default();
        for n in 0..(KEPT as u64 + 10) {
            log.push(sim(n));
        }
        let (events, next) = log.since(0);
        assert_eq!(events.len(), KEPT);
        assert_eq!(next, KEPT as u64 + 10);
        assert!(matches!(&events[0], RuntimeEvent::Simulator { text, .. } if text == "10"));
    }
}
