//! How a link to a plant server or broker is secured: message security and the trust list
//! (OPC UA), TLS (MQTT), and the user it logs in as.

use opcua::crypto::SecurityPolicy;
use opcua::types::MessageSecurityMode;
use std::path::PathBuf;

/// Message security of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// Only for loopback.
    #[default]
    None,
    /// Basic256Sha256, signed.
    Sign,
    /// Basic256Sha256, signed and encrypted.
    SignAndEncrypt,
}

impl Security {
    pub fn parse(text: &str) -> Result<Security, String> {
        match text {
            "none" => Ok(Security::None),
            "sign" => Ok(Security::Sign),
            "sign-encrypt" => Ok(Security::SignAndEncrypt),
            other => Err(format!(
                "security \"{other}\" is none, sign or sign-encrypt"
            )),
        }
    }

    pub(crate) fn policy_and_mode(self) -> (SecurityPolicy, MessageSecurityMode) {
        match self {
            Security::None => (SecurityPolicy::None, MessageSecurityMode::None),
            Security::Sign => (SecurityPolicy::Basic256Sha256, MessageSecurityMode::Sign),
            Security::SignAndEncrypt => (
                SecurityPolicy::Basic256Sha256,
                MessageSecurityMode::SignAndEncrypt,
            ),
        }
    }
}

/// A user name and its password for a server or broker; the password is never printed.
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"…")
            .finish()
    }
}

/// The security settings of one source link.
#[derive(Debug, Clone)]
pub struct LinkSecurity {
    /// OPC UA message security.
    pub security: Security,
    /// OPC UA: the client's own certificate and its trust list of servers.
    pub pki_dir: PathBuf,
    /// User-name login on the OPC UA server or the MQTT broker.
    pub user: Option<Credentials>,
    /// MQTT over TLS (`mqtts://`): the certificate authority the broker's certificate must
    /// chain to.
    pub ca_file: Option<PathBuf>,
}

impl Default for LinkSecurity {
    /// No security, anonymous, a throw-away PKI: only for loopback (the built-in simulator).
    fn default() -> Self {
        LinkSecurity {
            security: Security::None,
            pki_dir: std::env::temp_dir().join("jumeau-pki-client"),
            user: None,
            ca_file: None,
        }
    }
}

/// Whether `host` (an IPv6 address with or without its brackets) names this machine:
/// 127.0.0.0/8, ::1 or `localhost` — not a host name that happens to resolve there.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn only_loopback_addresses_and_localhost_are_loopback() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.5.6.7",
            "::1",
            "[::1]",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "vm",
            "broker.plant",
            "10.0.0.1",
            "192.0.2.2",
            "[fd00::2]",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
