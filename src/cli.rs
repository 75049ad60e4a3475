//! Command-line interface (clap). Later features add their subcommands here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "jumeau",
    version,
    about = "Jumeau — client 3D de la centrale à cycle combiné 2×1 (TG1, TG2, CR1, CR2, TV)",
    long_about = "Without a subcommand, opens the 3D client on the local store.\n\
                  Sans sous-commande, ouvre le client 3D sur le référentiel local."
)]
pub struct Cli {
    /// Directory of the local store (default: the platform's data directory, or $JUMEAU_DATA_DIR).
    #[arg(long, global = true, env = "JUMEAU_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Acting user (login); every write is recorded under this account.
    #[arg(long, global = true, default_value = jumeau_core::seed::DEFAULT_USER, env = "JUMEAU_USER")]
    pub user: String,
    /// Interface language.
    #[arg(long, global = true, value_enum, default_value_t = Lang::Fr, env = "JUMEAU_LANG")]
    pub lang: Lang,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Store maintenance.
    #[command(subcommand)]
    Db(DbCommand),
    /// Master data: components with their parameters and tags.
    #[command(subcommand)]
    Components(ComponentsCommand),
    /// Render real frames of the 3D client and write a PNG, then exit.
    Screenshot(ScreenshotArgs),
}

#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// Create the store if needed, apply pending migrations and the seed master data.
    Migrate,
    /// Check the store: schema version, SQLite integrity, master-data integrity.
    Check {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ComponentsCommand {
    /// List components, optionally of one unit (TG1, TG2, CR1, CR2, TV, BOP).
    List {
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one component (by KKS code or alias) with parameters, tags, alarms and documents.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ScreenshotArgs {
    /// PNG file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// `overview`, or a component code or alias to select and fly to (TG1, 11HAD50BB001…).
    #[arg(long, default_value = "overview")]
    pub view: String,
    /// Window size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value = "1600x900", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Frames to render before capturing (pipelines compile in the first frames).
    #[arg(long, default_value_t = 20)]
    pub frames: u32,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("`{s}`: expected WIDTHxHEIGHT, e.g. 1600x900"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (64..=8192).contains(n))
            .ok_or_else(|| format!("`{s}`: sizes must be whole numbers from 64 to 8192"))
    };
    Ok((parse(w)?, parse(h)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_bad_sizes_are_refused() {
        assert_eq!(parse_size("1280x720"), Ok((1280, 720)));
        assert!(parse_size("1280").is_err());
        assert!(parse_size("0x720").is_err());
        assert!(parse_size("axb").is_err());
    }
}
