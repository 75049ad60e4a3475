//! Plant time: the time the values were measured at. For a plant's server it is the wall clock;
//! for the built-in simulator it is the simulated time (epoch + simulated seconds), so that
//! alarm delays, rates and procedure hold times at ×20 are what the plant would show at ×1.

use std::sync::{Arc, Mutex};

use jumeau_sim::{Clock, Simulator};

/// The built-in simulator's handles: its clock (pause, speed) and its model.
#[derive(Clone)]
pub(crate) struct SimHandles {
    pub clock: Arc<Mutex<Clock>>,
    pub simulator: Arc<Mutex<Simulator>>,
    /// Plant time of the simulator's second zero.
    pub epoch_ms: i64,
}

/// Shared by the runtime's services; set once the simulator's server is up.
#[derive(Clone, Default)]
pub struct PlantClock {
    sim: Arc<Mutex<Option<SimHandles>>>,
}

impl PlantClock {
    pub(crate) fn attach(&self, handles: SimHandles) {
        *self.sim.lock().expect("plant clock lock") = Some(handles);
    }

    pub(crate) fn simulator(&self) -> Option<SimHandles> {
        self.sim.lock().ok().and_then(|s| s.clone())
    }

    /// Plant time now, ms since the epoch.
    pub fn now_ms(&self) -> i64 {
        match self.simulator() {
            Some(h) => {
                let t_s = h.simulator.lock().map(|s| s.time_s()).unwrap_or(0.0);
                jumeau_simserver::opcua::plant_ms(h.epoch_ms, t_s)
            }
            None => jumeau_tagbus::now_ms(),
        }
    }

    /// Plant time of the simulator's second zero; None for a plant's server.
    pub fn simulator_epoch_ms(&self) -> Option<i64> {
        self.simulator().map(|h| h.epoch_ms)
    }

    /// Simulated time against real time (1 for a plant's server).
    pub fn speed(&self) -> f64 {
        self.simulator()
            .and_then(|h| h.clock.lock().ok().map(|c| c.speed()))
            .unwrap_or(1.0)
    }

    /// Whether the simulator's clock is paused (never for a plant's server).
    pub fn paused(&self) -> bool {
        self.simulator()
            .and_then(|h| h.clock.lock().ok().map(|c| c.paused))
            .unwrap_or(false)
    }
}
