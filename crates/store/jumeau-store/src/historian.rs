//! Local historian: batched inserts of raw samples, retention (raw for a configurable period,
//! then one-minute min/max/avg), and trend queries decimated with min/max preservation.

use jumeau_core::trend::{self, Point};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::{Store, StoreError};

/// One sample as the feed hands it over.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub tag: String,
    pub ts_ms: i64,
    pub value: Option<f64>,
    /// 0 good, 1 uncertain, 2 bad.
    pub quality: u8,
}

/// How long data is kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Raw samples younger than this are kept as they are.
    pub raw_ms: i64,
    /// One-minute aggregates younger than this are kept.
    pub aggregate_ms: i64,
}

impl Default for Retention {
    /// Seven days raw, two years of minutes.
    fn default() -> Self {
        Retention {
            raw_ms: 7 * 86_400_000,
            aggregate_ms: 730 * 86_400_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CompactReport {
    pub minutes_written: usize,
    pub raw_deleted: usize,
    pub minutes_deleted: usize,
}

/// A point of a trend: from raw data (min = max = value) or from a minute aggregate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendPoint {
    pub ts_ms: i64,
    pub value: f64,
}

const MINUTE_MS: i64 = 60_000;
/// Samples per INSERT statement (4 parameters each, well under SQLite's 32,766).
const ROWS_PER_INSERT: usize = 200;

fn insert_sql(rows: usize) -> String {
    let values = vec!["(?, ?, ?, ?)"; rows].join(", ");
    format!("INSERT OR IGNORE INTO history_raw (tag_id, ts_ms, value, quality) VALUES {values}")
}

impl Store {
    /// Ids of the historian's tags, created at first use; cached, so a batch of known tags costs
    /// no lookup.
    fn history_tag_ids(&mut self, names: &[&str]) -> Result<(), StoreError> {
        let unknown: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !self.history_ids.contains_key(*n))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert =
                tx.prepare_cached("INSERT OR IGNORE INTO history_tags (name) VALUES (?1)")?;
            let mut select = tx.prepare_cached("SELECT id FROM history_tags WHERE name = ?1")?;
            for name in unknown {
                insert.execute([name])?;
                let id: i64 = select.query_row([name], |r| r.get(0))?;
                self.history_ids.insert(name.to_owned(), id);
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Writes a batch of samples in one transaction; a sample already stored for the same tag
    /// and time is kept as it was. Returns how many rows were new.
    pub fn history_insert(&mut self, samples: &[Sample]) -> Result<usize, StoreError> {
        for s in samples {
            if s.quality > 2 || s.value.is_some_and(|v| !v.is_finite()) {
                return Err(StoreError::Invalid(format!(
                    "history sample of {} refused: quality {} value {:?}",
                    s.tag, s.quality, s.value
                )));
            }
        }
        let mut names: Vec<&str> = samples.iter().map(|s| s.tag.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        self.history_tag_ids(&names)?;
        // In key order (tag, time): consecutive inserts land in the same B-tree leaf.
        let mut rows: Vec<(i64, &Sample)> = samples
            .iter()
            .map(|s| (self.history_ids[&s.tag], s))
            .collect();
        rows.sort_unstable_by_key(|(id, s)| (*id, s.ts_ms));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut added = 0;
        // Many rows per statement: one SQLite round trip per 200 samples instead of per sample.
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut stmt = tx.prepare_cached(&insert_sql(chunk.len()))?;
            let params: Vec<&dyn rusqlite::ToSql> = chunk
                .iter()
                .flat_map(|(id, s)| [id as &dyn rusqlite::ToSql, &s.ts_ms, &s.value, &s.quality])
                .collect();
            added += stmt.execute(params.as_slice())?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Applies the retention at `now_ms`: raw samples older than the raw period are folded into
    /// one-minute aggregates (good samples only) and deleted; aggregates past their period go.
    pub fn history_compact(
        &mut self,
        retention: Retention,
        now_ms: i64,
    ) -> Result<CompactReport, StoreError> {
        // Whole minutes only, so that a minute is never aggregated from half its samples.
        let cutoff = (now_ms - retention.raw_ms).div_euclid(MINUTE_MS) * MINUTE_MS;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let minutes_written = tx.execute(
            "INSERT OR REPLACE INTO history_minute (tag_id, minute_ms, min, max, avg, n)
             SELECT tag_id, (ts_ms / 60000) * 60000, MIN(value), MAX(value), AVG(value), COUNT(*)
             FROM history_raw WHERE ts_ms < ?1 AND quality = 0 AND value IS NOT NULL
             GROUP BY tag_id, ts_ms / 60000",
            [cutoff],
        )?;
        let raw_deleted = tx.execute("DELETE FROM history_raw WHERE ts_ms < ?1", [cutoff])?;
        let minutes_deleted = tx.execute(
            "DELETE FROM history_minute WHERE minute_ms < ?1",
            [now_ms - retention.aggregate_ms],
        )?;
        tx.commit()?;
        Ok(CompactReport {
            minutes_written,
            raw_deleted,
            minutes_deleted,
        })
    }

    /// A tag's trend over [from_ms, to_ms], at most `max_points` points, ready to draw: raw good
    /// samples where they are kept, each minute's min and max before that, decimated keeping
    /// every bucket's extremes.
    pub fn history_trend(
        &self,
        tag: &str,
        from_ms: i64,
        to_ms: i64,
        max_points: usize,
    ) -> Result<Vec<TrendPoint>, StoreError> {
        let Some(id) = self
            .conn
            .query_row("SELECT id FROM history_tags WHERE name = ?1", [tag], |r| {
                r.get::<_, i64>(0)
            })
            .optional()?
        else {
            return Ok(Vec::new());
        };
        let raw_start: Option<i64> = self.conn.query_row(
            "SELECT MIN(ts_ms) FROM history_raw WHERE tag_id = ?1 AND ts_ms >= ?2",
            params![id, from_ms],
            |r| r.get(0),
        )?;
        let raw_from = raw_start.unwrap_or(i64::MAX).max(from_ms);
        let mut points: Vec<Point> = Vec::new();
        let mut minutes = self.conn.prepare_cached(
            "SELECT minute_ms, min, max FROM history_minute
             WHERE tag_id = ?1 AND minute_ms >= ?2 AND minute_ms < ?3 ORDER BY minute_ms",
        )?;
        let rows = minutes.query_map(params![id, from_ms, raw_from.min(to_ms + 1)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, f64>(2)?,
            ))
        })?;
        for row in rows {
            let (t, lo, hi) = row?;
            points.push((t, lo));
            if hi != lo {
                points.push((t + MINUTE_MS / 2, hi));
            }
        }
        let mut raw = self.conn.prepare_cached(
            "SELECT ts_ms, value FROM history_raw
             WHERE tag_id = ?1 AND ts_ms >= ?2 AND ts_ms <= ?3 AND quality = 0 AND value IS NOT NULL ORDER BY ts_ms",
        )?;
        let rows = raw.query_map(params![id, raw_from, to_ms], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?))
        })?;
        for row in rows {
            points.push(row?);
        }
        Ok(trend::decimate(&points, max_points)
            .into_iter()
            .map(|(ts_ms, value)| TrendPoint { ts_ms, value })
            .collect())
    }
}
