//! The logbook on a real SQLite file: appends are signed and chained; tampering by hand in
//! SQLite (edit, delete, swap, replaced signature, forged insertion) is detected and located.

use jumeau_core::logbook::{EntryDraft, EntryKind, EntryValue, FaultKind};
use jumeau_store::{LogFilter, Store, StoreError, testing};

fn draft(text: &str) -> EntryDraft {
    EntryDraft {
        kind: EntryKind::Manual,
        category: "shift_note".into(),
        text: text.into(),
        components: vec!["TG1".into()],
        tags: vec!["ISO55000".into()],
        values: vec![EntryValue {
            name: "NOx".into(),
            unit: "mg/Nm³".into(),
            value: "31.5".into(),
        }],
        ..EntryDraft::default()
    }
}

/// A store with five entries by two users, and the triggers dropped as an attacker would.
fn tampered_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&dir.path().join("jumeau.sqlite"), "poste-1").unwrap();
    for i in 1..=5 {
        let who = if i % 2 == 0 { "a.durand" } else { "j.martin" };
        store
            .append_logbook(who, &draft(&format!("entrée {i}")))
            .unwrap();
    }
    assert!(store.verify_logbook().unwrap().faults.is_empty());
    store
        .connection()
        .execute_batch("DROP TRIGGER logbook_no_update; DROP TRIGGER logbook_no_delete;")
        .unwrap();
    (dir, store)
}

fn faults(store: &Store) -> Vec<(u64, FaultKind)> {
    store
        .verify_logbook()
        .unwrap()
        .faults
        .iter()
        .map(|f| (f.seq, f.kind))
        .collect()
}

#[test]
fn appended_entries_are_chained_signed_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&dir.path().join("jumeau.sqlite"), "poste-1").unwrap();
    assert_eq!(
        store
            .append_logbook("j.martin", &draft("Prise de quart"))
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .append_logbook("j.martin", &draft("Ronde faite"))
            .unwrap(),
        2
    );
    let entries = store.logbook(&LogFilter::default()).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].body.prev, entries[0].entry_hash);
    assert_eq!(
        entries[0].body.components,
        vec!["11MBA00"],
        "alias resolved to its code"
    );
    assert_eq!(entries[0].body.role, "operator");
    let v = store.verify_logbook().unwrap();
    assert_eq!((v.entries, v.faults.len()), (2, 0));
    // One key per user and device, registered, private part sealed (never in clear) and
    // readable by its owner only.
    let key_id = &entries[0].body.key_id;
    let key_file = dir
        .path()
        .join(format!("keys/j.martin@poste-1.{key_id}.sealed"));
    let sealed = std::fs::read_to_string(&key_file).unwrap();
    assert!(sealed.starts_with("jumeau-sealed-key/1:"), "{sealed}");
    assert!(!dir.path().join("keys/j.martin@poste-1.ed25519").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Every account logged in on poste-1 once: one key each.
    assert_eq!(store.public_keys().unwrap().len(), 6);
}

#[test]
fn entries_are_filtered_by_component_tag_category_author_text_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&dir.path().join("jumeau.sqlite"), "poste-1").unwrap();
    store
        .append_logbook("j.martin", &draft("Vibration TG1 palier 1"))
        .unwrap();
    let mut other = draft("Purge ballon HP CR2");
    other.components = vec!["CR2-BHP".into()];
    other.tags = vec!["IEC62682".into()];
    other.category = "maintenance".into();
    store.append_logbook("a.durand", &other).unwrap();
    let seqs = |f: LogFilter| -> Vec<u64> {
        store
            .logbook(&f)
            .unwrap()
            .iter()
            .map(|e| e.body.seq)
            .collect()
    };
    assert_eq!(
        seqs(LogFilter {
            component: Some("cr2-bhp".into()),
            ..Default::default()
        }),
        vec![2]
    );
    assert_eq!(
        seqs(LogFilter {
            component: Some("11MBA00".into()),
            ..Default::default()
        }),
        vec![1]
    );
    // A unit matches the entries about its sub-assemblies.
    let unit = |u: &str| LogFilter {
        component: Some(u.into()),
        ..Default::default()
    };
    assert_eq!(seqs(unit("CR2")), vec![2]);
    assert_eq!(seqs(unit("CR1")), Vec::<u64>::new());
    assert_eq!(
        seqs(LogFilter {
            tag: Some("IEC62682".into()),
            ..Default::default()
        }),
        vec![2]
    );
    assert_eq!(
        seqs(LogFilter {
            category: Some("shift_note".into()),
            ..Default::default()
        }),
        vec![1]
    );
    assert_eq!(
        seqs(LogFilter {
            author: Some("a.durand".into()),
            ..Default::default()
        }),
        vec![2]
    );
    assert_eq!(
        seqs(LogFilter {
            text: Some("PURGE".into()),
            ..Default::default()
        }),
        vec![2]
    );
    assert_eq!(
        seqs(LogFilter {
            to: Some("2000-01-01".into()),
            ..Default::default()
        }),
        Vec::<u64>::new()
    );
    assert_eq!(
        seqs(LogFilter {
            from: Some("2000-01-01".into()),
            limit: Some(1),
            ..Default::default()
        }),
        vec![2]
    );
}

#[test]
fn the_application_cannot_edit_or_delete_entries() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&dir.path().join("jumeau.sqlite"), "poste-1").unwrap();
    store.append_logbook("j.martin", &draft("x")).unwrap();
    let c = store.connection();
    assert!(
        c.execute("UPDATE logbook SET text = 'y'", [])
            .unwrap_err()
            .to_string()
            .contains("append-only")
    );
    assert!(
        c.execute("DELETE FROM logbook", [])
            .unwrap_err()
            .to_string()
            .contains("append-only")
    );
    c.execute(
        "UPDATE logbook SET countersignature = 'hub' WHERE seq = 1",
        [],
    )
    .unwrap();
}

#[test]
fn bad_drafts_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&dir.path().join("jumeau.sqlite"), "poste-1").unwrap();
    let mut bad = draft("x");
    bad.values[0].unit = "bar".into();
    assert!(matches!(
        store.append_logbook("j.martin", &bad),
        Err(StoreError::Invalid(_))
    ));
    let mut bad = draft("x");
    bad.components = vec!["TG9".into()];
    assert!(matches!(
        store.append_logbook("j.martin", &bad),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.append_logbook("mallory", &draft("x")),
        Err(StoreError::NotLoggedIn(_))
    ));
    assert!(matches!(
        store.append_logbook("l.petit", &draft("x")),
        Err(StoreError::Forbidden { .. })
    ));
    assert!(store.logbook(&LogFilter::default()).unwrap().is_empty());
}

#[test]
fn an_edited_row_is_located() {
    let (_dir, store) = tampered_store();
    store
        .connection()
        .execute(
            "UPDATE logbook SET text = 'rien à signaler' WHERE seq = 3",
            [],
        )
        .unwrap();
    assert_eq!(faults(&store), vec![(3, FaultKind::Modified)]);
}

#[test]
fn an_edited_body_is_located() {
    let (_dir, store) = tampered_store();
    store
        .connection()
        .execute("UPDATE logbook SET body = replace(body, 'entrée 2', 'entrée X'), text = 'entrée X' WHERE seq = 2", [])
        .unwrap();
    let f = faults(&store);
    assert!(f.contains(&(2, FaultKind::Modified)), "{f:?}");
    assert!(f.iter().all(|(seq, _)| *seq == 2), "{f:?}");
}

#[test]
fn a_deleted_row_is_located() {
    let (_dir, store) = tampered_store();
    store
        .connection()
        .execute("DELETE FROM logbook WHERE seq = 3", [])
        .unwrap();
    assert_eq!(faults(&store), vec![(4, FaultKind::Deleted)]);
}

#[test]
fn two_swapped_rows_are_located() {
    let (_dir, store) = tampered_store();
    // Swap the content of #2 and #4, each row keeping its place in the sequence.
    store
        .connection()
        .execute_batch(
            "UPDATE logbook SET seq = -2 WHERE seq = 2; UPDATE logbook SET seq = 2 WHERE seq = 4;
             UPDATE logbook SET seq = 4 WHERE seq = -2;",
        )
        .unwrap();
    let f = faults(&store);
    assert!(f.iter().any(|(_, k)| *k == FaultKind::Reordered), "{f:?}");
    assert!(f.iter().all(|(seq, _)| (2..=5).contains(seq)), "{f:?}");
}

#[test]
fn a_replaced_signature_is_located() {
    let (_dir, store) = tampered_store();
    store
        .connection()
        .execute("UPDATE logbook SET signature = (SELECT signature FROM logbook WHERE seq = 1) WHERE seq = 3", [])
        .unwrap();
    assert_eq!(faults(&store), vec![(3, FaultKind::BadSignature)]);
}

#[test]
fn a_forged_insertion_is_located() {
    let (_dir, mut store) = tampered_store();
    // A forger with a key of their own appends, then slides the entry into the middle.
    store.append_logbook("s.moreau", &draft("forgé")).unwrap();
    store
        .connection()
        .execute_batch(
            "UPDATE logbook SET seq = seq + 100 WHERE seq >= 3 AND seq <= 5;
             UPDATE logbook SET seq = 3 WHERE seq = 6;
             UPDATE logbook SET seq = seq - 99 WHERE seq >= 103;",
        )
        .unwrap();
    let f = faults(&store);
    assert!(f.contains(&(3, FaultKind::Inserted)), "{f:?}");
}

#[test]
fn an_unregistered_key_is_reported() {
    let (_dir, store) = tampered_store();
    store
        .connection()
        .execute_batch(
            "DROP TRIGGER device_keys_no_delete; DELETE FROM device_keys WHERE login = 'a.durand'",
        )
        .unwrap();
    let f = faults(&store);
    assert_eq!(
        f,
        vec![(2, FaultKind::UnknownKey), (4, FaultKind::UnknownKey)]
    );
}

#[test]
fn an_unreadable_column_is_a_modification() {
    let (_dir, store) = tampered_store();
    store
        .connection()
        .execute("UPDATE logbook SET components = 'oops' WHERE seq = 4", [])
        .unwrap();
    let v = store.verify_logbook().unwrap();
    assert_eq!(v.faults.len(), 1, "{:?}", v.faults);
    assert_eq!(
        (v.faults[0].seq, v.faults[0].kind),
        (4, FaultKind::Modified)
    );
    assert!(v.faults[0].detail.contains("unreadable"), "{:?}", v.faults);
}

#[test]
fn change_set_decisions_are_logged_with_the_decision() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&dir.path().join("jumeau.sqlite"), "poste-1").unwrap();
    // The installer's seed decisions (first start, no session) are not logged.
    assert!(store.logbook(&LogFilter::default()).unwrap().is_empty());
    let mut tg1 = jumeau_core::plant::embedded()
        .md
        .component("11MBA00")
        .unwrap()
        .clone();
    tg1.description = "Révision 2026 : chambres de combustion remplacées".into();
    let content = jumeau_core::ChangeSetContent {
        changes: vec![jumeau_core::changeset::Change::UpsertComponent(tg1)],
    };
    let a = store
        .propose_changeset("c.bernard", "TG1 révision", &content)
        .unwrap();
    store
        .validate_changeset("m.lefebvre", a, Some("conforme au PV"))
        .unwrap();
    let b = store
        .propose_changeset("a.durand", "TG1 bis", &content)
        .unwrap();
    store.reject_changeset("c.bernard", b, "doublon").unwrap();
    let entries = store
        .logbook(&LogFilter {
            category: Some("changeset".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (
            entries[0].body.author.as_str(),
            entries[0].body.kind.as_str()
        ),
        ("m.lefebvre", "automatic")
    );
    assert!(
        entries[0].body.text.contains(&format!("#{a} validé"))
            && entries[0].body.text.contains("conforme au PV")
    );
    assert!(
        entries[1].body.text.contains(&format!("#{b} rejeté"))
            && entries[1].body.text.contains("doublon")
    );
    assert!(store.verify_logbook().unwrap().faults.is_empty());
    // A refused decision logs nothing.
    assert!(store.validate_changeset("j.martin", b, None).is_err());
    assert_eq!(store.logbook(&LogFilter::default()).unwrap().len(), 2);
}
