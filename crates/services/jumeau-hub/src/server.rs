//! The hub's API: axum over TLS. `GET /health` (JSON: head), `GET /v1/sync` (WebSocket: the
//! device protocol of `jumeau_core::sync::wire`). Each device connection says hello with its
//! secret, then pushes and pulls; whenever a push is committed, every connection gets its new
//! ops (if the device is up to date on it) or a head notice (if not).

use crate::db::{Db, PushRefused, Skew};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use ed25519_dalek::SigningKey;
use jumeau_core::sync::wire::{ClientMessage, HubMessage, MAX_BATCH, MAX_MESSAGE_BYTES};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// A device that says nothing for this long is disconnected (it reconnects and catches up).
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// Hello must come this soon after the connection opens.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Hub {
    pub db: Db,
    pub key: SigningKey,
    /// Largest difference allowed between a device's clock and the hub's (ms).
    pub allowed_skew_ms: i64,
}

impl Hub {
    pub fn new(db: Db, key: SigningKey, allowed_skew_ms: i64) -> Arc<Hub> {
        Arc::new(Hub {
            db,
            key,
            allowed_skew_ms,
        })
    }

    pub fn router(self: &Arc<Hub>) -> Router {
        Router::new()
            .route("/health", get(health))
            .route("/v1/sync", get(upgrade))
            .with_state(self.clone())
    }
}

async fn health(State(hub): State<Arc<Hub>>) -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok", "head": hub.db.head() }))
}

async fn upgrade(State(hub): State<Arc<Hub>>, ws: WebSocketUpgrade) -> impl IntoResponse {
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            let mut conn = Connection {
                hub,
                socket,
                delivered: None,
            };
            if let Err(why) = conn.serve().await {
                eprintln!("hub: {why}");
            }
        })
}

struct Connection {
    hub: Arc<Hub>,
    socket: WebSocket,
    /// The last hub sequence number the device holds, as far as this connection knows (what
    /// it pulled or was sent here); `None` until its first pull.
    delivered: Option<u64>,
}

impl Connection {
    async fn serve(&mut self) -> anyhow::Result<()> {
        let device = match tokio::time::timeout(HELLO_TIMEOUT, self.receive()).await {
            Ok(Ok(Some(ClientMessage::Hello { device, token, .. }))) => {
                if !self.hub.db.device_may_connect(&device, &token).await? {
                    self.refuse("unknown device or wrong secret: enrol the device again")
                        .await;
                    anyhow::bail!("refused a connection as device {device:?} (wrong secret)");
                }
                device
            }
            Ok(Ok(None)) => return Ok(()),
            Ok(Ok(Some(_))) => {
                self.refuse("say hello first").await;
                return Ok(());
            }
            Ok(Err(why)) => {
                self.refuse(&why).await;
                return Ok(());
            }
            Err(_) => return Ok(()),
        };
        let mut fresh = self.hub.db.subscribe();
        self.send(&HubMessage::Welcome {
            hub_key: hex::encode(self.hub.key.verifying_key().to_bytes()),
            head: self.hub.db.head(),
        })
        .await?;
        loop {
            tokio::select! {
                message = tokio::time::timeout(IDLE_TIMEOUT, self.receive()) => {
                    match message {
                        Ok(Ok(Some(m))) => self.answer(&device, m).await?,
                        Ok(Ok(None)) | Err(_) => return Ok(()),
                        Ok(Err(why)) => {
                            self.refuse(&why).await;
                            return Ok(());
                        }
                    }
                }
                news = fresh.recv() => match news {
                    Ok(f) if self.delivered == Some(f.after) => {
                        self.socket.send(Message::Text(f.message.clone().into())).await?;
                        self.delivered = Some(f.head);
                    }
                    Ok(f) => self.send(&HubMessage::Head { head: f.head }).await?,
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        self.delivered = None;
                        let head = self.hub.db.head();
                        self.send(&HubMessage::Head { head }).await?;
                    }
                    Err(broadcast::error::RecvError::Closed) => return Ok(()),
                }
            }
        }
    }

    async fn answer(&mut self, device: &str, message: ClientMessage) -> anyhow::Result<()> {
        match message {
            ClientMessage::Hello { .. } => self.refuse("hello twice").await,
            ClientMessage::Push { ops, now_ms } => {
                if ops.len() > MAX_BATCH {
                    self.refuse(&format!("at most {MAX_BATCH} ops per push"))
                        .await;
                    anyhow::bail!("device {device:?} pushed {} ops at once", ops.len());
                }
                let skew = Skew {
                    offset_ms: now_ms as i64 - now_ms_here() as i64,
                    allowed_ms: self.hub.allowed_skew_ms,
                };
                match self.hub.db.push(device, &ops, skew, &self.hub.key).await {
                    Ok(receipts) => self.send(&HubMessage::Acks { receipts }).await?,
                    Err(PushRefused::Op { index, reason }) => {
                        self.refuse(&format!("op {index} of the push refused: {reason}"))
                            .await;
                        anyhow::bail!("device {device:?}: op {index} refused: {reason}");
                    }
                    Err(PushRefused::Db(e)) => return Err(e.into()),
                }
            }
            ClientMessage::Pull { after, limit } => {
                let limit = limit.clamp(1, MAX_BATCH);
                let (items, count) = self.hub.db.pull_json(after, limit).await?;
                let head = self.hub.db.head();
                // `HubMessage::Ops` written around the stored texts (see `Db::pull_json`).
                let text = format!(r#"{{"t":"ops","items":{items},"head":{head}}}"#);
                self.socket.send(Message::Text(text.into())).await?;
                self.delivered = Some(after + count as u64);
            }
        }
        Ok(())
    }

    /// The next message, `None` when the device closed, `Err` with the reason for a message
    /// that is not one.
    async fn receive(&mut self) -> Result<Option<ClientMessage>, String> {
        loop {
            match self.socket.recv().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(None),
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(text.as_str())
                        .map(Some)
                        .map_err(|e| format!("not a sync message: {e}"));
                }
                Some(Ok(Message::Binary(_))) => {
                    return Err("binary frames are not spoken here".into());
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            }
        }
    }

    async fn send(&mut self, message: &HubMessage) -> anyhow::Result<()> {
        let text = serde_json::to_string(message)?;
        self.socket.send(Message::Text(text.into())).await?;
        Ok(())
    }

    async fn refuse(&mut self, reason: &str) {
        let _ = self
            .send(&HubMessage::Refused {
                reason: reason.to_owned(),
            })
            .await;
        let _ = self.socket.send(Message::Close(None)).await;
    }
}

fn now_ms_here() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
