//! Master-data tables: loading them as one [`MasterData`] and writing one change.

use crate::{Store, StoreError};
use jumeau_core::changeset::Change;
use jumeau_core::{
    AlarmRef, Circuit, Component, Document, Limits, MasterData, Parameter, PlantUnit, Priority,
    ProcedureSource, Quantity, Tag,
};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// Everything the client and the CLI show about one component; parameters, tags, alarms and
/// documents cover the component and its descendants (each names its own component).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentDetail {
    pub component: Component,
    pub parameters: Vec<Parameter>,
    pub tags: Vec<Tag>,
    pub alarms: Vec<AlarmRef>,
    pub documents: Vec<Document>,
    /// Circuits the component itself belongs to.
    pub circuits: Vec<String>,
    /// Direct children's codes.
    pub children: Vec<String>,
    /// The change-set that last wrote this component's record.
    pub changeset: crate::ChangeSetRow,
}

impl Store {
    pub fn master_data(&self) -> Result<MasterData, StoreError> {
        load(&self.conn)
    }

    /// Components of one unit (or all), in code order.
    pub fn components(&self, unit: Option<&str>) -> Result<Vec<Component>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "{COMPONENT_SELECT} WHERE ?1 IS NULL OR unit = ?1 COLLATE NOCASE ORDER BY code"
        ))?;
        let rows = stmt.query_map([unit], component)?;
        rows.map(|r| r?).collect()
    }

    /// Resolves a component by code or alias (case-insensitive).
    pub fn resolve_component(&self, id: &str) -> Result<String, StoreError> {
        self.conn
            .query_row(
                "SELECT code FROM components WHERE code = ?1 COLLATE NOCASE \
                 OR alias = ?1 COLLATE NOCASE",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "component",
                key: id.to_owned(),
            })
    }

    /// The code of a component (by code or alias) followed by the codes of everything below it.
    pub fn component_family(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let code = self.resolve_component(id)?;
        let mut stmt = self.conn.prepare(
            "WITH RECURSIVE family(code) AS (SELECT ?1 \
               UNION SELECT c.code FROM components c JOIN family f ON c.parent = f.code) \
             SELECT code FROM family",
        )?;
        let codes = stmt
            .query_map([&code], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(codes)
    }

    /// A component with the parameters, tags, alarms and documents of itself and of everything
    /// below it (a unit such as CR1 shows all its measuring points).
    pub fn component_detail(&self, id: &str) -> Result<ComponentDetail, StoreError> {
        let family = self.component_family(id)?;
        let code = family[0].clone();
        let md = self.master_data()?;
        let component = md.component(&code).cloned().expect("resolved above");
        let in_family = |c: &String| family.contains(c);
        let changeset_id: i64 = self.conn.query_row(
            "SELECT changeset_id FROM components WHERE code = ?1",
            [&code],
            |r| r.get(0),
        )?;
        Ok(ComponentDetail {
            parameters: md
                .parameters
                .iter()
                .filter(|p| in_family(&p.component))
                .cloned()
                .collect(),
            tags: md
                .tags
                .iter()
                .filter(|t| in_family(&t.component))
                .cloned()
                .collect(),
            alarms: md
                .alarms
                .iter()
                .filter(|a| in_family(&a.component))
                .cloned()
                .collect(),
            documents: md
                .documents
                .iter()
                .filter(|d| d.components.iter().any(in_family))
                .cloned()
                .collect(),
            circuits: md
                .circuits
                .iter()
                .filter(|c| c.members.contains(&code))
                .map(|c| c.code.clone())
                .collect(),
            children: family[1..]
                .iter()
                .filter(|c| {
                    md.component(c)
                        .is_some_and(|c| c.parent.as_deref() == Some(&code))
                })
                .cloned()
                .collect(),
            changeset: self.changeset(changeset_id)?,
            component,
        })
    }
}

const COMPONENT_SELECT: &str = "SELECT code, alias, kind, unit, parent, name_fr, name_en, \
     description, manufacturer, model, rated FROM components";

fn component(r: &Row<'_>) -> rusqlite::Result<Result<Component, StoreError>> {
    let rated: String = r.get(10)?;
    let c = Component {
        code: r.get(0)?,
        alias: r.get(1)?,
        kind: r.get(2)?,
        unit: r.get(3)?,
        parent: r.get(4)?,
        name_fr: r.get(5)?,
        name_en: r.get(6)?,
        description: r.get(7)?,
        manufacturer: r.get(8)?,
        model: r.get(9)?,
        rated: Vec::new(),
    };
    Ok(serde_json::from_str(&rated)
        .map(|rated| Component { rated, ..c })
        .map_err(StoreError::from))
}

fn quantity(s: String) -> Result<Quantity, StoreError> {
    s.parse().map_err(|e| StoreError::Invalid(format!("{e}")))
}

pub(crate) fn priority(s: &str) -> Result<Priority, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(StoreError::from)
}

/// Loads all master data, in key order.
pub(crate) fn load(conn: &Connection) -> Result<MasterData, StoreError> {
    let mut md = MasterData::default();
    let mut stmt = conn.prepare(
        "SELECT code, name_fr, name_en, kind, position, key_tags FROM plant_units \
         ORDER BY position, code",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        md.units.push(PlantUnit {
            code: r.get(0)?,
            name_fr: r.get(1)?,
            name_en: r.get(2)?,
            kind: r.get(3)?,
            position: r.get(4)?,
            key_tags: serde_json::from_str(&r.get::<_, String>(5)?)?,
        });
    }
    let mut stmt = conn.prepare(&format!("{COMPONENT_SELECT} ORDER BY code"))?;
    md.components = stmt
        .query_map([], component)?
        .map(|r| r?)
        .collect::<Result<_, _>>()?;

    let mut stmt = conn.prepare(
        "SELECT component, name, label_fr, label_en, quantity, unit, trip_low, ll, l, normal_low, \
         normal_high, h, hh, trip_high, startup_value, note FROM parameters ORDER BY component, name",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        md.parameters.push(Parameter {
            component: r.get(0)?,
            name: r.get(1)?,
            label_fr: r.get(2)?,
            label_en: r.get(3)?,
            quantity: quantity(r.get(4)?)?,
            unit: r.get(5)?,
            limits: Limits {
                trip_low: r.get(6)?,
                ll: r.get(7)?,
                l: r.get(8)?,
                normal_low: r.get(9)?,
                normal_high: r.get(10)?,
                h: r.get(11)?,
                hh: r.get(12)?,
                trip_high: r.get(13)?,
            },
            startup_value: r.get(14)?,
            note: r.get(15)?,
        });
    }

    let mut stmt = conn.prepare(
        "SELECT code, component, parameter, limit_name, priority, cause, consequence, action, \
         rule FROM alarm_refs ORDER BY code",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        md.alarms.push(AlarmRef {
            code: r.get(0)?,
            component: r.get(1)?,
            parameter: r.get(2)?,
            limit: r.get(3)?,
            priority: priority(&r.get::<_, String>(4)?)?,
            cause: r.get(5)?,
            consequence: r.get(6)?,
            action: r.get(7)?,
            rule: r
                .get::<_, Option<String>>(8)?
                .map(|json| serde_json::from_str(&json))
                .transpose()?,
        });
    }

    let mut stmt = conn.prepare(
        "SELECT name, component, signal, quantity, unit, description, opcua_node, mqtt_topic, \
         description_en, range_low, range_high, true_fr, false_fr, true_en, false_en \
         FROM tags ORDER BY name",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        md.tags.push(Tag {
            name: r.get(0)?,
            component: r.get(1)?,
            signal: r.get(2)?,
            quantity: quantity(r.get(3)?)?,
            unit: r.get(4)?,
            description: r.get(5)?,
            opcua_node: r.get(6)?,
            mqtt_topic: r.get(7)?,
            description_en: r.get(8)?,
            range_low: r.get(9)?,
            range_high: r.get(10)?,
            true_fr: r.get(11)?,
            false_fr: r.get(12)?,
            true_en: r.get(13)?,
            false_en: r.get(14)?,
        });
    }

    let mut stmt = conn.prepare(
        "SELECT c.code, c.medium, c.name_fr, c.name_en, \
         coalesce((SELECT json_group_array(component) FROM \
                   (SELECT component FROM circuit_members m WHERE m.circuit = c.code ORDER BY seq)), '[]') \
         FROM circuits c ORDER BY c.code",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        md.circuits.push(Circuit {
            code: r.get(0)?,
            medium: r.get(1)?,
            name_fr: r.get(2)?,
            name_en: r.get(3)?,
            members: serde_json::from_str(&r.get::<_, String>(4)?)?,
        });
    }

    let mut stmt = conn.prepare(
        "SELECT d.id, d.title, d.kind, d.location, \
         coalesce((SELECT json_group_array(component) FROM \
                   (SELECT component FROM document_links l WHERE l.document = d.id ORDER BY component)), '[]') \
         FROM documents d ORDER BY d.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        md.documents.push(Document {
            id: r.get(0)?,
            title: r.get(1)?,
            kind: r.get(2)?,
            location: r.get(3)?,
            components: serde_json::from_str(&r.get::<_, String>(4)?)?,
        });
    }
    let mut stmt = conn.prepare("SELECT name, source FROM procedures ORDER BY name")?;
    md.procedures = stmt
        .query_map([], |r| {
            Ok(ProcedureSource {
                name: r.get(0)?,
                source: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(md)
}

/// Writes one change of a validated change-set.
pub(crate) fn write_change(conn: &Connection, change: &Change, cs: i64) -> Result<(), StoreError> {
    match change {
        Change::UpsertUnit(u) => {
            conn.execute(
                "INSERT OR REPLACE INTO plant_units (code, name_fr, name_en, kind, position, \
                 key_tags, changeset_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    u.code,
                    u.name_fr,
                    u.name_en,
                    u.kind,
                    u.position,
                    serde_json::to_string(&u.key_tags)?,
                    cs
                ],
            )?;
        }
        Change::UpsertComponent(c) => {
            conn.execute(
                "INSERT OR REPLACE INTO components (code, alias, kind, unit, parent, name_fr, name_en, \
                 description, manufacturer, model, rated, changeset_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    c.code, c.alias, c.kind, c.unit, c.parent, c.name_fr, c.name_en, c.description,
                    c.manufacturer, c.model, serde_json::to_string(&c.rated)?, cs
                ],
            )?;
        }
        Change::UpsertParameter(p) => {
            let l = &p.limits;
            conn.execute(
                "INSERT OR REPLACE INTO parameters (component, name, label_fr, label_en, quantity, unit, \
                 trip_low, ll, l, normal_low, normal_high, h, hh, trip_high, startup_value, note, changeset_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                params![
                    p.component, p.name, p.label_fr, p.label_en, p.quantity.as_str(), p.unit,
                    l.trip_low, l.ll, l.l, l.normal_low, l.normal_high, l.h, l.hh, l.trip_high,
                    p.startup_value, p.note, cs
                ],
            )?;
        }
        Change::UpsertAlarm(a) => {
            let rule_json = a
                .rule
                .as_ref()
                .map(|r| serde_json::to_string(r).expect("a rule always serialises"));
            conn.execute(
                "INSERT OR REPLACE INTO alarm_refs (code, component, parameter, limit_name, priority, \
                 cause, consequence, action, changeset_id, rule) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    a.code, a.component, a.parameter, a.limit, a.priority.as_str(), a.cause,
                    a.consequence, a.action, cs, rule_json
                ],
            )?;
        }
        Change::UpsertTag(t) => {
            conn.execute(
                "INSERT OR REPLACE INTO tags (name, component, signal, quantity, unit, description, \
                 opcua_node, mqtt_topic, changeset_id, description_en, range_low, range_high, \
                 true_fr, false_fr, true_en, false_en) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                params![
                    t.name, t.component, t.signal, t.quantity.as_str(), t.unit, t.description,
                    t.opcua_node, t.mqtt_topic, cs, t.description_en, t.range_low, t.range_high,
                    t.true_fr, t.false_fr, t.true_en, t.false_en
                ],
            )?;
        }
        Change::UpsertCircuit(c) => {
            conn.execute(
                "INSERT OR REPLACE INTO circuits (code, medium, name_fr, name_en, changeset_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![c.code, c.medium, c.name_fr, c.name_en, cs],
            )?;
            conn.execute("DELETE FROM circuit_members WHERE circuit = ?1", [&c.code])?;
            for (seq, m) in c.members.iter().enumerate() {
                conn.execute(
                    "INSERT INTO circuit_members (circuit, component, seq) VALUES (?1, ?2, ?3)",
                    params![c.code, m, seq as i64],
                )?;
            }
        }
        Change::UpsertDocument(d) => {
            conn.execute(
                "INSERT OR REPLACE INTO documents (id, title, kind, location, changeset_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![d.id, d.title, d.kind, d.location, cs],
            )?;
            conn.execute("DELETE FROM document_links WHERE document = ?1", [&d.id])?;
            for m in &d.components {
                conn.execute(
                    "INSERT INTO document_links (document, component) VALUES (?1, ?2)",
                    params![d.id, m],
                )?;
            }
        }
        Change::UpsertProcedure(p) => {
            conn.execute(
                "INSERT OR REPLACE INTO procedures (name, source, changeset_id) VALUES (?1, ?2, ?3)",
                params![p.name, p.source, cs],
            )?;
        }
        Change::Remove { entity, key } => {
            let (sql, key) = match entity.as_str() {
                "unit" => ("DELETE FROM plant_units WHERE code = ?1", key.clone()),
                "component" => ("DELETE FROM components WHERE code = ?1", key.clone()),
                "circuit" => ("DELETE FROM circuits WHERE code = ?1", key.clone()),
                "parameter" => (
                    "DELETE FROM parameters WHERE component || '.' || name = ?1",
                    key.clone(),
                ),
                "alarm" => ("DELETE FROM alarm_refs WHERE code = ?1", key.clone()),
                "tag" => ("DELETE FROM tags WHERE name = ?1", key.clone()),
                "document" => ("DELETE FROM documents WHERE id = ?1", key.clone()),
                "procedure" => ("DELETE FROM procedures WHERE name = ?1", key.clone()),
                other => return Err(StoreError::Invalid(format!("unknown entity {other}"))),
            };
            conn.execute(sql, [key])?;
        }
    }
    Ok(())
}
