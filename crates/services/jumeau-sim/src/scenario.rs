//! Scenarios as data: a TOML file gives the initial plant state and a timed list of operator
//! commands and injected faults. The built-in ones live in `scenarios/` at the repository root and
//! are embedded so that the binary needs no files beside it.

use serde::Deserialize;

/// A scenario file, parsed and checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub title_fr: String,
    pub title_en: String,
    #[serde(default)]
    pub description: String,
    pub initial: Initial,
    /// Ambient air temperature, °C.
    #[serde(default = "default_ambient")]
    pub ambient_c: f64,
    #[serde(default, rename = "event")]
    pub events: Vec<Event>,
}

fn default_ambient() -> f64 {
    15.0
}

/// Where the block stands when the scenario begins.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Initial {
    pub state: InitialState,
    /// Gas-turbine loads for `running`, MW (0 = that train is shut down and boxed up).
    #[serde(default)]
    pub tg1_mw: f64,
    #[serde(default)]
    pub tg2_mw: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitialState {
    /// Shut down for days: HRSGs depressurised, steam-turbine casing near ambient.
    Cold,
    /// Shut down overnight: HRSGs boxed up under pressure, steam-turbine casing hot.
    Hot,
    /// On load, settled (loads from `tg1_mw` / `tg2_mw`, steam turbine following).
    Running,
}

/// One timed command or fault. (`deny_unknown_fields` does not combine with `flatten`; the
/// action's own fields are still checked by its variant.)
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    /// Simulated seconds from the start of the scenario.
    pub at_s: f64,
    #[serde(flatten)]
    pub action: Action,
}

/// What happens at an event. Units are `TG1`, `TG2`, `TV`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Start sequence (GT: crank, purge, ignition, run-up, synchronisation; TV: roll-off when the
    /// steam allows, then loading).
    Start { unit: String },
    /// Normal shutdown (unload, breaker open, coast down).
    Stop { unit: String },
    /// Protection trip (fuel / steam cut at once, breaker open).
    Trip { unit: String },
    /// Gas-turbine load set-point, MW.
    Load { unit: String, mw: f64 },
    /// Rising bearing vibration on a pump (component code), mm/s per hour.
    PumpVibration { component: String, mm_s_per_h: f64 },
    /// Drift of one level transmitter (tag name), mm per minute: the measurement drifts, the
    /// real level does not.
    LevelDrift { tag: String, mm_per_min: f64 },
    /// Trip of a running pump (component code); the standby pump of the pair starts on its own.
    PumpTrip { component: String },
    /// Ambient temperature change, °C.
    Ambient { celsius: f64 },
}

/// The faults the trainer's menu offers on the built-in model: a feedwater pump trip, rising
/// vibration on the same pump, and a drifting HP drum level transmitter of train 2.
pub fn trainer_faults() -> [Action; 3] {
    [
        Action::PumpTrip {
            component: "11LAC10AP001".into(),
        },
        Action::PumpVibration {
            component: "11LAC10AP001".into(),
            mm_s_per_h: 6.0,
        },
        Action::LevelDrift {
            tag: "12HAD50CL101".into(),
            mm_per_min: 5.0,
        },
    ]
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("unknown scenario \"{0}\"; built-in scenarios: {1}")]
    Unknown(String, String),
    #[error("cannot read scenario file {0}: {1}")]
    Read(String, std::io::Error),
    #[error("scenario {0} is not valid: {1}")]
    Parse(String, String),
    #[error("scenario {0}: {1}")]
    Invalid(String, String),
}

/// The built-in scenarios, by file name.
pub const BUILT_IN: [(&str, &str); 10] = [
    (
        "dispatch",
        include_str!("../../../../scenarios/dispatch.toml"),
    ),
    (
        "cold-start",
        include_str!("../../../../scenarios/cold-start.toml"),
    ),
    (
        "hot-start",
        include_str!("../../../../scenarios/hot-start.toml"),
    ),
    (
        "normal-shutdown",
        include_str!("../../../../scenarios/normal-shutdown.toml"),
    ),
    (
        "tg1-trip",
        include_str!("../../../../scenarios/tg1-trip.toml"),
    ),
    (
        "tg1-alone",
        include_str!("../../../../scenarios/tg1-alone.toml"),
    ),
    (
        "fault-pump-vibration",
        include_str!("../../../../scenarios/fault-pump-vibration.toml"),
    ),
    (
        "fault-drum-level-drift",
        include_str!("../../../../scenarios/fault-drum-level-drift.toml"),
    ),
    (
        "fault-feedwater-pump-trip",
        include_str!("../../../../scenarios/fault-feedwater-pump-trip.toml"),
    ),
    (
        "add-tg2",
        include_str!("../../../../scenarios/add-tg2.toml"),
    ),
];

/// The scenario the client runs when none is named: the block on load, following dispatch.
pub const DEFAULT: &str = "dispatch";

impl Scenario {
    /// A built-in scenario by name, or a TOML file when `name_or_path` ends in `.toml`.
    pub fn load(name_or_path: &str) -> Result<Scenario, ScenarioError> {
        if name_or_path.ends_with(".toml") {
            let text = std::fs::read_to_string(name_or_path)
                .map_err(|e| ScenarioError::Read(name_or_path.to_owned(), e))?;
            return Scenario::parse(name_or_path, &text);
        }
        let (_, text) = BUILT_IN
            .iter()
            .find(|(name, _)| *name == name_or_path)
            .ok_or_else(|| {
                let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
                ScenarioError::Unknown(name_or_path.to_owned(), names.join(", "))
            })?;
        Scenario::parse(name_or_path, text)
    }

    /// Parses and checks a scenario text; `origin` names it in errors.
    pub fn parse(origin: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let mut scenario: Scenario = toml::from_str(text)
            .map_err(|e| ScenarioError::Parse(origin.to_owned(), e.to_string()))?;
        scenario
            .check()
            .map_err(|e| ScenarioError::Invalid(origin.to_owned(), e))?;
        scenario.events.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
        Ok(scenario)
    }

    fn check(&self) -> Result<(), String> {
        let load_ok = |mw: f64| mw.is_finite() && (0.0..=175.0).contains(&mw);
        if !load_ok(self.initial.tg1_mw) || !load_ok(self.initial.tg2_mw) {
            return Err("initial gas-turbine loads must lie in 0–175 MW".into());
        }
        if !(-30.0..=50.0).contains(&self.ambient_c) {
            return Err(format!(
                "ambient {} °C is outside −30…50 °C",
                self.ambient_c
            ));
        }
        for event in &self.events {
            if !event.at_s.is_finite() || event.at_s < 0.0 {
                return Err(format!(
                    "event time {} s must be a positive number",
                    event.at_s
                ));
            }
            match &event.action {
                Action::Start { unit } | Action::Stop { unit } | Action::Trip { unit }
                    if !["TG1", "TG2", "TV"].contains(&unit.as_str()) =>
                {
                    return Err(format!("unit \"{unit}\" is not TG1, TG2 or TV"));
                }
                Action::Load { unit, mw }
                    if !["TG1", "TG2"].contains(&unit.as_str()) || !load_ok(*mw) =>
                {
                    return Err(format!("load {mw} MW on \"{unit}\": a GT takes 0–175 MW"));
                }
                Action::Ambient { celsius } if !(-30.0..=50.0).contains(celsius) => {
                    return Err(format!("ambient {celsius} °C is outside −30…50 °C"));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_scenario_parses() {
        for (name, _) in BUILT_IN {
            let s = Scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.name, name);
        }
    }

    #[test]
    fn bad_scenarios_are_refused_with_a_reason() {
        let err = Scenario::load("no-such").unwrap_err().to_string();
        assert!(err.contains("cold-start"), "{err}");
        let base =
            "name='x'\ntitle_fr='x'\ntitle_en='x'\n[initial]\nstate='running'\ntg1_mw=100.0\n";
        let bad_unit = format!("{base}[[event]]\nat_s=1.0\naction='trip'\nunit='TG9'\n");
        assert!(
            Scenario::parse("t", &bad_unit)
                .unwrap_err()
                .to_string()
                .contains("TG9")
        );
        let bad_load = format!("{base}[[event]]\nat_s=1.0\naction='load'\nunit='TG1'\nmw=900.0\n");
        assert!(Scenario::parse("t", &bad_load).is_err());
        let unknown = format!("{base}[[event]]\nat_s=1.0\naction='explode'\n");
        assert!(Scenario::parse("t", &unknown).is_err());
        assert!(Scenario::parse("t", "not toml [").is_err());
    }
}
