//! Triple-pressure reheat drum HRSG behind one gas turbine: heat pick-up from the exhaust, HP drum
//! pressure with storage, start-up bypass with warm-up ramp limits, sliding pressure on the steam
//! turbine, three-element drum-level control with swell and shrink, attemperation, stack.
//! Figures: ../shared/PLANT-REFERENCE.md §2.

use crate::pump::{FEEDWATER, Pump, PumpPair};
use crate::steam::{lag, ramp, t_sat};

/// HP steam at base load, kg/s.
pub const HP_BASE_KG_S: f64 = 57.0;
const START_PRESSURE_BAR: f64 = 80.0;
const MAX_PRESSURE_BAR: f64 = 125.0;
/// Drum water area: kg per mm of level.
const DRUM_KG_PER_MM: f64 = 22.0;
/// Level rise per unit of pressure fall rate (mm per bar/s): swell.
const SWELL_MM_PER_BAR_S: f64 = 1800.0;
const FEEDWATER_MAX_KG_S: f64 = 66.0;

#[derive(Debug, Clone)]
pub struct Hrsg {
    pub p_hp: f64,
    pub p_ip: f64,
    pub p_lp: f64,
    /// HP steam generation (kg/s), lagged behind the heat input.
    pub generation: f64,
    /// HP steam leaving to the steam turbine and through the bypass, kg/s.
    pub to_turbine: f64,
    pub bypass: f64,
    /// Pressure set-point of the start-up bypass, ramped within the warm-up limits.
    bypass_setpoint: f64,
    pub dp_dt: f64,
    /// True drum levels, mm from normal water level: inventory part and swell part.
    inventory_mm: f64,
    swell_mm: f64,
    pub level_ip: f64,
    pub level_lp: f64,
    pub feedwater: f64,
    level_integral: f64,
    pub flue_in_c: f64,
    pub sh_c: f64,
    pub rh_c: f64,
    pub stack_c: f64,
    pub spray_pos: f64,
    pub preheater_in_c: f64,
    /// Connected to the steam-turbine header.
    pub connected: bool,
    pub damper_open: bool,
    pub feed_pumps: PumpPair,
}

/// What the gas turbine hands to its HRSG.
#[derive(Debug, Clone, Copy)]
pub struct Exhaust {
    pub flow_kg_s: f64,
    pub temp_c: f64,
    pub running: bool,
}

impl Hrsg {
    pub fn new(train: u8, ambient: f64, p_hp: f64, warm: bool) -> Self {
        let (a, b) = if train == 1 {
            ("11LAC10AP001", "11LAC10AP002")
        } else {
            ("12LAC10AP001", "12LAC10AP002")
        };
        let v = 0.1 * train as f64;
        let pumps = PumpPair::new(
            Pump::new(a, FEEDWATER, [1.4 + v, 1.1 + v], ambient),
            Pump::new(b, FEEDWATER, [1.6 - v, 1.2], ambient),
            false,
        );
        let stored_c = if warm { t_sat(p_hp) } else { ambient };
        Hrsg {
            p_hp,
            p_ip: 1.0 + 0.25 * (p_hp - 1.0).max(0.0),
            p_lp: 1.0 + 0.04 * (p_hp - 1.0).max(0.0),
            generation: 0.0,
            to_turbine: 0.0,
            bypass: 0.0,
            bypass_setpoint: p_hp,
            dp_dt: 0.0,
            inventory_mm: 0.0,
            swell_mm: 0.0,
            level_ip: 0.0,
            level_lp: 0.0,
            feedwater: 0.0,
            level_integral: 0.0,
            flue_in_c: stored_c.max(ambient),
            sh_c: stored_c.max(ambient),
            rh_c: (stored_c - 30.0).max(ambient),
            stack_c: if warm { 60.0 } else { ambient },
            spray_pos: 0.0,
            preheater_in_c: if warm { 50.0 } else { ambient },
            connected: false,
            damper_open: false,
            feed_pumps: pumps,
        }
    }

    /// HP drum level, mm: what the two transmitters see (before any sensor fault).
    pub fn level_hp(&self) -> f64 {
        self.inventory_mm + self.swell_mm
    }

    /// Heat available to raise HP steam, as a share of base load.
    fn heat_share(&self, exhaust: Exhaust) -> f64 {
        (exhaust.flow_kg_s * (self.flue_in_c - 250.0).max(0.0) / (487.0 * 290.0)).clamp(0.0, 1.15)
    }

    /// Storage of the drum and the water walls: kg of steam per bar (larger at low pressure,
    /// where a bar is worth more saturation temperature).
    fn storage_kg_per_bar(&self) -> f64 {
        150.0 + 20_000.0 / (self.p_hp + 5.0)
    }

    /// One step. `turbine_draw` is the HP steam the steam turbine takes from this HRSG (kg/s);
    /// `turbine_admission` is the turbine's control-valve opening, 0 when it is off steam (the
    /// bypass hands the flow over to it as the valves open).
    pub fn step(
        &mut self,
        dt: f64,
        exhaust: Exhaust,
        turbine_draw: f64,
        turbine_admission: f64,
        ambient: f64,
    ) {
        self.damper_open = exhaust.running;
        let flue_target = if exhaust.running && exhaust.flow_kg_s > 1.0 {
            exhaust.temp_c
        } else {
            self.flue_in_c
        };
        let flue_tau = if exhaust.running { 30.0 } else { 20_000.0 };
        self.flue_in_c = lag(self.flue_in_c, flue_target.max(ambient), flue_tau, dt);
        let share = if exhaust.running {
            self.heat_share(exhaust)
        } else {
            0.0
        };
        self.generation = lag(self.generation, HP_BASE_KG_S * share, 90.0, dt);

        // Feedwater pumps run whenever the HRSG makes steam or is being fired.
        self.feed_pumps
            .set_service(exhaust.running || self.generation > 1.0);

        self.to_turbine = if self.connected { turbine_draw } else { 0.0 };
        self.bypass = self.bypass_flow(dt, turbine_admission);
        let losses = if exhaust.running {
            0.0
        } else {
            self.p_hp / 36_000.0
        };
        let net = self.generation - self.to_turbine - self.bypass;
        self.dp_dt = net / self.storage_kg_per_bar() - losses;
        self.p_hp = (self.p_hp + self.dp_dt * dt).clamp(1.0, MAX_PRESSURE_BAR + 5.0);

        let r = self.generation / HP_BASE_KG_S;
        let ip_target = if r > 0.02 {
            1.0 + 28.0 * r.min(1.1)
        } else {
            self.p_ip
        };
        let ip_old = self.p_ip;
        self.p_ip = lag(self.p_ip, ip_target, 120.0, dt)
            - if r > 0.02 {
                0.0
            } else {
                self.p_ip / 36_000.0 * dt
            };
        let lp_target = if r > 0.02 {
            1.0 + 4.4 * r.min(1.1)
        } else {
            self.p_lp
        };
        let lp_old = self.p_lp;
        self.p_lp = lag(self.p_lp, lp_target, 120.0, dt)
            - if r > 0.02 {
                0.0
            } else {
                self.p_lp / 36_000.0 * dt
            };
        self.level_ip = lag(self.level_ip, -600.0 * (self.p_ip - ip_old) / dt, 30.0, dt);
        self.level_lp = lag(self.level_lp, -900.0 * (self.p_lp - lp_old) / dt, 30.0, dt);

        self.drum_level(dt);
        self.temperatures(dt, exhaust, ambient);
        let duty = (self.feedwater / FEEDWATER_MAX_KG_S).clamp(0.0, 1.0);
        self.feed_pumps.step(dt, duty, ambient);
    }

    /// Start-up bypass: holds the HP pressure ramp inside the warm-up limits (≈1 bar/min below
    /// 40 bar, 3 bar/min above) while the turbine is not on steam, then closes.
    fn bypass_flow(&mut self, dt: f64, turbine_admission: f64) -> f64 {
        if self.generation < 0.5 {
            self.bypass_setpoint = self.p_hp;
            return 0.0;
        }
        let (target, rate) = if turbine_admission > 0.05 && self.connected {
            // Follow mode: the pressure is held while the turbine takes the bypass flow over,
            // then slides up with the load (the set-point keeps just above it).
            if self.bypass < 0.5 {
                self.bypass_setpoint = (self.p_hp + 3.0).min(MAX_PRESSURE_BAR);
            }
            let valves_wide_open = turbine_admission >= 0.99;
            (
                if valves_wide_open {
                    MAX_PRESSURE_BAR
                } else {
                    self.bypass_setpoint
                },
                5.0 / 60.0,
            )
        } else {
            let rate = if self.p_hp < 40.0 {
                1.0 / 60.0
            } else {
                3.0 / 60.0
            };
            (
                START_PRESSURE_BAR.max(self.bypass_setpoint.min(self.p_hp)),
                rate,
            )
        };
        self.bypass_setpoint = ramp(self.bypass_setpoint.max(self.p_hp - 2.0), target, rate, dt);
        let allowed_rise = if self.p_hp < self.bypass_setpoint {
            rate
        } else {
            0.0
        };
        let excess = self.generation - self.to_turbine - self.storage_kg_per_bar() * allowed_rise;
        (excess + 20.0 * (self.p_hp - self.bypass_setpoint).max(0.0)).clamp(0.0, 70.0)
    }

    /// Three-element level control: feedwater follows steam flow, trimmed by level; swell from
    /// the pressure-fall rate (a falling pressure flashes water and lifts the level).
    fn drum_level(&mut self, dt: f64) {
        let steam_out = self.to_turbine + self.bypass;
        let level = self.level_hp();
        self.level_integral = (self.level_integral - level * 0.0005 * dt).clamp(-15.0, 15.0);
        let demand =
            (steam_out - 0.04 * level + self.level_integral).clamp(0.0, FEEDWATER_MAX_KG_S);
        let available = if self.feed_pumps.running() > 0 {
            demand
        } else {
            0.0
        };
        self.feedwater = lag(self.feedwater, available, 5.0, dt);
        self.inventory_mm += (self.feedwater - steam_out) / DRUM_KG_PER_MM * dt;
        self.swell_mm = lag(self.swell_mm, -SWELL_MM_PER_BAR_S * self.dp_dt, 25.0, dt);
    }

    fn temperatures(&mut self, dt: f64, exhaust: Exhaust, ambient: f64) {
        let making_steam = self.generation > 1.0;
        let sat = t_sat(self.p_hp);
        // Attemperators hold 535 °C; the spray valve opens only when the gas is hotter.
        let sh_uncontrolled = self.flue_in_c - 15.0;
        self.spray_pos = if making_steam {
            ((sh_uncontrolled - 535.0) * 4.0).clamp(0.0, 100.0)
        } else {
            0.0
        };
        let sh_target = if making_steam {
            sh_uncontrolled.min(535.0).max(sat + 5.0)
        } else {
            sat.min(self.sh_c)
        };
        self.sh_c = lag(
            self.sh_c,
            sh_target,
            if making_steam { 120.0 } else { 7200.0 },
            dt,
        );
        let rh_target = if making_steam {
            (self.flue_in_c - 18.0).min(535.0)
        } else {
            self.rh_c.min(t_sat(self.p_ip))
        };
        self.rh_c = lag(
            self.rh_c,
            rh_target,
            if making_steam { 150.0 } else { 7200.0 },
            dt,
        );
        let r = self.generation / HP_BASE_KG_S;
        let stack_target = if exhaust.running && exhaust.flow_kg_s > 1.0 {
            if making_steam {
                86.0 + 10.0 * r
            } else {
                (self.flue_in_c * 0.5).max(ambient)
            }
        } else {
            ambient + 0.5 * (self.stack_c - ambient)
        };
        self.stack_c = lag(
            self.stack_c,
            stack_target,
            if exhaust.running { 120.0 } else { 3600.0 },
            dt,
        );
        let preheat_target = if making_steam {
            60.0
        } else {
            ambient.max(self.preheater_in_c - 1.0)
        };
        self.preheater_in_c = lag(self.preheater_in_c, preheat_target, 300.0, dt);
    }

    /// The most steam the turbine may draw from this HRSG: its generation plus what the drum
    /// can release without the level falling faster than the feedwater can make up, at most
    /// 1.5 bar/min of pressure fall (the turbine's initial-pressure limiter).
    pub fn max_draw(&self) -> f64 {
        let from_storage = (FEEDWATER_MAX_KG_S - self.generation)
            .clamp(0.0, self.storage_kg_per_bar() * 1.5 / 60.0);
        self.generation + from_storage
    }

    pub fn economiser_out_c(&self) -> f64 {
        if self.generation > 1.0 {
            t_sat(self.p_hp) - 10.0
        } else {
            self.sh_c.min(t_sat(self.p_hp)) - 10.0
        }
    }

    pub fn ip_flow(&self) -> f64 {
        8.5 * (self.generation / HP_BASE_KG_S)
    }

    pub fn lp_flow(&self) -> f64 {
        7.5 * (self.generation / HP_BASE_KG_S)
    }

    /// Superheater outlet pressure (drum minus the superheater's pressure drop).
    pub fn sh_outlet_bar(&self) -> f64 {
        let r = (self.to_turbine + self.bypass) / HP_BASE_KG_S;
        (self.p_hp - 6.0 * r * r).max(1.0)
    }
}

/// Flue-gas back-pressure on the gas turbine, mbar: 28 mbar at the 487 kg/s of base load.
pub fn backpressure_mbar(exhaust_flow_kg_s: f64) -> f64 {
    28.0 * (exhaust_flow_kg_s / 487.0).powi(2)
}
