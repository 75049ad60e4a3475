//! Historian performance: insert rate in batches of one and ten seconds of a 5,000-tag plant, and
//! the time to fetch and decimate a 24-hour, 1-second trend (86,400 points) to 1,000 points.
//! `cargo bench -p jumeau-store --bench historian`. Targets: ≥ 200,000 points/s; < 50 ms.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jumeau_store::testing;
use jumeau_store::{Sample, Store};
use std::hint::black_box;

const T0: i64 = 1_795_000_000_000;

fn historian(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&testing::files(&dir.path().join("h.sqlite"))).unwrap();
    let tags: Vec<String> = (0..5_000).map(|i| format!("T{i:05}")).collect();
    let mut second = 0i64;
    // One batch holds `seconds` seconds of all the tags: every tag's B-tree leaf is written once
    // per batch, so longer batches cost less per point.
    for seconds in [1i64, 10] {
        let mut group = c.benchmark_group("historian");
        group.throughput(Throughput::Elements(5_000 * seconds as u64));
        group.bench_function(
            format!("insert {seconds} s of 5,000 tags (one transaction)"),
            |b| {
                b.iter(|| {
                    let batch: Vec<Sample> = (0..seconds)
                        .flat_map(|k| {
                            let t = second + k;
                            tags.iter().enumerate().map(move |(i, tag)| Sample {
                                tag: tag.clone(),
                                ts_ms: T0 + t * 1000,
                                value: Some(i as f64 + t as f64),
                                quality: 0,
                            })
                        })
                        .collect();
                    second += seconds;
                    black_box(store.history_insert(&batch).unwrap())
                })
            },
        );
        group.finish();
    }

    let day: Vec<Sample> = (0..86_400)
        .map(|s| Sample {
            tag: "DAY".into(),
            ts_ms: T0 + s * 1000,
            value: Some((s as f64 / 900.0).sin() * 10.0 + 100.0),
            quality: 0,
        })
        .collect();
    for chunk in day.chunks(10_000) {
        store.history_insert(chunk).unwrap();
    }
    c.bench_function("24 h trend at 1 s (86,400 points) → 1,000 points", |b| {
        b.iter(|| {
            black_box(
                store
                    .history_trend("DAY", T0, T0 + 86_400_000, 1_000)
                    .unwrap()
                    .len(),
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = historian
}
criterion_main!(benches);
