//! Master-data change-sets: the only way master data changes. A change-set is proposed, then
//! validated (applied) or rejected by an engineer; its content is a list of upserts and removals.

use crate::Role;
use crate::access::Action;
use crate::masterdata::{
    AlarmRef, Circuit, Component, Document, IntegrityError, MasterData, Parameter, PlantUnit,
    ProcedureSource, Tag,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
    if !decider_role.may(Action::DecideChange) {
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
        let mut index = Index::default();
        for change in &self.changes {
            apply_one(&mut md, &mut index, change).map_err(|e| vec![e])?;
        }
        let errors = md.check();
        if errors.is_empty() {
            Ok(md)
        } else {
            Err(errors)
        }
    }
}

/// Position of each record by key, per entity, built the first time an entity is touched: a
/// change-set of n upserts applies in O(n), not O(n²). A removal drops the entity's index.
#[derive(Default)]
struct Index {
    by_entity: HashMap<&'static str, HashMap<String, usize>>,
}

impl Index {
    fn upsert<T>(
        &mut self,
        entity: &'static str,
        list: &mut Vec<T>,
        item: T,
        key: impl Fn(&T) -> String,
    ) {
        let positions = self
            .by_entity
            .entry(entity)
            .or_insert_with(|| list.iter().enumerate().map(|(i, x)| (key(x), i)).collect());
        match positions.get(&key(&item)) {
            Some(&i) => list[i] = item,
            None => {
                positions.insert(key(&item), list.len());
                list.push(item);
            }
        }
    }
}

fn apply_one(
    md: &mut MasterData,
    index: &mut Index,
    change: &Change,
) -> Result<(), IntegrityError> {
    match change {
        Change::UpsertUnit(u) => index.upsert("unit", &mut md.units, u.clone(), |x| x.code.clone()),
        Change::UpsertComponent(c) => {
            index.upsert("component", &mut md.components, c.clone(), |x| {
                x.code.clone()
            })
        }
        Change::UpsertCircuit(c) => {
            index.upsert("circuit", &mut md.circuits, c.clone(), |x| x.code.clone())
        }
        Change::UpsertParameter(p) => {
            index.upsert("parameter", &mut md.parameters, p.clone(), |x| {
                format!("{}.{}", x.component, x.name)
            })
        }
        Change::UpsertAlarm(a) => {
            index.upsert("alarm", &mut md.alarms, a.clone(), |x| x.code.clone())
        }
        Change::UpsertTag(t) => index.upsert("tag", &mut md.tags, t.clone(), |x| x.name.clone()),
        Change::UpsertDocument(d) => {
            index.upsert("document", &mut md.documents, d.clone(), |x| x.id.clone())
        }
        Change::UpsertProcedure(p) => {
            index.upsert("procedure", &mut md.procedures, p.clone(), |x| {
                x.name.clone()
            })
        }
        Change::Remove { entity, key } => {
            remove(md, entity, key)?;
            index.by_entity.clear();
        }
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

#[cfg(test)]
mod scale_tests {
    use super::*;
    use crate::plant;

    /// 50,000 new pumps under TG1's unit in one change-set (a quadratic apply took minutes for
    /// 200,000): all applied, and an upsert of an existing code replaces it in place.
    #[test]
    fn a_large_change_set_applies_each_upsert_once() {
        let md = plant::embedded().md;
        let template = md.component("11LAC10AP001").unwrap().clone();
        let letters = "ABCDEFGHJKLMNPQRSTUVWXYZ".as_bytes();
        let mut changes = Vec::new();
        'all: for a in letters {
            for b in letters {
                for n in 0..100 {
                    if changes.len() == 50_000 {
                        break 'all;
                    }
                    let code = format!("13L{}{}10AP{n:03}", *a as char, *b as char);
                    changes.push(Change::UpsertComponent(Component {
                        code: code.clone(),
                        alias: format!("P-{}", changes.len()),
                        ..template.clone()
                    }));
                }
            }
        }
        let mut renamed = md.component("11MBA00").unwrap().clone();
        renamed.name_en = "Gas turbine No. 1".into();
        changes.push(Change::UpsertComponent(renamed));
        let started = std::time::Instant::now();
        let applied = ChangeSetContent { changes }.apply(&md).unwrap();
        eprintln!(
            "50,001 upserts applied and checked in {:?}",
            started.elapsed()
        );
        assert_eq!(applied.components.len(), md.components.len() + 50_000);
        assert_eq!(
            applied.component("11MBA00").unwrap().name_en,
            "Gas turbine No. 1"
        );
    }

    #[test]
    fn a_huge_text_is_refused() {
        let md = plant::embedded().md;
        let mut tg1 = md.component("11MBA00").unwrap().clone();
        tg1.description = "x".repeat(crate::masterdata::MAX_TEXT_BYTES + 1);
        let errors = ChangeSetContent {
            changes: vec![Change::UpsertComponent(tg1)],
        }
        .apply(&md)
        .unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.to_string().contains("at most 16384")),
            "{errors:?}"
        );
    }
}
