//! Non-graphical subcommands.

pub mod alarms;
pub mod changesets;
pub mod components;
pub mod db;
pub mod logbook;
pub mod opcua;
pub mod plant;
pub mod procedures;
pub mod scene;
pub mod sim;
pub mod tags;
