//! `jumeau opcua browse`: any server's variables, with data types, units, ranges and the texts
//! of two-state items.

use std::process::ExitCode;

use anyhow::Context;
use jumeau_scada::opcua_client::{self, ClientConfig, Security};

use crate::cli::{OpcuaCommand, SourceArgs};

pub fn run(cmd: OpcuaCommand, source: &SourceArgs) -> anyhow::Result<ExitCode> {
    let OpcuaCommand::Browse { endpoint, json } = cmd;
    let mut cfg = ClientConfig::new(&endpoint);
    cfg.security = Security::parse(&source.security).map_err(anyhow::Error::msg)?;
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
