//! `jumeau` and `jumeau screenshot`: the viewer (crate jumeau-viewer) opened for the CLI's
//! user, language and source; on a headless machine a screenshot re-runs under Xvfb and the
//! interactive client explains what to do.

use crate::cli::{Lang, ScreenshotArgs, SourceArgs};
use crate::display;
use jumeau_runtime::RuntimeConfig;
use jumeau_viewer::{Capture, Viewer};
use std::path::Path;
use std::process::ExitCode;

pub fn launch(
    store_path: &Path,
    user: &str,
    device: &str,
    lang: Lang,
    source: &SourceArgs,
    screenshot: Option<ScreenshotArgs>,
) -> anyhow::Result<ExitCode> {
    let config = RuntimeConfig {
        store_path: store_path.to_owned(),
        login: user.to_owned(),
        device: device.to_owned(),
        source: source.runtime_source(),
    };
    let viewer = Viewer::open(config, lang.into(), screenshot.map(Capture::from))?;
    if !display::has_display() {
        if viewer.captures() {
            return display::rerun_under_xvfb(viewer.size());
        }
        eprintln!("{}", display::NO_DISPLAY_HELP);
        return Ok(ExitCode::from(2));
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
