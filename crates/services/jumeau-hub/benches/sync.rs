//! The hub under load on loopback, as devices use it: the `jumeau-hub` binary with its private
//! PostgreSQL cluster in a child process, devices speaking the real protocol (pinned TLS,
//! WebSocket) through `jumeau_sync::HubLink`.
//!
//! `cargo bench -p jumeau-hub --bench sync` (release). Measures:
//! 1. end-to-end latency of an op — written on one device, committed and countersigned by the
//!    hub, sent to every other device (or announced and pulled) — with `SYNC_CLIENTS` devices (default 50)
//!    each writing one op per second for `SYNC_SECONDS` (default 20); target p99 < 250 ms;
//! 2. catch-up: a device that was away pulls `SYNC_BACKLOG` ops (default 10,000) into its
//!    store (chain and signatures checked, entries applied); target < 5 s;
//! 3. the hub's CPU (its process, and the PostgreSQL backends) per 1,000 ops pushed.

use ed25519_dalek::SigningKey;
use jumeau_core::logbook::{self, EntryBody, GENESIS, key_id};
use jumeau_core::sync::{Delivered, Hlc, Op, SignedOp};
use jumeau_store::{HubEnrolment, Password};
use jumeau_sync::{HubLink, News};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let clients = env("SYNC_CLIENTS", 50) as usize;
    let seconds = env("SYNC_SECONDS", 20);
    let backlog = env("SYNC_BACKLOG", 10_000) as usize;
    let dir = tempfile::tempdir().unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let hub = HubProcess::start(dir.path());
    let devices: Vec<Device> = (0..clients + 2)
        .map(|i| Device::enrol(&hub, &format!("poste-{i:02}")))
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (writers, rest) = devices.split_at(clients);
    let cpu_before = hub.cpu();
    let latencies = runtime.block_on(fan_out(writers.to_vec(), seconds));
    let cpu_after = hub.cpu();
    report_latency(clients, seconds, &latencies);
    let ops = (clients as u64 * seconds) as f64;
    println!(
        "hub CPU per 1,000 ops (with {clients} devices pulling each): hub process {:.2} s, \
         PostgreSQL backends {:.2} s",
        (cpu_after.0 - cpu_before.0) / ops * 1000.0,
        (cpu_after.1 - cpu_before.1) / ops * 1000.0
    );
    runtime.block_on(catch_up(&rest[0], &rest[1], backlog, dir.path(), &hub));
}

/// The hub binary, serving on a free loopback port.
struct HubProcess {
    child: Child,
    dir: std::path::PathBuf,
    url: String,
    fingerprint: String,
}

impl HubProcess {
    fn command(dir: &Path) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_jumeau-hub"));
        let pg_port = free_port().to_string();
        c.arg("--hub-dir")
            .arg(dir)
            .args(["--dev", "--pg-port", &pg_port]);
        c
    }

    fn start(dir: &Path) -> HubProcess {
        let dir = dir.join("hub");
        let mut child = HubProcess::command(&dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut url, mut fingerprint) = (String::new(), String::new());
        while url.is_empty() {
            let line = lines.next().unwrap().unwrap();
            if let Some(f) = line.strip_prefix("hub: certificate SHA-256 ") {
                fingerprint = f.to_owned();
            }
            if let Some(u) = line.strip_prefix("hub: listening on ") {
                url = u.trim_end_matches("/v1/sync").to_owned();
            }
        }
        std::thread::spawn(move || lines.for_each(drop));
        HubProcess {
            child,
            dir,
            url,
            fingerprint,
        }
    }

    /// CPU seconds so far: the hub's process, and its cluster's backends.
    fn cpu(&self) -> (f64, f64) {
        let hub = cpu_of(self.child.id());
        let pg_dir = self.dir.join("postgres");
        let pid: u32 = std::fs::read_to_string(pg_dir.join("postmaster.pid"))
            .ok()
            .and_then(|t| t.lines().next()?.trim().parse().ok())
            .unwrap_or(0);
        let backends: f64 = std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter(|p| parent_of(*p) == Some(pid) || *p == pid)
            .map(cpu_of)
            .sum();
        (hub, backends)
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &text[text.rfind(')')? + 2..];
    Some(after.split_whitespace().map(str::to_owned).collect())
}

fn parent_of(pid: u32) -> Option<u32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

fn cpu_of(pid: u32) -> f64 {
    let ticks = 100.0; // USER_HZ on Linux
    stat_fields(pid).map_or(0.0, |f| {
        let utime: f64 = f[11].parse().unwrap_or(0.0);
        let stime: f64 = f[12].parse().unwrap_or(0.0);
        (utime + stime) / ticks
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An enrolled device: its enrolment, secret, author key and chain.
#[derive(Clone)]
struct Device {
    enrolment: HubEnrolment,
    secret: String,
    key: SigningKey,
}

impl Device {
    fn enrol(hub: &HubProcess, name: &str) -> Device {
        let out = HubProcess::command(&hub.dir)
            .args(["enrol-device", name])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let secret = text
            .lines()
            .find_map(|l| l.strip_prefix("secret:"))
            .expect("a secret")
            .trim()
            .to_owned();
        let mut seed = [0u8; 32];
        seed[..name.len().min(32)].copy_from_slice(&name.as_bytes()[..name.len().min(32)]);
        Device {
            enrolment: HubEnrolment {
                url: hub.url.clone(),
                certificate_sha256: hub.fingerprint.clone(),
                device: name.to_owned(),
                hub_key: None,
                enrolled_by: "c.bernard".into(),
                enrolled_at: String::new(),
            },
            secret,
            key: SigningKey::from_bytes(&seed),
        }
    }

    async fn connect(&self) -> HubLink {
        HubLink::connect(&self.enrolment, &Password::new(self.secret.clone()))
            .await
            .unwrap()
    }
}

/// The device's chain of entries, each an op; the text carries the write time (µs since the
/// epoch) for the latency.
struct Chain {
    seq: u64,
    prev: String,
    hlc: Hlc,
}

impl Chain {
    fn new() -> Chain {
        Chain {
            seq: 0,
            prev: GENESIS.to_owned(),
            hlc: Hlc::default(),
        }
    }

    fn next(&mut self, device: &Device) -> SignedOp {
        self.seq += 1;
        let now = now_us();
        let body = EntryBody {
            attachments: vec![],
            author: "a.durand".into(),
            category: "operation".into(),
            components: vec!["TG1".into()],
            corrects: None,
            device: device.enrolment.device.clone(),
            format: logbook::FORMAT.into(),
            key_id: key_id(&device.key.verifying_key().to_bytes()),
            kind: "manual".into(),
            prev: self.prev.clone(),
            recorded_at: "2026-12-01T10:00:00.000Z".into(),
            role: "field".into(),
            seq: self.seq,
            tags: vec![],
            text: format!("t={now}"),
            training: false,
            values: vec![],
        };
        let entry = logbook::sign(&body, &device.key);
        self.prev = entry.hash();
        self.hlc = self.hlc.tick(now / 1000);
        let op_id = format!("{:032x}", (now as u128) << 20 | u128::from(self.seq));
        Op::logbook_entry(&entry, &body, op_id, self.hlc).sign(&device.key)
    }
}

fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// Every device writes one op a second and pulls what the others wrote when told the head
/// moved. Returns the latencies (ms) seen by every device for every other device's op.
async fn fan_out(devices: Vec<Device>, seconds: u64) -> Vec<f64> {
    // Every device connected and up to date (one pull: the hub then knows its cursor) before
    // the first write.
    let mut links = Vec::new();
    for device in &devices {
        let mut link = device.connect().await;
        let held = link.pull(0, 500).await.unwrap().len() as u64;
        links.push((link, held));
    }
    let start = Instant::now() + Duration::from_millis(500);
    let end = start + Duration::from_secs(seconds);
    let n = devices.len();
    let tasks: Vec<_> = devices
        .into_iter()
        .zip(links)
        .enumerate()
        .map(|(i, (device, (mut link, held)))| {
            tokio::spawn(async move {
                let mut cursor = held;
                let mut chain = Chain::new();
                let mut latencies = Vec::new();
                // Spread the writers over the second.
                let mut next_write = start + Duration::from_millis((i as u64 * 1000) / n as u64);
                let drain_until = end + Duration::from_secs(2);
                loop {
                    let now = Instant::now();
                    if now >= drain_until {
                        break;
                    }
                    if now >= next_write && now < end {
                        link.push(vec![chain.next(&device)]).await.unwrap();
                        next_write += Duration::from_secs(1);
                    }
                    let wait = next_write
                        .min(drain_until)
                        .saturating_duration_since(Instant::now());
                    let news = link.news(wait.max(Duration::from_millis(1))).await.unwrap();
                    let mut items = match news {
                        Some(News::Fresh(items)) => items,
                        Some(News::Head(_)) => link.pull(cursor, 500).await.unwrap(),
                        None => continue,
                    };
                    // Items already held (a pull crossing a fresh message) count once.
                    items.retain(|d| seq_of(d) > cursor);
                    let received = now_us();
                    for d in &items {
                        // Read, not verified: the 50 devices share this machine's two cores
                        // with the hub, and a device's own checks (the store's) are what the
                        // catch-up below measures.
                        let op: Op = serde_json::from_str(&d.op.op).unwrap();
                        if op.device != device.enrolment.device {
                            let (_, body) = op.logbook().unwrap();
                            let sent: u64 = body.text[2..].parse().unwrap();
                            latencies.push((received - sent) as f64 / 1000.0);
                        }
                        cursor = cursor.max(seq_of(d));
                    }
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

/// The hub sequence number a delivered op's receipt gives.
fn seq_of(d: &Delivered) -> u64 {
    let receipt: serde_json::Value = serde_json::from_str(&d.countersignature.receipt).unwrap();
    receipt["hub_seq"].as_u64().unwrap()
}

fn report_latency(clients: usize, seconds: u64, latencies: &[f64]) {
    let mut sorted = latencies.to_vec();
    sorted.sort_by(f64::total_cmp);
    let pick = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "fan-out, {clients} devices × 1 op/s for {seconds} s: {} deliveries, latency p50 {:.1} ms, \
         p99 {:.1} ms, max {:.1} ms (target p99 < 250 ms)",
        sorted.len(),
        pick(0.5),
        pick(0.99),
        sorted.last().copied().unwrap_or(0.0)
    );
}

/// One device pushes `backlog` ops; another, away meanwhile, then pulls them all into its
/// store (chain and signatures checked, entries applied), as `jumeau sync pull` does.
async fn catch_up(writer: &Device, away: &Device, backlog: usize, dir: &Path, hub: &HubProcess) {
    let mut link = writer.connect().await;
    let mut chain = Chain::new();
    let pushed = Instant::now();
    let mut left = backlog;
    while left > 0 {
        let batch: Vec<SignedOp> = (0..left.min(500)).map(|_| chain.next(writer)).collect();
        left -= batch.len();
        link.push(batch).await.unwrap();
    }
    let push_s = pushed.elapsed().as_secs_f64();
    let store_path = dir.join("away.sqlite");
    let mut store =
        jumeau_store::testing::set_passwords(&store_path, &away.enrolment.device).unwrap();
    store
        .enrol_hub(
            "c.bernard",
            &hub.url,
            &hub.fingerprint,
            &Password::new(away.secret.clone()),
        )
        .unwrap();
    let started = Instant::now();
    let mut link = jumeau_sync::connect(&mut store).await.unwrap();
    let received = jumeau_sync::pull_all(&mut link, &mut store).await.unwrap();
    let took = started.elapsed().as_secs_f64();
    println!(
        "push of a {backlog}-op backlog: {push_s:.2} s ({:.0} ops/s); catch-up into a store: {} ops \
         ({} entries) in {took:.2} s (target < 5 s)",
        backlog as f64 / push_s,
        received.stored,
        received.entries,
    );
}
