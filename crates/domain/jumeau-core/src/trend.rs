//! Trend decimation: at most N points for a time range, keeping each bucket's minimum and
//! maximum so that a spike or a dip survives whatever the zoom (no averaging away of a trip).

/// One point of a trend: time (ms since epoch) and value.
pub type Point = (i64, f64);

/// Reduces time-ordered `points` to at most `max_points` (≥ 2): the range is cut into
/// `max_points / 2` equal buckets and each keeps its minimum and maximum, in time order.
/// Fewer points than the limit come back unchanged.
pub fn decimate(points: &[Point], max_points: usize) -> Vec<Point> {
    let max_points = max_points.max(2);
    if points.len() <= max_points {
        return points.to_vec();
    }
    let (first, last) = (points[0].0, points[points.len() - 1].0);
    let buckets = max_points / 2;
    let span = (last - first).max(1) as f64;
    let mut out = Vec::with_capacity(buckets * 2);
    let mut start = 0;
    for b in 0..buckets {
        // Points whose time falls in bucket b; the last bucket takes the remainder.
        let end_time = first as f64 + span * (b + 1) as f64 / buckets as f64;
        let mut end = start;
        while end < points.len() && (b == buckets - 1 || (points[end].0 as f64) < end_time) {
            end += 1;
        }
        if end > start {
            out.extend(min_max(&points[start..end]));
        }
        start = end;
    }
    out
}

/// The minimum and the maximum of a non-empty slice, in time order (one point if they coincide).
fn min_max(slice: &[Point]) -> Vec<Point> {
    let lo = slice
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .copied()
        .expect("non-empty");
    let hi = slice
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .copied()
        .expect("non-empty");
    match lo.0.cmp(&hi.0) {
        std::cmp::Ordering::Less => vec![lo, hi],
        std::cmp::Ordering::Greater => vec![hi, lo],
        std::cmp::Ordering::Equal => vec![lo],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_extremes_and_respects_the_limit() {
        // A day at 1 s with one spike and one dip.
        let mut pts: Vec<Point> = (0..86_400)
            .map(|i| (i * 1000, (i as f64 / 600.0).sin()))
            .collect();
        pts[40_000].1 = 50.0;
        pts[70_001].1 = -50.0;
        let d = decimate(&pts, 1_000);
        assert!(d.len() <= 1_000, "{}", d.len());
        assert!(d.len() >= 900);
        assert!(d.contains(&(40_000_000, 50.0)), "spike kept");
        assert!(d.contains(&(70_001_000, -50.0)), "dip kept");
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0), "time order");
        assert_eq!(d.first().unwrap().0, 0);
    }

    #[test]
    fn short_series_come_back_unchanged() {
        let pts = vec![(0, 1.0), (1, 2.0), (2, 3.0)];
        assert_eq!(decimate(&pts, 10), pts);
        assert_eq!(decimate(&[], 10), vec![]);
        let flat = vec![(0, 1.0); 5]
            .into_iter()
            .enumerate()
            .map(|(i, p)| (i as i64, p.1))
            .collect::<Vec<_>>();
        assert!(decimate(&flat, 2).len() <= 2);
    }
}
