//! The tag bus: what every data source (OPC UA, MQTT, the built-in simulator) delivers and every
//! consumer (alarms, procedures, historian, viewer) reads — value updates with quality and
//! source timestamps, link events, the latest value of each tag and the rule that says whether
//! it may be shown as fresh. No I/O.

pub mod live;

pub use live::{Freshness, LiveValues, Quality, StaleReason, TagUpdate, Value};

/// What a source connector reports on the bus.
#[derive(Debug, Clone)]
pub enum LinkEvent {
    Update(TagUpdate),
    /// A publish response or keep-alive arrived at this time (ms): the server is alive.
    Alive(i64),
    Connected,
    Lost(String),
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// RFC 3339 UTC with milliseconds, as printed in JSON lines and MQTT payloads.
pub fn format_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}

/// Parses an RFC 3339 timestamp into milliseconds since the epoch.
pub fn parse_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}
