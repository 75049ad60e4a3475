//! The runtime on the built-in simulator, driven as a viewer or a tool would drive it: through
//! its handle only, with a real store file, a real OPC UA server and client on loopback.

use std::path::Path;
use std::time::{Duration, Instant};

use jumeau_core::alarm::{AlarmRule, AlarmState, Condition, EventKind};
use jumeau_core::changeset::{Change, ChangeSetContent};
use jumeau_core::masterdata::{AlarmRef, Priority};
use jumeau_core::procedure::{Action, RunStatus, StepKind};
use jumeau_runtime::{
    Command, Reply, Runtime, RuntimeConfig, RuntimeEvent, RuntimeHandle, SourceConfig,
    TrainerCommand, TrendQuery,
};
use jumeau_store::{LogFilter, Store, testing};

const ANSWER: Duration = Duration::from_secs(10);

fn start(dir: &Path, login: &str, scenario: &str, speed: f64) -> RuntimeHandle {
    let store_path = dir.join("jumeau.db");
    testing::set_passwords(&store_path, "test-bench").expect("first logins");
    Runtime::start(RuntimeConfig {
        store: testing::files(&store_path),
        login: login.into(),
        password: testing::password(),
        device: "test-bench".into(),
        source: SourceConfig::Simulator {
            scenario: scenario.into(),
            speed,
            seed: 1,
            addr: "127.0.0.1:0".into(),
        },
    })
    .expect("runtime starts")
}

/// Waits (bounded) until `f` gives something, reading the event stream meanwhile.
fn wait_for<T>(
    rt: &RuntimeHandle,
    cursor: &mut u64,
    limit: Duration,
    mut f: impl FnMut(&[RuntimeEvent]) -> Option<T>,
) -> Option<T> {
    let deadline = Instant::now() + limit;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let (events, next) = rt.events_since(*cursor);
        *cursor = next;
        seen.extend(events);
        if let Some(t) = f(&seen) {
            return Some(t);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn runtime_acknowledges_an_alarm_runs_a_procedure_to_completion_and_reads_a_trend() {
    let dir = tempfile::tempdir().unwrap();
    // The trainer: acknowledges alarms and confirms manual steps in a training session.
    let rt = start(dir.path(), "s.moreau", "tg1-trip", 60.0);
    assert!(rt.training());
    let id = match rt
        .send(Command::StartProcedure {
            name: "tg1-trip-response".into(),
        })
        .wait(ANSWER)
    {
        Ok(Reply::RunStarted(id)) => id,
        other => panic!("{other:?}"),
    };

    // TG1 trips at 120 s of plant time (2 s at ×60): one critical latched alarm.
    let mut cursor = 0;
    let trip = "11MBA00CE901-TRIP";
    wait_for(&rt, &mut cursor, Duration::from_secs(60), |events| {
        events.iter().find_map(|e| match e {
            RuntimeEvent::Alarm(a) if a.code == trip && a.kind == EventKind::Raised => Some(()),
            _ => None,
        })
    })
    .expect("the TG1 trip alarm is raised");
    assert_eq!(
        rt.send(Command::Acknowledge { alarm: trip.into() })
            .wait(ANSWER),
        Ok(Reply::Done)
    );
    let state = rt.alarms().unwrap().engine.alarm(trip).unwrap().state;
    assert_ne!(state, AlarmState::Unacknowledged, "{state:?}");
    // Answered only once journalled: the acknowledgement is in the store already.
    let store = Store::open(&testing::files(&dir.path().join("jumeau.db"))).unwrap();
    let journal = store.alarm_journal(i64::MIN, i64::MAX, 10_000).unwrap();
    assert!(
        journal.iter().any(|r| r.code == trip
            && r.event == "acknowledged"
            && r.user.as_deref() == Some("s.moreau")),
        "{journal:?}"
    );

    // The run follows the plant; manual steps are confirmed as they come.
    let deadline = Instant::now() + Duration::from_secs(150);
    loop {
        assert!(
            Instant::now() < deadline,
            "the run did not complete in time"
        );
        let (status, manual) = {
            let board = rt.procedures().unwrap();
            // A finished run leaves the board (the store keeps it).
            let Some(run) = board.run(id) else { break };
            let p = board.procedure(&run.run.procedure).unwrap();
            let manual: Vec<String> = run
                .run
                .current(p)
                .iter()
                .filter(|s| {
                    let step = &p.procedure.steps[p.index_of(s).unwrap()];
                    matches!(
                        step.kind,
                        StepKind::Instruction | StepKind::ManualCheck { .. }
                    )
                })
                .map(|s| s.to_string())
                .collect();
            (run.run.status, manual)
        };
        if status == RunStatus::Completed {
            break;
        }
        assert_eq!(status, RunStatus::Running);
        for step in manual {
            let r = rt
                .send(Command::ProcedureAction {
                    run: id,
                    step,
                    action: Action::Confirm,
                })
                .wait(ANSWER);
            assert_eq!(r, Ok(Reply::Done));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let stored = store.procedure_runs(false).unwrap();
    let run = &stored.iter().find(|r| r.id == id).expect("run stored").run;
    assert_eq!(run.status, RunStatus::Completed);
    assert!(run.training, "a run on the simulator is training");

    // The trend of TG1's speed over the plant time so far: at speed before the trip, coasting
    // down after it.
    let now = rt.clock().now_ms();
    let series = rt
        .trend(TrendQuery {
            pens: vec!["11MBA00CS101".into()],
            from_ms: now - 3_600_000,
            to_ms: now,
            points: 500,
        })
        .wait(ANSWER)
        .expect("trend");
    let (pen, points) = &series[0];
    assert_eq!(pen, "11MBA00CS101");
    assert!(points.len() > 20, "{} points", points.len());
    let max = points.iter().map(|p| p.value).fold(f64::MIN, f64::max);
    let min = points.iter().map(|p| p.value).fold(f64::MAX, f64::min);
    assert!(
        max > 2_900.0 && min < 1_000.0,
        "max {max}, min {min}: {points:?}"
    );

    // The logbook holds the signed outcomes of the run.
    let entries = rt
        .logbook(LogFilter {
            category: Some("procedure".into()),
            ..LogFilter::default()
        })
        .wait(ANSWER)
        .unwrap();
    assert!(!entries.is_empty());
}

#[test]
fn rights_are_checked_by_the_runtime_not_by_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let auditor = start(dir.path(), "l.petit", "dispatch", 1.0);
    let refused = auditor
        .send(Command::StartProcedure {
            name: "tg1-trip-response".into(),
        })
        .wait(ANSWER);
    assert!(refused.unwrap_err().contains("auditor"));
    drop(auditor);
    let operator = start(dir.path(), "j.martin", "dispatch", 1.0);
    let refused = operator
        .send(Command::Trainer(TrainerCommand::Plant(
            jumeau_sim::Action::Trip { unit: "TG1".into() },
        )))
        .wait(ANSWER);
    assert!(refused.unwrap_err().contains("operator"));
    let refused = operator
        .send(Command::OutOfService {
            alarm: "11MBA00CE901-TRIP".into(),
            reason: Some("maintenance".into()),
        })
        .wait(ANSWER);
    assert!(refused.is_err());
    let unknown = operator
        .send(Command::Acknowledge {
            alarm: "NO-SUCH-ALARM".into(),
        })
        .wait(ANSWER);
    assert!(unknown.is_err());
}

/// A rate-of-change rule on TG1's speed, added to master data through a change-set (proposed by
/// one engineer, validated by another): the coast-down after a trip falls faster than it.
fn add_speed_fall_alarm(store_path: &Path) {
    let mut store = testing::set_passwords(store_path, "test-bench").unwrap();
    let alarm = AlarmRef {
        code: "11MBA00CS101-ROC".into(),
        component: "11MBA00".into(),
        parameter: None,
        limit: "rule".into(),
        priority: Priority::Low,
        cause: "Ralentissement rapide de TG1".into(),
        consequence: "Arrêt de la turbine".into(),
        action: "Vérifier le déclenchement".into(),
        rule: Some(AlarmRule {
            when: Condition::FallingFaster {
                tag: "11MBA00CS101".into(),
                per_min: 300.0,
                window_s: 30.0,
            },
            on_delay_s: 0.0,
            off_delay_s: 0.0,
            latching: false,
            suppress_when: None,
        }),
    };
    let content = ChangeSetContent {
        changes: vec![Change::UpsertAlarm(alarm)],
    };
    let id = store
        .propose_changeset("c.bernard", "Speed-fall alarm on TG1", &content)
        .unwrap();
    store.validate_changeset("m.lefebvre", id, None).unwrap();
}

/// When the speed-fall alarm fires after a TG1 trip at 5 s, in plant seconds since the
/// scenario's start.
fn rate_alarm_plant_time(speed: f64, scenario: &Path) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    add_speed_fall_alarm(&dir.path().join("jumeau.db"));
    let rt = start(dir.path(), "s.moreau", scenario.to_str().unwrap(), speed);
    let mut cursor = 0;
    let limit = Duration::from_secs_f64(120.0 / speed + 30.0);
    let at_ms = wait_for(&rt, &mut cursor, limit, |events| {
        events.iter().find_map(|e| match e {
            RuntimeEvent::Alarm(a)
                if a.code == "11MBA00CS101-ROC" && a.kind == EventKind::Raised =>
            {
                Some(a.ts_ms)
            }
            _ => None,
        })
    })
    .unwrap_or_else(|| panic!("no speed-fall alarm at ×{speed}"));
    let epoch = rt.clock().simulator_epoch_ms().expect("simulator source");
    (at_ms - epoch) as f64 / 1000.0
}

#[test]
fn a_rate_of_change_alarm_fires_at_the_same_plant_time_at_x20_as_at_x1() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("early-trip.toml");
    std::fs::write(
        &scenario,
        r#"name = "early-trip"
title_fr = "Déclenchement TG1 à 5 s"
title_en = "TG1 trip at 5 s"
description = "Block at base load; TG1 trips after five seconds."
ambient_c = 15.0

[initial]
state = "running"
tg1_mw = 166.0
tg2_mw = 166.0

[[event]]
at_s = 5.0
action = "trip"
unit = "TG1"
"#,
    )
    .unwrap();
    let fast = {
        let scenario = scenario.clone();
        std::thread::spawn(move || rate_alarm_plant_time(20.0, &scenario))
    };
    let at_x1 = rate_alarm_plant_time(1.0, &scenario);
    let at_x20 = fast.join().unwrap();
    assert!(at_x1 > 5.0, "after the trip: {at_x1} s");
    // The rate is measured over 30 s blocks of source time starting at the first sample the
    // engine evaluates (under load at ×20 it may first run a few plant seconds late), so the
    // two may differ by up to a block's phase. Stamped with wall-clock time the coast-down
    // would look 20 times as fast at ×20 and the block would end 30 s of wall-clock time in,
    // 600 plant seconds.
    assert!(
        (at_x20 - at_x1).abs() <= 15.0,
        "×1: {at_x1:.1} s, ×20: {at_x20:.1} s of plant time"
    );
}

#[test]
fn a_dry_run_completes_a_procedure_on_its_scenario_and_records_it() {
    use jumeau_runtime::{DryRun, DryRunEnd};
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&dir.path().join("jumeau.db"), "test-bench").unwrap();
    let md = store.master_data().unwrap();
    let source = md.procedures.iter().find(|p| p.name == "tg1-trip-response");
    let p = source.unwrap().load(&md).unwrap();
    let scenario = jumeau_sim::Scenario::load("tg1-trip").unwrap();
    let mut outcomes = Vec::new();
    let dry = DryRun {
        store: &mut store,
        login: "s.moreau",
        confirm_as: Some(jumeau_core::Role::Trainer),
        speed: 0.0,
        limit: Duration::from_secs(4 * 3600),
    };
    let end = dry
        .run(&p, &md, scenario, |events| {
            outcomes.extend(events.iter().map(|e| e.outcome))
        })
        .unwrap();
    assert!(matches!(end, DryRunEnd::Completed { .. }), "{end:?}");
    assert!(outcomes.len() > 3, "{outcomes:?}");
    let runs = store.procedure_runs(false).unwrap();
    assert_eq!(runs.len(), 1);
    assert!(runs[0].run.training);

    // Without anyone to answer the manual steps it stops where a person is needed.
    let scenario = jumeau_sim::Scenario::load("tg1-trip").unwrap();
    let dry = DryRun {
        store: &mut store,
        login: "s.moreau",
        confirm_as: None,
        speed: 0.0,
        limit: Duration::from_secs(600),
    };
    let end = dry.run(&p, &md, scenario, |_| {}).unwrap();
    assert!(
        matches!(&end, DryRunEnd::Waiting { steps, .. } if !steps.is_empty()),
        "{end:?}"
    );
}

/// The runtime's cells of the permission matrix (alarm and simulator actions) for one role:
/// an allowed command is carried out, or fails for another reason than the rights (an alarm
/// that is not active cannot be acknowledged); a refused one says why and leaves the alarm as
/// it was.
fn runtime_cells(role: jumeau_core::Role) {
    use jumeau_core::access::{Action as A, allows};
    let accounts = jumeau_core::plant::embedded_accounts().accounts;
    let login = &accounts.iter().find(|a| a.role == role).unwrap().login;
    let dir = tempfile::tempdir().unwrap();
    let rt = start(dir.path(), login, "dispatch", 1.0);
    let alarm = "11MBA00CE901-TRIP";
    let state = |rt: &RuntimeHandle| {
        let board = rt.alarms().unwrap();
        let a = board.engine.alarms().iter().find(|a| a.code == alarm);
        format!("{:?}", a.expect("the alarm exists"))
    };
    for action in [
        A::AcknowledgeAlarm,
        A::ShelveAlarm,
        A::TakeAlarmOutOfService,
        A::CommandSimulator,
    ] {
        let command = match action {
            A::AcknowledgeAlarm => Command::Acknowledge {
                alarm: alarm.into(),
            },
            A::ShelveAlarm => Command::Shelve {
                alarm: alarm.into(),
                minutes: 30,
                reason: "essai".into(),
            },
            A::TakeAlarmOutOfService => Command::OutOfService {
                alarm: alarm.into(),
                reason: Some("capteur en maintenance".into()),
            },
            _ => Command::Trainer(TrainerCommand::Pause(true)),
        };
        let before = state(&rt);
        let mut reply = rt.send(command.clone()).wait(ANSWER);
        // The simulator takes commands once it serves (a moment after the start).
        let serving = Instant::now() + ANSWER;
        while matches!(&reply, Err(e) if e.contains("not the built-in simulator"))
            && Instant::now() < serving
        {
            std::thread::sleep(Duration::from_millis(200));
            reply = rt.send(command.clone()).wait(ANSWER);
        }
        if allows(role, action) {
            match (&reply, action) {
                (Err(e), A::AcknowledgeAlarm) => assert!(!e.contains("may not"), "{login}: {e}"),
                (Err(e), _) => panic!("{login} ({role}) refused {action}: {e}"),
                (Ok(_), _) => {}
            }
        } else {
            let e = reply.expect_err(&format!("{login} ({role}) allowed to {action}"));
            assert!(e.contains(&format!("may not {action}")), "{login}: {e}");
            assert_eq!(
                before,
                state(&rt),
                "{login} refused {action} changed the alarm"
            );
        }
    }
}

#[test]
fn operator_alarm_and_simulator_cells() {
    runtime_cells(jumeau_core::Role::Operator);
}

#[test]
fn field_alarm_and_simulator_cells() {
    runtime_cells(jumeau_core::Role::Field);
}

#[test]
fn engineer_alarm_and_simulator_cells() {
    runtime_cells(jumeau_core::Role::Engineer);
}

#[test]
fn auditor_alarm_and_simulator_cells() {
    runtime_cells(jumeau_core::Role::Auditor);
}

#[test]
fn trainer_alarm_and_simulator_cells() {
    runtime_cells(jumeau_core::Role::Trainer);
}

#[test]
fn taking_an_alarm_out_of_service_asks_the_engineers_second_factor() {
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("jumeau.db");
    testing::set_passwords(&store_path, "poste-1").expect("first logins");
    // On a device not trusted yet: refused until a code of the authenticator is given.
    let rt = Runtime::start(RuntimeConfig {
        store: testing::files(&store_path),
        login: "m.lefebvre".into(),
        password: testing::password(),
        device: "poste-2".into(),
        source: SourceConfig::Simulator {
            scenario: "dispatch".into(),
            speed: 1.0,
            seed: 1,
            addr: "127.0.0.1:0".into(),
        },
    })
    .unwrap();
    let oos = || Command::OutOfService {
        alarm: "11MBA00CE901-TRIP".into(),
        reason: Some("maintenance".into()),
    };
    let refused = rt.send(oos()).wait(ANSWER).unwrap_err();
    assert!(refused.contains("second factor"), "{refused}");
    let wrong = rt
        .send(Command::SecondFactor {
            code: "000000".into(),
        })
        .wait(ANSWER);
    assert!(wrong.is_err() || testing::next_code() == "000000");
    rt.send(Command::SecondFactor {
        code: testing::next_code(),
    })
    .wait(ANSWER)
    .unwrap();
    rt.send(oos()).wait(ANSWER).unwrap();
}

#[test]
fn a_locked_session_acts_on_nothing_until_the_password_is_given_again() {
    let dir = tempfile::tempdir().unwrap();
    let rt = start(dir.path(), "j.martin", "dispatch", 1.0);
    let note = || Command::AppendLogbook(jumeau_core::logbook::EntryDraft::manual("note", "Ronde"));
    rt.send(note()).wait(ANSWER).unwrap();
    rt.send(Command::Lock).wait(ANSWER).unwrap();
    let refused = rt.send(note()).wait(ANSWER).unwrap_err();
    assert!(refused.contains("locked"), "{refused}");
    let refused = rt
        .send(Command::Shelve {
            alarm: "11MBA00CE901-TRIP".into(),
            minutes: 30,
            reason: "essai".into(),
        })
        .wait(ANSWER)
        .unwrap_err();
    assert!(refused.contains("locked"), "{refused}");
    let wrong = rt
        .send(Command::Unlock {
            password: jumeau_store::Password::new("pas le mot de passe"),
        })
        .wait(ANSWER)
        .unwrap_err();
    assert!(wrong.contains("wrong"), "{wrong}");
    rt.send(Command::Unlock {
        password: testing::password(),
    })
    .wait(ANSWER)
    .unwrap();
    rt.send(note()).wait(ANSWER).unwrap();
    let entries = rt
        .logbook(LogFilter {
            category: Some("note".into()),
            ..Default::default()
        })
        .wait(ANSWER)
        .unwrap();
    assert_eq!(entries.len(), 2, "the refused entry was not written");
}

#[test]
fn the_auditor_reads_and_exports_the_audit_trail_through_the_runtime_an_operator_may_not() {
    let dir = tempfile::tempdir().unwrap();
    let operator = start(dir.path(), "j.martin", "dispatch", 1.0);
    let refused = operator
        .send(Command::Audit(jumeau_runtime::AuditFilter::default()))
        .wait(ANSWER)
        .unwrap_err();
    assert!(
        refused.contains("may not read the audit trail"),
        "{refused}"
    );
    drop(operator);
    let auditor = start(dir.path(), "l.petit", "dispatch", 1.0);
    let filter = jumeau_runtime::AuditFilter {
        actor: Some("j.martin".into()),
        action: Some("login".into()),
        ..Default::default()
    };
    let Reply::Audit(rows) = auditor
        .send(Command::Audit(filter.clone()))
        .wait(ANSWER)
        .unwrap()
    else {
        panic!("not rows")
    };
    assert!(!rows.is_empty() && rows.iter().all(|r| r.actor == "j.martin"));
    let out = dir.path().join("audit.csv");
    let Reply::Exported(manifest) = auditor
        .send(Command::ExportAudit {
            filter,
            out: out.clone(),
        })
        .wait(ANSWER)
        .unwrap()
    else {
        panic!("not exported")
    };
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(csv.lines().count(), rows.len() + 1, "{csv}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(manifest).unwrap()).unwrap();
    assert_eq!(manifest["signer"], "l.petit");
    assert_eq!(manifest["entries"], rows.len());
}

/// The login screen's path: the door opens without a login, refuses a wrong password (the
/// door comes back for the next attempt, the failure audited), makes a one-time password be
/// changed before anything, then opens the runtime for the person who logged in.
#[test]
fn door_refuses_a_wrong_password_makes_a_one_time_password_be_changed_then_opens() {
    use jumeau_runtime::{Door, LoginRefusal};
    use jumeau_store::{AuditFilter, Password, StoreError};
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("jumeau.db");
    let mut store = Store::open_seeded(&testing::files(&store_path)).unwrap();
    let once: std::collections::HashMap<String, Password> =
        store.take_new_passwords().into_iter().collect();
    // The auditor who reads the trail at the end.
    store.login("l.petit", &once["l.petit"], "bench").unwrap();
    store
        .change_password("l.petit", &once["l.petit"], &testing::password())
        .unwrap();
    drop(store);
    let source = SourceConfig::simulator("dispatch", 1.0, 1);
    let door = Door::open(testing::files(&store_path), "tablet-7".into(), source).unwrap();
    assert_eq!(
        door.md().units.len(),
        6,
        "master data is read before any login"
    );

    let refused = door
        .log_in("a.durand", &Password::new("not the password at all"))
        .err()
        .expect("a wrong password is refused");
    assert!(matches!(
        refused.why,
        LoginRefusal::Store(StoreError::BadCredentials)
    ));
    let refused = refused
        .door
        .log_in("a.durand", &once["a.durand"])
        .err()
        .expect("a one-time password opens nothing");
    assert!(matches!(refused.why, LoginRefusal::MustChangePassword(ref l) if l == "a.durand"));
    let refused = refused
        .door
        .change_password_and_enter(
            "a.durand",
            &once["a.durand"],
            &Password::new("a.durand2026"),
        )
        .err()
        .expect("a new password containing the login is refused");
    assert!(matches!(
        refused.why,
        LoginRefusal::Store(StoreError::WeakPassword(_))
    ));
    let runtime = refused
        .door
        .change_password_and_enter("a.durand", &once["a.durand"], &testing::password())
        .unwrap_or_else(|r| panic!("own password set: {}", r.why));
    assert_eq!(runtime.actor().login, "a.durand");
    assert_eq!(runtime.actor().role, jumeau_core::Role::Field);
    assert_eq!(runtime.actor().device, "tablet-7");
    drop(runtime);

    // What the audit trail says, read as the auditor.
    let mut auditor = Store::open(&testing::files(&store_path)).unwrap();
    auditor
        .login("l.petit", &testing::password(), "bench")
        .unwrap();
    let rows = auditor
        .audit_rows(
            "l.petit",
            &AuditFilter {
                actor: Some("a.durand".into()),
                ..AuditFilter::default()
            },
        )
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    for expected in ["login_failed", "login", "change_password"] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    // The new password is the one that works now.
    let door = Door::open(
        testing::files(&store_path),
        "tablet-7".into(),
        SourceConfig::simulator("dispatch", 1.0, 1),
    )
    .unwrap();
    assert!(door.log_in("a.durand", &testing::password()).is_ok());
}
