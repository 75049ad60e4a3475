//! The plant's node manager: async-opcua's in-memory address space, values pushed by
//! `opcua::publish`. Unlike the library's `SimpleNodeManager`, which creates a monitored item
//! with status Good on any node id of its namespace, a monitored item on a node that does not
//! exist is refused (BadNodeIdUnknown), and so is one the session may not read: a hostile client
//! cannot fill the server with items that watch nothing.

use async_trait::async_trait;
use opcua::core::sync::RwLock;
use opcua::server::CreateMonitoredItem;
use opcua::server::address_space::AddressSpace;
use opcua::server::diagnostics::NamespaceMetadata;
use opcua::server::node_manager::memory::{
    InMemoryNodeManager, InMemoryNodeManagerBuilder, InMemoryNodeManagerImpl,
};
use opcua::server::node_manager::{NodeManagerBuilder, RequestContext, ServerContext};
use opcua::types::StatusCode;

/// The plant's nodes, served by the in-memory node manager.
pub type PlantNodeManager = InMemoryNodeManager<PlantNodes>;

pub struct PlantNodes {
    namespaces: Vec<NamespaceMetadata>,
}

/// A node manager for one namespace, `namespace_uri`, registered with the server's type tree
/// and address space as the library's simple manager does.
pub fn plant_node_manager(namespace_uri: &str) -> impl NodeManagerBuilder {
    let uri = namespace_uri.to_owned();
    InMemoryNodeManagerBuilder::new(move |context: ServerContext, space: &mut AddressSpace| {
        let index = context
            .type_tree
            .write()
            .namespaces_mut()
            .add_namespace(&uri);
        space.add_namespace(&uri, index);
        PlantNodes {
            namespaces: vec![NamespaceMetadata {
                namespace_uri: uri,
                namespace_index: index,
                ..Default::default()
            }],
        }
    })
}

#[async_trait]
impl InMemoryNodeManagerImpl for PlantNodes {
    async fn init(&self, _space: &mut AddressSpace, _context: ServerContext) {}

    fn name(&self) -> &str {
        "jumeau"
    }

    fn namespaces(&self) -> Vec<NamespaceMetadata> {
        self.namespaces.clone()
    }

    async fn create_value_monitored_items(
        &self,
        context: &RequestContext,
        space: &RwLock<AddressSpace>,
        items: &mut [&mut &mut CreateMonitoredItem],
    ) {
        let space = space.read();
        for item in items.iter_mut() {
            if let Err(refused) = space.validate_node_read(context, item.item_to_monitor()) {
                item.set_status(refused);
                continue;
            }
            let value = space.read(
                context,
                item.item_to_monitor(),
                0.0,
                item.timestamps_to_return(),
            );
            if value.status() != StatusCode::BadAttributeIdInvalid {
                item.set_initial_value(value);
            }
            item.set_status(StatusCode::Good);
        }
    }
}
