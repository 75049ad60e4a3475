//! Plant simulator: a dynamic model of the 2×1 combined-cycle block good enough to train
//! operators. Deterministic for a given seed (fixed integration step, counter-based noise),
//! driven at 1×–60× or paused, scripted by scenario files. Pure: no I/O but reading a scenario.

mod generator;
mod gt;
mod hrsg;
pub mod noise;
mod plant;
mod pump;
pub mod scenario;
mod signals;
mod st;
pub mod steam;

pub use gt::GtPhase;
pub use plant::{Plant, STEP_S};
pub use scenario::{Action, Scenario, ScenarioError};
pub use st::StPhase;

use jumeau_core::Quantity;
use jumeau_core::masterdata::Tag;

/// The units whose protection trips are journalled, in `trip_causes` order.
const TRIP_UNITS: [&str; 3] = ["TG1", "TG2", "TV"];

/// The simulator: plant model, scenario timeline and the tag readers.
pub struct Simulator {
    plant: Plant,
    scenario: Scenario,
    next_event: usize,
    time_s: f64,
    pending_s: f64,
    seed: u64,
    tags: Vec<Tag>,
    readers: Vec<Option<signals::Reader>>,
    journal: Vec<(f64, String)>,
}

impl Simulator {
    /// A simulator for these tags (usually the master data's), starting the scenario at t = 0.
    pub fn new(tags: &[Tag], scenario: Scenario, seed: u64) -> Simulator {
        let plant = Plant::new(&scenario, seed);
        let readers = tags.iter().map(signals::resolve).collect();
        let mut sim = Simulator {
            plant,
            scenario,
            next_event: 0,
            time_s: 0.0,
            pending_s: 0.0,
            seed,
            tags: tags.to_vec(),
            readers,
            journal: Vec::new(),
        };
        sim.apply_due_events();
        sim
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Simulated seconds since the scenario began.
    pub fn time_s(&self) -> f64 {
        self.time_s
    }

    pub fn plant(&self) -> &Plant {
        &self.plant
    }

    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    /// Tags the model has no reading for (they are never served).
    pub fn unmapped(&self) -> Vec<&str> {
        self.tags
            .iter()
            .zip(&self.readers)
            .filter(|(_, r)| r.is_none())
            .map(|(t, _)| t.name.as_str())
            .collect()
    }

    /// What happened so far: scenario events applied and protection trips, with their times.
    pub fn journal(&self) -> &[(f64, String)] {
        &self.journal
    }

    /// Applies an operator or trainer command now (the same actions as scenario events).
    pub fn command(&mut self, action: &Action) {
        self.journal.push((self.time_s, format!("{action:?}")));
        self.plant.apply(action);
    }

    /// Advances the model by `seconds` of simulated time in fixed steps; a remainder shorter
    /// than one step is carried to the next call.
    pub fn advance(&mut self, seconds: f64) {
        self.pending_s += seconds.max(0.0);
        while self.pending_s >= STEP_S {
            self.pending_s -= STEP_S;
            let trips_before = self.trip_causes();
            self.plant.step();
            self.time_s += STEP_S;
            self.apply_due_events();
            let trips_after = self.trip_causes();
            for ((before, after), unit) in trips_before.iter().zip(&trips_after).zip(TRIP_UNITS) {
                if let (None, Some(cause)) = (before, after) {
                    self.journal
                        .push((self.time_s, format!("trip {unit}: {cause}")));
                }
            }
        }
    }

    /// The units of [`Simulator::trip_causes`], in order.
    fn trip_causes(&self) -> [Option<&'static str>; 3] {
        [
            self.plant.gt[0].trip_cause,
            self.plant.gt[1].trip_cause,
            self.plant.st.trip_cause,
        ]
    }

    fn apply_due_events(&mut self) {
        while let Some(event) = self.scenario.events.get(self.next_event) {
            if event.at_s > self.time_s + 1e-9 {
                break;
            }
            let action = event.action.clone();
            self.next_event += 1;
            self.command(&action);
        }
    }

    /// The measured value of tag `index` now: the model's value plus transmitter noise (None
    /// for an unmapped tag). States read exactly 0 or 1.
    pub fn value(&self, index: usize) -> Option<f64> {
        let reader = self.readers.get(index)?.as_ref()?;
        let tag = &self.tags[index];
        let clean = reader(&self.plant);
        let sigma = noise_sigma(tag.quantity, clean);
        if sigma == 0.0 {
            return Some(clean);
        }
        Some(clean + sigma * noise::normal(self.seed, index as u64, self.plant.step_index()))
    }

    /// All values, in tag order.
    pub fn values(&self) -> Vec<Option<f64>> {
        (0..self.tags.len()).map(|i| self.value(i)).collect()
    }

    /// The index of a tag by name.
    pub fn index_of(&self, tag: &str) -> Option<usize> {
        self.tags.iter().position(|t| t.name == tag)
    }
}

/// Transmitter noise (one standard deviation) for a reading; zero for states and for a machine
/// at rest so that a stopped pump reads 0 A, not −0.2 A.
fn noise_sigma(quantity: Quantity, value: f64) -> f64 {
    if value == 0.0 {
        return 0.0;
    }
    let v = value.abs();
    match quantity {
        Quantity::State | Quantity::Position | Quantity::Angle => 0.0,
        Quantity::Temperature | Quantity::TemperatureDifference => 0.15,
        Quantity::Level => 1.5,
        Quantity::Speed => 0.3,
        Quantity::Frequency => 0.002,
        Quantity::Concentration => 0.01 * v,
        Quantity::VibrationVelocity | Quantity::VibrationDisplacement => 0.02 * v,
        Quantity::Displacement => 0.005,
        _ => 0.002 * v,
    }
}

/// Simulated time against wall-clock time: 1×–60×, or paused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    speed: f64,
    pub paused: bool,
}

impl Clock {
    pub const MAX_SPEED: f64 = 60.0;

    /// A clock at `speed` × real time; refuses speeds outside 1–60.
    pub fn new(speed: f64) -> Result<Clock, String> {
        if !(1.0..=Self::MAX_SPEED).contains(&speed) {
            return Err(format!("speed {speed} is outside 1–60 (times real time)"));
        }
        Ok(Clock {
            speed,
            paused: false,
        })
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Changes the speed; refuses speeds outside 1–60 and keeps the old one.
    pub fn set_speed(&mut self, speed: f64) -> Result<(), String> {
        *self = Clock {
            paused: self.paused,
            ..Clock::new(speed)?
        };
        Ok(())
    }

    /// Simulated seconds for `wall_seconds` of real time.
    pub fn simulated(&self, wall_seconds: f64) -> f64 {
        if self.paused {
            0.0
        } else {
            wall_seconds * self.speed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_scales_and_pauses() {
        let mut c = Clock::new(10.0).unwrap();
        assert_eq!(c.simulated(0.5), 5.0);
        c.paused = true;
        assert_eq!(c.simulated(0.5), 0.0);
        assert!(Clock::new(0.5).is_err());
        c.set_speed(60.0).unwrap();
        assert!(c.set_speed(100.0).is_err());
        assert_eq!((c.speed(), c.paused), (60.0, true));
        assert!(Clock::new(61.0).is_err());
    }
}
