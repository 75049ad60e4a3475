//! The Bevy + egui client. Each feature is one plugin; core state comes in as resources built
//! from the store at start, and nothing here touches SQLite after that.

mod alarms;
mod camera;
mod capture;
mod i18n;
mod labels;
mod live;
mod logbook;
mod panels;
mod pid;
mod plant;
mod procedures;
mod scene;
mod selection;
mod theme;
mod timing;
mod trends;

use crate::cli::{Lang, ScreenshotArgs, SourceArgs};
use crate::display;
use anyhow::Context;
use bevy::log::LogPlugin;
use bevy::prelude::*;
use bevy::window::WindowResolution;
use bevy_egui::EguiPlugin;
use jumeau_store::Store;
use std::path::Path;
use std::process::ExitCode;

/// Opens the client, or renders it to a PNG when `screenshot` is given.
pub fn launch(
    store_path: &Path,
    user: &str,
    device: &str,
    lang: Lang,
    source: &SourceArgs,
    screenshot: Option<ScreenshotArgs>,
) -> anyhow::Result<ExitCode> {
    // Load everything the client needs first: a store problem is reported before any window.
    let store = Store::open_seeded(store_path)?;
    let session = plant::Session::load(&store, user)?;
    if let Some(args) = &screenshot
        && !args.view.eq_ignore_ascii_case("overview")
        && session.resolve(&args.view).is_none()
    {
        anyhow::bail!(
            "unknown view `{}`: expected `overview` or a component code or alias (see `jumeau components list`)",
            args.view
        );
    }

    warn_about_scene_identity(&session.md);

    let size = screenshot.as_ref().map_or((1600, 900), |s| s.size);
    if !display::has_display() {
        return match screenshot {
            Some(_) => display::rerun_under_xvfb(size),
            None => {
                eprintln!("{}", display::NO_DISPLAY_HELP);
                Ok(ExitCode::from(2))
            }
        };
    }

    let out = screenshot.as_ref().map(|s| s.out.clone());
    if let Some(out) = &out {
        // A stale file must not pass for this run's output.
        match std::fs::remove_file(out) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot replace {}", out.display())),
        }
    }
    // Live values: the built-in simulator over OPC UA on loopback, or the plant's server.
    let feed = crate::feed::start(
        &session.md,
        source,
        store_path,
        crate::feed::FeedUser {
            login: user,
            device,
        },
    )?;
    let mut store = store;
    let display_name = session.user.display_name.clone();
    let login = logbook::session_entry("login", &display_name, device);
    store.append_logbook(user, device, &login)?;
    // Shared with the app; kept here too, because App::run gives the world away.
    let handle = logbook::StoreHandle {
        store: std::sync::Arc::new(std::sync::Mutex::new(store)),
        device: device.to_owned(),
    };
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "Jumeau — cycle combiné 2×1".into(),
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
    .insert_resource(i18n::Language(lang))
    .insert_resource(session)
    .insert_resource(handle.clone())
    .add_plugins((
        theme::ThemePlugin,
        timing::TimingPlugin,
        scene::PlantScenePlugin,
        camera::OrbitCameraPlugin,
        selection::SelectionPlugin,
        panels::PanelsPlugin,
        labels::LabelsPlugin,
        logbook::LogbookPlugin,
        live::LivePlugin(feed),
        alarms::AlarmsPlugin,
        trends::TrendsPlugin,
        pid::PidPlugin,
        procedures::ProceduresPlugin,
    ));
    if let Some(args) = &screenshot {
        app.add_plugins(capture::CapturePlugin::new(args));
    }
    let exit = app.run();
    let logout = logbook::session_entry("logout", &display_name, device);
    if let Err(e) = handle.append(user, &logout) {
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
