//! The simulator's server as a third-party client sees it: an OPC UA client written
//! independently of Jumeau (FreeOpcUa asyncua, `scripts/opcua_inspect.py`) checks the mandatory
//! properties of OPC UA Part 8 (EURange and EngineeringUnits on every AnalogItemType,
//! TrueState and FalseState on every TwoStateDiscreteType), BuildInfo, the operation limits,
//! that ten publish requests outstanding at once are queued, not refused; and, acting as a
//! hostile client, that items on unknown nodes, too many items and too many subscriptions are
//! refused.

use std::time::Duration;

use jumeau_sim::{Clock, Scenario, Simulator};
use jumeau_simserver::opcua::serve;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_independent_client_finds_the_information_model_it_expects() {
    let dir = tempfile::tempdir().unwrap();
    let md = jumeau_core::plant::embedded().md;
    let sim = Simulator::new(&md.tags, Scenario::load("dispatch").unwrap(), 1);
    let server = serve(
        "127.0.0.1:0",
        &md,
        sim,
        Clock::new(1.0).unwrap(),
        Duration::from_millis(500),
        dir.path().join("pki"),
    )
    .await
    .unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../scripts/opcua_inspect.py"
    );
    let endpoint = server.endpoint.clone();
    // The client runs in its own process while this runtime serves.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("timeout")
            .args(["180", "python3", script, &endpoint, "10"])
            .output()
    })
    .await
    .unwrap()
    .expect("python3 runs (scripts/setup.sh installs asyncua)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");

    let analog = md
        .tags
        .iter()
        .filter(|t| t.quantity != jumeau_core::Quantity::State)
        .count();
    assert_eq!(report["variables"], md.tags.len(), "{report}");
    assert_eq!(report["analog"], analog, "{report}");
    assert_eq!(report["two_state"], md.tags.len() - analog, "{report}");
    assert_eq!(report["missing"], serde_json::json!([]), "{report}");
    let item = |list: &str, tag: &str| {
        report[list]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["tag"] == tag))
            .cloned()
            .unwrap_or_else(|| panic!("{tag} not in {list}"))
    };
    // Values from master data (assets/plant/tags.csv), as the independent client read them.
    let speed = item("analog_items", "11MBA00CS101");
    assert_eq!(
        (speed["low"].as_f64(), speed["high"].as_f64()),
        (Some(0.0), Some(4000.0))
    );
    assert_eq!(speed["unit"], "rpm");
    let level = item("analog_items", "11HAD50CL101");
    assert_eq!(
        (level["low"].as_f64(), level["high"].as_f64()),
        (Some(-400.0), Some(400.0))
    );
    let trip = item("two_state_items", "11MBA00CE901");
    assert_eq!(
        (&trip["true"], &trip["false"]),
        (&"Déclenché".into(), &"Normal".into())
    );
    let breaker = item("two_state_items", "11MKA10CE110");
    assert_eq!(
        (&breaker["true"], &breaker["false"]),
        (&"Fermé".into(), &"Ouvert".into())
    );

    assert_eq!(
        report["build"]["product_name"], "Jumeau plant simulator",
        "{report}"
    );
    assert_eq!(report["build"]["manufacturer"], "Jumeau");
    assert_eq!(
        report["build"]["software_version"],
        env!("CARGO_PKG_VERSION")
    );
    assert!(
        report["limits"]["max_nodes_per_read"].as_u64() > Some(0),
        "{report}"
    );
    assert!(report["limits"]["max_monitored_items_per_call"].as_u64() >= Some(10_000));

    assert!(report["notifications"].as_u64() > Some(0), "{report}");
    assert_eq!(report["publish_refused"], 0, "{report}");
    assert_eq!(report["publish_failed"], serde_json::json!([]), "{report}");

    // A hostile client's items: none on a node that does not exist, a bounded number per
    // subscription, a bounded number of subscriptions per session.
    assert_eq!(report["known_node_item"], "Good", "{report}");
    assert_eq!(report["unknown_node_item"], "BadNodeIdUnknown", "{report}");
    let cap = jumeau_simserver::opcua::items_per_subscription(md.tags.len());
    assert_eq!(cap, 1_000, "the plant's 315 tags and room");
    assert_eq!(
        report["too_many_items"],
        serde_json::json!({"items": 5_000, "refused": "BadTooManyMonitoredItems"}),
        "1,000 items accepted, 5,000 more refused: {report}"
    );
    assert_eq!(
        report["subscriptions_opened"],
        jumeau_simserver::opcua::MAX_SUBSCRIPTIONS_PER_SESSION,
        "{report}"
    );
    assert_eq!(report["subscription_refused"], "BadTooManySubscriptions");
    server.shutdown();
}
