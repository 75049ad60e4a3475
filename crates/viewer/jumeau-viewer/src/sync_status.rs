//! The top bar's word on sync with the plant hub (the runtime's `SyncStatus`): a stand-alone
//! station, in sync, syncing, offline with what waits in the outbox, or the error; the hub, the
//! reason and the oldest pending write on hover.

use super::i18n::Texts;
use super::theme::{FAULT, GOOD, MUTED, WARNING};
use bevy_egui::egui::{self, RichText};
use jumeau_runtime::{SyncState, SyncStatus};

/// Where sync with the plant hub stands: in sync, syncing, offline with what waits, or the error.
pub fn label(ui: &mut egui::Ui, sync: &SyncStatus, t: &Texts) {
    let pending = format!("{} {}", sync.pending, t.sync_pending);
    let (text, colour, why) = match &sync.state {
        SyncState::NotEnrolled => (t.sync_standalone.to_owned(), MUTED, None),
        SyncState::InSync => (format!("• {}", t.sync_in_sync), GOOD, None),
        SyncState::Syncing => (format!("• {} — {pending}", t.sync_syncing), MUTED, None),
        SyncState::Offline { reason } => (
            format!("• {} — {pending}", t.sync_offline),
            WARNING,
            Some(reason),
        ),
        SyncState::Error { reason } => (
            format!("• {} — {pending}", t.sync_error),
            FAULT,
            Some(reason),
        ),
    };
    let mut hover = sync.hub.clone().unwrap_or_default();
    if let Some(why) = why {
        hover = format!("{hover}\n{why}");
    }
    if let Some(since) = &sync.oldest_pending {
        hover = format!("{hover}\n{pending} — {since}\n{}", t.sync_hint);
    }
    if sync.quarantined > 0 {
        hover = format!("{hover}\n{} {}", sync.quarantined, t.sync_quarantined);
    }
    let label = ui.label(RichText::new(text).color(colour));
    if !hover.is_empty() {
        label.on_hover_text(hover);
    }
}
