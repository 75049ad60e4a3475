//! Jumeau's source connectors: the OPC UA client (discovery, security with a trust list of
//! server certificates, user-name login, subscriptions that survive reconnections, browse) and MQTT (payload format, subscriber, publisher), both delivering
//! `LinkEvent`s onto the tag bus. Async (tokio); no simulator, no Bevy, no SQLite.

pub mod link;
pub mod mqtt;
pub mod opcua_client;
pub mod trust;
