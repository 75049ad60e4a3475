//! Gas turbine (E-class, SGT5-2000E-like, 166 MW ISO): start sequence, load control with IGV
//! scheduling and exhaust-temperature control, emissions, bearings, generator, protections.
//! Figures: ../shared/PLANT-REFERENCE.md §1.

use crate::generator::{Generator, Reading};
use crate::steam::{lag, ramp};

pub const RATED_MW: f64 = 166.0;
const NOMINAL_RPM: f64 = 3000.0;
const PURGE_RPM: f64 = 750.0;
const FIRING_RPM: f64 = 450.0;
const PURGE_S: f64 = 300.0;
const IGNITION_S: f64 = 60.0;
const ACCELERATION_RPM_PER_S: f64 = 2550.0 / 360.0;
const SYNC_S: f64 = 90.0;
const MIN_LOAD_MW: f64 = 10.0;
const LOAD_RATE_MW_PER_S: f64 = 10.0 / 60.0;
const BASE_AIR_KG_S: f64 = 480.0;
const EXHAUST_CONTROL_C: f64 = 540.0;
const EXHAUST_TRIP_C: f64 = 599.0;
const VIBRATION_TRIP_MM_S: f64 = 25.4;
const OVERSPEED_TRIP_RPM: f64 = 3300.0;

/// Where the gas turbine is in its sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GtPhase {
    Standstill,
    Purge,
    Ignition,
    Acceleration,
    Synchronisation,
    Loaded,
    Unloading,
    Coastdown,
    Tripped,
}

#[derive(Debug, Clone)]
pub struct GasTurbine {
    pub phase: GtPhase,
    phase_s: f64,
    pub speed_rpm: f64,
    pub load_mw: f64,
    pub setpoint_mw: f64,
    pub fuel_kg_s: f64,
    pub igv_deg: f64,
    pub air_kg_s: f64,
    pub exhaust_c: f64,
    pub breaker: bool,
    pub flame: bool,
    pub bearing_c: [f64; 2],
    pub generator: Generator,
    pub wheelspace_c: f64,
    pub lube_oil_c: f64,
    /// Bearing vibration level of this machine at rated speed (mm/s), set by the seed.
    pub vibration_base: [f64; 2],
    /// Set when a protection tripped the unit, for the trainer's debriefing.
    pub trip_cause: Option<&'static str>,
}

impl GasTurbine {
    pub fn standstill(ambient: f64, vibration_base: [f64; 2]) -> Self {
        GasTurbine {
            phase: GtPhase::Standstill,
            phase_s: 0.0,
            speed_rpm: 0.0,
            load_mw: 0.0,
            setpoint_mw: 0.0,
            fuel_kg_s: 0.0,
            igv_deg: 34.0,
            air_kg_s: 0.0,
            exhaust_c: ambient,
            breaker: false,
            flame: false,
            bearing_c: [ambient; 2],
            generator: Generator::new(ambient, 12.0),
            wheelspace_c: ambient,
            lube_oil_c: ambient,
            vibration_base,
            trip_cause: None,
        }
    }

    /// Directly on load (used to build a settled initial state).
    pub fn on_load(&mut self, mw: f64) {
        self.phase = GtPhase::Loaded;
        self.speed_rpm = NOMINAL_RPM;
        self.breaker = true;
        self.flame = true;
        self.load_mw = mw;
        self.setpoint_mw = mw;
    }

    pub fn start(&mut self) {
        if matches!(
            self.phase,
            GtPhase::Standstill | GtPhase::Coastdown | GtPhase::Tripped
        ) && self.speed_rpm < 100.0
        {
            self.set_phase(GtPhase::Purge);
            self.trip_cause = None;
        }
    }

    pub fn stop(&mut self) {
        if self.flame {
            self.set_phase(GtPhase::Unloading);
        } else if self.phase != GtPhase::Standstill {
            self.set_phase(GtPhase::Coastdown);
        }
    }

    pub fn trip(&mut self, cause: &'static str) {
        if self.phase != GtPhase::Standstill && self.phase != GtPhase::Tripped {
            self.set_phase(GtPhase::Tripped);
            self.trip_cause = Some(cause);
            self.breaker = false;
            self.flame = false;
        }
    }

    fn set_phase(&mut self, phase: GtPhase) {
        self.phase = phase;
        self.phase_s = 0.0;
    }

    pub fn load_fraction(&self) -> f64 {
        (self.load_mw / RATED_MW).clamp(0.0, 1.1)
    }

    pub fn speed_fraction(&self) -> f64 {
        self.speed_rpm / NOMINAL_RPM
    }

    /// Advances the sequence and the thermodynamics by `dt` seconds. `grid_hz` sets the speed
    /// when the breaker is closed.
    pub fn step(&mut self, dt: f64, ambient: f64, grid_hz: f64) {
        self.phase_s += dt;
        self.sequence(dt, grid_hz);
        self.thermodynamics(dt, ambient);
        self.protections();
    }

    fn sequence(&mut self, dt: f64, grid_hz: f64) {
        match self.phase {
            GtPhase::Standstill => {
                self.speed_rpm = ramp(self.speed_rpm, 0.0, 5.0, dt);
            }
            GtPhase::Purge => {
                // The static starter turns the shaft at purge speed; the HRSG gets its volume changes.
                self.speed_rpm = ramp(self.speed_rpm, PURGE_RPM, 4.0, dt);
                // The purge time counts at purge speed only (five volume changes of the HRSG).
                if self.speed_rpm < PURGE_RPM - 1.0 {
                    self.phase_s = 0.0;
                } else if self.phase_s >= PURGE_S {
                    self.set_phase(GtPhase::Ignition);
                }
            }
            GtPhase::Ignition => {
                self.speed_rpm = ramp(self.speed_rpm, FIRING_RPM, 6.0, dt);
                if self.speed_rpm <= FIRING_RPM + 1.0 && self.phase_s > 40.0 {
                    self.flame = true;
                }
                if self.phase_s >= IGNITION_S + 40.0 {
                    self.set_phase(GtPhase::Acceleration);
                }
            }
            GtPhase::Acceleration => {
                self.speed_rpm = ramp(self.speed_rpm, NOMINAL_RPM, ACCELERATION_RPM_PER_S, dt);
                if self.speed_rpm >= NOMINAL_RPM - 0.5 {
                    self.set_phase(GtPhase::Synchronisation);
                }
            }
            GtPhase::Synchronisation => {
                // Auto-synchroniser matches speed to the grid, then closes the breaker.
                self.speed_rpm = ramp(self.speed_rpm, grid_hz * 60.0 + 1.0, 2.0, dt);
                if self.phase_s >= SYNC_S {
                    self.breaker = true;
                    self.load_mw = MIN_LOAD_MW;
                    self.set_phase(GtPhase::Loaded);
                }
            }
            GtPhase::Loaded => {
                self.speed_rpm = grid_hz * 60.0;
                self.load_mw = ramp(
                    self.load_mw,
                    self.setpoint_mw.max(MIN_LOAD_MW),
                    LOAD_RATE_MW_PER_S,
                    dt,
                );
            }
            GtPhase::Unloading => {
                self.speed_rpm = if self.breaker {
                    grid_hz * 60.0
                } else {
                    self.speed_rpm
                };
                self.load_mw = ramp(self.load_mw, 0.0, LOAD_RATE_MW_PER_S, dt);
                if self.load_mw <= 2.0 && self.breaker {
                    self.breaker = false;
                    self.load_mw = 0.0;
                    self.phase_s = 0.0;
                }
                // Cool-down at full speed no load before the flame goes out.
                if !self.breaker && self.phase_s >= 120.0 {
                    self.flame = false;
                    self.set_phase(GtPhase::Coastdown);
                }
            }
            GtPhase::Coastdown | GtPhase::Tripped => {
                self.load_mw = 0.0;
                // Windage and bearing losses: about 20 minutes from 3,000 rpm to turning gear.
                let decel = 0.6 + self.speed_rpm / 400.0;
                self.speed_rpm = ramp(self.speed_rpm, 0.0, decel, dt);
                if self.speed_rpm <= 0.0 && self.phase == GtPhase::Coastdown {
                    self.set_phase(GtPhase::Standstill);
                }
            }
        }
        if !self.breaker && self.phase != GtPhase::Unloading {
            self.load_mw = 0.0;
        }
    }

    fn thermodynamics(&mut self, dt: f64, ambient: f64) {
        let s = self.speed_fraction();
        let f = self.load_fraction();
        let running = self.speed_rpm > 10.0;
        // IGVs: closed during start, 57° from FSNL up to ~55 % load (exhaust held hot for the
        // HRSG), then opening to 84° at base load.
        let igv_target = match self.phase {
            GtPhase::Loaded | GtPhase::Unloading if self.breaker => {
                57.0 + 27.0 * ((f - 0.55) / 0.45).clamp(0.0, 1.0)
            }
            _ if s > 0.9 && self.flame => 57.0,
            _ => 34.0,
        };
        self.igv_deg = ramp(self.igv_deg, igv_target, 1.0, dt);
        let igv_share = 0.55 + 0.45 * ((self.igv_deg - 34.0) / 50.0).clamp(0.0, 1.0);
        self.air_kg_s = BASE_AIR_KG_S * s * igv_share * (288.15 / (273.15 + ambient)).sqrt();

        let fuel_target = if !self.flame {
            0.0
        } else if self.breaker || self.phase == GtPhase::Unloading {
            1.3 + 7.3 * f * (1.0 + 0.004 * (ambient - 15.0))
        } else {
            0.5 + 0.8 * s
        };
        self.fuel_kg_s = if self.flame {
            lag(self.fuel_kg_s, fuel_target, 3.0, dt)
        } else {
            0.0
        };

        // Exhaust: held at the control temperature from ~55 % load, lower below; falls to
        // ambient slowly once the flame is out.
        let exhaust_target = if self.flame {
            let loaded = 380.0 + (EXHAUST_CONTROL_C - 380.0) * (f / 0.55).clamp(0.0, 1.0);
            let unloaded = 200.0 + 180.0 * s;
            let base = if self.breaker { loaded } else { unloaded };
            base + 0.9 * (ambient - 15.0)
        } else {
            // The compressor keeps pumping cold air through the turbine while it coasts down.
            ambient + 60.0 * s
        };
        let tau = if self.flame {
            20.0
        } else if running {
            45.0
        } else {
            900.0
        };
        self.exhaust_c = lag(self.exhaust_c, exhaust_target, tau, dt);

        let heat = (0.25 * s + 0.75 * f).clamp(0.0, 1.1);
        for (i, brg) in self.bearing_c.iter_mut().enumerate() {
            let target = if running {
                48.0 + 30.0 * s + 6.0 * f + 2.0 * i as f64
            } else {
                ambient.max(self.lube_oil_c)
            };
            *brg = lag(*brg, target, 240.0, dt);
        }
        let lube_target = if running || self.phase != GtPhase::Standstill {
            54.0
        } else {
            ambient
        };
        self.lube_oil_c = lag(self.lube_oil_c, lube_target, 900.0, dt);
        self.generator
            .step(dt, self.load_mw, self.breaker, self.speed_rpm, ambient);
        let wheel_target = if self.flame {
            300.0 + 100.0 * heat
        } else {
            ambient + 0.4 * (self.wheelspace_c - ambient)
        };
        self.wheelspace_c = lag(self.wheelspace_c, wheel_target, 300.0, dt);
    }

    fn protections(&mut self) {
        if self.speed_rpm > OVERSPEED_TRIP_RPM {
            self.trip("overspeed");
        } else if self.exhaust_c > EXHAUST_TRIP_C {
            self.trip("exhaust over-temperature");
        } else if self.bearing_vibration(0) > VIBRATION_TRIP_MM_S {
            self.trip("bearing vibration");
        }
    }

    /// Bearing seismic vibration (mm/s rms): grows with speed squared, with the rotor's first
    /// critical speed passed around 1,450 rpm during run-up and coast-down.
    pub fn bearing_vibration(&self, bearing: usize) -> f64 {
        let s = self.speed_fraction();
        let critical = 3.5 * (-((self.speed_rpm - 1450.0) / 180.0).powi(2)).exp();
        self.vibration_base[bearing] * s * s + critical + 0.4 * self.load_fraction()
    }

    /// Shaft relative vibration (µm pk-pk).
    pub fn shaft_vibration(&self, bearing: usize) -> f64 {
        if self.speed_rpm < 1.0 {
            return 0.0;
        }
        20.0 + 12.0 * self.bearing_vibration(bearing)
    }

    pub fn exhaust_flow(&self) -> f64 {
        self.air_kg_s + self.fuel_kg_s
    }

    /// Compressor discharge pressure, bar abs: pressure ratio ~12 at base.
    pub fn compressor_discharge_bar(&self) -> f64 {
        1.013 + 11.3 * (self.air_kg_s / BASE_AIR_KG_S) * self.speed_fraction()
    }

    pub fn compressor_discharge_c(&self, ambient: f64) -> f64 {
        let ratio = self.compressor_discharge_bar() / 1.013;
        let base = (12.3_f64 / 1.013).powf(0.2857) - 1.0;
        ambient + 335.0 * (ratio.powf(0.2857) - 1.0) / base
    }

    /// NOx at the stack, mg/Nm³ (15 % O₂ dry): premix (DLN) from ~50 % load, diffusion below.
    pub fn nox_mg(&self) -> f64 {
        if !self.flame {
            return 0.0;
        }
        let f = self.load_fraction();
        if self.breaker && f >= 0.5 {
            26.0 + 10.0 * (f - 0.5)
        } else {
            65.0 + 30.0 * f
        }
    }

    /// CO at the stack, mg/Nm³: high at low load, a few mg at base.
    pub fn co_mg(&self) -> f64 {
        if !self.flame {
            return 0.0;
        }
        let f = self.load_fraction();
        if self.breaker && f >= 0.5 {
            4.0 + 10.0 * (1.0 - f)
        } else {
            90.0 - 80.0 * f
        }
    }

    /// Flue-gas O₂, % dry.
    pub fn o2_percent(&self) -> f64 {
        if self.flame {
            17.0 - 3.5 * self.load_fraction()
        } else {
            20.9
        }
    }

    pub fn electrical(&self) -> Reading {
        self.generator
            .reading(self.load_mw, self.breaker, self.speed_rpm)
    }

    pub fn lube_pump_running(&self) -> bool {
        self.phase != GtPhase::Standstill || self.speed_rpm > 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(gt: &mut GasTurbine, seconds: f64) {
        let mut t = 0.0;
        while t < seconds {
            gt.step(0.5, 15.0, 50.0);
            t += 0.5;
        }
    }

    #[test]
    fn start_sequence_reaches_full_speed_then_loads() {
        let mut gt = GasTurbine::standstill(15.0, [2.0, 2.2]);
        gt.setpoint_mw = 166.0;
        gt.start();
        run(&mut gt, 200.0);
        assert_eq!(gt.phase, GtPhase::Purge);
        assert!((gt.speed_rpm - PURGE_RPM).abs() < 1.0);
        assert!(!gt.flame);
        // Five minutes counted at purge speed, then down to firing speed and ignition.
        run(&mut gt, 250.0);
        assert!(!gt.flame, "still purging");
        run(&mut gt, 150.0);
        assert!(gt.flame, "ignition after purge");
        // Full speed no load about 15 minutes after the start command.
        run(&mut gt, 400.0);
        assert!(gt.speed_rpm > 2900.0, "{}", gt.speed_rpm);
        assert!(!gt.breaker);
        run(&mut gt, 120.0);
        assert!(gt.breaker, "synchronised");
        run(&mut gt, 1200.0);
        assert!((gt.load_mw - 166.0).abs() < 0.5, "{}", gt.load_mw);
        assert!((gt.exhaust_c - EXHAUST_CONTROL_C).abs() < 5.0);
        assert!(gt.igv_deg > 83.0);
    }

    #[test]
    fn trip_cuts_fuel_and_coasts_down() {
        let mut gt = GasTurbine::standstill(15.0, [2.0, 2.2]);
        gt.on_load(166.0);
        run(&mut gt, 60.0);
        gt.trip("test");
        run(&mut gt, 1.0);
        assert_eq!(gt.fuel_kg_s, 0.0);
        assert_eq!(gt.load_mw, 0.0);
        assert!(!gt.breaker);
        run(&mut gt, 1800.0);
        assert!(gt.speed_rpm < 1.0, "{}", gt.speed_rpm);
    }
}
