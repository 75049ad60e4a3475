//! Master-data types (static, relational description of the plant) and their integrity rules.

pub mod rule;

use crate::{Locale, Quantity, kks};
use rule::AlarmRule;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// One rated (nameplate) value of a component, e.g. "Puissance ISO" = 165 MW.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rated {
    pub name: String,
    pub value: f64,
    pub unit: String,
}

/// A unit of the plant (a train's gas turbine, its HRSG, the steam turbine, the common plant):
/// components belong to one, the viewer groups and labels by it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlantUnit {
    /// Short code components refer to (TG1, CR2, BOP…).
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    /// gas_turbine, hrsg, steam_turbine or common.
    pub kind: String,
    /// Display position among the units (lists, address space).
    pub position: u32,
    /// Tags whose values the unit's label shows, in order.
    #[serde(default)]
    pub key_tags: Vec<String>,
}

impl PlantUnit {
    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_fr, &self.name_en)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// KKS-style code, the key everywhere.
    pub code: String,
    /// Operator alias (TG1, CR2-BHP…), unique.
    pub alias: String,
    /// Kind of equipment (gas_turbine, pump, drum…), drives geometry and rules.
    pub kind: String,
    /// Unit/train the component belongs to: TG1, TG2, CR1, CR2, TV or COMMUN.
    pub unit: String,
    pub parent: Option<String>,
    pub name_fr: String,
    pub name_en: String,
    pub description: String,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    #[serde(default)]
    pub rated: Vec<Rated>,
}

impl Component {
    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_fr, &self.name_en)
    }
}

impl Circuit {
    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_fr, &self.name_en)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Circuit {
    pub code: String,
    /// fuel_gas, air_flue_gas, hp_steam, ip_steam, lp_steam, feedwater, condensate,
    /// cooling_water, lube_oil.
    pub medium: String,
    pub name_fr: String,
    pub name_en: String,
    /// Member component codes in flow order.
    pub members: Vec<String>,
}

/// Alarm and trip limits of a parameter; any may be absent. Ordered
/// `trip_low < LL < L < normal ≤ normal < H < HH < trip_high`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub trip_low: Option<f64>,
    pub ll: Option<f64>,
    pub l: Option<f64>,
    pub normal_low: Option<f64>,
    pub normal_high: Option<f64>,
    pub h: Option<f64>,
    pub hh: Option<f64>,
    pub trip_high: Option<f64>,
}

impl Limits {
    /// Limits with only a normal operating range.
    pub fn normal(low: f64, high: f64) -> Self {
        Limits {
            normal_low: Some(low),
            normal_high: Some(high),
            ..Limits::default()
        }
    }
    pub fn with_ll(mut self, v: f64) -> Self {
        self.ll = Some(v);
        self
    }
    pub fn with_l(mut self, v: f64) -> Self {
        self.l = Some(v);
        self
    }
    pub fn with_h(mut self, v: f64) -> Self {
        self.h = Some(v);
        self
    }
    pub fn with_hh(mut self, v: f64) -> Self {
        self.hh = Some(v);
        self
    }
    pub fn with_trip_low(mut self, v: f64) -> Self {
        self.trip_low = Some(v);
        self
    }
    pub fn with_trip_high(mut self, v: f64) -> Self {
        self.trip_high = Some(v);
        self
    }

    /// The limits in their required order, with their names.
    pub fn ordered(&self) -> [(&'static str, Option<f64>); 8] {
        [
            ("trip_low", self.trip_low),
            ("LL", self.ll),
            ("L", self.l),
            ("normal_low", self.normal_low),
            ("normal_high", self.normal_high),
            ("H", self.h),
            ("HH", self.hh),
            ("trip_high", self.trip_high),
        ]
    }

    /// First pair of limits that is out of order, if any. The normal range may be one point.
    pub fn first_disorder(&self) -> Option<(&'static str, f64, &'static str, f64)> {
        let present: Vec<(&'static str, f64)> = self
            .ordered()
            .into_iter()
            .filter_map(|(n, v)| v.map(|v| (n, v)))
            .collect();
        present.windows(2).find_map(|w| {
            let ((a, va), (b, vb)) = (w[0], w[1]);
            let allow_equal = a == "normal_low" && b == "normal_high";
            let ok = if allow_equal { va <= vb } else { va < vb };
            (!ok).then_some((a, va, b, vb))
        })
    }
}

impl Parameter {
    pub fn label(&self, locale: Locale) -> &str {
        locale.pick(&self.label_fr, &self.label_en)
    }
}

/// A process parameter of a component with its unit, limits and start-up value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    pub component: String,
    /// Short signal key, shared with the tag that measures it (speed, vib_brg1…).
    pub name: String,
    pub label_fr: String,
    pub label_en: String,
    pub quantity: Quantity,
    pub unit: String,
    #[serde(default)]
    pub limits: Limits,
    /// Value expected at the end of start-up (e.g. 3000 rpm at full speed no load).
    pub startup_value: Option<f64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Critical,
    High,
    Medium,
    Low,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Critical => "critical",
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }
}

/// Alarm reference (alarm response manual entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmRef {
    pub code: String,
    pub component: String,
    pub parameter: Option<String>,
    /// Which limit raises it: LL, L, H, HH, trip_low, trip_high or a discrete condition.
    pub limit: String,
    pub priority: Priority,
    pub cause: String,
    pub consequence: String,
    pub action: String,
    /// The rule that raises it; none for a plain limit alarm, which then gets
    /// [`AlarmRule::limit`] from its parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<AlarmRule>,
}

/// A measured or computed signal, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    /// KKS measuring-point code, unique.
    pub name: String,
    pub component: String,
    /// Signal key within the component (matches a parameter name when limits exist).
    pub signal: String,
    pub quantity: Quantity,
    pub unit: String,
    /// The instrument's range (lower and upper range values) in the tag's unit: what clients
    /// scale bars and trends to (OPC UA EURange). Required for a measurement, absent for a state.
    #[serde(default)]
    pub range_low: Option<f64>,
    #[serde(default)]
    pub range_high: Option<f64>,
    /// French description (the plant's language).
    pub description: String,
    /// English description.
    #[serde(default)]
    pub description_en: String,
    pub opcua_node: Option<String>,
    pub mqtt_topic: Option<String>,
    /// What a binary state's two values mean ("En marche" / "À l'arrêt"; OPC UA TrueState and
    /// FalseState). Required in French for a state; English falls back to French.
    #[serde(default)]
    pub true_fr: Option<String>,
    #[serde(default)]
    pub false_fr: Option<String>,
    #[serde(default)]
    pub true_en: Option<String>,
    #[serde(default)]
    pub false_en: Option<String>,
}

impl Tag {
    /// A measurement needs its range (low < high), a state its two texts, neither the other's.
    fn shape_problem(&self) -> Option<String> {
        let texts = [&self.true_fr, &self.false_fr, &self.true_en, &self.false_en];
        if self.quantity == Quantity::State {
            if self.range_low.is_some() || self.range_high.is_some() {
                return Some("a state has no range".into());
            }
            if self.true_fr.is_none() || self.false_fr.is_none() {
                return Some("a state needs true_fr and false_fr (what 1 and 0 mean)".into());
            }
            return None;
        }
        if texts.iter().any(|t| t.is_some()) {
            return Some("a measurement has no true/false texts".into());
        }
        match (self.range_low, self.range_high) {
            (Some(lo), Some(hi)) if lo.is_finite() && hi.is_finite() && lo < hi => None,
            (Some(lo), Some(hi)) => Some(format!("range {lo} … {hi}: low must be below high")),
            _ => {
                Some("a measurement needs range_low and range_high (the instrument's range)".into())
            }
        }
    }

    /// The text of a binary state's value in `locale` (None for a measurement).
    pub fn state_text(&self, on: bool, locale: Locale) -> Option<&str> {
        let (fr, en) = if on {
            (&self.true_fr, &self.true_en)
        } else {
            (&self.false_fr, &self.false_en)
        };
        let fr = fr.as_deref()?;
        Some(locale.pick_or_fr(fr, en.as_deref().unwrap_or("")))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub id: String,
    pub title: String,
    /// manual, pid, datasheet, procedure, drawing, certificate.
    pub kind: String,
    /// Where the document lives (EDMS reference or path).
    pub location: String,
    pub components: Vec<String>,
}

/// A procedure as master data: its TOML text (docs/procedure-format.md), checked against the
/// rest of master data whenever a change-set is applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcedureSource {
    pub name: String,
    pub source: String,
}

/// The whole master data, as one consistent set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MasterData {
    /// The plant's units in display order.
    #[serde(default)]
    pub units: Vec<PlantUnit>,
    pub components: Vec<Component>,
    pub circuits: Vec<Circuit>,
    pub parameters: Vec<Parameter>,
    pub alarms: Vec<AlarmRef>,
    pub tags: Vec<Tag>,
    pub documents: Vec<Document>,
    #[serde(default)]
    pub procedures: Vec<ProcedureSource>,
}

/// Master data indexed for lookups (see [`MasterData::index`]).
pub struct MdIndex<'a> {
    tags: HashMap<&'a str, &'a Tag>,
    by_signal: HashMap<(&'a str, &'a str), &'a Tag>,
    params: HashMap<(&'a str, &'a str), &'a Parameter>,
}

impl<'a> MdIndex<'a> {
    pub fn tag(&self, name: &str) -> Option<&'a Tag> {
        self.tags.get(name).copied()
    }

    /// The parameter a tag measures (same component and signal), if it has one.
    pub fn parameter_of_tag(&self, tag: &str) -> Option<&'a Parameter> {
        let t = self.tag(tag)?;
        self.params
            .get(&(t.component.as_str(), t.signal.as_str()))
            .copied()
    }

    /// The value of limit `limit` (LL, L, H, HH, trip_low, trip_high) on the tag's parameter.
    pub fn limit_of_tag(&self, tag: &str, limit: &str) -> Option<f64> {
        let p = self.parameter_of_tag(tag)?;
        p.limits
            .ordered()
            .into_iter()
            .find(|(name, _)| *name == limit)
            .and_then(|(_, v)| v)
    }

    /// The rule of an alarm: its own, or the limit rule of its parameter's tag. None when
    /// neither exists (a reference kept for the response manual only).
    pub fn alarm_rule(&self, a: &AlarmRef) -> Option<AlarmRule> {
        if let Some(rule) = &a.rule {
            return Some(rule.clone());
        }
        let name = a.parameter.as_deref()?;
        let p = self.params.get(&(a.component.as_str(), name))?;
        let tag = self
            .by_signal
            .get(&(p.component.as_str(), p.name.as_str()))?;
        rule::limit_is_high(&a.limit)?;
        let span = match (p.limits.normal_low, p.limits.normal_high) {
            (Some(lo), Some(hi)) => hi - lo,
            _ => 0.0,
        };
        Some(AlarmRule::limit(&tag.name, &a.limit, p.quantity, span))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IntegrityError {
    #[error("invalid code: {0}")]
    Code(kks::KksError),
    #[error("duplicate {what} `{key}`")]
    Duplicate { what: &'static str, key: String },
    #[error("{what} `{key}` refers to unknown component `{component}`")]
    UnknownComponent {
        what: &'static str,
        key: String,
        component: String,
    },
    #[error("{what} `{key}`: unit `{unit}` is not a unit of {quantity}")]
    Unit {
        what: &'static str,
        key: String,
        unit: String,
        quantity: Quantity,
    },
    #[error("parameter {component}.{name}: {a} ({va}) must be below {b} ({vb})")]
    LimitOrder {
        component: String,
        name: String,
        a: &'static str,
        va: f64,
        b: &'static str,
        vb: f64,
    },
    #[error("alarm `{code}` refers to unknown parameter {component}.{parameter}")]
    UnknownParameter {
        code: String,
        component: String,
        parameter: String,
    },
    #[error("component `{0}` is its own ancestor")]
    ParentCycle(String),
    #[error("{what} `{key}`: {problem}")]
    Invalid {
        what: &'static str,
        key: String,
        problem: String,
    },
}

impl From<kks::KksError> for IntegrityError {
    fn from(e: kks::KksError) -> Self {
        IntegrityError::Code(e)
    }
}

impl MasterData {
    pub fn unit(&self, code: &str) -> Option<&PlantUnit> {
        self.units.iter().find(|u| u.code == code)
    }

    pub fn component(&self, code: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.code == code)
    }

    /// Lookups by tag name and by (component, parameter), for resolving many alarm rules.
    pub fn index(&self) -> MdIndex<'_> {
        MdIndex {
            tags: self.tags.iter().map(|t| (t.name.as_str(), t)).collect(),
            by_signal: self
                .tags
                .iter()
                .map(|t| ((t.component.as_str(), t.signal.as_str()), t))
                .collect(),
            params: self
                .parameters
                .iter()
                .map(|p| ((p.component.as_str(), p.name.as_str()), p))
                .collect(),
        }
    }

    /// The rule of one alarm (see [`MdIndex::alarm_rule`]).
    pub fn alarm_rule(&self, a: &AlarmRef) -> Option<AlarmRule> {
        self.index().alarm_rule(a)
    }

    /// Every integrity problem found (empty when the set is consistent).
    pub fn check(&self) -> Vec<IntegrityError> {
        let mut errors = Vec::new();
        let codes = self.check_components(&mut errors);
        self.check_units(&mut errors);
        self.check_parameters(&codes, &mut errors);
        self.check_tags(&codes, &mut errors);
        self.check_alarms(&codes, &mut errors);
        self.check_circuits_and_documents(&codes, &mut errors);
        self.check_procedures(&mut errors);
        self.check_texts(&mut errors);
        errors
    }

    /// Names and texts are shown on terminals and screens: no control character in them
    /// (line feeds and tabs only in descriptions and alarm responses).
    fn check_texts(&self, errors: &mut Vec<IntegrityError>) {
        let mut check = |what: &'static str, key: &str, multiline: bool, texts: &[&str]| {
            let bad = texts.iter().any(|t| {
                t.chars()
                    .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
            });
            if bad {
                errors.push(IntegrityError::Invalid {
                    what,
                    key: key.to_owned(),
                    problem: "a name or text holds a control character".into(),
                });
            }
            if let Some(t) = texts.iter().find(|t| t.len() > MAX_TEXT_BYTES) {
                errors.push(IntegrityError::Invalid {
                    what,
                    key: key.to_owned(),
                    problem: format!(
                        "a text of {} bytes (at most {MAX_TEXT_BYTES}: master data is read by \
                         every client at start)",
                        t.len()
                    ),
                });
            }
        };
        for u in &self.units {
            check("unit", &u.code, false, &[&u.name_fr, &u.name_en, &u.kind]);
        }
        for c in &self.components {
            let opt = |o: &Option<String>| o.clone().unwrap_or_default();
            let (maker, model) = (opt(&c.manufacturer), opt(&c.model));
            check(
                "component",
                &c.code,
                false,
                &[&c.name_fr, &c.name_en, &c.kind, &maker, &model],
            );
            check("component", &c.code, true, &[&c.description]);
            for r in &c.rated {
                check("component", &c.code, false, &[&r.name, &r.unit]);
            }
        }
        for p in &self.parameters {
            let key = format!("{}.{}", p.component, p.name);
            check(
                "parameter",
                &key,
                false,
                &[&p.label_fr, &p.label_en, &p.unit],
            );
        }
        for t in &self.tags {
            check(
                "tag",
                &t.name,
                false,
                &[&t.description, &t.description_en, &t.signal],
            );
        }
        for a in &self.alarms {
            check(
                "alarm",
                &a.code,
                true,
                &[&a.cause, &a.consequence, &a.action],
            );
        }
        for c in &self.circuits {
            check("circuit", &c.code, false, &[&c.name_fr, &c.name_en]);
        }
        for d in &self.documents {
            check("document", &d.id, false, &[&d.title, &d.location, &d.kind]);
        }
    }

    fn check_components<'a>(&'a self, errors: &mut Vec<IntegrityError>) -> HashSet<&'a str> {
        let mut codes = HashSet::new();
        let mut aliases = HashSet::new();
        for c in &self.components {
            if let Err(e) = kks::check_code(&c.code) {
                errors.push(e.into());
            }
            if !codes.insert(c.code.as_str()) {
                errors.push(dup("component", &c.code));
            }
            if !is_alias(&c.alias) {
                errors.push(IntegrityError::Invalid {
                    what: "component",
                    key: c.code.clone(),
                    problem: format!("alias `{}` must be A–Z, 0–9 and '-'", c.alias),
                });
            }
            if !aliases.insert(c.alias.as_str()) {
                errors.push(dup("alias", &c.alias));
            }
        }
        let parents: HashMap<&str, Option<&str>> = self
            .components
            .iter()
            .map(|c| (c.code.as_str(), c.parent.as_deref()))
            .collect();
        for c in &self.components {
            if let Some(p) = &c.parent
                && !codes.contains(p.as_str())
            {
                errors.push(unknown("component parent of", &c.code, p));
            }
            // Walk up: a chain longer than the number of components is a cycle.
            let mut cur = c.parent.as_deref();
            for _ in 0..=parents.len() {
                match cur {
                    Some(p) if p == c.code => {
                        errors.push(IntegrityError::ParentCycle(c.code.clone()));
                        break;
                    }
                    Some(p) => cur = parents.get(p).copied().flatten(),
                    None => break,
                }
            }
        }
        codes
    }

    fn check_units(&self, errors: &mut Vec<IntegrityError>) {
        let mut seen = HashSet::new();
        for u in &self.units {
            if !seen.insert(u.code.as_str()) {
                errors.push(dup("unit", &u.code));
            }
            if let Some(t) = u
                .key_tags
                .iter()
                .find(|t| !self.tags.iter().any(|x| &x.name == *t))
            {
                errors.push(IntegrityError::Invalid {
                    what: "unit",
                    key: u.code.clone(),
                    problem: format!("key tag `{t}` is not a tag"),
                });
            }
        }
        for c in &self.components {
            if !seen.contains(c.unit.as_str()) {
                errors.push(IntegrityError::Invalid {
                    what: "component",
                    key: c.code.clone(),
                    problem: format!("unit `{}` is not a unit of the plant", c.unit),
                });
            }
        }
    }

    fn check_parameters(&self, codes: &HashSet<&str>, errors: &mut Vec<IntegrityError>) {
        let mut keys = HashSet::new();
        for p in &self.parameters {
            let key = format!("{}.{}", p.component, p.name);
            if !codes.contains(p.component.as_str()) {
                errors.push(unknown("parameter", &key, &p.component));
            }
            if !keys.insert(key.clone()) {
                errors.push(dup("parameter", &key));
            }
            if !p.quantity.accepts(&p.unit) {
                errors.push(unit_error("parameter", &key, &p.unit, p.quantity));
            }
            if let Some((a, va, b, vb)) = p.limits.first_disorder() {
                errors.push(IntegrityError::LimitOrder {
                    component: p.component.clone(),
                    name: p.name.clone(),
                    a,
                    va,
                    b,
                    vb,
                });
            }
        }
    }

    fn check_tags(&self, codes: &HashSet<&str>, errors: &mut Vec<IntegrityError>) {
        let mut names = HashSet::new();
        let mut signals = HashSet::new();
        for t in &self.tags {
            if let Err(e) = kks::check_code(&t.name) {
                errors.push(e.into());
            }
            if !names.insert(t.name.as_str()) {
                errors.push(dup("tag", &t.name));
            }
            if !signals.insert((t.component.as_str(), t.signal.as_str())) {
                errors.push(dup("tag signal", &format!("{}.{}", t.component, t.signal)));
            }
            if !codes.contains(t.component.as_str()) {
                errors.push(unknown("tag", &t.name, &t.component));
            }
            if !t.quantity.accepts(&t.unit) {
                errors.push(unit_error("tag", &t.name, &t.unit, t.quantity));
            }
            if let Some(problem) = t.shape_problem() {
                errors.push(IntegrityError::Invalid {
                    what: "tag",
                    key: t.name.clone(),
                    problem,
                });
            }
            if t.opcua_node.is_none() && t.mqtt_topic.is_none() {
                errors.push(IntegrityError::Invalid {
                    what: "tag",
                    key: t.name.clone(),
                    problem: "has no source address (OPC UA node id or MQTT topic)".into(),
                });
            }
        }
        // A parameter's unit must be the unit of the tag that measures it.
        let by_signal: HashMap<(&str, &str), &Tag> = self
            .tags
            .iter()
            .map(|t| ((t.component.as_str(), t.signal.as_str()), t))
            .collect();
        for p in &self.parameters {
            if let Some(t) = by_signal.get(&(p.component.as_str(), p.name.as_str()))
                && (t.unit != p.unit || t.quantity != p.quantity)
            {
                errors.push(IntegrityError::Invalid {
                    what: "tag",
                    key: t.name.clone(),
                    problem: format!(
                        "unit {} ({}) differs from its parameter's {} ({})",
                        t.unit, t.quantity, p.unit, p.quantity
                    ),
                });
            }
        }
    }

    fn check_procedures(&self, errors: &mut Vec<IntegrityError>) {
        let mut seen = HashSet::new();
        for p in &self.procedures {
            if !seen.insert(p.name.as_str()) {
                errors.push(dup("procedure", &p.name));
            }
            match p.load(self) {
                Ok(c) if c.procedure.name != p.name => errors.push(IntegrityError::Invalid {
                    what: "procedure",
                    key: p.name.clone(),
                    problem: format!("its file is named `{}`", c.procedure.name),
                }),
                Ok(_) => {}
                Err(e) => errors.push(IntegrityError::Invalid {
                    what: "procedure",
                    key: p.name.clone(),
                    problem: e.to_string(),
                }),
            }
        }
    }

    fn check_alarms(&self, codes: &HashSet<&str>, errors: &mut Vec<IntegrityError>) {
        let params: HashSet<(&str, &str)> = self
            .parameters
            .iter()
            .map(|p| (p.component.as_str(), p.name.as_str()))
            .collect();
        let tags: HashSet<&str> = self.tags.iter().map(|t| t.name.as_str()).collect();
        let mut seen = HashSet::new();
        for a in &self.alarms {
            if !seen.insert(a.code.as_str()) {
                errors.push(dup("alarm", &a.code));
            }
            if !codes.contains(a.component.as_str()) {
                errors.push(unknown("alarm", &a.code, &a.component));
            }
            if let Some(p) = &a.parameter
                && !params.contains(&(a.component.as_str(), p.as_str()))
            {
                errors.push(IntegrityError::UnknownParameter {
                    code: a.code.clone(),
                    component: a.component.clone(),
                    parameter: p.clone(),
                });
            }
            if let Some(rule) = &a.rule {
                for tag in rule.tags() {
                    if !tags.contains(tag) {
                        errors.push(IntegrityError::Invalid {
                            what: "alarm",
                            key: a.code.clone(),
                            problem: format!("its rule reads unknown tag `{tag}`"),
                        });
                    }
                }
            }
        }
    }

    fn check_circuits_and_documents(
        &self,
        codes: &HashSet<&str>,
        errors: &mut Vec<IntegrityError>,
    ) {
        let mut seen = HashSet::new();
        for c in &self.circuits {
            if !seen.insert(c.code.as_str()) {
                errors.push(dup("circuit", &c.code));
            }
            for m in &c.members {
                if !codes.contains(m.as_str()) {
                    errors.push(unknown("circuit", &c.code, m));
                }
            }
        }
        let mut seen = HashSet::new();
        for d in &self.documents {
            if !seen.insert(d.id.as_str()) {
                errors.push(dup("document", &d.id));
            }
            for m in &d.components {
                if !codes.contains(m.as_str()) {
                    errors.push(unknown("document", &d.id, m));
                }
            }
        }
    }
}

/// The longest name, description or alarm response master data holds (16 KiB).
pub const MAX_TEXT_BYTES: usize = 16 * 1024;

fn is_alias(alias: &str) -> bool {
    !alias.is_empty()
        && alias
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

fn dup(what: &'static str, key: &str) -> IntegrityError {
    IntegrityError::Duplicate {
        what,
        key: key.to_owned(),
    }
}

fn unknown(what: &'static str, key: &str, component: &str) -> IntegrityError {
    IntegrityError::UnknownComponent {
        what,
        key: key.to_owned(),
        component: component.to_owned(),
    }
}

fn unit_error(what: &'static str, key: &str, unit: &str, quantity: Quantity) -> IntegrityError {
    IntegrityError::Unit {
        what,
        key: key.to_owned(),
        unit: unit.to_owned(),
        quantity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_order_detects_inversions() {
        let ok = Limits {
            ll: Some(-250.0),
            l: Some(-150.0),
            normal_low: Some(-50.0),
            normal_high: Some(50.0),
            h: Some(150.0),
            hh: Some(250.0),
            ..Limits::default()
        };
        assert_eq!(ok.first_disorder(), None);
        let bad = Limits {
            h: Some(150.0),
            hh: Some(120.0),
            ..Limits::default()
        };
        assert_eq!(bad.first_disorder(), Some(("H", 150.0, "HH", 120.0)));
        let equal = Limits {
            l: Some(1.0),
            h: Some(1.0),
            ..Limits::default()
        };
        assert!(equal.first_disorder().is_some());
    }
}
