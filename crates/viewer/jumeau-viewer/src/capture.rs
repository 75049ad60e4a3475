//! `jumeau screenshot`: select the requested view, let the renderer settle, capture the window
//! to PNG through Bevy's screenshot API, exit.

use super::alarms::AlarmListView;
use super::audit::AuditView;
use super::camera::{FlyTo, OrbitCamera};
use super::labels::LabelRange;
use super::live::LiveFeed;
use super::logbook::LogbookView;
use super::login::LoginScreen;
use super::pid::PidView;
use super::plant::Session;
use super::procedures::ProcedureView;
use super::scene::{PlantBounds, SceneLoad};
use super::selection::{Select, Selection, ShowHover};
use super::sets::{ClientState, FrameSet};
use super::timing::{self, FrameLog};
use super::trends::TrendView;
use bevy::camera::NormalizedRenderTarget;
use bevy::picking::pointer::{Location, PointerAction, PointerId, PointerInput};
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::{PrimaryWindow, WindowRef};
use jumeau_runtime::{Command, Password};
use std::path::PathBuf;

/// What `jumeau screenshot` asks for (its options, see the CLI's help).
#[derive(Debug, Clone, Default)]
pub struct Capture {
    /// PNG file to write.
    pub out: PathBuf,
    /// `overview`, or a component code or alias to select and fly to.
    pub view: String,
    /// Window size in pixels.
    pub size: (u32, u32),
    /// Frames to render before capturing.
    pub frames: u32,
    pub logbook: bool,
    /// Wait until this alarm is annunciated before capturing.
    pub wait_alarm: Option<String>,
    /// Acknowledge every waiting alarm once the awaited one shows.
    pub acknowledge: bool,
    pub alarm_list: bool,
    /// Open the audit trail's window.
    pub audit: bool,
    /// Open the trend window with this tag.
    pub trend: Option<String>,
    /// Open the P&ID of this circuit.
    pub pid: Option<String>,
    /// Start a run of this procedure and show it.
    pub procedure: Option<String>,
    /// Open the procedure window on the newest run in progress.
    pub procedures: bool,
    /// Click on the centre of this component once the view has settled.
    pub click: Option<String>,
    /// Record this many frames' timings to `bench_out`.
    pub bench_frames: u32,
    pub bench_out: Option<PathBuf>,
    /// Label every component at any distance.
    pub all_labels: bool,
    /// Typed into the login screen once it shows (the capture goes on to the plant if it
    /// opens it, or captures the screen's refusal); without it, a capture on the login screen
    /// takes the screen itself.
    pub type_password: Option<Password>,
    /// Typed, twice, when the login screen asks a first login for the person's own password.
    pub type_new_password: Option<Password>,
}

pub struct CapturePlugin {
    args: Capture,
}

impl CapturePlugin {
    pub fn new(args: &Capture) -> Self {
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
    click: Option<String>,
    bench_frames: u32,
    bench_out: Option<PathBuf>,
    all_labels: bool,
    type_password: Option<Password>,
    type_new_password: Option<Password>,
}

#[derive(Resource, Default)]
struct CaptureState {
    frame: u32,
    /// When the capture started waiting for live values.
    started: Option<std::time::Instant>,
    requested: bool,
    written: Option<Result<(), String>>,
    /// Frames into the synthetic click (move, press, release), then done.
    click_step: u32,
    bench_done: bool,
    /// The awaited alarm shows (and, when asked, everything is acknowledged) this frame.
    alarm_ready: bool,
    /// The password was typed into the login screen.
    typed: bool,
}

/// Give up when no frame came back this many frames after the request.
const MAX_WAIT_FRAMES: u32 = 600;
/// How long a screenshot waits for the first live values (then it shows them as missing).
const LIVE_WAIT: std::time::Duration = std::time::Duration::from_secs(20);
/// How long a screenshot waits for the plant's scenes to load and spawn.
const SCENE_WAIT: std::time::Duration = std::time::Duration::from_secs(60);
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
            click: a.click.clone(),
            bench_frames: a.bench_frames,
            bench_out: a.bench_out.clone(),
            all_labels: a.all_labels,
            type_password: a.type_password.clone(),
            type_new_password: a.type_new_password.clone(),
        })
        .init_resource::<CaptureState>()
        .insert_resource(ShowHover(false))
        .insert_resource(if a.all_labels {
            LabelRange(f32::INFINITY)
        } else {
            LabelRange::default()
        })
        .insert_resource(LogbookView::opened(a.logbook))
        .insert_resource(AlarmListView::opened(a.alarm_list))
        .insert_resource(AuditView::opened(a.audit))
        .insert_resource(trends)
        .insert_resource(PidView::opened(a.pid.clone()))
        .insert_resource(ProcedureView::starting(a.procedure.clone(), a.procedures))
        .add_systems(OnEnter(ClientState::Running), select_view)
        // Before the frame's alarm paint is read (Update): the captured frame then shows what
        // was acknowledged in it, not a blink of an alarm acknowledged a moment later.
        .add_systems(PreUpdate, acknowledge_when_waiting.run_if(running()))
        .add_systems(
            Update,
            (click_when_settled, bench_when_settled)
                .after(FrameSet::Paint)
                .run_if(running()),
        )
        .add_systems(
            Last,
            (
                capture_when_settled.run_if(running()),
                capture_login_screen.run_if(in_state(ClientState::LoggingIn)),
            ),
        );
    }
}

fn running() -> impl FnMut(Option<Res<State<ClientState>>>) -> bool + Clone {
    in_state(ClientState::Running)
}

/// How long a capture waits for the login screen's answer.
const LOGIN_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// On the login screen: types the password given (once the screen has been drawn) and waits
/// for the answer, or captures the screen as it stands.
fn capture_login_screen(
    mut commands: Commands,
    mut req: ResMut<CaptureRequest>,
    mut state: ResMut<CaptureState>,
    screen: Option<ResMut<LoginScreen>>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(mut screen) = screen else { return };
    if exit_when_written(&mut state, &mut exit) {
        return;
    }
    state.frame += 1;
    let started = *state.started.get_or_insert_with(std::time::Instant::now);
    if !state.typed
        && state.frame > 2
        && let Some(password) = req.type_password.take()
    {
        screen.password = password.expose().to_owned();
        screen.submitted = true;
        state.typed = true;
    }
    if screen.first_login()
        && !screen.checking()
        && let Some(new) = req.type_new_password.take()
    {
        screen.new_again = new.expose().to_owned();
        screen.new_password = new.expose().to_owned();
        screen.submitted = true;
    }
    if screen.checking() || screen.submitted {
        hold(
            &mut state,
            started,
            LOGIN_WAIT,
            "the login screen gave no answer",
            &mut exit,
        );
        return;
    }
    if !state.requested && state.frame >= req.frames {
        if let Some(m) = &screen.message {
            info!("the login screen says: {m:?}");
        }
        request_screenshot(&mut commands, &mut state, &req.out);
    } else if state.requested && state.frame > req.frames + MAX_WAIT_FRAMES {
        error!("the renderer returned no frame to capture");
        exit.write(AppExit::error());
    }
}

/// Frames do not count while `what` is awaited; past `limit` the capture fails.
fn hold(
    state: &mut CaptureState,
    started: std::time::Instant,
    limit: std::time::Duration,
    what: &str,
    exit: &mut MessageWriter<AppExit>,
) {
    state.frame = 0;
    if started.elapsed() > limit {
        error!("{what} within {} s", limit.as_secs());
        exit.write(AppExit::error());
    }
}

/// Once the PNG is written (or failed), the app exits with the outcome.
fn exit_when_written(state: &mut CaptureState, exit: &mut MessageWriter<AppExit>) -> bool {
    let Some(result) = state.written.take() else {
        return false;
    };
    match result {
        Ok(()) => {
            exit.write(AppExit::Success);
        }
        Err(e) => {
            error!("{e}");
            exit.write(AppExit::error());
        }
    }
    true
}

fn request_screenshot(commands: &mut Commands, state: &mut CaptureState, out: &std::path::Path) {
    state.requested = true;
    let out = out.to_path_buf();
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut state: ResMut<CaptureState>| {
            state.written = Some(save_png(&captured.image, &out));
        },
    );
}

/// The plant's capture starts when the client runs (at once, or after the login screen).
fn select_view(
    req: Res<CaptureRequest>,
    mut state: ResMut<CaptureState>,
    session: Res<Session>,
    mut select: MessageWriter<Select>,
    mut fly: MessageWriter<FlyTo>,
) {
    state.frame = 0;
    state.started = None;
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

#[allow(clippy::too_many_arguments)]
fn capture_when_settled(
    mut commands: Commands,
    req: Res<CaptureRequest>,
    mut state: ResMut<CaptureState>,
    feed: Res<LiveFeed>,
    session: Res<Session>,
    scenes: Res<SceneLoad>,
    selection: Res<Selection>,
    mut exit: MessageWriter<AppExit>,
) {
    if exit_when_written(&mut state, &mut exit) {
        return;
    }
    state.frame += 1;
    let started = *state.started.get_or_insert_with(std::time::Instant::now);
    // Frames count once the plant is spawned and the camera placed on it.
    if !scenes.is_ready() {
        hold(
            &mut state,
            started,
            SCENE_WAIT,
            "the plant's scenes did not load",
            &mut exit,
        );
        return;
    }
    // A frame of the plant without its live values would not show what an operator sees.
    let live = feed.0.live().is_some_and(|l| !l.is_empty());
    if !live && started.elapsed() < LIVE_WAIT {
        state.frame = state.frame.min(req.frames.saturating_sub(1));
    }
    if let Some(code) = &req.wait_alarm
        && !state.requested
        && !state.alarm_ready
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
    let busy = (req.click.is_some() && state.click_step < CLICK_DONE)
        || (req.bench_frames > 0 && !state.bench_done);
    if !state.requested && state.frame >= req.frames && !busy {
        if let Err(e) = check_click(&req, &session, &selection) {
            error!("{e}");
            exit.write(AppExit::error());
            return;
        }
        request_screenshot(&mut commands, &mut state, &req.out);
    } else if state.requested && state.frame > req.frames + MAX_WAIT_FRAMES {
        error!("the renderer returned no frame to capture");
        exit.write(AppExit::error());
    }
}

/// The click's last step: the frames that follow settle the selection and the fly-to.
const CLICK_DONE: u32 = 3;

/// `--click CODE`: once settled, a mouse click through Bevy's picking input on the component's
/// centre as projected by the camera, as an operator's click would arrive.
#[allow(clippy::too_many_arguments)]
fn click_when_settled(
    req: Res<CaptureRequest>,
    mut state: ResMut<CaptureState>,
    session: Res<Session>,
    bounds: Res<PlantBounds>,
    selection: Res<Selection>,
    camera: Single<(&Camera, &GlobalTransform), With<OrbitCamera>>,
    window: Single<Entity, With<PrimaryWindow>>,
    mut input: MessageWriter<PointerInput>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(id) = &req.click else { return };
    if state.frame < req.frames || state.click_step >= CLICK_DONE {
        return;
    }
    let Some(target) = session.resolve(id) else {
        error!("--click {id}: no such component");
        exit.write(AppExit::error());
        return;
    };
    let (cam, cam_transform) = *camera;
    let centre = bounds
        .of(&session, &target.code)
        .and_then(|(lo, hi)| cam.world_to_viewport(cam_transform, (lo + hi) / 2.0).ok());
    let Some(position) = centre else {
        error!("--click {id}: the component is not in view");
        exit.write(AppExit::error());
        return;
    };
    let location = Location {
        target: NormalizedRenderTarget::Window(
            WindowRef::Primary.normalize(Some(*window)).unwrap(),
        ),
        position,
    };
    let action = match state.click_step {
        0 => PointerAction::Move { delta: Vec2::ZERO },
        1 => PointerAction::Press(PointerButton::Primary),
        _ => PointerAction::Release(PointerButton::Primary),
    };
    input.write(PointerInput::new(PointerId::Mouse, location, action));
    state.click_step += 1;
    if state.click_step == CLICK_DONE {
        info!(
            "clicked {} at {position}; selection was {:?}",
            target.code, selection.code
        );
        // The card opens and the camera flies: settle again before the capture.
        state.frame = 0;
    }
}

/// After the click: the selection must be the clicked component, or the capture fails.
fn check_click(
    req: &CaptureRequest,
    session: &Session,
    selection: &Selection,
) -> Result<(), String> {
    let Some(id) = &req.click else { return Ok(()) };
    let expected = session.resolve(id).map(|c| c.code.as_str());
    if selection.code.as_deref() == expected {
        Ok(())
    } else {
        Err(format!("clicking {id} selected {:?}", selection.code))
    }
}

/// `--bench-frames N`: once settled (and after any click), record N frames and write the
/// timings.
fn bench_when_settled(
    req: Res<CaptureRequest>,
    mut state: ResMut<CaptureState>,
    mut log: ResMut<FrameLog>,
    scenes: Res<SceneLoad>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(out) = &req.bench_out else { return };
    if state.bench_done
        || state.frame < req.frames
        || (req.click.is_some() && state.click_step < CLICK_DONE)
    {
        return;
    }
    log.recording = true;
    if log.own.len() < req.bench_frames as usize {
        return;
    }
    log.recording = false;
    state.bench_done = true;
    let ms = |d: Option<std::time::Duration>| d.map(|d| d.as_secs_f64() * 1e3);
    let report = serde_json::json!({
        "view": req.view,
        "all_labels": req.all_labels,
        "build": if cfg!(debug_assertions) { "debug" } else { "release" },
        "scene": {
            "files": jumeau_scenes::EMBEDDED.len(),
            "components": scenes.components,
            "parts": scenes.parts,
            "loaded_ms": ms(scenes.loaded),
            "spawned_ms": ms(scenes.spawned),
            "index_ms": ms(scenes.index_work),
            "ready_ms": ms(scenes.indexed),
        },
        "own_systems_per_frame": timing::summary(&log.own),
        "frame": timing::summary(&log.frame),
    });
    if let Err(e) = std::fs::write(out, format!("{report:#}\n")) {
        error!("cannot write {}: {e}", out.display());
        exit.write(AppExit::error());
    }
}

/// Checks the awaited alarm once per frame until the screenshot is requested.
fn acknowledge_when_waiting(
    req: Res<CaptureRequest>,
    mut state: ResMut<CaptureState>,
    feed: Res<LiveFeed>,
) {
    if let Some(code) = &req.wait_alarm
        && !state.requested
    {
        state.alarm_ready = alarm_ready(&feed, code, req.acknowledge);
    }
}

/// Whether the awaited alarm is annunciated (and acknowledged, when asked: the capture
/// acknowledges what waits as the session's user, through the same path as the client's
/// button).
fn alarm_ready(feed: &LiveFeed, code: &str, acknowledge: bool) -> bool {
    let waiting: Vec<String> = {
        let Some(board) = feed.0.alarms() else {
            return false;
        };
        let Some(alarm) = board.engine.alarm(code) else {
            return false;
        };
        if !alarm.annunciated() {
            return false;
        }
        // Everything waiting, as the operator's "acknowledge all" would: a steady picture.
        board
            .engine
            .alarms()
            .iter()
            .filter(|a| acknowledge && a.unacknowledged())
            .map(|a| a.code.clone())
            .collect()
    };
    waiting
        .into_iter()
        .all(|alarm| feed.command(Command::Acknowledge { alarm }).is_ok())
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
