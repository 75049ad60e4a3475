//! MQTT (rumqttc): the simulator publishes one topic per tag with a JSON payload; the client
//! subscribes with QoS 1 and survives anything a broker or a publisher sends. Payload format:
//! docs/mqtt-format.md.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use rumqttc::{
    AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS, TlsConfiguration, Transport,
};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::UnboundedSender;

use crate::link::LinkSecurity;
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
    #[error("payload of {0} bytes (at most {MAX_PAYLOAD_BYTES})")]
    TooLarge(usize),
    #[error("topic {0} is not a tag's topic in master data")]
    UnknownTopic(String),
    #[error("payload names tag {found} on the topic of {expected}")]
    WrongTag { expected: String, found: String },
    #[error("{tag}: unit \"{found}\" where master data says \"{expected}\"")]
    WrongUnit {
        tag: String,
        expected: String,
        found: String,
    },
    #[error("{tag}: {value} is outside the instrument's range {low} … {high}")]
    OutOfRange {
        tag: String,
        value: f64,
        low: f64,
        high: f64,
    },
    #[error("{tag}: a state carries true/false, a measurement a number")]
    WrongKind { tag: String },
    #[error("timestamp {0} is ahead of this clock by more than the allowed skew")]
    Future(String),
}

/// The largest payload accepted (one tag's JSON is ≈ 120 bytes).
pub const MAX_PAYLOAD_BYTES: usize = 4096;
/// How far a source timestamp may be ahead of this machine's clock (skew between clocks).
pub const MAX_FUTURE_MS: i64 = 5 * 60 * 1000;
/// A packet this large is still read off the connection (and then refused), so that one
/// oversized message does not cost the link.
const MAX_PACKET_BYTES: usize = 64 << 20;

/// What master data says a topic carries.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSpec {
    pub tag: String,
    pub unit: String,
    /// The instrument's range; a reading beyond it by more than 10 % of the span is refused.
    pub range: Option<(f64, f64)>,
    pub state: bool,
}

/// The checks applied to every payload, beyond its syntax: by topic when `topics` is not
/// empty (a plant's broker), the timestamp always.
#[derive(Debug, Clone)]
pub struct Checks {
    pub topics: HashMap<String, TopicSpec>,
    /// How far ahead of this clock a source time may be ([`MAX_FUTURE_MS`] by default; more to
    /// watch a simulator running faster than real time, whose plant time runs ahead).
    pub max_future_ms: i64,
}

impl Default for Checks {
    fn default() -> Self {
        Checks {
            topics: HashMap::new(),
            max_future_ms: MAX_FUTURE_MS,
        }
    }
}

impl Checks {
    /// Checks `update` received on `topic`.
    pub fn check(&self, topic: &str, u: &TagUpdate) -> Result<(), PayloadError> {
        if u.source_ms > u.receive_ms + self.max_future_ms {
            return Err(PayloadError::Future(format_ms(u.source_ms)));
        }
        if self.topics.is_empty() {
            return Ok(());
        }
        let spec = self
            .topics
            .get(topic)
            .ok_or_else(|| PayloadError::UnknownTopic(topic.to_owned()))?;
        if u.key != spec.tag {
            return Err(PayloadError::WrongTag {
                expected: spec.tag.clone(),
                found: u.key.clone(),
            });
        }
        let unit = u.unit.as_deref().unwrap_or("");
        if unit != spec.unit && !(spec.state && unit == "-") {
            return Err(PayloadError::WrongUnit {
                tag: spec.tag.clone(),
                expected: spec.unit.clone(),
                found: unit.to_owned(),
            });
        }
        match (u.value, spec.state, spec.range) {
            (Some(Value::State(_)), false, _) | (Some(Value::Number(_)), true, _) => {
                Err(PayloadError::WrongKind {
                    tag: spec.tag.clone(),
                })
            }
            (Some(Value::Number(x)), false, Some((low, high))) => {
                let margin = (high - low) * 0.1;
                if x.is_finite() && x >= low - margin && x <= high + margin {
                    Ok(())
                } else {
                    Err(PayloadError::OutOfRange {
                        tag: spec.tag.clone(),
                        value: x,
                        low,
                        high,
                    })
                }
            }
            _ => Ok(()),
        }
    }
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

/// Where a broker listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub host: String,
    pub port: u16,
    /// `mqtts://`: TLS, the broker's certificate checked.
    pub tls: bool,
}

/// Splits "HOST:PORT", `mqtt://HOST:PORT` (1883 by default) or `mqtts://HOST:PORT` (TLS, 8883
/// by default).
pub fn broker_address(text: &str) -> Result<Broker, String> {
    let (rest, tls) = match text.strip_prefix("mqtts://") {
        Some(rest) => (rest, true),
        None => (text.strip_prefix("mqtt://").unwrap_or(text), false),
    };
    let rest = rest.split('/').next().unwrap_or(rest);
    let default_port = if tls { "8883" } else { "1883" };
    let (host, port) = rest.rsplit_once(':').unwrap_or((rest, default_port));
    let port = port
        .parse()
        .map_err(|_| format!("\"{text}\": the port is not a number"))?;
    if host.is_empty() {
        return Err(format!("\"{text}\": no host"));
    }
    Ok(Broker {
        host: host.to_owned(),
        port,
        tls,
    })
}

/// A connected MQTT client and its event loop, over TLS for `mqtts://` (the broker's
/// certificate checked against `link.ca_file`, else the system's authorities), logged in as
/// `link.user` if given. A password is never sent in clear to another machine.
pub fn client(
    id: &str,
    broker: &str,
    link: &LinkSecurity,
) -> Result<(AsyncClient, EventLoop), String> {
    let address = broker_address(broker)?;
    let mut options = MqttOptions::new(id, address.host.clone(), address.port);
    options.set_keep_alive(Duration::from_secs(5));
    options.set_max_packet_size(MAX_PACKET_BYTES, 1 << 20);
    if address.tls {
        let tls = match &link.ca_file {
            Some(file) => TlsConfiguration::SimpleNative {
                ca: std::fs::read(file)
                    .map_err(|e| format!("the broker's CA {}: {e}", file.display()))?,
                client_auth: None,
            },
            None => TlsConfiguration::Native,
        };
        options.set_transport(Transport::tls_with_config(tls));
    }
    if let Some(c) = &link.user {
        if !address.tls && !crate::link::is_loopback_host(&address.host) {
            return Err(format!(
                "{broker}: the password of {} would travel in clear: use mqtts:// (TLS)",
                c.user
            ));
        }
        options.set_credentials(c.user.clone(), c.password.clone());
    }
    Ok(AsyncClient::new(options, 10_000))
}

/// Subscribes to `filters` (QoS 1) and reports updates, link state and rejected payloads until
/// the receiver goes away. A payload that is malformed, too large, on an unknown topic, for
/// another tag, in another unit, beyond the instrument's range or from the future is counted,
/// logged once per topic and dropped; the link stays.
pub async fn subscribe(
    broker: &str,
    link: &LinkSecurity,
    filters: Vec<String>,
    checks: Checks,
    events: UnboundedSender<LinkEvent>,
    rejected: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> Result<(), String> {
    let id = format!("jumeau-{}-{}", std::process::id(), now_ms() % 100_000);
    let (client, mut event_loop) = client(&id, broker, link)?;
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
                let parsed = if p.payload.len() > MAX_PAYLOAD_BYTES {
                    Err(PayloadError::TooLarge(p.payload.len()))
                } else {
                    parse_payload(&p.payload, now)
                        .and_then(|u| checks.check(&p.topic, &u).map(|()| u))
                };
                let event = match parsed {
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
    pub fn start(broker: &str, link: &LinkSecurity) -> Result<Publisher, String> {
        let (client, mut event_loop) =
            client(&format!("jumeau-sim-{}", std::process::id()), broker, link)?;
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
        let at = |host: &str, port, tls| Broker {
            host: host.into(),
            port,
            tls,
        };
        assert_eq!(
            broker_address("mqtt://127.0.0.1:1884").unwrap(),
            at("127.0.0.1", 1884, false)
        );
        assert_eq!(
            broker_address("mqtts://broker.plant").unwrap(),
            at("broker.plant", 8883, true)
        );
        assert!(broker_address("mqtt://:1").is_err());
    }

    #[test]
    fn payloads_are_checked_against_master_data() {
        let topic = "jumeau/TG1/11MBA00/11MBA00CS101";
        let mut checks = Checks::default();
        checks.topics.insert(
            topic.into(),
            TopicSpec {
                tag: "11MBA00CS101".into(),
                unit: "rpm".into(),
                range: Some((0.0, 4000.0)),
                state: false,
            },
        );
        let now = 1_800_000_000_000;
        let update = |tag: &str, value: Value, unit: &str, ts: i64| {
            parse_payload(&payload(tag, Some(value), unit, ts), now).unwrap()
        };
        let good = update("11MBA00CS101", Value::Number(2999.5), "rpm", now - 200);
        assert_eq!(checks.check(topic, &good), Ok(()));
        let refused = [
            (
                topic,
                update("11MBA00CS101", Value::Number(9_999.5), "rpm", now),
            ),
            (
                topic,
                update("11MBA00CS101", Value::Number(2999.0), "°C", now),
            ),
            (
                topic,
                update("11MBA00CS102", Value::Number(2999.0), "rpm", now),
            ),
            (
                topic,
                update("11MBA00CS101", Value::State(true), "rpm", now),
            ),
            (
                "jumeau/anything",
                update("11MBA00CS101", Value::Number(1.0), "rpm", now),
            ),
            // 2099.
            (
                topic,
                update(
                    "11MBA00CS101",
                    Value::Number(2999.0),
                    "rpm",
                    4_070_908_800_000,
                ),
            ),
        ];
        for (topic, u) in refused {
            assert!(checks.check(topic, &u).is_err(), "{topic} {u:?}");
        }
        // Without master data (a raw topic filter) only the clock is checked.
        let far = update("x", Value::Number(1.0), "bar", now + MAX_FUTURE_MS + 1);
        assert!(Checks::default().check("any", &far).is_err());
        assert!(Checks::default().check("any", &good).is_ok());
    }
}
