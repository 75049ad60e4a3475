//! The data source, on the runtime's tokio thread: the built-in simulator served over OPC UA
//! on loopback and subscribed to like any plant server, or a plant's OPC UA server or MQTT
//! broker. Every update goes onto the shared `LiveValues` and into the historian. Connection
//! trouble shows as stale values and a status message; the source keeps retrying.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jumeau_core::masterdata::MasterData;
use jumeau_scada::link::LinkSecurity;
use jumeau_scada::mqtt;
use jumeau_scada::opcua_client::{self, ClientConfig, WatchItem};
use jumeau_sim::{Clock, Scenario, Simulator};
use jumeau_simserver::opcua as sim_opcua;
use jumeau_tagbus::{LinkEvent, LiveValues};

use crate::boards::SourceStatus;
use crate::clock::{PlantClock, SimHandles};
use crate::config::SourceConfig;
use crate::historian::Historian;

/// What the source task shares with the rest of the runtime.
pub(crate) struct Source {
    pub md: MasterData,
    pub live: Arc<Mutex<LiveValues>>,
    pub status: Arc<Mutex<SourceStatus>>,
    pub clock: PlantClock,
}

pub(crate) enum SourceKind {
    Simulator {
        simulator: Box<Simulator>,
        clock: Clock,
        addr: String,
    },
    Endpoint {
        url: String,
        link: LinkSecurity,
    },
}

impl SourceKind {
    /// The source a configuration names; a scenario that does not load or a speed out of
    /// range is an error now, before anything runs.
    pub(crate) fn from_config(
        source: &SourceConfig,
        md: &MasterData,
    ) -> anyhow::Result<SourceKind> {
        Ok(match source {
            SourceConfig::Simulator {
                scenario,
                speed,
                seed,
                addr,
            } => SourceKind::Simulator {
                simulator: Box::new(Simulator::new(&md.tags, Scenario::load(scenario)?, *seed)),
                clock: Clock::new(*speed).map_err(anyhow::Error::msg)?,
                addr: addr.clone(),
            },
            SourceConfig::Endpoint { url, link } => SourceKind::Endpoint {
                url: url.clone(),
                link: link.clone(),
            },
        })
    }
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

/// What each MQTT topic of master data carries: tag, unit, instrument range, kind.
pub fn mqtt_checks(md: &MasterData) -> mqtt::Checks {
    let topics = md
        .tags
        .iter()
        .filter_map(|t| {
            let spec = mqtt::TopicSpec {
                tag: t.name.clone(),
                unit: t.unit.clone(),
                range: t.range_low.zip(t.range_high),
                state: t.quantity == jumeau_core::Quantity::State,
            };
            Some((t.mqtt_topic.clone()?, spec))
        })
        .collect();
    mqtt::Checks {
        topics,
        ..mqtt::Checks::default()
    }
}

impl Source {
    fn set_error(&self, e: String) {
        self.status.lock().expect("status lock").error = Some(e);
    }

    pub async fn run(self, kind: SourceKind, mut historian: Historian) {
        let source = self;
        // Held for the source's whole life: dropping them would stop the server or the session.
        let mut _server = None;
        let mut _session = None;
        // The simulator's clock, held paused until the first value reaches us: plant time zero
        // is when the plant is first seen, at any speed (a trainee misses no second of it).
        let mut held: Option<Arc<Mutex<Clock>>> = None;
        let (endpoint, link) = match kind {
            SourceKind::Endpoint { url, link } => (url, link),
            SourceKind::Simulator {
                simulator,
                mut clock,
                addr,
            } => {
                clock.paused = true;
                let title = simulator.scenario().title_fr.clone();
                // Another client on this machine may already serve the simulator on this port.
                let addr = match std::net::TcpListener::bind(&addr) {
                    Ok(_) => addr,
                    Err(_) => "127.0.0.1:0".to_owned(),
                };
                let pki = sim_opcua::default_pki_dir();
                let served = sim_opcua::serve(
                    &addr,
                    &source.md,
                    *simulator,
                    clock,
                    Duration::from_secs(1),
                    pki,
                )
                .await;
                match served {
                    Ok(server) => {
                        source.clock.attach(SimHandles {
                            clock: server.clock.clone(),
                            simulator: server.simulator.clone(),
                            epoch_ms: server.epoch_ms,
                        });
                        source.status.lock().expect("status lock").simulator = Some(title);
                        let endpoint = server.endpoint.clone();
                        held = Some(server.clock.clone());
                        _server = Some(server);
                        // In-process, on loopback: no certificate to check.
                        (endpoint, LinkSecurity::default())
                    }
                    Err(e) => return source.set_error(e.to_string()),
                }
            }
        };
        source.status.lock().expect("status lock").endpoint = endpoint.clone();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        if endpoint.starts_with("mqtt://") || endpoint.starts_with("mqtts://") {
            // Plant values published on MQTT (docs/mqtt-format.md); keys are the payloads' tags.
            let (tx, rejected) = (tx.clone(), Arc::new(AtomicU64::new(0)));
            let broker = endpoint.clone();
            let checks = mqtt_checks(&source.md);
            tokio::spawn(async move {
                let topics = vec!["jumeau/#".into()];
                if let Err(e) = mqtt::subscribe(&broker, &link, topics, checks, tx, rejected).await
                {
                    tracing::error!("MQTT source: {e}");
                }
            });
        } else {
            let mut cfg = ClientConfig::with_link(&endpoint, &link);
            if held.is_some() {
                // As often as the simulator serves (every 100 ms of wall-clock time), so that
                // at ×20 the rules still see every second plant second.
                cfg.sampling_ms = sim_opcua::MIN_WALL_PERIOD.as_millis() as f64;
            }
            // The first connection is retried too: the plant server may come up after us.
            let conn = loop {
                match opcua_client::connect(&cfg, tx.clone()).await {
                    Ok(conn) => break conn,
                    Err(e) => {
                        source.set_error(e.to_string());
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                }
            };
            let items = watch_items(&source.md);
            if let Err(e) = opcua_client::keep_subscribed(&conn, &cfg, items, tx.clone()).await {
                return source.set_error(e.to_string());
            }
            _session = Some(conn);
        }
        source.status.lock().expect("status lock").error = None;
        let mut flush = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                event = rx.recv() => {
                    let Some(event) = event else { break };
                    let mut live = source.live.lock().expect("live lock");
                    match event {
                        LinkEvent::Update(u) => {
                            historian.record(&u);
                            live.apply(u);
                            if let Some(clock) = held.take() {
                                clock.lock().expect("clock lock").paused = false;
                            }
                        }
                        LinkEvent::Alive(t) => live.link_alive(t),
                        LinkEvent::Connected => live.link_alive(jumeau_tagbus::now_ms()),
                        LinkEvent::Lost(_) => live.link_lost(),
                    }
                }
                // Samples carry source time (plant time in training): retention is judged on
                // the same clock, or a session at ×60 would never age its own samples out.
                _ = flush.tick() => {
                    if let Err(e) = historian.flush(source.clock.now_ms()) {
                        source.set_error(format!("historian: {e}"));
                    }
                }
            }
        }
    }
}
