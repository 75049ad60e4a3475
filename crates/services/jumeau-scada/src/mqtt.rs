//! MQTT (rumqttc): the simulator publishes one topic per tag with a JSON payload; the client
//! subscribes with QoS 1 and survives anything a broker or a publisher sends. Payload format:
//! docs/mqtt-format.md.

use std::collections::HashSet;
use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::UnboundedSender;

use jumeau_tagbus::{LinkEvent, Quality, TagUpdate, Value, format_ms, now_ms, parse_ms};

/// The JSON payload of one tag's message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    pub tag: String,
    /// Number, or true/false for states; null when the source has no value.
    pub value: Option<serde_json::Value>,
    pub unit: String,
    /// "good", "uncertain" or "bad".
    pub quality: String,
    /// Source timestamp, RFC 3339 UTC.
    pub ts: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PayloadError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("value is neither a number nor a boolean")]
    BadValue,
    #[error("quality \"{0}\" is not good, uncertain or bad")]
    BadQuality(String),
    #[error("timestamp \"{0}\" is not RFC 3339")]
    BadTimestamp(String),
}

/// Parses a received payload into an update (the key is the payload's tag).
pub fn parse_payload(bytes: &[u8], receive_ms: i64) -> Result<TagUpdate, PayloadError> {
    let p: Payload =
        serde_json::from_slice(bytes).map_err(|e| PayloadError::NotJson(e.to_string()))?;
    let value = match &p.value {
        None => None,
        Some(serde_json::Value::Bool(b)) => Some(Value::State(*b)),
        Some(serde_json::Value::Number(n)) => {
            Some(Value::Number(n.as_f64().ok_or(PayloadError::BadValue)?))
        }
        Some(_) => return Err(PayloadError::BadValue),
    };
    let quality = match p.quality.as_str() {
        "good" => Quality::Good,
        "uncertain" => Quality::Uncertain("uncertain".into()),
        "bad" => Quality::Bad("bad".into()),
        other => return Err(PayloadError::BadQuality(other.to_owned())),
    };
    let source_ms = parse_ms(&p.ts).ok_or_else(|| PayloadError::BadTimestamp(p.ts.clone()))?;
    let quality = if value.is_none() && quality == Quality::Good {
        Quality::Bad("no value".into())
    } else {
        quality
    };
    Ok(TagUpdate {
        key: p.tag,
        value,
        unit: Some(p.unit),
        quality,
        source_ms,
        receive_ms,
    })
}

/// Builds the payload of a tag's value.
pub fn payload(tag: &str, value: Option<Value>, unit: &str, source_ms: i64) -> Vec<u8> {
    let p = Payload {
        tag: tag.to_owned(),
        value: value.map(|v| match v {
            Value::State(b) => serde_json::Value::Bool(b),
            Value::Number(x) => serde_json::json!(x),
        }),
        unit: unit.to_owned(),
        quality: if value.is_some() { "good" } else { "bad" }.to_owned(),
        ts: format_ms(source_ms),
    };
    serde_json::to_vec(&p).expect("payload serialises")
}

/// Splits "HOST:PORT" (or mqtt://HOST:PORT).
pub fn broker_address(text: &str) -> Result<(String, u16), String> {
    let rest = text.strip_prefix("mqtt://").unwrap_or(text);
    let rest = rest.split('/').next().unwrap_or(rest);
    let (host, port) = rest.rsplit_once(':').unwrap_or((rest, "1883"));
    let port = port
        .parse()
        .map_err(|_| format!("\"{text}\": the port is not a number"))?;
    if host.is_empty() {
        return Err(format!("\"{text}\": no host"));
    }
    Ok((host.to_owned(), port))
}

/// A connected MQTT client and its event loop.
pub fn client(id: &str, broker: &str) -> Result<(AsyncClient, EventLoop), String> {
    let (host, port) = broker_address(broker)?;
    let mut options = MqttOptions::new(id, host, port);
    options.set_keep_alive(Duration::from_secs(5));
    options.set_max_packet_size(1 << 20, 1 << 20);
    Ok(AsyncClient::new(options, 10_000))
}

/// Subscribes to `filters` (QoS 1) and reports updates, link state and rejected payloads until
/// the receiver goes away. A malformed payload is counted, logged once per topic and dropped.
pub async fn subscribe(
    broker: &str,
    filters: Vec<String>,
    events: UnboundedSender<LinkEvent>,
    rejected: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> Result<(), String> {
    let id = format!("jumeau-{}-{}", std::process::id(), now_ms() % 100_000);
    let (client, mut event_loop) = client(&id, broker)?;
    let mut logged: HashSet<String> = HashSet::new();
    loop {
        match event_loop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                // (Re)connected: subscriptions are not persistent on a clean session.
                for f in &filters {
                    client
                        .subscribe(f.as_str(), QoS::AtLeastOnce)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                if events.send(LinkEvent::Connected).is_err() {
                    return Ok(());
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                let now = now_ms();
                let event = match parse_payload(&p.payload, now) {
                    Ok(update) => LinkEvent::Update(update),
                    Err(e) => {
                        rejected.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if logged.insert(p.topic.clone()) {
                            tracing::warn!(
                                "MQTT payload on {} rejected (further ones on this topic are counted, not logged): {e}",
                                p.topic
                            );
                        }
                        LinkEvent::Alive(now)
                    }
                };
                if events.send(event).is_err() {
                    return Ok(());
                }
            }
            Ok(Event::Incoming(Packet::PingResp)) => {
                if events.send(LinkEvent::Alive(now_ms())).is_err() {
                    return Ok(());
                }
            }
            Ok(_) => {}
            Err(e) => {
                if events.send(LinkEvent::Lost(e.to_string())).is_err() {
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Publishes every value of the simulator's tags (QoS 1) each time `values` yields a batch.
pub struct Publisher {
    client: AsyncClient,
}

impl Publisher {
    /// Connects to `broker`; the event loop is driven in the background (it reconnects).
    pub fn start(broker: &str) -> Result<Publisher, String> {
        let (client, mut event_loop) =
            client(&format!("jumeau-sim-{}", std::process::id()), broker)?;
        tokio::spawn(async move {
            loop {
                if let Err(e) = event_loop.poll().await {
                    tracing::warn!("MQTT broker: {e}; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        });
        Ok(Publisher { client })
    }

    pub async fn publish(&self, topic: &str, payload: Vec<u8>) {
        if let Err(e) = self
            .client
            .publish(topic, QoS::AtLeastOnce, false, payload)
            .await
        {
            tracing::warn!("MQTT publish on {topic}: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trip_and_hostile_payloads() {
        let bytes = payload(
            "11MBA00CS101",
            Some(Value::Number(2999.5)),
            "rpm",
            1_700_000_000_123,
        );
        let u = parse_payload(&bytes, 1_700_000_000_200).unwrap();
        assert_eq!(u.key, "11MBA00CS101");
        assert_eq!(u.value, Some(Value::Number(2999.5)));
        assert_eq!(u.source_ms, 1_700_000_000_123);
        assert_eq!(u.quality, Quality::Good);
        for bad in [
            &b"\xff\xfe"[..],
            b"{}",
            b"[1,2]",
            br#"{"tag":"x","value":"12","unit":"bar","quality":"good","ts":"2026-01-01T00:00:00Z"}"#,
            br#"{"tag":"x","value":1,"unit":"bar","quality":"great","ts":"2026-01-01T00:00:00Z"}"#,
            br#"{"tag":"x","value":1,"unit":"bar","quality":"good","ts":"yesterday"}"#,
            br#"{"tag":"x","value":1,"unit":"bar","quality":"good","ts":"2026-01-01T00:00:00Z","x":1}"#,
        ] {
            assert!(parse_payload(bad, 0).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(
            broker_address("mqtt://127.0.0.1:1884").unwrap(),
            ("127.0.0.1".into(), 1884)
        );
        assert!(broker_address("mqtt://:1").is_err());
    }
}
