//! Behaviour of the plant model as an operator would check it, on the seed master data.

use jumeau_core::masterdata::MasterData;
use jumeau_sim::{GtPhase, Scenario, Simulator, StPhase};

fn sim(scenario: &str, seed: u64) -> (MasterData, Simulator) {
    let md = jumeau_core::plant::embedded().md;
    let s = Simulator::new(&md.tags, Scenario::load(scenario).unwrap(), seed);
    (md, s)
}

fn v(s: &Simulator, tag: &str) -> f64 {
    s.value(s.index_of(tag).unwrap_or_else(|| panic!("no tag {tag}")))
        .unwrap()
}

fn minutes(s: &mut Simulator, m: f64) {
    s.advance(m * 60.0);
}

#[test]
fn every_seed_tag_has_a_model_value() {
    let (md, s) = sim("dispatch", 1);
    assert!(s.unmapped().is_empty(), "unmapped: {:?}", s.unmapped());
    assert_eq!(s.values().iter().flatten().count(), md.tags.len());
    assert!(s.values().iter().flatten().all(|x| x.is_finite()));
}

#[test]
fn same_seed_same_trajectory_other_seed_other_noise() {
    let (_, mut a) = sim("tg1-trip", 42);
    let (_, mut b) = sim("tg1-trip", 42);
    let (_, mut c) = sim("tg1-trip", 43);
    for _ in 0..20 {
        a.advance(30.0);
        // Driving b in uneven slices must not change the trajectory.
        b.advance(10.25);
        b.advance(19.75);
        c.advance(30.0);
        assert_eq!(a.values(), b.values());
    }
    assert_ne!(a.values(), c.values());
}

#[test]
fn steady_base_load_stays_inside_every_alarm_band() {
    let (md, mut s) = sim("dispatch", 7);
    minutes(&mut s, 2.0);
    let values = s.values();
    let reading = |component: &str, signal: &str| {
        md.tags
            .iter()
            .position(|t| t.component == component && t.signal == signal)
            .map(|i| values[i].unwrap())
    };
    for p in &md.parameters {
        // A standby pump's pressure and current alarms are suppressed while it is stopped.
        if reading(&p.component, "running") == Some(0.0) {
            continue;
        }
        let Some(i) = md
            .tags
            .iter()
            .position(|t| t.component == p.component && t.signal == p.name)
        else {
            continue;
        };
        let x = values[i].unwrap();
        if let Some(h) = p.limits.h {
            assert!(x < h, "{} {} = {x} ≥ H {h}", p.component, p.name);
        }
        if let Some(l) = p.limits.l {
            assert!(x > l, "{} {} = {x} ≤ L {l}", p.component, p.name);
        }
    }
}

#[test]
fn more_gas_turbine_load_gives_more_exhaust_energy_and_steam() {
    let (_, mut s) = sim("dispatch", 3);
    // Dispatch: 150 MW, then 166 MW at minute 5, 120 MW at minute 25.
    minutes(&mut s, 20.0);
    let energy = |s: &Simulator| v(s, "11MBR10CF101") * (v(s, "11MBR10CT101") - 15.0);
    let (e_high, steam_high, st_high) = (energy(&s), v(&s, "11HAH50CF101"), v(&s, "10MKA10CE101"));
    minutes(&mut s, 20.0);
    assert!((v(&s, "11MKA10CE101") - 120.0).abs() < 2.0);
    assert!(energy(&s) < 0.95 * e_high, "exhaust energy follows load");
    assert!(
        v(&s, "11HAH50CF101") < steam_high - 2.0,
        "HP steam follows load"
    );
    assert!(
        v(&s, "10MKA10CE101") < st_high - 5.0,
        "steam turbine follows"
    );
}

#[test]
fn tg1_trip_drops_the_steam_turbine_and_cr1_pressure_decays() {
    let (_, mut s) = sim("tg1-trip", 5);
    minutes(&mut s, 1.9);
    let st_before = v(&s, "10MKA10CE101");
    let cr1_before = v(&s, "11HAD50CP101");
    let cr2_before = v(&s, "12HAD50CP101");
    minutes(&mut s, 0.2);
    assert_eq!(s.plant().gt[0].phase, GtPhase::Tripped);
    assert_eq!(v(&s, "11MKA10CE101"), 0.0, "TG1 breaker open, no load");
    assert_eq!(v(&s, "11MKA10CE110"), 0.0);
    minutes(&mut s, 10.0);
    let st_after = v(&s, "10MKA10CE101");
    assert!(
        st_after < 0.7 * st_before && st_after > 0.4 * st_before,
        "TV {st_before} → {st_after}"
    );
    assert!(
        v(&s, "11HAD50CP101") < cr1_before - 3.0,
        "CR1 pressure decays"
    );
    assert!(v(&s, "12HAD50CP101") < cr2_before, "CR2 pressure sags");
    assert!(v(&s, "11MBA00CS101") < 1500.0, "TG1 coasting down");
    assert_eq!(
        s.plant().st.phase,
        StPhase::Loaded,
        "the steam turbine stays on line"
    );
    assert_eq!(s.plant().gt[1].phase, GtPhase::Loaded, "TG2 unaffected");
}

#[test]
fn hot_start_runs_the_whole_sequence_to_load() {
    let (_, mut s) = sim("hot-start", 9);
    assert_eq!(v(&s, "11MBA00CS101"), 0.0);
    minutes(&mut s, 4.0);
    assert_eq!(s.plant().gt[0].phase, GtPhase::Purge);
    assert!((v(&s, "11MBA00CS101") - 750.0).abs() < 5.0, "purge speed");
    assert_eq!(v(&s, "11MBM10CX101"), 0.0, "no flame during purge");
    // Five minutes counted at purge speed (reached after about 3 min), then ignition.
    minutes(&mut s, 6.0);
    assert_eq!(v(&s, "11MBM10CX101"), 1.0, "flame after ignition");
    minutes(&mut s, 9.0);
    assert_eq!(v(&s, "11MKA10CE110"), 1.0, "synchronised within 19 min");
    minutes(&mut s, 73.0);
    assert!(v(&s, "11MKA10CE101") > 160.0);
    assert!(
        v(&s, "10MKA10CE101") > 140.0,
        "steam turbine loaded within 90 min: {}",
        v(&s, "10MKA10CE101")
    );
    assert!(
        s.journal().iter().all(|(_, e)| !e.starts_with("trip")),
        "{:?}",
        s.journal()
    );
}

#[test]
fn cold_start_soaks_the_steam_turbine_at_1000_rpm() {
    let (_, mut s) = sim("cold-start", 2);
    let mut soaked = false;
    for _ in 0..150 {
        minutes(&mut s, 1.0);
        soaked |=
            s.plant().st.phase == StPhase::Soak && (v(&s, "10MAA00CS101") - 1000.0).abs() < 5.0;
    }
    assert!(soaked, "heat soak at 1,000 rpm on a cold casing");
    assert!(
        v(&s, "10MKA10CE110") == 1.0,
        "steam turbine on line within 150 min"
    );
}

#[test]
fn normal_shutdown_ends_with_everything_stopped() {
    let (_, mut s) = sim("normal-shutdown", 4);
    minutes(&mut s, 90.0);
    for tag in [
        "11MBA00CS101",
        "12MBA00CS101",
        "11MKA10CE101",
        "10MKA10CE101",
    ] {
        assert!(v(&s, tag) < 5.0, "{tag} = {}", v(&s, tag));
    }
    assert!(
        s.journal().iter().all(|(_, e)| !e.starts_with("trip")),
        "no protection trip: {:?}",
        s.journal()
    );
    assert!(v(&s, "11HAD50CP101") > 40.0, "HRSG boxed up under pressure");
}

#[test]
fn tg1_alone_slides_hp_pressure_down() {
    let (_, mut s) = sim("tg1-alone", 6);
    minutes(&mut s, 20.0);
    assert_eq!(v(&s, "12MBA00CS101"), 0.0);
    let p = v(&s, "10LBA10CP101");
    assert!(p > 40.0 && p < 80.0, "1×1 sliding pressure {p}");
    assert!(v(&s, "10MKA10CE101") > 40.0 && v(&s, "10MKA10CE101") < 100.0);
}

#[test]
fn pump_bearing_wear_raises_its_vibration_only() {
    let (_, mut s) = sim("fault-pump-vibration", 8);
    minutes(&mut s, 1.5);
    let (a0, b0) = (v(&s, "11LAC10CY111"), v(&s, "12LAC10CY111"));
    minutes(&mut s, 60.0);
    assert!(
        v(&s, "11LAC10CY111") > a0 + 4.0,
        "{a0} → {}",
        v(&s, "11LAC10CY111")
    );
    assert!(
        (v(&s, "12LAC10CY111") - b0).abs() < 1.0,
        "other train unaffected"
    );
    assert!(v(&s, "11LAC10CT111") > 70.0, "bearing warms");
}

#[test]
fn drifting_transmitter_disagrees_with_its_twin() {
    let (_, mut s) = sim("fault-drum-level-drift", 8);
    minutes(&mut s, 31.0);
    let (a, b) = (v(&s, "12HAD50CL101"), v(&s, "12HAD50CL102"));
    assert!(a - b > 120.0, "A {a} vs B {b}");
    assert!(b.abs() < 40.0, "true level held: {b}");
}

#[test]
fn feedwater_pump_trip_hands_over_to_the_standby_pump() {
    let (_, mut s) = sim("fault-feedwater-pump-trip", 8);
    minutes(&mut s, 2.0);
    let mut lowest = f64::MAX;
    for _ in 0..120 {
        s.advance(1.0);
        lowest = lowest.min(v(&s, "11HAD50CL102"));
    }
    assert_eq!(v(&s, "11LAC10CE111"), 0.0, "pump 1 tripped");
    assert_eq!(v(&s, "11LAC10CE121"), 1.0, "pump 2 took over");
    assert!(lowest < -15.0, "level dipped: {lowest}");
    minutes(&mut s, 10.0);
    assert!(v(&s, "11HAD50CL102").abs() < 40.0, "level recovered");
    assert_eq!(s.plant().gt[0].phase, GtPhase::Loaded, "no trip");
}
