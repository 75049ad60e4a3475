//! First-start seeding: the accounts of the plant files, then their master data as an ordinary
//! change-set proposed by one engineer and validated by another. A store seeded by an older
//! Jumeau gets what the files define and it lacks through one more such change-set.

use crate::users::INSTALLER;
use crate::{Store, StoreError};
use jumeau_core::{Change, ChangeSetContent, ChangeSetStatus, MasterData, plant};

pub const SEED_TITLE: &str = "Données de référence initiales du bloc 2×1 (mise en service)";
/// Units, instrument ranges and state texts for a store seeded before they were master data.
pub const SUPPLEMENT_TITLE: &str =
    "Compléments des données de référence (unités, étendues de mesure, textes d'état)";
const SEED_NOTE: &str = "Relu contre les fiches constructeur et PLANT-REFERENCE";

impl Store {
    /// The seed change-set's status; None before seeding.
    pub fn seed_status(&self) -> Result<Option<ChangeSetStatus>, StoreError> {
        let changesets = self.changesets()?;
        Ok(changesets
            .iter()
            .find(|c| c.title == SEED_TITLE)
            .map(|c| c.status))
    }

    /// Idempotent: creates what is missing, never touches what is there. A seed change-set
    /// left proposed by a crash between its proposal and its validation is validated now. The
    /// plant files are parsed only when something is to be taken from them.
    pub(crate) fn ensure_seeded(&mut self) -> Result<(), StoreError> {
        let accounts = plant::embedded_accounts();
        for a in &accounts.accounts {
            if matches!(self.user(&a.login), Err(StoreError::UnknownUser(_))) {
                self.insert_user(INSTALLER, &a.login, &a.name, a.role)?;
            }
        }
        // Every active account can log in: the seed's, and those of a store from before
        // logins, each with a one-time password shown once.
        for user in self.users()? {
            if user.active {
                self.ensure_credentials(&user.login)?;
            }
        }
        let changesets = self.changesets()?;
        // A supplement a crash left proposed holds the tags as they were then: rejected, and
        // a fresh one proposed from what the store holds now.
        for stale in changesets
            .iter()
            .filter(|c| c.title == SUPPLEMENT_TITLE && c.status == ChangeSetStatus::Proposed)
        {
            let note = "Remplacé : proposition interrompue, refaite à partir de l'état actuel";
            let validator = self.user(&accounts.seed_validator)?;
            self.apply_rejection(&validator, None, stale.id, note)?;
        }
        let seed = changesets.into_iter().find(|c| c.title == SEED_TITLE);
        let (title, content) = match seed {
            Some(c) if c.status == ChangeSetStatus::Proposed => {
                let note = "Validation reprise après une interruption de la mise en service";
                // Four eyes: whichever of the two seed engineers did not propose it.
                let validator = if c.proposed_by == accounts.seed_validator {
                    &accounts.seed_proposer
                } else {
                    &accounts.seed_validator
                };
                let validator = self.user(validator)?;
                self.apply_validation(&validator, None, c.id, Some(note))?;
                return Ok(());
            }
            Some(_) if !self.lacks_supplement()? => return Ok(()),
            Some(_) => {
                let stored = self.master_data()?;
                let content = ChangeSetContent {
                    changes: supplement(&stored, &plant::embedded().md),
                };
                // Only a supplement that leaves the whole consistent (a tag of the store's own
                // still without a range must get one through an engineer's change-set).
                if content.changes.is_empty() || content.apply(&stored).is_err() {
                    return Ok(());
                }
                (SUPPLEMENT_TITLE, content)
            }
            None => (
                SEED_TITLE,
                ChangeSetContent::from_master_data(&plant::embedded().md),
            ),
        };
        let id = self.insert_proposal(&accounts.seed_proposer, title, &content, None)?;
        let validator = self.user(&accounts.seed_validator)?;
        self.apply_validation(&validator, None, id, Some(SEED_NOTE))?;
        Ok(())
    }

    /// Whether the store lacks what the supplement brings: units, or a tag's range and texts.
    fn lacks_supplement(&self) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM plant_units) \
             OR EXISTS (SELECT 1 FROM tags WHERE range_low IS NULL AND true_fr IS NULL)",
            [],
            |r| r.get(0),
        )?)
    }
}

/// What the plant files define and `stored` lacks: the units when it has none; the range and
/// state texts of each of its tags that has none, taken from the same tag of the files.
fn supplement(stored: &MasterData, files: &MasterData) -> Vec<Change> {
    let mut changes = Vec::new();
    if stored.units.is_empty() {
        changes.extend(files.units.iter().cloned().map(Change::UpsertUnit));
    }
    for tag in &stored.tags {
        let lacks = tag.range_low.is_none() && tag.true_fr.is_none();
        let Some(from) = files.tags.iter().find(|t| t.name == tag.name) else {
            continue;
        };
        if lacks && (from.range_low.is_some() || from.true_fr.is_some()) {
            changes.push(Change::UpsertTag(jumeau_core::Tag {
                range_low: from.range_low,
                range_high: from.range_high,
                true_fr: from.true_fr.clone(),
                false_fr: from.false_fr.clone(),
                true_en: from.true_en.clone(),
                false_en: from.false_en.clone(),
                ..tag.clone()
            }));
        }
    }
    changes
}
