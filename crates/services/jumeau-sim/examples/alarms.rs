//! Runs a scenario through the alarm engine and prints every alarm transition, then a count:
//! `cargo run -p jumeau-sim --example alarms -- cold-start 240` (scenario, minutes). Used to
//! rationalise the seed's alarms: a healthy scenario should raise about one per 10 minutes.

use jumeau_core::alarm::{AlarmEngine, EventKind, Input};
use jumeau_sim::{Scenario, Simulator};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scenario = Scenario::load(args.first().map(String::as_str).unwrap_or("dispatch"))?;
    let minutes: u32 = args.get(1).map(|m| m.parse()).transpose()?.unwrap_or(60);
    let md = jumeau_core::plant::embedded().md;
    let mut sim = Simulator::new(&md.tags, scenario, 1);
    let mut engine = AlarmEngine::new(&md);
    for p in engine.problems() {
        println!("rule problem: {p}");
    }
    let mut raised = 0;
    for s in 0..minutes * 60 {
        sim.advance(1.0);
        let t = s as i64 * 1000;
        let inputs: Vec<Input> = sim
            .values()
            .into_iter()
            .map(|v| match v {
                Some(value) => Input {
                    value,
                    ts_ms: t,
                    good: true,
                },
                None => Input::MISSING,
            })
            .collect();
        for e in engine.evaluate(t, &inputs) {
            raised += usize::from(e.kind == EventKind::Raised);
            println!(
                "{:>6.1} min  {:<13} {:<22} {:<8} value {:>9.2} limit {:>9.2}",
                t as f64 / 60_000.0,
                e.kind.as_str(),
                e.code,
                e.priority.as_str(),
                e.value,
                e.limit
            );
        }
    }
    let standing = engine.alarms().iter().filter(|a| a.annunciated()).count();
    println!(
        "{raised} alarms raised in {minutes} min ({:.2} per 10 min); {standing} annunciated at the end",
        raised as f64 * 10.0 / minutes as f64
    );
    Ok(())
}
