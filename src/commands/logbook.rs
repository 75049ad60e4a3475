//! `jumeau logbook add|list|verify|export|verify-export`.

use crate::cli::{ExportFormat, LogFilterArgs, LogbookCommand};
use crate::identity::{Identity, open_store};
use anyhow::{Context, bail};
use jumeau_core::logbook::{EntryDraft, EntryKind, EntryValue};
use jumeau_reports::{
    ExportSigner, PdfHeader, TrustedKey, fingerprint, sign_export, verify_export,
};
use jumeau_store::{LogEntry, LogFilter, Session, Store, StoreFiles};
use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

pub fn run(
    store_files: &StoreFiles,
    who: &Identity,
    cmd: LogbookCommand,
) -> anyhow::Result<ExitCode> {
    let mut store = open_store(store_files)?;
    match cmd {
        LogbookCommand::Add {
            category,
            text,
            components,
            tags,
            values,
            attachments,
            corrects,
            training,
        } => {
            let draft = EntryDraft {
                kind: EntryKind::Manual,
                category,
                text,
                components,
                tags,
                values: values
                    .iter()
                    .map(|v| EntryValue::parse(v))
                    .collect::<Result<_, _>>()?,
                attachments,
                corrects,
                training,
            };
            who.log_in(&mut store)?;
            let seq = store.append_logbook(&who.login, &draft)?;
            out!("{seq}");
        }
        LogbookCommand::List {
            filter,
            limit,
            json,
        } => {
            let entries = store.logbook(&LogFilter {
                limit,
                ..to_filter(&filter)
            })?;
            if json {
                out!("{}", serde_json::to_string_pretty(&entries)?);
            } else {
                for e in &entries {
                    print_entry(e);
                }
            }
        }
        LogbookCommand::Verify {
            from,
            to,
            since_checkpoint,
            json,
        } => {
            let v = if since_checkpoint {
                store.verify_logbook_from_checkpoint()?
            } else {
                store.verify_logbook()?
            };
            return verify(&store, v, from, to, json);
        }
        LogbookCommand::Export {
            format,
            filter,
            out,
        } => {
            let session = who.log_in(&mut store)?;
            export(&mut store, &session, format, &filter, &out)?
        }
        LogbookCommand::VerifyExport { file, key, json } => {
            return check_export(&store, &file, key.as_deref(), json);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn to_filter(f: &LogFilterArgs) -> LogFilter {
    LogFilter {
        from: f.from.clone(),
        to: f.to.clone(),
        component: f.component.clone(),
        category: f.category.clone(),
        author: f.author.clone(),
        tag: f.tag.clone(),
        text: f.search.clone(),
        limit: None,
    }
}

fn describe(f: &LogFilterArgs) -> String {
    let parts: Vec<String> = [
        ("composant", &f.component),
        ("catégorie", &f.category),
        ("auteur", &f.author),
        ("tag", &f.tag),
        ("texte", &f.search),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
    .collect();
    if parts.is_empty() {
        "aucun".into()
    } else {
        parts.join(", ")
    }
}

fn print_entry(e: &LogEntry) {
    let b = &e.body;
    out!(
        "#{:<5} {} {} ({}) [{}]{} {}",
        b.seq,
        b.recorded_at,
        b.author,
        b.role,
        b.category,
        if b.training { " FORMATION" } else { "" },
        b.text.replace('\n', " / ")
    );
    if !b.components.is_empty() || !b.values.is_empty() {
        let values: Vec<String> = b.values.iter().map(ToString::to_string).collect();
        out!("       {} {}", b.components.join(", "), values.join(", "));
    }
}

fn verify(
    store: &Store,
    mut v: jumeau_store::Verification,
    from: Option<String>,
    to: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    if from.is_some() || to.is_some() {
        let in_range: std::collections::HashSet<u64> = store
            .logbook(&LogFilter {
                from,
                to,
                ..LogFilter::default()
            })?
            .iter()
            .map(|e| e.body.seq)
            .collect();
        v.faults.retain(|f| in_range.contains(&f.seq));
        v.entries = in_range.len();
    }
    if json {
        out!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for f in &v.faults {
            out!("entry #{}: {:?} — {}", f.seq, f.kind, f.detail);
        }
        for f in &v.remote_faults {
            out!(
                "entry {}#{}: {:?} — {}",
                f.device,
                f.fault.seq,
                f.fault.kind,
                f.fault.detail
            );
        }
        for p in &v.sqlite_problems {
            out!("store file: {p}");
        }
        out!(
            "{} entries checked ({} of other devices){}, {} fault(s){}",
            v.entries + v.remote_entries,
            v.remote_entries,
            match (v.checkpoint, v.first_seq) {
                (Some(hub_seq), Some(seq)) => {
                    format!(" from #{seq}, countersigned by the hub as #{hub_seq}")
                }
                _ => String::new(),
            },
            v.faults.len() + v.remote_faults.len(),
            v.last_hash
                .as_deref()
                .map(|h| format!("; head {h}"))
                .unwrap_or_default()
        );
    }
    Ok(if v.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn export(
    store: &mut Store,
    session: &Session,
    format: ExportFormat,
    filter: &LogFilterArgs,
    out: &Path,
) -> anyhow::Result<()> {
    let signer = store.user(session.login())?;
    let key = session.signing_key().clone();
    let device = session.device();
    let entries = store.logbook(&to_filter(filter))?;
    let print = fingerprint(&entries);
    let now = store.now()?;
    match format {
        ExportFormat::Csv => {
            let file = std::fs::File::create(out)
                .with_context(|| format!("cannot write {}", out.display()))?;
            let keys = store.plant_public_keys()?;
            jumeau_reports::write_csv(&entries, &keys, std::io::BufWriter::new(file))?;
        }
        ExportFormat::Pdf => {
            // The PDF states the chain's state at export time; the CSV carries what a reader
            // needs to check it, so only the PDF pays for a full verification.
            let verification = store.verify_logbook()?;
            let owners: HashMap<String, String> = store.key_owners()?;
            let header = PdfHeader {
                site: "Centrale à cycle combiné 2×1 (TG1, TG2, CR1, CR2, TV)".into(),
                title: "Main courante — extrait signé".into(),
                period: format!(
                    "{} → {}",
                    filter.from.as_deref().unwrap_or("début"),
                    filter.to.as_deref().unwrap_or("fin")
                ),
                filters: describe(filter),
                exported_by: format!(
                    "{} ({}, {}) depuis {device}",
                    signer.display_name, signer.login, signer.role
                ),
                exported_at: now.clone(),
                verification: if verification.faults.is_empty() {
                    format!("chaîne intègre, {} entrées vérifiées", verification.entries)
                } else {
                    format!(
                        "{} défaut(s) — voir `jumeau logbook verify`",
                        verification.faults.len()
                    )
                },
                fingerprint: print.clone(),
                signer_key: hex_key(&key),
            };
            let bytes = jumeau_reports::write_pdf(&entries, &header, &owners);
            std::fs::write(out, bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
        }
    }
    let manifest = sign_export(
        out,
        &key,
        &ExportSigner {
            login: &signer.login,
            role: signer.role.as_str(),
            device,
            signed_at: &now,
        },
        &print,
        entries.len(),
    )?;
    out!(
        "{} ({} entries, sha256 {})",
        out.display(),
        entries.len(),
        manifest.sha256
    );
    out!("{}", jumeau_reports::manifest_path(out).display());
    Ok(())
}

fn hex_key(key: &ed25519_dalek::SigningKey) -> String {
    let public = key.verifying_key().to_bytes();
    format!(
        "{} ({})",
        jumeau_core::logbook::key_id(&public),
        hex::encode(public)
    )
}

/// The keys a verification trusts: each key registered in the store for its owner, and
/// `given` for any signer — unless this store registers it to someone, who alone it vouches for.
fn trusted_keys(store: &Store, given: Option<&str>) -> anyhow::Result<Vec<TrustedKey>> {
    let registered = store.registered_keys()?;
    let mut keys: Vec<TrustedKey> = registered
        .iter()
        .map(|(login, device, public_key)| TrustedKey {
            public_key: *public_key,
            owner: Some((login.clone(), device.clone())),
        })
        .collect();
    if let Some(hex) = given {
        let public_key = hex::decode(hex.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .with_context(|| format!("--key `{hex}` is not 32 bytes of hex"))?;
        if !registered.iter().any(|(_, _, k)| *k == public_key) {
            keys.push(TrustedKey {
                public_key,
                owner: None,
            });
        }
    }
    Ok(keys)
}

fn check_export(
    store: &Store,
    file: &Path,
    key: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let trusted = trusted_keys(store, key)?;
    let check = verify_export(file, &trusted)?;
    // Whom this store registers the manifest's key to, if anyone (from the keys just read).
    let registered = trusted
        .iter()
        .find(|t| hex::encode(t.public_key) == check.manifest.public_key.to_lowercase())
        .and_then(|t| t.owner.as_ref())
        .map(|(login, device)| format!("{login}@{device}"));
    if json {
        let mut v = serde_json::to_value(&check)?;
        v["ok"] = check.ok().into();
        v["key_registered_to"] = registered.clone().into();
        out!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        out!(
            "file sha256: {}",
            if check.sha256_ok {
                "ok"
            } else {
                "MISMATCH (file changed)"
            }
        );
        out!(
            "signature:   {}",
            if check.signature_ok { "ok" } else { "INVALID" }
        );
        out!(
            "key id:      {}",
            if check.key_id_ok {
                "ok"
            } else {
                "does not match the public key"
            }
        );
        let claimed = format!("{}@{}", check.manifest.signer, check.manifest.device);
        match (&registered, check.key_trusted) {
            (Some(owner), true) => out!("signer key:  registered in this store to {owner}"),
            (_, true) => out!("signer key:  the key given with --key"),
            (Some(owner), false) => out!(
                "signer key:  NOT TRUSTED — registered to {owner}, the manifest claims {claimed}"
            ),
            (None, false) => out!(
                "signer key:  NOT TRUSTED — not registered in this store (the manifest claims \
                 {claimed}; give --key to trust a key handed over by the plant)"
            ),
        }
    }
    if !check.ok() {
        bail!(
            "{} does not verify: {}",
            file.display(),
            check.problems().join("; ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
