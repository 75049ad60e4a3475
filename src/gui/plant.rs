//! The plant as the client sees it: master data loaded once from the store, the acting user,
//! and lookups by code, alias and hierarchy.

use anyhow::bail;
use bevy::prelude::{Component as EcsComponent, Resource};
use jumeau_core::{Component, MasterData};
use jumeau_store::{ChangeSetRow, Store, User};
use std::collections::HashMap;

/// The KKS code of the plant component an entity stands for.
#[derive(EcsComponent, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ComponentCode(pub String);

#[derive(Resource)]
pub struct Session {
    pub md: MasterData,
    pub user: User,
    /// The last validated master-data change-set.
    pub last_changeset: Option<ChangeSetRow>,
    index: HashMap<String, usize>,
    children: HashMap<String, Vec<String>>,
}

impl Session {
    pub fn load(store: &Store, login: &str) -> anyhow::Result<Session> {
        let user = store.user(login)?;
        if !user.active {
            bail!("account `{login}` is deactivated");
        }
        let md = store.master_data()?;
        let last_changeset = store
            .changesets()?
            .into_iter()
            .rev()
            .find(|c| c.status == jumeau_core::ChangeSetStatus::Validated);
        Ok(Session::new(md, user, last_changeset))
    }

    pub fn new(md: MasterData, user: User, last_changeset: Option<ChangeSetRow>) -> Session {
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
        let user = jumeau_store::User {
            login: "j.martin".into(),
            display_name: "Julien Martin".into(),
            role: jumeau_core::Role::Operator,
            active: true,
        };
        Session::new(jumeau_core::seed::plant(), user, None)
    }

    pub fn component(&self, code: &str) -> Option<&Component> {
        self.index.get(code).map(|&i| &self.md.components[i])
    }

    /// A component by code or operator alias, case-insensitive.
    pub fn resolve(&self, id: &str) -> Option<&Component> {
        self.md
            .components
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(id) || c.alias.eq_ignore_ascii_case(id))
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
