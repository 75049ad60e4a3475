//! Store behaviour on real SQLite files: migrations, refusal of foreign, newer or damaged files,
//! seeded master data, change-sets and the audit trail.

use jumeau_core::changeset::{Change, DecisionRefused};
use jumeau_core::{ChangeSetContent, ChangeSetStatus, Role, plant};
use jumeau_store::{MIGRATIONS, Store, StoreError, latest_version, testing};
use std::path::{Path, PathBuf};

fn temp_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jumeau.sqlite");
    (dir, path)
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn fresh_store_is_migrated_in_wal_mode() {
    let (_dir, path) = temp_store();
    let store = Store::open(&testing::files(&path)).unwrap();
    assert_eq!(store.schema_version().unwrap(), latest_version());
    let mode: String = store
        .connection()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn reopening_applies_nothing_twice_and_keeps_data() {
    let (_dir, path) = temp_store();
    let md = Store::open_seeded(&testing::files(&path))
        .unwrap()
        .master_data()
        .unwrap();
    let store = Store::open_seeded(&testing::files(&path)).unwrap();
    let applied: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(applied as usize, MIGRATIONS.len());
    assert_eq!(store.master_data().unwrap(), md);
    assert_eq!(store.changesets().unwrap().len(), 1, "seed applied once");
}

#[test]
fn store_from_a_newer_version_is_refused_and_untouched() {
    let (_dir, path) = temp_store();
    {
        let store = Store::open(&testing::files(&path)).unwrap();
        store
            .connection()
            .execute(
                "INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 'x', 'now')",
                [],
            )
            .unwrap();
        store
            .connection()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }
    let before = bytes(&path);
    let err = Store::open(&testing::files(&path)).err().expect("refused");
    assert!(
        matches!(err, StoreError::TooNew { found: 999, known, .. } if known == latest_version()),
        "{err}"
    );
    assert!(err.to_string().contains("newer Jumeau"), "{err}");
    assert_eq!(bytes(&path), before);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_untouched() {
    let (_dir, path) = temp_store();
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let err = Store::open(&testing::files(&path)).err().expect("refused");
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err}");
    assert!(err.to_string().contains("left untouched"));
    assert_eq!(bytes(&path), garbage);
}

#[test]
fn a_damaged_store_is_refused_and_untouched() {
    let (_dir, path) = temp_store();
    {
        Store::open_seeded(&testing::files(&path)).unwrap();
    }
    // Keep the magic string, destroy the rest of the header and the schema page.
    let mut damaged = bytes(&path);
    for b in damaged[16..4096].iter_mut() {
        *b = 0xA5;
    }
    std::fs::write(&path, &damaged).unwrap();
    let err = Store::open(&testing::files(&path)).err().expect("refused");
    // An encrypted page that fails its HMAC reads like a wrong key.
    assert!(
        matches!(
            err,
            StoreError::NotSqlite { .. } | StoreError::Corrupt { .. }
        ),
        "{err}"
    );
    assert_eq!(bytes(&path), damaged);
    assert!(!path.with_extension("sqlite-wal").exists());
}

#[test]
fn another_applications_database_is_refused() {
    let (_dir, path) = temp_store();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
            .unwrap();
    }
    let before = bytes(&path);
    let err = Store::open(&testing::files(&path)).err().expect("refused");
    assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
    assert_eq!(bytes(&path), before);
}

#[test]
fn every_migration_file_is_listed_in_order() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../migrations");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    let listed: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
    assert_eq!(files, listed);
    for (i, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(m.version as usize, i + 1);
        assert!(m.name.starts_with(&format!("{:04}_", m.version)));
    }
}

#[test]
fn seeded_master_data_is_complete_and_consistent() {
    let (_dir, path) = temp_store();
    let store = Store::open_seeded(&testing::files(&path)).unwrap();
    let md = store.master_data().unwrap();
    assert!(md.check().is_empty(), "{:#?}", md.check());
    assert!(md.components.len() >= 60);
    assert!(md.tags.len() >= 300);
    // Same content as the seed, whatever order the tables give.
    let mut expected = plant::embedded().md;
    expected.components.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(md.components, expected.components);
    assert_eq!(md.units, expected.units, "units in display order");
    assert_eq!(md.tags.len(), expected.tags.len());
    assert_eq!(md.parameters.len(), expected.parameters.len());
    // Every tag hangs off a stored component (also enforced by a foreign key).
    let orphans: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM tags t LEFT JOIN components c ON c.code = t.component WHERE c.code IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
}

#[test]
fn seed_went_through_a_validated_change_set_with_four_eyes() {
    let (_dir, path) = temp_store();
    let store = testing::set_passwords(&path, "poste-1").unwrap();
    let cs = &store.changesets().unwrap()[0];
    let accounts = plant::embedded().accounts;
    assert_eq!(cs.status, ChangeSetStatus::Validated);
    assert_eq!(cs.proposed_by, accounts.seed_proposer);
    assert_eq!(
        cs.decided_by.as_deref(),
        Some(accounts.seed_validator.as_str())
    );
    let detail = store.component_detail("cr1").unwrap();
    assert_eq!(detail.component.code, "11HAD00");
    assert_eq!(detail.changeset.id, cs.id);
    let audit = store.audit_trail("l.petit", 100).unwrap();
    assert!(audit.iter().any(|a| a.action == "validate"
        && a.actor == accounts.seed_validator
        && a.entity_id.as_deref() == Some(&cs.id.to_string()[..])));
    assert!(
        audit
            .iter()
            .any(|a| a.action == "propose" && a.actor == accounts.seed_proposer)
    );
}

fn rename_tg1(alias_fr: &str) -> ChangeSetContent {
    let mut tg1 = plant::embedded().md.component("11MBA00").unwrap().clone();
    tg1.name_fr = alias_fr.to_owned();
    ChangeSetContent {
        changes: vec![Change::UpsertComponent(tg1)],
    }
}

#[test]
fn an_operator_cannot_validate_an_engineer_can() {
    let (_dir, path) = temp_store();
    let mut store = testing::set_passwords(&path, "poste-1").unwrap();
    let id = store
        .propose_changeset("j.martin", "Renommer TG1", &rename_tg1("TG 1 (renommée)"))
        .unwrap();
    let err = store.validate_changeset("j.martin", id, None).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Forbidden(ref r) if r.role == Role::Operator
        ),
        "{err}"
    );
    let err = store.validate_changeset("l.petit", id, None).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Forbidden(ref r) if r.role == Role::Auditor
        ),
        "{err}"
    );
    assert_eq!(
        store.component_detail("TG1").unwrap().component.name_fr,
        "Turbine à gaz 1"
    );

    store
        .validate_changeset("c.bernard", id, Some("ok"))
        .unwrap();
    let detail = store.component_detail("TG1").unwrap();
    assert_eq!(detail.component.name_fr, "TG 1 (renommée)");
    assert_eq!(detail.changeset.id, id);
    let last = &store.audit_trail("l.petit", 1).unwrap()[0];
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.entity_id.as_deref()
        ),
        ("c.bernard", "validate", Some(&id.to_string()[..]))
    );
    // Decided once only.
    assert!(store.validate_changeset("m.lefebvre", id, None).is_err());
}

#[test]
fn an_engineer_cannot_validate_own_change_set() {
    let (_dir, path) = temp_store();
    let mut store = testing::set_passwords(&path, "poste-1").unwrap();
    let id = store
        .propose_changeset("c.bernard", "Renommer TG1", &rename_tg1("x"))
        .unwrap();
    let err = store.validate_changeset("c.bernard", id, None).unwrap_err();
    assert!(
        matches!(err, StoreError::Decision(DecisionRefused::OwnChange(_))),
        "{err}"
    );
}

#[test]
fn an_auditor_cannot_propose() {
    let (_dir, path) = temp_store();
    let mut store = testing::set_passwords(&path, "poste-1").unwrap();
    let err = store
        .propose_changeset("l.petit", "x", &rename_tg1("x"))
        .unwrap_err();
    assert!(matches!(err, StoreError::Forbidden { .. }), "{err}");
}

#[test]
fn an_inconsistent_change_set_changes_nothing() {
    let (_dir, path) = temp_store();
    let mut store = testing::set_passwords(&path, "poste-1").unwrap();
    let before = store.master_data().unwrap();
    let mut p = before
        .parameters
        .iter()
        .find(|p| p.component == "11HAD50BB001" && p.name == "pressure")
        .unwrap()
        .clone();
    p.limits.hh = Some(100.0); // below H: out of order
    let content = ChangeSetContent {
        changes: vec![
            rename_tg1("y").changes[0].clone(),
            Change::UpsertParameter(p),
        ],
    };
    let id = store
        .propose_changeset("c.bernard", "Seuils ballon HP", &content)
        .unwrap();
    let err = store
        .validate_changeset("m.lefebvre", id, None)
        .unwrap_err();
    assert!(matches!(err, StoreError::Integrity(_)), "{err}");
    assert!(err.to_string().contains("HH"), "{err}");
    assert_eq!(store.master_data().unwrap(), before);
    assert_eq!(
        store.changeset(id).unwrap().status,
        ChangeSetStatus::Proposed
    );
}

#[test]
fn a_rejected_change_set_is_recorded_and_applies_nothing() {
    let (_dir, path) = temp_store();
    let mut store = testing::set_passwords(&path, "poste-1").unwrap();
    let before = store.master_data().unwrap();
    let id = store
        .propose_changeset("a.durand", "Renommer TG1", &rename_tg1("z"))
        .unwrap();
    store
        .reject_changeset("m.lefebvre", id, "nom non conforme")
        .unwrap();
    let cs = store.changeset(id).unwrap();
    assert_eq!(cs.status, ChangeSetStatus::Rejected);
    assert_eq!(cs.decision_note.as_deref(), Some("nom non conforme"));
    assert_eq!(store.master_data().unwrap(), before);
    assert_eq!(store.audit_trail("l.petit", 1).unwrap()[0].action, "reject");
}

#[test]
fn the_audit_trail_is_append_only() {
    let (_dir, path) = temp_store();
    let store = Store::open_seeded(&testing::files(&path)).unwrap();
    let conn = store.connection();
    let err = conn
        .execute("UPDATE audit SET actor = 'x'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn.execute("DELETE FROM audit", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn unknown_users_are_refused() {
    let (_dir, path) = temp_store();
    let mut store = testing::set_passwords(&path, "poste-1").unwrap();
    let err = store
        .propose_changeset("mallory", "x", &rename_tg1("x"))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotLoggedIn(_)), "{err}");
    // Nor can an unknown login log in; its attempt is recorded.
    let err = store
        .login("mallory", &testing::password(), "poste-1")
        .unwrap_err();
    assert!(matches!(err, StoreError::BadCredentials), "{err}");
    let last = &store.audit_trail("l.petit", 1).unwrap()[0];
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("mallory", "login_failed")
    );
}

#[test]
fn a_store_seeded_before_units_and_ranges_were_master_data_gets_them_by_a_change_set() {
    let (_dir, path) = temp_store();
    {
        let store = Store::open_seeded(&testing::files(&path)).unwrap();
        let conn = store.connection();
        conn.execute("DELETE FROM plant_units", []).unwrap();
        conn.execute(
            "UPDATE tags SET range_low = NULL, range_high = NULL, true_fr = NULL, \
             false_fr = NULL, true_en = NULL, false_en = NULL",
            [],
        )
        .unwrap();
        let md = store.master_data().unwrap();
        assert!(md.units.is_empty() && md.tags.iter().all(|t| t.range_low.is_none()));
    }
    let store = Store::open_seeded(&testing::files(&path)).unwrap();
    let md = store.master_data().unwrap();
    let files = plant::embedded().md;
    assert_eq!(md.units, files.units);
    let mut tags = files.tags.clone();
    tags.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(md.tags, tags);
    assert!(md.check().is_empty(), "{:#?}", md.check());
    let changesets = store.changesets().unwrap();
    assert_eq!(changesets.len(), 2);
    assert!(changesets.iter().any(
        |c| c.title == jumeau_store::SUPPLEMENT_TITLE && c.status == ChangeSetStatus::Validated
    ));
    // Opening again changes nothing.
    drop(store);
    assert_eq!(
        Store::open_seeded(&testing::files(&path))
            .unwrap()
            .changesets()
            .unwrap()
            .len(),
        2
    );
}

/// What a first start killed between the seed's proposal (by `proposer`) and its validation
/// leaves: the accounts and a proposed seed change-set, no master data.
fn interrupted_first_start(path: &Path, proposer: &str) -> Store {
    let plant = plant::embedded();
    let store = Store::open(&testing::files(path)).unwrap();
    let conn = store.connection();
    for a in &plant.accounts.accounts {
        conn.execute(
            "INSERT INTO users (login, display_name, role, created_at, created_by) \
             VALUES (?1, ?2, ?3, '2026-12-01T00:00:00.000Z', 'installation')",
            (&a.login, &a.name, a.role.as_str()),
        )
        .unwrap();
    }
    let content = serde_json::to_string(&ChangeSetContent::from_master_data(&plant.md)).unwrap();
    conn.execute(
        "INSERT INTO changesets (title, content, content_sha256, status, proposed_by, proposed_at) \
         VALUES (?1, ?2, '-', 'proposed', ?3, '2026-12-01T00:00:00.000Z')",
        (jumeau_store::SEED_TITLE, &content, proposer),
    )
    .unwrap();
    store
}

#[test]
fn a_seed_left_proposed_by_a_crash_is_validated_at_the_next_start() {
    let (_dir, path) = temp_store();
    let proposer = plant::embedded().accounts.seed_proposer;
    {
        let store = interrupted_first_start(&path, &proposer);
        assert_eq!(
            store.seed_status().unwrap(),
            Some(ChangeSetStatus::Proposed)
        );
        assert!(store.master_data().unwrap().components.is_empty());
    }
    let store = Store::open_seeded(&testing::files(&path)).unwrap();
    assert_eq!(
        store.seed_status().unwrap(),
        Some(ChangeSetStatus::Validated)
    );
    assert_eq!(store.master_data().unwrap().components.len(), 96);
    assert_eq!(store.changesets().unwrap().len(), 1, "no second seed");
}

#[test]
fn concurrent_first_starts_seed_once_and_all_succeed() {
    let (_dir, path) = temp_store();
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                Store::open_seeded(&testing::files(&path)).map(|mut s| s.take_new_passwords().len())
            })
        })
        .collect();
    let mut given: Vec<usize> = starts
        .into_iter()
        .map(|t| t.join().unwrap().expect("every start succeeds"))
        .collect();
    given.sort();
    // One start made the accounts and showed their one-time passwords; the others none.
    assert_eq!(given, [0, 0, 0, 6]);
    let store = Store::open_seeded(&testing::files(&path)).unwrap();
    let changesets = store.changesets().unwrap();
    assert_eq!(changesets.len(), 1, "{changesets:?}");
    assert_eq!(changesets[0].status, ChangeSetStatus::Validated);
}

#[test]
fn concurrent_first_logins_on_one_device_make_one_key() {
    let (_dir, path) = temp_store();
    drop(testing::set_passwords(&path, "setup").unwrap());
    let logins: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&testing::files(&path))?;
                store
                    .login("j.martin", &testing::password(), "poste-1")
                    .map(|s| s.key_id().to_owned())
            })
        })
        .collect();
    let keys: Vec<String> = logins
        .into_iter()
        .map(|t| t.join().unwrap().expect("every login succeeds"))
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] == w[1]),
        "one key for j.martin@poste-1: {keys:?}"
    );
}

#[test]
fn an_emptied_or_deleted_store_is_refused_not_re_created() {
    let (_dir, path) = temp_store();
    Store::open_seeded(&testing::files(&path)).unwrap();
    std::fs::write(&path, b"").unwrap();
    for f in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(f);
        let _ = std::fs::remove_file(side);
    }
    let e = Store::open_seeded(&testing::files(&path))
        .err()
        .expect("refused");
    assert!(matches!(e, jumeau_store::StoreError::Lost { .. }), "{e}");
    assert!(
        e.to_string().contains("restore the store from a backup"),
        "{e}"
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0, "left untouched");
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(
        Store::open_seeded(&testing::files(&path)).err(),
        Some(jumeau_store::StoreError::Lost { .. })
    ));
    // Only an explicit decision starts a new plant here.
    std::fs::remove_file(jumeau_store::seeded_marker(&path)).unwrap();
    assert!(Store::open_seeded(&testing::files(&path)).is_ok());
}

#[test]
fn a_seed_its_usual_validator_proposed_is_validated_by_the_other_engineer() {
    let (_dir, path) = temp_store();
    let accounts = plant::embedded().accounts;
    drop(interrupted_first_start(&path, &accounts.seed_validator));
    let store = Store::open_seeded(&testing::files(&path)).unwrap();
    let seed = &store.changesets().unwrap()[0];
    assert_eq!(seed.status, ChangeSetStatus::Validated);
    assert_eq!(
        seed.decided_by.as_deref(),
        Some(accounts.seed_proposer.as_str())
    );
}

/// Makes `paths` immutable (`chattr +i`: refused even to root, as a read-only medium or a
/// file without write permission would be to a user) until dropped.
struct Immutable(Vec<PathBuf>);

impl Immutable {
    fn set(paths: &[&Path]) -> Immutable {
        for p in paths {
            let ok = std::process::Command::new("chattr")
                .arg("+i")
                .arg(p)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chattr +i {} (root on ext4 is needed)", p.display());
        }
        Immutable(paths.iter().map(|p| p.to_path_buf()).collect())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(p)
                .status();
        }
    }
}

#[test]
fn a_read_only_store_is_read_and_a_write_says_it_is_read_only_not_damaged() {
    let (dir, path) = temp_store();
    drop(testing::set_passwords(&path, "bench").unwrap());
    let _frozen = Immutable::set(&[&path, dir.path()]);
    let mut store = Store::open(&testing::files(&path)).expect("a read-only store opens");
    assert_eq!(store.master_data().unwrap().components.len(), 96);
    assert!(store.integrity_problems().unwrap().is_empty(), "healthy");
    let err = store
        .login("j.martin", &testing::password(), "bench")
        .expect_err("a login writes its audit row");
    assert!(matches!(err, StoreError::ReadOnly), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("read-only") && !text.contains("damaged"),
        "{text}"
    );
}
