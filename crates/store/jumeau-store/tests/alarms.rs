//! The alarm journal and alarm rules on a real SQLite file.

use jumeau_core::alarm::{AlarmEngine, AlarmRule, Condition, EventKind, Input, kpi};
use jumeau_core::changeset::{Change, ChangeSetContent};
use jumeau_store::{Store, testing};

fn seeded() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = testing::set_passwords(&dir.path().join("jumeau.sqlite"), "poste-1").unwrap();
    (dir, store)
}

#[test]
fn transitions_are_journalled_and_signed_in_the_logbook() {
    let (_dir, mut store) = seeded();
    let md = store.master_data().unwrap();
    let mut engine = AlarmEngine::new(&md);
    assert!(engine.problems().is_empty(), "{:?}", engine.problems());
    // Every tag at a mid value, then the feedwater pump's drive-end vibration at 6 mm/s.
    let vib = engine
        .tags()
        .iter()
        .position(|t| t == "11LAC10CY111")
        .unwrap();
    let mut inputs: Vec<Input> = vec![Input::MISSING; engine.tags().len()];
    inputs[vib] = Input {
        value: 6.0,
        ts_ms: 0,
        good: true,
    };
    let mut events = Vec::new();
    for t in (0..=20_000).step_by(1_000) {
        events.extend(engine.evaluate(t, &inputs));
    }
    let raised = events
        .iter()
        .filter(|e| e.kind == EventKind::Raised)
        .count();
    assert!(
        events.iter().any(|e| e.code == "11LAC10CY111-H"),
        "{events:?}"
    );
    events.push(
        engine
            .acknowledge("11LAC10CY111-H", "j.martin", 21_000)
            .unwrap(),
    );
    store
        .record_alarm_events(&events, &[], true, Some("j.martin"))
        .unwrap();

    let rows = store.alarm_journal(0, i64::MAX, 1000).unwrap();
    assert_eq!(rows.len(), events.len());
    let ack = rows.iter().find(|r| r.event == "acknowledged").unwrap();
    assert_eq!(
        (ack.position.as_str(), ack.user.as_deref()),
        ("CR1", Some("j.martin"))
    );
    assert!(ack.training);
    let h = rows
        .iter()
        .find(|r| r.code == "11LAC10CY111-H" && r.event == "raised")
        .unwrap();
    assert_eq!(
        (h.value, h.limit, h.priority.as_str()),
        (Some(6.0), Some(4.5), "medium")
    );

    let entries = store
        .logbook(&jumeau_store::LogFilter {
            category: Some("alarm".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(entries.len(), events.len());
    assert!(
        entries
            .iter()
            .all(|e| e.body.training && e.body.kind == "automatic")
    );
    assert!(
        entries
            .iter()
            .any(|e| e.body.text.contains("Alarme acquittée : 11LAC10CY111-H"))
    );
    assert!(store.verify_logbook().unwrap().faults.is_empty());

    // The KPIs read the journal back.
    let journal: Vec<_> = rows.iter().filter_map(|r| r.to_kpi_event()).collect();
    let k = kpi::compute(&journal, 0, 600_000);
    assert_eq!(k.alarms, raised);

    // Append-only.
    let conn = store.connection();
    assert!(
        conn.execute("UPDATE alarm_journal SET event = 'cleared'", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM alarm_journal", []).is_err());
}

#[test]
fn rules_change_through_change_sets_and_are_checked() {
    let (_dir, mut store) = seeded();
    let md = store.master_data().unwrap();
    let mut alarm = md
        .alarms
        .iter()
        .find(|a| a.code == "11LAC10CY111-H")
        .unwrap()
        .clone();
    alarm.rule = Some(AlarmRule {
        on_delay_s: 30.0,
        ..md.alarm_rule(&alarm).unwrap()
    });
    let content = ChangeSetContent {
        changes: vec![Change::UpsertAlarm(alarm.clone())],
    };
    let id = store
        .propose_changeset("c.bernard", "délai vibration PA1", &content)
        .unwrap();
    store.validate_changeset("m.lefebvre", id, None).unwrap();
    let reloaded = store.master_data().unwrap();
    let stored = reloaded
        .alarms
        .iter()
        .find(|a| a.code == alarm.code)
        .unwrap();
    assert_eq!(stored.rule.as_ref().unwrap().on_delay_s, 30.0);

    // A rule that reads a tag nobody measures is refused as a whole.
    let mut bad = alarm;
    bad.rule = Some(AlarmRule {
        when: Condition::IsOn {
            tag: "99XXX99CE999".into(),
        },
        ..bad.rule.unwrap()
    });
    let content = ChangeSetContent {
        changes: vec![Change::UpsertAlarm(bad)],
    };
    let id = store
        .propose_changeset("c.bernard", "règle fausse", &content)
        .unwrap();
    let err = store
        .validate_changeset("m.lefebvre", id, None)
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown tag `99XXX99CE999`"),
        "{err}"
    );
}
