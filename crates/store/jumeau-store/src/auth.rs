//! Logins: Argon2id password hashes, lockout after repeated failures, one-time passwords for
//! new accounts, password changes and resets, and the sessions every write is checked against.
//!
//! Each account has a random *account key*, stored wrapped (XChaCha20-Poly1305) under a key
//! derived from the password (Argon2id with its own salt); the device keys that sign the
//! logbook are sealed with the account key. A password change re-wraps the account key in the
//! same transaction as the new hash; a reset (the password is lost) makes a new account key,
//! so the old device keys are revoked with it.

use crate::password::{
    Password, Weakness, check_strength, derive_key, dummy_hash, hash_password, verify_password,
};
use crate::seal::{open_sealed, random, seal};
use crate::users::User;
use crate::{NOW, Store, StoreError, audit};
use ed25519_dalek::SigningKey;
use jumeau_core::Role;
use jumeau_core::access::{self, Action};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::fmt;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// Failed logins in a row that lock an account.
pub const MAX_FAILED_LOGINS: u32 = 5;
/// How long a locked account stays locked (an engineer may unlock it sooner).
pub const LOCKOUT_MINUTES: u32 = 15;

/// A user authenticated on one store, on one device: what every write of theirs is checked
/// against. Only [`Store::login`] makes one; it carries the unsealed signing key.
#[derive(Clone)]
pub struct Session {
    pub(crate) login: String,
    pub(crate) display_name: String,
    pub(crate) role: Role,
    pub(crate) device: String,
    pub(crate) key: SigningKey,
    pub(crate) key_id: String,
    pub(crate) must_change: bool,
    pub(crate) store: PathBuf,
    /// Unwrapped at login: it opens the device key and the authenticator's secret.
    pub(crate) account_key: Zeroizing<[u8; 32]>,
    /// Locked after inactivity: no action until the password is given again (what Jumeau
    /// records by itself goes on).
    pub(crate) locked: bool,
}

impl Session {
    pub fn login(&self) -> &str {
        &self.login
    }
    pub fn display_name(&self) -> &str {
        &self.display_name
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn device(&self) -> &str {
        &self.device
    }
    /// The id of the key this session signs with.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
    /// True after logging in with a one-time password: only a password change is allowed.
    pub fn must_change_password(&self) -> bool {
        self.must_change
    }
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("login", &self.login)
            .field("role", &self.role)
            .field("device", &self.device)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// What the credentials row holds for a login.
struct Credentials {
    hash: String,
    must_change: bool,
    wrap_salt: Vec<u8>,
    account_key: Vec<u8>,
    failed: u32,
    locked_until: Option<String>,
}

impl Store {
    /// Checks `login`'s password and opens a session on `device`: the account key is
    /// unwrapped and the device key unsealed (or made, sealed and registered at first use).
    /// Each failure is counted and audited; the fifth in a row locks the account.
    pub fn login(
        &mut self,
        login: &str,
        password: &Password,
        device: &str,
    ) -> Result<Session, StoreError> {
        let user = match self.user(login) {
            Ok(u) => u,
            Err(StoreError::UnknownUser(_)) => {
                // As long as a known account's check: the time does not tell which exist.
                let _ = verify_password(password, dummy_hash());
                self.audit_login(login, "login_failed", Some("unknown account"))?;
                return Err(StoreError::BadCredentials);
            }
            Err(e) => return Err(e),
        };
        if !user.active {
            self.audit_login(login, "login_refused", Some("deactivated"))?;
            return Err(StoreError::Deactivated(user.login));
        }
        let creds = self
            .credentials(login)?
            .ok_or_else(|| StoreError::Invalid(format!("`{login}` has no password yet")))?;
        if let Some(until) = self.still_locked(&creds)? {
            self.audit_login(login, "login_refused", Some("locked"))?;
            return Err(StoreError::Locked {
                login: user.login,
                until,
            });
        }
        if !verify_password(password, &creds.hash) {
            return Err(self.count_failure(login, creds.failed)?);
        }
        let account_key = unwrap_account_key(password, &creds, login)?;
        let (key, key_id) = self.unseal_device_key(login, device, &account_key)?;
        self.clear_failures(login, (login, "login", "session", device))?;
        let session = Session {
            login: user.login.clone(),
            display_name: user.display_name,
            role: user.role,
            device: device.to_owned(),
            key,
            key_id,
            must_change: creds.must_change,
            store: self.files.store.clone(),
            account_key,
            locked: false,
        };
        self.sessions.insert(user.login, session.clone());
        Ok(session)
    }

    /// The session `login` holds on this connection, if any.
    pub fn session(&self, login: &str) -> Option<&Session> {
        self.sessions.get(login)
    }

    /// Records that the session of `login` ends (the client's logout, an expiry).
    pub fn logout(&mut self, login: &str, reason: &str) -> Result<(), StoreError> {
        if let Some(s) = self.sessions.remove(login) {
            audit::record(
                &self.conn,
                login,
                "logout",
                "session",
                Some(&s.device),
                Some(reason),
            )?;
        }
        Ok(())
    }

    /// Locks the session of `login` (the client's screen after inactivity): every action is
    /// refused until [`Store::unlock_session`].
    pub fn lock_session(&mut self, login: &str) -> Result<(), StoreError> {
        let session = self
            .sessions
            .get_mut(login)
            .ok_or_else(|| StoreError::NotLoggedIn(login.to_owned()))?;
        if !session.locked {
            session.locked = true;
            let device = session.device.clone();
            audit::record(
                &self.conn,
                login,
                "lock_screen",
                "session",
                Some(&device),
                None,
            )?;
        }
        Ok(())
    }

    /// Unlocks the session of `login` with its password (a wrong one counts towards the
    /// account's lockout).
    pub fn unlock_session(&mut self, login: &str, password: &Password) -> Result<(), StoreError> {
        let device = self
            .sessions
            .get(login)
            .map(|s| s.device.clone())
            .ok_or_else(|| StoreError::NotLoggedIn(login.to_owned()))?;
        let creds = self
            .credentials(login)?
            .ok_or_else(|| StoreError::NotLoggedIn(login.to_owned()))?;
        if let Some(until) = self.still_locked(&creds)? {
            return Err(StoreError::Locked {
                login: login.to_owned(),
                until,
            });
        }
        if !verify_password(password, &creds.hash) {
            return Err(self.count_failure(login, creds.failed)?);
        }
        self.clear_failures(login, (login, "unlock_screen", "session", &device))?;
        if let Some(s) = self.sessions.get_mut(login) {
            s.locked = false;
        }
        Ok(())
    }

    /// Takes a session opened on another connection to this same store (the runtime's
    /// threads each hold their own).
    pub fn adopt(&mut self, session: &Session) -> Result<(), StoreError> {
        if session.store != self.files.store {
            return Err(StoreError::NotLoggedIn(session.login.clone()));
        }
        self.sessions.insert(session.login.clone(), session.clone());
        Ok(())
    }

    /// Sets a new password for the logged-in `login` (the old one is asked again: a session
    /// left open is not enough). The account key is re-wrapped in the same transaction, so the
    /// device keys stay usable; returns the session, now free of the one-time restriction.
    pub fn change_password(
        &mut self,
        login: &str,
        old: &Password,
        new: &Password,
    ) -> Result<Session, StoreError> {
        let session = self
            .sessions
            .get(login)
            .cloned()
            .ok_or_else(|| StoreError::NotLoggedIn(login.to_owned()))?;
        check_strength(new, login)?;
        let creds = self
            .credentials(login)?
            .ok_or_else(|| StoreError::NotLoggedIn(login.to_owned()))?;
        if !verify_password(old, &creds.hash) {
            return Err(self.count_failure(login, creds.failed)?);
        }
        if verify_password(new, &creds.hash) {
            return Err(StoreError::WeakPassword(Weakness::SameAsOld));
        }
        let account_key = unwrap_account_key(old, &creds, login)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        write_credentials(&tx, login, new, &account_key, false)?;
        audit::record(&tx, login, "change_password", "user", Some(login), None)?;
        tx.commit()?;
        let session = Session {
            must_change: false,
            ..session
        };
        self.sessions.insert(login.to_owned(), session.clone());
        Ok(session)
    }

    /// An engineer's reset: a new one-time password (returned, to hand over in person) and a
    /// new account key; the account's device keys are revoked (nobody could unseal them).
    pub fn reset_password(&mut self, actor: &str, login: &str) -> Result<Password, StoreError> {
        self.authorize(actor, Action::ManageAccounts)?;
        self.user(login)?;
        let password = self.issue_one_time_password(login, actor, "reset_password", true)?;
        self.sessions.remove(login);
        Ok(password)
    }

    /// An engineer lifts a lockout before it expires.
    pub fn unlock_account(&mut self, actor: &str, login: &str) -> Result<(), StoreError> {
        self.authorize(actor, Action::ManageAccounts)?;
        self.user(login)?;
        self.clear_failures(login, (actor, "unlock", "user", login))
    }

    /// The one-time passwords given to accounts this process created (at first start, or to
    /// accounts of an older store that had none), taken once to be shown once.
    pub fn take_new_passwords(&mut self) -> Vec<(String, Password)> {
        std::mem::take(&mut self.new_passwords)
    }

    /// Whether the logged-in `login` may carry out `action` now (see `authorize`), for the
    /// runtime's commands that the store does not carry out itself (alarm actions).
    pub fn may(&self, login: &str, action: Action) -> Result<(), StoreError> {
        self.authorize(login, action).map(drop)
    }

    /// The logged-in `login` may carry out `action`: a session on this store, no password
    /// change pending, the account still active and its role (as stored now) allowed by the
    /// matrix, the session's key not revoked since. Returns the user and the session.
    pub(crate) fn authorize(
        &self,
        login: &str,
        action: Action,
    ) -> Result<(User, Session), StoreError> {
        let (user, session) = self.authenticated(login)?;
        if session.locked {
            return Err(StoreError::SessionLocked(login.to_owned()));
        }
        if let Err(refused) = access::check(login, user.role, action) {
            // An access denied is a security event: in the trail, outside any transaction of
            // the refused write (which never starts).
            let what = action.describe();
            audit::record(&self.conn, login, "refused", "access", None, Some(what))?;
            return Err(refused.into());
        }
        if action.needs_second_factor() && !self.second_factor_trusted(&session)? {
            return Err(StoreError::SecondFactorRequired {
                login: login.to_owned(),
                action: action.describe().to_owned(),
                enrolled: self.second_factor_confirmed(login)?,
            });
        }
        Ok((user, session))
    }

    /// The logged-in `login`, whatever it may do: for what Jumeau records of its session.
    pub(crate) fn authenticated(&self, login: &str) -> Result<(User, Session), StoreError> {
        let session = self
            .sessions
            .get(login)
            .ok_or_else(|| StoreError::NotLoggedIn(login.to_owned()))?;
        if session.must_change {
            return Err(StoreError::PasswordChangeRequired(login.to_owned()));
        }
        let user = self.user(login)?;
        if !user.active {
            return Err(StoreError::Deactivated(user.login));
        }
        if self.key_revoked(&session.key_id)? {
            return Err(StoreError::Invalid(format!(
                "the signing key {} of {login} on {} was revoked: log in again",
                session.key_id, session.device
            )));
        }
        Ok((user, session.clone()))
    }

    /// Gives `login` a password and account key where it has none: a one-time password kept
    /// for [`Store::take_new_passwords`].
    pub(crate) fn ensure_credentials(&mut self, login: &str) -> Result<(), StoreError> {
        if self.credentials(login)?.is_some() {
            return Ok(());
        }
        let password = self.issue_one_time_password(
            login,
            crate::users::INSTALLER,
            "initial_password",
            false,
        )?;
        self.new_passwords.push((login.to_owned(), password));
        Ok(())
    }

    /// A new one-time password and account key for `login`, recorded as `action` by `actor`;
    /// with `revoke`, its device keys are revoked in the same transaction (nobody could
    /// unseal them with the new account key).
    pub(crate) fn issue_one_time_password(
        &mut self,
        login: &str,
        actor: &str,
        action: &str,
        revoke: bool,
    ) -> Result<Password, StoreError> {
        let password = Password::generate()?;
        let account_key = new_account_key()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        write_credentials(&tx, login, &password, &account_key, true)?;
        if revoke {
            crate::keys::revoke_all(&tx, login, actor)?;
        }
        audit::record(&tx, actor, action, "user", Some(login), None)?;
        tx.commit()?;
        Ok(password)
    }

    fn credentials(&self, login: &str) -> Result<Option<Credentials>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT password_hash, must_change, wrap_salt, account_key, failed_attempts, \
                 locked_until FROM credentials WHERE login = ?1",
                [login],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, bool>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, u32>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((hash, must_change, salt, key, failed, locked_until)) = row else {
            return Ok(None);
        };
        let bad = |what: &str| StoreError::Invalid(format!("the {what} of `{login}` is not hex"));
        Ok(Some(Credentials {
            hash,
            must_change,
            wrap_salt: hex::decode(salt).map_err(|_| bad("wrapping salt"))?,
            account_key: hex::decode(key).map_err(|_| bad("account key"))?,
            failed,
            locked_until,
        }))
    }

    /// The end of a lockout still to come, if any.
    fn still_locked(&self, creds: &Credentials) -> Result<Option<String>, StoreError> {
        let Some(until) = &creds.locked_until else {
            return Ok(None);
        };
        let now = self.now()?;
        Ok((until.as_str() > now.as_str()).then(|| until.clone()))
    }

    pub(crate) fn failed_attempts(&self, login: &str) -> Result<u32, StoreError> {
        Ok(self.credentials(login)?.map_or(0, |c| c.failed))
    }

    /// Counts a failed attempt (audited); the last allowed one locks the account.
    pub(crate) fn count_failure(
        &mut self,
        login: &str,
        failed: u32,
    ) -> Result<StoreError, StoreError> {
        let failed = failed + 1;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let detail = format!("attempt {failed} of {MAX_FAILED_LOGINS}");
        audit::record(&tx, login, "login_failed", "session", None, Some(&detail))?;
        let error = if failed >= MAX_FAILED_LOGINS {
            let until: String = tx.query_row(
                &format!(
                    "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+{LOCKOUT_MINUTES} minutes')"
                ),
                [],
                |r| r.get(0),
            )?;
            tx.execute(
                "UPDATE credentials SET failed_attempts = 0, locked_until = ?2 WHERE login = ?1",
                params![login, until],
            )?;
            audit::record(&tx, login, "lock", "user", Some(login), Some(&until))?;
            StoreError::Locked {
                login: login.to_owned(),
                until,
            }
        } else {
            tx.execute(
                "UPDATE credentials SET failed_attempts = ?2 WHERE login = ?1",
                params![login, failed],
            )?;
            StoreError::BadCredentials
        };
        tx.commit()?;
        Ok(error)
    }

    /// After a success: the failure count and any lockout cleared, and the success audited as
    /// (actor, action, entity, entity id), in one transaction.
    fn clear_failures(
        &mut self,
        login: &str,
        (actor, action, entity, id): (&str, &str, &str, &str),
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE credentials SET failed_attempts = 0, locked_until = NULL WHERE login = ?1",
            [login],
        )?;
        audit::record(&tx, actor, action, entity, Some(id), None)?;
        tx.commit()?;
        Ok(())
    }

    fn audit_login(
        &mut self,
        login: &str,
        action: &str,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        // Whatever was typed as a login, bounded: the trail is not a place to store a payload.
        let login: String = login.chars().take(64).collect();
        audit::record(&self.conn, &login, action, "session", None, detail)
    }
}

/// Writes (or replaces) the hash and the wrapped account key of `login`.
fn write_credentials(
    conn: &rusqlite::Connection,
    login: &str,
    password: &Password,
    account_key: &[u8; 32],
    must_change: bool,
) -> Result<(), StoreError> {
    let hash = hash_password(password)?;
    let mut salt = [0u8; 16];
    random(&mut salt)?;
    let wrapping = derive_key(password, &salt)?;
    let wrapped = seal(&wrapping, account_key, login.as_bytes())?;
    conn.execute(
        &format!(
            "INSERT INTO credentials (login, password_hash, must_change, wrap_salt, account_key, \
             changed_at) VALUES (?1, ?2, ?3, ?4, ?5, {NOW}) \
             ON CONFLICT (login) DO UPDATE SET password_hash = ?2, must_change = ?3, \
             wrap_salt = ?4, account_key = ?5, failed_attempts = 0, locked_until = NULL, \
             changed_at = {NOW}"
        ),
        params![
            login,
            hash,
            must_change,
            hex::encode(salt),
            hex::encode(wrapped)
        ],
    )?;
    Ok(())
}

fn unwrap_account_key(
    password: &Password,
    creds: &Credentials,
    login: &str,
) -> Result<Zeroizing<[u8; 32]>, StoreError> {
    let wrapping = derive_key(password, &creds.wrap_salt)?;
    let bytes = open_sealed(&wrapping, &creds.account_key, login.as_bytes())
        .ok_or_else(|| StoreError::Invalid(format!("the account key of `{login}` is damaged")))?;
    let key: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::Invalid(format!("the account key of `{login}` is damaged")))?;
    Ok(Zeroizing::new(key))
}

fn new_account_key() -> Result<Zeroizing<[u8; 32]>, StoreError> {
    let mut key = Zeroizing::new([0u8; 32]);
    random(&mut *key)?;
    Ok(key)
}
