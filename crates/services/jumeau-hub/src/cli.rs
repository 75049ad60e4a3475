//! `jumeau hub …` and the `jumeau-hub` binary: one definition of the arguments for both.

use crate::db::Db;
use crate::devpg::PrivateCluster;
use crate::server::Hub;
use crate::tls::{TlsIdentity, TlsListener};
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct HubArgs {
    /// The hub's directory: its signing key, its TLS certificate and, with --dev, its
    /// PostgreSQL cluster (default: /var/lib/jumeau/hub as root, where the `postgres` account
    /// can reach it; ~/.local/share/jumeau/hub otherwise).
    #[arg(long, global = true, env = "JUMEAU_HUB_DIR")]
    pub hub_dir: Option<PathBuf>,
    /// PostgreSQL connection string (libpq form, e.g. "host=db.plant user=jumeau dbname=jumeau").
    #[arg(long, global = true, env = "JUMEAU_HUB_DB", conflicts_with = "dev")]
    pub db: Option<String>,
    /// Run a private PostgreSQL cluster in the hub's directory (one machine, one command).
    #[arg(long, global = true)]
    pub dev: bool,
    /// Loopback port of the private cluster.
    #[arg(long, global = true, default_value_t = 55432)]
    pub pg_port: u16,
    #[command(subcommand)]
    pub command: Option<HubCommand>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum HubCommand {
    /// Serve devices (the default).
    Serve(ServeArgs),
    /// Enrol a device (workstation, tablet) and print its secret, once: give it to the
    /// device's `jumeau sync enrol` with the certificate's fingerprint.
    EnrolDevice { name: String },
    /// Revoke a device: it can no longer connect; what it sent stays.
    RevokeDevice { name: String },
    /// Revoke a person's account on the hub: what they push from now on, offline work
    /// included, is quarantined (kept, countersigned, never applied).
    RevokeUser {
        login: String,
        #[arg(long)]
        reason: String,
    },
    /// Print the SHA-256 of the hub's TLS certificate (what devices pin).
    Fingerprint,
    /// Print the hub's public signing key (hex): what checks its countersignatures
    /// (`scripts/verify_export.py --hub-key`).
    Key,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port, printed).
    #[arg(long, default_value = "0.0.0.0:7443")]
    pub listen: SocketAddr,
    /// Ops from a device whose clock differs from the hub's by more are quarantined.
    #[arg(long, default_value = "5m", value_parser = humantime::parse_duration)]
    pub max_clock_skew: Duration,
    /// Extra host names or addresses for the certificate made at the first start.
    #[arg(long = "cert-name")]
    pub cert_names: Vec<String>,
}

impl Default for ServeArgs {
    /// `serve` with the defaults its arguments declare (what a bare `jumeau hub` does).
    fn default() -> Self {
        #[derive(clap::Parser)]
        struct Bare {
            #[command(flatten)]
            serve: ServeArgs,
        }
        <Bare as clap::Parser>::parse_from(["serve"]).serve
    }
}

/// Runs a hub command to its end (a server: until SIGINT or SIGTERM).
pub fn run(args: HubArgs) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(run_async(args))
}

async fn run_async(args: HubArgs) -> anyhow::Result<()> {
    let dir = hub_dir(&args)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let command = args
        .command
        .clone()
        .unwrap_or(HubCommand::Serve(ServeArgs::default()));
    match command {
        HubCommand::Fingerprint => {
            println!("{}", TlsIdentity::load_or_create(&dir, &[])?.fingerprint);
            return Ok(());
        }
        HubCommand::Key => {
            let key = crate::key::load_or_create(&dir)?;
            println!("{}", hex::encode(key.verifying_key().to_bytes()));
            return Ok(());
        }
        _ => {}
    }
    let (cluster, url) = database(&args, &dir)?;
    let db = Db::open(&url).await?;
    match command {
        HubCommand::EnrolDevice { name } => {
            let token = db.enrol_device(&name).await?;
            let fingerprint = TlsIdentity::load_or_create(&dir, &[])?.fingerprint;
            println!("device:             {name}");
            println!("secret:             {token}");
            println!("certificate SHA-256: {fingerprint}");
        }
        HubCommand::RevokeDevice { name } => {
            db.revoke_device(&name).await?;
            println!("device {name} revoked");
        }
        HubCommand::RevokeUser { login, reason } => {
            db.revoke_author(&login, &reason).await?;
            println!("{login} revoked: what they push from now on is quarantined");
        }
        HubCommand::Serve(serve) => {
            let mut cluster = cluster;
            // The serving hub owns its private cluster: stopped when it stops.
            if let Some(c) = cluster.as_mut() {
                c.owned = true;
            }
            let tls = TlsIdentity::load_or_create(&dir, &serve.cert_names)?;
            let key = crate::key::load_or_create(&dir)?;
            let skew = serve.max_clock_skew.as_millis() as i64;
            let hub = Hub::new(db, key, skew);
            let tcp = tokio::net::TcpListener::bind(serve.listen)
                .await
                .with_context(|| format!("cannot listen on {}", serve.listen))?;
            let local = tcp.local_addr()?;
            let listener = TlsListener::new(tcp, tls.acceptor)?;
            println!("hub: certificate SHA-256 {}", tls.fingerprint);
            println!("hub: listening on wss://{local}/v1/sync");
            axum::serve(listener, hub.router())
                .with_graceful_shutdown(stopped())
                .await?;
            // Devices still connected hold the database until the process ends.
            crate::db::STOPPING.store(true, std::sync::atomic::Ordering::Relaxed);
            drop(hub);
            println!("hub: stopped");
        }
        HubCommand::Fingerprint | HubCommand::Key => unreachable!("answered above"),
    }
    Ok(())
}

fn hub_dir(args: &HubArgs) -> anyhow::Result<PathBuf> {
    if let Some(d) = &args.hub_dir {
        return Ok(d.clone());
    }
    if crate::devpg::as_root() {
        return Ok(PathBuf::from("/var/lib/jumeau/hub"));
    }
    let home = std::env::var_os("HOME").context("no $HOME: give --hub-dir")?;
    Ok(PathBuf::from(home).join(".local/share/jumeau/hub"))
}

fn database(
    args: &HubArgs,
    dir: &std::path::Path,
) -> anyhow::Result<(Option<PrivateCluster>, String)> {
    match (&args.db, args.dev) {
        (Some(url), _) => Ok((None, url.clone())),
        (None, true) => {
            let cluster = PrivateCluster::start(&dir.join("postgres"), args.pg_port)?;
            let url = cluster.url()?;
            Ok((Some(cluster), url))
        }
        (None, false) => bail!("give --db with a PostgreSQL connection string, or --dev"),
    }
}

async fn stopped() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("a signal handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_serve_takes_the_declared_defaults() {
        let serve = ServeArgs::default();
        assert_eq!(serve.listen, "0.0.0.0:7443".parse().unwrap());
        assert_eq!(serve.max_clock_skew, Duration::from_secs(300));
        assert!(serve.cert_names.is_empty());
    }
}
