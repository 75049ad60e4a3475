//! The viewer's system sets, in the order they run each frame; `ViewerPlugins` chains them.

use bevy::prelude::*;

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
    /// Top bar, component list and card, status bar: they fix the 3D viewport.
    Shell,
    /// The floating windows (alarm list, trends, P&ID, logbook, procedures).
    Windows,
    /// Labels over the 3D view, inside what the shell left.
    Overlay,
}

/// Orders the sets (added first by the viewer's plugin group).
pub struct SetsPlugin;

impl Plugin for SetsPlugin {
    fn build(&self, app: &mut App) {
        use FrameSet::*;
        app.configure_sets(Update, (Scene, Input, Camera, Sync, Paint).chain());
        app.configure_sets(
            bevy_egui::EguiPrimaryContextPass,
            (UiSet::Theme, UiSet::Shell, UiSet::Windows, UiSet::Overlay).chain(),
        );
    }
}
