//! `jumeau` and `jumeau screenshot`: the viewer (crate jumeau-viewer) opened for the CLI's
//! user, language and source — on its login screen, or logged in before its window with
//! `--password-file`; on a headless machine a screenshot re-runs under Xvfb and the
//! interactive client explains what to do.

use crate::cli::{Lang, ScreenshotArgs, SourceArgs};
use crate::display;
use crate::identity::{Identity, open_store, read_password_file};
use jumeau_runtime::Door;
use jumeau_store::StoreFiles;
use jumeau_viewer::{Capture, SignIn, Viewer};
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
    // A first start shows its one-time passwords here, before anything else.
    drop(open_store(store_files)?);
    let door = Door::open(
        store_files.clone(),
        who.device.clone(),
        source.runtime_source()?,
    )?;
    let login_screen = screenshot.as_ref().is_some_and(|s| s.login_screen);
    let new_password_file = screenshot
        .as_ref()
        .and_then(|s| s.new_password_file.clone());
    let mut capture = screenshot.map(Capture::from);
    // The login screen, unless a password was given before the window (a file, or for a
    // screenshot of the plant the terminal's prompt); a screenshot of the screen types a
    // given password into it as a person would.
    let on_screen = login_screen || (capture.is_none() && who.password_file.is_none());
    let sign_in = if on_screen {
        if let (Some(capture), Some(file)) = (&mut capture, &who.password_file) {
            capture.type_password = Some(read_password_file(file)?);
            capture.type_new_password = match &new_password_file {
                Some(f) => Some(read_password_file(f)?),
                None => None,
            };
        }
        SignIn::Screen {
            login: who.login.clone(),
        }
    } else {
        SignIn::Now {
            login: who.login.clone(),
            password: who.password()?,
        }
    };
    let lock_after = (!lock_after.is_zero()).then_some(lock_after);
    let viewer = Viewer::open(door, sign_in, lang.into(), capture, lock_after)?;
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
            procedures: a.procedures,
            click: a.click,
            bench_frames: a.bench_frames,
            bench_out: a.bench_out,
            all_labels: a.all_labels,
            type_password: None,
            type_new_password: None,
        }
    }
}
