//! For the tests of this crate's callers (feature `test-support`): what an installer does
//! after the first start, scripted: each new account logs in with its one-time password and
//! sets [`PASSWORD`]; engineers enrol an authenticator holding [`SECOND_FACTOR_SECRET`].

use crate::{Password, Store, StoreError, StoreFiles};
use std::path::Path;

/// The tests' place for the key of the store at `path`: `secrets/<file name>.key` under the
/// store's directory (a subdirectory: the key is never the store's neighbour).
pub fn files(path: &Path) -> StoreFiles {
    let name = path
        .file_name()
        .expect("a store file name")
        .to_string_lossy();
    let dir = path.parent().unwrap_or(Path::new("."));
    StoreFiles::new(path, dir.join("secrets").join(format!("{name}.key")))
}

/// A plain connection to the store at `path` with its key given: for tests that tamper with
/// rows below the store's API.
pub fn connection(path: &Path) -> rusqlite::Connection {
    let files = files(path);
    let conn = rusqlite::Connection::open(path).expect("open the store file");
    crate::at_rest::read_key(&files)
        .expect("the key file")
        .expect("a key")
        .apply(&conn)
        .expect("key applied");
    conn
}

/// The password every seed account has after [`set_passwords`].
pub const PASSWORD: &str = "correct horse battery staple";
/// The authenticator secret of every engineer after [`set_passwords`] (RFC 6238's example).
pub const SECOND_FACTOR_SECRET: &[u8] = b"12345678901234567890";

/// The current code of [`SECOND_FACTOR_SECRET`], as an authenticator app shows it.
pub fn code() -> String {
    code_in(0)
}

/// The next step's code (accepted as clock drift): for a second device of the same test, after
/// [`set_passwords`] used the current one.
pub fn next_code() -> String {
    code_in(jumeau_core::totp::STEP_S)
}

fn code_in(seconds: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    jumeau_core::totp::code(SECOND_FACTOR_SECRET, now + seconds)
}

/// Opens (seeding at first use) the store at `path` and gives every account that still has
/// its one-time password [`PASSWORD`], and each engineer without one an authenticator. Returns
/// the store, every account logged in on `device`, the engineers' second factor given there.
pub fn set_passwords(path: &Path, device: &str) -> Result<Store, StoreError> {
    let mut store = Store::open_seeded(&files(path))?;
    let password = Password::new(PASSWORD);
    for (login, once) in store.take_new_passwords() {
        store.login(&login, &once, device)?;
        store.change_password(&login, &once, &password)?;
    }
    for user in store.users()? {
        if user.active {
            store.login(&user.login, &password, device)?;
        }
        if user.active && user.role == jumeau_core::Role::Engineer {
            if !store.second_factor_confirmed(&user.login)? {
                store.store_second_factor(&user.login, SECOND_FACTOR_SECRET)?;
            }
            verify_in_a_fresh_step(&mut store, &user.login)?;
        }
    }
    Ok(store)
}

/// A code is accepted once: one already used this step (another store of the same test) waits
/// for the next.
fn verify_in_a_fresh_step(store: &mut Store, login: &str) -> Result<(), StoreError> {
    match store.verify_second_factor(login, &code()) {
        Err(StoreError::SecondFactorRefused(why)) if why.contains("used already") => {
            std::thread::sleep(std::time::Duration::from_secs(31));
            store.verify_second_factor(login, &code())
        }
        other => other,
    }
}

/// [`PASSWORD`] as a [`Password`].
pub fn password() -> Password {
    Password::new(PASSWORD)
}
