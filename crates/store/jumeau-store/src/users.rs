//! Users and their roles.

use crate::{NOW, Store, StoreError, audit};
use jumeau_core::Role;
use jumeau_core::access::Action;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

/// Pseudo-actor for what the installer does before any account exists.
pub const INSTALLER: &str = "installation";

impl Store {
    pub fn user(&self, login: &str) -> Result<User, StoreError> {
        load(&self.conn, login)?.ok_or_else(|| StoreError::UnknownUser(login.to_owned()))
    }

    /// For what `login` did on another device and is carried out here: their role as this
    /// store's accounts have it, once the account is found active and the role allowed
    /// `action`; otherwise why not, worded for the history.
    pub fn remote_author_role(
        &self,
        login: &str,
        action: jumeau_core::access::Action,
    ) -> Result<jumeau_core::Role, String> {
        let user = self.user(login).map_err(|e| e.to_string())?;
        if !user.active {
            return Err(format!("{login} is no longer active"));
        }
        jumeau_core::access::check(login, user.role, action).map_err(|e| e.to_string())?;
        Ok(user.role)
    }

    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT login FROM users ORDER BY login")?;
        let logins: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        logins.iter().map(|l| self.user(l)).collect()
    }

    /// An engineer creates an account; returns its one-time password, to hand over in person
    /// (the new user sets their own at first login).
    pub fn create_user(
        &mut self,
        actor: &str,
        login: &str,
        display_name: &str,
        role: Role,
    ) -> Result<crate::Password, StoreError> {
        self.authorize(actor, Action::ManageAccounts)?;
        if !valid_login(login) {
            return Err(StoreError::Invalid(format!(
                "login `{login}` must be 1 to 64 lower-case letters, digits, '.', '-' or '_'"
            )));
        }
        self.insert_user(actor, login, display_name, role)?;
        self.issue_one_time_password(login, actor, "initial_password", false)
    }

    /// Inserts an account row; `created_by` is the engineer, or [`INSTALLER`].
    pub(crate) fn insert_user(
        &mut self,
        created_by: &str,
        login: &str,
        display_name: &str,
        role: Role,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            &format!(
                "INSERT INTO users (login, display_name, role, created_at, created_by) \
                 VALUES (?1, ?2, ?3, {NOW}, ?4)"
            ),
            params![login, display_name, role.as_str(), created_by],
        )?;
        audit::record(
            &tx,
            created_by,
            "create",
            "user",
            Some(login),
            Some(role.as_str()),
        )?;
        tx.commit()?;
        Ok(())
    }
}

fn valid_login(login: &str) -> bool {
    (1..=64).contains(&login.len())
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
}

/// The account `login`, if there is one (inside a transaction too).
pub(crate) fn load(conn: &rusqlite::Connection, login: &str) -> Result<Option<User>, StoreError> {
    conn.query_row(
        "SELECT login, display_name, role, active FROM users WHERE login = ?1",
        [login],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        },
    )
    .optional()?
    .map(|(login, display_name, role, active)| {
        Ok(User {
            login,
            display_name,
            role: role
                .parse()
                .map_err(|e| StoreError::Invalid(format!("{e}")))?,
            active,
        })
    })
    .transpose()
}
