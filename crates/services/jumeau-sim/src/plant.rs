//! The whole block: two trains (GT + HRSG), the steam turbine on a common header, condenser,
//! pumps, grid frequency; applies operator commands and injected faults; plant-level protections.

use crate::gt::{GasTurbine, GtPhase};
use crate::hrsg::{Exhaust, Hrsg};
use crate::noise;
use crate::pump::{CLOSED_COOLING, CONDENSATE, COOLING_WATER, Pump, PumpPair};
use crate::scenario::{Action, InitialState, Scenario};
use crate::st::{Header, SteamTurbine, Surroundings};
use crate::steam::{lag, t_sat};

/// Fixed integration step, simulated seconds: the trajectory does not depend on how fast the
/// simulator is driven.
pub const STEP_S: f64 = 0.5;
const GRID_STREAM: u64 = u64::MAX - 1;
/// An HRSG drum level below this for 10 s trips its gas turbine (LL protection).
const DRUM_LEVEL_TRIP_MM: f64 = -300.0;

#[derive(Debug, Clone)]
pub struct Plant {
    pub ambient_c: f64,
    pub grid_hz: f64,
    pub gt: [GasTurbine; 2],
    pub hrsg: [Hrsg; 2],
    pub st: SteamTurbine,
    pub condensate: PumpPair,
    pub cooling_water: PumpPair,
    pub closed_cooling: PumpPair,
    pub vacuum_pump: Pump,
    pub header: Header,
    pub deaerator_bar: f64,
    pub deaerator_level_mm: f64,
    /// Injected transmitter drifts: (tag, mm/s, offset so far).
    pub drifts: Vec<(String, f64, f64)>,
    low_level_s: [f64; 2],
    seed: u64,
    step: u64,
}

impl Plant {
    pub fn new(scenario: &Scenario, seed: u64) -> Plant {
        let amb = scenario.ambient_c;
        let v = |i: u64| 1.6 + 0.8 * noise::uniform(seed, 1000 + i, 0);
        let pump = |code, rating, i| Pump::new(code, rating, [v(i) * 0.8, v(i + 1) * 0.7], amb);
        let hot = scenario.initial.state != InitialState::Cold;
        let p0 = if hot { 60.0 } else { 1.0 };
        let mut plant = Plant {
            ambient_c: amb,
            grid_hz: 50.0,
            gt: [
                GasTurbine::standstill(amb, [v(1), v(2)]),
                GasTurbine::standstill(amb, [v(3), v(4)]),
            ],
            hrsg: [Hrsg::new(1, amb, p0, hot), Hrsg::new(2, amb, p0, hot)],
            st: SteamTurbine::new(
                amb,
                if hot { 420.0 } else { 80.0 },
                [v(5) * 0.9, v(6) * 0.9],
            ),
            condensate: PumpPair::new(
                pump("10LCB10AP001", CONDENSATE, 10),
                pump("10LCB10AP002", CONDENSATE, 12),
                false,
            ),
            cooling_water: PumpPair::new(
                pump("10PAC10AP001", COOLING_WATER, 14),
                pump("10PAC10AP002", COOLING_WATER, 16),
                true,
            ),
            closed_cooling: PumpPair::new(
                pump("10PGB10AP001", CLOSED_COOLING, 18),
                pump("10PGB10AP002", CLOSED_COOLING, 20),
                false,
            ),
            vacuum_pump: pump("10MAJ10AN001", crate::pump::AUXILIARY, 22),
            header: Header {
                pressure_bar: p0,
                temp_c: t_sat(p0),
                superheat_k: 0.0,
            },
            deaerator_bar: 1.2,
            deaerator_level_mm: 0.0,
            drifts: Vec::new(),
            low_level_s: [0.0; 2],
            seed,
            step: 0,
        };
        plant.cooling_water.set_service(true);
        plant.closed_cooling.set_service(true);
        if hot {
            plant.vacuum_pump.running = true;
            plant.st.condenser_mbar = 70.0;
        }
        if scenario.initial.state == InitialState::Running {
            plant.settle_on_load(scenario.initial.tg1_mw, scenario.initial.tg2_mw);
        }
        plant
    }

    /// Puts the trains on load and integrates three simulated hours so that every lag, storage
    /// and controller starts from its equilibrium, as a plant that has been running would.
    fn settle_on_load(&mut self, tg1_mw: f64, tg2_mw: f64) {
        self.vacuum_pump.running = true;
        self.st.condenser_mbar = 70.0;
        let mut any = false;
        for (i, mw) in [tg1_mw, tg2_mw].into_iter().enumerate() {
            if mw > 0.0 {
                any = true;
                self.gt[i].on_load(mw);
                self.gt[i].exhaust_c = 540.0;
                self.hrsg[i] = Hrsg::new(i as u8 + 1, self.ambient_c, 100.0, true);
                self.hrsg[i].connected = true;
                self.hrsg[i].generation = 50.0;
            }
        }
        if any {
            self.st.on_load();
            self.st.metal_c = 500.0;
        }
        let steps = (3.0 * 3600.0 / STEP_S) as u64;
        for _ in 0..steps {
            self.step();
        }
        self.step = 0;
    }

    pub fn apply(&mut self, action: &Action) {
        match action {
            Action::Start { unit } => match unit.as_str() {
                "TV" => self.st.start(),
                gt => {
                    if let Some(g) = self.gt_mut(gt) {
                        g.start();
                    }
                    self.vacuum_pump.running = true;
                }
            },
            Action::Stop { unit } => match unit.as_str() {
                "TV" => self.st.stop(),
                gt => {
                    if let Some(g) = self.gt_mut(gt) {
                        g.stop();
                    }
                }
            },
            Action::Trip { unit } => match unit.as_str() {
                "TV" => self.st.trip("manual trip"),
                gt => {
                    if let Some(g) = self.gt_mut(gt) {
                        g.trip("manual trip");
                    }
                }
            },
            Action::Load { unit, mw } => {
                if let Some(g) = self.gt_mut(unit) {
                    g.setpoint_mw = *mw;
                }
            }
            Action::PumpVibration {
                component,
                mm_s_per_h,
            } => {
                if let Some(p) = self.pump_mut(component) {
                    p.wear_rate = mm_s_per_h / 3600.0;
                }
            }
            Action::LevelDrift { tag, mm_per_min } => {
                self.drifts.push((tag.clone(), mm_per_min / 60.0, 0.0))
            }
            Action::PumpTrip { component } => {
                for pair in self.pump_pairs_mut() {
                    if let Some(i) = pair.pumps.iter().position(|p| p.code == component.as_str()) {
                        pair.trip(i);
                    }
                }
            }
            Action::Ambient { celsius } => self.ambient_c = *celsius,
        }
    }

    fn gt_mut(&mut self, unit: &str) -> Option<&mut GasTurbine> {
        match unit {
            "TG1" => Some(&mut self.gt[0]),
            "TG2" => Some(&mut self.gt[1]),
            _ => None,
        }
    }

    fn pump_pairs_mut(&mut self) -> [&mut PumpPair; 5] {
        let [h1, h2] = &mut self.hrsg;
        [
            &mut h1.feed_pumps,
            &mut h2.feed_pumps,
            &mut self.condensate,
            &mut self.cooling_water,
            &mut self.closed_cooling,
        ]
    }

    pub fn pump_mut(&mut self, code: &str) -> Option<&mut Pump> {
        if self.vacuum_pump.code == code {
            return Some(&mut self.vacuum_pump);
        }
        self.pump_pairs_mut()
            .into_iter()
            .flat_map(|pair| pair.pumps.iter_mut())
            .find(|p| p.code == code)
    }

    pub fn pump(&self, code: &str) -> Option<&Pump> {
        let pairs = [
            &self.hrsg[0].feed_pumps,
            &self.hrsg[1].feed_pumps,
            &self.condensate,
            &self.cooling_water,
            &self.closed_cooling,
        ];
        if self.vacuum_pump.code == code {
            return Some(&self.vacuum_pump);
        }
        pairs
            .into_iter()
            .flat_map(|pair| pair.pumps.iter())
            .find(|p| p.code == code)
    }

    /// Transmitter drift added to a tag's reading, mm.
    pub fn drift(&self, tag: &str) -> f64 {
        self.drifts
            .iter()
            .filter(|(t, _, _)| t == tag)
            .map(|(_, _, off)| off)
            .sum()
    }

    pub fn step_index(&self) -> u64 {
        self.step
    }

    /// One integration step of `STEP_S` seconds.
    pub fn step(&mut self) {
        let dt = STEP_S;
        self.step += 1;
        // Grid frequency: Ornstein-Uhlenbeck around 50 Hz (σ ≈ 20 mHz, τ = 60 s).
        let n = noise::normal(self.seed, GRID_STREAM, self.step);
        self.grid_hz += -(self.grid_hz - 50.0) / 60.0 * dt + 0.004 * dt.sqrt() * n;

        for gt in &mut self.gt {
            gt.step(dt, self.ambient_c, self.grid_hz);
        }
        self.update_connections();
        self.header = self.header_conditions();
        let demand = self.st.steam_demand(self.header);
        let connected_p: f64 = self
            .hrsg
            .iter()
            .filter(|h| h.connected)
            .map(|h| h.p_hp)
            .sum();
        let admission = if self.st.admitting() {
            self.st.admission
        } else {
            0.0
        };
        for i in 0..2 {
            let g = &self.gt[i];
            let exhaust = Exhaust {
                flow_kg_s: g.exhaust_flow(),
                temp_c: g.exhaust_c,
                running: g.phase != GtPhase::Standstill && g.speed_rpm > 10.0,
            };
            let h = &mut self.hrsg[i];
            let share = if h.connected && connected_p > 0.0 {
                demand * h.p_hp / connected_p
            } else {
                0.0
            };
            let draw = share.min(h.max_draw());
            h.step(dt, exhaust, draw, admission, self.ambient_c);
        }
        let steam: f64 = self.hrsg.iter().map(|h| h.to_turbine).sum();
        let dumped: f64 = self.hrsg.iter().map(|h| h.bypass).sum();
        let cw_in = self.cw_inlet_c();
        let around = Surroundings {
            grid_hz: self.grid_hz,
            vacuum: self.vacuum_pump.running,
            cw_in_c: cw_in,
            dumped_kg_s: dumped,
            ambient: self.ambient_c,
        };
        self.st.step(dt, self.header, steam, around);
        if self.st.breaker && self.header.pressure_bar < 20.0 {
            self.st.trip("low main-steam pressure");
        }
        self.balance_of_plant(dt);
        self.drum_protection(dt);
        for (_, rate, offset) in &mut self.drifts {
            *offset += *rate * dt;
        }
    }

    /// An HRSG joins the steam-turbine header when it makes steam at the header's pressure, and
    /// is isolated (boxed up) when its gas turbine no longer feeds it.
    fn update_connections(&mut self) {
        let header_p = self
            .hrsg
            .iter()
            .filter(|h| h.connected)
            .map(|h| h.p_hp)
            .fold(0.0, f64::max);
        for h in &mut self.hrsg {
            if h.connected && h.generation < 4.0 {
                h.connected = false;
            } else if !h.connected
                && h.generation > 4.0
                && h.sh_c - t_sat(h.p_hp) > 50.0
                && (header_p == 0.0 || h.p_hp >= header_p - 3.0)
            {
                h.connected = true;
            }
        }
    }

    fn header_conditions(&self) -> Header {
        let connected: Vec<&Hrsg> = self.hrsg.iter().filter(|h| h.connected).collect();
        let (p, t) = if connected.is_empty() {
            let best = self
                .hrsg
                .iter()
                .max_by(|a, b| a.p_hp.total_cmp(&b.p_hp))
                .expect("two HRSGs");
            (best.sh_outlet_bar(), best.sh_c)
        } else {
            let weight: f64 = connected.iter().map(|h| h.generation.max(0.1)).sum();
            let p =
                connected.iter().map(|h| h.sh_outlet_bar()).sum::<f64>() / connected.len() as f64;
            let t = connected
                .iter()
                .map(|h| h.sh_c * h.generation.max(0.1))
                .sum::<f64>()
                / weight;
            (p, t)
        };
        Header {
            pressure_bar: p,
            temp_c: t,
            superheat_k: t - t_sat(p),
        }
    }

    fn balance_of_plant(&mut self, dt: f64) {
        let feedwater: f64 = self
            .hrsg
            .iter()
            .map(|h| h.feedwater + h.ip_flow() + h.lp_flow())
            .sum();
        let steam_cycle = feedwater > 1.0 || self.st.speed_rpm > 10.0;
        self.condensate
            .set_service(steam_cycle || self.vacuum_pump.running);
        self.condensate
            .step(dt, (feedwater / 170.0).clamp(0.3, 1.0), self.ambient_c);
        let cooling_duty = 0.7 + 0.3 * (self.st.steam_kg_s / 114.0).min(1.0);
        self.cooling_water.step(dt, cooling_duty, self.ambient_c);
        self.closed_cooling.step(dt, 0.6, self.ambient_c);
        self.vacuum_pump.duty = 0.7;
        self.vacuum_pump.step(dt, self.ambient_c);
        let heating = self.hrsg.iter().map(|h| h.generation).sum::<f64>() / 114.0;
        let target = if heating > 0.02 {
            1.2 + 3.8 * (heating * 1.5).min(1.0)
        } else {
            self.deaerator_bar
        };
        let old = self.deaerator_bar;
        self.deaerator_bar = lag(self.deaerator_bar, target, 300.0, dt);
        self.deaerator_level_mm = lag(
            self.deaerator_level_mm,
            -2000.0 * (self.deaerator_bar - old) / dt,
            60.0,
            dt,
        );
    }

    /// Drum level low-low for 10 s trips the train's gas turbine.
    fn drum_protection(&mut self, dt: f64) {
        for i in 0..2 {
            if self.hrsg[i].level_hp() < DRUM_LEVEL_TRIP_MM {
                self.low_level_s[i] += dt;
                if self.low_level_s[i] >= 10.0 {
                    self.gt[i].trip("HRSG drum level low-low");
                }
            } else {
                self.low_level_s[i] = 0.0;
            }
        }
    }

    pub fn cw_inlet_c(&self) -> f64 {
        (self.ambient_c + 2.0).clamp(8.0, 24.0)
    }

    pub fn cw_outlet_c(&self) -> f64 {
        let heat = (self.st.steam_kg_s + self.hrsg.iter().map(|h| h.bypass).sum::<f64>()) / 114.0;
        self.cw_inlet_c() + 9.0 * heat.min(1.2)
    }

    /// Reheat pressure at the steam turbine, bar.
    pub fn reheat_bar(&self) -> f64 {
        1.0 + 27.0 * (self.st.steam_kg_s / 114.0)
    }

    pub fn lp_admission_bar(&self) -> f64 {
        0.8 + 4.5 * (self.st.steam_kg_s / 114.0)
    }

    pub fn hot_reheat_c(&self) -> f64 {
        let connected: Vec<&Hrsg> = self.hrsg.iter().filter(|h| h.connected).collect();
        if connected.is_empty() {
            return self.hrsg.iter().map(|h| h.rh_c).fold(f64::MIN, f64::max);
        }
        connected.iter().map(|h| h.rh_c).sum::<f64>() / connected.len() as f64
    }
}
