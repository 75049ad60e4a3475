//! What a device and the hub say to each other over the WebSocket (JSON text frames, one
//! message each; docs/sync.md). A device says hello with its secret, pushes ops and pulls by
//! cursor; the hub acknowledges pushed ops only after they are committed and answers pulls in its
//! order. When its head moves it sends the new ops themselves to a device it knows is up to date
//! on this connection (`Fresh`), and otherwise says so once (`Head`, a coalesced notice), so
//! that catch-up always comes from the device's cursor, never from a replay.

use super::{Countersignature, SignedOp};
use serde::{Deserialize, Serialize};

/// Most ops in one push or one pull answer.
pub const MAX_BATCH: usize = 500;
/// Largest message either side accepts, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 8 << 20;

/// One op as the hub passes it on: the op and the hub's countersignature of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivered {
    pub countersignature: Countersignature,
    pub op: SignedOp,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// First message: who the device is, its secret, and its clock (for the skew check).
    Hello {
        device: String,
        token: String,
        now_ms: u64,
    },
    /// Ops in the order they were written; `now_ms` is the device's clock when sending.
    Push { ops: Vec<SignedOp>, now_ms: u64 },
    /// Ops after hub sequence `after`, at most `limit`.
    Pull { after: u64, limit: usize },
}

// The secret never reaches a log through a debug print.
impl std::fmt::Debug for ClientMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientMessage::Hello { device, now_ms, .. } => f
                .debug_struct("Hello")
                .field("device", device)
                .field("now_ms", now_ms)
                .finish_non_exhaustive(),
            ClientMessage::Push { ops, now_ms } => f
                .debug_struct("Push")
                .field("ops", &ops.len())
                .field("now_ms", now_ms)
                .finish(),
            ClientMessage::Pull { after, limit } => f
                .debug_struct("Pull")
                .field("after", after)
                .field("limit", limit)
                .finish(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case", deny_unknown_fields)]
pub enum HubMessage {
    /// The hub's signing key (hex) and its head (last hub sequence number).
    Welcome { hub_key: String, head: u64 },
    /// Receipts of a push, one per op in the push's order, sent after the commit.
    Acks { receipts: Vec<Countersignature> },
    /// The answer to a pull, in hub order.
    Ops { items: Vec<Delivered>, head: u64 },
    /// Ops just stored, sent unasked to a device that holds everything before them (it pulled
    /// up to `head - items.len()` on this connection): the live path, one message per push,
    /// built once for every device. A device that cannot take them pulls instead.
    Fresh { items: Vec<Delivered>, head: u64 },
    /// The head moved (to a device whose cursor the hub does not know): pull.
    Head { head: u64 },
    /// The hub will not go on (wrong secret, revoked device, a malformed push); it closes.
    Refused { reason: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_back_and_the_secret_is_not_printed() {
        let hello = ClientMessage::Hello {
            device: "tablette-3".into(),
            token: "s3cret-token".into(),
            now_ms: 1,
        };
        let text = serde_json::to_string(&hello).unwrap();
        assert!(text.starts_with(r#"{"t":"hello""#), "{text}");
        assert_eq!(serde_json::from_str::<ClientMessage>(&text).unwrap(), hello);
        assert!(!format!("{hello:?}").contains("s3cret"));
        let bad =
            serde_json::from_str::<ClientMessage>(r#"{"t":"push","ops":[],"now_ms":1,"x":2}"#);
        assert!(bad.is_err());
    }
}
