//! Detached manifest `FILE.sig.json`: SHA-256 of the file, the signer's public key and an
//! Ed25519 signature over the file's bytes, checkable with any Ed25519 library.

use crate::ReportError;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier, VerifyingKey};
use jumeau_core::logbook::{key_id, sha256_hex};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const MANIFEST_FORMAT: &str = "jumeau-export-signature/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// File name (no directory) of the signed export.
    pub file: String,
    pub size: u64,
    pub sha256: String,
    /// Fingerprint of the exported entries (see `fingerprint`).
    pub fingerprint: String,
    pub entries: usize,
    pub signer: String,
    pub role: String,
    pub device: String,
    pub key_id: String,
    /// Ed25519 public key, 32 bytes hex.
    pub public_key: String,
    pub signed_at: String,
    /// Ed25519 signature over the file's bytes, 64 bytes hex.
    pub signature: String,
}

/// Outcome of checking an export against its manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManifestCheck {
    pub manifest: Manifest,
    pub sha256_ok: bool,
    pub signature_ok: bool,
    pub key_id_ok: bool,
}

impl ManifestCheck {
    pub fn ok(&self) -> bool {
        self.sha256_ok && self.signature_ok && self.key_id_ok
    }
}

pub fn manifest_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".sig.json");
    PathBuf::from(name)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What the signer says about itself in the manifest.
pub struct ExportSigner<'a> {
    pub login: &'a str,
    pub role: &'a str,
    pub device: &'a str,
    pub signed_at: &'a str,
}

/// Signs `file` and writes `file.sig.json` next to it.
pub fn sign_export(
    file: &Path,
    key: &SigningKey,
    signer: &ExportSigner<'_>,
    fingerprint: &str,
    entries: usize,
) -> Result<Manifest, ReportError> {
    let bytes = std::fs::read(file).map_err(io(file))?;
    let public = key.verifying_key().to_bytes();
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        file: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
        fingerprint: fingerprint.to_owned(),
        entries,
        signer: signer.login.to_owned(),
        role: signer.role.to_owned(),
        device: signer.device.to_owned(),
        key_id: key_id(&public),
        public_key: hex::encode(public),
        signed_at: signer.signed_at.to_owned(),
        signature: hex::encode(key.sign(&bytes).to_bytes()),
    };
    let path = manifest_path(file);
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
    std::fs::write(&path, json + "\n").map_err(io(&path))?;
    Ok(manifest)
}

/// Checks `file` against `file.sig.json`.
pub fn verify_export(file: &Path) -> Result<ManifestCheck, ReportError> {
    let path = manifest_path(file);
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let bad = |problem: String| ReportError::Manifest {
        path: path.clone(),
        problem,
    };
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(bad(format!("unknown format `{}`", manifest.format)));
    }
    let bytes = std::fs::read(file).map_err(io(file))?;
    let public: [u8; 32] = hex::decode(&manifest.public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("public_key is not 32 bytes of hex".into()))?;
    let signature_ok = (|| {
        let vk = VerifyingKey::from_bytes(&public).ok()?;
        let sig = Signature::from_slice(&hex::decode(&manifest.signature).ok()?).ok()?;
        Some(vk.verify(&bytes, &sig).is_ok())
    })()
    .unwrap_or(false);
    Ok(ManifestCheck {
        sha256_ok: sha256_hex(&bytes) == manifest.sha256,
        key_id_ok: key_id(&public) == manifest.key_id,
        signature_ok,
        manifest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_file_verifies_and_a_changed_byte_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.csv");
        std::fs::write(&file, "seq,text\n1,Prise de quart\n").unwrap();
        let key = SigningKey::from_bytes(&[9; 32]);
        let signer = ExportSigner {
            login: "l.petit",
            role: "auditor",
            device: "audit-1",
            signed_at: "2026-11-21T12:00:00.000Z",
        };
        let m = sign_export(&file, &key, &signer, "f", 1).unwrap();
        assert_eq!(m.file, "export.csv");
        assert!(verify_export(&file).unwrap().ok());

        std::fs::write(&file, "seq,text\n1,Prise de quarT\n").unwrap();
        let check = verify_export(&file).unwrap();
        assert!(!check.sha256_ok && !check.signature_ok && !check.ok());
    }

    #[test]
    fn a_manifest_with_a_foreign_key_does_not_verify() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.pdf");
        std::fs::write(&file, b"%PDF-1.7 test").unwrap();
        let signer = ExportSigner {
            login: "x",
            role: "operator",
            device: "d",
            signed_at: "t",
        };
        sign_export(&file, &SigningKey::from_bytes(&[1; 32]), &signer, "f", 0).unwrap();
        let path = manifest_path(&file);
        let mut m: Manifest =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        m.public_key = hex::encode(SigningKey::from_bytes(&[2; 32]).verifying_key().to_bytes());
        std::fs::write(&path, serde_json::to_string(&m).unwrap()).unwrap();
        let check = verify_export(&file).unwrap();
        assert!(check.sha256_ok && !check.signature_ok && !check.key_id_ok);
    }
}
