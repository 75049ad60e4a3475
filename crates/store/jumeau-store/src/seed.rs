//! First-start seeding: the accounts, then the plant master data as an ordinary change-set
//! proposed by one engineer and validated by another.

use crate::users::INSTALLER;
use crate::{Store, StoreError};
use jumeau_core::ChangeSetContent;
use jumeau_core::seed;

pub const SEED_TITLE: &str = "Données de référence initiales du bloc 2×1 (mise en service)";

impl Store {
    /// Idempotent: creates what is missing, never touches what is there.
    pub fn ensure_seeded(&mut self) -> Result<(), StoreError> {
        for (login, name, role) in seed::ACCOUNTS {
            if matches!(self.user(login), Err(StoreError::UnknownUser(_))) {
                self.create_user(INSTALLER, login, name, role)?;
            }
        }
        let has_seed = self.changesets()?.iter().any(|c| c.title == SEED_TITLE);
        if !has_seed {
            let content = ChangeSetContent::from_master_data(&seed::plant());
            let id = self.propose_changeset(seed::SEED_PROPOSER, SEED_TITLE, &content)?;
            self.validate_changeset(
                seed::SEED_VALIDATOR,
                id,
                Some("Relu contre les fiches constructeur et PLANT-REFERENCE"),
            )?;
        }
        Ok(())
    }
}
