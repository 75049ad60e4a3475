//! Engine tests: every rule kind with its edge cases, and the lifecycle.

use super::*;
use crate::Quantity;
use crate::masterdata::{AlarmRef, Limits, MasterData, Parameter, Priority, Tag};

fn tag(name: &str, signal: &str) -> Tag {
    Tag {
        name: name.into(),
        component: "11LAC10AP001".into(),
        signal: signal.into(),
        quantity: Quantity::Pressure,
        unit: "bar".into(),
        range_low: Some(0.0),
        range_high: Some(200.0),
        description: String::new(),
        description_en: String::new(),
        opcua_node: None,
        mqtt_topic: None,
        true_fr: None,
        false_fr: None,
        true_en: None,
        false_en: None,
    }
}

fn alarm(code: &str, rule: AlarmRule) -> AlarmRef {
    AlarmRef {
        code: code.into(),
        component: "11LAC10AP001".into(),
        parameter: None,
        limit: "rule".into(),
        priority: Priority::High,
        cause: String::new(),
        consequence: String::new(),
        action: String::new(),
        rule: Some(rule),
    }
}

fn rule(when: Condition) -> AlarmRule {
    AlarmRule {
        when,
        on_delay_s: 0.0,
        off_delay_s: 0.0,
        latching: false,
        suppress_when: None,
    }
}

/// Tags A, B, X (analog) and RUN (discrete); one alarm per rule given.
fn engine(rules: Vec<(&str, AlarmRule)>) -> AlarmEngine {
    let md = MasterData {
        tags: vec![
            tag("A", "a"),
            tag("B", "b"),
            tag("X", "x"),
            tag("RUN", "run"),
        ],
        alarms: rules.into_iter().map(|(c, r)| alarm(c, r)).collect(),
        ..Default::default()
    };
    let e = AlarmEngine::new(&md);
    assert!(e.problems().is_empty(), "{:?}", e.problems());
    e
}

fn above(tag: &str, value: f64, deadband: f64) -> Condition {
    Condition::Above {
        tag: tag.into(),
        value,
        deadband,
    }
}

/// Inputs for A, B, X, RUN, all good, stamped `t_ms`.
fn inputs(t_ms: i64, values: [f64; 4]) -> Vec<Input> {
    values
        .iter()
        .map(|&value| Input {
            value,
            ts_ms: t_ms,
            good: true,
        })
        .collect()
}

fn kinds(events: &[AlarmEvent]) -> Vec<EventKind> {
    events.iter().map(|e| e.kind).collect()
}

/// Feeds A = `a` at 1 s steps from `t0` and returns every event.
fn run_a(e: &mut AlarmEngine, t0: i64, a: &[f64]) -> Vec<AlarmEvent> {
    let mut out = Vec::new();
    for (k, &v) in a.iter().enumerate() {
        let t = t0 + k as i64 * 1000;
        out.extend(e.evaluate(t, &inputs(t, [v, 0.0, 0.0, 1.0])));
    }
    out
}

#[test]
fn limit_alarm_lifecycle_unack_ack_rtn() {
    let mut e = engine(vec![("HI", rule(above("A", 10.0, 0.0)))]);
    assert_eq!(kinds(&run_a(&mut e, 0, &[5.0, 11.0])), [EventKind::Raised]);
    let a = e.alarm("HI").unwrap();
    assert_eq!(a.state, AlarmState::Unacknowledged);
    assert!(a.unacknowledged() && a.annunciated());
    assert_eq!((a.value, a.limit), (11.0, 10.0));
    let ack = e.acknowledge("HI", "p.durand", 2_000).unwrap();
    assert_eq!(
        (ack.kind, ack.user.as_deref()),
        (EventKind::Acknowledged, Some("p.durand"))
    );
    assert_eq!(e.alarm("HI").unwrap().state, AlarmState::Acknowledged);
    assert!(
        e.acknowledge("HI", "p.durand", 2_000).is_err(),
        "nothing left to acknowledge"
    );
    assert_eq!(kinds(&run_a(&mut e, 3_000, &[9.0])), [EventKind::Cleared]);
    assert_eq!(e.alarm("HI").unwrap().state, AlarmState::Normal);
}

#[test]
fn return_to_normal_unacknowledged_then_acknowledged() {
    let mut e = engine(vec![("HI", rule(above("A", 10.0, 0.0)))]);
    run_a(&mut e, 0, &[11.0, 9.0]);
    let a = e.alarm("HI").unwrap();
    assert_eq!(a.state, AlarmState::ReturnedUnacknowledged);
    assert!(a.unacknowledged(), "still blinks until acknowledged");
    e.acknowledge("HI", "op", 3_000).unwrap();
    assert_eq!(e.alarm("HI").unwrap().state, AlarmState::Normal);
    // Back in alarm after RTN-unack: raised again, as new.
    let mut e = engine(vec![("HI", rule(above("A", 10.0, 0.0)))]);
    let ev = run_a(&mut e, 0, &[11.0, 9.0, 12.0]);
    assert_eq!(
        kinds(&ev),
        [EventKind::Raised, EventKind::Cleared, EventKind::Raised]
    );
}

#[test]
fn deadband_keeps_a_noisy_value_from_chattering() {
    let noisy = [9.9, 10.1, 9.95, 10.05, 9.7, 10.2, 9.6, 10.3, 9.8];
    let mut plain = engine(vec![("HI", rule(above("A", 10.0, 0.0)))]);
    let chatter = run_a(&mut plain, 0, &noisy);
    assert!(
        chatter.len() >= 6,
        "without deadband it chatters: {chatter:?}"
    );
    let mut e = engine(vec![("HI", rule(above("A", 10.0, 0.5)))]);
    assert_eq!(kinds(&run_a(&mut e, 0, &noisy)), [EventKind::Raised]);
    // Clears only below limit − deadband.
    assert_eq!(kinds(&run_a(&mut e, 20_000, &[9.51])), []);
    assert_eq!(kinds(&run_a(&mut e, 21_000, &[9.49])), [EventKind::Cleared]);
}

#[test]
fn on_and_off_delays_filter_short_excursions() {
    let mut r = rule(above("A", 10.0, 0.0));
    r.on_delay_s = 5.0;
    r.off_delay_s = 3.0;
    let mut e = engine(vec![("HI", r)]);
    // 4 s above: too short.
    assert!(run_a(&mut e, 0, &[11.0, 11.0, 11.0, 11.0, 9.0]).is_empty());
    // Held 5 s: raised at the 6th sample (t = 5 s after the first).
    let ev = run_a(&mut e, 10_000, &[11.0; 7]);
    assert_eq!(kinds(&ev), [EventKind::Raised]);
    assert_eq!(ev[0].ts_ms, 15_000);
    // A 2-s dip does not clear it; 3 s does.
    assert!(run_a(&mut e, 20_000, &[9.0, 9.0, 11.0]).is_empty());
    let ev = run_a(&mut e, 30_000, &[9.0, 9.0, 9.0, 9.0]);
    assert_eq!(kinds(&ev), [EventKind::Cleared]);
    assert_eq!(ev[0].ts_ms, 33_000);
}

#[test]
fn a_flapping_input_inside_the_deadband_with_delays_gives_one_alarm() {
    let mut r = rule(above("A", 10.0, 0.3));
    r.on_delay_s = 2.0;
    r.off_delay_s = 2.0;
    let mut e = engine(vec![("HI", r)]);
    let flapping: Vec<f64> = (0..60)
        .map(|k| if k % 2 == 0 { 10.4 } else { 9.8 })
        .collect();
    // Every other sample crosses the limit: the delay never completes in either direction.
    assert!(run_a(&mut e, 0, &flapping).is_empty());
    let steady: Vec<f64> = (0..60)
        .map(|k| if k % 2 == 0 { 10.4 } else { 10.1 })
        .collect();
    assert_eq!(kinds(&run_a(&mut e, 100_000, &steady)), [EventKind::Raised]);
}

#[test]
fn bad_or_stale_input_holds_the_state_and_raises_the_quality_alarm() {
    let mut q = rule(Condition::BadQuality { tag: "A".into() });
    q.on_delay_s = 2.0;
    let mut e = engine(vec![("HI", rule(above("A", 10.0, 0.0))), ("Q", q)]);
    run_a(&mut e, 0, &[11.0]);
    let stale = |t| {
        let mut i = inputs(t, [0.0, 0.0, 0.0, 1.0]);
        i[0].good = false;
        i
    };
    let mut events = Vec::new();
    for t in [1_000, 2_000, 3_000] {
        events.extend(e.evaluate(t, &stale(t)));
    }
    assert_eq!(kinds(&events), [EventKind::Raised]);
    assert_eq!(events[0].code, "Q");
    // The value 0.0 was stale: the limit alarm did not clear on it.
    assert_eq!(e.alarm("HI").unwrap().state, AlarmState::Unacknowledged);
}

#[test]
fn rate_of_change_uses_source_time() {
    let mut e = engine(vec![(
        "ROC",
        rule(Condition::RisingFaster {
            tag: "A".into(),
            per_min: 5.0,
            window_s: 60.0,
        }),
    )]);
    let mut events = Vec::new();
    // 2 units a minute: no alarm.
    for k in 0..4 {
        let t = k * 30_000;
        events.extend(e.evaluate(t, &inputs(t, [k as f64, 0.0, 0.0, 1.0])));
    }
    assert!(events.is_empty(), "{events:?}");
    // Then 10 units a minute.
    for k in 4..8 {
        let t = k * 30_000;
        let v = 3.0 + (k - 3) as f64 * 5.0;
        events.extend(e.evaluate(t, &inputs(t, [v, 0.0, 0.0, 1.0])));
    }
    assert_eq!(kinds(&events), [EventKind::Raised]);
    assert!((e.alarm("ROC").unwrap().value - 10.0).abs() < 1e-9);
    // The same samples evaluated again (no new source time) change nothing.
    let t = 7 * 30_000;
    assert!(
        e.evaluate(t + 500, &inputs(t, [23.0, 0.0, 0.0, 1.0]))
            .is_empty()
    );
}

#[test]
fn redundant_sensor_deviation_and_command_position_disagreement() {
    let dev = Condition::Deviation {
        a: "A".into(),
        b: "B".into(),
        max: 2.0,
        deadband: 0.5,
    };
    let mut e = engine(vec![("DEV", rule(dev))]);
    assert!(e.evaluate(0, &inputs(0, [50.0, 51.5, 0.0, 1.0])).is_empty());
    assert_eq!(
        kinds(&e.evaluate(1_000, &inputs(1_000, [50.0, 47.5, 0.0, 1.0]))),
        [EventKind::Raised]
    );
    assert!(
        e.evaluate(2_000, &inputs(2_000, [50.0, 48.2, 0.0, 1.0]))
            .is_empty()
    );
    assert_eq!(
        kinds(&e.evaluate(3_000, &inputs(3_000, [50.0, 48.6, 0.0, 1.0]))),
        [EventKind::Cleared]
    );
}

#[test]
fn deviation_from_the_load_curve() {
    // Expected exhaust temperature vs load: 400 °C at 0 MW, 540 °C from 90 MW.
    let curve = Condition::OffCurve {
        tag: "A".into(),
        x: "X".into(),
        curve: vec![[0.0, 400.0], [90.0, 540.0], [170.0, 540.0]],
        max: 15.0,
        deadband: 0.0,
    };
    let mut e = engine(vec![("CURVE", rule(curve))]);
    // At 45 MW, 470 °C is expected.
    assert!(
        e.evaluate(0, &inputs(0, [480.0, 0.0, 45.0, 1.0]))
            .is_empty()
    );
    let ev = e.evaluate(1_000, &inputs(1_000, [490.0, 0.0, 45.0, 1.0]));
    assert_eq!(kinds(&ev), [EventKind::Raised]);
    assert!((ev[0].value - 20.0).abs() < 1e-9);
    // Beyond the last point the curve is flat.
    assert_eq!(
        kinds(&e.evaluate(2_000, &inputs(2_000, [545.0, 0.0, 200.0, 1.0]))),
        [EventKind::Cleared]
    );
}

#[test]
fn discrete_trip_alarm_latches_until_reset() {
    let mut r = rule(Condition::IsOn { tag: "B".into() });
    r.latching = true;
    let mut e = engine(vec![("TRIP", r)]);
    let at = |t, b| inputs(t, [0.0, b, 0.0, 1.0]);
    assert_eq!(kinds(&e.evaluate(0, &at(0, 1.0))), [EventKind::Raised]);
    e.acknowledge("TRIP", "op", 500).unwrap();
    assert_eq!(
        kinds(&e.evaluate(1_000, &at(1_000, 0.0))),
        [EventKind::Cleared]
    );
    let a = e.alarm("TRIP").unwrap();
    assert_eq!(a.state, AlarmState::Latched, "stays until reset");
    assert!(a.annunciated());
    let reset = e.acknowledge("TRIP", "op", 2_000).unwrap();
    assert_eq!(reset.kind, EventKind::Reset);
    assert_eq!(e.alarm("TRIP").unwrap().state, AlarmState::Normal);
}

#[test]
fn combined_vibration_high_and_temperature_rising() {
    let both = Condition::All {
        of: vec![
            above("A", 4.5, 0.0),
            Condition::RisingFaster {
                tag: "B".into(),
                per_min: 1.0,
                window_s: 10.0,
            },
        ],
    };
    let mut e = engine(vec![("COMBI", rule(both))]);
    let mut events = Vec::new();
    // Vibration high, temperature steady: nothing.
    for k in 0..5 {
        let t = k * 10_000;
        events.extend(e.evaluate(t, &inputs(t, [5.0, 60.0, 0.0, 1.0])));
    }
    assert!(events.is_empty());
    // Temperature rising 3 K/min: alarm.
    for k in 5..8 {
        let t = k * 10_000;
        let temp = 60.0 + (k - 4) as f64 * 0.5;
        events.extend(e.evaluate(t, &inputs(t, [5.0, temp, 0.0, 1.0])));
    }
    assert_eq!(kinds(&events), [EventKind::Raised]);
    assert_eq!(
        e.alarm("COMBI").unwrap().value,
        5.0,
        "reports the first part"
    );
}

#[test]
fn shelving_hides_then_expires_and_reannunciates() {
    let mut e = engine(vec![("HI", rule(above("A", 10.0, 0.0)))]);
    run_a(&mut e, 0, &[11.0]);
    assert!(matches!(
        e.shelve("HI", 10_000, " ", "op", 1_000),
        Err(CommandError::NoReason)
    ));
    assert!(
        e.shelve("HI", 1_000 + MAX_SHELF_MS + 1, "r", "op", 1_000)
            .is_err()
    );
    let s = e
        .shelve("HI", 60_000, "transmitter under repair", "op", 1_000)
        .unwrap();
    assert_eq!(s.kind, EventKind::Shelved);
    assert_eq!(s.note.as_deref(), Some("transmitter under repair"));
    assert!(!e.alarm("HI").unwrap().annunciated());
    // Condition comes and goes while shelved: silent.
    assert!(run_a(&mut e, 2_000, &[9.0, 12.0]).is_empty());
    // Expiry with the condition present: raised again.
    let ev = run_a(&mut e, 60_000, &[12.0]);
    assert_eq!(kinds(&ev), [EventKind::ShelfExpired, EventKind::Raised]);
    // Early unshelve when the condition has gone: nothing raised.
    e.acknowledge("HI", "op", 61_000).unwrap();
    e.shelve("HI", 120_000, "r", "op", 61_000).unwrap();
    run_a(&mut e, 62_000, &[8.0]);
    let ev = e.unshelve("HI", "op", 63_000).unwrap();
    assert_eq!(kinds(&ev), [EventKind::Unshelved]);
    assert!(e.unshelve("HI", "op", 63_000).is_err());
}

#[test]
fn suppression_by_design_while_the_pump_is_stopped() {
    let mut r = rule(Condition::Below {
        tag: "A".into(),
        value: 126.0,
        deadband: 0.0,
    });
    r.suppress_when = Some(Condition::IsOff { tag: "RUN".into() });
    let mut e = engine(vec![("LOW", r)]);
    let at = |t, p, run| inputs(t, [p, 0.0, 0.0, run]);
    // Stopped pump at 0 bar: no alarm.
    assert!(e.evaluate(0, &at(0, 0.0, 0.0)).is_empty());
    assert!(e.alarm("LOW").unwrap().suppressed);
    // Started, pressure builds: the condition is still there when suppression lifts.
    assert_eq!(
        kinds(&e.evaluate(1_000, &at(1_000, 50.0, 1.0))),
        [EventKind::Raised]
    );
    assert!(e.evaluate(2_000, &at(2_000, 145.0, 1.0)).len() == 1);
    // Running on pressure, then the sequence stops it while in alarm: suppressed, hidden.
    e.evaluate(3_000, &at(3_000, 100.0, 1.0));
    let ev = e.evaluate(4_000, &at(4_000, 0.0, 0.0));
    assert_eq!(kinds(&ev), [EventKind::Suppressed]);
    assert!(!e.alarm("LOW").unwrap().annunciated());
}

#[test]
fn out_of_service_needs_a_reason_and_returns() {
    let mut e = engine(vec![("HI", rule(above("A", 10.0, 0.0)))]);
    run_a(&mut e, 0, &[11.0]);
    assert!(e.set_out_of_service("HI", Some(""), "eng", 1_000).is_err());
    let ev = e
        .set_out_of_service("HI", Some("calibration"), "eng", 1_000)
        .unwrap();
    assert_eq!(kinds(&ev), [EventKind::OutOfService]);
    assert!(run_a(&mut e, 2_000, &[9.0, 12.0]).is_empty());
    let ev = e.set_out_of_service("HI", None, "eng", 5_000).unwrap();
    assert_eq!(kinds(&ev), [EventKind::InService, EventKind::Raised]);
    assert!(matches!(
        e.acknowledge("NOPE", "op", 0),
        Err(CommandError::Unknown(_))
    ));
}

#[test]
fn limit_rules_follow_master_data_limits() {
    let md = MasterData {
        tags: vec![tag("P", "discharge_p")],
        parameters: vec![Parameter {
            component: "11LAC10AP001".into(),
            name: "discharge_p".into(),
            label_fr: String::new(),
            label_en: String::new(),
            quantity: Quantity::Pressure,
            unit: "bar".into(),
            limits: Limits::normal(140.0, 155.0).with_l(126.0),
            startup_value: None,
            note: None,
        }],
        alarms: vec![
            AlarmRef {
                parameter: Some("discharge_p".into()),
                limit: "L".into(),
                rule: None,
                ..alarm("P-L", rule(above("P", 0.0, 0.0)))
            },
            alarm(
                "P-HH",
                rule(Condition::Limit {
                    tag: "P".into(),
                    limit: "HH".into(),
                    deadband: 0.0,
                }),
            ),
        ],
        ..Default::default()
    };
    let e = AlarmEngine::new(&md);
    assert_eq!(e.alarms().len(), 1, "P-L from its parameter");
    assert!(matches!(e.problems(), [RuleError::NoLimit { code, .. }] if code == "P-HH"));
    let rule = md.alarm_rule(&md.alarms[0]).unwrap();
    assert_eq!(rule.on_delay_s, 15.0, "pressure: 15 s");
    assert!(
        matches!(rule.when, Condition::Limit { deadband, .. } if (deadband - 0.3).abs() < 1e-9)
    );
}

#[test]
fn event_kinds_read_back_from_their_journal_names() {
    use EventKind::*;
    for k in [
        Raised,
        Cleared,
        Acknowledged,
        Reset,
        Shelved,
        Unshelved,
        ShelfExpired,
        Suppressed,
        OutOfService,
        InService,
    ] {
        assert_eq!(EventKind::parse(k.as_str()), Some(k));
    }
    assert_eq!(EventKind::parse("exploded"), None);
}
