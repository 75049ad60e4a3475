//! `jumeau login` and `jumeau account list|create|reset|unlock|revoke-key|rotate-key`. The
//! rights are the store's (engineers manage accounts); this only asks and prints.

use crate::cli::AccountCommand;
use crate::identity::{Identity, new_password, open_store};
use jumeau_store::StoreFiles;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Logs in; at the first login (or with `change`) sets a new password.
pub fn login(
    store_files: &StoreFiles,
    who: &Identity,
    change: bool,
    new_password_file: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let mut store = open_store(store_files)?;
    let old = who.password()?;
    let mut session = store.login(&who.login, &old, &who.device)?;
    if let Some(code) = &who.otp {
        // Confirms a new authenticator, or trusts this device for the next decisions.
        store.verify_second_factor(&who.login, code)?;
    }
    if session.must_change_password() || change || new_password_file.is_some() {
        if session.must_change_password() {
            eprintln!("Première connexion : choisissez votre mot de passe.");
        }
        let new = new_password(new_password_file.as_deref())?;
        session = store.change_password(&who.login, &old, &new)?;
        out!("Mot de passe changé pour {}.", session.login());
    }
    out!(
        "Connecté : {} ({}) sur {}, clé de signature {}",
        crate::commands::printable(session.display_name()),
        session.role().label_fr(),
        session.device(),
        session.key_id()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run(
    store_files: &StoreFiles,
    who: &Identity,
    cmd: AccountCommand,
) -> anyhow::Result<ExitCode> {
    let mut store = open_store(store_files)?;
    match cmd {
        AccountCommand::List { json } => {
            let users = store.users()?;
            let keys = store.device_keys()?;
            if json {
                let report = serde_json::json!({ "users": users, "keys": keys });
                out!("{}", serde_json::to_string_pretty(&report)?);
                return Ok(ExitCode::SUCCESS);
            }
            for u in &users {
                out!(
                    "{:<14} {:<10} {:<8} {}",
                    u.login,
                    u.role.as_str(),
                    if u.active { "actif" } else { "désactivé" },
                    crate::commands::printable(&u.display_name)
                );
                for k in keys.iter().filter(|k| k.login == u.login) {
                    let state = match &k.revoked_at {
                        Some(at) => format!("révoquée le {at}"),
                        None => "active".into(),
                    };
                    out!("    clé {} sur {:<16} {state}", k.key_id, k.device);
                }
            }
        }
        AccountCommand::Create { login, name, role } => {
            who.log_in(&mut store)?;
            who.second_factor(&mut store)?;
            let password = store.create_user(&who.login, &login, &name, role)?;
            out!(
                "Compte {login} créé. Mot de passe à usage unique, à remettre en main propre : {}",
                password.expose()
            );
        }
        AccountCommand::Reset { login } => {
            who.log_in(&mut store)?;
            who.second_factor(&mut store)?;
            let password = store.reset_password(&who.login, &login)?;
            out!(
                "Mot de passe de {login} réinitialisé, ses clés révoquées. Mot de passe à usage unique : {}",
                password.expose()
            );
        }
        AccountCommand::Unlock { login } => {
            who.log_in(&mut store)?;
            who.second_factor(&mut store)?;
            store.unlock_account(&who.login, &login)?;
            out!("Compte {login} déverrouillé.");
        }
        AccountCommand::RevokeKey { key_id, reason } => {
            who.log_in(&mut store)?;
            who.second_factor(&mut store)?;
            store.revoke_key(&who.login, &key_id, &reason)?;
            out!("Clé {key_id} révoquée.");
        }
        AccountCommand::Totp => {
            who.log_in(&mut store)?;
            who.second_factor(&mut store)?;
            let enrolment = store.enrol_second_factor(&who.login)?;
            out!("Secret (base32) : {}", enrolment.base32);
            out!("URI : {}", enrolment.uri);
            out!(
                "Entrez ce secret dans votre application d'authentification, puis son premier code."
            );
            // A code given with the command was the old authenticator's, if any.
            if who.otp.is_none() && std::io::stdin().is_terminal() {
                store.verify_second_factor(&who.login, who.code()?.as_str())?;
                out!("Second facteur confirmé pour {}.", who.login);
            } else {
                out!(
                    "À confirmer avec son premier code : jumeau --user {} --otp CODE login",
                    who.login
                );
            }
        }
        AccountCommand::RotateKey => {
            let session = who.log_in(&mut store)?;
            let new = store.rotate_key(&who.login)?;
            out!(
                "Clé {} révoquée ; {} signe désormais avec la clé {}.",
                session.key_id(),
                who.device,
                new.key_id()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
