//! Passwords: the in-memory type, the strength rule, Argon2id hashing and verification, and
//! the key a password derives (what wraps the account key).

use crate::StoreError;
use crate::seal::random;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::fmt;
use zeroize::Zeroizing;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A password in memory: wiped when dropped, never printed by `Debug`.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(text: impl Into<String>) -> Password {
        Password(Zeroizing::new(text.into()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A one-time password: 16 characters from an alphabet without look-alikes (≈ 85 bits).
    pub fn generate() -> Result<Password, StoreError> {
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut bytes = Zeroizing::new([0u8; 16]);
        random(&mut *bytes)?;
        let text: String = bytes
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        Ok(Password::new(text))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// Why a new password is refused (a client words it in its own language).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Weakness {
    #[error("at least {min} characters (this one has {chars})")]
    TooShort { min: usize, chars: usize },
    #[error("no control characters (a stray newline?)")]
    ControlCharacter,
    #[error("it must not contain the login")]
    ContainsLogin,
    #[error("the new password must differ from the old one")]
    SameAsOld,
}

pub(crate) fn check_strength(password: &Password, login: &str) -> Result<(), StoreError> {
    let text = password.expose();
    let chars = text.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(StoreError::WeakPassword(Weakness::TooShort {
            min: MIN_PASSWORD_CHARS,
            chars,
        }));
    }
    if text.chars().any(char::is_control) {
        return Err(StoreError::WeakPassword(Weakness::ControlCharacter));
    }
    if text.to_lowercase().contains(&login.to_lowercase()) {
        return Err(StoreError::WeakPassword(Weakness::ContainsLogin));
    }
    Ok(())
}

pub(crate) fn hash_password(password: &Password) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    random(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(crypto)?;
    Ok(Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map_err(crypto)?
        .to_string())
}

/// A hash no password is known for, checked against for unknown logins.
pub(crate) fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::encode_b64(&[0u8; 16]).expect("a 16-byte salt encodes");
        Argon2::default()
            .hash_password(b"unknown account", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

pub(crate) fn verify_password(password: &Password, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.expose().as_bytes(), &h)
            .is_ok()
    })
}

/// Argon2id (default parameters) of the password with `salt`: 32 bytes.
pub(crate) fn derive_key(
    password: &Password,
    salt: &[u8],
) -> Result<Zeroizing<[u8; 32]>, StoreError> {
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::default()
        .hash_password_into(password.expose().as_bytes(), salt, &mut *out)
        .map_err(crypto)?;
    Ok(out)
}

pub(crate) fn crypto(e: impl fmt::Display) -> StoreError {
    StoreError::Invalid(format!("password hashing failed: {e}"))
}
