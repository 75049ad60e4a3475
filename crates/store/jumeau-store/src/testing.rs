//! For the tests of this crate's callers (feature `test-support`): what an installer does
//! after the first start, scripted: each new account logs in with its one-time password and
//! sets [`PASSWORD`].

use crate::{Password, Store, StoreError};
use std::path::Path;

/// The password every seed account has after [`set_passwords`].
pub const PASSWORD: &str = "correct horse battery staple";

/// Opens (seeding at first use) the store at `path` and gives every account that still has
/// its one-time password [`PASSWORD`]. Returns the store, every account logged in on `device`.
pub fn set_passwords(path: &Path, device: &str) -> Result<Store, StoreError> {
    let mut store = Store::open_seeded(path)?;
    let password = Password::new(PASSWORD);
    for (login, once) in store.take_new_passwords() {
        store.login(&login, &once, device)?;
        store.change_password(&login, &once, &password)?;
    }
    for user in store.users()? {
        if user.active {
            store.login(&user.login, &password, device)?;
        }
    }
    Ok(store)
}

/// [`PASSWORD`] as a [`Password`].
pub fn password() -> Password {
    Password::new(PASSWORD)
}
