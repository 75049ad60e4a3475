//! Generator and step-up transformer, the same for the gas and the steam turbines: electrical
//! quantities from active power, breaker and excitation; stator and transformer heating.

use crate::steam::lag;

const RATED_KV: f64 = 15.75;
/// Excitation comes on at 95 % of 3,000 rpm.
const EXCITATION_RPM: f64 = 2850.0;

#[derive(Debug, Clone)]
pub struct Generator {
    /// Reactive power on the grid at no load, Mvar (the unit's voltage support).
    no_load_mvar: f64,
    pub stator_c: f64,
    pub transformer_oil_c: f64,
}

/// What the generator's and transformer's instruments read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub mw: f64,
    pub mvar: f64,
    pub mva: f64,
    pub kv: f64,
    pub ka: f64,
    pub hz: f64,
    pub breaker: bool,
    pub stator_c: f64,
    pub transformer_oil_c: f64,
    pub winding_c: f64,
}

impl Generator {
    pub fn new(ambient: f64, no_load_mvar: f64) -> Self {
        Generator {
            no_load_mvar,
            stator_c: ambient,
            transformer_oil_c: ambient,
        }
    }

    /// The readings at `mw` of active power.
    pub fn reading(&self, mw: f64, breaker: bool, speed_rpm: f64) -> Reading {
        let mvar = if breaker {
            self.no_load_mvar + 0.25 * mw
        } else {
            0.0
        };
        let mva = mw.hypot(mvar);
        let kv = if speed_rpm > EXCITATION_RPM {
            RATED_KV + 0.004 * mvar
        } else {
            0.0
        };
        let ka = if kv > 0.0 {
            mva / (3f64.sqrt() * kv)
        } else {
            0.0
        };
        Reading {
            mw,
            mvar,
            mva,
            kv,
            ka,
            hz: speed_rpm / 60.0,
            breaker,
            stator_c: self.stator_c,
            transformer_oil_c: self.transformer_oil_c,
            winding_c: self.transformer_oil_c + 15.0 * load_squared(mva) + 5.0,
        }
    }

    /// Stator and transformer oil follow the square of the load.
    pub fn step(&mut self, dt: f64, mw: f64, breaker: bool, speed_rpm: f64, ambient: f64) {
        let mva = self.reading(mw, breaker, speed_rpm).mva;
        self.stator_c = lag(
            self.stator_c,
            ambient + 20.0 + 50.0 * load_squared(mva),
            900.0,
            dt,
        );
        self.transformer_oil_c = lag(
            self.transformer_oil_c,
            ambient + 15.0 + 35.0 * load_squared(mva),
            2400.0,
            dt,
        );
    }
}

/// Square of the apparent power against the 200 MVA rating.
fn load_squared(mva: f64) -> f64 {
    (mva / 200.0).powi(2)
}
