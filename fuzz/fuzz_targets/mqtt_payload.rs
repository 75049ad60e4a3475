//! The MQTT payload parser and the master-data checks on what a broker delivers.
#![no_main]

use jumeau_scada::mqtt;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static CHECKS: LazyLock<mqtt::Checks> = LazyLock::new(|| {
    let md = jumeau_core::plant::embedded().md;
    // As the runtime builds them (jumeau_runtime::mqtt_checks), without linking the runtime.
    let mut checks = mqtt::Checks::default();
    for t in &md.tags {
        if let Some(topic) = &t.mqtt_topic {
            let spec = mqtt::TopicSpec {
                tag: t.name.clone(),
                unit: t.unit.clone(),
                range: t.range_low.zip(t.range_high),
                state: t.quantity == jumeau_core::Quantity::State,
            };
            checks.topics.insert(topic.clone(), spec);
        }
    }
    checks
});

fuzz_target!(|data: &[u8]| {
    // A topic of the plant's for the checks: the first byte picks one.
    let topic = CHECKS
        .topics
        .keys()
        .nth(data.first().map_or(0, |b| *b as usize) % CHECKS.topics.len().max(1))
        .cloned()
        .unwrap_or_default();
    if let Ok(update) = mqtt::parse_payload(data, 1_800_000_000_000) {
        let _ = CHECKS.check(&topic, &update);
    }
});
