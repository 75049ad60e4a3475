//! First-start seeding: the accounts of the plant files, then their master data as an ordinary
//! change-set proposed by one engineer and validated by another.

use crate::users::INSTALLER;
use crate::{Store, StoreError};
use jumeau_core::{Change, ChangeSetContent, plant};

pub const SEED_TITLE: &str = "Données de référence initiales du bloc 2×1 (mise en service)";
/// For a store seeded before the plant's units were master data.
pub const UNITS_TITLE: &str = "Unités de la centrale (données de référence)";
const SEED_NOTE: &str = "Relu contre les fiches constructeur et PLANT-REFERENCE";

impl Store {
    /// Idempotent: creates what is missing, never touches what is there.
    pub fn ensure_seeded(&mut self) -> Result<(), StoreError> {
        let plant = plant::embedded();
        for a in &plant.accounts.accounts {
            if matches!(self.user(&a.login), Err(StoreError::UnknownUser(_))) {
                self.create_user(INSTALLER, &a.login, &a.name, a.role)?;
            }
        }
        let has_seed = self.changesets()?.iter().any(|c| c.title == SEED_TITLE);
        let content = if !has_seed {
            Some((SEED_TITLE, ChangeSetContent::from_master_data(&plant.md)))
        } else if self.master_data()?.units.is_empty() {
            let changes = plant.md.units.into_iter().map(Change::UpsertUnit).collect();
            Some((UNITS_TITLE, ChangeSetContent { changes }))
        } else {
            None
        };
        if let Some((title, content)) = content {
            let id = self.propose_changeset(&plant.accounts.seed_proposer, title, &content)?;
            self.validate_changeset(&plant.accounts.seed_validator, id, Some(SEED_NOTE))?;
        }
        Ok(())
    }
}
