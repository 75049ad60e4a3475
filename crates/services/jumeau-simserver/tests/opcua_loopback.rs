//! The simulator's OPC UA server and the client connector, over real loopback TCP.

use std::time::Duration;

use jumeau_scada::opcua_client::{self, ClientConfig, Security, WatchItem};
use jumeau_sim::{Clock, Scenario, Simulator};
use jumeau_simserver::opcua::serve;
use jumeau_tagbus::LinkEvent;
use jumeau_tagbus::live::{Freshness, LiveValues, StaleReason};
use jumeau_tagbus::{Quality, Value};
use tokio::sync::mpsc;

const WATCHED: [&str; 3] = ["11MBA00CS101", "11MKA10CE101", "11MKA10CE110"];

async fn start(addr: &str, pki: &std::path::Path) -> jumeau_simserver::opcua::SimServer {
    let md = jumeau_core::plant::embedded().md;
    let sim = Simulator::new(&md.tags, Scenario::load("dispatch").unwrap(), 1);
    serve(
        addr,
        &md,
        sim,
        Clock::new(10.0).unwrap(),
        Duration::from_millis(200),
        pki.to_path_buf(),
    )
    .await
    .unwrap()
}

fn items() -> Vec<WatchItem> {
    let md = jumeau_core::plant::embedded().md;
    WATCHED
        .iter()
        .map(|name| {
            let tag = md.tags.iter().find(|t| t.name == *name).unwrap();
            WatchItem {
                key: tag.name.clone(),
                node: tag.opcua_node.as_ref().unwrap().parse().unwrap(),
                unit: Some(tag.unit.clone()),
            }
        })
        .collect()
}

/// Drains events into `live` for `wait`, returning the updates seen.
async fn pump(
    rx: &mut mpsc::UnboundedReceiver<LinkEvent>,
    live: &mut LiveValues,
    wait: Duration,
) -> Vec<jumeau_tagbus::TagUpdate> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        match event {
            LinkEvent::Update(u) => {
                seen.push(u.clone());
                live.apply(u);
            }
            LinkEvent::Alive(t) => live.link_alive(t),
            LinkEvent::Connected => {}
            LinkEvent::Lost(_) => live.link_lost(),
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_units_timestamps_then_server_restart_turns_stale_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let server = start("127.0.0.1:0", &dir.path().join("pki-server")).await;
    let endpoint = server.endpoint.clone();
    let addr = endpoint
        .trim_start_matches("opc.tcp://")
        .trim_end_matches('/')
        .to_owned();

    let mut cfg = ClientConfig::new(&endpoint);
    cfg.pki_dir = dir.path().join("pki-client");
    cfg.publishing_ms = 200;
    cfg.sampling_ms = 100.0;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn = opcua_client::connect(&cfg, tx.clone()).await.unwrap();
    opcua_client::keep_subscribed(&conn, &cfg, items(), tx.clone())
        .await
        .unwrap();

    let mut live = LiveValues::new(3_000);
    let seen = pump(&mut rx, &mut live, Duration::from_secs(3)).await;
    let speed: Vec<_> = seen.iter().filter(|u| u.key == "11MBA00CS101").collect();
    assert!(speed.len() >= 3, "speed updates: {}", speed.len());
    let u = speed.last().unwrap();
    assert_eq!(u.unit.as_deref(), Some("rpm"));
    assert_eq!(u.quality, Quality::Good);
    let Some(Value::Number(rpm)) = u.value else {
        panic!("{u:?}")
    };
    assert!((2950.0..3050.0).contains(&rpm), "{rpm}");
    // Plant time: the simulator's epoch plus simulated seconds (×10 here), not the wall clock.
    let plant_ms = server.plant_now_ms();
    assert!(
        u.source_ms > server.epoch_ms && u.source_ms <= plant_ms && plant_ms - u.source_ms < 5_000,
        "source timestamp carried: {} ms after the epoch, plant now {} ms",
        u.source_ms - server.epoch_ms,
        plant_ms - server.epoch_ms
    );
    assert_eq!(
        live.get("11MKA10CE110").unwrap().value,
        Some(Value::State(true)),
        "breaker as Boolean"
    );
    assert_eq!(
        live.freshness("11MBA00CS101", jumeau_tagbus::now_ms()),
        Freshness::Fresh
    );

    // Kill the server: values turn stale.
    server.shutdown();
    pump(&mut rx, &mut live, Duration::from_secs(5)).await;
    match live.freshness("11MBA00CS101", jumeau_tagbus::now_ms()) {
        Freshness::Stale { age_ms, reason } => {
            assert!(matches!(
                reason,
                StaleReason::LinkDown | StaleReason::NoUpdate
            ));
            assert!(age_ms >= 2_000, "age {age_ms}");
        }
        other => panic!("still {other:?} after the server died"),
    }

    // Restart on the same port: the client reconnects and the subscription delivers again.
    let restarted = start(&addr, &dir.path().join("pki-server")).await;
    let resumed = pump(&mut rx, &mut live, Duration::from_secs(20)).await;
    assert!(
        resumed.iter().any(|u| u.key == "11MBA00CS101"),
        "values resume after restart"
    );
    assert_eq!(
        live.freshness("11MBA00CS101", jumeau_tagbus::now_ms()),
        Freshness::Fresh
    );
    restarted.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic256sha256_sign_and_encrypt_and_browse_with_units() {
    let dir = tempfile::tempdir().unwrap();
    let server = start("127.0.0.1:0", &dir.path().join("pki-server")).await;
    for security in [Security::Sign, Security::SignAndEncrypt] {
        let mut cfg = ClientConfig::new(&server.endpoint);
        cfg.pki_dir = dir.path().join("pki-client");
        cfg.security = security;
        let (tx, _rx) = mpsc::unbounded_channel();
        let session = opcua_client::connect(&cfg, tx)
            .await
            .unwrap_or_else(|e| panic!("{security:?}: {e}"))
            .session;
        if security == Security::SignAndEncrypt {
            let vars = opcua_client::browse(&session).await.unwrap();
            let md = jumeau_core::plant::embedded().md;
            assert_eq!(vars.len(), md.tags.len(), "one variable per tag");
            let speed = vars
                .iter()
                .find(|v| v.node_id == "ns=2;s=11MBA00CS101")
                .unwrap();
            assert_eq!(speed.data_type, "Double");
            assert_eq!(speed.unit.as_deref(), Some("rpm"));
            assert!(
                speed.path.starts_with("Jumeau/TG1/11MBA00"),
                "{}",
                speed.path
            );
            let breaker = vars
                .iter()
                .find(|v| v.node_id == "ns=2;s=11MKA10CE110")
                .unwrap();
            assert_eq!(breaker.data_type, "Boolean");
        }
        session.disconnect().await.ok();
    }
    server.shutdown();
}

/// Runs `scripts/opcua_greedy.py ENDPOINT MAX` and waits (off the runtime's threads) for its
/// one JSON line; the process is returned to be killed.
async fn greedy(endpoint: &str, most: usize) -> (std::process::Child, serde_json::Value) {
    use std::io::BufRead;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../scripts/opcua_greedy.py"
    );
    let mut child = std::process::Command::new("timeout")
        .args(["300", "python3", script, endpoint, &most.to_string()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/setup.sh installs asyncua)");
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();
    let report = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    (child, report)
}

/// SIGKILL to the client (`timeout`'s child) and to `timeout`: nothing is closed politely.
fn kill(mut child: std::process::Child) {
    let _ = std::process::Command::new("pkill")
        .args(["-KILL", "-P", &child.id().to_string()])
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// A client that takes every session it can (an independent asyncua client) cannot take the
/// one Jumeau's client holds, and once it is killed its sessions are reclaimed within the
/// server's session timeout (10 s), not the 60 s or more such a client asks for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_greedy_client_keeps_nobody_out_for_long_after_it_dies() {
    use jumeau_simserver::opcua::{MAX_SESSION_TIMEOUT_MS, MAX_SESSIONS};
    let dir = tempfile::tempdir().unwrap();
    let server = start("127.0.0.1:0", &dir.path().join("pki-server")).await;
    let mut cfg = ClientConfig::new(&server.endpoint);
    cfg.pki_dir = dir.path().join("pki-client");
    cfg.security = Security::None;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn = opcua_client::connect(&cfg, tx.clone()).await.unwrap();
    opcua_client::keep_subscribed(&conn, &cfg, items(), tx.clone())
        .await
        .unwrap();

    let (hog, report) = greedy(&server.endpoint, 100).await;
    assert_eq!(
        report,
        serde_json::json!({"sessions": MAX_SESSIONS - 1, "refused": "BadTooManySessions"}),
        "every session but Jumeau's own"
    );
    let mut live = LiveValues::new(3_000);
    pump(&mut rx, &mut live, Duration::from_millis(500)).await;
    let seen = pump(&mut rx, &mut live, Duration::from_secs(2)).await;
    assert!(
        seen.iter().any(|u| u.key == "11MBA00CS101"),
        "Jumeau's client still receives while the others are held"
    );

    kill(hog);
    tokio::time::sleep(Duration::from_millis(MAX_SESSION_TIMEOUT_MS + 3_000)).await;
    let (next, report) = greedy(&server.endpoint, 1).await;
    kill(next);
    assert_eq!(
        report,
        serde_json::json!({"sessions": 1, "refused": null}),
        "the dead client's sessions were reclaimed"
    );
    server.shutdown();
}

/// This machine's first address that is not loopback (`hostname -I`): a client reaching the
/// server by it comes from a remote address as far as the server can tell.
fn outside_address() -> String {
    let out = std::process::Command::new("hostname")
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

/// From a remote address a client gets its share of connections (4), told why beyond it
/// (BadMaxConnectionsReached); the local client is not counted against that share.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_remote_address_cannot_take_every_session() {
    use jumeau_simserver::gate::MAX_CONNECTIONS_PER_ADDRESS;
    let dir = tempfile::tempdir().unwrap();
    let server = start("0.0.0.0:0", &dir.path().join("pki-server")).await;
    let port = server
        .endpoint
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/');
    let remote = format!("opc.tcp://{}:{port}/", outside_address());
    let (hog, report) = greedy(&remote, 100).await;
    assert_eq!(report["sessions"], MAX_CONNECTIONS_PER_ADDRESS, "{report}");
    assert!(
        report["refused"]
            .as_str()
            .is_some_and(|r| r.contains("MaxConnectionsReached")),
        "{report}"
    );
    // Loopback still gets in, as many times as it needs.
    let local = format!("opc.tcp://127.0.0.1:{port}/");
    let (local_client, report) = greedy(&local, 6).await;
    assert_eq!(report, serde_json::json!({"sessions": 6, "refused": null}));
    kill(hog);
    kill(local_client);
    server.shutdown();
}
