//! Non-graphical subcommands.

pub mod components;
pub mod db;
pub mod logbook;
