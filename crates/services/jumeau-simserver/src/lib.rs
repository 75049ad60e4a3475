//! The built-in simulator served like a plant server: an OPC UA address space built from master
//! data, values stamped with the simulator's plant time. A client of the data path
//! (`jumeau-scada`) does not link this crate.

pub mod gate;
pub mod nodes;
pub mod opcua;
pub mod units;
