//! `jumeau sim`: the plant simulator standalone, served over OPC UA and optionally MQTT.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use jumeau_scada::mqtt;
use jumeau_sim::{Clock, Scenario, Simulator};
use jumeau_simserver::opcua as opcua_server;
use jumeau_store::StoreFiles;

use crate::cli::{SimArgs, SourceArgs};

pub fn run(
    store_files: &StoreFiles,
    args: &SimArgs,
    source: &SourceArgs,
) -> anyhow::Result<ExitCode> {
    // The plant as master data holds it: a validated change-set is served too.
    let md = crate::identity::open_store(store_files)?.master_data()?;
    let scenario = Scenario::load(&source.scenario)?;
    let clock = Clock::new(source.speed).map_err(anyhow::Error::msg)?;
    if let Some(broker) = &args.mqtt {
        mqtt::broker_address(broker).map_err(anyhow::Error::msg)?;
    }
    let title = format!("{} ({})", scenario.title_en, scenario.name);
    // `--source-user`: the one login the simulator's server accepts (no anonymous, no None),
    // and its publisher's login on the broker.
    let link = source.link()?;
    let users: Vec<(String, String)> = link
        .user
        .iter()
        .map(|c| (c.user.clone(), c.password.clone()))
        .collect();
    let sim = Simulator::new(&md.tags, scenario, source.seed);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    runtime.block_on(async {
        let access = opcua_server::Access {
            pki_dir: opcua_server::default_pki_dir(),
            users: users.clone(),
        };
        let server =
            opcua_server::serve(&args.opcua, &md, sim, clock, Duration::from_secs(1), access)
                .await?;
        println!(
            "simulator: {title}, ×{} , seed {}",
            clock.speed(),
            source.seed
        );
        match users.first() {
            None => println!(
                "OPC UA: {} (security None, Basic256Sha256 Sign / SignAndEncrypt; anonymous)",
                server.endpoint
            ),
            Some((user, _)) => println!(
                "OPC UA: {} (Basic256Sha256 Sign / SignAndEncrypt; user {user} only)",
                server.endpoint
            ),
        }
        if let Some(broker) = &args.mqtt {
            let publisher = mqtt::Publisher::start(broker, &link).map_err(anyhow::Error::msg)?;
            println!("MQTT: publishing to {broker}, one topic per tag (docs/mqtt-format.md)");
            let (sim, md, epoch_ms) = (server.simulator.clone(), md.clone(), server.epoch_ms);
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(Duration::from_secs(1));
                loop {
                    ticker.tick().await;
                    // Stamped with plant time, as the OPC UA values are.
                    let (values, now) = {
                        let s = sim.lock().expect("simulator lock");
                        (s.values(), opcua_server::plant_ms(epoch_ms, s.time_s()))
                    };
                    for (tag, value) in md.tags.iter().zip(values) {
                        let Some(topic) = &tag.mqtt_topic else {
                            continue;
                        };
                        let value = value.map(|x| {
                            if tag.quantity == jumeau_core::Quantity::State {
                                jumeau_tagbus::Value::State(x != 0.0)
                            } else {
                                jumeau_tagbus::Value::Number(x)
                            }
                        });
                        publisher
                            .publish(topic, mqtt::payload(&tag.name, value, &tag.unit, now))
                            .await;
                    }
                }
            });
        }
        match args.run_for {
            Some(d) => tokio::time::sleep(d).await,
            None => {
                tokio::signal::ctrl_c().await.ok();
            }
        }
        server.shutdown();
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
