//! Logins on a real store file: one-time passwords, lockout, sealed keys, changes and resets.

use jumeau_core::Role;
use jumeau_core::logbook::EntryDraft;
use jumeau_store::{LogFilter, MAX_FAILED_LOGINS, Password, Store, StoreError, testing};
use std::path::{Path, PathBuf};

fn draft(text: &str) -> EntryDraft {
    EntryDraft::manual("note", text)
}

fn store_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("jumeau.sqlite")
}

fn audit_actions(store: &Store, login: &str) -> Vec<String> {
    store
        .audit_trail("l.petit", 1000)
        .unwrap()
        .into_iter()
        .rev()
        .filter(|a| a.actor == login)
        .map(|a| a.action)
        .collect()
}

fn sealed_key_files(dir: &Path, login: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with(&format!("{login}@")) && name.ends_with(".sealed")
        })
        .collect()
}

#[test]
fn a_first_login_with_the_one_time_password_only_sets_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_seeded(&testing::files(&store_path(&dir))).unwrap();
    let once: Vec<(String, Password)> = store.take_new_passwords();
    assert_eq!(once.len(), 6, "every seed account gets one");
    assert!(store.take_new_passwords().is_empty(), "shown once");
    let (login, first) = once.iter().find(|(l, _)| l == "j.martin").unwrap();
    assert_eq!(first.expose().len(), 16);
    // No password works before that one; it works only to set one's own.
    assert!(matches!(
        store.login(login, &Password::new("j.martin"), "poste-1"),
        Err(StoreError::BadCredentials)
    ));
    let session = store.login(login, first, "poste-1").unwrap();
    assert!(session.must_change_password());
    assert!(matches!(
        store.append_logbook(login, &draft("avant")),
        Err(StoreError::PasswordChangeRequired(_))
    ));
    for weak in ["court", "j.martin-2026-quart", first.expose()] {
        assert!(
            store
                .change_password(login, first, &Password::new(weak))
                .is_err(),
            "{weak} accepted"
        );
    }
    let mine = Password::new("Relève de quart 06h00");
    store.change_password(login, first, &mine).unwrap();
    store.append_logbook(login, &draft("après")).unwrap();
    // The one-time password is dead; the new one opens a new connection.
    let mut other = Store::open(&testing::files(&store_path(&dir))).unwrap();
    assert!(other.login(login, first, "poste-1").is_err());
    assert!(
        !other
            .login(login, &mine, "poste-1")
            .unwrap()
            .must_change_password()
    );
}

#[test]
fn repeated_failures_lock_the_account_are_audited_and_an_engineer_unlocks_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&store_path(&dir), "poste-1").unwrap();
    let mut fresh = Store::open(&testing::files(&store_path(&dir))).unwrap();
    let wrong = Password::new("pas le bon mot de passe");
    for _ in 1..MAX_FAILED_LOGINS {
        assert!(matches!(
            fresh.login("a.durand", &wrong, "tablette-2"),
            Err(StoreError::BadCredentials)
        ));
    }
    assert!(matches!(
        fresh.login("a.durand", &wrong, "tablette-2"),
        Err(StoreError::Locked { .. })
    ));
    // Locked: even the right password is refused, and says why.
    let err = fresh
        .login("a.durand", &testing::password(), "tablette-2")
        .unwrap_err();
    assert!(err.to_string().contains("locked"), "{err}");
    let actions = audit_actions(&store, "a.durand");
    let failed = actions.iter().filter(|a| *a == "login_failed").count();
    assert_eq!(failed, MAX_FAILED_LOGINS as usize, "{actions:?}");
    assert!(actions.iter().any(|a| a == "lock"), "{actions:?}");
    assert_eq!(actions.last().map(String::as_str), Some("login_refused"));
    // An operator may not unlock; an engineer may.
    assert!(matches!(
        store.unlock_account("j.martin", "a.durand"),
        Err(StoreError::Forbidden(_))
    ));
    store.unlock_account("c.bernard", "a.durand").unwrap();
    fresh
        .login("a.durand", &testing::password(), "tablette-2")
        .unwrap();
}

#[test]
fn a_device_key_is_sealed_and_only_the_password_unseals_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&store_path(&dir), "poste-1").unwrap();
    let session = store
        .login("m.lefebvre", &testing::password(), "poste-1")
        .unwrap();
    let seed = hex::encode(session.signing_key().to_bytes());
    store.append_logbook("m.lefebvre", &draft("signé")).unwrap();
    drop(store);
    // The seed is nowhere in clear: not in the key folder, not in the store.
    for file in std::fs::read_dir(dir.path().join("keys")).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(&seed));
    }
    let db = std::fs::read(store_path(&dir)).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains(&seed));
    // A sealed key put in another account's place does not open with that account's key.
    let mine = &sealed_key_files(dir.path(), "m.lefebvre")[0];
    let theirs = &sealed_key_files(dir.path(), "c.bernard")[0];
    std::fs::copy(mine, theirs).unwrap();
    let mut store = Store::open(&testing::files(&store_path(&dir))).unwrap();
    let err = store
        .login("c.bernard", &testing::password(), "poste-1")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("not a key sealed for this account"),
        "{err}"
    );
    assert!(store.verify_logbook().unwrap().ok());
}

#[test]
fn a_password_change_keeps_the_key_and_a_reset_revokes_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&store_path(&dir), "poste-1").unwrap();
    let before = store
        .login("j.martin", &testing::password(), "poste-1")
        .unwrap();
    store.append_logbook("j.martin", &draft("un")).unwrap();
    let new = Password::new("Une autre phrase de passe");
    store
        .change_password("j.martin", &testing::password(), &new)
        .unwrap();
    let after = store.login("j.martin", &new, "poste-1").unwrap();
    assert_eq!(after.key_id(), before.key_id(), "re-wrapped, not replaced");
    store.append_logbook("j.martin", &draft("deux")).unwrap();

    // j.martin forgot it: an engineer resets. The old key verifies what it signed, signs
    // nothing more; the one-time password gives a new key.
    assert!(matches!(
        store.reset_password("a.durand", "j.martin"),
        Err(StoreError::Forbidden(_))
    ));
    let once = store.reset_password("c.bernard", "j.martin").unwrap();
    assert!(store.login("j.martin", &new, "poste-1").is_err());
    let mut other = Store::open(&testing::files(&store_path(&dir))).unwrap();
    other.adopt(&after).unwrap();
    assert!(
        other.append_logbook("j.martin", &draft("trois")).is_err(),
        "a session on the revoked key signs nothing"
    );
    store.login("j.martin", &once, "poste-1").unwrap();
    let mine = Password::new("Encore une phrase de passe");
    let renewed = store.change_password("j.martin", &once, &mine).unwrap();
    assert_ne!(renewed.key_id(), before.key_id());
    store.append_logbook("j.martin", &draft("quatre")).unwrap();
    let entries = store.logbook(&LogFilter::default()).unwrap();
    assert_eq!(entries.len(), 3);
    assert!(store.verify_logbook().unwrap().ok());
    let keys = store.device_keys().unwrap();
    let revoked = keys.iter().find(|k| k.key_id == before.key_id()).unwrap();
    assert_eq!(revoked.revoked_by.as_deref(), Some("c.bernard"));
}

#[test]
fn a_rotated_key_is_revoked_and_old_entries_still_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&store_path(&dir), "poste-1").unwrap();
    let old = store
        .login("s.moreau", &testing::password(), "poste-1")
        .unwrap();
    store.append_logbook("s.moreau", &draft("avant")).unwrap();
    let new = store.rotate_key("s.moreau").unwrap();
    assert_ne!(new.key_id(), old.key_id());
    store.append_logbook("s.moreau", &draft("après")).unwrap();
    let keys: Vec<_> = store
        .logbook(&LogFilter::default())
        .unwrap()
        .into_iter()
        .map(|e| e.body.key_id)
        .collect();
    assert_eq!(keys, [old.key_id(), new.key_id()]);
    assert!(store.verify_logbook().unwrap().ok());
    // Revocation is final, in the store itself.
    let again = store
        .connection()
        .execute(
            "UPDATE device_keys SET revoked_at = NULL, revoked_by = NULL WHERE key_id = ?1",
            [old.key_id()],
        )
        .unwrap_err();
    assert!(again.to_string().contains("revoked, once"), "{again}");
}

#[test]
fn a_key_left_in_clear_by_an_older_jumeau_is_sealed_at_login() {
    let dir = tempfile::tempdir().unwrap();
    let store = testing::set_passwords(&store_path(&dir), "poste-1").unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let public = key.verifying_key().to_bytes();
    let id = jumeau_core::logbook::key_id(&public);
    store
        .connection()
        .execute(
            "INSERT INTO device_keys (key_id, login, device, public_key, created_at) \
             VALUES (?1, 'j.martin', 'ancien-pc', ?2, '2026-01-01T00:00:00.000Z')",
            (&id, hex::encode(public)),
        )
        .unwrap();
    let clear = dir.path().join("keys/j.martin@ancien-pc.ed25519");
    std::fs::write(&clear, hex::encode(key.to_bytes())).unwrap();
    drop(store);
    let mut store = Store::open(&testing::files(&store_path(&dir))).unwrap();
    let session = store
        .login("j.martin", &testing::password(), "ancien-pc")
        .unwrap();
    assert_eq!(session.key_id(), id, "the same key, now sealed");
    assert!(!clear.exists());
    let sealed = dir
        .path()
        .join(format!("keys/j.martin@ancien-pc.{id}.sealed"));
    assert!(sealed.exists());
}

#[test]
fn engineers_create_accounts_with_a_one_time_password() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&store_path(&dir), "poste-1").unwrap();
    let before = store.users().unwrap().len();
    assert!(matches!(
        store.create_user("j.martin", "p.roux", "Paul Roux", Role::Field),
        Err(StoreError::Forbidden(_))
    ));
    assert!(
        store
            .create_user("c.bernard", "Robert'); DROP", "x", Role::Field)
            .is_err()
    );
    assert_eq!(store.users().unwrap().len(), before, "nothing created");
    let once = store
        .create_user("c.bernard", "p.roux", "Paul Roux", Role::Field)
        .unwrap();
    let session = store.login("p.roux", &once, "tablette-4").unwrap();
    assert!(session.must_change_password());
    assert_eq!(session.role(), Role::Field);
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn an_engineer_decides_only_with_a_second_factor_each_code_once() {
    use jumeau_core::totp;
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&store_path(&dir), "poste-1").unwrap();
    let mut content = jumeau_core::plant::embedded()
        .md
        .component("11MBA00")
        .unwrap()
        .clone();
    content.description = "Révision".into();
    let content = jumeau_core::ChangeSetContent {
        changes: vec![jumeau_core::changeset::Change::UpsertComponent(content)],
    };
    let id = store
        .propose_changeset("a.durand", "TG1", &content)
        .unwrap();
    // p.roux, a new engineer, on a new device: password alone is not enough.
    let once = store
        .create_user("c.bernard", "p.roux", "Paul Roux", Role::Engineer)
        .unwrap();
    let mut other = Store::open(&testing::files(&store_path(&dir))).unwrap();
    other.login("p.roux", &once, "poste-9").unwrap();
    let mine = Password::new("Phrase de passe de Paul");
    other.change_password("p.roux", &once, &mine).unwrap();
    let err = other.validate_changeset("p.roux", id, None).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::SecondFactorRequired {
                enrolled: false,
                ..
            }
        ),
        "{err}"
    );
    let enrolment = other.enrol_second_factor("p.roux").unwrap();
    assert!(
        enrolment
            .uri
            .starts_with("otpauth://totp/Jumeau:p.roux?secret=")
    );
    // The secret is sealed: not in the store in clear.
    let db = String::from_utf8_lossy(&std::fs::read(store_path(&dir)).unwrap()).into_owned();
    assert!(!db.contains(&hex::encode(&enrolment.secret)) && !db.contains(&enrolment.base32));
    assert!(matches!(
        other.verify_second_factor("p.roux", "000000x"),
        Err(StoreError::SecondFactorRefused(_))
    ));
    let code = totp::code(&enrolment.secret, unix_now());
    other.verify_second_factor("p.roux", &code).unwrap();
    other.validate_changeset("p.roux", id, Some("vu")).unwrap();
    // The same code on another device is refused: a code is accepted once.
    let mut third = Store::open(&testing::files(&store_path(&dir))).unwrap();
    third.login("p.roux", &mine, "poste-10").unwrap();
    let replay = third.verify_second_factor("p.roux", &code).unwrap_err();
    assert!(replay.to_string().contains("used already"), "{replay}");
    // Replacing the authenticator needs a code of the current one.
    assert!(matches!(
        third.enrol_second_factor("p.roux"),
        Err(StoreError::SecondFactorRequired { enrolled: true, .. })
    ));
}

#[test]
fn wrong_codes_count_towards_the_lockout() {
    let dir = tempfile::tempdir().unwrap();
    drop(testing::set_passwords(&store_path(&dir), "poste-1").unwrap());
    let mut store = Store::open(&testing::files(&store_path(&dir))).unwrap();
    store
        .login("m.lefebvre", &testing::password(), "poste-7")
        .unwrap();
    let wrong = if testing::code() == "123456" {
        "654321"
    } else {
        "123456"
    };
    let mut last = None;
    for _ in 0..MAX_FAILED_LOGINS {
        last = Some(store.verify_second_factor("m.lefebvre", wrong).unwrap_err());
    }
    assert!(matches!(last, Some(StoreError::Locked { .. })), "{last:?}");
    assert!(
        Store::open(&testing::files(&store_path(&dir)))
            .unwrap()
            .login("m.lefebvre", &testing::password(), "poste-7")
            .is_err()
    );
}
