//! Store performance: open + migrate + seed a new store, reopen an existing one, list
//! components, load one component's detail. `cargo bench -p jumeau-store`.

use criterion::{Criterion, criterion_group, criterion_main};
use jumeau_store::Store;
use jumeau_store::testing;
use std::hint::black_box;

fn store_benches(c: &mut Criterion) {
    c.bench_function("open + migrate + seed a new store", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let store =
                    Store::open_seeded(&testing::files(&dir.path().join("s.sqlite"))).unwrap();
                black_box(store.schema_version().unwrap());
                dir
            },
            criterion::BatchSize::PerIteration,
        )
    });

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    drop(Store::open_seeded(&testing::files(&path)).unwrap());
    c.bench_function("open an existing store (migrations checked)", |b| {
        b.iter(|| black_box(Store::open_seeded(&testing::files(&path)).unwrap()))
    });

    let store = Store::open_seeded(&testing::files(&path)).unwrap();
    c.bench_function("list all components", |b| {
        b.iter(|| black_box(store.components(None).unwrap().len()))
    });
    c.bench_function("component detail CR1 (with descendants)", |b| {
        b.iter(|| black_box(store.component_detail("CR1").unwrap().tags.len()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = store_benches
}
criterion_main!(benches);
