//! How the CLI's source options become a secured link: message security, the client's PKI and
//! trust list, the user a plant server or broker is logged in to as.

use crate::cli::SourceArgs;
use anyhow::Context;
use jumeau_scada::link::{Credentials, LinkSecurity};
use jumeau_scada::opcua_client::Security;
use std::path::PathBuf;

impl SourceArgs {
    /// The link's security from `--security`, `--pki-dir`, `--source-user` and
    /// `--source-password-file` (asked on the terminal when not given), `--mqtt-ca`.
    pub fn link(&self) -> anyhow::Result<LinkSecurity> {
        Ok(LinkSecurity {
            security: Security::parse(&self.security).map_err(anyhow::Error::msg)?,
            pki_dir: self.pki_dir()?,
            user: self.credentials()?,
            ca_file: self.mqtt_ca.clone(),
        })
    }

    /// `--pki-dir`, else `~/.config/jumeau/pki`.
    pub fn pki_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.pki_dir {
            Some(dir) => Ok(dir.clone()),
            None => Ok(directories::ProjectDirs::from("org", "jumeau", "jumeau")
                .context("no home directory: pass --pki-dir DIR")?
                .config_dir()
                .join("pki")),
        }
    }

    /// The source user and their password, if a user is named.
    pub fn credentials(&self) -> anyhow::Result<Option<Credentials>> {
        let Some(user) = &self.source_user else {
            return Ok(None);
        };
        let password = match &self.source_password_file {
            Some(file) => crate::identity::read_password_file(file)?,
            None => crate::identity::ask(&format!("Mot de passe de {user} sur la source : "))?,
        };
        Ok(Some(Credentials {
            user: user.clone(),
            password: password.expose().to_owned(),
        }))
    }
}
