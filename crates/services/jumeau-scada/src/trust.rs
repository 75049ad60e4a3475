//! The OPC UA client's trust list: server certificates Jumeau connects to with signing and
//! encryption. The library's PKI layout is kept (`trusted/`, `rejected/`, DER files named
//! `CN [thumbprint].der`) so its own check agrees with ours; an unknown certificate lands in
//! `rejected/` and stays refused until a person trusts it by its thumbprint.

use opcua::crypto::{CertificateStore, X509};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What the trust list knows of one certificate.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CertInfo {
    /// SHA-1 thumbprint, hexadecimal (what OPC UA tools show).
    pub thumbprint: String,
    pub subject: String,
    /// Validity end, RFC 3339; `None` when the certificate does not say.
    pub not_after: Option<String>,
    pub trusted: bool,
    pub file: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("{0} is not an X.509 certificate (DER or PEM): {1}")]
    NotACertificate(PathBuf, String),
    #[error(
        "no certificate with thumbprint {0} among the {1} ones (jumeau opcua trust list shows them)"
    )]
    Unknown(String, &'static str),
    #[error("thumbprint {0} names several certificates: give more of its digits")]
    Ambiguous(String),
    #[error("give at least 8 hexadecimal digits of the thumbprint, not \"{0}\"")]
    ShortThumbprint(String),
}

/// The trust list of the client PKI directory `pki`.
#[derive(Debug, Clone)]
pub struct TrustList {
    pki: PathBuf,
}

impl TrustList {
    pub fn new(pki: impl Into<PathBuf>) -> TrustList {
        TrustList { pki: pki.into() }
    }

    pub fn pki_dir(&self) -> &Path {
        &self.pki
    }

    fn dir(&self, trusted: bool) -> PathBuf {
        let store = CertificateStore::new(&self.pki);
        if trusted {
            store.trusted_certs_dir()
        } else {
            store.rejected_certs_dir()
        }
    }

    /// Every trusted certificate, then every refused one.
    pub fn list(&self) -> Result<Vec<CertInfo>, TrustError> {
        let mut all = self.read_dir(true)?;
        all.extend(self.read_dir(false)?);
        Ok(all)
    }

    fn read_dir(&self, trusted: bool) -> Result<Vec<CertInfo>, TrustError> {
        let dir = self.dir(trusted);
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(TrustError::Io(dir, e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| TrustError::Io(dir.clone(), e))?.path();
            // A file that is not a certificate (a note, an editor's backup) is not trusted.
            if let Ok(cert) = CertificateStore::read_cert(&path) {
                out.push(info(&cert, trusted, path));
            }
        }
        out.sort_by(|a, b| a.subject.cmp(&b.subject));
        Ok(out)
    }

    /// Whether `cert` is in the trusted folder, byte for byte.
    pub fn is_trusted(&self, cert: &X509) -> bool {
        let path = self.dir(true).join(CertificateStore::cert_file_name(cert));
        match (CertificateStore::read_cert(&path), cert.to_der()) {
            (Ok(on_disk), Ok(der)) => on_disk.to_der().is_ok_and(|d| d == der),
            _ => false,
        }
    }

    /// Keeps `cert` among the refused ones (for a person to review); returns its entry.
    pub fn reject(&self, cert: &X509) -> Result<CertInfo, TrustError> {
        self.write(cert, false)
    }

    /// Trusts `cert` (the built-in simulator's, or one a person chose).
    pub fn trust_cert(&self, cert: &X509) -> Result<CertInfo, TrustError> {
        let _ = std::fs::remove_file(self.dir(false).join(CertificateStore::cert_file_name(cert)));
        self.write(cert, true)
    }

    fn write(&self, cert: &X509, trusted: bool) -> Result<CertInfo, TrustError> {
        let dir = self.dir(trusted);
        std::fs::create_dir_all(&dir).map_err(|e| TrustError::Io(dir.clone(), e))?;
        let path = dir.join(CertificateStore::cert_file_name(cert));
        let der = cert
            .to_der()
            .map_err(|e| TrustError::NotACertificate(path.clone(), e.to_string()))?;
        std::fs::write(&path, der).map_err(|e| TrustError::Io(path.clone(), e))?;
        Ok(info(cert, trusted, path))
    }

    /// Trusts a refused certificate given by its thumbprint (8 digits at least), or the
    /// certificate file `selector` names.
    pub fn trust(&self, selector: &str) -> Result<CertInfo, TrustError> {
        let path = Path::new(selector);
        if path.is_file() {
            let cert = CertificateStore::read_cert(path)
                .map_err(|e| TrustError::NotACertificate(path.to_owned(), e))?;
            return self.trust_cert(&cert);
        }
        let found = self.find(selector, false)?;
        let cert = CertificateStore::read_cert(&found.file)
            .map_err(|e| TrustError::NotACertificate(found.file.clone(), e))?;
        self.trust_cert(&cert)
    }

    /// Withdraws trust from a certificate given by its thumbprint: it moves back among the
    /// refused ones, so that the next connection to its server is refused and says why.
    pub fn remove(&self, thumbprint: &str) -> Result<CertInfo, TrustError> {
        let found = self.find(thumbprint, true)?;
        let cert = CertificateStore::read_cert(&found.file)
            .map_err(|e| TrustError::NotACertificate(found.file.clone(), e))?;
        let refused = self.reject(&cert)?;
        std::fs::remove_file(&found.file).map_err(|e| TrustError::Io(found.file.clone(), e))?;
        Ok(refused)
    }

    fn find(&self, thumbprint: &str, trusted: bool) -> Result<CertInfo, TrustError> {
        let wanted = thumbprint.trim().to_ascii_lowercase().replace(':', "");
        if wanted.len() < 8 || !wanted.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(TrustError::ShortThumbprint(thumbprint.to_owned()));
        }
        let which = if trusted { "trusted" } else { "refused" };
        let mut matching: Vec<CertInfo> = self
            .read_dir(trusted)?
            .into_iter()
            .filter(|c| c.thumbprint.starts_with(&wanted))
            .collect();
        match matching.len() {
            0 => Err(TrustError::Unknown(thumbprint.to_owned(), which)),
            1 => Ok(matching.remove(0)),
            _ => Err(TrustError::Ambiguous(thumbprint.to_owned())),
        }
    }
}

/// The trust list's view of `cert`.
pub fn info(cert: &X509, trusted: bool, file: PathBuf) -> CertInfo {
    CertInfo {
        thumbprint: cert.thumbprint().as_hex_string().to_ascii_lowercase(),
        subject: cert.subject_name(),
        not_after: cert.not_after().ok().map(|t| t.to_rfc3339()),
        trusted,
        file,
    }
}
