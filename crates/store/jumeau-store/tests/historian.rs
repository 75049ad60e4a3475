//! The local historian on a real SQLite file.

use jumeau_store::testing;
use jumeau_store::{Retention, Sample, Store};

fn sample(tag: &str, ts_ms: i64, value: f64) -> Sample {
    Sample {
        tag: tag.into(),
        ts_ms,
        value: Some(value),
        quality: 0,
    }
}

const T0: i64 = 1_795_000_000_000 - 1_795_000_000_000 % 60_000;

#[test]
fn round_trip_duplicates_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let mut store = Store::open(&testing::files(&path)).unwrap();
    let batch: Vec<Sample> = (0..600)
        .map(|i| sample("11MBA00CS101", T0 + i * 1000, 2990.0 + (i % 20) as f64))
        .collect();
    assert_eq!(store.history_insert(&batch).unwrap(), 600);
    assert_eq!(
        store.history_insert(&batch[..10]).unwrap(),
        0,
        "same tag and time: kept once"
    );
    drop(store);
    let store = Store::open(&testing::files(&path)).unwrap();
    let trend = store
        .history_trend("11MBA00CS101", T0, T0 + 600_000, 10_000)
        .unwrap();
    assert_eq!(trend.len(), 600);
    assert_eq!(trend[5].value, 2995.0);
    assert!(
        store
            .history_trend("nope", T0, T0 + 1, 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn bad_samples_are_refused_and_nothing_of_the_batch_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&testing::files(&dir.path().join("s.sqlite"))).unwrap();
    let mut batch = vec![sample("A", T0, 1.0), sample("A", T0 + 1000, f64::NAN)];
    assert!(store.history_insert(&batch).is_err());
    batch[1].value = Some(2.0);
    batch[1].quality = 7;
    assert!(store.history_insert(&batch).is_err());
    assert!(
        store
            .history_trend("A", T0, T0 + 10_000, 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn retention_folds_old_raw_data_into_minutes_and_trends_span_both() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&testing::files(&dir.path().join("s.sqlite"))).unwrap();
    // Three hours at 1 s; a spike in the first hour; a bad-quality sample that must not count.
    let mut batch: Vec<Sample> = (0..10_800)
        .map(|i| sample("P", T0 + i * 1000, 100.0 + (i % 60) as f64 / 10.0))
        .collect();
    batch[1234].value = Some(500.0);
    batch[2000].quality = 2;
    batch[2000].value = Some(-999.0);
    store.history_insert(&batch).unwrap();
    let now = T0 + 3 * 3_600_000;
    let report = store
        .history_compact(
            Retention {
                raw_ms: 3_600_000,
                aggregate_ms: 86_400_000,
            },
            now,
        )
        .unwrap();
    assert_eq!(report.minutes_written, 120, "two hours of minutes");
    assert_eq!(report.raw_deleted, 7_200);
    let trend = store.history_trend("P", T0, now, 100_000).unwrap();
    // 120 minutes (min and max each) then 3,600 raw points.
    assert_eq!(trend.len(), 240 + 3_600);
    assert!(
        trend.iter().any(|p| p.value == 500.0),
        "spike survives aggregation"
    );
    assert!(trend.iter().all(|p| p.value > 0.0), "bad sample excluded");
    let first_minute = &trend[..2];
    assert_eq!(first_minute[0].value, 100.0);
    assert_eq!(first_minute[1].value, 105.9);
    // Decimated view of the whole range keeps the spike and respects the limit.
    let small = store.history_trend("P", T0, now, 200).unwrap();
    assert!(small.len() <= 200);
    assert!(small.iter().any(|p| p.value == 500.0));
    // Aggregates past their own retention go too.
    let report = store
        .history_compact(
            Retention {
                raw_ms: 3_600_000,
                aggregate_ms: 3_600_000,
            },
            now + 3_600_000,
        )
        .unwrap();
    assert!(report.minutes_deleted >= 120);
}
