//! Non-graphical subcommands.

pub mod changesets;
pub mod components;
pub mod db;
pub mod logbook;
