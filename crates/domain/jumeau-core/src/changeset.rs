//! Master-data change-sets: the only way master data changes. A change-set is proposed, then
//! validated (applied) or rejected by an engineer; its content is a list of upserts and removals.

use crate::Role;
use crate::masterdata::{
    AlarmRef, Circuit, Component, Document, IntegrityError, MasterData, Parameter, PlantUnit,
    ProcedureSource, Tag,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    UpsertUnit(PlantUnit),
    UpsertComponent(Component),
    UpsertCircuit(Circuit),
    UpsertParameter(Parameter),
    UpsertAlarm(AlarmRef),
    UpsertTag(Tag),
    UpsertDocument(Document),
    UpsertProcedure(ProcedureSource),
    /// Removes one record: `entity` is unit, component, circuit, parameter (`CODE.name`), alarm, tag,
    /// document or procedure.
    Remove {
        entity: String,
        key: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeSetContent {
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeSetStatus {
    Proposed,
    Validated,
    Rejected,
}

impl ChangeSetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeSetStatus::Proposed => "proposed",
            ChangeSetStatus::Validated => "validated",
            ChangeSetStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Proposed, Self::Validated, Self::Rejected]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Why a user may not decide on a change-set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionRefused {
    #[error("role {0} may not validate or reject master-data change-sets (engineer only)")]
    Role(Role),
    #[error("four-eyes rule: {0} proposed this change-set and may not decide on it")]
    OwnChange(String),
    #[error("change-set is already {0}")]
    AlreadyDecided(&'static str),
}

/// Four-eyes rule: an engineer other than the proposer decides on a proposed change-set.
pub fn check_decision(
    status: ChangeSetStatus,
    proposer: &str,
    decider: &str,
    decider_role: Role,
) -> Result<(), DecisionRefused> {
    if status != ChangeSetStatus::Proposed {
        return Err(DecisionRefused::AlreadyDecided(status.as_str()));
    }
    if !decider_role.can_validate_changes() {
        return Err(DecisionRefused::Role(decider_role));
    }
    if proposer == decider {
        return Err(DecisionRefused::OwnChange(decider.to_owned()));
    }
    Ok(())
}

impl ChangeSetContent {
    /// A change-set that creates every record of `md`.
    pub fn from_master_data(md: &MasterData) -> Self {
        let changes = md
            .units
            .iter()
            .cloned()
            .map(Change::UpsertUnit)
            .chain(md.components.iter().cloned().map(Change::UpsertComponent))
            .chain(md.parameters.iter().cloned().map(Change::UpsertParameter))
            .chain(md.alarms.iter().cloned().map(Change::UpsertAlarm))
            .chain(md.tags.iter().cloned().map(Change::UpsertTag))
            .chain(md.circuits.iter().cloned().map(Change::UpsertCircuit))
            .chain(md.documents.iter().cloned().map(Change::UpsertDocument))
            .chain(md.procedures.iter().cloned().map(Change::UpsertProcedure))
            .collect();
        Self { changes }
    }

    /// The master data that results from applying this change-set to `base`, checked for
    /// integrity as a whole: a change-set never leaves the plant description inconsistent.
    pub fn apply(&self, base: &MasterData) -> Result<MasterData, Vec<IntegrityError>> {
        let mut md = base.clone();
        for change in &self.changes {
            apply_one(&mut md, change).map_err(|e| vec![e])?;
        }
        let errors = md.check();
        if errors.is_empty() {
            Ok(md)
        } else {
            Err(errors)
        }
    }
}

fn upsert<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T) -> bool) {
    match list.iter_mut().find(|x| same(x)) {
        Some(slot) => *slot = item,
        None => list.push(item),
    }
}

fn apply_one(md: &mut MasterData, change: &Change) -> Result<(), IntegrityError> {
    match change {
        Change::UpsertUnit(u) => upsert(&mut md.units, u.clone(), |x| x.code == u.code),
        Change::UpsertComponent(c) => upsert(&mut md.components, c.clone(), |x| x.code == c.code),
        Change::UpsertCircuit(c) => upsert(&mut md.circuits, c.clone(), |x| x.code == c.code),
        Change::UpsertParameter(p) => upsert(&mut md.parameters, p.clone(), |x| {
            x.component == p.component && x.name == p.name
        }),
        Change::UpsertAlarm(a) => upsert(&mut md.alarms, a.clone(), |x| x.code == a.code),
        Change::UpsertTag(t) => upsert(&mut md.tags, t.clone(), |x| x.name == t.name),
        Change::UpsertDocument(d) => upsert(&mut md.documents, d.clone(), |x| x.id == d.id),
        Change::UpsertProcedure(p) => upsert(&mut md.procedures, p.clone(), |x| x.name == p.name),
        Change::Remove { entity, key } => remove(md, entity, key)?,
    }
    Ok(())
}

fn remove(md: &mut MasterData, entity: &str, key: &str) -> Result<(), IntegrityError> {
    let before = count(md);
    match entity {
        "unit" => md.units.retain(|x| x.code != key),
        "component" => md.components.retain(|x| x.code != key),
        "circuit" => md.circuits.retain(|x| x.code != key),
        "parameter" => md
            .parameters
            .retain(|x| format!("{}.{}", x.component, x.name) != key),
        "alarm" => md.alarms.retain(|x| x.code != key),
        "tag" => md.tags.retain(|x| x.name != key),
        "document" => md.documents.retain(|x| x.id != key),
        "procedure" => md.procedures.retain(|x| x.name != key),
        _ => {
            return Err(IntegrityError::Invalid {
                what: "change",
                key: key.to_owned(),
                problem: format!("unknown entity `{entity}`"),
            });
        }
    }
    if count(md) == before {
        return Err(IntegrityError::Invalid {
            what: "change",
            key: key.to_owned(),
            problem: format!("no {entity} `{key}` to remove"),
        });
    }
    Ok(())
}

fn count(md: &MasterData) -> usize {
    md.units.len()
        + md.components.len()
        + md.circuits.len()
        + md.parameters.len()
        + md.alarms.len()
        + md.tags.len()
        + md.documents.len()
        + md.procedures.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plant;

    #[test]
    fn four_eyes_rule() {
        use ChangeSetStatus::*;
        assert!(check_decision(Proposed, "a", "b", Role::Engineer).is_ok());
        assert_eq!(
            check_decision(Proposed, "a", "b", Role::Operator),
            Err(DecisionRefused::Role(Role::Operator))
        );
        assert_eq!(
            check_decision(Proposed, "a", "a", Role::Engineer),
            Err(DecisionRefused::OwnChange("a".into()))
        );
        assert!(check_decision(Validated, "a", "b", Role::Engineer).is_err());
    }

    #[test]
    fn seed_round_trips_through_a_change_set() {
        let md = plant::embedded().md;
        let cs = ChangeSetContent::from_master_data(&md);
        let json = serde_json::to_string(&cs).unwrap();
        let back: ChangeSetContent = serde_json::from_str(&json).unwrap();
        assert_eq!(back.apply(&MasterData::default()).unwrap(), md);
    }

    #[test]
    fn removing_a_component_still_used_is_refused() {
        let md = plant::embedded().md;
        let cs = ChangeSetContent {
            changes: vec![Change::Remove {
                entity: "component".into(),
                key: "11MBD11".into(),
            }],
        };
        let errors = cs.apply(&md).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, IntegrityError::UnknownComponent { component, .. } if component == "11MBD11")),
            "{errors:?}"
        );
    }

    #[test]
    fn removing_a_missing_record_is_an_error() {
        let cs = ChangeSetContent {
            changes: vec![Change::Remove {
                entity: "tag".into(),
                key: "99XXX99".into(),
            }],
        };
        assert!(cs.apply(&MasterData::default()).is_err());
    }
}
