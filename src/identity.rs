//! Who runs a command: the login, this device, and where their password comes from
//! (`--password-file`, `$JUMEAU_PASSWORD_FILE`, or a prompt on the terminal). Also where the
//! one-time passwords of new accounts are shown, once.

use anyhow::Context;
use jumeau_store::{Password, Session, Store, StoreFiles};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The largest password file read (a password is one line).
const MAX_PASSWORD_FILE_BYTES: u64 = 4096;

#[derive(Debug, Clone)]
pub struct Identity {
    pub login: String,
    pub device: String,
    pub password_file: Option<PathBuf>,
    /// A code of the authenticator, when given with the command.
    pub otp: Option<String>,
}

impl Identity {
    /// The password: the first line of the password file, or typed at a prompt.
    pub fn password(&self) -> anyhow::Result<Password> {
        match &self.password_file {
            Some(file) => read_password_file(file),
            None => ask(&format!("Mot de passe de {} : ", self.login)),
        }
    }

    /// Logs in on `store` for a command that acts; a one-time password is refused here (it
    /// only serves `jumeau login` to set one's own).
    pub fn log_in(&self, store: &mut Store) -> anyhow::Result<Session> {
        let session = self.log_in_allowing_change(store)?;
        anyhow::ensure!(
            !session.must_change_password(),
            "{} has a one-time password: run `jumeau --user {} login` first to set your own",
            self.login,
            self.login
        );
        Ok(session)
    }

    /// Gives the second factor when an action of this command needs it and this device is
    /// not trusted now: the `--otp` code, or one asked on the terminal.
    pub fn second_factor(&self, store: &mut Store) -> anyhow::Result<()> {
        if !store.second_factor_needed(&self.login)? {
            return Ok(());
        }
        Ok(store.verify_second_factor(&self.login, &self.code()?)?)
    }

    /// An authenticator code: `--otp`, or asked on the terminal.
    pub fn code(&self) -> anyhow::Result<String> {
        match &self.otp {
            Some(code) => Ok(code.clone()),
            None => Ok(ask("Code de votre application d'authentification : ")?
                .expose()
                .to_owned()),
        }
    }

    /// What a runtime acting for this identity is started with: the store opened first (a
    /// first start shows its one-time passwords here), then the password asked.
    pub fn runtime_config(
        &self,
        store_files: &StoreFiles,
        source: jumeau_runtime::SourceConfig,
    ) -> anyhow::Result<jumeau_runtime::RuntimeConfig> {
        drop(open_store(store_files)?);
        Ok(jumeau_runtime::RuntimeConfig {
            store: store_files.clone(),
            login: self.login.clone(),
            password: self.password()?,
            device: self.device.clone(),
            source,
        })
    }

    pub fn log_in_allowing_change(&self, store: &mut Store) -> anyhow::Result<Session> {
        let password = self.password()?;
        Ok(store.login(&self.login, &password, &self.device)?)
    }
}

/// Opens the store, seeding it at first use; the one-time passwords this start made (a new
/// store, or accounts an older store had without passwords) are shown now, on stderr, once, as
/// is the clear backup of a store this start encrypted.
pub fn open_store(files: &StoreFiles) -> anyhow::Result<Store> {
    let mut store = Store::open_seeded(files)?;
    if let Some(backup) = store.take_clear_backup() {
        eprintln!(
            "jumeau: le référentiel {} est maintenant chiffré (clé : {}). L'original en clair \
             est conservé dans {} : supprimez-le une fois le référentiel vérifié \
             (jumeau db check), il n'est pas protégé.",
            files.store.display(),
            files.key.display(),
            backup.display()
        );
    }
    let new = store.take_new_passwords();
    if !new.is_empty() {
        eprintln!(
            "jumeau: comptes créés — mots de passe à usage unique, affichés cette seule fois \
             (chacun fixe le sien avec `jumeau --user LOGIN login`) :"
        );
        for (login, password) in &new {
            eprintln!("  {login:<14} {}", password.expose());
        }
    }
    Ok(store)
}

/// A new password, typed twice at the terminal or read from a file.
pub fn new_password(file: Option<&Path>) -> anyhow::Result<Password> {
    if let Some(file) = file {
        return read_password_file(file);
    }
    let first = ask("Nouveau mot de passe (12 caractères au moins) : ")?;
    let again = ask("Nouveau mot de passe, à nouveau : ")?;
    anyhow::ensure!(
        first.expose() == again.expose(),
        "the two new passwords differ; nothing changed"
    );
    Ok(first)
}

pub fn read_password_file(file: &Path) -> anyhow::Result<Password> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_PASSWORD_FILE_BYTES).read_to_string(&mut text))
        .with_context(|| format!("cannot read the password file {}", file.display()))?;
    let line = text.lines().next().unwrap_or_default();
    anyhow::ensure!(!line.is_empty(), "{} holds no password", file.display());
    Ok(Password::new(line))
}

pub fn ask(question: &str) -> anyhow::Result<Password> {
    anyhow::ensure!(
        std::io::stdin().is_terminal(),
        "no terminal to ask `{}`: give it by --password-file FILE ($JUMEAU_PASSWORD_FILE) for \
         a password, --otp CODE ($JUMEAU_OTP) for an authenticator code",
        question.trim_end_matches([' ', ':'])
    );
    let typed = rpassword::prompt_password(question).context("reading the password")?;
    Ok(Password::new(typed))
}
