//! Procedures in a real store: definitions as master data through change-sets, runs saved and
//! resumed, their record append-only and in the logbook.

use jumeau_core::changeset::{Change, ChangeSetContent};
use jumeau_core::procedure::{self, Action, Outcome, Run, RunStatus};
use jumeau_core::{ProcedureSource, Role};
use jumeau_store::{LogFilter, Store, testing};

fn seeded() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = testing::set_passwords(&dir.path().join("jumeau.sqlite"), "poste-1").unwrap();
    (dir, store)
}

#[test]
fn a_run_is_saved_resumed_after_a_restart_and_recorded() {
    let (dir, mut store) = seeded();
    let md = store.master_data().unwrap();
    assert_eq!(md.procedures.len(), procedure::BUILT_IN.len(), "seeded");
    let p = md
        .procedures
        .iter()
        .find(|p| p.name == "cc-start")
        .unwrap()
        .load(&md)
        .unwrap();
    let t0 = 1_795_000_000_000;
    let mut run = Run::start(&p, "j.martin", Role::Operator, t0, false);
    let id = store.start_procedure_run(&run, "j.martin").unwrap();
    run.act(
        &p,
        "prestart",
        Action::Confirm,
        "j.martin",
        Role::Operator,
        t0 + 60_000,
    )
    .unwrap();
    run.act(
        &p,
        "authorise",
        Action::Release,
        "j.martin",
        Role::Operator,
        t0 + 90_000,
    )
    .unwrap();
    store
        .save_procedure_run(id, &run, 1, "j.martin", &[])
        .unwrap();
    // A second client that still had the old state cannot overwrite the newer record.
    assert!(
        store
            .save_procedure_run(id, &run, 1, "a.durand", &[])
            .is_err()
    );
    drop(store);

    // Restart: the run comes back as it was, timers included (times are wall-clock).
    let mut store = Store::open(&testing::files(&dir.path().join("jumeau.sqlite"))).unwrap();
    store
        .login("j.martin", &testing::password(), "poste-1")
        .unwrap();
    let runs = store.procedure_runs(true).unwrap();
    assert_eq!(runs.len(), 1);
    let stored = runs.into_iter().next().unwrap();
    assert!(stored.uid.is_some() && stored.owned_by("poste-1") && !stored.owned_by("tablette"));
    let (rid, mut resumed) = (stored.id, stored.run);
    assert_eq!((rid, &resumed), (id, &run));
    assert_eq!(resumed.current(&p), ["purge", "vacuum"]);
    let purge = |tag: &str| (tag == "11MBA00CS101").then_some(750.0);
    resumed.tick(&p, t0 + 100_000, &purge);
    let events = resumed.tick(&p, t0 + 100_000 + 180_000, &purge);
    assert!(
        events
            .iter()
            .any(|e| e.step.as_deref() == Some("purge") && e.outcome == Outcome::Passed)
    );
    resumed
        .act(
            &p,
            "x",
            Action::Abort {
                reason: "essai".into(),
            },
            "j.martin",
            Role::Operator,
            t0 + 400_000,
        )
        .unwrap();
    assert_eq!(resumed.status, RunStatus::Aborted);
    store
        .save_procedure_run(id, &resumed, run.events.len(), "j.martin", &[])
        .unwrap();
    assert!(store.procedure_runs(true).unwrap().is_empty());

    // The record: every event once, in order, with who and the values; also in the logbook.
    let stored = store.procedure_events(id).unwrap();
    assert_eq!(stored, resumed.events);
    let released = stored
        .iter()
        .find(|e| e.outcome == Outcome::Released)
        .unwrap();
    assert_eq!(
        (released.user.as_deref(), released.role),
        (Some("j.martin"), Some(Role::Operator))
    );
    let entries = store
        .logbook(&LogFilter {
            category: Some("procedure".into()),
            ..LogFilter::default()
        })
        .unwrap();
    assert_eq!(entries.len(), stored.len());
    assert!(entries.iter().any(|e| {
        e.body
            .text
            .contains("étape purge : condition automatique satisfaite, 11MBA00CS101 = 750")
    }));
    assert!(store.verify_logbook().unwrap().faults.is_empty());
    let conn = store.connection();
    assert!(conn.execute("DELETE FROM procedure_events", []).is_err());
    assert!(
        conn.execute("UPDATE procedure_events SET user = 'x'", [])
            .is_err()
    );
}

#[test]
fn a_bad_procedure_change_set_is_refused_and_changes_nothing() {
    let (_dir, mut store) = seeded();
    let before = store.master_data().unwrap();
    let good = before
        .procedures
        .iter()
        .find(|p| p.name == "gt-cold-start")
        .unwrap();
    let bad = ProcedureSource {
        name: good.name.clone(),
        source: good
            .source
            .replace("TG1.speed >= 700 rpm", "TG1.speed >= 700 bar"),
    };
    let id = store
        .propose_changeset(
            "c.bernard",
            "unité fausse",
            &ChangeSetContent {
                changes: vec![Change::UpsertProcedure(bad)],
            },
        )
        .unwrap();
    let err = store
        .validate_changeset("m.lefebvre", id, None)
        .unwrap_err();
    assert!(
        err.to_string().contains("unit `bar` does not match"),
        "{err}"
    );
    assert_eq!(store.master_data().unwrap(), before);
}
