//! The runtime before anyone has logged in: the store opened and master data loaded (reads
//! need no login), so that a client can show its login screen and check what it was asked,
//! then log a person in — their one-time password changed first if need be — and become a
//! [`Runtime`] acting for them (started by `handle`).

use jumeau_core::masterdata::MasterData;
use jumeau_store::{ChangeSetRow, Password, Session, Store, StoreError, StoreFiles};

use crate::config::{Actor, RuntimeConfig, SourceConfig};
use crate::source::SourceKind;

/// A store opened for a runtime, nobody logged in yet.
pub struct Door {
    pub(crate) files: StoreFiles,
    pub(crate) device: String,
    /// The data source, made from its configuration once, when the door opens.
    pub(crate) source: SourceKind,
    pub(crate) store: Store,
    pub(crate) md: MasterData,
    pub(crate) last_changeset: Option<ChangeSetRow>,
}

/// A runtime opened on its store and logged in for its actor, not started yet: a client
/// checks what it was asked against master data before anything runs.
pub struct Runtime {
    pub(crate) door: Door,
    pub(crate) actor: Actor,
}

impl Runtime {
    /// Opens the store and logs the actor in with the configuration's password (a one-time
    /// password is refused: it only serves to set one's own).
    pub fn open(config: RuntimeConfig) -> anyhow::Result<Runtime> {
        let door = Door::open(config.store, config.device, config.source)?;
        door.log_in(&config.login, &config.password)
            .map_err(|refused| anyhow::Error::new(refused.why))
    }

    pub fn md(&self) -> &MasterData {
        &self.door.md
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }
}

/// Why a login did not open the runtime; the door comes back with it, for the next attempt.
pub struct Refused {
    pub door: Box<Door>,
    pub why: LoginRefusal,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginRefusal {
    /// The password was right but is a one-time password: the account is logged in on the
    /// door and must choose its own ([`Door::change_password_and_enter`]) before anything.
    #[error("`{0}` logs in with a one-time password: set a new one first (jumeau login)")]
    MustChangePassword(String),
    /// The store refused (wrong password, locked or deactivated account, weak new password…).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Door {
    /// Opens the store (set up before: the first start shows the one-time passwords, which a
    /// runtime has nobody to show to) and loads master data.
    pub fn open(files: StoreFiles, device: String, source: SourceConfig) -> anyhow::Result<Door> {
        let store = Store::open(&files)?;
        anyhow::ensure!(
            store.seed_status()? == Some(jumeau_core::ChangeSetStatus::Validated),
            "{} is not set up yet: open it once with Jumeau (first start) before a runtime",
            files.store.display()
        );
        let md = store.master_data()?;
        // A scenario that does not load is said now, not after someone has logged in.
        let source = SourceKind::from_config(&source, &md)?;
        let last_changeset = store
            .changesets()?
            .into_iter()
            .rev()
            .find(|c| c.status == jumeau_core::ChangeSetStatus::Validated);
        Ok(Door {
            files,
            device,
            source,
            store,
            md,
            last_changeset,
        })
    }

    pub fn md(&self) -> &MasterData {
        &self.md
    }

    /// This device's name, under which the logins are recorded and the keys kept.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Logs `login` in with `password` (Argon2id: tens of milliseconds to seconds, run it off
    /// a user interface's thread). Every attempt is in the audit trail; the fifth failure in a
    /// row locks the account.
    pub fn log_in(mut self, login: &str, password: &Password) -> Result<Runtime, Box<Refused>> {
        match self.store.login(login, password, &self.device) {
            Ok(session) if session.must_change_password() => {
                Err(self.refused(LoginRefusal::MustChangePassword(session.login().to_owned())))
            }
            Ok(session) => Ok(self.enter(&session)),
            Err(e) => Err(self.refused(e.into())),
        }
    }

    /// After [`LoginRefusal::MustChangePassword`]: sets the account's own password (the
    /// one-time one given again) and opens the runtime for it.
    pub fn change_password_and_enter(
        mut self,
        login: &str,
        old: &Password,
        new: &Password,
    ) -> Result<Runtime, Box<Refused>> {
        match self.store.change_password(login, old, new) {
            Ok(session) => Ok(self.enter(&session)),
            Err(e) => Err(self.refused(e.into())),
        }
    }

    fn enter(self, session: &Session) -> Runtime {
        let actor = Actor {
            login: session.login().to_owned(),
            display_name: session.display_name().to_owned(),
            role: session.role(),
            device: session.device().to_owned(),
        };
        Runtime { door: self, actor }
    }

    fn refused(self, why: LoginRefusal) -> Box<Refused> {
        Box::new(Refused {
            door: Box::new(self),
            why,
        })
    }
}
