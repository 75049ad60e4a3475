//! The live feed behind the client: by default the built-in simulator served over OPC UA on
//! loopback, to which the client subscribes like to any real plant; or a real server given by
//! `--source`. Runs on its own tokio runtime thread and fills a shared `LiveValues`.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use jumeau_core::masterdata::MasterData;
use jumeau_scada::opcua_client::{self, ClientConfig, LinkEvent, Security, WatchItem};
use jumeau_scada::{LiveValues, Quality, TagUpdate};
use jumeau_scada::{mqtt, opcua_server};
use jumeau_sim::{Clock, Scenario, Simulator};
use jumeau_store::{Retention, Sample, Store};

use crate::alarms::{self, AlarmBoard, Recorder, SharedAlarms};
use crate::cli::SourceArgs;

/// Port of the built-in simulator's server; another free port is taken if it is busy.
pub const DEFAULT_SIM_ADDR: &str = "127.0.0.1:4840";

/// What the client shows about its source.
#[derive(Debug, Clone, Default)]
pub struct FeedStatus {
    pub endpoint: String,
    /// Scenario title when the source is the built-in simulator.
    pub simulator: Option<String>,
    /// The built-in simulator, for the trainer's controls.
    pub control: Option<SimControl>,
    pub error: Option<String>,
}

/// Handles on the built-in simulator: its clock (pause, speed) and the model (commands, faults).
#[derive(Clone)]
pub struct SimControl {
    pub clock: Arc<Mutex<Clock>>,
    pub simulator: Arc<Mutex<Simulator>>,
}

impl std::fmt::Debug for SimControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SimControl")
    }
}

/// Shared state of a running feed.
#[derive(Clone)]
pub struct Feed {
    pub live: Arc<Mutex<LiveValues>>,
    pub status: Arc<Mutex<FeedStatus>>,
    /// Alarms evaluated on `live`, journalled and signed by the feed's user.
    pub alarms: SharedAlarms,
}

/// Who the feed's automatic records (alarm transitions) are signed by.
pub struct FeedUser<'a> {
    pub login: &'a str,
    pub device: &'a str,
}

/// The items to subscribe to: every master-data tag with an OPC UA node.
pub fn watch_items(md: &MasterData) -> Vec<WatchItem> {
    md.tags
        .iter()
        .filter_map(|t| {
            let node = t.opcua_node.as_deref()?.parse().ok()?;
            Some(WatchItem {
                key: t.name.clone(),
                node,
                unit: Some(t.unit.clone()),
            })
        })
        .collect()
}

/// Starts the feed thread. Errors in the arguments are reported now; connection trouble later
/// shows as stale values and a status message, and the feed keeps retrying. Every update is
/// also written to the local historian in `store_path`, in batches.
pub fn start(
    md: &MasterData,
    args: &SourceArgs,
    store_path: &Path,
    user: FeedUser<'_>,
) -> anyhow::Result<Feed> {
    let historian = Historian {
        store: Store::open(store_path)?,
        pending: Vec::new(),
        last_compact_ms: 0,
    };
    let security = Security::parse(&args.security).map_err(anyhow::Error::msg)?;
    let simulator = match &args.source {
        Some(_) => None,
        None => {
            let scenario = Scenario::load(&args.scenario)?;
            let clock = Clock::new(args.speed).map_err(anyhow::Error::msg)?;
            Some((Simulator::new(&md.tags, scenario, args.seed), clock))
        }
    };
    let feed = Feed {
        live: Arc::new(Mutex::new(LiveValues::new(5_000))),
        status: Arc::new(Mutex::new(FeedStatus::default())),
        alarms: Arc::new(Mutex::new(AlarmBoard::new(md))),
    };
    let training = simulator.is_some();
    let recorder = Recorder::open(store_path, &feed.alarms, user.login, user.device, training)?;
    start_alarm_thread(recorder, &feed)?;
    let items = watch_items(md);
    let (md, source, thread_feed) = (md.clone(), args.source.clone(), feed.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the feed's runtime")?;
    std::thread::Builder::new()
        .name("jumeau-feed".into())
        .spawn(move || {
            runtime.block_on(run(
                md,
                source,
                simulator,
                security,
                items,
                thread_feed,
                historian,
            ))
        })
        .context("cannot start the feed thread")?;
    Ok(feed)
}

/// Evaluates the alarm rules every [`alarms::CYCLE_MS`], whether the source answers or not
/// (a silent source is what the quality alarms are for).
fn start_alarm_thread(mut recorder: Recorder, feed: &Feed) -> anyhow::Result<()> {
    let (board, live, status) = (feed.alarms.clone(), feed.live.clone(), feed.status.clone());
    std::thread::Builder::new()
        .name("jumeau-alarms".into())
        .spawn(move || {
            loop {
                recorder.cycle(&board, &live, &status);
                std::thread::sleep(Duration::from_millis(alarms::CYCLE_MS));
            }
        })
        .context("cannot start the alarm thread")?;
    Ok(())
}

async fn run(
    md: MasterData,
    source: Option<String>,
    simulator: Option<(Simulator, Clock)>,
    security: Security,
    items: Vec<WatchItem>,
    feed: Feed,
    mut historian: Historian,
) {
    let set_error = |e: String| feed.status.lock().expect("status lock").error = Some(e);
    // Held for the feed's whole life: dropping them would stop the built-in server or the session.
    let mut _server = None;
    let mut _session = None;
    let endpoint = match (source, simulator) {
        (Some(endpoint), _) => endpoint,
        (None, Some((sim, clock))) => {
            let title = sim.scenario().title_fr.clone();
            // Another client on this machine may already serve the simulator on the usual port.
            let addr = match std::net::TcpListener::bind(DEFAULT_SIM_ADDR) {
                Ok(_) => DEFAULT_SIM_ADDR,
                Err(_) => "127.0.0.1:0",
            };
            let pki = opcua_server::default_pki_dir();
            match opcua_server::serve(addr, &md, sim, clock, Duration::from_secs(1), pki).await {
                Ok(server) => {
                    let mut status = feed.status.lock().expect("status lock");
                    status.simulator = Some(title);
                    status.control = Some(SimControl {
                        clock: server.clock.clone(),
                        simulator: server.simulator.clone(),
                    });
                    drop(status);
                    let endpoint = server.endpoint.clone();
                    _server = Some(server);
                    endpoint
                }
                Err(e) => return set_error(e.to_string()),
            }
        }
        (None, None) => return,
    };
    feed.status.lock().expect("status lock").endpoint = endpoint.clone();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    if endpoint.starts_with("mqtt://") {
        // Plant values published on MQTT (docs/mqtt-format.md); keys are the payloads' tags.
        let (tx, rejected) = (tx.clone(), Arc::new(std::sync::atomic::AtomicU64::new(0)));
        let broker = endpoint.clone();
        tokio::spawn(async move {
            if let Err(e) = mqtt::subscribe(&broker, vec!["jumeau/#".into()], tx, rejected).await {
                tracing::error!("MQTT source: {e}");
            }
        });
    } else {
        let mut cfg = ClientConfig::new(&endpoint);
        cfg.security = security;
        // The first connection is retried too: the plant server may come up after the client.
        let conn = loop {
            match opcua_client::connect(&cfg, tx.clone()).await {
                Ok(conn) => break conn,
                Err(e) => {
                    set_error(e.to_string());
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        };
        if let Err(e) = opcua_client::keep_subscribed(&conn, &cfg, items, tx.clone()).await {
            return set_error(e.to_string());
        }
        // The session must outlive the loop below.
        _session = Some(conn);
    }
    feed.status.lock().expect("status lock").error = None;
    let mut flush = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            event = rx.recv() => {
                let Some(event) = event else { break };
                let mut live = feed.live.lock().expect("live lock");
                match event {
                    LinkEvent::Update(u) => {
                        historian.record(&u);
                        live.apply(u);
                    }
                    LinkEvent::Alive(t) => live.link_alive(t),
                    LinkEvent::Connected => live.link_alive(jumeau_scada::now_ms()),
                    LinkEvent::Lost(_) => live.link_lost(),
                }
            }
            _ = flush.tick() => {
                if let Err(e) = historian.flush() {
                    feed.status.lock().expect("status lock").error = Some(format!("historian: {e}"));
                }
            }
        }
    }
}

/// Buffers updates and writes them once a second (one transaction per batch); applies the
/// retention once an hour.
struct Historian {
    store: Store,
    pending: Vec<Sample>,
    last_compact_ms: i64,
}

impl Historian {
    fn record(&mut self, u: &TagUpdate) {
        let quality = match u.quality {
            Quality::Good => 0,
            Quality::Uncertain(_) => 1,
            Quality::Bad(_) => 2,
        };
        let value = u.value.map(|v| v.as_f64()).filter(|v| v.is_finite());
        self.pending.push(Sample {
            tag: u.key.clone(),
            ts_ms: u.source_ms,
            value,
            quality,
        });
    }

    fn flush(&mut self) -> Result<(), jumeau_store::StoreError> {
        if !self.pending.is_empty() {
            self.store.history_insert(&self.pending)?;
            self.pending.clear();
        }
        let now = jumeau_scada::now_ms();
        if now - self.last_compact_ms > 3_600_000 {
            self.store.history_compact(Retention::default(), now)?;
            self.last_compact_ms = now;
        }
        Ok(())
    }
}
