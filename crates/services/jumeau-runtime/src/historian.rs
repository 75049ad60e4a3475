//! The historian writer: every update on the bus buffered and written once a second (one
//! transaction per batch, on its own connection); the retention applied once an hour.

use jumeau_store::{Retention, Sample, Store, StoreError};
use jumeau_tagbus::{Quality, TagUpdate};

pub(crate) struct Historian {
    store: Store,
    pending: Vec<Sample>,
    last_compact_ms: i64,
}

impl Historian {
    pub fn new(store: Store) -> Historian {
        Historian {
            store,
            pending: Vec::new(),
            last_compact_ms: 0,
        }
    }

    pub fn record(&mut self, u: &TagUpdate) {
        let quality = match u.quality {
            Quality::Good => 0,
            Quality::Uncertain(_) => 1,
            Quality::Bad(_) => 2,
        };
        let value = u.value.map(|v| v.as_f64()).filter(|v| v.is_finite());
        self.pending.push(Sample {
            tag: u.key.clone(),
            ts_ms: u.source_ms,
            value,
            quality,
        });
    }

    /// Writes what is buffered. A failed write keeps it for the next flush.
    pub fn flush(&mut self, now_ms: i64) -> Result<(), StoreError> {
        if !self.pending.is_empty() {
            self.store.history_insert(&self.pending)?;
            self.pending.clear();
        }
        if now_ms - self.last_compact_ms > 3_600_000 {
            self.store.history_compact(Retention::default(), now_ms)?;
            self.last_compact_ms = now_ms;
        }
        Ok(())
    }
}
