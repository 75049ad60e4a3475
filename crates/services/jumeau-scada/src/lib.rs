//! Jumeau's source connectors: the OPC UA client (discovery, security, subscriptions that survive
//! reconnections, browse) and MQTT (payload format, subscriber, publisher), both delivering
//! `LinkEvent`s onto the tag bus. Async (tokio); no simulator, no Bevy, no SQLite.

pub mod mqtt;
pub mod opcua_client;
