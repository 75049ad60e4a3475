//! Finding a display: a headless machine gets Xvfb for screenshots and a clear message for the
//! interactive client, never a stack trace.

use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::{Command, ExitCode};

/// Set on the child so that a missing display under xvfb-run cannot loop.
const IN_XVFB: &str = "JUMEAU_IN_XVFB";

pub fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    })
}

/// Runs this very command again under `xvfb-run` with a screen of `size`.
pub fn rerun_under_xvfb(size: (u32, u32)) -> anyhow::Result<ExitCode> {
    if std::env::var_os(IN_XVFB).is_some() {
        bail!("xvfb-run started, but no display is visible to Jumeau (DISPLAY is empty)");
    }
    let Some(xvfb) = find_in_path("xvfb-run") else {
        bail!(
            "no display (DISPLAY is not set) and xvfb-run is not installed.\n\
             Install it (apt-get install xvfb mesa-vulkan-drivers) or run on a desktop session."
        );
    };
    eprintln!("jumeau: no display found; rendering on a virtual X server (xvfb-run)");
    let mut command = Command::new(xvfb);
    // Headless sessions often lack a runtime directory; winit complains without one.
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        let dir = std::env::temp_dir().join("jumeau-runtime");
        if std::fs::create_dir_all(&dir).is_ok() {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
            }
            command.env("XDG_RUNTIME_DIR", dir);
        }
    }
    let status = command
        .arg("-a")
        .arg("-s")
        .arg(format!("-screen 0 {}x{}x24", size.0, size.1))
        .arg(std::env::current_exe().context("cannot find the jumeau executable")?)
        .args(std::env::args_os().skip(1))
        .env(IN_XVFB, "1")
        .status()
        .context("cannot start xvfb-run")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// What the interactive client says on a machine without a display.
pub const NO_DISPLAY_HELP: &str = "\
jumeau: aucun affichage disponible (DISPLAY non défini) / no display available (DISPLAY is not set).
  - Vue 3D en image / 3D view as an image:  jumeau screenshot --out plant.png [--view TG1]
    (uses a virtual X server automatically / utilise automatiquement un serveur X virtuel)
  - Client interactif sur serveur X virtuel / interactive client on a virtual X server:
        xvfb-run -a -s '-screen 0 1600x900x24' jumeau
  - Données de référence en texte / master data as text:  jumeau components list";
