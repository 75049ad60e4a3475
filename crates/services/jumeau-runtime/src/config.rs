//! What a runtime is started with: the acting user and device, the store, the data source.

use jumeau_core::Role;

/// Who the runtime acts for: every command it carries out and every automatic entry it writes
/// is recorded under this account and signed with this device's key. Read from the store at
/// start.
#[derive(Debug, Clone)]
pub struct Actor {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub device: String,
}

/// Where live values come from.
#[derive(Debug, Clone)]
pub enum SourceConfig {
    /// The built-in simulator, served over OPC UA on `addr` (another free port if it is busy)
    /// and subscribed to like any plant server.
    Simulator {
        /// Built-in scenario name or a `.toml` file.
        scenario: String,
        /// Simulated time against real time, 1–60.
        speed: f64,
        seed: u64,
        addr: String,
    },
    /// A plant's OPC UA endpoint (`opc.tcp://…`) or MQTT broker (`mqtt://…`).
    Endpoint {
        url: String,
        /// Message security, trust list, TLS and login of the link.
        link: jumeau_scada::link::LinkSecurity,
    },
}

/// Port of the built-in simulator's server by default.
pub const DEFAULT_SIM_ADDR: &str = "127.0.0.1:4840";

impl SourceConfig {
    /// The built-in simulator on the usual loopback port.
    pub fn simulator(scenario: &str, speed: f64, seed: u64) -> SourceConfig {
        SourceConfig::Simulator {
            scenario: scenario.to_owned(),
            speed,
            seed,
            addr: DEFAULT_SIM_ADDR.to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// The store file and its key (seeded before a runtime opens it).
    pub store: jumeau_store::StoreFiles,
    /// The acting user's login; the account must exist and be active.
    pub login: String,
    /// Their password: the runtime logs them in, and their device key is unsealed with it.
    pub password: jumeau_store::Password,
    /// This device's name, for its signing key.
    pub device: String,
    pub source: SourceConfig,
}
