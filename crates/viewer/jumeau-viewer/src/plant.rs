//! The plant as the client sees it: master data as the runtime loaded it, the acting user, and
//! lookups by code, alias and hierarchy.

use bevy::prelude::{Component as EcsComponent, Resource};
use jumeau_core::{Component, MasterData};
use jumeau_runtime::ChangeSetRow;
use jumeau_runtime::{Actor, RuntimeHandle};
use std::collections::HashMap;

/// The KKS code of the plant component an entity stands for.
#[derive(EcsComponent, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ComponentCode(pub String);

#[derive(Resource)]
pub struct Session {
    pub md: MasterData,
    pub user: Actor,
    /// The last validated master-data change-set.
    pub last_changeset: Option<ChangeSetRow>,
    index: HashMap<String, usize>,
    children: HashMap<String, Vec<String>>,
}

impl Session {
    pub fn new(runtime: &RuntimeHandle) -> Session {
        Session::build(
            runtime.md().clone(),
            runtime.actor().clone(),
            runtime.last_changeset().cloned(),
        )
    }

    fn build(md: MasterData, user: Actor, last_changeset: Option<ChangeSetRow>) -> Session {
        let index = md
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect();
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for c in &md.components {
            if let Some(p) = &c.parent {
                children.entry(p.clone()).or_default().push(c.code.clone());
            }
        }
        Session {
            md,
            user,
            last_changeset,
            index,
            children,
        }
    }

    /// The seed plant with the seed operator, for unit tests of the panels.
    #[cfg(test)]
    pub fn seed_for_tests() -> Session {
        let user = Actor {
            login: "j.martin".into(),
            display_name: "Julien Martin".into(),
            role: jumeau_core::Role::Operator,
            device: "test".into(),
        };
        Session::build(jumeau_core::plant::embedded().md, user, None)
    }

    pub fn component(&self, code: &str) -> Option<&Component> {
        self.index.get(code).map(|&i| &self.md.components[i])
    }

    /// A component by code or operator alias, case-insensitive.
    pub fn resolve(&self, id: &str) -> Option<&Component> {
        resolve(&self.md, id)
    }

    pub fn children(&self, code: &str) -> &[String] {
        self.children.get(code).map_or(&[], Vec::as_slice)
    }

    /// The component and everything below it.
    pub fn with_descendants(&self, code: &str) -> Vec<String> {
        let mut out = vec![code.to_owned()];
        let mut i = 0;
        while i < out.len() {
            out.extend(self.children(&out[i]).iter().cloned());
            i += 1;
        }
        out
    }
}

/// A component of `md` by code or operator alias, case-insensitive.
pub fn resolve<'a>(md: &'a MasterData, id: &str) -> Option<&'a Component> {
    md.components
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(id) || c.alias.eq_ignore_ascii_case(id))
}
