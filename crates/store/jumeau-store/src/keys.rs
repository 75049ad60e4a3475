//! Device keys: one active Ed25519 key pair per user and device, made at the user's first
//! login on that device. The private seed lives in `<data dir>/keys/<login>@<device>.<key id>.sealed`,
//! sealed with the account key (see `auth`), so only a login with the password can sign;
//! the public key is registered in the store so that anyone can verify. A revoked key still
//! verifies what it signed before and signs nothing after.

use crate::files::write_private;
use crate::seal::{open_sealed, random, seal};
use crate::{NOW, Store, StoreError, audit};
use ed25519_dalek::SigningKey;
use jumeau_core::logbook::key_id;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::collections::HashMap;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// A registered device key, as listed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DeviceKey {
    pub key_id: String,
    pub login: String,
    pub device: String,
    /// The Ed25519 public key, 64 hex digits: what a verifier outside Jumeau trusts.
    pub public_key: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
}

/// First word of a sealed key file.
const SEALED_FORMAT: &str = "jumeau-sealed-key/1";

impl Store {
    fn key_dir(&self) -> PathBuf {
        self.files
            .store
            .parent()
            .map(|p| p.join("keys"))
            .unwrap_or_else(|| "keys".into())
    }

    fn sealed_key_path(&self, login: &str, device: &str, id: &str) -> PathBuf {
        self.key_dir().join(format!("{login}@{device}.{id}.sealed"))
    }

    /// Where Jumeau before logins kept a device key in clear; sealed at the next login.
    fn clear_key_path(&self, login: &str, device: &str) -> PathBuf {
        self.key_dir().join(format!("{login}@{device}.ed25519"))
    }

    /// The active key of `login` on `device`, unsealed with the account key: made, sealed and
    /// registered at first use; sealed if an older Jumeau left it in clear; replaced (the old
    /// one revoked) if its file is gone, since the user has just proved who they are.
    pub(crate) fn unseal_device_key(
        &mut self,
        login: &str,
        device: &str,
        account_key: &[u8; 32],
    ) -> Result<(SigningKey, String), StoreError> {
        if !valid_name(device) {
            return Err(StoreError::Invalid(format!(
                "device name `{device}` must be letters, digits, '.', '-' or '_'"
            )));
        }
        // Two processes logging in for the same user and device the first time: one makes
        // the key, the other waits and finds it.
        let _setup = crate::lock::setup_lock(&self.files.store)?;
        let active: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT key_id, public_key FROM device_keys \
                 WHERE login = ?1 AND device = ?2 AND revoked_at IS NULL",
                params![login, device],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((id, public)) = active else {
            return self.new_device_key(login, device, account_key);
        };
        let sealed_path = self.sealed_key_path(login, device, &id);
        let context = format!("{login}@{device}/{id}");
        let key = match std::fs::read_to_string(&sealed_path) {
            Ok(text) => {
                let sealed = text
                    .trim()
                    .strip_prefix(SEALED_FORMAT)
                    .and_then(|t| t.strip_prefix(':'))
                    .and_then(|h| hex::decode(h).ok())
                    .ok_or_else(|| bad_file(&sealed_path))?;
                let seed = open_sealed(account_key, &sealed, context.as_bytes())
                    .ok_or_else(|| bad_file(&sealed_path))?;
                parse_seed(&seed).ok_or_else(|| bad_file(&sealed_path))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let clear = self.clear_key_path(login, device);
                match std::fs::read_to_string(&clear) {
                    Ok(text) => {
                        let key = hex::decode(text.trim())
                            .ok()
                            .and_then(|b| parse_seed(&b))
                            .ok_or_else(|| bad_file(&clear))?;
                        self.write_sealed(&sealed_path, &key, account_key, &context)?;
                        std::fs::remove_file(&clear).map_err(|source| StoreError::Io {
                            path: clear.clone(),
                            source,
                        })?;
                        key
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        let tx = self
                            .conn
                            .transaction_with_behavior(TransactionBehavior::Immediate)?;
                        revoke(&tx, &id, login, "private key file missing")?;
                        tx.commit()?;
                        return self.new_device_key(login, device, account_key);
                    }
                    Err(source) => {
                        return Err(StoreError::Io {
                            path: clear,
                            source,
                        });
                    }
                }
            }
            Err(source) => {
                return Err(StoreError::Io {
                    path: sealed_path,
                    source,
                });
            }
        };
        if hex::encode(key.verifying_key().to_bytes()) != public {
            return Err(StoreError::Invalid(format!(
                "{} does not hold the key registered for {login} on {device}",
                sealed_path.display()
            )));
        }
        Ok((key, id))
    }

    /// Replaces the active key of the logged-in `login` on its session's device: the old
    /// one is revoked (it still verifies what it signed), the session signs with the new one,
    /// sealed with the account key the login unwrapped.
    pub fn rotate_key(&mut self, login: &str) -> Result<crate::Session, StoreError> {
        let (_, session) = self.authenticated(login)?;
        if session.locked {
            return Err(StoreError::SessionLocked(login.to_owned()));
        }
        let _setup = crate::lock::setup_lock(&self.files.store)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        revoke(&tx, &session.key_id, login, "rotated")?;
        tx.commit()?;
        let (key, key_id) = self.new_device_key(login, &session.device, &session.account_key)?;
        let session = crate::Session {
            key,
            key_id,
            ..session
        };
        self.sessions.insert(login.to_owned(), session.clone());
        Ok(session)
    }

    /// An engineer (or the key's owner) revokes a key, e.g. of a lost tablet.
    pub fn revoke_key(&mut self, actor: &str, id: &str, reason: &str) -> Result<(), StoreError> {
        let owner: String = self
            .conn
            .query_row(
                "SELECT login FROM device_keys WHERE key_id = ?1 AND revoked_at IS NULL",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "active device key",
                key: id.to_owned(),
            })?;
        if owner != actor {
            self.authorize(actor, jumeau_core::access::Action::ManageAccounts)?;
        } else if !self.sessions.contains_key(actor) {
            return Err(StoreError::NotLoggedIn(actor.to_owned()));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        revoke(&tx, id, actor, reason)?;
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn key_revoked(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT revoked_at IS NOT NULL FROM device_keys WHERE key_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(true))
    }

    fn new_device_key(
        &mut self,
        login: &str,
        device: &str,
        account_key: &[u8; 32],
    ) -> Result<(SigningKey, String), StoreError> {
        let key = new_key()?;
        let public = key.verifying_key().to_bytes();
        let id = key_id(&public);
        let path = self.sealed_key_path(login, device, &id);
        self.write_sealed(&path, &key, account_key, &format!("{login}@{device}/{id}"))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            &format!(
                "INSERT INTO device_keys (key_id, login, device, public_key, created_at) \
                 VALUES (?1, ?2, ?3, ?4, {NOW})"
            ),
            params![id, login, device, hex::encode(public)],
        )?;
        audit::record(
            &tx,
            login,
            "register",
            "device_key",
            Some(&id),
            Some(device),
        )?;
        tx.commit()?;
        Ok((key, id))
    }

    fn write_sealed(
        &self,
        path: &std::path::Path,
        key: &SigningKey,
        account_key: &[u8; 32],
        context: &str,
    ) -> Result<(), StoreError> {
        let seed = Zeroizing::new(key.to_bytes());
        let sealed = seal(account_key, seed.as_slice(), context.as_bytes())?;
        write_private(path, &format!("{SEALED_FORMAT}:{}\n", hex::encode(sealed)))
    }

    /// Every registered key, revoked ones included, oldest first.
    pub fn device_keys(&self) -> Result<Vec<DeviceKey>, StoreError> {
        let rows = self
            .conn
            .prepare(
                "SELECT key_id, login, device, public_key, created_at, revoked_at, revoked_by \
                 FROM device_keys ORDER BY created_at, key_id",
            )?
            .query_map([], |r| {
                Ok(DeviceKey {
                    key_id: r.get(0)?,
                    login: r.get(1)?,
                    device: r.get(2)?,
                    public_key: r.get(3)?,
                    created_at: r.get(4)?,
                    revoked_at: r.get(5)?,
                    revoked_by: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Every registered key with its owner: (login, device, public key).
    pub fn registered_keys(&self) -> Result<Vec<(String, String, [u8; 32])>, StoreError> {
        let owners: Vec<(String, String, String)> = self
            .conn
            .prepare("SELECT login, device, key_id FROM device_keys")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let keys = self.public_keys()?;
        Ok(owners
            .into_iter()
            .filter_map(|(login, device, id)| Some((login, device, *keys.get(&id)?)))
            .collect())
    }

    /// Owners of registered keys: key id → `login@device`.
    pub fn key_owners(&self) -> Result<HashMap<String, String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key_id, login || '@' || device FROM device_keys")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Registered public keys by key id.
    pub fn public_keys(&self) -> Result<HashMap<String, [u8; 32]>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key_id, public_key FROM device_keys")?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, pk)| {
                let bytes: [u8; 32] = hex::decode(&pk)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| {
                        StoreError::Invalid(format!("public key {id} is not 32 bytes of hex"))
                    })?;
                Ok((id, bytes))
            })
            .collect()
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(jumeau_core::logbook::is_device_name_char)
}

/// Revokes every active key of `login` (a password reset: nobody can unseal them any more).
pub(crate) fn revoke_all(
    tx: &rusqlite::Transaction<'_>,
    login: &str,
    by: &str,
) -> Result<(), StoreError> {
    let ids: Vec<String> = tx
        .prepare("SELECT key_id FROM device_keys WHERE login = ?1 AND revoked_at IS NULL")?
        .query_map([login], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        revoke(tx, &id, by, "password reset")?;
    }
    Ok(())
}

/// Marks a key revoked after the last logbook entry there is now.
fn revoke(conn: &rusqlite::Connection, id: &str, by: &str, reason: &str) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "UPDATE device_keys SET revoked_at = {NOW}, revoked_by = ?2, \
             revoked_after_seq = (SELECT COALESCE(MAX(seq), 0) FROM logbook) \
             WHERE key_id = ?1 AND revoked_at IS NULL"
        ),
        params![id, by],
    )?;
    audit::record(conn, by, "revoke", "device_key", Some(id), Some(reason))
}

fn bad_file(path: &std::path::Path) -> StoreError {
    StoreError::Invalid(format!(
        "{} is not a key sealed for this account (damaged, or another account's)",
        path.display()
    ))
}

fn parse_seed(bytes: &[u8]) -> Option<SigningKey> {
    let bytes: [u8; 32] = bytes.try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

fn new_key() -> Result<SigningKey, StoreError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    random(&mut *seed)?;
    Ok(SigningKey::from_bytes(&seed))
}
