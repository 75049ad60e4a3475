//! Non-graphical subcommands.

/// Prints a line for a terminal with [`printable`]: what master data or the logbook hold is
/// never sent raw to it.
macro_rules! out {
    ($($arg:tt)*) => {
        println!("{}", $crate::commands::printable(&format!($($arg)*)))
    };
}

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

/// Control characters (ESC and its sequences, CR, BEL…) shown escaped (`\u{1b}`), so that a
/// stored text cannot retitle, clear or rewrite the terminal; line feeds and tabs stay.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
