//! Logbook and audit-trail exports: CSV (one row per entry with hashes, signature and key) and paginated PDF,
//! each with a detached manifest `FILE.sig.json` that signs the file's bytes with Ed25519.
//! Services layer: depends on core and store, knows nothing of Bevy.

mod audit_export;
mod csv_export;
mod manifest;
mod pdf;
mod winansi;

pub use audit_export::{AUDIT_HEADER, audit_fingerprint, export_audit, write_audit_csv};
pub use csv_export::write_csv;
pub use manifest::{
    ExportSigner, MANIFEST_FORMAT, Manifest, ManifestCheck, TrustedKey, manifest_path, sign_export,
    verify_export,
};
pub use pdf::{PdfHeader, write_pdf};

use jumeau_store::LogEntry;
use sha2::{Digest, Sha256};

/// Fingerprint of an export's content: SHA-256 over the entry hashes, in order, one per line.
pub fn fingerprint(entries: &[LogEntry]) -> String {
    let mut h = Sha256::new();
    for e in entries {
        h.update(e.entry_hash.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error("manifest {path}: {problem}")]
    Manifest {
        path: std::path::PathBuf,
        problem: String,
    },
}
