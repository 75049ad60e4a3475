//! `jumeau-hub`: the plant hub on its own (the same as `jumeau hub`).

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "jumeau-hub",
    version,
    about = "Jumeau plant hub: PostgreSQL, WebSocket over TLS"
)]
struct Cli {
    #[command(flatten)]
    hub: jumeau_hub::HubArgs,
}

fn main() -> std::process::ExitCode {
    match jumeau_hub::run(Cli::parse().hub) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jumeau-hub: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
