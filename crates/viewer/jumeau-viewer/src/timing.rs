//! CPU time spent in Jumeau's own systems, per frame: each of our per-frame systems holds a
//! `measure()` guard; the sum over a frame is what our code costs, apart from Bevy's renderer,
//! egui's tessellation and the GPU. `jumeau screenshot --bench-frames N` reports it.

use bevy::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

pub struct TimingPlugin;

impl Plugin for TimingPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<OwnTime>()
            .init_resource::<FrameLog>()
            .add_systems(Last, close_frame);
    }
}

/// Nanoseconds spent in our systems since the frame began (systems run in parallel: atomics).
#[derive(Resource, Default)]
pub struct OwnTime {
    frame_ns: AtomicU64,
}

impl OwnTime {
    pub fn measure(&self) -> Measure<'_> {
        Measure {
            start: Instant::now(),
            sink: &self.frame_ns,
        }
    }
}

pub struct Measure<'a> {
    start: Instant,
    sink: &'a AtomicU64,
}

impl Drop for Measure<'_> {
    fn drop(&mut self) {
        let ns = u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.sink.fetch_add(ns, Ordering::Relaxed);
    }
}

/// Per-frame samples while `recording`: our systems' CPU time and the frame's wall time (s;
/// real time: the virtual clock clamps frames to 250 ms).
#[derive(Resource, Default)]
pub struct FrameLog {
    pub recording: bool,
    pub own: Vec<f64>,
    pub frame: Vec<f64>,
}

fn close_frame(own: Res<OwnTime>, time: Res<Time<Real>>, mut log: ResMut<FrameLog>) {
    let ns = own.frame_ns.swap(0, Ordering::Relaxed);
    if log.recording {
        log.own.push(ns as f64 / 1e9);
        log.frame.push(time.delta_secs_f64());
    }
}

/// Mean, median, 95th percentile and maximum, in milliseconds.
pub fn summary(samples: &[f64]) -> serde_json::Value {
    let mut v: Vec<f64> = samples.iter().map(|s| s * 1e3).collect();
    v.sort_by(f64::total_cmp);
    let at = |q: f64| {
        v.get(((v.len() as f64 - 1.0) * q).round() as usize)
            .copied()
    };
    serde_json::json!({
        "n": v.len(),
        "mean_ms": (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64),
        "p50_ms": at(0.5),
        "p95_ms": at(0.95),
        "max_ms": v.last(),
    })
}
