//! The viewer's system sets, in the order they run each frame, and the client's state: nothing
//! of the plant runs or shows before someone has logged in.

use bevy::prelude::*;

/// Before the login screen has opened a runtime, only the scenes load (and the login screen is
/// drawn); every other set waits for `Running`, when the runtime's handle and the session
/// exist.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ClientState {
    #[default]
    LoggingIn,
    Running,
}

/// `Update`: the frame's state, before anything is drawn.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameSet {
    /// The glTF scenes load and their nodes are indexed by component.
    Scene,
    /// Keyboard shortcuts, then selection requests applied.
    Input,
    /// The camera follows the pointer and fly-to requests.
    Camera,
    /// Snapshots taken from the runtime (alarms, a component's logbook entries, runs).
    Sync,
    /// Highlight and alarm colours painted on the scene.
    Paint,
}

/// `EguiPrimaryContextPass`: the screen, back to front.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UiSet {
    /// Fonts and colours, once.
    Theme,
    /// The login screen, alone on the screen until someone has logged in.
    Login,
    /// Top bar, component list and card, status bar: they fix the 3D viewport.
    Shell,
    /// The floating windows (alarm list, trends, P&ID, logbook, procedures).
    Windows,
    /// Labels over the 3D view, inside what the shell left.
    Overlay,
}

/// Orders the sets (added first by the viewer's plugin group) and holds all but the scene's
/// loading, the theme and the login screen until the client runs.
pub struct SetsPlugin(pub ClientState);

impl Plugin for SetsPlugin {
    fn build(&self, app: &mut App) {
        use FrameSet::*;
        let running = || in_state(ClientState::Running);
        app.insert_state(self.0)
            .configure_sets(Update, (Scene, Input, Camera, Sync, Paint).chain())
            .configure_sets(Update, (Input, Camera, Sync, Paint).run_if(running()))
            .configure_sets(
                bevy_egui::EguiPrimaryContextPass,
                (
                    UiSet::Theme,
                    UiSet::Login,
                    UiSet::Shell,
                    UiSet::Windows,
                    UiSet::Overlay,
                )
                    .chain(),
            )
            .configure_sets(
                bevy_egui::EguiPrimaryContextPass,
                (
                    UiSet::Login.run_if(in_state(ClientState::LoggingIn)),
                    (UiSet::Shell, UiSet::Windows, UiSet::Overlay).run_if(running()),
                ),
            );
    }
}
