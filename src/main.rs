//! Jumeau: 3D/AR client for a 2×1 combined-cycle power plant.

mod cli;
mod client;
mod commands;
mod display;
mod identity;
mod source_link;
mod store_location;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("jumeau: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let store_files =
        store_location::store_files(cli.data_dir.as_deref(), cli.store_key_file.as_deref())?;
    let who = identity::Identity {
        login: cli.user.clone(),
        device: store_location::device_name(cli.device.as_deref()),
        password_file: cli.password_file.clone(),
        otp: cli.otp.clone(),
    };
    match cli.command {
        None => client::launch(
            &store_files,
            &who,
            cli.lang,
            cli.lock_after,
            &cli.source,
            None,
        ),
        Some(Command::Screenshot(args)) => client::launch(
            &store_files,
            &who,
            cli.lang,
            cli.lock_after,
            &cli.source,
            Some(args),
        ),
        Some(Command::Login {
            change,
            new_password_file,
        }) => commands::account::login(&store_files, &who, change, new_password_file),
        Some(Command::Account(cmd)) => commands::account::run(&store_files, &who, cmd),
        Some(Command::Audit(cmd)) => commands::audit::run(&store_files, &who, cmd),
        Some(Command::Sim(args)) => commands::sim::run(&store_files, &args, &cli.source),
        Some(Command::Opcua(cmd)) => commands::opcua::run(cmd, &cli.source),
        Some(Command::Tags(cmd)) => commands::tags::run(&store_files, cmd, &cli.source),
        Some(Command::Alarms(cmd)) => commands::alarms::run(&store_files, &who, &cli.source, cmd),
        Some(Command::Procedures(cmd)) => {
            commands::procedures::run(&store_files, &who, cli.source.speed, cmd)
        }
        Some(Command::Scene(cmd)) => commands::scene::run(&store_files, cmd),
        Some(Command::Plant(cmd)) => commands::plant::run(cmd),
        Some(Command::Db(cmd)) => commands::db::run(&store_files, cmd),
        Some(Command::Components(cmd)) => commands::components::run(&store_files, cmd, cli.lang),
        Some(Command::Changesets(cmd)) => commands::changesets::run(&store_files, &who, cmd),
        Some(Command::Logbook(cmd)) => commands::logbook::run(&store_files, &who, cmd),
        Some(Command::Sync(cmd)) => commands::sync::run(&store_files, &who, cmd),
        Some(Command::Hub(args)) => jumeau_hub::run(args).map(|()| ExitCode::SUCCESS),
    }
}

/// `jumeau components list | head -1`: when the reader closes the pipe, stop quietly with the
/// status of a tool killed by SIGPIPE (141) instead of panicking in `println!`. (Restoring the
/// default SIGPIPE action would also kill the client on a plant server's closed socket.)
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}
