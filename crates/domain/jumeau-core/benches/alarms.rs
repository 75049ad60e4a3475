//! Alarm engine speed: one update cycle over 50,000 tags (100,000 limit rules plus rate,
//! deviation and combined rules), and a flood of 1,000 alarms raised in one cycle with the
//! client's per-frame work on it. `cargo bench -p jumeau-core --bench alarms`.

use criterion::{Criterion, criterion_group, criterion_main};
use jumeau_core::Quantity;
use jumeau_core::alarm::{AlarmEngine, AlarmRule, Condition, Input};
use jumeau_core::masterdata::{AlarmRef, Limits, MasterData, Parameter, Priority, Tag};
use std::hint::black_box;

const TAGS: usize = 50_000;

/// 50,000 pressure tags on 5,000 components, each with L and H limits (normal 40–60); every
/// tenth also a rate-of-change rule, every twentieth a deviation against its neighbour and a
/// combined rule.
fn plant() -> MasterData {
    let mut md = MasterData::default();
    for i in 0..TAGS {
        let (component, name) = (format!("C{}", i / 10), format!("T{i:05}"));
        md.tags.push(Tag {
            name: name.clone(),
            component: component.clone(),
            signal: name.clone(),
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
        });
        md.parameters.push(Parameter {
            component: component.clone(),
            name: name.clone(),
            label_fr: String::new(),
            label_en: String::new(),
            quantity: Quantity::Pressure,
            unit: "bar".into(),
            limits: Limits::normal(40.0, 60.0).with_l(30.0).with_h(70.0),
            startup_value: None,
            note: None,
        });
        for limit in ["L", "H"] {
            md.alarms.push(reference(
                &component,
                &format!("{name}-{limit}"),
                Some(&name),
                limit,
                None,
            ));
        }
        let rule = |when| AlarmRule {
            when,
            on_delay_s: 5.0,
            off_delay_s: 5.0,
            latching: false,
            suppress_when: None,
        };
        if i % 10 == 0 {
            let roc = Condition::RisingFaster {
                tag: name.clone(),
                per_min: 10.0,
                window_s: 60.0,
            };
            md.alarms.push(reference(
                &component,
                &format!("{name}-ROC"),
                None,
                "rule",
                Some(rule(roc)),
            ));
        }
        if i % 20 == 0 && i + 1 < TAGS {
            let other = format!("T{:05}", i + 1);
            let dev = Condition::Deviation {
                a: name.clone(),
                b: other.clone(),
                max: 15.0,
                deadband: 1.0,
            };
            md.alarms.push(reference(
                &component,
                &format!("{name}-DEV"),
                None,
                "rule",
                Some(rule(dev)),
            ));
            let both = Condition::All {
                of: vec![
                    Condition::Above {
                        tag: name.clone(),
                        value: 65.0,
                        deadband: 1.0,
                    },
                    Condition::RisingFaster {
                        tag: other,
                        per_min: 2.0,
                        window_s: 60.0,
                    },
                ],
            };
            md.alarms.push(reference(
                &component,
                &format!("{name}-ALL"),
                None,
                "rule",
                Some(rule(both)),
            ));
        }
    }
    md
}

fn reference(
    component: &str,
    code: &str,
    parameter: Option<&str>,
    limit: &str,
    rule: Option<AlarmRule>,
) -> AlarmRef {
    AlarmRef {
        code: code.into(),
        component: component.into(),
        parameter: parameter.map(str::to_owned),
        limit: limit.into(),
        priority: Priority::Medium,
        cause: String::new(),
        consequence: String::new(),
        action: String::new(),
        rule,
    }
}

fn inputs(t_ms: i64, flood: usize) -> Vec<Input> {
    (0..TAGS)
        .map(|i| Input {
            // Normal values with a little noise; the first `flood` tags far above H.
            value: if i < flood {
                90.0
            } else {
                50.0 + ((i * 7 + t_ms as usize / 1000) % 11) as f64 * 0.3
            },
            ts_ms: t_ms,
            good: true,
        })
        .collect()
}

fn alarms(c: &mut Criterion) {
    let md = plant();
    let mut engine = AlarmEngine::new(&md);
    assert!(engine.problems().is_empty());
    println!("{} rules over {TAGS} tags", engine.alarms().len());
    let steady = inputs(0, 0);
    let mut t = 0;
    c.bench_function("one cycle, 50,000 tags, 110,000 rules, steady", |b| {
        b.iter(|| {
            t += 500;
            black_box(engine.evaluate(t, &steady))
        })
    });

    // A flood: 1,000 tags go above H in the same cycle (no on-delay for these limit rules'
    // 15-s default would hide it; the rules above use 5 s, so run past it first).
    let flood_inputs = inputs(0, 1_000);
    c.bench_function(
        "flood: 1,000 alarms raised in one cycle, then the frame's work",
        |b| {
            b.iter_batched(
                || {
                    let mut e = AlarmEngine::new(&md);
                    e.evaluate(0, &steady);
                    e.evaluate(1_000, &flood_inputs);
                    e
                },
                |mut e| {
                    let events = e.evaluate(20_000, &flood_inputs);
                    assert!(events.len() >= 1_000);
                    // What the client does each frame: banner/list order and the 3D paint.
                    black_box(e.annunciated().len());
                    black_box(e.worst_by_component().len());
                    // Returned so that dropping 110,000 rules stays outside the measurement.
                    e
                },
                criterion::BatchSize::LargeInput,
            )
        },
    );

    let mut flooded = AlarmEngine::new(&md);
    flooded.evaluate(0, &steady);
    flooded.evaluate(1_000, &flood_inputs);
    flooded.evaluate(20_000, &flood_inputs);
    assert!(flooded.annunciated().len() >= 1_000);
    c.bench_function(
        "per frame with 1,000 annunciated alarms: order + paint map + copy",
        |b| {
            b.iter(|| {
                let rows: Vec<_> = flooded.annunciated().into_iter().cloned().collect();
                black_box((rows.len(), flooded.worst_by_component().len()))
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = alarms
}
criterion_main!(benches);
