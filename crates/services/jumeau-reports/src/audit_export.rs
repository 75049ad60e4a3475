//! The audit trail exported for an auditor: CSV (RFC 4180, UTF-8, one row per audit row) and a
//! fingerprint over the rows, signed in the same detached manifest as logbook exports.

use crate::{ExportSigner, Manifest, ReportError, sign_export};
use jumeau_store::{AuditRow, Session};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

pub const AUDIT_HEADER: [&str; 7] = [
    "id",
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "detail",
];

pub fn write_audit_csv(rows: &[AuditRow], out: impl Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(AUDIT_HEADER)?;
    for r in rows {
        w.write_record([
            r.id.to_string().as_str(),
            &r.at,
            &r.actor,
            &r.action,
            &r.entity,
            r.entity_id.as_deref().unwrap_or(""),
            r.detail.as_deref().unwrap_or(""),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// SHA-256 over each row's fields as canonical JSON, one row per line: what the rows were,
/// whatever the file's layout.
pub fn audit_fingerprint(rows: &[AuditRow]) -> String {
    let mut h = Sha256::new();
    for r in rows {
        h.update(serde_json::to_string(r).expect("an audit row serialises"));
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// Writes `rows` to `out` as CSV and signs it with the session's key (`out.sig.json`).
pub fn export_audit(
    rows: &[AuditRow],
    out: &Path,
    session: &Session,
    signed_at: &str,
) -> Result<Manifest, ReportError> {
    let file = std::fs::File::create(out).map_err(|source| ReportError::Io {
        path: out.to_owned(),
        source,
    })?;
    write_audit_csv(rows, std::io::BufWriter::new(file))?;
    sign_export(
        out,
        session.signing_key(),
        &ExportSigner {
            login: session.login(),
            role: session.role().as_str(),
            device: session.device(),
            signed_at,
        },
        &audit_fingerprint(rows),
        rows.len(),
    )
}
