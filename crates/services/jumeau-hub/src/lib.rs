//! The plant hub (docs/sync.md): devices enrolled with a secret, ops pushed over a WebSocket
//! over TLS, stored in PostgreSQL in one countersigned order, acknowledged after the commit,
//! pulled by cursor, the head announced live. `--dev` runs its own PostgreSQL cluster. No Bevy.

pub mod cli;
pub mod db;
pub mod devpg;
mod files;
pub mod key;
pub mod server;
pub mod tls;

pub use cli::{HubArgs, run};
