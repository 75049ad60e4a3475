//! Reheat condensing steam turbine (160 MW): roll-off conditions, run-up with a heat soak on cold
//! starts, synchronisation, loading with the control valves opening (sliding pressure),
//! shutdown and trips, casing metal temperature, condenser, bearings, generator.
//! Figures: ../shared/PLANT-REFERENCE.md §3.

use crate::generator::{Generator, Reading};
use crate::steam::{lag, ramp, t_sat_mbar};

pub const RATED_MW: f64 = 160.0;
/// Flow coefficient of the turbine with the valves wide open: kg/s of HP steam per bar of
/// header pressure (114 kg/s at 112 bar).
pub const FLOW_COEFFICIENT: f64 = 2.0 * 57.0 / 112.0;
/// MW per kg/s of HP steam (the IP and LP admissions ride along in proportion).
const MW_PER_KG_S: f64 = RATED_MW / 114.0;
const RUN_UP_RPM_PER_S: f64 = 200.0 / 60.0;
const SOAK_RPM: f64 = 1000.0;
const SOAK_S: f64 = 1200.0;
const ADMISSION_RATE: f64 = 6.0 / RATED_MW / 60.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StPhase {
    TurningGear,
    RunUp,
    Soak,
    Synchronisation,
    Loaded,
    Unloading,
    Coastdown,
    Tripped,
}

#[derive(Debug, Clone)]
pub struct SteamTurbine {
    pub phase: StPhase,
    phase_s: f64,
    pub start_requested: bool,
    soak_done: bool,
    pub speed_rpm: f64,
    /// Control-valve opening, 0–1.
    pub admission: f64,
    pub power_mw: f64,
    pub breaker: bool,
    pub metal_c: f64,
    pub inlet_c: f64,
    pub condenser_mbar: f64,
    pub bearing_c: [f64; 2],
    pub generator: Generator,
    pub lube_oil_c: f64,
    vibration_base: [f64; 2],
    pub steam_kg_s: f64,
    pub trip_cause: Option<&'static str>,
}

/// What the rest of the plant imposes on the turbine during a step.
#[derive(Debug, Clone, Copy)]
pub struct Surroundings {
    pub grid_hz: f64,
    /// Vacuum pump running.
    pub vacuum: bool,
    pub cw_in_c: f64,
    /// Steam dumped to the condenser through the bypasses, kg/s.
    pub dumped_kg_s: f64,
    pub ambient: f64,
}

/// Steam conditions at the turbine's HP inlet.
#[derive(Debug, Clone, Copy)]
pub struct Header {
    pub pressure_bar: f64,
    pub temp_c: f64,
    pub superheat_k: f64,
}

impl SteamTurbine {
    pub fn new(ambient: f64, metal_c: f64, vibration_base: [f64; 2]) -> Self {
        SteamTurbine {
            phase: StPhase::TurningGear,
            phase_s: 0.0,
            start_requested: false,
            soak_done: false,
            speed_rpm: 0.0,
            admission: 0.0,
            power_mw: 0.0,
            breaker: false,
            metal_c,
            inlet_c: metal_c,
            condenser_mbar: 1013.0,
            bearing_c: [ambient; 2],
            generator: Generator::new(ambient, 10.0),
            lube_oil_c: 40.0,
            vibration_base,
            steam_kg_s: 0.0,
            trip_cause: None,
        }
    }

    pub fn on_load(&mut self) {
        self.phase = StPhase::Loaded;
        self.speed_rpm = 3000.0;
        self.admission = 1.0;
        self.breaker = true;
        self.start_requested = true;
    }

    pub fn start(&mut self) {
        self.start_requested = true;
        self.soak_done = false;
        if matches!(self.phase, StPhase::Tripped | StPhase::Coastdown) {
            self.set_phase(StPhase::TurningGear);
        }
        self.trip_cause = None;
    }

    pub fn stop(&mut self) {
        self.start_requested = false;
        if self.breaker {
            self.set_phase(StPhase::Unloading);
        } else if self.speed_rpm > 10.0 {
            self.set_phase(StPhase::Coastdown);
        }
    }

    pub fn trip(&mut self, cause: &'static str) {
        if self.speed_rpm > 10.0 || self.breaker {
            self.set_phase(StPhase::Tripped);
            self.start_requested = false;
            self.breaker = false;
            self.admission = 0.0;
            self.trip_cause = Some(cause);
        }
    }

    fn set_phase(&mut self, phase: StPhase) {
        self.phase = phase;
        self.phase_s = 0.0;
    }

    /// Whether steam is going through the turbine (the HRSG bypasses then close).
    pub fn admitting(&self) -> bool {
        self.breaker && self.admission > 0.05
    }

    /// HP steam the turbine asks from the header at this pressure, kg/s.
    pub fn steam_demand(&self, header: Header) -> f64 {
        let opening = match self.phase {
            StPhase::RunUp | StPhase::Soak | StPhase::Synchronisation => 0.03,
            StPhase::Loaded | StPhase::Unloading => self.admission,
            _ => 0.0,
        };
        opening * FLOW_COEFFICIENT * header.pressure_bar
    }

    /// Roll-off needs pressure and superheat, and steam not much colder than the casing.
    fn steam_allows_roll_off(&self, h: Header) -> bool {
        h.pressure_bar >= 40.0 && h.superheat_k >= 50.0 && h.temp_c >= self.metal_c - 50.0
    }

    pub fn step(&mut self, dt: f64, header: Header, steam_kg_s: f64, around: Surroundings) {
        let Surroundings {
            grid_hz,
            vacuum,
            cw_in_c,
            dumped_kg_s,
            ambient,
        } = around;
        self.phase_s += dt;
        self.steam_kg_s = steam_kg_s;
        match self.phase {
            StPhase::TurningGear => {
                self.speed_rpm = ramp(
                    self.speed_rpm,
                    if vacuum || self.metal_c > 150.0 {
                        3.0
                    } else {
                        0.0
                    },
                    1.0,
                    dt,
                );
                if self.start_requested
                    && self.condenser_mbar < 150.0
                    && self.steam_allows_roll_off(header)
                {
                    self.set_phase(StPhase::RunUp);
                }
            }
            StPhase::RunUp => {
                self.speed_rpm = ramp(self.speed_rpm, 3000.0, RUN_UP_RPM_PER_S, dt);
                let cold = self.metal_c < 250.0;
                if cold && !self.soak_done && self.speed_rpm >= SOAK_RPM {
                    self.speed_rpm = SOAK_RPM;
                    self.set_phase(StPhase::Soak);
                } else if self.speed_rpm >= 2999.0 {
                    self.set_phase(StPhase::Synchronisation);
                }
            }
            StPhase::Soak => {
                if self.phase_s >= SOAK_S {
                    self.soak_done = true;
                    self.set_phase(StPhase::RunUp);
                }
            }
            StPhase::Synchronisation => {
                self.speed_rpm = ramp(self.speed_rpm, grid_hz * 60.0 + 1.0, 2.0, dt);
                if self.phase_s >= 60.0 {
                    self.breaker = true;
                    self.admission = 0.06;
                    self.set_phase(StPhase::Loaded);
                }
            }
            StPhase::Loaded => {
                self.speed_rpm = grid_hz * 60.0;
                self.admission = ramp(self.admission, 1.0, ADMISSION_RATE, dt);
            }
            StPhase::Unloading => {
                self.speed_rpm = grid_hz * 60.0;
                self.admission = ramp(self.admission, 0.0, 2.0 * ADMISSION_RATE, dt);
                if self.admission <= 0.05 {
                    self.breaker = false;
                    self.admission = 0.0;
                    self.set_phase(StPhase::Coastdown);
                }
            }
            StPhase::Coastdown | StPhase::Tripped => {
                let decel = 0.5 + self.speed_rpm / 500.0;
                self.speed_rpm = ramp(self.speed_rpm, 3.0, decel, dt);
                if self.speed_rpm <= 3.0 && self.phase == StPhase::Coastdown {
                    self.set_phase(StPhase::TurningGear);
                }
            }
        }
        let efficiency = ((header.temp_c - 300.0) / 225.0).clamp(0.5, 1.0);
        let power_target = if self.breaker {
            MW_PER_KG_S * steam_kg_s * efficiency
        } else {
            0.0
        };
        self.power_mw = if self.breaker {
            lag(self.power_mw, power_target, 40.0, dt)
        } else {
            0.0
        };

        let flowing = steam_kg_s > 1.0;
        self.inlet_c = lag(
            self.inlet_c,
            if flowing {
                header.temp_c
            } else {
                self.inlet_c.min(self.metal_c)
            },
            60.0,
            dt,
        );
        let (metal_target, metal_tau) = if flowing {
            (self.inlet_c - 15.0, 1500.0)
        } else {
            (ambient, 150_000.0)
        };
        self.metal_c = lag(self.metal_c, metal_target, metal_tau, dt);

        let condensing = steam_kg_s + dumped_kg_s;
        let cond_target = if vacuum {
            45.0 + 25.0 * (condensing / 120.0).min(1.3) + 1.5 * (cw_in_c - 15.0)
        } else {
            1013.0
        };
        self.condenser_mbar = lag(
            self.condenser_mbar,
            cond_target,
            if vacuum { 180.0 } else { 900.0 },
            dt,
        );

        let s = self.speed_rpm / 3000.0;
        for (i, brg) in self.bearing_c.iter_mut().enumerate() {
            let target = if self.speed_rpm > 2.0 {
                50.0 + 28.0 * s + 5.0 * (self.power_mw / RATED_MW) + 2.0 * i as f64
            } else {
                self.lube_oil_c
            };
            *brg = lag(*brg, target, 300.0, dt);
        }
        self.lube_oil_c = lag(
            self.lube_oil_c,
            if self.speed_rpm > 2.0 {
                52.0
            } else {
                ambient.max(40.0)
            },
            900.0,
            dt,
        );
        self.generator
            .step(dt, self.power_mw, self.breaker, self.speed_rpm, ambient);

        if self.speed_rpm > 3300.0 {
            self.trip("overspeed");
        } else if self.condenser_mbar > 250.0 && self.breaker {
            self.trip("low vacuum");
        }
    }

    pub fn bearing_vibration(&self, bearing: usize) -> f64 {
        let s = self.speed_rpm / 3000.0;
        let critical = 2.5 * (-((self.speed_rpm - 1700.0) / 200.0).powi(2)).exp();
        self.vibration_base[bearing] * s * s + critical
    }

    pub fn shaft_vibration(&self, bearing: usize) -> f64 {
        if self.speed_rpm < 1.0 {
            0.0
        } else {
            15.0 + 14.0 * self.bearing_vibration(bearing)
        }
    }

    /// HP differential expansion, mm: the rotor heats faster than the casing.
    pub fn differential_expansion(&self) -> f64 {
        (0.012 * (self.inlet_c - 15.0 - self.metal_c)).clamp(-4.5, 4.5)
    }

    pub fn axial_position(&self) -> f64 {
        0.15 * self.power_mw / RATED_MW
    }

    pub fn exhaust_hood_c(&self) -> f64 {
        t_sat_mbar(self.condenser_mbar).min(120.0)
    }

    pub fn electrical(&self) -> Reading {
        self.generator
            .reading(self.power_mw, self.breaker, self.speed_rpm)
    }
}
