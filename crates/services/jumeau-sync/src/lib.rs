//! A device's side of sync with the plant hub (docs/sync.md): the link (TLS with the hub's
//! certificate pinned, then the WebSocket protocol of `jumeau_core::sync::wire`) and the
//! exchange with the local store (push the outbox, pull by cursor until the hub's head). The
//! store keeps everything durable; this crate only carries it. No Bevy.

mod exchange;
mod link;

pub use exchange::{Exchange, connect, pull_all, push_pending, sync_once, take_news};
pub use link::{HubLink, News};

use jumeau_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this device is not enrolled with a hub (`jumeau sync enrol`)")]
    NotEnrolled,
    #[error("hub unreachable at {url}: {why}")]
    Unreachable { url: String, why: String },
    #[error(
        "the hub at {url} shows certificate SHA-256 {found}, not the pinned {pinned}: \
         someone may be in between, or the hub was replaced (enrol again)"
    )]
    WrongCertificate {
        url: String,
        found: String,
        pinned: String,
    },
    #[error("the hub refused: {0}")]
    Refused(String),
    #[error("the hub answered outside the protocol: {0}")]
    Protocol(String),
    #[error("connection to the hub lost: {0}")]
    Lost(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
