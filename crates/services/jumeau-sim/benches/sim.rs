//! Simulator speed: one hour of plant time (7,200 steps) with every tag read once per simulated
//! second, as the OPC UA server does at 60×. `cargo bench -p jumeau-sim`.

use criterion::{Criterion, criterion_group, criterion_main};
use jumeau_sim::{Scenario, Simulator};
use std::hint::black_box;

fn sim(c: &mut Criterion) {
    let md = jumeau_core::plant::embedded().md;
    c.bench_function(
        "one simulated hour, 302 tags read each second (tg1-trip)",
        |b| {
            b.iter(|| {
                let mut s = Simulator::new(&md.tags, Scenario::load("tg1-trip").unwrap(), 1);
                for _ in 0..3_600 {
                    s.advance(1.0);
                    black_box(s.values());
                }
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = sim
}
criterion_main!(benches);
