//! MQTT ingest rate: a Mosquitto broker started here, one publisher sending N plant-format
//! payloads at QoS 1, the subscriber connector parsing them into updates.
//! `cargo bench -p jumeau-scada --bench mqtt_ingest` (`MQTT_MESSAGES`, default 20,000; needs
//! `mosquitto` on the PATH, scripts/setup.sh installs it).

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use jumeau_scada::mqtt::{self, Publisher};
use jumeau_tagbus::LinkEvent;
use jumeau_tagbus::{LiveValues, Value};

fn main() {
    let n: usize = std::env::var("MQTT_MESSAGES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut broker = Command::new("mosquitto")
        .args(["-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mosquitto on the PATH");
    std::thread::sleep(Duration::from_millis(500));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let broker_addr = format!("127.0.0.1:{port}");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let rejected = Arc::new(AtomicU64::new(0));
        let b = broker_addr.clone();
        let sub = tokio::spawn(async move {
            mqtt::subscribe(
                &b,
                &Default::default(),
                vec!["bench/#".into()],
                mqtt::Checks::default(),
                tx,
                rejected,
            )
            .await
        });
        // Wait for the subscription.
        while !matches!(rx.recv().await, Some(LinkEvent::Connected)) {}
        tokio::time::sleep(Duration::from_millis(300)).await;
        let publisher = Publisher::start(&broker_addr, &Default::default()).unwrap();
        let start = Instant::now();
        let now = jumeau_tagbus::now_ms();
        for i in 0..n {
            let tag = format!("T{:04}", i % 5_000);
            publisher
                .publish(
                    &format!("bench/{tag}"),
                    mqtt::payload(&tag, Some(Value::Number(i as f64)), "bar", now),
                )
                .await;
        }
        let mut live = LiveValues::new(5_000);
        let mut received = 0;
        // One deadline for the whole run: keep-alives must not keep a short run waiting.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let mut last = start;
        while received < n {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(LinkEvent::Update(u))) => {
                    received += 1;
                    last = Instant::now();
                    live.apply(u);
                }
                Ok(Some(_)) if last.elapsed() < Duration::from_secs(5) => {}
                _ => break,
            }
        }
        let secs = (last - start).as_secs_f64();
        println!(
            "MQTT ingest: {received} of {n} messages (QoS 1) in {secs:.2} s = {:.0} messages/s",
            received as f64 / secs
        );
        sub.abort();
    });
    broker.kill().ok();
    broker.wait().ok();
}
