//! Device keys: one Ed25519 key pair per user and device, created at first use. The private
//! seed lives in `<data dir>/keys/<login>@<device>.ed25519`, readable by its owner only; the
//! public key is registered in the store so that anyone can verify.

use crate::{NOW, Store, StoreError, audit};
use ed25519_dalek::SigningKey;
use jumeau_core::logbook::key_id;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::collections::HashMap;
use std::path::PathBuf;

impl Store {
    fn key_path(&self, login: &str, device: &str) -> PathBuf {
        let dir = self
            .path
            .parent()
            .map(|p| p.join("keys"))
            .unwrap_or_else(|| "keys".into());
        dir.join(format!("{login}@{device}.ed25519"))
    }

    /// The signing key of `login` on `device`: loaded, or created and registered.
    pub fn device_key(&mut self, login: &str, device: &str) -> Result<SigningKey, StoreError> {
        if let Some(k) = self.keys.get(&(login.to_owned(), device.to_owned())) {
            return Ok(k.clone());
        }
        if !valid_name(device) {
            return Err(StoreError::Invalid(format!(
                "device name `{device}` must be letters, digits, '.', '-' or '_'"
            )));
        }
        self.user(login)?;
        // Two processes signing for the same user and device the first time: one creates the
        // key, the other waits and finds it.
        let _setup = crate::lock::setup_lock(&self.path)?;
        let path = self.key_path(login, device);
        let registered: Option<String> = self
            .conn
            .query_row(
                "SELECT public_key FROM device_keys WHERE login = ?1 AND device = ?2",
                params![login, device],
                |r| r.get(0),
            )
            .optional()?;
        let key = match (std::fs::read_to_string(&path), registered) {
            (Ok(text), registered) => {
                let key = parse_seed(&text).ok_or_else(|| {
                    StoreError::Invalid(format!("{} is not an Ed25519 key file", path.display()))
                })?;
                let public = hex::encode(key.verifying_key().to_bytes());
                match registered {
                    Some(r) if r == public => {}
                    Some(_) => {
                        return Err(StoreError::Invalid(format!(
                            "{} does not hold the key registered for {login} on {device}",
                            path.display()
                        )));
                    }
                    None => self.register_key(login, device, &key)?,
                }
                key
            }
            (Err(e), Some(_)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Invalid(format!(
                    "the private key of {login} on {device} is missing ({}); it cannot be recreated",
                    path.display()
                )));
            }
            (Err(e), None) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = new_key()?;
                write_private(&path, &hex::encode(key.to_bytes()))?;
                self.register_key(login, device, &key)?;
                key
            }
            (Err(source), _) => return Err(StoreError::Io { path, source }),
        };
        self.keys
            .insert((login.to_owned(), device.to_owned()), key.clone());
        Ok(key)
    }

    fn register_key(
        &mut self,
        login: &str,
        device: &str,
        key: &SigningKey,
    ) -> Result<(), StoreError> {
        let public = key.verifying_key().to_bytes();
        let id = key_id(&public);
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
        Ok(())
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

fn parse_seed(text: &str) -> Option<SigningKey> {
    let bytes: [u8; 32] = hex::decode(text.trim()).ok()?.try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

fn new_key() -> Result<SigningKey, StoreError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| StoreError::Invalid(format!("no randomness from the OS: {e}")))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Writes a new file readable by its owner only; never overwrites.
fn write_private(path: &std::path::Path, content: &str) -> Result<(), StoreError> {
    use std::io::Write;
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    file.write_all(content.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}
