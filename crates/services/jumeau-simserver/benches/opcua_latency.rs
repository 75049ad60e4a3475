//! Source-timestamp → tag-bus latency over loopback OPC UA, and the client's CPU, with N tags
//! changing at 1 Hz. The server runs in a child process (this binary with `--serve N`) so that
//! the CPU measured is the client's alone: the connector, the channel and `LiveValues`.
//!
//! `cargo bench -p jumeau-simserver --bench opcua_latency` (default 5,000 and 50,000 tags, 20 s
//! each; `LATENCY_TAGS=5000,50000 LATENCY_SECONDS=20`). Target: 50,000 tags, p99 < 250 ms,
//! client < 25 % of one core.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jumeau_scada::opcua_client::{self, ClientConfig, WatchItem};
use jumeau_simserver::opcua::{self as opcua_server, NodeList};
use jumeau_tagbus::LinkEvent;
use jumeau_tagbus::LiveValues;
use opcua::nodes::{ObjectBuilder, VariableBuilder};
use opcua::types::{DataTypeId, NodeId, ObjectId};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        let n: usize = args[i + 1].parse().unwrap();
        runtime.block_on(serve(n));
        return;
    }
    let tags: Vec<usize> = std::env::var("LATENCY_TAGS")
        .unwrap_or_else(|_| "5000,50000".into())
        .split(',')
        .map(|n| n.trim().parse().expect("LATENCY_TAGS: numbers"))
        .collect();
    let seconds: u64 = std::env::var("LATENCY_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    println!("tags    updates/s   p50 ms   p99 ms   max ms   client CPU (% of one core)");
    for n in tags {
        runtime.block_on(measure(&args[0], n, seconds));
    }
}

fn node(i: usize) -> NodeId {
    NodeId::new(2, format!("B{i:06}"))
}

/// Child: N Double variables, all changed once a second with the current source timestamp.
async fn serve(n: usize) {
    let dir = std::env::temp_dir().join(format!("jumeau-bench-pki-{}", std::process::id()));
    let server = opcua_server::listen("127.0.0.1:0", "Jumeau latency bench", dir, n)
        .await
        .unwrap();
    let folder = NodeId::new(server.ns, "Bench");
    let nodes: NodeList = {
        let mut space = server.manager.address_space().write();
        ObjectBuilder::new(&folder, "Bench", "Bench")
            .is_folder()
            .organized_by(ObjectId::ObjectsFolder)
            .insert(&mut *space);
        (0..n)
            .map(|i| {
                let id = node(i);
                VariableBuilder::new(&id, format!("B{i}"), format!("B{i}"))
                    .data_type(DataTypeId::Double)
                    .value(0.0)
                    .component_of(folder.clone())
                    .insert(&mut *space);
                Some((id, false))
            })
            .collect()
    };
    println!("ENDPOINT {}", server.endpoint);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut k = 0.0;
    loop {
        tick.tick().await;
        k += 1.0;
        let values: Vec<Option<f64>> = (0..n).map(|i| Some(i as f64 + k)).collect();
        opcua_server::publish(&server.manager, &server.handle, &nodes, &values, None);
    }
}

fn cpu_seconds() -> f64 {
    // utime + stime of this process, in clock ticks (fields 14 and 15 of /proc/self/stat).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

async fn measure(exe: &str, n: usize, seconds: u64) {
    let mut child = Command::new(exe)
        .args(["--serve", &n.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let endpoint = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(e) = line.strip_prefix("ENDPOINT ") {
            break e.to_owned();
        }
    };
    let mut cfg = ClientConfig::new(&endpoint);
    cfg.pki_dir = std::env::temp_dir().join("jumeau-bench-pki-client");
    cfg.sampling_ms = 0.0;
    cfg.publishing_ms = 50;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let conn = opcua_client::connect(&cfg, tx.clone()).await.unwrap();
    let items: Vec<WatchItem> = (0..n)
        .map(|i| WatchItem {
            key: format!("B{i}"),
            node: node(i),
            unit: None,
        })
        .collect();
    opcua_client::keep_subscribed(&conn, &cfg, items, tx)
        .await
        .unwrap();
    let mut live = LiveValues::new(5_000);
    // Warm-up: initial values of every item.
    let warm = Instant::now() + Duration::from_secs(5);
    while let Ok(Some(_)) = tokio::time::timeout_at(warm.into(), rx.recv()).await {}
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let end = t0 + Duration::from_secs(seconds);
    let mut latencies: Vec<i64> = Vec::new();
    while let Ok(Some(event)) = tokio::time::timeout_at(end.into(), rx.recv()).await {
        if let LinkEvent::Update(u) = event {
            latencies.push(u.receive_ms - u.source_ms);
            live.apply(u);
        }
    }
    let (cpu, wall) = (cpu_seconds() - cpu0, t0.elapsed().as_secs_f64());
    child.kill().ok();
    child.wait().ok();
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(-1)
    };
    println!(
        "{n:<7} {:>9.0} {:>8} {:>8} {:>8} {:>10.1}",
        latencies.len() as f64 / wall,
        pct(0.5),
        pct(0.99),
        latencies.last().copied().unwrap_or(-1),
        100.0 * cpu / wall
    );
}
