//! One connection to the hub: TCP, TLS with the certificate checked against the pinned
//! fingerprint (the pin is the check, not a certificate authority: a plant network has none),
//! the WebSocket, hello and welcome; then push, pull and head notices.

use crate::SyncError;
use futures_util::{SinkExt, StreamExt};
use jumeau_core::sync::wire::{ClientMessage, HubMessage, MAX_MESSAGE_BYTES};
use jumeau_core::sync::{Countersignature, Delivered, SignedOp};
use jumeau_store::{HubEnrolment, Password};
use sha2::{Digest, Sha256};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_native_tls::TlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// An answer the hub does not give in this time counts as a lost connection.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// What the hub said unasked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum News {
    /// New ops, following what this device holds.
    Fresh(Vec<Delivered>),
    /// The head moved: pull.
    Head(u64),
}

pub struct HubLink {
    ws: WebSocketStream<TlsStream<TcpStream>>,
    /// Said unasked while an answer was awaited, in order.
    news: std::collections::VecDeque<News>,
    /// The hub's signing key (hex) as it said in its welcome.
    pub hub_key: String,
    /// The hub's head as last heard.
    pub head: u64,
}

impl HubLink {
    /// Connects to the enrolled hub and says hello with the device's secret.
    pub async fn connect(enrolment: &HubEnrolment, token: &Password) -> Result<HubLink, SyncError> {
        let url = enrolment.url.clone();
        let unreachable = |why: String| SyncError::Unreachable {
            url: url.clone(),
            why,
        };
        let (host, port) =
            host_port(&url).ok_or_else(|| unreachable("not a wss://host:port address".into()))?;
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host.as_str(), port)))
            .await
            .map_err(|_| unreachable("no answer in 5 s".into()))?
            .map_err(|e| unreachable(e.to_string()))?;
        let _ = tcp.set_nodelay(true);
        // The fingerprint below is the check: no CA signs a plant hub's certificate.
        let connector = native_tls::TlsConnector::builder()
            .danger_accept_invalid_certs(true)
            .danger_accept_invalid_hostnames(true)
            .min_protocol_version(Some(native_tls::Protocol::Tlsv12))
            .build()
            .map_err(|e| unreachable(e.to_string()))?;
        let tls = tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio_native_tls::TlsConnector::from(connector).connect(&host, tcp),
        )
        .await
        .map_err(|_| unreachable("TLS handshake timed out".into()))?
        .map_err(|e| unreachable(format!("TLS: {e}")))?;
        let der = tls
            .get_ref()
            .peer_certificate()
            .ok()
            .flatten()
            .and_then(|c| c.to_der().ok())
            .ok_or_else(|| unreachable("the hub showed no certificate".into()))?;
        let found = hex::encode(Sha256::digest(&der));
        if found != enrolment.certificate_sha256 {
            return Err(SyncError::WrongCertificate {
                url,
                found,
                pinned: enrolment.certificate_sha256.clone(),
            });
        }
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        let (ws, _) = tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio_tungstenite::client_async_with_config(
                format!("wss://{host}:{port}/v1/sync"),
                tls,
                Some(config),
            ),
        )
        .await
        .map_err(|_| unreachable("WebSocket handshake timed out".into()))?
        .map_err(|e| unreachable(format!("WebSocket: {e}")))?;
        let mut link = HubLink {
            ws,
            news: Default::default(),
            hub_key: String::new(),
            head: 0,
        };
        link.send(&ClientMessage::Hello {
            device: enrolment.device.clone(),
            token: token.expose().to_owned(),
            now_ms: now_ms(),
        })
        .await?;
        match link.answer().await? {
            HubMessage::Welcome { hub_key, head } => {
                link.hub_key = hub_key;
                link.head = head;
                Ok(link)
            }
            other => Err(SyncError::Protocol(format!(
                "expected a welcome, got {other:?}"
            ))),
        }
    }

    /// Pushes ops (at most `wire::MAX_BATCH`); the receipts come after the hub's commit.
    pub async fn push(&mut self, ops: Vec<SignedOp>) -> Result<Vec<Countersignature>, SyncError> {
        self.push_with_clock(ops, now_ms()).await
    }

    /// [`HubLink::push`] telling the hub the device's clock reads `clock_ms` (the hub
    /// quarantines ops from a device whose clock is off by more than it allows).
    pub async fn push_with_clock(
        &mut self,
        ops: Vec<SignedOp>,
        clock_ms: u64,
    ) -> Result<Vec<Countersignature>, SyncError> {
        let count = ops.len();
        self.send(&ClientMessage::Push {
            ops,
            now_ms: clock_ms,
        })
        .await?;
        match self.answer().await? {
            HubMessage::Acks { receipts } if receipts.len() == count => Ok(receipts),
            other => Err(SyncError::Protocol(format!(
                "expected {count} receipts, got {other:?}"
            ))),
        }
    }

    /// Ops after hub sequence `after`, in hub order.
    pub async fn pull(&mut self, after: u64, limit: usize) -> Result<Vec<Delivered>, SyncError> {
        self.send(&ClientMessage::Pull { after, limit }).await?;
        match self.answer().await? {
            HubMessage::Ops { items, head } => {
                self.head = self.head.max(head);
                Ok(items)
            }
            other => Err(SyncError::Protocol(format!("expected ops, got {other:?}"))),
        }
    }

    /// What the hub says unasked within `wait` (or said while an answer was awaited);
    /// `None` when it said nothing.
    pub async fn news(&mut self, wait: Duration) -> Result<Option<News>, SyncError> {
        if let Some(n) = self.news.pop_front() {
            return Ok(Some(n));
        }
        match tokio::time::timeout(wait, self.next()).await {
            Err(_) => Ok(None),
            Ok(message) => match self.unasked(message?)? {
                Some(other) => Err(SyncError::Protocol(format!("unasked {other:?}"))),
                None => Ok(self.news.pop_front()),
            },
        }
    }

    /// The next answer, what is said unasked kept on the way.
    async fn answer(&mut self) -> Result<HubMessage, SyncError> {
        let deadline = tokio::time::Instant::now() + ANSWER_TIMEOUT;
        loop {
            let message = tokio::time::timeout_at(deadline, self.next())
                .await
                .map_err(|_| SyncError::Lost("no answer in 30 s".into()))??;
            if let Some(answer) = self.unasked(message)? {
                return Ok(answer);
            }
        }
    }

    /// Keeps what the hub says unasked as news; gives back anything else.
    fn unasked(&mut self, message: HubMessage) -> Result<Option<HubMessage>, SyncError> {
        match message {
            HubMessage::Head { head } => {
                self.head = self.head.max(head);
                self.news.push_back(News::Head(head));
                Ok(None)
            }
            HubMessage::Fresh { items, head } => {
                self.head = self.head.max(head);
                self.news.push_back(News::Fresh(items));
                Ok(None)
            }
            HubMessage::Refused { reason } => Err(SyncError::Refused(reason)),
            other => Ok(Some(other)),
        }
    }

    async fn next(&mut self) -> Result<HubMessage, SyncError> {
        loop {
            match self.ws.next().await {
                None => return Err(SyncError::Lost("the hub closed the connection".into())),
                Some(Err(e)) => return Err(SyncError::Lost(e.to_string())),
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(text.as_str())
                        .map_err(|e| SyncError::Protocol(format!("not a hub message: {e}")));
                }
                Some(Ok(Message::Close(_))) => {
                    return Err(SyncError::Lost("the hub closed the connection".into()));
                }
                Some(Ok(_)) => {}
            }
        }
    }

    async fn send(&mut self, message: &ClientMessage) -> Result<(), SyncError> {
        let text = serde_json::to_string(message).expect("a message serialises");
        self.ws
            .send(Message::Text(text.into()))
            .await
            .map_err(|e| SyncError::Lost(e.to_string()))
    }
}

/// `wss://host:port[/…]` → host and port (IPv6 in brackets).
fn host_port(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("wss://")?;
    let authority = rest.split('/').next()?;
    let (host, port) = authority.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some((host.to_owned(), port.parse().ok()?))
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hub_addresses_read_as_host_and_port() {
        assert_eq!(
            super::host_port("wss://127.0.0.1:7443"),
            Some(("127.0.0.1".into(), 7443))
        );
        assert_eq!(
            super::host_port("wss://[::1]:7443/v1/sync"),
            Some(("::1".into(), 7443))
        );
        assert_eq!(super::host_port("https://hub:7443"), None);
        assert_eq!(super::host_port("wss://hub"), None);
    }
}
