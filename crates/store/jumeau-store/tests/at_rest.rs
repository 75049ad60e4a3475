//! Encryption at rest: the store file, its WAL and its clear predecessor.

use jumeau_core::logbook::EntryDraft;
use jumeau_store::{LogFilter, Store, StoreError, StoreFiles, testing};
use std::path::{Path, PathBuf};

const SECRET_TEXT: &str = "Fuite vapeur vanne 11LBA10AA101, ronde de nuit";

fn seeded_with_an_entry() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jumeau.sqlite");
    let mut store = testing::set_passwords(&path, "poste-1").unwrap();
    store
        .append_logbook("j.martin", &EntryDraft::manual("note", SECRET_TEXT))
        .unwrap();
    (dir, path)
}

/// Whether `needle` appears in the file at `path` (as `strings | grep` would find it).
fn holds(path: &Path, needle: &str) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn wal(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", path.display()))
}

#[test]
fn the_store_and_its_wal_hold_no_readable_plant_or_logbook_text() {
    let (_dir, path) = seeded_with_an_entry();
    // The store still open: what is written lies in the WAL too.
    let store = Store::open(&testing::files(&path)).unwrap();
    assert!(!store.logbook(&LogFilter::default()).unwrap().is_empty());
    for file in [path.clone(), wal(&path)] {
        for needle in [
            SECRET_TEXT,
            "Fuite vapeur",
            "j.martin",
            "Turbine",
            "11LBA10",
            "CREATE TABLE",
            "SQLite format 3",
        ] {
            assert!(!holds(&file, needle), "{} shows {needle:?}", file.display());
        }
    }
    // Plain SQLite (Debian's sqlite3) cannot read it.
    let o = std::process::Command::new("sqlite3")
        .arg(&path)
        .arg("SELECT count(*) FROM logbook")
        .output()
        .expect("sqlite3 (scripts/setup.sh installs it)");
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not a database"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // With the key it reads back.
    let entries = store.logbook(&LogFilter::default()).unwrap();
    assert!(entries.iter().any(|e| e.body.text == SECRET_TEXT));
}

#[test]
fn a_new_store_makes_an_owner_only_key_outside_its_directory() {
    let (dir, path) = seeded_with_an_entry();
    let key = testing::files(&path).key;
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(text.trim().len(), 64);
    assert!(text.trim().chars().all(|c| c.is_ascii_hexdigit()));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // Nothing in the store's own directory holds the key.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            assert!(!holds(&p, text.trim()), "{} holds the key", p.display());
        }
    }
}

#[test]
fn a_wrong_or_missing_key_is_refused_and_the_store_untouched() {
    let (dir, path) = seeded_with_an_entry();
    let before = std::fs::read(&path).unwrap();
    let other = tempfile::tempdir().unwrap();
    let wrong = StoreFiles::new(&path, other.path().join("other.key"));
    std::fs::write(&wrong.key, format!("{}\n", "ab".repeat(32))).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrong.key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let err = Store::open(&wrong).err().expect("a wrong key");
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err}");
    assert!(err.to_string().contains("other.key"), "{err}");

    let missing = StoreFiles::new(&path, other.path().join("absent.key"));
    let err = Store::open(&missing).err().expect("no key");
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err}");
    assert!(
        !missing.key.exists(),
        "no key may be made for an existing store"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(Store::open(&testing::files(&path)).is_ok());
    drop(dir);
}

#[test]
fn a_key_others_may_read_or_kept_beside_the_store_is_refused() {
    let (dir, path) = seeded_with_an_entry();
    let files = testing::files(&path);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&files.key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = Store::open(&files).err().expect("exposed key");
    assert!(matches!(err, StoreError::BadKeyFile { .. }), "{err}");
    assert!(err.to_string().contains("chmod 600"), "{err}");

    let beside = StoreFiles::new(&path, dir.path().join("jumeau.key"));
    let err = Store::open(&beside).err().expect("key beside the store");
    assert!(err.to_string().contains("store's own directory"), "{err}");
    assert!(!beside.key.exists());
}

/// A clear copy of the store at `path`, as a Jumeau from before encryption left it.
fn clear_copy(path: &Path, to: &Path) {
    let conn = testing::connection(path);
    conn.execute("ATTACH DATABASE ?1 AS clear KEY ''", [to.to_str().unwrap()])
        .unwrap();
    conn.query_row("SELECT sqlcipher_export('clear')", [], |_| Ok(()))
        .unwrap();
    conn.execute_batch("DETACH DATABASE clear").unwrap();
}

#[test]
fn a_clear_store_is_encrypted_once_with_a_backup_and_nothing_lost() {
    let (_dir, path) = seeded_with_an_entry();
    let old = tempfile::tempdir().unwrap();
    let clear = old.path().join("jumeau.sqlite");
    clear_copy(&path, &clear);
    std::fs::copy(
        jumeau_store::seeded_marker(&path),
        jumeau_store::seeded_marker(&clear),
    )
    .unwrap();
    let original = std::fs::read(&clear).unwrap();
    assert!(holds(&clear, SECRET_TEXT), "the copy is clear");

    let files = testing::files(&clear);
    assert!(!files.key.exists());
    let mut store = Store::open_seeded(&files).unwrap();
    let backup = store.take_clear_backup().expect("a backup");
    assert_eq!(std::fs::read(&backup).unwrap(), original);
    assert!(backup.starts_with(old.path().join("backup-before-encryption")));
    assert!(files.key.exists());
    assert!(!holds(&clear, SECRET_TEXT) && !holds(&clear, "SQLite format 3"));
    // Everything is there: accounts, their passwords, master data, the signed entry.
    assert_eq!(store.master_data().unwrap().tags.len(), 315);
    let entries = store.logbook(&LogFilter::default()).unwrap();
    assert!(entries.iter().any(|e| e.body.text == SECRET_TEXT));
    assert!(store.verify_logbook().unwrap().faults.is_empty());
    store
        .login("j.martin", &testing::password(), "poste-1")
        .unwrap();
    drop(store);
    // Once: the next open finds an encrypted store and makes no second backup.
    let mut again = Store::open_seeded(&files).unwrap();
    assert!(again.take_clear_backup().is_none());
    assert_eq!(
        std::fs::read_dir(old.path().join("backup-before-encryption"))
            .unwrap()
            .count(),
        1
    );
}

#[test]
fn a_clear_store_another_process_holds_open_is_not_encrypted_under_it() {
    let (_dir, path) = seeded_with_an_entry();
    let old = tempfile::tempdir().unwrap();
    let clear = old.path().join("jumeau.sqlite");
    clear_copy(&path, &clear);
    // An older Jumeau still running on it.
    let holder = rusqlite::Connection::open(&clear).unwrap();
    holder.pragma_update(None, "journal_mode", "WAL").unwrap();
    holder
        .query_row("SELECT count(*) FROM logbook", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let err = Store::open(&testing::files(&clear)).err().expect("in use");
    assert!(matches!(err, StoreError::InUse { .. }), "{err}");
    assert!(holds(&clear, "SQLite format 3"), "still the clear store");
    drop(holder);
    assert!(Store::open(&testing::files(&clear)).is_ok());
}
