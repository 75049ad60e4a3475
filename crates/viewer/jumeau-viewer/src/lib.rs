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
mod panels;
mod pid;
mod plant;
mod procedures;
mod scene;
mod selection;
mod sets;
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
use jumeau_runtime::{Command, Runtime, RuntimeConfig, RuntimeHandle};
use std::process::ExitCode;
use std::time::Duration;

/// How long the client waits for the runtime to record a login or logout.
const ANSWER: Duration = Duration::from_secs(10);

/// The client, opened but not yet shown.
pub struct Viewer {
    runtime: Runtime,
    locale: Locale,
    screenshot: Option<Capture>,
    /// The screen locks after this long without input (`None`: never).
    lock_after: Option<Duration>,
}

impl Viewer {
    /// Opens the store and checks the request first: a store problem or an unknown view is
    /// reported before any window.
    pub fn open(
        config: RuntimeConfig,
        locale: Locale,
        screenshot: Option<Capture>,
        lock_after: Option<Duration>,
    ) -> anyhow::Result<Viewer> {
        let runtime = Runtime::open(config)?;
        if let Some(args) = &screenshot
            && !args.view.eq_ignore_ascii_case("overview")
            && plant::resolve(runtime.md(), &args.view).is_none()
        {
            anyhow::bail!(
                "unknown view `{}`: expected `overview` or a component code or alias (see `jumeau components list`)",
                args.view
            );
        }
        warn_about_scene_identity(runtime.md());
        Ok(Viewer {
            runtime,
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
            runtime,
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
        // Live values: the built-in simulator over OPC UA on loopback, or the plant's server.
        let runtime = runtime.launch()?;
        runtime
            .send(Command::Session { opened: true })
            .wait(ANSWER)
            .map_err(anyhow::Error::msg)
            .context("login not recorded in the logbook")?;
        let session = plant::Session::new(&runtime);
        let mut app = App::new();
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
        .insert_resource(session)
        .add_plugins(ViewerPlugins {
            runtime: runtime.clone(),
            lock_after,
        });
        if let Some(args) = &screenshot {
            app.add_plugins(capture::CapturePlugin::new(args));
        }
        let exit = app.run();
        if let Err(e) = runtime
            .send(Command::Session { opened: false })
            .wait(ANSWER)
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

/// Every feature of the viewer, its system sets first (`sets`); the runtime handle is the only
/// way any of them reaches the plant.
struct ViewerPlugins {
    runtime: RuntimeHandle,
    lock_after: Option<Duration>,
}

impl PluginGroup for ViewerPlugins {
    fn build(self) -> PluginGroupBuilder {
        PluginGroupBuilder::start::<Self>()
            .add(sets::SetsPlugin)
            .add(live::LivePlugin(self.runtime))
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
