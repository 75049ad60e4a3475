//! `jumeau` and `jumeau screenshot`: the viewer (crate jumeau-viewer) opened for the CLI's
//! user, language and source; on a headless machine a screenshot re-runs under Xvfb and the
//! interactive client explains what to do.

use crate::cli::{Lang, ScreenshotArgs, SourceArgs};
use crate::display;
use crate::identity::Identity;
use jumeau_store::StoreFiles;
use jumeau_viewer::{Capture, Viewer};
use std::process::ExitCode;

pub fn launch(
    store_files: &StoreFiles,
    who: &Identity,
    lang: Lang,
    lock_after: std::time::Duration,
    source: &SourceArgs,
    screenshot: Option<ScreenshotArgs>,
) -> anyhow::Result<ExitCode> {
    if !display::has_display() && screenshot.is_none() {
        eprintln!("{}", display::NO_DISPLAY_HELP);
        return Ok(ExitCode::from(2));
    }
    let config = who.runtime_config(store_files, source.runtime_source()?)?;
    let lock_after = (!lock_after.is_zero()).then_some(lock_after);
    let viewer = Viewer::open(
        config,
        lang.into(),
        screenshot.map(Capture::from),
        lock_after,
    )?;
    if !display::has_display() {
        return display::rerun_under_xvfb(viewer.size());
    }
    viewer.run()
}

impl From<ScreenshotArgs> for Capture {
    fn from(a: ScreenshotArgs) -> Self {
        Capture {
            out: a.out,
            view: a.view,
            size: a.size,
            frames: a.frames,
            logbook: a.logbook,
            wait_alarm: a.wait_alarm,
            acknowledge: a.acknowledge,
            alarm_list: a.alarm_list,
            audit: a.audit,
            trend: a.trend,
            pid: a.pid,
            procedure: a.procedure,
            click: a.click,
            bench_frames: a.bench_frames,
            bench_out: a.bench_out,
            all_labels: a.all_labels,
        }
    }
}
