//! The Bevy + egui client. Each feature is one plugin; everything it shows or changes goes
//! through the plant runtime's handle (live values, alarms, runs, store reads and writes).

mod alarms;
mod audit;
mod camera;
mod capture;
mod i18n;
mod intent;
mod labels;
mod live;
mod lock;
mod logbook;
mod login;
mod panels;
mod pid;
mod plant;
mod procedures;
mod scene;
mod selection;
mod sets;
mod sync_status;
mod theme;
mod timing;
mod trends;

pub use capture::Capture;

use anyhow::Context;
use bevy::app::PluginGroupBuilder;
use bevy::log::LogPlugin;
use bevy::prelude::*;
use bevy::window::WindowResolution;
use bevy_egui::EguiPlugin;
use jumeau_core::Locale;
use jumeau_runtime::{Command, Door, Password, Runtime};
use std::process::ExitCode;
use std::time::Duration;

/// How the client's user logs in.
pub enum SignIn {
    /// Before any window (`--password-file`): a refusal is reported on the terminal.
    Now { login: String, password: Password },
    /// On the client's login screen, its login field filled with `login`.
    Screen { login: String },
}

/// Whom the client will run for: a runtime logged in already, or a door for the login screen.
enum Start {
    Ready(Runtime),
    Screen(Door, String),
}

/// The client, opened but not yet shown.
pub struct Viewer {
    start: Start,
    locale: Locale,
    screenshot: Option<Capture>,
    /// The screen locks after this long without input (`None`: never).
    lock_after: Option<Duration>,
}

impl Viewer {
    /// Checks the request against the store's master data (an unknown view is reported before
    /// any window), and logs in now when the password was given.
    pub fn open(
        door: Door,
        sign_in: SignIn,
        locale: Locale,
        screenshot: Option<Capture>,
        lock_after: Option<Duration>,
    ) -> anyhow::Result<Viewer> {
        if let Some(args) = &screenshot
            && !args.view.eq_ignore_ascii_case("overview")
            && plant::resolve(door.md(), &args.view).is_none()
        {
            anyhow::bail!(
                "unknown view `{}`: expected `overview` or a component code or alias (see `jumeau components list`)",
                args.view
            );
        }
        warn_about_scene_identity(door.md());
        let start = match sign_in {
            SignIn::Now { login, password } => Start::Ready(
                door.log_in(&login, &password)
                    .map_err(|refused| anyhow::Error::new(refused.why))?,
            ),
            SignIn::Screen { login } => Start::Screen(door, login),
        };
        Ok(Viewer {
            start,
            locale,
            screenshot,
            lock_after,
        })
    }

    /// The window's size in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.screenshot.as_ref().map_or((1600, 900), |s| s.size)
    }

    /// Whether this run renders a PNG and exits.
    pub fn captures(&self) -> bool {
        self.screenshot.is_some()
    }

    /// Starts the runtime and shows the client (a display is needed) until it is closed, or
    /// until the screenshot is written.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        let size = self.size();
        let Viewer {
            start,
            locale,
            screenshot,
            lock_after,
        } = self;
        let out = screenshot.as_ref().map(|s| s.out.clone());
        if let Some(out) = &out {
            // A stale file must not pass for this run's output.
            match std::fs::remove_file(out) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot replace {}", out.display()));
                }
            }
        }
        // Live values start with the session: the built-in simulator over OPC UA on loopback,
        // or the plant's server.
        let signed_in = login::SignedIn::default();
        let mut app = App::new();
        let (state, door) = match start {
            Start::Ready(runtime) => {
                login::enter(app.world_mut(), &signed_in, login::open_session(runtime)?);
                (sets::ClientState::Running, None)
            }
            Start::Screen(door, login) => (sets::ClientState::LoggingIn, Some((door, login))),
        };
        app.add_plugins(
            DefaultPlugins
                .set(WindowPlugin {
                    primary_window: Some(Window {
                        title: i18n::Language(locale).texts().app_title.into(),
                        resolution: WindowResolution::new(size.0, size.1)
                            .with_scale_factor_override(1.0),
                        ..default()
                    }),
                    ..default()
                })
                .set(LogPlugin {
                    filter: "warn,jumeau=info,wgpu=error,naga=warn".into(),
                    ..default()
                }),
        )
        .add_plugins(MeshPickingPlugin)
        .add_plugins(EguiPlugin::default())
        .insert_resource(i18n::Language(locale))
        .add_plugins(ViewerPlugins {
            state,
            login: login::LoginPlugin::new(door, signed_in.clone()),
            lock_after,
        });
        if let Some(args) = &screenshot {
            app.add_plugins(capture::CapturePlugin::new(args));
        }
        let exit = app.run();
        if let Some(runtime) = signed_in.take()
            && let Err(e) = runtime
                .send(Command::Session { opened: false })
                .wait(login::ANSWER)
        {
            eprintln!("jumeau: logout not recorded in the logbook: {e}");
        }
        if let Some(out) = out {
            anyhow::ensure!(
                exit.is_success() && out.is_file(),
                "no screenshot was written to {}",
                out.display()
            );
            println!("{}", out.display());
        }
        Ok(if exit.is_success() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }
}

/// Every feature of the viewer, its system sets and the client's state first (`sets`); the
/// runtime handle, made at the login, is the only way any of them reaches the plant.
struct ViewerPlugins {
    state: sets::ClientState,
    login: login::LoginPlugin,
    lock_after: Option<Duration>,
}

impl PluginGroup for ViewerPlugins {
    fn build(self) -> PluginGroupBuilder {
        PluginGroupBuilder::start::<Self>()
            .add(sets::SetsPlugin(self.state))
            .add(self.login)
            .add(theme::ThemePlugin)
            .add(timing::TimingPlugin)
            .add(scene::PlantScenePlugin)
            .add(camera::OrbitCameraPlugin)
            .add(selection::SelectionPlugin)
            .add(panels::PanelsPlugin)
            .add(labels::LabelsPlugin)
            .add(logbook::LogbookPlugin)
            .add(alarms::AlarmsPlugin)
            .add(trends::TrendsPlugin)
            .add(pid::PidPlugin)
            .add(procedures::ProceduresPlugin)
            .add(audit::AuditPlugin)
            .add(lock::LockPlugin(self.lock_after))
    }
}

/// The scenes and master data evolve separately (change-sets vs `jumeau scene build`): say at
/// start what the 3D view cannot show or does not know (`jumeau scene check` lists it all).
fn warn_about_scene_identity(md: &jumeau_core::MasterData) {
    let report = match jumeau_scenes::embedded_identity_nodes() {
        Ok(nodes) => jumeau_scenes::check(md, &nodes),
        Err(e) => {
            eprintln!("jumeau: warning: {e}");
            return;
        }
    };
    let list = |v: &[String]| {
        let mut s = v.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
        if v.len() > 8 {
            s.push_str(&format!(" and {} more", v.len() - 8));
        }
        s
    };
    if !report.components_without_node.is_empty() {
        eprintln!(
            "jumeau: warning: {} component(s) have no node in the 3D scenes: {}",
            report.components_without_node.len(),
            list(&report.components_without_node)
        );
    }
    if !report.nodes_without_component.is_empty() {
        eprintln!(
            "jumeau: warning: {} scene node(s) have no component in master data: {}",
            report.nodes_without_component.len(),
            list(&report.nodes_without_component)
        );
    }
}
