//! The server's front door: async-opcua counts sessions for all clients together and has no
//! hook on the connections it accepts, so the public port is ours and each connection is
//! passed to the library's listener on loopback. A remote address may hold at most
//! [`MAX_CONNECTIONS_PER_ADDRESS`] connections at once (one session each, as clients open
//! them): one greedy client cannot take every session. Loopback — the machine's own runtime
//! and tools — is not limited per address, so the local client always finds room.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

/// Connections at once from one remote address.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 4;

/// Bytes relayed per read, each way.
const RELAY_BUFFER: usize = 256 * 1024;

/// OPC UA's BadMaxConnectionsReached.
const BAD_MAX_CONNECTIONS_REACHED: u32 = 0x80B7_0000;

/// Accepts on `public` and relays each connection to the library's `inner` listener.
pub(crate) async fn run(public: TcpListener, inner: SocketAddr) {
    let open: Arc<Mutex<HashMap<IpAddr, usize>>> = Arc::default();
    loop {
        let Ok((mut client, peer)) = public.accept().await else {
            continue;
        };
        let ip = peer.ip();
        if !admit(&open, ip) {
            tracing::warn!("{peer}: refused, {MAX_CONNECTIONS_PER_ADDRESS} connections already");
            tokio::spawn(refuse(client));
            continue;
        }
        let open = open.clone();
        tokio::spawn(async move {
            if let Ok(mut server) = TcpStream::connect(inner).await {
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                // A plant's publish responses are megabytes a second: large buffers, few calls.
                let _ = tokio::io::copy_bidirectional_with_sizes(
                    &mut client,
                    &mut server,
                    RELAY_BUFFER,
                    RELAY_BUFFER,
                )
                .await;
            }
            release(&open, ip);
        });
    }
}

/// Reads the client's Hello (the answer to it is what a client waits for), answers an error
/// message, closes.
async fn refuse(mut client: TcpStream) {
    use tokio::io::AsyncReadExt;
    let hello = async {
        let mut header = [0u8; 8];
        client.read_exact(&mut header).await?;
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let mut rest = vec![0u8; size.clamp(8, 65_536) - 8];
        client.read_exact(&mut rest).await
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), hello).await;
    let _ = client.write_all(&refusal()).await;
    let _ = client.shutdown().await;
}

/// Counts a new connection from `ip`, unless it holds its share already.
fn admit(open: &Mutex<HashMap<IpAddr, usize>>, ip: IpAddr) -> bool {
    let Ok(mut open) = open.lock() else {
        return false;
    };
    let n = open.entry(ip).or_default();
    if !ip.is_loopback() && *n >= MAX_CONNECTIONS_PER_ADDRESS {
        return false;
    }
    *n += 1;
    true
}

fn release(open: &Mutex<HashMap<IpAddr, usize>>, ip: IpAddr) {
    if let Ok(mut open) = open.lock()
        && let Some(n) = open.get_mut(&ip)
    {
        *n -= 1;
        if *n == 0 {
            open.remove(&ip);
        }
    }
}

/// An OPC UA TCP error message (ERR, final chunk): the client reads why it was refused.
fn refusal() -> Vec<u8> {
    let reason = format!("at most {MAX_CONNECTIONS_PER_ADDRESS} connections from one address");
    let size = 8 + 4 + 4 + reason.len();
    let mut message = Vec::with_capacity(size);
    message.extend_from_slice(b"ERRF");
    message.extend_from_slice(&(size as u32).to_le_bytes());
    message.extend_from_slice(&BAD_MAX_CONNECTIONS_REACHED.to_le_bytes());
    message.extend_from_slice(&(reason.len() as i32).to_le_bytes());
    message.extend_from_slice(reason.as_bytes());
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_address_gets_its_share_loopback_is_not_counted_against_it() {
        let open = Mutex::new(HashMap::new());
        let remote: IpAddr = "192.0.2.7".parse().unwrap();
        for _ in 0..MAX_CONNECTIONS_PER_ADDRESS {
            assert!(admit(&open, remote));
        }
        assert!(!admit(&open, remote), "one too many");
        assert!(
            admit(&open, "192.0.2.8".parse().unwrap()),
            "another address"
        );
        for _ in 0..50 {
            assert!(admit(&open, "127.0.0.1".parse().unwrap()));
        }
        release(&open, remote);
        assert!(admit(&open, remote), "room again once one closed");
    }

    #[test]
    fn the_refusal_is_an_opc_ua_error_message() {
        let m = refusal();
        assert_eq!(&m[..4], b"ERRF");
        assert_eq!(
            u32::from_le_bytes(m[4..8].try_into().unwrap()) as usize,
            m.len()
        );
        assert_eq!(
            u32::from_le_bytes(m[8..12].try_into().unwrap()),
            BAD_MAX_CONNECTIONS_REACHED
        );
    }
}
