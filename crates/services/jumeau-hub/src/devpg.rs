//! `--dev`: a private PostgreSQL cluster in the hub's data directory, made at the first start
//! and started with the hub, so that one machine runs the whole thing with one command.
//! PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` account.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian's PostgreSQL binaries (`postgresql` package); `$JUMEAU_PG_BIN` overrides.
const DEBIAN_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A running private cluster; stopped when dropped if this process started it (or was told
/// to own it: the serving hub).
pub struct PrivateCluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    pub owned: bool,
}

impl PrivateCluster {
    /// Makes (if absent) and starts the cluster in `dir` on loopback `port`.
    pub fn start(dir: &Path, port: u16) -> anyhow::Result<PrivateCluster> {
        let bin = std::env::var_os("JUMEAU_PG_BIN")
            .map_or_else(|| PathBuf::from(DEBIAN_BIN), PathBuf::from);
        if !bin.join("initdb").exists() {
            bail!(
                "PostgreSQL is not installed ({} missing): `apt-get install postgresql`, or give \
                 --db with a running server",
                bin.join("initdb").display()
            );
        }
        let mut cluster = PrivateCluster {
            dir: dir.to_owned(),
            bin,
            port,
            owned: false,
        };
        if !dir.join("PG_VERSION").exists() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            cluster.hand_over(dir)?;
            cluster.run(
                "initdb",
                &[
                    "-D",
                    &dir.to_string_lossy(),
                    "-A",
                    "trust",
                    "-U",
                    "jumeau",
                    "--no-instructions",
                ],
            )?;
        }
        // Already running (another command of this hub, or a hub that was killed): used as it
        // is, on the port it listens on.
        if cluster
            .run("pg_ctl", &["-D", &dir.to_string_lossy(), "status"])
            .is_ok()
        {
            cluster.port = running_port(dir)?;
            return Ok(cluster);
        }
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1",
            dir.to_string_lossy()
        );
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                &dir.to_string_lossy(),
                "-o",
                &options,
                "-l",
                &dir.join("server.log").to_string_lossy(),
                "-w",
                "start",
            ],
        )?;
        cluster.owned = true;
        Ok(cluster)
    }

    /// The connection string of the cluster's `jumeau` database (made when missing).
    pub fn url(&self) -> anyhow::Result<String> {
        let base = format!("host=127.0.0.1 port={} user=jumeau", self.port);
        let exists = self.psql(&base, "SELECT 1 FROM pg_database WHERE datname = 'jumeau'")?;
        if exists.trim() != "1" {
            self.psql(&base, "CREATE DATABASE jumeau")?;
        }
        Ok(format!("{base} dbname=jumeau"))
    }

    fn psql(&self, base: &str, sql: &str) -> anyhow::Result<String> {
        let out = Command::new(self.bin.join("psql"))
            .args([&format!("{base} dbname=postgres"), "-tAc", sql])
            .output()
            .context("cannot run psql")?;
        if !out.status.success() {
            bail!("psql: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn hand_over(&self, dir: &Path) -> anyhow::Result<()> {
        if as_root() {
            let reachable = Command::new("runuser")
                .args(["-u", "postgres", "--", "test", "-x"])
                .arg(dir.parent().unwrap_or(dir))
                .status()
                .is_ok_and(|s| s.success());
            if !reachable {
                bail!(
                    "the postgres account cannot reach {}: give a --hub-dir it can enter \
                     (such as /var/lib/jumeau/hub), or make its parent directories o+x",
                    dir.display()
                );
            }
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir)
                .status()?;
            if !status.success() {
                bail!("cannot give {} to the postgres account", dir.display());
            }
        }
        Ok(())
    }

    fn run(&self, tool: &str, args: &[&str]) -> anyhow::Result<()> {
        let program = self.bin.join(tool);
        let mut cmd = if as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let out = cmd
            .args(args)
            .output()
            .with_context(|| format!("cannot run {}", program.display()))?;
        if !out.status.success() {
            bail!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&out.stderr).trim(),
                String::from_utf8_lossy(&out.stdout).trim()
            );
        }
        Ok(())
    }
}

/// The port in a running cluster's `postmaster.pid` (its fourth line).
fn running_port(dir: &Path) -> anyhow::Result<u16> {
    let pid = std::fs::read_to_string(dir.join("postmaster.pid"))
        .with_context(|| format!("cannot read {}/postmaster.pid", dir.display()))?;
    pid.lines()
        .nth(3)
        .and_then(|l| l.trim().parse().ok())
        .with_context(|| format!("{}/postmaster.pid names no port", dir.display()))
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                &self.dir.to_string_lossy(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }
}

/// PostgreSQL refuses to run as root: then its tools run as `postgres`.
pub fn as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc_geteuid() == 0 }
}

unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}
