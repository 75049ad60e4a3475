//! `jumeau screenshot`: select the requested view, let the renderer settle, capture the window
//! to PNG through Bevy's screenshot API, exit.

use super::alarms::AlarmListView;
use super::camera::FlyTo;
use super::live::LiveFeed;
use super::logbook::LogbookView;
use super::pid::PidView;
use super::plant::Session;
use super::procedures::ProcedureView;
use super::selection::{Select, ShowHover};
use super::trends::TrendView;
use crate::cli::ScreenshotArgs;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use std::path::PathBuf;

pub struct CapturePlugin {
    args: ScreenshotArgs,
}

impl CapturePlugin {
    pub fn new(args: &ScreenshotArgs) -> Self {
        CapturePlugin { args: args.clone() }
    }
}

#[derive(Resource, Clone)]
struct CaptureRequest {
    out: PathBuf,
    view: String,
    frames: u32,
    wait_alarm: Option<String>,
    acknowledge: bool,
}

#[derive(Resource, Default)]
struct CaptureState {
    frame: u32,
    /// When the capture started waiting for live values.
    started: Option<std::time::Instant>,
    requested: bool,
    written: Option<Result<(), String>>,
}

/// Give up when no frame came back this many frames after the request.
const MAX_WAIT_FRAMES: u32 = 600;
/// How long a screenshot waits for the first live values (then it shows them as missing).
const LIVE_WAIT: std::time::Duration = std::time::Duration::from_secs(20);
/// How long a screenshot waits for the alarm it was asked to show.
const ALARM_WAIT: std::time::Duration = std::time::Duration::from_secs(90);

impl Plugin for CapturePlugin {
    fn build(&self, app: &mut App) {
        let a = &self.args;
        let mut trends = TrendView::default();
        if let Some(tag) = &a.trend {
            trends.show(tag);
        }
        app.insert_resource(CaptureRequest {
            out: a.out.clone(),
            view: a.view.clone(),
            frames: a.frames,
            wait_alarm: a.wait_alarm.clone(),
            acknowledge: a.acknowledge,
        })
        .init_resource::<CaptureState>()
        .insert_resource(ShowHover(false))
        .insert_resource(LogbookView::opened(a.logbook))
        .insert_resource(AlarmListView::opened(a.alarm_list))
        .insert_resource(trends)
        .insert_resource(PidView::opened(a.pid.clone()))
        .insert_resource(ProcedureView::starting(a.procedure.clone()))
        .add_systems(PostStartup, select_view)
        .add_systems(Last, capture_when_settled);
    }
}

fn select_view(
    req: Res<CaptureRequest>,
    session: Res<Session>,
    mut select: MessageWriter<Select>,
    mut fly: MessageWriter<FlyTo>,
) {
    if req.view.eq_ignore_ascii_case("overview") {
        fly.write(FlyTo {
            component: None,
            instant: true,
        });
    } else if let Some(c) = session.resolve(&req.view) {
        select.write(Select {
            code: Some(c.code.clone()),
            instant: true,
        });
    }
}

fn capture_when_settled(
    mut commands: Commands,
    req: Res<CaptureRequest>,
    mut state: ResMut<CaptureState>,
    feed: Res<LiveFeed>,
    session: Res<Session>,
    mut exit: MessageWriter<AppExit>,
) {
    state.frame += 1;
    let started = *state.started.get_or_insert_with(std::time::Instant::now);
    if let Some(result) = state.written.take() {
        match result {
            Ok(()) => {
                exit.write(AppExit::Success);
            }
            Err(e) => {
                error!("{e}");
                exit.write(AppExit::error());
            }
        }
        return;
    }
    // A frame of the plant without its live values would not show what an operator sees.
    let live = feed.0.live.lock().map(|l| !l.is_empty()).unwrap_or(false);
    if !live && started.elapsed() < LIVE_WAIT {
        state.frame = state.frame.min(req.frames.saturating_sub(1));
    }
    if let Some(code) = &req.wait_alarm
        && !state.requested
        && !alarm_ready(&feed, &session, code, req.acknowledge)
    {
        if started.elapsed() > ALARM_WAIT {
            error!(
                "alarm {code} was not raised within {} s",
                ALARM_WAIT.as_secs()
            );
            exit.write(AppExit::error());
        }
        // Count the settling frames from when it shows: colours, glyphs and layout follow.
        state.frame = 0;
    }
    if !state.requested && state.frame >= req.frames {
        state.requested = true;
        let out = req.out.clone();
        commands.spawn(Screenshot::primary_window()).observe(
            move |captured: On<ScreenshotCaptured>, mut state: ResMut<CaptureState>| {
                state.written = Some(save_png(&captured.image, &out));
            },
        );
    } else if state.requested && state.frame > req.frames + MAX_WAIT_FRAMES {
        error!("the renderer returned no frame to capture");
        exit.write(AppExit::error());
    }
}

/// Whether the awaited alarm is annunciated (and acknowledged, when asked: the capture
/// acknowledges what waits as the session's user, through the same path as the client's
/// button).
fn alarm_ready(feed: &LiveFeed, session: &Session, code: &str, acknowledge: bool) -> bool {
    let Ok(mut board) = feed.0.alarms.lock() else {
        return false;
    };
    let Some(alarm) = board.engine.alarm(code) else {
        return false;
    };
    if !alarm.annunciated() {
        return false;
    }
    if acknowledge {
        // Everything waiting, as the operator's "acknowledge all" would: a steady picture.
        let waiting: Vec<String> = board
            .engine
            .alarms()
            .iter()
            .filter(|a| a.unacknowledged())
            .map(|a| a.code.clone())
            .collect();
        for code in waiting {
            if board.acknowledge(&code, &session.user.login).is_err() {
                return false;
            }
        }
    }
    true
}

fn save_png(image: &Image, out: &std::path::Path) -> Result<(), String> {
    let rgb = image
        .clone()
        .try_into_dynamic()
        .map_err(|e| format!("cannot convert the captured frame: {e}"))?
        .to_rgb8();
    rgb.save_with_format(out, image::ImageFormat::Png)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))
}
