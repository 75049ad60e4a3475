//! `jumeau opcua browse`: any server's variables, with data types, units, ranges and the texts
//! of two-state items.

use std::process::ExitCode;

use anyhow::Context;
use jumeau_scada::opcua_client::{self, ClientConfig};
use jumeau_scada::trust::TrustList;

use crate::cli::{OpcuaCommand, SourceArgs, TrustCommand};

pub fn run(cmd: OpcuaCommand, source: &SourceArgs) -> anyhow::Result<ExitCode> {
    match cmd {
        OpcuaCommand::Browse { endpoint, json } => browse(&endpoint, json, source),
        OpcuaCommand::Trust(cmd) => trust(cmd, source),
    }
}

fn trust(cmd: TrustCommand, source: &SourceArgs) -> anyhow::Result<ExitCode> {
    let list = TrustList::new(source.pki_dir()?);
    match cmd {
        TrustCommand::List { json } => {
            let certs = list.list()?;
            if json {
                out!("{}", serde_json::to_string_pretty(&certs)?);
                return Ok(ExitCode::SUCCESS);
            }
            out!("Liste de confiance OPC UA : {}", list.pki_dir().display());
            for c in &certs {
                out!(
                    "{:<9} {}  valide jusqu'au {}  {}",
                    if c.trusted { "confiance" } else { "refusé" },
                    c.thumbprint,
                    c.not_after.as_deref().unwrap_or("?"),
                    crate::commands::printable(&c.subject)
                );
            }
            if certs.is_empty() {
                out!("(aucun certificat)");
            }
        }
        TrustCommand::Add { certificate } => {
            let c = list.trust(&certificate)?;
            out!(
                "Certificat {} ({}) ajouté à la liste de confiance.",
                c.thumbprint,
                crate::commands::printable(&c.subject)
            );
        }
        TrustCommand::Remove { thumbprint } => {
            let c = list.remove(&thumbprint)?;
            out!(
                "Certificat {} ({}) retiré de la liste de confiance : son serveur sera refusé.",
                c.thumbprint,
                crate::commands::printable(&c.subject)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn browse(endpoint: &str, json: bool, source: &SourceArgs) -> anyhow::Result<ExitCode> {
    let cfg = ClientConfig::with_link(endpoint, &source.link()?);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    let vars = runtime.block_on(async {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let conn = opcua_client::connect(&cfg, tx).await?;
        let vars = opcua_client::browse(&conn.session).await;
        conn.session.disconnect().await.ok();
        vars
    })?;
    if json {
        out!("{}", serde_json::to_string_pretty(&vars)?);
    } else {
        out!(
            "{:<28} {:<22} {:<9} {:<7} {:<24} path",
            "node id",
            "browse name",
            "type",
            "unit",
            "range / states"
        );
        for v in &vars {
            let range = match (&v.range, &v.true_state, &v.false_state) {
                (Some((lo, hi)), ..) => format!("{lo} … {hi}"),
                (None, Some(t), Some(f)) => format!("1 = {t}, 0 = {f}"),
                _ => "—".to_owned(),
            };
            out!(
                "{:<28} {:<22} {:<9} {:<7} {:<24} {}",
                v.node_id,
                v.browse_name,
                v.data_type,
                v.unit.as_deref().unwrap_or("—"),
                range,
                v.path
            );
        }
        out!("{} variables", vars.len());
    }
    Ok(ExitCode::SUCCESS)
}
