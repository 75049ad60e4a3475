//! OPC UA client connector (async-opcua): endpoint discovery, security None or Basic256Sha256
//! Sign / SignAndEncrypt with the server's certificate checked against the trust list
//! ([`crate::trust`]), anonymous or user-name login, subscriptions with chosen sampling and publishing intervals, automatic
//! reconnection (the session re-creates its subscriptions), status codes and timestamps carried
//! through to `TagUpdate`s; browsing of any server's address space.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use opcua::client::{
    ClientBuilder, DataChangeCallback, IdentityToken, Session, SessionConnectMode,
    SessionPollResult,
};
use opcua::crypto::SecurityPolicy;
use opcua::types::{
    AttributeId, BrowseDescription, BrowseDirection, BrowseResultMask, DataValue, EUInformation,
    MessageSecurityMode, MonitoredItemCreateRequest, MonitoringMode, MonitoringParameters,
    NodeClass, NodeId, ObjectId, ReadValueId, ReferenceTypeId, TimestampsToReturn, Variant,
};
use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use jumeau_tagbus::{LinkEvent, Quality, TagUpdate, Value, now_ms};

pub use crate::link::{Credentials, Security};

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub endpoint: String,
    pub security: Security,
    /// How often the server samples each item, ms.
    pub sampling_ms: f64,
    /// How often the server sends the changes, ms.
    pub publishing_ms: u64,
    /// The client's own certificate and its trust list of servers.
    pub pki_dir: PathBuf,
    /// User-name login on the server (anonymous without).
    pub user: Option<Credentials>,
}

impl ClientConfig {
    /// The connection to `endpoint` with the security, PKI and login of `link`.
    pub fn with_link(endpoint: &str, link: &crate::link::LinkSecurity) -> Self {
        ClientConfig {
            security: link.security,
            pki_dir: link.pki_dir.clone(),
            user: link.user.clone(),
            ..ClientConfig::new(endpoint)
        }
    }

    pub fn new(endpoint: &str) -> Self {
        ClientConfig {
            endpoint: endpoint.to_owned(),
            security: Security::None,
            sampling_ms: 500.0,
            publishing_ms: 500,
            pki_dir: crate::link::LinkSecurity::default().pki_dir,
            user: None,
        }
    }
}

/// The application URI of Jumeau's built-in simulator server: on loopback, and only there,
/// its certificate is trusted without asking.
pub const SIMULATOR_URI: &str = "urn:jumeau:simulator";

/// `request` to `endpoint`, given up after [`CONNECT_TIMEOUT`] (the library retries discovery
/// without end when nothing answers).
async fn within_connect_timeout<T, E: std::fmt::Display>(
    endpoint: &str,
    request: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, ClientError> {
    tokio::time::timeout(CONNECT_TIMEOUT, request)
        .await
        .map_err(|_| {
            ClientError::Connect(
                endpoint.to_owned(),
                format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            )
        })?
        .map_err(|e| ClientError::Connect(endpoint.to_owned(), e.to_string()))
}

/// The server certificate of the endpoint `cfg` asks for must be in the trust list; the
/// built-in simulator's is trusted on loopback. An unknown one is kept among the refused and the
/// refusal says how to trust it.
fn check_server(
    cfg: &ClientConfig,
    endpoints: &[opcua::types::EndpointDescription],
    policy: SecurityPolicy,
    mode: MessageSecurityMode,
) -> Result<(), ClientError> {
    let endpoint = endpoints
        .iter()
        .find(|e| e.security_policy_uri.as_ref() == policy.to_uri() && e.security_mode == mode)
        .ok_or_else(|| {
            ClientError::Connect(
                cfg.endpoint.clone(),
                format!("the server offers no {} {mode:?} endpoint", policy.to_str()),
            )
        })?;
    let cert =
        opcua::crypto::X509::from_byte_string(&endpoint.server_certificate).map_err(|e| {
            ClientError::Connect(
                cfg.endpoint.clone(),
                format!("the server's certificate cannot be read: {e}"),
            )
        })?;
    let trust = crate::trust::TrustList::new(&cfg.pki_dir);
    if trust.is_trusted(&cert) {
        return Ok(());
    }
    if is_loopback(&cfg.endpoint) && endpoint.server.application_uri.as_ref() == SIMULATOR_URI {
        let info = trust.trust_cert(&cert)?;
        tracing::info!(
            "trusting the built-in simulator's certificate {} on loopback",
            info.thumbprint
        );
        return Ok(());
    }
    let info = trust.reject(&cert)?;
    Err(ClientError::Untrusted {
        endpoint: cfg.endpoint.clone(),
        subject: info.subject,
        thumbprint: info.thumbprint,
        until: info.not_after.unwrap_or_else(|| "?".into()),
        file: info.file.display().to_string(),
    })
}

/// Whether the endpoint's host is this machine (see [`crate::link::is_loopback_host`]).
pub fn is_loopback(endpoint: &str) -> bool {
    let rest = endpoint
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(endpoint);
    let authority = rest.split('/').next().unwrap_or("");
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(authority)
    };
    crate::link::is_loopback_host(host)
}

/// One item to watch: the key reported in updates (tag name or node id) and its node.
#[derive(Debug, Clone)]
pub struct WatchItem {
    pub key: String,
    pub node: NodeId,
    pub unit: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("OPC UA client configuration refused: {0}")]
    Config(String),
    #[error("cannot connect to {0}: {1}")]
    Connect(String, String),
    #[error("OPC UA request failed: {0}")]
    Request(String),
    #[error(
        "{endpoint}: the server's certificate \"{subject}\" (SHA-1 thumbprint {thumbprint}, valid \
         until {until}) is not in Jumeau's trust list, so the connection was refused: someone \
         could be posing as the plant's server. It was kept among the refused certificates \
         ({file}). Check the thumbprint with the server's administrator, then trust it: \
         jumeau opcua trust add {thumbprint}"
    )]
    Untrusted {
        endpoint: String,
        subject: String,
        thumbprint: String,
        until: String,
        file: String,
    },
    #[error(transparent)]
    Trust(#[from] crate::trust::TrustError),
}

/// How long endpoint discovery and the first session may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A session whose event loop runs in the background.
pub struct Connection {
    pub session: Arc<Session>,
    /// Signalled each time the client had to open a new session (server restarted): its
    /// subscriptions are gone and must be made again.
    pub new_session: Arc<tokio::sync::Notify>,
}

/// Connects and returns the session; the event loop runs in the background and reports the
/// link's state on `events`. Reconnection never gives up.
pub async fn connect(
    cfg: &ClientConfig,
    events: UnboundedSender<LinkEvent>,
) -> Result<Connection, ClientError> {
    let mut client = ClientBuilder::new()
        .application_name("Jumeau client")
        .application_uri("urn:jumeau:client")
        .product_uri("urn:jumeau")
        .pki_dir(cfg.pki_dir.clone())
        .create_sample_keypair(true)
        // Unknown servers are refused; `check_server` explains it before the library does.
        .trust_server_certs(false)
        .session_retry_limit(-1)
        .session_retry_initial(Duration::from_millis(500))
        .session_retry_max(Duration::from_secs(5))
        .keep_alive_interval(Duration::from_secs(1))
        .request_timeout(Duration::from_secs(5))
        // Our own supervisor re-creates them on a new session (see `keep_subscribed`): the
        // library's transfer-or-recreate did not deliver again after a server restart.
        .recreate_subscriptions(false)
        .max_array_length(200_000)
        .max_message_size(64 * 1024 * 1024)
        .max_chunk_count(256)
        .client()
        .map_err(|e| ClientError::Config(e.join("; ")))?;
    let (policy, mode) = cfg.security.policy_and_mode();
    if cfg.security != Security::None {
        let endpoints = within_connect_timeout(
            &cfg.endpoint,
            client.get_server_endpoints_from_url(cfg.endpoint.as_str()),
        )
        .await?;
        check_server(cfg, &endpoints, policy, mode)?;
    } else if !is_loopback(&cfg.endpoint) {
        tracing::warn!(
            "{}: security none — values travel unsigned and in clear",
            cfg.endpoint
        );
    }
    let identity = match &cfg.user {
        Some(c) => IdentityToken::UserName(c.user.clone(), c.password.clone().into()),
        None => IdentityToken::Anonymous,
    };
    let discovery = client
        .connect_to_matching_endpoint((cfg.endpoint.as_str(), policy.to_str(), mode), identity);
    let (session, event_loop) = within_connect_timeout(&cfg.endpoint, discovery).await?;
    let new_session = Arc::new(tokio::sync::Notify::new());
    let signal = new_session.clone();
    // Why the session has not come up yet, for the error if it never does.
    let last_failure = Arc::new(std::sync::Mutex::new(None::<String>));
    let failure = last_failure.clone();
    tokio::spawn(async move {
        let mut stream = std::pin::pin!(event_loop.enter());
        let mut first = true;
        while let Some(item) = stream.next().await {
            let event = match item {
                Ok(SessionPollResult::Reconnected(mode)) => {
                    if matches!(mode, SessionConnectMode::NewSession(_)) && !first {
                        signal.notify_one();
                    }
                    first = false;
                    LinkEvent::Connected
                }
                Ok(SessionPollResult::ConnectionLost(status)) => {
                    LinkEvent::Lost(status.to_string())
                }
                Ok(SessionPollResult::ReconnectFailed(status)) => {
                    LinkEvent::Lost(status.to_string())
                }
                Ok(SessionPollResult::Subscription(_))
                | Ok(SessionPollResult::SessionActivity(_)) => LinkEvent::Alive(now_ms()),
                Ok(_) => continue,
                Err(status) => LinkEvent::Lost(status.to_string()),
            };
            if let LinkEvent::Lost(why) = &event {
                *failure.lock().expect("failure lock") = Some(why.clone());
            }
            if events.send(event).is_err() {
                break;
            }
        }
    });
    if !tokio::time::timeout(CONNECT_TIMEOUT, session.wait_for_connection())
        .await
        .unwrap_or(false)
    {
        let why = last_failure.lock().expect("failure lock").take();
        return Err(ClientError::Connect(
            cfg.endpoint.clone(),
            format!(
                "no session within {} s{}",
                CONNECT_TIMEOUT.as_secs(),
                why.map(|w| format!(" (last refusal: {w})"))
                    .unwrap_or_default()
            ),
        ));
    }
    Ok(Connection {
        session,
        new_session,
    })
}

/// Subscribes to `items` now and again after every new session, until `events` closes.
pub async fn keep_subscribed(
    conn: &Connection,
    cfg: &ClientConfig,
    items: Vec<WatchItem>,
    events: UnboundedSender<LinkEvent>,
) -> Result<(), ClientError> {
    subscribe(&conn.session, cfg, items.clone(), events.clone()).await?;
    let (session, signal, cfg) = (conn.session.clone(), conn.new_session.clone(), cfg.clone());
    tokio::spawn(async move {
        loop {
            signal.notified().await;
            if events.is_closed() {
                break;
            }
            if let Err(e) = subscribe(&session, &cfg, items.clone(), events.clone()).await {
                tracing::warn!("re-subscribing after reconnection failed: {e}");
                let _ = events.send(LinkEvent::Lost(e.to_string()));
                signal.notify_one();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    });
    Ok(())
}

/// Subscribes to `items`; every data change becomes a `LinkEvent::Update`.
pub async fn subscribe(
    session: &Session,
    cfg: &ClientConfig,
    items: Vec<WatchItem>,
    events: UnboundedSender<LinkEvent>,
) -> Result<u32, ClientError> {
    let by_node: HashMap<NodeId, (String, Option<String>)> = items
        .iter()
        .map(|i| (i.node.clone(), (i.key.clone(), i.unit.clone())))
        .collect();
    let callback = DataChangeCallback::new(move |dv: DataValue, item| {
        let node = &item.item_to_monitor().node_id;
        let (key, unit) = by_node
            .get(node)
            .cloned()
            .unwrap_or_else(|| (node.to_string(), None));
        let _ = events.send(LinkEvent::Update(to_update(key, unit, &dv)));
    });
    let sub = session
        .create_subscription(
            Duration::from_millis(cfg.publishing_ms),
            60,
            10,
            0,
            0,
            true,
            callback,
        )
        .await
        .map_err(|e| ClientError::Request(e.to_string()))?;
    let requests: Vec<MonitoredItemCreateRequest> = items
        .iter()
        .map(|i| MonitoredItemCreateRequest {
            item_to_monitor: ReadValueId {
                node_id: i.node.clone(),
                attribute_id: AttributeId::Value as u32,
                ..Default::default()
            },
            monitoring_mode: MonitoringMode::Reporting,
            requested_parameters: MonitoringParameters {
                sampling_interval: cfg.sampling_ms,
                queue_size: 1,
                discard_oldest: true,
                ..Default::default()
            },
        })
        .collect();
    // 1,000 items per call: the common server limit (OPC UA servers often refuse more).
    for chunk in requests.chunks(1_000) {
        session
            .create_monitored_items(sub, TimestampsToReturn::Both, chunk.to_vec())
            .await
            .map_err(|e| ClientError::Request(e.to_string()))?;
    }
    Ok(sub)
}

/// Converts an OPC UA DataValue into an update, keeping status and source timestamp.
pub fn to_update(key: String, unit: Option<String>, dv: &DataValue) -> TagUpdate {
    let receive_ms = now_ms();
    let status = dv.status();
    let quality = if status.is_good() {
        Quality::Good
    } else if status.is_uncertain() {
        Quality::Uncertain(status.to_string())
    } else {
        Quality::Bad(status.to_string())
    };
    let value = dv.value.as_ref().and_then(variant_value);
    let source_ms = dv
        .source_timestamp
        .or(dv.server_timestamp)
        .map(|t| t.as_chrono().timestamp_millis())
        .unwrap_or(receive_ms);
    TagUpdate {
        key,
        value,
        unit,
        quality,
        source_ms,
        receive_ms,
    }
}

fn variant_value(v: &Variant) -> Option<Value> {
    Some(match v {
        Variant::Boolean(b) => Value::State(*b),
        Variant::Double(x) => Value::Number(*x),
        Variant::Float(x) => Value::Number(f64::from(*x)),
        Variant::Int16(x) => Value::Number(f64::from(*x)),
        Variant::Int32(x) => Value::Number(f64::from(*x)),
        Variant::Int64(x) => Value::Number(*x as f64),
        Variant::UInt16(x) => Value::Number(f64::from(*x)),
        Variant::UInt32(x) => Value::Number(f64::from(*x)),
        Variant::UInt64(x) => Value::Number(*x as f64),
        Variant::Byte(x) => Value::Number(f64::from(*x)),
        Variant::SByte(x) => Value::Number(f64::from(*x)),
        _ => return None,
    })
}

/// One variable of a browsed address space.
#[derive(Debug, Clone, Serialize)]
pub struct BrowsedVariable {
    pub node_id: String,
    pub browse_name: String,
    pub path: String,
    pub data_type: String,
    pub unit: Option<String>,
    /// EURange (low, high) of an analog item.
    pub range: Option<(f64, f64)>,
    /// TrueState and FalseState of a two-state item.
    pub true_state: Option<String>,
    pub false_state: Option<String>,
}

/// Lists the variables under Objects (the server's own diagnostics object excepted), with their
/// data type and engineering unit where the server gives one.
pub async fn browse(session: &Session) -> Result<Vec<BrowsedVariable>, ClientError> {
    let mut found = Vec::new();
    let mut queue: Vec<(NodeId, String)> = vec![(ObjectId::ObjectsFolder.into(), String::new())];
    let mut seen = std::collections::HashSet::new();
    while let Some((node, path)) = queue.pop() {
        if !seen.insert(node.clone()) || seen.len() > 500_000 {
            continue;
        }
        for r in children(session, &node, ReferenceTypeId::HierarchicalReferences).await? {
            let child = r.node_id.node_id.clone();
            if child == ObjectId::Server {
                continue;
            }
            let name = r.browse_name.name.to_string();
            let child_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}/{name}")
            };
            match r.node_class {
                NodeClass::Variable if r.reference_type_id != ReferenceTypeId::HasProperty => {
                    found.push(BrowsedVariable {
                        node_id: child.to_string(),
                        browse_name: name,
                        path: child_path.clone(),
                        data_type: String::new(),
                        unit: None,
                        range: None,
                        true_state: None,
                        false_state: None,
                    });
                    queue.push((child, child_path));
                }
                NodeClass::Object => queue.push((child, child_path)),
                _ => {}
            }
        }
    }
    describe(session, &mut found).await?;
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

async fn children(
    session: &Session,
    node: &NodeId,
    reference: ReferenceTypeId,
) -> Result<Vec<opcua::types::ReferenceDescription>, ClientError> {
    let desc = BrowseDescription {
        node_id: node.clone(),
        browse_direction: BrowseDirection::Forward,
        reference_type_id: reference.into(),
        include_subtypes: true,
        node_class_mask: 0,
        result_mask: BrowseResultMask::All as u32,
    };
    let mut results = session
        .browse(&[desc], 0, None)
        .await
        .map_err(|e| ClientError::Request(e.to_string()))?;
    let mut refs = Vec::new();
    let mut result = results.pop();
    while let Some(r) = result.take() {
        refs.extend(r.references.unwrap_or_default());
        if r.continuation_point.is_null() {
            break;
        }
        let mut next = session
            .browse_next(false, &[r.continuation_point])
            .await
            .map_err(|e| ClientError::Request(e.to_string()))?;
        result = next.pop();
    }
    Ok(refs)
}

/// The properties [`describe`] reads (OPC UA Part 8 analog and two-state items).
const DESCRIBED: [&str; 4] = ["EngineeringUnits", "EURange", "TrueState", "FalseState"];

/// Fills in data types (DataType attribute), units and ranges (EngineeringUnits, EURange) and
/// the two states' texts (TrueState, FalseState).
async fn describe(session: &Session, vars: &mut [BrowsedVariable]) -> Result<(), ClientError> {
    for chunk in vars.chunks_mut(1_000) {
        let reads: Vec<ReadValueId> = chunk
            .iter()
            .map(|v| ReadValueId {
                node_id: v.node_id.parse().unwrap_or_default(),
                attribute_id: AttributeId::DataType as u32,
                ..Default::default()
            })
            .collect();
        let types = session
            .read(&reads, TimestampsToReturn::Neither, 0.0)
            .await
            .map_err(|e| ClientError::Request(e.to_string()))?;
        for (v, dv) in chunk.iter_mut().zip(types) {
            if let Some(Variant::NodeId(id)) = dv.value {
                v.data_type = data_type_name(&id);
            }
        }
    }
    for v in vars.iter_mut() {
        let Ok(node) = v.node_id.parse::<NodeId>() else {
            continue;
        };
        let props: Vec<_> = children(session, &node, ReferenceTypeId::HasProperty)
            .await?
            .into_iter()
            .filter(|p| DESCRIBED.contains(&p.browse_name.name.as_ref()))
            .collect();
        if props.is_empty() {
            continue;
        }
        let reads: Vec<ReadValueId> = props
            .iter()
            .map(|p| ReadValueId {
                node_id: p.node_id.node_id.clone(),
                attribute_id: AttributeId::Value as u32,
                ..Default::default()
            })
            .collect();
        let values = session
            .read(&reads, TimestampsToReturn::Neither, 0.0)
            .await
            .map_err(|e| ClientError::Request(e.to_string()))?;
        for (p, dv) in props.iter().zip(values) {
            describe_one(v, p.browse_name.name.as_ref(), dv.value);
        }
    }
    Ok(())
}

fn describe_one(v: &mut BrowsedVariable, property: &str, value: Option<Variant>) {
    match (property, value) {
        ("EngineeringUnits", Some(Variant::ExtensionObject(obj))) => {
            if let Some(info) = obj.inner_as::<EUInformation>() {
                v.unit = Some(info.display_name.text.to_string());
            }
        }
        ("EURange", Some(Variant::ExtensionObject(obj))) => {
            if let Some(r) = obj.inner_as::<opcua::types::Range>() {
                v.range = Some((r.low, r.high));
            }
        }
        ("TrueState", Some(Variant::LocalizedText(t))) => v.true_state = Some(t.text.to_string()),
        ("FalseState", Some(Variant::LocalizedText(t))) => v.false_state = Some(t.text.to_string()),
        _ => {}
    }
}

fn data_type_name(id: &NodeId) -> String {
    let known = [
        (1u32, "Boolean"),
        (2, "SByte"),
        (3, "Byte"),
        (4, "Int16"),
        (5, "UInt16"),
        (6, "Int32"),
        (7, "UInt32"),
        (8, "Int64"),
        (9, "UInt64"),
        (10, "Float"),
        (11, "Double"),
        (12, "String"),
        (13, "DateTime"),
    ];
    if id.namespace == 0
        && let opcua::types::Identifier::Numeric(n) = id.identifier
        && let Some((_, name)) = known.iter().find(|(k, _)| *k == n)
    {
        return (*name).to_owned();
    }
    id.to_string()
}
