//! Motor-driven pumps in duty/standby pairs: running state, motor current, discharge pressure,
//! bearing temperature and vibration, bearing-wear faults, automatic start of the standby pump.

use crate::steam::lag;

/// Nameplate ranges of one pump family (from the seed's normal bands).
#[derive(Debug, Clone, Copy)]
pub struct Rating {
    pub current_a: (f64, f64),
    pub discharge_bar: (f64, f64),
}

pub const FEEDWATER: Rating = Rating {
    current_a: (85.0, 145.0),
    discharge_bar: (141.0, 153.0),
};
pub const CONDENSATE: Rating = Rating {
    current_a: (28.0, 44.0),
    discharge_bar: (17.0, 21.0),
};
pub const COOLING_WATER: Rating = Rating {
    current_a: (95.0, 120.0),
    discharge_bar: (2.0, 2.3),
};
pub const CLOSED_COOLING: Rating = Rating {
    current_a: (14.0, 20.0),
    discharge_bar: (3.7, 4.3),
};
pub const AUXILIARY: Rating = Rating {
    current_a: (40.0, 60.0),
    discharge_bar: (0.0, 0.0),
};

/// Seconds between the duty pump's trip and the standby pump's automatic start.
const STANDBY_START_S: f64 = 6.0;

#[derive(Debug, Clone)]
pub struct Pump {
    pub code: &'static str,
    pub rating: Rating,
    pub running: bool,
    /// Share of the pump's range in use, 0–1 (flow for variable-speed pumps).
    pub duty: f64,
    pub bearing_c: f64,
    vibration_base: [f64; 2],
    /// Added vibration from a degrading bearing, mm/s, and its growth rate per second.
    pub wear_mm_s: f64,
    pub wear_rate: f64,
    /// A tripped pump stays off until the trainer resets the scenario.
    pub tripped: bool,
}

impl Pump {
    pub fn new(code: &'static str, rating: Rating, vibration_base: [f64; 2], ambient: f64) -> Self {
        Pump {
            code,
            rating,
            running: false,
            duty: 0.0,
            bearing_c: ambient,
            vibration_base,
            wear_mm_s: 0.0,
            wear_rate: 0.0,
            tripped: false,
        }
    }

    pub fn step(&mut self, dt: f64, ambient: f64) {
        self.wear_mm_s += self.wear_rate * dt;
        let target = if self.running {
            45.0 + 20.0 * self.duty + 3.0 * self.wear_mm_s
        } else {
            ambient
        };
        self.bearing_c = lag(self.bearing_c, target, 600.0, dt);
    }

    pub fn current_a(&self) -> f64 {
        let (lo, hi) = self.rating.current_a;
        if self.running {
            lo + (hi - lo) * self.duty
        } else {
            0.0
        }
    }

    pub fn discharge_bar(&self) -> f64 {
        let (lo, hi) = self.rating.discharge_bar;
        if self.running {
            lo + (hi - lo) * self.duty
        } else {
            0.0
        }
    }

    /// Drive-end (0) or non-drive-end (1) bearing vibration, mm/s rms.
    pub fn vibration(&self, bearing: usize) -> f64 {
        if !self.running {
            return 0.0;
        }
        let wear = if bearing == 0 {
            self.wear_mm_s
        } else {
            0.4 * self.wear_mm_s
        };
        self.vibration_base[bearing] * (0.8 + 0.2 * self.duty) + wear
    }
}

/// Two pumps, one on duty and one on standby (or both running for 2 × 50 % service).
#[derive(Debug, Clone)]
pub struct PumpPair {
    pub pumps: [Pump; 2],
    pub both_run: bool,
    standby_timer: Option<f64>,
}

impl PumpPair {
    pub fn new(a: Pump, b: Pump, both_run: bool) -> Self {
        PumpPair {
            pumps: [a, b],
            both_run,
            standby_timer: None,
        }
    }

    /// Puts the pair in or out of service; the first available pump takes duty.
    pub fn set_service(&mut self, in_service: bool) {
        if !in_service {
            for p in &mut self.pumps {
                p.running = false;
            }
            self.standby_timer = None;
            return;
        }
        let needed = if self.both_run { 2 } else { 1 };
        let running = self.pumps.iter().filter(|p| p.running).count();
        if running >= needed || self.standby_timer.is_some() {
            return;
        }
        let available: Vec<usize> = (0..2)
            .filter(|&i| !self.pumps[i].running && !self.pumps[i].tripped)
            .collect();
        for i in available.into_iter().take(needed - running) {
            self.pumps[i].running = true;
        }
    }

    /// The pump trips; the standby starts after a few seconds, as the auto-changeover does.
    pub fn trip(&mut self, index: usize) {
        let pump = &mut self.pumps[index];
        if pump.running {
            pump.running = false;
            pump.tripped = true;
            self.standby_timer = Some(STANDBY_START_S);
        }
    }

    pub fn step(&mut self, dt: f64, duty: f64, ambient: f64) {
        if let Some(t) = self.standby_timer.as_mut() {
            *t -= dt;
            if *t <= 0.0 {
                self.standby_timer = None;
                if let Some(p) = self.pumps.iter_mut().find(|p| !p.running && !p.tripped) {
                    p.running = true;
                }
            }
        }
        for p in &mut self.pumps {
            p.duty = duty.clamp(0.0, 1.0);
            p.step(dt, ambient);
        }
    }

    pub fn running(&self) -> usize {
        self.pumps.iter().filter(|p| p.running).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standby_pump_starts_after_a_trip() {
        let a = Pump::new("A", FEEDWATER, [1.5, 1.2], 15.0);
        let b = Pump::new("B", FEEDWATER, [1.6, 1.3], 15.0);
        let mut pair = PumpPair::new(a, b, false);
        pair.set_service(true);
        assert!(pair.pumps[0].running && !pair.pumps[1].running);
        pair.trip(0);
        pair.step(1.0, 0.9, 15.0);
        assert_eq!(pair.running(), 0, "gap before the changeover");
        for _ in 0..10 {
            pair.step(1.0, 0.9, 15.0);
        }
        assert!(pair.pumps[1].running && !pair.pumps[0].running);
        pair.set_service(true);
        assert!(
            !pair.pumps[0].running,
            "a tripped pump does not restart by itself"
        );
    }

    #[test]
    fn bearing_wear_raises_drive_end_vibration_and_temperature() {
        let mut p = Pump::new("A", CONDENSATE, [1.5, 1.2], 15.0);
        p.running = true;
        p.duty = 0.8;
        let before = p.vibration(0);
        p.wear_rate = 6.0 / 3600.0;
        for _ in 0..3600 {
            p.step(1.0, 15.0);
        }
        assert!((p.vibration(0) - before - 6.0).abs() < 0.01);
        assert!(p.vibration(1) < p.vibration(0));
        assert!(p.bearing_c > 70.0, "{}", p.bearing_c);
    }
}
