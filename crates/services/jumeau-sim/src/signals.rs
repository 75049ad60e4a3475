//! Maps the master data's tags onto the model: each tag (component code + signal key) gets a
//! reader of the plant state. Resolved once, so a tag the model does not know is found at start,
//! not silently served as a constant.

use jumeau_core::masterdata::Tag;

use crate::generator::Reading;
use crate::gt::GasTurbine;
use crate::hrsg::{HP_BASE_KG_S, Hrsg, backpressure_mbar};
use crate::plant::Plant;
use crate::pump::Pump;
use crate::steam::t_sat;

pub type Reader = Box<dyn Fn(&Plant) -> f64 + Send + Sync>;

fn b(v: bool) -> f64 {
    if v { 1.0 } else { 0.0 }
}

/// A valve's position follows its demand with a small positioner offset.
fn position(demand: f64) -> f64 {
    (demand - 0.3).clamp(0.0, 100.0)
}

/// The reader of one tag, or None when the model has no such measurement.
pub fn resolve(tag: &Tag) -> Option<Reader> {
    let code = tag.component.as_str();
    if code.len() < 5 {
        return None;
    }
    let (prefix, rest) = code.split_at(2);
    let signal = tag.signal.as_str();
    let name = tag.name.clone();
    match prefix {
        "11" | "12" => {
            let t = if prefix == "11" { 0 } else { 1 };
            train_signal(t, rest, signal, name)
        }
        "10" => common_signal(rest, signal, name),
        _ => None,
    }
}

fn gt(t: usize, f: impl Fn(&GasTurbine, &Plant) -> f64 + Send + Sync + 'static) -> Option<Reader> {
    Some(Box::new(move |p: &Plant| f(&p.gt[t], p)))
}

fn hr(t: usize, f: impl Fn(&Hrsg, &Plant) -> f64 + Send + Sync + 'static) -> Option<Reader> {
    Some(Box::new(move |p: &Plant| f(&p.hrsg[t], p)))
}

fn pump_signal(code: String, signal: &str) -> Option<Reader> {
    let f: fn(&Pump) -> f64 = match signal {
        "running" => |p| b(p.running),
        "trip" => |p| b(p.tripped),
        "current" => Pump::current_a,
        "discharge_p" => Pump::discharge_bar,
        "brg_temp" => |p| p.bearing_c,
        "vib_de" => |p| p.vibration(0),
        "vib_nde" => |p| p.vibration(1),
        "speed" => |p| {
            if p.running {
                2800.0 + 1800.0 * p.duty
            } else {
                0.0
            }
        },
        _ => return None,
    };
    Some(Box::new(move |plant: &Plant| {
        plant.pump(&code).map(f).unwrap_or(0.0)
    }))
}

/// Generator (MKA) and step-up transformer (BAT) measurements, the same for every machine.
fn electrical_signal(
    signal: &str,
    read: impl Fn(&Plant) -> Reading + Send + Sync + 'static,
) -> Option<Reader> {
    let pick: fn(&Reading) -> f64 = match signal {
        "power" => |r| r.mw,
        "reactive" => |r| r.mvar,
        "voltage" => |r| r.kv,
        "current" => |r| r.ka,
        "frequency" => |r| r.hz,
        "breaker" => |r| b(r.breaker),
        "stator_temp" => |r| r.stator_c,
        "buchholz" => |_| 0.0,
        "oil_temp" => |r| r.transformer_oil_c,
        "winding_temp" => |r| r.winding_c,
        _ => return None,
    };
    Some(Box::new(move |p: &Plant| pick(&read(p))))
}

fn train_signal(t: usize, rest: &str, signal: &str, name: String) -> Option<Reader> {
    let exhaust_tc = |i: usize| {
        // Each thermocouple reads the mean plus a fixed offset of its combustor's sector.
        let offsets = [4.0, -3.0, 6.0, -5.0, 1.0, -2.0];
        let k = if t == 0 { 1.0 } else { -0.8 };
        move |g: &GasTurbine, _: &Plant| {
            let spread = if g.flame { 1.0 } else { 0.2 };
            g.exhaust_c + k * offsets[i] * spread
        }
    };
    match (rest, signal) {
        ("MBA00", "speed") => gt(t, |g, _| g.speed_rpm),
        ("MBA00", "trip") => gt(t, |g, _| b(g.trip_cause.is_some())),
        ("MBA10", "air_flow") => gt(t, |g, _| g.air_kg_s),
        ("MBA10", "igv") => gt(t, |g, _| g.igv_deg),
        ("MBA10", "cdp") => gt(t, |g, _| g.compressor_discharge_bar()),
        ("MBA10", "cdt") => gt(t, |g, p| g.compressor_discharge_c(p.ambient_c)),
        ("MBA20", "wheelspace_t") => gt(t, |g, _| g.wheelspace_c),
        ("MBD11" | "MBD12", _) => {
            let i = if rest == "MBD11" { 0 } else { 1 };
            match signal {
                "brg_temp" => gt(t, move |g, _| g.bearing_c[i]),
                "vib" => gt(t, move |g, _| g.bearing_vibration(i)),
                "shaft_vib" => gt(t, move |g, _| g.shaft_vibration(i)),
                _ => None,
            }
        }
        ("MBL10", "filter_dp") => gt(t, |g, _| 5.0 * (g.air_kg_s / 480.0).powi(2)),
        ("MBL10", "humidity") => gt(t, |_, _| 70.0),
        ("MBL10", "ambient_t") => gt(t, |_, p| p.ambient_c),
        ("MBM10", "pulsation") => gt(t, |g, _| {
            if g.flame {
                8.0 + 6.0 * g.load_fraction()
            } else {
                0.0
            }
        }),
        ("MBM10", "flame_1" | "flame_2") => gt(t, |g, _| b(g.flame)),
        ("MBP10", "flow") => gt(t, |g, _| g.fuel_kg_s),
        ("MBP10", "supply_p") => gt(t, |g, _| 26.5 - 0.15 * g.fuel_kg_s),
        ("MBP10", "supply_t") => gt(t, |_, _| 35.0),
        ("MBP10AA101", "pos") => gt(t, |g, _| position(g.fuel_kg_s / 9.5 * 100.0)),
        ("MBP10AA101", "cmd") => gt(t, |g, _| (g.fuel_kg_s / 9.5 * 100.0).clamp(0.0, 100.0)),
        ("MBR10", "exhaust_flow") => gt(t, |g, _| g.exhaust_flow()),
        ("MBR10", "exhaust_t") => gt(t, |g, _| g.exhaust_c),
        ("MBR10", "exhaust_spread") => {
            let tcs: Vec<_> = (0..6).map(exhaust_tc).collect();
            gt(t, move |g, p| {
                let values: Vec<f64> = tcs.iter().map(|f| f(g, p)).collect();
                values.iter().cloned().fold(f64::MIN, f64::max)
                    - values.iter().cloned().fold(f64::MAX, f64::min)
            })
        }
        ("MBR10", tc) if tc.starts_with("exhaust_tc") => {
            let i: usize = tc.trim_start_matches("exhaust_tc").parse().ok()?;
            if !(1..=6).contains(&i) {
                return None;
            }
            gt(t, exhaust_tc(i - 1))
        }
        ("MBV10", "tank_level") => gt(t, |_, _| 78.0),
        ("MBV10", "header_p") => gt(t, |g, _| if g.lube_pump_running() { 1.75 } else { 0.0 }),
        ("MBV10", "header_t") => gt(t, |g, _| g.lube_oil_c),
        ("MBV10AP001", "current") => gt(t, |g, _| if g.lube_pump_running() { 48.0 } else { 0.0 }),
        ("MBV10AP001", "running") => gt(t, |g, _| b(g.lube_pump_running())),
        ("MKA10" | "BAT10", _) => electrical_signal(signal, move |p| p.gt[t].electrical()),
        // HRSG
        ("HAC10", "inlet_t") => hr(t, |h, _| h.preheater_in_c),
        ("HAC50", "outlet_t") => hr(t, |h, _| h.economiser_out_c()),
        ("HAD10BB001" | "HAD30BB001", _) => {
            let lp = rest == "HAD10BB001";
            match signal {
                "steam_flow" | "fw_flow" => {
                    hr(t, move |h, _| if lp { h.lp_flow() } else { h.ip_flow() })
                }
                "level" | "level_b" => hr(t, move |h, p| {
                    (if lp { h.level_lp } else { h.level_ip }) + p.drift(&name)
                }),
                "pressure" => hr(t, move |h, _| if lp { h.p_lp } else { h.p_ip }),
                "sat_t" => hr(t, move |h, _| t_sat(if lp { h.p_lp } else { h.p_ip })),
                _ => None,
            }
        }
        ("HAD50BB001", "level" | "level_b") => hr(t, move |h, p| h.level_hp() + p.drift(&name)),
        ("HAD50BB001", "pressure") => hr(t, |h, _| h.p_hp),
        ("HAD50BB001", "sat_t") => hr(t, |h, _| t_sat(h.p_hp)),
        ("HAH50", "steam_flow") => hr(t, |h, _| h.to_turbine + h.bypass),
        ("HAH50", "steam_p") => hr(t, |h, _| h.sh_outlet_bar()),
        ("HAH50", "steam_t") => hr(t, |h, _| h.sh_c),
        ("HAJ30", "steam_flow") => hr(t, |h, _| h.to_turbine + h.bypass + h.ip_flow()),
        ("HAJ30", "steam_p") => hr(t, |h, p| {
            if h.connected {
                p.reheat_bar() + 1.0
            } else {
                h.p_ip
            }
        }),
        ("HAJ30", "steam_t") => hr(t, |h, _| h.rh_c),
        ("HNA10", "backpressure") => gt(t, |g, _| backpressure_mbar(g.exhaust_flow())),
        ("HNA10", "inlet_t") => hr(t, |h, _| h.flue_in_c),
        ("HNA20", "pos") => hr(t, |h, _| position(if h.damper_open { 100.0 } else { 0.0 })),
        ("HNA20", "cmd") => hr(t, |h, _| if h.damper_open { 100.0 } else { 0.0 }),
        ("HNE10", "nox") => gt(t, |g, _| g.nox_mg()),
        ("HNE10", "co") => gt(t, |g, _| g.co_mg()),
        ("HNE10", "o2") => gt(t, |g, _| g.o2_percent()),
        ("HNE10", "stack_t") => hr(t, |h, _| h.stack_c),
        ("LAB50AA101", "fw_flow") => hr(t, |h, _| h.feedwater),
        ("LAB50AA101", "pos") => hr(t, |h, _| position(h.feedwater / 66.0 * 100.0)),
        ("LAB50AA101", "cmd") => hr(t, |h, _| (h.feedwater / 66.0 * 100.0).clamp(0.0, 100.0)),
        ("LAC10AP001" | "LAC10AP002", _) => pump_signal(format!("1{}{rest}", t + 1), signal),
        ("LAE10AA101", "pos") => hr(t, |h, _| position(h.spray_pos)),
        ("LAE10AA101", "cmd") => hr(t, |h, _| h.spray_pos),
        ("LBA10AA001", "pos") => hr(t, |h, _| position(if h.connected { 100.0 } else { 0.0 })),
        ("LBA10AA001", "cmd") => hr(t, |h, _| if h.connected { 100.0 } else { 0.0 }),
        ("MAN10AA101" | "MAN20AA101", "pos" | "cmd") => {
            let pos = signal == "pos";
            hr(t, move |h, _| {
                let d = (h.bypass / 60.0 * 100.0).clamp(0.0, 100.0);
                if pos { position(d) } else { d }
            })
        }
        ("MAN30AA101", "pos" | "cmd") => {
            let pos = signal == "pos";
            hr(t, move |h, p| {
                let d = if p.st.admitting() && h.connected {
                    0.0
                } else {
                    (h.lp_flow() / 9.0 * 100.0).clamp(0.0, 100.0)
                };
                if pos { position(d) } else { d }
            })
        }
        _ => None,
    }
}

fn st(f: impl Fn(&Plant) -> f64 + Send + Sync + 'static) -> Option<Reader> {
    Some(Box::new(f))
}

fn common_signal(rest: &str, signal: &str, name: String) -> Option<Reader> {
    let hp_total = |p: &Plant| p.hrsg.iter().map(|h| h.to_turbine).sum::<f64>();
    let ip_total = |p: &Plant| {
        p.hrsg
            .iter()
            .filter(|h| h.connected)
            .map(|h| h.ip_flow())
            .sum::<f64>()
    };
    match (rest, signal) {
        ("MKA10" | "BAT10", _) => electrical_signal(signal, |p| p.st.electrical()),
        ("LAA10BB001", "level") => st(move |p| p.deaerator_level_mm + p.drift(&name)),
        ("LAA10BB001", "pressure") => st(|p| p.deaerator_bar),
        ("LAA10BB001", "o2") => st(|p| if p.deaerator_bar > 2.0 { 0.004 } else { 0.05 }),
        ("LAA10BB001", "water_t") => st(|p| t_sat(p.deaerator_bar) - 2.0),
        ("LBA10", "flow") => st(hp_total),
        ("LBA10", "pressure") => st(|p| p.header.pressure_bar),
        ("LBA10", "temperature") => st(|p| p.header.temp_c),
        ("LBB10", "flow") => st(move |p| hp_total(p) + ip_total(p)),
        ("LBB10", "pressure") => st(|p| p.reheat_bar()),
        ("LBB10", "temperature") => st(|p| p.hot_reheat_c()),
        ("LBC10", "flow") => st(hp_total),
        ("LBC10", "pressure") => st(|p| p.reheat_bar() + 2.0),
        ("LBC10", "temperature") => st(|p| {
            if p.st.steam_kg_s > 1.0 {
                300.0 + 40.0 * (p.st.steam_kg_s / 114.0)
            } else {
                p.header.temp_c.min(300.0)
            }
        }),
        (
            "LCB10AP001" | "LCB10AP002" | "PAC10AP001" | "PAC10AP002" | "PGB10AP001" | "PGB10AP002",
            _,
        ) => pump_signal(format!("10{rest}"), signal),
        ("MAJ10AN001", "current") => st(|p| p.vacuum_pump.current_a()),
        ("MAJ10AN001", "running") => st(|p| b(p.vacuum_pump.running)),
        ("MAA00", "speed") => st(|p| p.st.speed_rpm),
        ("MAA00", "trip") => st(|p| b(p.st.trip_cause.is_some())),
        ("MAA10AA001", "pos" | "cmd") => {
            let pos = signal == "pos";
            st(move |p| {
                let open = p.st.start_requested && p.st.speed_rpm > 2.0 || p.st.breaker;
                let d = if open { 100.0 } else { 0.0 };
                if pos { position(d) } else { d }
            })
        }
        ("MAA10AA101", "pos" | "cmd") => {
            let pos = signal == "pos";
            st(move |p| {
                let d = if p.st.breaker {
                    p.st.admission * 100.0
                } else if p.st.speed_rpm > 10.0 && p.st.start_requested {
                    3.0
                } else {
                    0.0
                };
                if pos { position(d) } else { d }
            })
        }
        ("MAA10", "inlet_p") => st(|p| {
            if p.st.steam_kg_s > 0.5 {
                p.header.pressure_bar - 2.0
            } else {
                p.header.pressure_bar.min(5.0)
            }
        }),
        ("MAA10", "inlet_t") => st(|p| p.st.inlet_c),
        ("MAA10", "metal_t") => st(|p| p.st.metal_c),
        ("MAA10", "diff_exp") => st(|p| p.st.differential_expansion()),
        ("MAB10", "inlet_p") => st(|p| p.reheat_bar()),
        ("MAB10", "inlet_t") => st(|p| {
            if p.st.steam_kg_s > 1.0 {
                p.hot_reheat_c() - 3.0
            } else {
                p.st.metal_c.min(p.hot_reheat_c())
            }
        }),
        ("MAC10", "inlet_p") => st(|p| p.lp_admission_bar()),
        ("MAC10", "inlet_t") => st(|p| {
            if p.st.steam_kg_s > 1.0 {
                250.0 + 15.0 * (p.st.steam_kg_s / 114.0)
            } else {
                p.st.exhaust_hood_c()
            }
        }),
        ("MAC10", "exhaust_t") => st(|p| p.st.exhaust_hood_c()),
        ("MAD11" | "MAD12", _) => {
            let i = if rest == "MAD11" { 0 } else { 1 };
            match signal {
                "brg_temp" => st(move |p| p.st.bearing_c[i]),
                "vib" => st(move |p| p.st.bearing_vibration(i)),
                "shaft_vib" => st(move |p| p.st.shaft_vibration(i)),
                "axial_pos" => st(|p| p.st.axial_position()),
                _ => None,
            }
        }
        ("MAG10", "hotwell_level") => st(move |p| {
            p.drift(&name) + 10.0 * (p.st.steam_kg_s / HP_BASE_KG_S - 1.0).clamp(-2.0, 1.0)
        }),
        ("MAG10", "pressure") => st(|p| p.st.condenser_mbar),
        ("MAG10", "cw_in_t") => st(|p| p.cw_inlet_c()),
        ("MAG10", "cw_out_t") => st(|p| p.cw_outlet_c()),
        ("MAV10", "tank_level") => st(|_| 75.0),
        ("MAV10", "header_p") => st(|p| {
            if p.st.speed_rpm > 0.5 || p.st.metal_c > 150.0 {
                1.7
            } else {
                0.0
            }
        }),
        ("MAV10", "header_t") => st(|p| p.st.lube_oil_c),
        ("MAW10", "header_p") => st(|p| if p.vacuum_pump.running { 1.25 } else { 1.0 }),
        _ => None,
    }
}
