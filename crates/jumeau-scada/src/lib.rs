//! The SCADA data path: values as they travel from a source (OPC UA server, MQTT broker) to the
//! client, with quality and timestamps; the simulator served over real OPC UA and MQTT; the
//! client connectors. Async (tokio); no Bevy, no SQLite.

pub mod live;
pub mod mqtt;
pub mod opcua_client;
pub mod opcua_server;
pub mod units;

pub use live::{Freshness, LiveValues, Quality, TagUpdate, Value};

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
