//! The second factor: an RFC 6238 authenticator per account, its secret sealed with the
//! account key. A good code (each accepted once) trusts the session's device for
//! [`SECOND_FACTOR_MINUTES`]; the actions of `Action::needs_second_factor` ask for that trust.
//! Wrong codes count towards the account's lockout like wrong passwords.

use crate::seal::{open_sealed, random, seal};
use crate::{NOW, Session, Store, StoreError, audit};
use jumeau_core::totp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

/// How long a device stays trusted after a good code.
pub const SECOND_FACTOR_MINUTES: u32 = 15;

/// What an authenticator app needs to enrol an account.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret: Vec<u8>,
    /// The secret in base32, for typing it in.
    pub base32: String,
    /// `otpauth://` URI, for a QR code.
    pub uri: String,
}

impl Store {
    /// Starts (or replaces) the logged-in `login`'s authenticator: a new secret, confirmed by
    /// its first good code ([`Store::verify_second_factor`]). Replacing a confirmed one needs
    /// the trust of a code of the old one, so a stolen password cannot swap it.
    pub fn enrol_second_factor(&mut self, login: &str) -> Result<Enrolment, StoreError> {
        let mut secret = vec![0u8; 20];
        random(&mut secret)?;
        self.store_second_factor(login, &secret)?;
        Ok(Enrolment {
            base32: totp::base32(&secret),
            uri: totp::uri("Jumeau", login, &secret),
            secret,
        })
    }

    pub(crate) fn store_second_factor(
        &mut self,
        login: &str,
        secret: &[u8],
    ) -> Result<(), StoreError> {
        let (_, session) = self.authenticated(login)?;
        if self.second_factor_confirmed(login)? && !self.second_factor_trusted(&session)? {
            return Err(StoreError::SecondFactorRequired {
                login: login.to_owned(),
                action: "replace the authenticator".into(),
                enrolled: true,
            });
        }
        let sealed = seal(&session.account_key, secret, context(login).as_bytes())?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            &format!(
                "INSERT INTO second_factor (login, secret, created_at) VALUES (?1, ?2, {NOW}) \
                 ON CONFLICT (login) DO UPDATE SET secret = ?2, confirmed = 0, last_step = 0, \
                 created_at = {NOW}"
            ),
            params![login, hex::encode(sealed)],
        )?;
        tx.execute("DELETE FROM second_factor_grants WHERE login = ?1", [login])?;
        audit::record(&tx, login, "enrol", "second_factor", Some(login), None)?;
        tx.commit()?;
        Ok(())
    }

    /// Checks a code of the logged-in `login`'s authenticator (confirming it at its first good
    /// code) and trusts the session's device for [`SECOND_FACTOR_MINUTES`]. Nothing to do when
    /// the device is trusted already: the code is then not used up.
    pub fn verify_second_factor(&mut self, login: &str, code: &str) -> Result<(), StoreError> {
        let (_, session) = self.authenticated(login)?;
        if self.second_factor_trusted(&session)? {
            return Ok(());
        }
        let row: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT secret, last_step FROM second_factor WHERE login = ?1",
                [login],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((sealed, last_step)) = row else {
            return Err(StoreError::SecondFactorRequired {
                login: login.to_owned(),
                action: "use a second factor".into(),
                enrolled: false,
            });
        };
        let secret = hex::decode(sealed)
            .ok()
            .and_then(|b| open_sealed(&session.account_key, &b, context(login).as_bytes()))
            .ok_or_else(|| {
                StoreError::Invalid(format!("the authenticator secret of `{login}` is damaged"))
            })?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let step = totp::matching_step(&secret, code, now);
        match step {
            Some(step) if step as i64 > last_step => {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                // Checked again inside the write: two logins racing with one code, one wins.
                let used = tx.execute(
                    "UPDATE second_factor SET confirmed = 1, last_step = ?2 \
                     WHERE login = ?1 AND last_step < ?2",
                    params![login, step as i64],
                )?;
                if used == 0 {
                    return Err(used_already());
                }
                tx.execute(
                    &format!(
                        "INSERT INTO second_factor_grants (login, device, until) VALUES (?1, ?2, \
                         strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+{SECOND_FACTOR_MINUTES} minutes')) \
                         ON CONFLICT (login, device) DO UPDATE SET until = excluded.until"
                    ),
                    params![login, session.device],
                )?;
                tx.execute(
                    "UPDATE credentials SET failed_attempts = 0 WHERE login = ?1",
                    [login],
                )?;
                audit::record(
                    &tx,
                    login,
                    "second_factor",
                    "session",
                    Some(&session.device),
                    None,
                )?;
                tx.commit()?;
                Ok(())
            }
            Some(_) => Err(used_already()),
            None => {
                let failed = self.failed_attempts(login)?;
                match self.count_failure(login, failed)? {
                    StoreError::BadCredentials => {
                        Err(StoreError::SecondFactorRefused("wrong code".into()))
                    }
                    locked => Err(locked),
                }
            }
        }
    }

    /// Whether an action needing a second factor would ask the logged-in `login` for a code now
    /// (an authenticator confirmed, this device not trusted at the moment).
    pub fn second_factor_needed(&self, login: &str) -> Result<bool, StoreError> {
        let (_, session) = self.authenticated(login)?;
        Ok(self.second_factor_confirmed(login)? && !self.second_factor_trusted(&session)?)
    }

    /// Whether `login` has a confirmed authenticator.
    pub fn second_factor_confirmed(&self, login: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT confirmed FROM second_factor WHERE login = ?1",
                [login],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }

    /// Whether the session's device is trusted after a recent good code.
    pub(crate) fn second_factor_trusted(&self, session: &Session) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT EXISTS (SELECT 1 FROM second_factor_grants \
                 WHERE login = ?1 AND device = ?2 AND until > {NOW})"
            ),
            params![session.login, session.device],
            |r| r.get(0),
        )?)
    }
}

fn used_already() -> StoreError {
    StoreError::SecondFactorRefused("this code was used already; wait for the next one".into())
}

/// What a sealed authenticator secret is bound to.
fn context(login: &str) -> String {
    format!("{login}/totp")
}
