//! Non-graphical subcommands.

/// Prints a line for a terminal with [`printable`]: what master data or the logbook hold is
/// never sent raw to it.
macro_rules! out {
    ($($arg:tt)*) => {
        println!("{}", $crate::commands::printable(&format!($($arg)*)))
    };
}

pub mod account;
pub mod alarms;
pub mod audit;
pub mod changesets;
pub mod components;
pub mod db;
pub mod logbook;
pub mod opcua;
pub mod plant;
pub mod procedures;
pub mod scene;
pub mod sim;
pub mod sync;
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

/// Reads a text file the user gives, refusing one larger than `max` bytes before reading it.
pub fn read_bounded(path: &std::path::Path, max: u64) -> anyhow::Result<String> {
    use anyhow::Context;
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    anyhow::ensure!(
        size <= max,
        "{} is {size} bytes, more than the {max} accepted",
        path.display()
    );
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}
