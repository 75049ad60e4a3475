//! Detached manifest `FILE.sig.json`: SHA-256 of the file, who signed, the signer's public key
//! and an Ed25519 signature over every other field of the manifest (the file's hash among them),
//! checkable with any Ed25519 library. Who may have signed is the verifier's to say: a key it
//! trusts (registered in its store, or handed over), never the manifest's own word.

use crate::ReportError;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier, VerifyingKey};
use jumeau_core::logbook::{key_id, sha256_hex};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const MANIFEST_FORMAT: &str = "jumeau-export-signature/2";

/// Fields in alphabetical order: serialised compactly by serde_json, the body minus
/// `signature` is the canonical encoding that is signed (sorted keys, no whitespace, UTF-8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub device: String,
    pub entries: usize,
    /// File name (no directory) of the signed export.
    pub file: String,
    /// Fingerprint of the exported entries (see `fingerprint`).
    pub fingerprint: String,
    pub format: String,
    pub key_id: String,
    /// Ed25519 public key, 32 bytes hex.
    pub public_key: String,
    pub role: String,
    pub sha256: String,
    /// Ed25519 signature over [`Manifest::signed_bytes`], 64 bytes hex.
    #[serde(default)]
    pub signature: String,
    pub signed_at: String,
    pub signer: String,
    pub size: u64,
}

impl Manifest {
    /// What the signature covers: the canonical JSON of every field but `signature`.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut body = serde_json::to_value(self).expect("a manifest serialises");
        if let Some(map) = body.as_object_mut() {
            map.remove("signature");
        }
        // serde_json's map is ordered by key: this is the sorted-keys canonical form.
        serde_json::to_vec(&body).expect("a manifest serialises")
    }
}

/// Outcome of checking an export against its manifest and the keys the verifier trusts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManifestCheck {
    pub manifest: Manifest,
    pub sha256_ok: bool,
    /// The signature verifies over every field of the manifest with its public key.
    pub signature_ok: bool,
    pub key_id_ok: bool,
    /// The public key is one the verifier trusts for the manifest's signer.
    pub key_trusted: bool,
}

impl ManifestCheck {
    pub fn ok(&self) -> bool {
        self.sha256_ok && self.signature_ok && self.key_id_ok && self.key_trusted
    }

    /// Why the export does not verify, one reason per failed check.
    pub fn problems(&self) -> Vec<&'static str> {
        [
            (
                self.sha256_ok,
                "the file's SHA-256 differs from the manifest (file changed)",
            ),
            (
                self.signature_ok,
                "the signature does not verify over the manifest",
            ),
            (self.key_id_ok, "key_id does not match the public key"),
            (
                self.key_trusted,
                "the public key is not one trusted for this signer (not registered to them in \
                 this store, nor given with --key)",
            ),
        ]
        .into_iter()
        .filter_map(|(ok, why)| (!ok).then_some(why))
        .collect()
    }
}

/// A public key the verifier trusts, and for whom: (login, device), or any signer when None.
pub struct TrustedKey {
    pub public_key: [u8; 32],
    pub owner: Option<(String, String)>,
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
    let mut manifest = Manifest {
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
        signature: String::new(),
    };
    manifest.signature = hex::encode(key.sign(&manifest.signed_bytes()).to_bytes());
    let path = manifest_path(file);
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
    std::fs::write(&path, json + "\n").map_err(io(&path))?;
    Ok(manifest)
}

/// Checks `file` against `file.sig.json` and `trusted`: the file's hash, the signature over the
/// whole manifest, and that the key is trusted for the manifest's `signer@device`.
pub fn verify_export(file: &Path, trusted: &[TrustedKey]) -> Result<ManifestCheck, ReportError> {
    let path = manifest_path(file);
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let bad = |problem: String| ReportError::Manifest {
        path: path.clone(),
        problem,
    };
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(bad(format!(
            "format `{}` is not `{MANIFEST_FORMAT}` (format 1 signed the file only, not who \
             signed it nor when: export again)",
            manifest.format
        )));
    }
    let bytes = std::fs::read(file).map_err(io(file))?;
    let public: [u8; 32] = hex::decode(&manifest.public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("public_key is not 32 bytes of hex".into()))?;
    let signature_ok = (|| {
        let vk = VerifyingKey::from_bytes(&public).ok()?;
        let sig = Signature::from_slice(&hex::decode(&manifest.signature).ok()?).ok()?;
        Some(vk.verify(&manifest.signed_bytes(), &sig).is_ok())
    })()
    .unwrap_or(false);
    // Compared as a pair, never as one "login@device" string that an `@` could forge.
    let claimed = (manifest.signer.as_str(), manifest.device.as_str());
    let key_trusted = trusted.iter().any(|t| {
        t.public_key == public
            && t.owner
                .as_ref()
                .is_none_or(|(login, device)| (login.as_str(), device.as_str()) == claimed)
    });
    Ok(ManifestCheck {
        sha256_ok: sha256_hex(&bytes) == manifest.sha256 && bytes.len() as u64 == manifest.size,
        key_id_ok: key_id(&public) == manifest.key_id,
        signature_ok,
        key_trusted,
        manifest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> ExportSigner<'static> {
        ExportSigner {
            login: "l.petit",
            role: "auditor",
            device: "audit-1",
            signed_at: "2026-11-21T12:00:00.000Z",
        }
    }

    fn trust(key: &SigningKey, owner: Option<&str>) -> TrustedKey {
        TrustedKey {
            public_key: key.verifying_key().to_bytes(),
            owner: owner.map(|o| {
                let (login, device) = o.split_once('@').unwrap();
                (login.to_owned(), device.to_owned())
            }),
        }
    }

    #[test]
    fn a_signed_file_verifies_and_a_changed_byte_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.csv");
        std::fs::write(&file, "seq,text\n1,Prise de quart\n").unwrap();
        let key = SigningKey::from_bytes(&[9; 32]);
        let m = sign_export(&file, &key, &signer(), "f", 1).unwrap();
        assert_eq!(m.file, "export.csv");
        let trusted = [trust(&key, Some("l.petit@audit-1"))];
        assert!(verify_export(&file, &trusted).unwrap().ok());

        std::fs::write(&file, "seq,text\n1,Prise de quarT\n").unwrap();
        let check = verify_export(&file, &trusted).unwrap();
        assert!(!check.sha256_ok && check.signature_ok && !check.ok());
    }

    #[test]
    fn a_forged_export_signed_with_a_fresh_key_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.csv");
        std::fs::write(&file, "seq,text\n1,falsifié\n").unwrap();
        let real = SigningKey::from_bytes(&[9; 32]);
        let forger = SigningKey::from_bytes(&[7; 32]);
        // The forger claims to be l.petit: the manifest is self-consistent...
        sign_export(&file, &forger, &signer(), "f", 1).unwrap();
        let check = verify_export(&file, &[trust(&real, Some("l.petit@audit-1"))]).unwrap();
        assert!(check.sha256_ok && check.signature_ok && check.key_id_ok);
        // ...but its key is not the one trusted for l.petit.
        assert!(!check.key_trusted && !check.ok());
        assert_eq!(check.problems().len(), 1);
        // A key trusted for someone else does not vouch for l.petit either.
        let check = verify_export(&file, &[trust(&forger, Some("j.martin@poste-1"))]).unwrap();
        assert!(!check.ok());
    }

    #[test]
    fn every_field_of_the_manifest_is_signed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.pdf");
        std::fs::write(&file, b"%PDF-1.7 test").unwrap();
        let key = SigningKey::from_bytes(&[1; 32]);
        sign_export(&file, &key, &signer(), "f", 3).unwrap();
        let path = manifest_path(&file);
        let original: Manifest =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let trusted = [trust(&key, None)];
        let edits: [fn(&mut Manifest); 6] = [
            |m| m.entries = 4,
            |m| m.signer = "c.bernard".into(),
            |m| m.role = "engineer".into(),
            |m| m.signed_at = "2026-01-01T00:00:00.000Z".into(),
            |m| m.fingerprint = "0".repeat(64),
            |m| m.file = "other.pdf".into(),
        ];
        for edit in edits {
            let mut m = original.clone();
            edit(&mut m);
            std::fs::write(&path, serde_json::to_string(&m).unwrap()).unwrap();
            let check = verify_export(&file, &trusted).unwrap();
            assert!(!check.signature_ok && !check.ok(), "{m:?}");
        }
        std::fs::write(&path, serde_json::to_string(&original).unwrap()).unwrap();
        assert!(verify_export(&file, &trusted).unwrap().ok());
    }

    #[test]
    fn a_format_1_manifest_is_refused_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.csv");
        std::fs::write(&file, "x").unwrap();
        let key = SigningKey::from_bytes(&[1; 32]);
        sign_export(&file, &key, &signer(), "f", 0).unwrap();
        let path = manifest_path(&file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("signature/2", "signature/1")).unwrap();
        let e = verify_export(&file, &[trust(&key, None)]).unwrap_err();
        assert!(
            e.to_string().contains("format 1 signed the file only"),
            "{e}"
        );
    }

    #[test]
    fn an_at_sign_cannot_shift_who_signed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.csv");
        std::fs::write(&file, "x").unwrap();
        let key = SigningKey::from_bytes(&[3; 32]);
        // The key is registered to login `j.martin@site` on device `poste-1`...
        let trusted = [TrustedKey {
            public_key: key.verifying_key().to_bytes(),
            owner: Some(("j.martin@site".into(), "poste-1".into())),
        }];
        // ...and vouches for neither `j.martin` on `site@poste-1`, though both spell the same.
        let claim = ExportSigner {
            login: "j.martin",
            role: "operator",
            device: "site@poste-1",
            signed_at: "t",
        };
        sign_export(&file, &key, &claim, "f", 0).unwrap();
        assert!(!verify_export(&file, &trusted).unwrap().key_trusted);
    }
}
