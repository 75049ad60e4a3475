//! The seed's alarm rules against the simulator: a fault raises the expected alarm in the
//! expected time and clears after the operator's action; healthy operation stays quiet.

use jumeau_core::alarm::{AlarmEngine, AlarmEvent, AlarmState, EventKind, Input};
use jumeau_sim::{Action, Scenario, Simulator};

struct Run {
    sim: Simulator,
    engine: AlarmEngine,
    t_s: i64,
    events: Vec<AlarmEvent>,
}

impl Run {
    fn new(scenario: &str) -> Run {
        let md = jumeau_core::plant::embedded().md;
        let engine = AlarmEngine::new(&md);
        assert!(engine.problems().is_empty(), "{:?}", engine.problems());
        let sim = Simulator::new(&md.tags, Scenario::load(scenario).unwrap(), 7);
        Run {
            sim,
            engine,
            t_s: 0,
            events: Vec::new(),
        }
    }

    /// Advances one simulated second at a time, evaluating the rules each second.
    fn run_for(&mut self, minutes: f64) {
        for _ in 0..(minutes * 60.0) as i64 {
            self.sim.advance(1.0);
            self.t_s += 1;
            let t = self.t_s * 1000;
            let inputs: Vec<Input> = self
                .sim
                .values()
                .into_iter()
                .map(|v| {
                    v.map_or(Input::MISSING, |value| Input {
                        value,
                        ts_ms: t,
                        good: true,
                    })
                })
                .collect();
            self.events.extend(self.engine.evaluate(t, &inputs));
        }
    }

    fn first(&self, code: &str, kind: EventKind) -> Option<f64> {
        self.events
            .iter()
            .find(|e| e.code == code && e.kind == kind)
            .map(|e| e.ts_ms as f64 / 60_000.0)
    }
}

#[test]
fn pump_bearing_vibration_fault_raises_then_clears_after_changeover() {
    let mut run = Run::new("fault-pump-vibration");
    run.run_for(25.0);
    assert!(
        run.events.is_empty(),
        "quiet before the fault: {:?}",
        run.events
    );
    run.run_for(15.0);
    // Wear from minute 2 at 6 mm/s per hour crosses the 4.5 mm/s H limit after about half an hour.
    let raised = run
        .first("11LAC10CY111-H", EventKind::Raised)
        .expect("drive-end vibration H raised");
    assert!((27.0..40.0).contains(&raised), "raised at {raised:.1} min");
    let a = run.engine.alarm("11LAC10CY111-H").unwrap();
    assert_eq!(a.state, AlarmState::Unacknowledged);
    assert_eq!(a.priority.as_str(), "medium");
    assert!(a.value > 4.5 && a.limit == 4.5);
    // The operator acknowledges, then changes over to the standby pump (trips pump 1).
    run.engine
        .acknowledge("11LAC10CY111-H", "p.durand", run.t_s * 1000)
        .unwrap();
    run.sim.command(&Action::PumpTrip {
        component: "11LAC10AP001".into(),
    });
    run.run_for(3.0);
    let cleared = run
        .first("11LAC10CY111-H", EventKind::Cleared)
        .expect("cleared");
    assert!(cleared > raised);
    assert_eq!(
        run.engine.alarm("11LAC10CY111-H").unwrap().state,
        AlarmState::Normal,
        "acknowledged then cleared: back to normal"
    );
    // The changeover shows as the pump's latched motor trip; the standby's low discharge
    // pressure while it starts is not an alarm.
    assert!(run.first("11LAC10CE112-TRIP", EventKind::Raised).is_some());
    assert!(run.first("11LAC10CP111-L", EventKind::Raised).is_none());
}

#[test]
fn steady_dispatch_stays_below_one_alarm_per_ten_minutes() {
    let mut run = Run::new("dispatch");
    run.run_for(60.0);
    let raised = run
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Raised)
        .count();
    assert!(raised <= 6, "{raised} alarms in an hour: {:?}", run.events);
}

#[test]
fn a_gas_turbine_trip_is_one_critical_latched_alarm_not_a_flood() {
    let mut run = Run::new("tg1-trip");
    run.run_for(20.0);
    let trip = run.engine.alarm("11MBA00CE901-TRIP").unwrap();
    assert_eq!(trip.priority.as_str(), "critical");
    assert_eq!(trip.state, AlarmState::Unacknowledged);
    let raised: Vec<&str> = run
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Raised)
        .map(|e| e.code.as_str())
        .collect();
    // The tripped unit's low alarms are suppressed by design (generator off the grid).
    assert!(raised.len() <= 10, "{raised:?}");
    assert!(
        !raised.iter().any(|c| c.starts_with("11MKA10")),
        "{raised:?}"
    );
}
