//! The simulator served over OPC UA (async-opcua): an address space Objects/Jumeau/<unit>/
//! <component>/<tag>, analog items with their engineering units, Good status and source
//! timestamps on the simulator's plant time, endpoints None and Basic256Sha256 Sign /
//! SignAndEncrypt.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jumeau_core::Quantity;
use jumeau_core::masterdata::MasterData;
use jumeau_sim::{Clock, Simulator};

use crate::nodes::{PlantNodeManager, plant_node_manager};
use opcua::crypto::SecurityPolicy;
use opcua::nodes::{ObjectBuilder, VariableBuilder};
use opcua::server::address_space::AddressSpace;
use opcua::server::{ANONYMOUS_USER_TOKEN_ID, ServerBuilder, ServerHandle};
use opcua::types::{
    BuildInfo, DataTypeId, DataValue, DateTime, EUInformation, ExtensionObject, LocalizedText,
    MessageSecurityMode, NodeId, ObjectId, ObjectTypeId, Range, StatusCode, VariableTypeId,
    Variant,
};
use tokio::net::TcpListener;

/// Namespace of the plant's nodes; the server registers it right after its own (index 2), as
/// the master data's `ns=2;s=<tag>` node ids expect.
pub const NAMESPACE_URI: &str = "urn:jumeau:plant";

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {0}: {1}")]
    Listen(String, std::io::Error),
    #[error("OPC UA server configuration refused: {0}")]
    Config(String),
    #[error(
        "the server registered the plant namespace at index {0}, not 2 as the master data expects"
    )]
    Namespace(u16),
}

/// A running simulator server.
pub struct SimServer {
    pub handle: ServerHandle,
    /// The endpoint URL clients connect to.
    pub endpoint: String,
    pub simulator: Arc<Mutex<Simulator>>,
    pub clock: Arc<Mutex<Clock>>,
    /// Plant time of the simulator's second zero (ms since the epoch): a value computed at
    /// simulated time `t` s carries the source timestamp `epoch_ms + t × 1000`.
    pub epoch_ms: i64,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl SimServer {
    /// The simulator's plant time now (ms since the epoch).
    pub fn plant_now_ms(&self) -> i64 {
        let t_s = self.simulator.lock().expect("simulator lock").time_s();
        plant_ms(self.epoch_ms, t_s)
    }

    /// Stops serving (clients see the connection drop).
    pub fn shutdown(self) {
        self.handle.cancel();
        for t in self.tasks {
            t.abort();
        }
    }
}

/// The server's application URI (the client trusts its certificate on loopback only).
pub const SIMULATOR_URI: &str = "urn:jumeau:simulator";

/// Where the server keeps its certificate and trusted clients.
pub fn default_pki_dir() -> PathBuf {
    std::env::temp_dir().join("jumeau-pki-server")
}

/// An OPC UA server listening, with the plant namespace registered and nothing in it yet.
pub struct Listening {
    pub handle: ServerHandle,
    pub manager: Arc<PlantNodeManager>,
    /// The endpoint URL clients connect to.
    pub endpoint: String,
    /// Index of the plant namespace (2).
    pub ns: u16,
    pub run: tokio::task::JoinHandle<()>,
    /// The gate on the public port (see `gate`).
    pub gate: tokio::task::JoinHandle<()>,
}

/// Who may open a session, and where the server keeps its certificate.
#[derive(Clone)]
pub struct Access {
    pub pki_dir: PathBuf,
    /// User-name logins (user, password). Empty: anonymous sessions, endpoints None, Sign and
    /// SignAndEncrypt. Otherwise only these users, and no None endpoint (a password would
    /// travel in clear).
    pub users: Vec<(String, String)>,
}

impl From<PathBuf> for Access {
    /// Anonymous access, the server's certificate in `pki_dir`.
    fn from(pki_dir: PathBuf) -> Access {
        Access {
            pki_dir,
            users: Vec::new(),
        }
    }
}

/// Sessions at once, all clients together (async-opcua has no limit per client address).
pub const MAX_SESSIONS: usize = 20;
/// The longest session timeout granted: a session whose client stopped talking is closed then.
pub const MAX_SESSION_TIMEOUT_MS: u64 = 10_000;
/// Subscriptions per session.
pub const MAX_SUBSCRIPTIONS_PER_SESSION: usize = 4;

/// Monitored items per subscription for a server of `capacity` variables: every one of them
/// and some room (server nodes), at least 1,000.
pub fn items_per_subscription(capacity: usize) -> usize {
    (capacity + 100).max(1_000)
}

/// Opens an OPC UA server on `addr` ("127.0.0.1:4840"; port 0 picks a free one) with endpoints
/// Basic256Sha256 Sign / SignAndEncrypt, and None when access is anonymous, for `capacity`
/// variables (which bounds the monitored items a client may create).
pub async fn listen(
    addr: &str,
    application: &str,
    access: impl Into<Access>,
    capacity: usize,
) -> Result<Listening, ServeError> {
    let access = access.into();
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| ServeError::Listen(addr.to_owned(), e))?;
    let local = listener
        .local_addr()
        .map_err(|e| ServeError::Listen(addr.to_owned(), e))?;
    let host = local.ip().to_string();
    let endpoint = format!("opc.tcp://{host}:{}/", local.port());
    let ids: Vec<String> = (0..access.users.len())
        .map(|i| format!("user{i}"))
        .collect();
    let tokens: Vec<&str> = if access.users.is_empty() {
        vec![ANONYMOUS_USER_TOKEN_ID]
    } else {
        ids.iter().map(String::as_str).collect()
    };
    let tokens = tokens.as_slice();
    let mut builder = ServerBuilder::new()
        .application_name(application)
        .application_uri(SIMULATOR_URI)
        .product_uri("urn:jumeau")
        .build_info(build_info(application))
        .host(host)
        .port(local.port())
        .discovery_urls(vec![endpoint.clone()])
        .create_sample_keypair(true)
        .pki_dir(access.pki_dir.clone())
        // A training server: any client's certificate is accepted (the users are checked).
        .trust_client_certs(true)
        .add_endpoint(
            "basic256sha256_sign",
            (
                "/",
                SecurityPolicy::Basic256Sha256,
                MessageSecurityMode::Sign,
                tokens,
            ),
        )
        .add_endpoint(
            "basic256sha256_sign_encrypt",
            (
                "/",
                SecurityPolicy::Basic256Sha256,
                MessageSecurityMode::SignAndEncrypt,
                tokens,
            ),
        )
        // Changes reach the subscriptions within 20 ms of being set (library default: 100 ms).
        .subscription_poll_interval_ms(20)
        .max_array_length(200_000)
        .max_message_size(64 * 1024 * 1024)
        .max_chunk_count(1024)
        .with_node_manager(plant_node_manager(NAMESPACE_URI))
        // Sessions of a client that vanished are reclaimed after 10 s, not the 60 s or more
        // a client may ask: a killed client does not lock the others out for long.
        .max_sessions(MAX_SESSIONS)
        .max_session_timeout_ms(MAX_SESSION_TIMEOUT_MS);
    if access.users.is_empty() {
        builder = builder.add_endpoint(
            "none",
            ("/", SecurityPolicy::None, MessageSecurityMode::None, tokens),
        );
    }
    for (id, (user, password)) in ids.iter().zip(&access.users) {
        builder = builder.add_user_token(
            id,
            opcua::server::ServerUserToken::user_pass(user.as_str(), password.as_str()),
        );
    }
    // A whole plant on one subscription (the library's default is 1,000 items), but no more:
    // items per session and in total are bounded by these and `MAX_SESSIONS`.
    let limits = builder.limits_mut();
    limits.subscriptions.max_monitored_items_per_sub = items_per_subscription(capacity);
    limits.subscriptions.max_subscriptions_per_session = MAX_SUBSCRIPTIONS_PER_SESSION;
    limits.operational.max_monitored_items_per_call = 10_000;
    // Clients keep several publish requests outstanding (node-opcua 10 and more); the library's
    // 4 per subscription answers the rest BadTooManyPublishRequests.
    limits.subscriptions.max_publish_requests_per_subscription = 20;
    limits.subscriptions.max_pending_publish_requests = 20;
    let (server, handle) = builder.build().map_err(ServeError::Config)?;
    let ns = handle.get_namespace_index(NAMESPACE_URI).unwrap_or(0);
    if ns != 2 {
        return Err(ServeError::Namespace(ns));
    }
    let manager = handle
        .node_managers()
        .get_of_type::<PlantNodeManager>()
        .ok_or_else(|| ServeError::Config("plant node manager missing".into()))?;
    // The library listens on loopback behind our gate, which owns the public port.
    let inner = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| ServeError::Listen("127.0.0.1:0".into(), e))?;
    let inner_addr = inner
        .local_addr()
        .map_err(|e| ServeError::Listen("127.0.0.1:0".into(), e))?;
    let run = tokio::spawn(async move {
        if let Err(e) = server.run_with(inner).await {
            tracing::error!("OPC UA server stopped: {e}");
        }
    });
    advertise_public_port(&handle, inner_addr.port(), local.port()).await?;
    let gate = tokio::spawn(crate::gate::run(listener, inner_addr));
    Ok(Listening {
        handle,
        manager,
        endpoint,
        ns,
        run,
        gate,
    })
}

/// The library describes its endpoints with the port it listens on, the gate's inner one, once
/// it has started: they must name the public port clients connect to.
async fn advertise_public_port(
    handle: &ServerHandle,
    inner: u16,
    public: u16,
) -> Result<(), ServeError> {
    use std::sync::atomic::Ordering;
    let port = &handle.info().port;
    for _ in 0..5_000 {
        if port.load(Ordering::SeqCst) == inner {
            port.store(public, Ordering::SeqCst);
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Err(ServeError::Config(
        "the OPC UA server did not start within 10 s".into(),
    ))
}

/// What Server/ServerStatus/BuildInfo says: Jumeau's name and version; the build date is the
/// running executable's (when it can be read).
fn build_info(product: &str) -> BuildInfo {
    let built = std::env::current_exe()
        .and_then(std::fs::metadata)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or_else(DateTime::null, |d| opcua_time(d.as_millis() as i64));
    BuildInfo {
        product_uri: "urn:jumeau".into(),
        manufacturer_name: "Jumeau".into(),
        product_name: product.into(),
        software_version: env!("CARGO_PKG_VERSION").into(),
        build_number: concat!("jumeau-simserver ", env!("CARGO_PKG_VERSION")).into(),
        build_date: built,
    }
}

/// Starts serving `simulator` on `addr`. Values are stamped with plant time (see
/// [`SimServer::epoch_ms`]): at ×20 a rate of change or a delay measured on source time is what
/// the plant would show. One update per `interval` of plant time, but at most one per
/// [`MIN_WALL_PERIOD`] of wall-clock time (then larger plant steps).
pub async fn serve(
    addr: &str,
    md: &MasterData,
    simulator: Simulator,
    clock: Clock,
    interval: Duration,
    access: impl Into<Access>,
) -> Result<SimServer, ServeError> {
    let server = listen(addr, "Jumeau plant simulator", access, md.tags.len()).await?;
    let nodes = {
        let mut space = server.manager.address_space().write();
        build_address_space(&mut space, server.ns, md, &simulator)
    };
    let epoch_ms = DateTime::now().as_chrono().timestamp_millis() - plant_ms(0, simulator.time_s());
    let simulator = Arc::new(Mutex::new(simulator));
    let clock = Arc::new(Mutex::new(clock));
    let (sim, clk, h, manager) = (
        simulator.clone(),
        clock.clone(),
        server.handle.clone(),
        server.manager.clone(),
    );
    let update = tokio::spawn(async move {
        loop {
            let speed = clk.lock().expect("clock lock").speed();
            let wall = interval.div_f64(speed.max(1e-3)).max(MIN_WALL_PERIOD);
            tokio::time::sleep(wall).await;
            let (values, t_s) = {
                let mut s = sim.lock().expect("simulator lock");
                let step = clk
                    .lock()
                    .expect("clock lock")
                    .simulated(wall.as_secs_f64());
                s.advance(step);
                (s.values(), s.time_s())
            };
            let source = opcua_time(plant_ms(epoch_ms, t_s));
            publish(&manager, &h, &nodes, &values, Some(source));
        }
    });
    Ok(SimServer {
        handle: server.handle,
        endpoint: server.endpoint,
        simulator,
        clock,
        epoch_ms,
        tasks: vec![server.gate, server.run, update],
    })
}

/// The shortest wall-clock time between two updates of the served values.
pub const MIN_WALL_PERIOD: Duration = Duration::from_millis(100);

/// Plant time (ms since the epoch) of simulated second `t_s`, the simulator's zero being at
/// `epoch_ms`.
pub fn plant_ms(epoch_ms: i64, t_s: f64) -> i64 {
    epoch_ms + (t_s * 1000.0).round() as i64
}

/// Milliseconds since the Unix epoch as an OPC UA date time (ticks of 100 ns since 1601).
fn opcua_time(ms: i64) -> DateTime {
    DateTime::from((ms + 11_644_473_600_000) * 10_000)
}

/// One variable per mapped tag, in tag order: (node id, is a binary state).
/// Values set per address-space lock (see `publish`).
const PUBLISH_SLICE: usize = 2_000;

pub type NodeList = Vec<Option<(NodeId, bool)>>;

fn build_address_space(
    space: &mut AddressSpace,
    ns: u16,
    md: &MasterData,
    sim: &Simulator,
) -> NodeList {
    let root = NodeId::new(ns, "Jumeau");
    ObjectBuilder::new(&root, "Jumeau", "Jumeau — bloc CCG 2×1")
        .is_folder()
        .organized_by(ObjectId::ObjectsFolder)
        .insert(space);
    for unit in &md.units {
        let code = unit.code.as_str();
        ObjectBuilder::new(
            &NodeId::new(ns, code),
            code,
            format!("{code} — {}", unit.name_fr),
        )
        .is_folder()
        .organized_by(root.clone())
        .insert(space);
    }
    let mut made = std::collections::HashSet::new();
    let values = sim.values();
    md.tags
        .iter()
        .enumerate()
        .map(|(i, tag)| {
            let node_id = tag
                .opcua_node
                .as_deref()
                .and_then(|n| n.parse::<NodeId>().ok())?;
            let component = md.components.iter().find(|c| c.code == tag.component)?;
            let folder = NodeId::new(ns, component.code.as_str());
            if made.insert(component.code.clone()) {
                ObjectBuilder::new(
                    &folder,
                    component.code.as_str(),
                    format!("{} {}", component.code, component.name_fr),
                )
                .has_type_definition(ObjectTypeId::BaseObjectType)
                .organized_by(NodeId::new(ns, component.unit.as_str()))
                .insert(space);
            }
            let state = tag.quantity == Quantity::State;
            let initial = values.get(i).copied().flatten()?;
            let builder = VariableBuilder::new(&node_id, tag.name.as_str(), tag.name.as_str())
                .description(LocalizedText::new("fr", &tag.description))
                .component_of(folder)
                .minimum_sampling_interval(100.0);
            // The mandatory properties of the two variable types (OPC UA Part 8): a state's two
            // texts, a measurement's engineering unit and range.
            let property = |name: &str, data_type: DataTypeId, value: Variant| {
                VariableBuilder::new(&NodeId::new(ns, format!("{}.{name}", tag.name)), name, name)
                    .data_type(data_type)
                    .value(value)
                    .has_type_definition(VariableTypeId::PropertyType)
                    .property_of(node_id.clone())
            };
            if state {
                builder
                    .data_type(DataTypeId::Boolean)
                    .value(initial != 0.0)
                    .has_type_definition(VariableTypeId::TwoStateDiscreteType)
                    .insert(space);
                for (name, text) in [("TrueState", &tag.true_fr), ("FalseState", &tag.false_fr)] {
                    let text = LocalizedText::new("fr", text.as_deref().unwrap_or_default());
                    property(name, DataTypeId::LocalizedText, text.into()).insert(space);
                }
            } else {
                builder
                    .data_type(DataTypeId::Double)
                    .value(initial)
                    .has_type_definition(VariableTypeId::AnalogItemType)
                    .insert(space);
                let eu = EUInformation {
                    namespace_uri: "http://www.opcfoundation.org/UA/units/un/cefact".into(),
                    unit_id: crate::units::unece_code(&tag.unit)
                        .map(crate::units::unit_id)
                        .unwrap_or(-1),
                    display_name: LocalizedText::new("", &tag.unit),
                    description: LocalizedText::new("", &tag.unit),
                };
                let eu = ExtensionObject::from_message(eu);
                property("EngineeringUnits", DataTypeId::EUInformation, eu.into()).insert(space);
                if let (Some(low), Some(high)) = (tag.range_low, tag.range_high) {
                    let range = ExtensionObject::from_message(Range { low, high });
                    property("EURange", DataTypeId::Range, range.into()).insert(space);
                }
            }
            Some((node_id, state))
        })
        .collect()
}

/// Sets the values of `nodes` (same order), Good with `source` as source timestamp (the
/// current time when None; None values → BadNoData), and notifies the subscriptions.
pub fn publish(
    manager: &PlantNodeManager,
    handle: &ServerHandle,
    nodes: &NodeList,
    values: &[Option<f64>],
    source: Option<DateTime>,
) {
    // In slices, each stamped when it is set: the address-space lock is held briefly and the
    // subscriptions start sending the first slices while later ones are still being set.
    for (nodes, values) in nodes
        .chunks(PUBLISH_SLICE)
        .zip(values.chunks(PUBLISH_SLICE))
    {
        let now = DateTime::now();
        let updates = nodes.iter().zip(values).filter_map(|(node, value)| {
            let (id, state) = node.as_ref()?;
            let (variant, status) = match value {
                Some(x) if *state => (Variant::Boolean(*x != 0.0), StatusCode::Good),
                Some(x) => (Variant::Double(*x), StatusCode::Good),
                None => (Variant::Empty, StatusCode::BadNoData),
            };
            let dv = DataValue {
                value: Some(variant),
                status: Some(status),
                source_timestamp: Some(source.unwrap_or(now)),
                server_timestamp: Some(now),
                ..Default::default()
            };
            Some((id, None, dv))
        });
        if let Err(e) = manager.set_values(handle.subscriptions(), updates) {
            tracing::warn!("OPC UA value update refused: {e}");
        }
    }
}
