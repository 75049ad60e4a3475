//! Sync through a real hub: the `jumeau hub --dev` binary with its own PostgreSQL cluster, two
//! devices (the control room and a tablet) with their own encrypted stores, all on loopback.

mod common;

use common::{bare, json, ok, stdout};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A hub process on `dir` (its PostgreSQL cluster inside), serving on a free loopback port.
struct Hub {
    dir: PathBuf,
    pg_port: u16,
    port: u16,
    child: Option<Child>,
    url: String,
    fingerprint: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Hub {
    fn command(dir: &Path, pg_port: u16) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_jumeau"));
        c.arg("hub")
            .arg("--hub-dir")
            .arg(dir)
            .args(["--dev", "--pg-port", &pg_port.to_string()]);
        c
    }

    /// Starts a hub on `dir`, new or as it was left, its private cluster on `pg_port`, serving
    /// on loopback `port` (the address devices were enrolled with).
    fn start(dir: &Path, pg_port: u16, port: u16, extra: &[&str]) -> Hub {
        Hub::start_on(dir, pg_port, "127.0.0.1", port, extra)
    }

    fn start_on(dir: &Path, pg_port: u16, host: &str, port: u16, extra: &[&str]) -> Hub {
        let mut child = Hub::command(dir, pg_port)
            .args(["serve", "--listen", &format!("{host}:{port}")])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the hub");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut url, mut fingerprint) = (String::new(), String::new());
        while url.is_empty() {
            let line = lines
                .next()
                .expect("the hub says where it listens")
                .unwrap();
            if let Some(f) = line.strip_prefix("hub: certificate SHA-256 ") {
                fingerprint = f.to_owned();
            }
            if let Some(u) = line.strip_prefix("hub: listening on ") {
                url = u.trim_end_matches("/v1/sync").to_owned();
            }
        }
        // Keep reading its output so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Hub {
            dir: dir.to_owned(),
            pg_port,
            port,
            child: Some(child),
            url,
            fingerprint,
        }
    }

    /// Starts the hub again on the same directory, cluster and address (after `stop` or
    /// `kill9`).
    fn restart(&mut self) {
        let again = Hub::start(&self.dir, self.pg_port, self.port, &[]);
        let mut old = std::mem::replace(self, again);
        // The old value owns nothing any more: its cluster is the new hub's.
        old.dir = PathBuf::new();
    }

    /// Enrols a device; returns the file holding its secret.
    fn enrol(&self, device: &str, into: &Path) -> PathBuf {
        let out = Hub::command(&self.dir, self.pg_port)
            .args(["enrol-device", device])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let secret = text
            .lines()
            .find_map(|l| l.strip_prefix("secret:"))
            .expect("a secret")
            .trim()
            .to_owned();
        let file = into.join(format!("{device}.secret"));
        std::fs::write(&file, secret).unwrap();
        file
    }

    /// SIGTERM and wait: the hub stops its cluster.
    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            Command::new("kill")
                .arg(c.id().to_string())
                .status()
                .unwrap();
            c.wait().unwrap();
        }
    }

    /// SIGKILL: the cluster stays up, as after a crash.
    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.stop();
        // A cluster left by a killed hub.
        let pg = self.dir.join("postgres");
        if !self.dir.as_os_str().is_empty() && pg.join("postmaster.pid").exists() {
            let _ = Command::new("runuser")
                .args([
                    "-u",
                    "postgres",
                    "--",
                    "/usr/lib/postgresql/15/bin/pg_ctl",
                    "-D",
                ])
                .arg(&pg)
                .args(["-m", "immediate", "stop"])
                .output();
        }
    }
}

/// A test directory the `postgres` account can enter (PostgreSQL refuses to run as root).
fn shared_tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// A device's store, enrolled with `hub` by an engineer.
fn enrolled_device(hub: &Hub, root: &Path, device: &str) -> PathBuf {
    let data = root.join(device);
    let secret = hub.enrol(device, root);
    let out = ok(
        &data,
        &[
            "--device",
            device,
            "--user",
            "c.bernard",
            "sync",
            "enrol",
            "--hub",
            &hub.url,
            "--certificate-sha256",
            &hub.fingerprint,
            "--secret-file",
            secret.to_str().unwrap(),
        ],
    );
    assert!(out.contains("enrolled"), "{out}");
    data
}

fn write_entry(data: &Path, device: &str, user: &str, text: &str) {
    ok(
        data,
        &[
            "--device",
            device,
            "--user",
            user,
            "logbook",
            "add",
            "--category",
            "operation",
            "--text",
            text,
        ],
    );
}

fn entries(data: &Path) -> Vec<serde_json::Value> {
    json(data, &["logbook", "list", "--json"])
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn an_entry_written_offline_reaches_the_control_room_countersigned_in_order() {
    let root = shared_tempdir();
    let (pg_port, port) = (free_port(), free_port());
    let hub_dir = root.path().join("hub");
    let mut hub = Hub::start(&hub_dir, pg_port, port, &[]);
    let cr = enrolled_device(&hub, root.path(), "salle-de-commande");
    let tab = enrolled_device(&hub, root.path(), "tablette-3");
    let status = json(
        &tab,
        &["--device", "tablette-3", "sync", "status", "--json"],
    );
    assert_eq!(status["state"], "in_sync", "{status}");

    // The network goes: the tablet writes ten entries of a round; nothing is lost.
    hub.stop();
    for i in 1..=10 {
        write_entry(
            &tab,
            "tablette-3",
            "a.durand",
            &format!("Ronde TG1 point {i}"),
        );
    }
    let status = json(
        &tab,
        &["--device", "tablette-3", "sync", "status", "--json"],
    );
    assert_eq!(status["state"], "offline", "{status}");
    assert_eq!(status["pending"], 10, "{status}");
    let push = bare(&tab, &["--device", "tablette-3", "sync", "push"])
        .output()
        .unwrap();
    assert!(!push.status.success());
    assert!(String::from_utf8_lossy(&push.stderr).contains("unreachable"));

    // It comes back: the control room sees the round, in the order written, countersigned.
    hub.restart();
    let pushed = json(&tab, &["--device", "tablette-3", "sync", "push", "--json"]);
    assert_eq!(pushed["pushed"], 10, "{pushed}");
    let pulled = json(
        &cr,
        &["--device", "salle-de-commande", "sync", "pull", "--json"],
    );
    assert_eq!(pulled["received"]["entries"], 10, "{pulled}");
    let round: Vec<serde_json::Value> = entries(&cr)
        .into_iter()
        .filter(|e| e["device"] == "tablette-3" && e["category"] == "operation")
        .collect();
    let texts: Vec<&str> = round.iter().map(|e| e["text"].as_str().unwrap()).collect();
    let expected: Vec<String> = (1..=10).map(|i| format!("Ronde TG1 point {i}")).collect();
    assert_eq!(texts, expected);
    let mut last_hub_seq = 0;
    for e in &round {
        let cs: serde_json::Value =
            serde_json::from_str(e["countersignature"].as_str().expect("countersigned")).unwrap();
        let receipt: serde_json::Value =
            serde_json::from_str(cs["receipt"].as_str().unwrap()).unwrap();
        assert_eq!(receipt["entry_hash"], e["entry_hash"]);
        assert_eq!(receipt["device_seq"], e["seq"]);
        let seq = receipt["hub_seq"].as_u64().unwrap();
        assert!(seq > last_hub_seq, "hub order follows the device chain");
        last_hub_seq = seq;
    }
    // The tablet's own entries carry the same countersignatures once it pulls.
    json(&tab, &["--device", "tablette-3", "sync", "pull", "--json"]);
    let own: Vec<serde_json::Value> = entries(&tab)
        .into_iter()
        .filter(|e| e["category"] == "operation")
        .collect();
    assert_eq!(own.len(), 10);
    assert!(own.iter().all(|e| e["countersignature"].is_string()));
    for device in [("salle-de-commande", &cr), ("tablette-3", &tab)] {
        let status = json(
            device.1,
            &["--device", device.0, "sync", "status", "--json"],
        );
        assert_eq!(status["state"], "in_sync", "{}: {status}", device.0);
    }

    // The control room's export of the plant logbook verifies with the independent script,
    // the tablet's chain and the hub's countersignatures included.
    let csv = root.path().join("main-courante.csv");
    ok(
        &cr,
        &[
            "--device",
            "salle-de-commande",
            "logbook",
            "export",
            "--format",
            "csv",
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    let keys = root.path().join("keys.json");
    std::fs::write(&keys, ok(&cr, &["account", "list", "--json"])).unwrap();
    let status = json(
        &cr,
        &["--device", "salle-de-commande", "sync", "status", "--json"],
    );
    let hub_key = status["hub_key"].as_str().unwrap().to_owned();
    let printed = Hub::command(&hub_dir, pg_port).arg("key").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&printed.stdout).trim(), hub_key);
    let verify = |hub_key: &str| {
        Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify_export.py"))
            .arg(&csv)
            .args(["--keys", keys.to_str().unwrap(), "--hub-key", hub_key])
            .output()
            .unwrap()
    };
    let checked = verify(&hub_key);
    assert!(checked.status.success(), "{}", stdout(&checked));
    assert!(stdout(&checked).contains("OK"), "{}", stdout(&checked));
    // Against another hub's key, every countersignature fails.
    let other = verify(&"11".repeat(32));
    assert!(!other.status.success());
    let failures = stdout(&other);
    let countersigned = std::fs::read_to_string(&csv)
        .unwrap()
        .matches("jumeau-receipt/1")
        .count();
    assert!(
        countersigned >= 10,
        "the round and what else went through the hub"
    );
    assert_eq!(
        failures
            .matches("the hub's countersignature does not verify")
            .count(),
        countersigned,
        "{failures}"
    );
    drop(hub);
}

#[test]
fn a_hub_killed_before_its_answer_and_a_repeated_push_lose_and_double_nothing() {
    let root = shared_tempdir();
    let (pg_port, port) = (free_port(), free_port());
    let hub_dir = root.path().join("hub");
    let mut hub = Hub::start(&hub_dir, pg_port, port, &[]);
    let tab = enrolled_device(&hub, root.path(), "tablette-3");
    let cr = enrolled_device(&hub, root.path(), "salle-de-commande");
    for i in 1..=3 {
        write_entry(&tab, "tablette-3", "a.durand", &format!("Relevé {i}"));
    }
    // The hub commits a push, then dies before the device hears back: the device still has
    // the three ops pending.
    let files = jumeau_store::testing::files(&tab.join(jumeau_store::STORE_FILE));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    {
        let mut store = jumeau_store::Store::open(&files).unwrap();
        let pending = store.pending_ops(100).unwrap();
        assert_eq!(pending.len(), 3);
        let first = runtime.block_on(async {
            let mut link = jumeau_sync::connect(&mut store).await.unwrap();
            link.push(pending.clone()).await.unwrap()
        });
        hub.kill9();
        assert_eq!(
            store.sync_counts().unwrap().pending,
            3,
            "no answer: still pending"
        );
        // Back up (the same cluster, left running by the killed hub): the same ops again get
        // the same receipts, and the chain holds them once.
        hub.restart();
        let again = runtime.block_on(async {
            let mut link = jumeau_sync::connect(&mut store).await.unwrap();
            link.push(pending).await.unwrap()
        });
        assert_eq!(first, again);
        assert_eq!(store.acknowledge_ops(&again).unwrap(), 3);
        assert_eq!(store.sync_counts().unwrap().pending, 0);
    }
    let pulled = json(
        &cr,
        &["--device", "salle-de-commande", "sync", "pull", "--json"],
    );
    assert_eq!(pulled["received"]["entries"], 3, "{pulled}");
    assert_eq!(
        pulled["head"], 3,
        "each op once in the hub's chain: {pulled}"
    );
    // A second pull brings nothing new.
    let again = json(
        &cr,
        &["--device", "salle-de-commande", "sync", "pull", "--json"],
    );
    assert_eq!(again["received"]["stored"], 0, "{again}");
    drop(hub);
}

#[test]
fn a_device_clock_two_hours_ahead_is_quarantined_and_wrong_secrets_or_pins_are_refused() {
    let root = shared_tempdir();
    let hub = Hub::start(
        &root.path().join("hub"),
        free_port(),
        free_port(),
        &["--max-clock-skew", "5m"],
    );
    let tab = enrolled_device(&hub, root.path(), "tablette-3");
    let cr = enrolled_device(&hub, root.path(), "salle-de-commande");
    write_entry(&tab, "tablette-3", "a.durand", "Niveau ballon CR1 relevé");
    let files = jumeau_store::testing::files(&tab.join(jumeau_store::STORE_FILE));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut store = jumeau_store::Store::open(&files).unwrap();
    let receipts = runtime.block_on(async {
        let mut link = jumeau_sync::connect(&mut store).await.unwrap();
        let ops = store.pending_ops(10).unwrap();
        let two_hours_ahead = now_ms() + 2 * 3600 * 1000;
        link.push_with_clock(ops, two_hours_ahead).await.unwrap()
    });
    store.acknowledge_ops(&receipts).unwrap();
    let counts = store.sync_counts().unwrap();
    assert_eq!((counts.pending, counts.quarantined), (0, 1), "{counts:?}");
    let receipt: serde_json::Value = serde_json::from_str(&receipts[0].receipt).unwrap();
    assert_eq!(receipt["status"], "quarantined");
    let reason = receipt["reason"].as_str().unwrap();
    let seconds: u64 = reason
        .split("clock is ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (7190..=7210).contains(&seconds) && reason.contains("ahead of the hub's"),
        "{reason}"
    );
    // The control room stores it (the hub's chain is whole) but does not show it as written.
    let pulled = json(
        &cr,
        &["--device", "salle-de-commande", "sync", "pull", "--json"],
    );
    assert_eq!(pulled["received"]["quarantined"], 1, "{pulled}");
    assert_eq!(pulled["received"]["entries"], 0, "{pulled}");
    assert!(
        !entries(&cr)
            .iter()
            .any(|e| e["text"] == "Niveau ballon CR1 relevé")
    );

    // A revoked author's offline work is delivered and kept, but quarantined.
    let revoke = Hub::command(&hub.dir, hub.pg_port)
        .args(["revoke-user", "a.durand", "--reason", "badge perdu"])
        .output()
        .unwrap();
    assert!(
        revoke.status.success(),
        "{}",
        String::from_utf8_lossy(&revoke.stderr)
    );
    write_entry(&tab, "tablette-3", "a.durand", "Saisie après révocation");
    let receipts = runtime.block_on(async {
        let mut link = jumeau_sync::connect(&mut store).await.unwrap();
        link.push(store.pending_ops(10).unwrap()).await.unwrap()
    });
    let receipt: serde_json::Value = serde_json::from_str(&receipts[0].receipt).unwrap();
    assert_eq!(receipt["status"], "quarantined", "{receipt}");
    let reason = receipt["reason"].as_str().unwrap();
    assert!(
        reason.contains("revoked") && reason.contains("badge perdu"),
        "{reason}"
    );
    store.acknowledge_ops(&receipts).unwrap();
    assert_eq!(store.sync_counts().unwrap().quarantined, 2);

    // A wrong secret and a wrong pinned certificate.
    let (mut enrolment, _) = store.hub_enrolment().unwrap().unwrap();
    let refused = runtime
        .block_on(jumeau_sync::HubLink::connect(
            &enrolment,
            &jumeau_store::Password::new("not the secret"),
        ))
        .err()
        .unwrap();
    assert!(refused.to_string().contains("wrong secret"), "{refused}");
    enrolment.certificate_sha256 = "00".repeat(32);
    let (_, token) = store.hub_enrolment().unwrap().unwrap();
    let pinned = runtime
        .block_on(jumeau_sync::HubLink::connect(&enrolment, &token))
        .err()
        .unwrap();
    assert!(
        matches!(pinned, jumeau_sync::SyncError::WrongCertificate { .. }),
        "{pinned}"
    );
    let _ = stdout;
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A client's runtime on a device's store (the test password; the source is the built-in
/// simulator on loopback).
fn runtime(data: &Path, device: &str, login: &str) -> jumeau_runtime::RuntimeHandle {
    runtime_on(data, device, login, "dispatch", 1.0)
}

/// Same, on `scenario` at `speed`.
fn runtime_on(
    data: &Path,
    device: &str,
    login: &str,
    scenario: &str,
    speed: f64,
) -> jumeau_runtime::RuntimeHandle {
    jumeau_runtime::Runtime::start(jumeau_runtime::RuntimeConfig {
        store: jumeau_store::testing::files(&data.join(jumeau_store::STORE_FILE)),
        login: login.into(),
        password: jumeau_store::testing::password(),
        device: device.into(),
        source: jumeau_runtime::SourceConfig::Simulator {
            scenario: scenario.into(),
            speed,
            seed: 1,
            addr: "127.0.0.1:0".into(),
        },
    })
    .expect("runtime starts")
}

fn synced(rt: &jumeau_runtime::RuntimeHandle) -> bool {
    rt.sync().state == jumeau_runtime::SyncState::InSync
}

/// Writes an operation entry through a running client, answered once it is stored.
fn write(rt: &jumeau_runtime::RuntimeHandle, text: &str) {
    rt.send(jumeau_runtime::Command::AppendLogbook(
        jumeau_core::logbook::EntryDraft::manual("operation", text),
    ))
    .wait(std::time::Duration::from_secs(5))
    .unwrap();
}

/// Waits up to `limit` for `ready`; returns how long it took.
fn within(
    limit: std::time::Duration,
    mut ready: impl FnMut() -> bool,
) -> Option<std::time::Duration> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if ready() {
            return Some(start.elapsed());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    None
}

#[test]
fn two_running_clients_follow_each_other_and_catch_up_when_the_hub_returns() {
    use jumeau_runtime::SyncState;
    use std::time::Duration;
    let root = shared_tempdir();
    let (pg_port, port) = (free_port(), free_port());
    let mut hub = Hub::start(&root.path().join("hub"), pg_port, port, &[]);
    let cr = enrolled_device(&hub, root.path(), "salle-de-commande");
    let tab = enrolled_device(&hub, root.path(), "tablette-3");
    let room = runtime(&cr, "salle-de-commande", "j.martin");
    let tablet = runtime(&tab, "tablette-3", "a.durand");
    assert!(within(Duration::from_secs(20), || synced(&room) && synced(&tablet)).is_some());
    let has = |rt: &jumeau_runtime::RuntimeHandle, text: &str| {
        rt.logbook(jumeau_store::LogFilter::default())
            .wait(Duration::from_secs(5))
            .unwrap()
            .iter()
            .any(|e| e.body.text == text && e.countersignature.is_some())
    };

    // Live: written in the field, seen in the control room, countersigned.
    write(&tablet, "Fuite vapeur bride 12LBA10 — balisée");
    let live = within(Duration::from_secs(10), || {
        has(&room, "Fuite vapeur bride 12LBA10 — balisée")
    })
    .expect("the control room sees the tablet's entry");
    eprintln!("live entry tablet → control room in {live:?}");

    // The hub goes away: the tablet says so, keeps what is written, and catches up when the
    // hub comes back.
    hub.stop();
    assert!(
        within(Duration::from_secs(10), || matches!(
            tablet.sync().state,
            SyncState::Offline { .. }
        ))
        .is_some()
    );
    write(&tablet, "Ronde hors réseau : purgeur CR2 bloqué");
    assert!(
        within(Duration::from_secs(5), || tablet.sync().pending == 1).is_some(),
        "{:?}",
        tablet.sync()
    );
    hub.restart();
    let back = within(Duration::from_secs(20), || {
        has(&room, "Ronde hors réseau : purgeur CR2 bloqué")
    })
    .expect("caught up after the hub came back");
    eprintln!("offline entry reached the control room {back:?} after the hub came back");
    assert!(
        within(Duration::from_secs(10), || synced(&tablet)).is_some(),
        "{:?}",
        tablet.sync()
    );
    drop((room, tablet));
}

/// A TCP relay between a device and the hub that the test can cut (every connection dropped,
/// new ones refused at once) and heal: a network partition on loopback.
struct Partition {
    port: u16,
    cut: std::sync::Arc<std::sync::atomic::AtomicBool>,
    open: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl Partition {
    fn to(upstream: u16) -> Partition {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let open = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (c, o) = (cut.clone(), open.clone());
        std::thread::spawn(move || {
            for device in listener.incoming().flatten() {
                if c.load(Ordering::SeqCst) {
                    drop(device);
                    continue;
                }
                let Ok(hub) = std::net::TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let mut kept = o.lock().unwrap();
                kept.push(device.try_clone().unwrap());
                kept.push(hub.try_clone().unwrap());
                for (mut from, mut to) in [
                    (device.try_clone().unwrap(), hub.try_clone().unwrap()),
                    (hub, device),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Partition { port, cut, open }
    }

    fn cut(&self) {
        self.cut.store(true, std::sync::atomic::Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }

    fn heal(&self) {
        self.cut.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn ten_partitions_with_writes_on_both_sides_converge_without_loss_in_order() {
    use jumeau_runtime::SyncState;
    use std::time::Duration;
    let root = shared_tempdir();
    let (pg_port, port) = (free_port(), free_port());
    let hub = Hub::start(&root.path().join("hub"), pg_port, port, &[]);
    let cr = enrolled_device(&hub, root.path(), "salle-de-commande");
    // The tablet reaches the hub through the relay only.
    let net = Partition::to(port);
    let behind = Hub {
        dir: PathBuf::new(),
        pg_port,
        port: net.port,
        child: None,
        url: format!("wss://127.0.0.1:{}", net.port),
        fingerprint: hub.fingerprint.clone(),
    };
    let secret = hub.enrol("tablette-3", root.path());
    let tab = root.path().join("tablette-3");
    ok(
        &tab,
        &[
            "--device",
            "tablette-3",
            "--user",
            "c.bernard",
            "sync",
            "enrol",
            "--hub",
            &behind.url,
            "--certificate-sha256",
            &behind.fingerprint,
            "--secret-file",
            secret.to_str().unwrap(),
        ],
    );
    let room = runtime(&cr, "salle-de-commande", "j.martin");
    let tablet = runtime(&tab, "tablette-3", "a.durand");
    let texts = |rt: &jumeau_runtime::RuntimeHandle| -> Vec<(String, String)> {
        rt.logbook(jumeau_store::LogFilter {
            category: Some("operation".into()),
            ..Default::default()
        })
        .wait(Duration::from_secs(5))
        .unwrap()
        .into_iter()
        .map(|e| (e.body.device, e.body.text))
        .collect()
    };
    assert!(within(Duration::from_secs(20), || synced(&room) && synced(&tablet)).is_some());
    for round in 1..=10 {
        net.cut();
        assert!(
            within(Duration::from_secs(10), || matches!(
                tablet.sync().state,
                SyncState::Offline { .. }
            ))
            .is_some(),
            "round {round}: {:?}",
            tablet.sync()
        );
        for i in 1..=3 {
            write(&tablet, &format!("tablette {round}.{i}"));
            write(&room, &format!("salle {round}.{i}"));
        }
        net.heal();
        let expected = 6 * round;
        let converged = within(Duration::from_secs(20), || {
            synced(&tablet)
                && synced(&room)
                && texts(&room).len() == expected
                && texts(&tablet).len() == expected
        });
        assert!(
            converged.is_some(),
            "round {round}: room {:?} tablet {:?}",
            texts(&room),
            texts(&tablet)
        );
    }
    // Every entry once on both sides, each device's own in the order written.
    for rt in [&room, &tablet] {
        let all = texts(rt);
        for device in ["tablette-3", "salle-de-commande"] {
            let prefix = if device == "tablette-3" {
                "tablette"
            } else {
                "salle"
            };
            let mine: Vec<&str> = all
                .iter()
                .filter(|(d, _)| d == device)
                .map(|(_, t)| t.as_str())
                .collect();
            let want: Vec<String> = (1..=10)
                .flat_map(|r| (1..=3).map(move |i| format!("{prefix} {r}.{i}")))
                .collect();
            assert_eq!(mine, want, "{device}");
        }
    }
    drop((room, tablet, behind));
}

#[test]
fn a_tablet_back_after_days_with_5000_entries_delivers_them_all_once_in_order() {
    let root = shared_tempdir();
    let hub = Hub::start(&root.path().join("hub"), free_port(), free_port(), &[]);
    let tab = enrolled_device(&hub, root.path(), "tablette-3");
    let cr = enrolled_device(&hub, root.path(), "salle-de-commande");
    // Days of rounds written with no network (one batch here; each entry signed and chained).
    let files = jumeau_store::testing::files(&tab.join(jumeau_store::STORE_FILE));
    let mut store = jumeau_store::Store::open(&files).unwrap();
    store
        .login("a.durand", &jumeau_store::testing::password(), "tablette-3")
        .unwrap();
    let drafts: Vec<_> = (1..=5000)
        .map(|i| jumeau_core::logbook::EntryDraft::manual("operation", &format!("relevé {i}")))
        .collect();
    store.append_logbook_batch("a.durand", &drafts).unwrap();
    assert_eq!(store.sync_counts().unwrap().pending, 5000);
    drop(store);
    let pushed = json(&tab, &["--device", "tablette-3", "sync", "push", "--json"]);
    assert_eq!(pushed["pushed"], 5000, "{pushed}");
    let pulled = json(
        &cr,
        &["--device", "salle-de-commande", "sync", "pull", "--json"],
    );
    assert_eq!(pulled["received"]["entries"], 5000, "{pulled}");
    let texts: Vec<String> = entries(&cr)
        .into_iter()
        .filter(|e| e["device"] == "tablette-3" && e["category"] == "operation")
        .map(|e| e["text"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (1..=5000).map(|i| format!("relevé {i}")).collect();
    assert_eq!(texts, expected);
    // The control room's verification covers the tablet's chain too.
    let verify = json(&cr, &["logbook", "verify", "--json"]);
    assert_eq!(verify["remote_entries"], 5000, "{verify}");
    assert_eq!(
        verify["remote_faults"].as_array().unwrap().len(),
        0,
        "{verify}"
    );
    drop(hub);
}

/// This machine's first IPv4 address that is not loopback (`hostname -I`): a connection to it
/// comes from a remote address as far as the hub can tell.
fn outside_address() -> String {
    let out = Command::new("hostname")
        .arg("-I")
        .output()
        .expect("hostname -I");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find(|a| {
            a.parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| !ip.is_loopback())
        })
        .unwrap_or_else(|| panic!("a non-loopback IPv4 address is needed: {text:?}"))
        .to_owned()
}

#[test]
fn one_remote_address_holds_at_most_eight_connections_and_devices_still_get_in() {
    use std::io::Read;
    let root = shared_tempdir();
    let port = free_port();
    let hub = Hub::start_on(&root.path().join("hub"), free_port(), "0.0.0.0", port, &[]);
    let outside = outside_address();
    // Eight silent connections (no TLS hello) are held; the ninth is closed at once.
    let held: Vec<std::net::TcpStream> = (0..8)
        .map(|_| std::net::TcpStream::connect((outside.as_str(), port)).unwrap())
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut ninth = std::net::TcpStream::connect((outside.as_str(), port)).unwrap();
    ninth
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut byte = [0u8; 1];
    let closed = ninth.read(&mut byte);
    assert!(
        matches!(&closed, Ok(0))
            || matches!(&closed, Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "the ninth is closed without a word: {closed:?}"
    );
    // A device on the hub's own machine (loopback) still connects and syncs.
    let tab = enrolled_device(&hub, root.path(), "tablette-3");
    let status = json(
        &tab,
        &["--device", "tablette-3", "sync", "status", "--json"],
    );
    assert_eq!(status["state"], "in_sync", "{status}");
    // When the eight go, the address may connect again.
    drop(held);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut again = std::net::TcpStream::connect((outside.as_str(), port)).unwrap();
    again
        .set_read_timeout(Some(std::time::Duration::from_millis(500)))
        .unwrap();
    let waited = again.read(&mut byte);
    assert!(
        matches!(&waited, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut),
        "held open, waiting for a TLS hello: {waited:?}"
    );
}

/// A run's copy on one client: (ticked on, events, actions as (author, step, result)).
type RunCopy = (
    Option<String>,
    Vec<jumeau_core::procedure::RunEvent>,
    Vec<(String, String, Option<String>)>,
);

fn run_copy(rt: &jumeau_runtime::RuntimeHandle, procedure: &str) -> Option<RunCopy> {
    let board = rt.procedures()?;
    let r = board.runs.iter().find(|r| r.run.procedure == procedure)?;
    let actions = r
        .actions
        .iter()
        .map(|a| (a.author.clone(), a.step.clone(), a.result.clone()))
        .collect();
    Some((r.ticked_on.clone(), r.run.events.clone(), actions))
}

fn act(
    rt: &jumeau_runtime::RuntimeHandle,
    run: i64,
    step: &str,
    action: jumeau_core::procedure::Action,
) -> Result<jumeau_runtime::Reply, String> {
    rt.send(jumeau_runtime::Command::ProcedureAction {
        run,
        step: step.into(),
        action,
    })
    .wait(std::time::Duration::from_secs(5))
}

fn outcomes(events: &[jumeau_core::procedure::RunEvent], step: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.step.as_deref() == Some(step))
        .map(|e| format!("{:?} by {}", e.outcome, e.user.as_deref().unwrap_or("-")))
        .collect()
}

#[test]
fn a_procedure_run_is_shared_live_and_two_actions_on_one_step_settle_the_same_on_both() {
    use jumeau_core::procedure::Action;
    use jumeau_runtime::{Command, Reply};
    use std::time::Duration;
    let root = shared_tempdir();
    let (pg_port, port) = (free_port(), free_port());
    let mut hub = Hub::start(&root.path().join("hub"), pg_port, port, &[]);
    let cr = enrolled_device(&hub, root.path(), "salle-de-commande");
    let tab = enrolled_device(&hub, root.path(), "tablette-3");
    let room = runtime(&cr, "salle-de-commande", "j.martin");
    let tablet = runtime(&tab, "tablette-3", "a.durand");
    assert!(within(Duration::from_secs(20), || synced(&room) && synced(&tablet)).is_some());

    // The field agent starts the cold start on the tablet: the control room follows it.
    let Ok(Reply::RunStarted(on_tablet)) = tablet
        .send(Command::StartProcedure {
            name: "cc-start".into(),
        })
        .wait(Duration::from_secs(5))
    else {
        panic!("the tablet starts the run")
    };
    let seen = within(Duration::from_secs(10), || {
        run_copy(&room, "cc-start").is_some_and(|(on, _, _)| on.as_deref() == Some("tablette-3"))
    })
    .expect("the control room follows the tablet's run");
    eprintln!("run started on the tablet, followed in the control room after {seen:?}");
    let on_room = room.procedures().unwrap().runs[0].id;

    // Both confirm the first step at once: the tablet ticks the run, so its confirmation is
    // first; the control room's is settled as refused, and both show one confirmation.
    assert_eq!(
        act(&room, on_room, "prestart", Action::Confirm),
        Ok(Reply::Done)
    );
    assert_eq!(
        act(&tablet, on_tablet, "prestart", Action::Confirm),
        Ok(Reply::Done)
    );
    let settled = within(Duration::from_secs(10), || {
        run_copy(&room, "cc-start").is_some_and(|(_, _, a)| a.iter().all(|(_, _, r)| r.is_some()))
    })
    .expect("the tablet settles the control room's action");
    eprintln!("concurrent confirmations settled on both in {settled:?}");
    let (_, room_events, room_actions) = run_copy(&room, "cc-start").unwrap();
    assert_eq!(
        outcomes(&room_events, "prestart"),
        ["Confirmed by a.durand"]
    );
    let [(author, step, Some(refusal))] = &room_actions[..] else {
        panic!("{room_actions:?}")
    };
    assert_eq!((author.as_str(), step.as_str()), ("j.martin", "prestart"));
    assert_ne!(refusal, jumeau_runtime::APPLIED);
    eprintln!("the control room's confirmation: {refusal}");
    assert!(
        within(Duration::from_secs(10), || {
            run_copy(&tablet, "cc-start").map(|(_, e, a)| (e, a))
                == run_copy(&room, "cc-start").map(|(_, e, a)| (e, a))
        })
        .is_some(),
        "both show the same run: {:?} / {:?}",
        run_copy(&tablet, "cc-start"),
        run_copy(&room, "cc-start")
    );

    // The supervisor's release is the operator's (the field agent's is refused on the
    // tablet itself): sent from the control room, applied on the tablet.
    assert!(act(&tablet, on_tablet, "authorise", Action::Release).is_err());
    assert_eq!(
        act(&room, on_room, "authorise", Action::Release),
        Ok(Reply::Done)
    );
    assert!(
        within(Duration::from_secs(10), || {
            [&room, &tablet].iter().all(|rt| {
                run_copy(rt, "cc-start")
                    .is_some_and(|(_, e, _)| outcomes(&e, "authorise") == ["Released by j.martin"])
            })
        })
        .is_some(),
        "{:?}",
        run_copy(&tablet, "cc-start")
    );

    // Offline: the control room skips a step while the hub is down; the action waits in its
    // outbox, is applied when the hub is back, and both show the skip.
    hub.stop();
    assert!(
        within(Duration::from_secs(10), || !synced(&room)).is_some(),
        "{:?}",
        room.sync()
    );
    assert_eq!(
        act(
            &room,
            on_room,
            "purge",
            Action::Skip {
                reason: "balayage fait au lanceur local".into()
            }
        ),
        Ok(Reply::Done)
    );
    assert!(
        room.sync().pending >= 1
            || within(Duration::from_secs(5), || room.sync().pending >= 1).is_some()
    );
    hub.restart();
    let back = within(Duration::from_secs(20), || {
        [&room, &tablet].iter().all(|rt| {
            run_copy(rt, "cc-start")
                .is_some_and(|(_, e, _)| outcomes(&e, "purge") == ["Skipped by j.martin"])
        })
    })
    .expect("the skip made offline reaches the tablet and comes back applied");
    eprintln!("offline skip applied on both {back:?} after the hub came back");
    let (_, _, actions) = run_copy(&room, "cc-start").unwrap();
    assert_eq!(
        actions
            .iter()
            .map(|(_, s, r)| (s.as_str(), r.as_deref() == Some(jumeau_runtime::APPLIED)))
            .collect::<Vec<_>>(),
        [("prestart", false), ("authorise", true), ("purge", true)]
    );
    drop((room, tablet));
}

fn alarm(rt: &jumeau_runtime::RuntimeHandle, code: &str) -> Option<jumeau_core::alarm::Alarm> {
    rt.alarms()?.engine.alarm(code).cloned()
}

fn unacknowledged(rt: &jumeau_runtime::RuntimeHandle) -> Vec<String> {
    rt.alarms()
        .map(|b| {
            b.engine
                .alarms()
                .iter()
                .filter(|a| a.state == jumeau_core::alarm::AlarmState::Unacknowledged)
                .map(|a| a.code.clone())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_alarm_acknowledged_or_shelved_on_one_device_is_so_on_the_other() {
    use jumeau_runtime::{Command, Reply};
    use std::time::Duration;
    let root = shared_tempdir();
    let (pg_port, port) = (free_port(), free_port());
    let mut hub = Hub::start(&root.path().join("hub"), pg_port, port, &[]);
    let cr = enrolled_device(&hub, root.path(), "salle-de-commande");
    let tab = enrolled_device(&hub, root.path(), "tablette-3");
    // TG1 trips after two plant minutes: 12 s at ×10, on both devices' simulators.
    let room = runtime_on(&cr, "salle-de-commande", "j.martin", "tg1-trip", 10.0);
    let tablet = runtime_on(&tab, "tablette-3", "a.durand", "tg1-trip", 10.0);
    let mut code = None;
    within(Duration::from_secs(90), || {
        let here = unacknowledged(&tablet);
        code = unacknowledged(&room).into_iter().find(|c| here.contains(c));
        code.is_some() && synced(&room) && synced(&tablet)
    })
    .unwrap_or_else(|| {
        panic!(
            "the trip's alarms stand on both devices: {:?} / {:?}, {:?} / {:?}",
            unacknowledged(&room),
            unacknowledged(&tablet),
            room.sync(),
            tablet.sync()
        )
    });
    let code = code.unwrap();
    let send =
        |rt: &jumeau_runtime::RuntimeHandle, c: Command| rt.send(c).wait(Duration::from_secs(5));

    // The field agent acknowledges at the equipment: the control room's alarm is acknowledged.
    assert_eq!(
        send(
            &tablet,
            Command::Acknowledge {
                alarm: code.clone()
            }
        ),
        Ok(Reply::Done)
    );
    let acked = within(Duration::from_secs(10), || {
        alarm(&room, &code)
            .is_some_and(|a| a.state != jumeau_core::alarm::AlarmState::Unacknowledged)
    })
    .expect("the control room sees the tablet's acknowledgement");
    eprintln!(
        "{code} acknowledged on the tablet, acknowledged in the control room {acked:?} later"
    );

    // The operator shelves it in the control room: shelved on the tablet too, by them.
    assert_eq!(
        send(
            &room,
            Command::Shelve {
                alarm: code.clone(),
                minutes: 30,
                reason: "déclenchement connu, acquitté terrain".into(),
            }
        ),
        Ok(Reply::Done)
    );
    within(Duration::from_secs(10), || {
        alarm(&tablet, &code).is_some_and(|a| a.shelved.is_some_and(|s| s.by == "j.martin"))
    })
    .expect("shelved on the tablet");
    let left = alarm(&tablet, &code).unwrap().shelved.unwrap().until_ms - tablet.clock().now_ms();
    assert!(
        (25 * 60_000..=30 * 60_000).contains(&left),
        "the shelf lasts what was left of it: {left} ms"
    );

    // Unshelved while the hub is down: applied on the tablet when the hub is back.
    hub.stop();
    assert!(within(Duration::from_secs(10), || !synced(&room)).is_some());
    assert_eq!(
        send(
            &room,
            Command::Unshelve {
                alarm: code.clone()
            }
        ),
        Ok(Reply::Done)
    );
    hub.restart();
    let back = within(Duration::from_secs(20), || {
        alarm(&tablet, &code).is_some_and(|a| a.shelved.is_none())
    })
    .expect("unshelved on the tablet after the hub came back");
    eprintln!("offline unshelve applied on the tablet {back:?} after the hub came back");
    drop((room, tablet));
}

/// The shared change-set of `store` proposed on `origin`, as `changesets list --json` says.
fn shared_changeset(data: &Path, origin: &str) -> serde_json::Value {
    json(data, &["changesets", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["shared"]["origin"] == origin)
        .cloned()
        .unwrap_or_else(|| panic!("no change-set from {origin}"))
}

#[test]
fn a_changeset_proposed_on_the_tablet_is_validated_in_the_control_room_in_the_hubs_order() {
    let root = shared_tempdir();
    let (pg_port, port) = (free_port(), free_port());
    let hub = Hub::start(&root.path().join("hub"), pg_port, port, &[]);
    let cr = enrolled_device(&hub, root.path(), "salle-de-commande");
    let tab = enrolled_device(&hub, root.path(), "tablette-3");
    let mut component = jumeau_core::plant::embedded().md.components[0].clone();
    component.name_fr = format!("{} (plaque relevée sur site)", component.name_fr);
    let file = root.path().join("plaque.json");
    let content = jumeau_core::ChangeSetContent {
        changes: vec![jumeau_core::changeset::Change::UpsertComponent(
            component.clone(),
        )],
    };
    std::fs::write(&file, serde_json::to_string(&content).unwrap()).unwrap();
    let tablet = ["--device", "tablette-3"];
    let room = ["--device", "salle-de-commande"];
    fn with<'a>(device: &[&'a str; 2], rest: &[&'a str]) -> Vec<&'a str> {
        [&device[..], rest].concat()
    }

    // Proposed by the field agent on the tablet, seen in the control room.
    ok(
        &tab,
        &with(
            &tablet,
            &[
                "--user",
                "a.durand",
                "changesets",
                "propose",
                file.to_str().unwrap(),
                "--title",
                "Plaque relevée",
            ],
        ),
    );
    ok(&tab, &with(&tablet, &["sync", "push"]));
    ok(&cr, &with(&room, &["sync", "pull"]));
    let seen = shared_changeset(&cr, "tablette-3");
    assert_eq!(seen["status"], "proposed");
    assert_eq!(seen["proposed_by"], "a.durand");
    let id = seen["id"].to_string();

    // Validated in the control room: sent, applied once the hub has ordered it, on both.
    let out = ok(
        &cr,
        &with(
            &room,
            &["--user", "c.bernard", "changesets", "validate", &id],
        ),
    );
    assert!(out.contains("sent to the hub"), "{out}");
    assert_eq!(shared_changeset(&cr, "tablette-3")["status"], "proposed");
    ok(&cr, &with(&room, &["sync", "push"]));
    ok(&cr, &with(&room, &["sync", "pull"]));
    ok(&tab, &with(&tablet, &["sync", "pull"]));
    for data in [&cr, &tab] {
        let done = shared_changeset(data, "tablette-3");
        assert_eq!(done["status"], "validated", "{done}");
        assert_eq!(done["decided_by"], "c.bernard");
        let listed = json(data, &["components", "show", &component.code, "--json"]);
        assert_eq!(
            listed["component"]["name_fr"],
            component.name_fr.as_str(),
            "{listed}"
        );
    }
}
