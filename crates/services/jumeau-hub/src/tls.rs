//! The hub's TLS: a self-signed certificate made at the first start in the data directory
//! (devices pin its SHA-256 at enrolment, so no certificate authority is needed on a plant
//! network), and a listener that completes each handshake on its own task so that one slow or
//! hostile client never holds up the others, and bounds the connections one address may hold.

use anyhow::Context as _;
use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::x509::extension::{BasicConstraints, ExtendedKeyUsage, SubjectAlternativeName};
use openssl::x509::{X509, X509NameBuilder};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_native_tls::{TlsAcceptor, TlsStream};

const CERT_FILE: &str = "hub-cert.pem";
const KEY_FILE: &str = "hub-tls-key.pem";
/// A handshake not finished in this time is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The certificate and key the hub serves, and the fingerprint devices pin.
pub struct TlsIdentity {
    pub acceptor: TlsAcceptor,
    /// SHA-256 (hex) of the certificate's DER.
    pub fingerprint: String,
}

impl TlsIdentity {
    /// Reads the certificate in `dir`, making one (P-256, ten years, for `names`) if absent.
    pub fn load_or_create(dir: &Path, names: &[String]) -> anyhow::Result<TlsIdentity> {
        let cert_path = dir.join(CERT_FILE);
        let key_path = dir.join(KEY_FILE);
        if !cert_path.exists() {
            let (cert, key) = self_signed(names)?;
            crate::files::write_private(&key_path, &key)?;
            crate::files::write_private(&cert_path, &cert)?;
        }
        let cert = std::fs::read(&cert_path)
            .with_context(|| format!("cannot read {}", cert_path.display()))?;
        let key = std::fs::read(&key_path)
            .with_context(|| format!("cannot read {}", key_path.display()))?;
        let fingerprint = fingerprint(&cert)?;
        let identity = native_tls::Identity::from_pkcs8(&cert, &key)
            .with_context(|| format!("{} is not a usable certificate and key", dir.display()))?;
        let acceptor = native_tls::TlsAcceptor::builder(identity)
            .min_protocol_version(Some(native_tls::Protocol::Tlsv12))
            .build()?;
        Ok(TlsIdentity {
            acceptor: TlsAcceptor::from(acceptor),
            fingerprint,
        })
    }
}

/// SHA-256 (hex) of a PEM certificate's DER.
pub fn fingerprint(cert_pem: &[u8]) -> anyhow::Result<String> {
    let cert = X509::from_pem(cert_pem).context("not a PEM certificate")?;
    Ok(hex::encode(cert.digest(MessageDigest::sha256())?))
}

fn self_signed(names: &[String]) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let key = PKey::from_ec_key(EcKey::generate(&group)?)?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_nid(Nid::COMMONNAME, "Jumeau hub")?;
    let name = name.build();
    let mut serial = BigNum::new()?;
    serial.rand(127, MsbOption::MAYBE_ZERO, false)?;
    let mut b = X509::builder()?;
    b.set_version(2)?;
    let serial = serial.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(&name)?;
    b.set_pubkey(&key)?;
    let (from, until) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(3650)?);
    b.set_not_before(&from)?;
    b.set_not_after(&until)?;
    b.append_extension(BasicConstraints::new().critical().build()?)?;
    b.append_extension(ExtendedKeyUsage::new().server_auth().build()?)?;
    let mut san = SubjectAlternativeName::new();
    san.dns("localhost").ip("127.0.0.1").ip("::1");
    for n in names {
        if n.parse::<std::net::IpAddr>().is_ok() {
            san.ip(n);
        } else {
            san.dns(n);
        }
    }
    b.append_extension(san.build(&b.x509v3_context(None, None))?)?;
    b.sign(&key, MessageDigest::sha256())?;
    Ok((b.build().to_pem()?, key.private_key_to_pem_pkcs8()?))
}

/// Connections open at once from one remote address (handshakes included); loopback is not
/// limited (a gateway or the tests on the hub's machine).
pub const MAX_PER_ADDRESS: usize = 8;
/// A refused address is logged at most this often.
const REFUSAL_LOG_EVERY: Duration = Duration::from_secs(60);

type OpenCounts = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// Accepts TCP connections, at most [`MAX_PER_ADDRESS`] per remote address, and hands on
/// those whose TLS handshake completed.
pub struct TlsListener {
    ready: mpsc::Receiver<(Counted, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let open: OpenCounts = Arc::default();
        let mut refused_logged: HashMap<IpAddr, std::time::Instant> = HashMap::new();
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(s) => s,
                    Err(e) => {
                        // Out of file descriptors and the like: wait rather than spin.
                        eprintln!("hub: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                };
                let Some(slot) = Slot::take(&open, peer.ip()) else {
                    let now = std::time::Instant::now();
                    let last = refused_logged.get(&peer.ip());
                    if last.is_none_or(|t| now.duration_since(*t) >= REFUSAL_LOG_EVERY) {
                        eprintln!(
                            "hub: {} has {MAX_PER_ADDRESS} connections open: refusing more \
                             (logged once a minute)",
                            peer.ip()
                        );
                        refused_logged.insert(peer.ip(), now);
                    }
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx
                                .send((
                                    Counted {
                                        inner: tls,
                                        _slot: slot,
                                    },
                                    peer,
                                ))
                                .await;
                        }
                        Ok(Err(e)) => eprintln!("hub: TLS handshake with {peer} failed: {e}"),
                        Err(_) => eprintln!("hub: TLS handshake with {peer} timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { ready, local })
    }
}

/// One open connection counted against its remote address until it is dropped.
struct Slot {
    ip: IpAddr,
    open: OpenCounts,
}

impl Slot {
    fn take(open: &OpenCounts, ip: IpAddr) -> Option<Slot> {
        let mut counts = open.lock().unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(ip).or_default();
        if *n >= MAX_PER_ADDRESS && !ip.is_loopback() {
            return None;
        }
        *n += 1;
        Some(Slot {
            ip,
            open: open.clone(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = counts.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// A device's TLS connection, counted against its address while it lives.
pub struct Counted {
    inner: TlsStream<TcpStream>,
    _slot: Slot,
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = Counted;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The accepting task ended: nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}
