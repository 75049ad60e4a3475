//! The plant as data: the files of `assets/plant/` (format: `assets/plant/README.md`) parsed
//! into master data and the seed accounts, every problem reported as `FILE:LINE: problem`.
//!
//! The files are embedded in the binary; they enter a new store as its first change-set,
//! proposed and validated by the two engineers they name. Later changes go through change-sets.

use crate::access::Action;
use crate::masterdata::{
    AlarmRef, Circuit, Component, Document, IntegrityError, Limits, MasterData, Parameter,
    PlantUnit, ProcedureSource, Tag,
};
use crate::{Quantity, Role};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::collections::HashMap;
use toml::Spanned;

/// The plant files, in the order they are read.
pub const FILES: [&str; 8] = [
    "units.toml",
    "accounts.toml",
    "components.toml",
    "parameters.csv",
    "tags.csv",
    "alarms.toml",
    "circuits.toml",
    "documents.toml",
];

/// The plant files built into the binary (`assets/plant/`), in [`FILES`] order.
pub const EMBEDDED: [(&str, &str); 8] = [
    (
        FILES[0],
        include_str!("../../../../assets/plant/units.toml"),
    ),
    (
        FILES[1],
        include_str!("../../../../assets/plant/accounts.toml"),
    ),
    (
        FILES[2],
        include_str!("../../../../assets/plant/components.toml"),
    ),
    (
        FILES[3],
        include_str!("../../../../assets/plant/parameters.csv"),
    ),
    (FILES[4], include_str!("../../../../assets/plant/tags.csv")),
    (
        FILES[5],
        include_str!("../../../../assets/plant/alarms.toml"),
    ),
    (
        FILES[6],
        include_str!("../../../../assets/plant/circuits.toml"),
    ),
    (
        FILES[7],
        include_str!("../../../../assets/plant/documents.toml"),
    ),
];

/// A user account created with a new store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub login: String,
    pub name: String,
    pub role: Role,
}

/// `accounts.toml`: the accounts and who proposes and validates the plant files.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accounts {
    pub seed_proposer: String,
    pub seed_validator: String,
    /// The account the client opens with when no `--user` is given.
    pub default_user: String,
    #[serde(rename = "account")]
    pub accounts: Vec<Account>,
}

/// Everything the plant files describe.
#[derive(Debug, Clone, PartialEq)]
pub struct Plant {
    pub md: MasterData,
    pub accounts: Accounts,
}

/// One problem in the plant files, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantError {
    pub file: String,
    /// 1-based; 0 when the problem is not on one line (a missing file).
    pub line: usize,
    pub problem: String,
}

impl std::fmt::Display for PlantError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file, self.problem),
            line => write!(f, "{}:{line}: {}", self.file, self.problem),
        }
    }
}

impl std::error::Error for PlantError {}

/// The embedded plant with the built-in procedures. Its files are checked by this crate's
/// tests, so a failure here is a build defect, not a user error.
pub fn embedded() -> Plant {
    match parse(&EMBEDDED, crate::procedure::built_in_sources()) {
        Ok(plant) => plant,
        Err(errors) => {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("embedded plant files:\n{}", lines.join("\n"))
        }
    }
}

/// The embedded `accounts.toml` alone (cheap: every start needs it, not the whole plant).
pub fn embedded_accounts() -> Accounts {
    match toml::from_str::<Accounts>(EMBEDDED[1].1) {
        Ok(accounts) => accounts,
        Err(e) => panic!("embedded {}: {e}", FILES[1]),
    }
}

/// The account the client opens with when no `--user` is given (embedded `accounts.toml`).
pub fn default_user() -> String {
    embedded_accounts().default_user
}

/// Parses the plant files (`(file name, text)` for each of [`FILES`]) with `procedures`, and
/// checks the whole for integrity. Returns every problem found, each at its file and line.
pub fn parse(
    files: &[(&str, &str)],
    procedures: Vec<ProcedureSource>,
) -> Result<Plant, Vec<PlantError>> {
    let mut reader = Reader::default();
    let text = |name: &str| files.iter().find(|(f, _)| *f == name).map(|(_, t)| *t);
    let mut missing = Vec::new();
    let mut get = |name: &'static str| {
        text(name).or_else(|| {
            missing.push(PlantError {
                file: name.to_owned(),
                line: 0,
                problem: "file missing".into(),
            });
            None
        })
    };
    let (units, accounts, components, parameters, tags, alarms, circuits, documents) = (
        get(FILES[0]),
        get(FILES[1]),
        get(FILES[2]),
        get(FILES[3]),
        get(FILES[4]),
        get(FILES[5]),
        get(FILES[6]),
        get(FILES[7]),
    );
    reader.errors = missing;
    let md = MasterData {
        units: reader.toml_records::<UnitsFile, _>(
            FILES[0],
            units,
            |f| f.unit,
            |u| vec![("unit", u.code.clone())],
        ),
        components: reader.toml_records::<ComponentsFile, _>(
            FILES[2],
            components,
            |f| f.component,
            |c| {
                vec![
                    ("component", c.code.clone()),
                    ("alias", c.alias.clone()),
                    ("code", c.code.clone()),
                ]
            },
        ),
        parameters: reader.csv_records(FILES[3], parameters, |p: &ParameterRow| {
            vec![("parameter", format!("{}.{}", p.component, p.name))]
        }),
        tags: reader.csv_records(FILES[4], tags, |t: &Tag| {
            vec![
                ("tag", t.name.clone()),
                ("tag signal", format!("{}.{}", t.component, t.signal)),
                ("code", t.name.clone()),
            ]
        }),
        alarms: reader.toml_records::<AlarmsFile, _>(
            FILES[5],
            alarms,
            |f| f.alarm,
            |a| vec![("alarm", a.code.clone())],
        ),
        circuits: reader.toml_records::<CircuitsFile, _>(
            FILES[6],
            circuits,
            |f| f.circuit,
            |c| vec![("circuit", c.code.clone())],
        ),
        documents: reader.toml_records::<DocumentsFile, _>(
            FILES[7],
            documents,
            |f| f.document,
            |d| vec![("document", d.id.clone())],
        ),
        procedures,
    };
    let accounts = accounts.and_then(|text| reader.accounts(text));
    let errors = reader.finish(&md);
    match accounts {
        Some(accounts) if errors.is_empty() => Ok(Plant { md, accounts }),
        _ => Err(errors),
    }
}

/// Collects records with where each came from, and the problems met on the way.
#[derive(Default)]
struct Reader {
    /// (entity, key) → (file, line) of every record read, for locating integrity errors.
    places: HashMap<(&'static str, String), Vec<(&'static str, usize)>>,
    errors: Vec<PlantError>,
}

impl Reader {
    fn error(&mut self, file: &str, line: usize, problem: impl Into<String>) {
        self.errors.push(PlantError {
            file: file.to_owned(),
            line,
            problem: problem.into(),
        });
    }

    fn place(&mut self, file: &'static str, line: usize, keys: Vec<(&'static str, String)>) {
        for key in keys {
            self.places.entry(key).or_default().push((file, line));
        }
    }

    /// Records of a TOML file whose top level is one array of tables.
    fn toml_records<F: DeserializeOwned, T>(
        &mut self,
        file: &'static str,
        text: Option<&str>,
        records: impl FnOnce(F) -> Vec<Spanned<T>>,
        keys: impl Fn(&T) -> Vec<(&'static str, String)>,
    ) -> Vec<T> {
        let Some(text) = text else {
            return Vec::new();
        };
        match toml::from_str::<F>(text) {
            Ok(parsed) => records(parsed)
                .into_iter()
                .map(|r| {
                    let line = line_at(text, r.span().start);
                    self.place(file, line, keys(r.get_ref()));
                    r.into_inner()
                })
                .collect(),
            Err(e) => {
                let line = e.span().map_or(0, |s| line_at(text, s.start));
                self.error(file, line, e.message().trim());
                Vec::new()
            }
        }
    }

    /// Rows of a CSV file with a header line; a bad row is reported and skipped.
    fn csv_records<R: DeserializeOwned + Into<T>, T>(
        &mut self,
        file: &'static str,
        text: Option<&str>,
        keys: impl Fn(&R) -> Vec<(&'static str, String)>,
    ) -> Vec<T> {
        let Some(text) = text else {
            return Vec::new();
        };
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = match csv.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.error(file, 1, e.to_string());
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for record in csv.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    self.error(file, line, csv_problem(&e));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line() as usize);
            match record.deserialize::<R>(Some(&headers)) {
                Ok(row) => {
                    self.place(file, line, keys(&row));
                    out.push(row.into());
                }
                Err(e) => self.error(file, line, csv_problem(&e)),
            }
        }
        out
    }

    fn accounts(&mut self, text: &str) -> Option<Accounts> {
        let file = FILES[1];
        let accounts: Accounts = match toml::from_str(text) {
            Ok(a) => a,
            Err(e) => {
                let line = e.span().map_or(0, |s| line_at(text, s.start));
                self.error(file, line, e.message().trim());
                return None;
            }
        };
        let line_of = |login: &str| {
            let needle = format!("\"{login}\"");
            text.lines()
                .position(|l| l.contains(&needle))
                .map_or(0, |n| n + 1)
        };
        let mut seen = std::collections::HashSet::new();
        for a in &accounts.accounts {
            if !seen.insert(a.login.as_str()) {
                self.error(
                    file,
                    line_of(&a.login),
                    format!("account `{}` appears twice", a.login),
                );
            }
        }
        let role = |login: &str| {
            accounts
                .accounts
                .iter()
                .find(|a| a.login == login)
                .map(|a| a.role)
        };
        for (what, login) in [
            ("seed_proposer", &accounts.seed_proposer),
            ("seed_validator", &accounts.seed_validator),
            ("default_user", &accounts.default_user),
        ] {
            match role(login) {
                None => self.error(
                    file,
                    line_of(login),
                    format!("{what} `{login}` has no account"),
                ),
                Some(r) if what != "default_user" && !r.may(Action::DecideChange) => self.error(
                    file,
                    line_of(login),
                    format!("{what} `{login}` must be an engineer, not {r}"),
                ),
                Some(_) => {}
            }
        }
        if accounts.seed_proposer == accounts.seed_validator {
            self.error(
                file,
                line_of(&accounts.seed_validator),
                "four-eyes rule: the seed validator must not be its proposer",
            );
        }
        Some(accounts)
    }

    /// Integrity of the whole, each problem at the record it is about.
    fn finish(mut self, md: &MasterData) -> Vec<PlantError> {
        if self.errors.is_empty() {
            for e in md.check() {
                let (file, line) = self.locate(&e);
                self.error(file, line, e.to_string());
            }
        }
        self.errors
    }

    fn locate(&self, e: &IntegrityError) -> (&'static str, usize) {
        let (entity, key) = subject(e);
        let places = self.places.get(&(entity, key.clone())).or_else(|| {
            // A code error names the code only: a component's or a tag's.
            self.places.get(&("code", key))
        });
        // A duplicate is reported at its second appearance.
        let place = match e {
            IntegrityError::Duplicate { .. } => places.and_then(|p| p.get(1).or(p.first())),
            _ => places.and_then(|p| p.first()),
        };
        match (place, entity) {
            (Some(p), _) => *p,
            (None, "procedure") => ("procedures", 0),
            (None, _) => ("plant", 0),
        }
    }
}

/// The record an integrity error is about, as (entity, key) of [`Reader::places`].
fn subject(e: &IntegrityError) -> (&'static str, String) {
    let entity = |what: &'static str| match what {
        "component parent of" => "component",
        other => other,
    };
    match e {
        IntegrityError::Code(crate::KksError::Length(code))
        | IntegrityError::Code(crate::KksError::Character { code, .. }) => ("code", code.clone()),
        IntegrityError::Duplicate { what, key }
        | IntegrityError::UnknownComponent { what, key, .. }
        | IntegrityError::Unit { what, key, .. }
        | IntegrityError::Invalid { what, key, .. } => (entity(what), key.clone()),
        IntegrityError::LimitOrder {
            component, name, ..
        } => ("parameter", format!("{component}.{name}")),
        IntegrityError::UnknownParameter { code, .. } => ("alarm", code.clone()),
        IntegrityError::ParentCycle(code) => ("component", code.clone()),
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A CSV error without its position (the caller puts the line in front).
fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(field) => format!("column {}: {}", field + 1, err.kind()),
            None => err.kind().to_string(),
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} columns where the header has {expected_len}"),
        _ => e.to_string(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsFile {
    unit: Vec<Spanned<PlantUnit>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComponentsFile {
    component: Vec<Spanned<Component>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlarmsFile {
    alarm: Vec<Spanned<AlarmRef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CircuitsFile {
    circuit: Vec<Spanned<Circuit>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentsFile {
    document: Vec<Spanned<Document>>,
}

/// One line of `parameters.csv`: a parameter with its limits flattened into columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterRow {
    pub component: String,
    pub name: String,
    pub label_fr: String,
    pub label_en: String,
    pub quantity: Quantity,
    pub unit: String,
    pub trip_low: Option<f64>,
    pub ll: Option<f64>,
    pub l: Option<f64>,
    pub normal_low: Option<f64>,
    pub normal_high: Option<f64>,
    pub h: Option<f64>,
    pub hh: Option<f64>,
    pub trip_high: Option<f64>,
    pub startup_value: Option<f64>,
    pub note: Option<String>,
}

impl From<ParameterRow> for Parameter {
    fn from(r: ParameterRow) -> Self {
        Parameter {
            component: r.component,
            name: r.name,
            label_fr: r.label_fr,
            label_en: r.label_en,
            quantity: r.quantity,
            unit: r.unit,
            limits: Limits {
                trip_low: r.trip_low,
                ll: r.ll,
                l: r.l,
                normal_low: r.normal_low,
                normal_high: r.normal_high,
                h: r.h,
                hh: r.hh,
                trip_high: r.trip_high,
            },
            startup_value: r.startup_value,
            note: r.note,
        }
    }
}

#[cfg(test)]
mod tests;
