//! Alarm rules as data: the condition that raises an alarm, with its delays, latching and
//! suppression by design. Rules travel in master data (`AlarmRef::rule`, JSON in the store) and
//! change through change-sets like any other record.

use serde::{Deserialize, Serialize};

/// How an alarm is raised. A limit alarm without an explicit rule uses [`AlarmRule::limit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmRule {
    pub when: Condition,
    /// The condition must hold this long before the alarm is raised (ISA-18.2 on-delay).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub on_delay_s: f64,
    /// The condition must be gone this long before the alarm returns to normal (off-delay).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub off_delay_s: f64,
    /// A latching alarm stays annunciated after it clears until an operator resets it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub latching: bool,
    /// Suppression by design: while this holds the alarm is not annunciated (e.g. a pump's
    /// low-pressure alarm while the sequence has the pump stopped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppress_when: Option<Condition>,
}

/// A condition over live values. Tags are KKS measuring-point names; deadbands and limits are
/// in the tag's engineering unit (rates per minute).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// The tag's parameter limit (`LL`, `L`, `H`, `HH`, `trip_low`, `trip_high`): the value is
    /// read from master data, so a change-set on the limit changes the alarm.
    Limit {
        tag: String,
        limit: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        deadband: f64,
    },
    Above {
        tag: String,
        value: f64,
        #[serde(default, skip_serializing_if = "is_zero")]
        deadband: f64,
    },
    Below {
        tag: String,
        value: f64,
        #[serde(default, skip_serializing_if = "is_zero")]
        deadband: f64,
    },
    /// Rising faster than `per_min` (unit per minute), measured over `window_s` of source time.
    RisingFaster {
        tag: String,
        per_min: f64,
        #[serde(default = "default_window")]
        window_s: f64,
    },
    /// Falling faster than `per_min` (a positive number).
    FallingFaster {
        tag: String,
        per_min: f64,
        #[serde(default = "default_window")]
        window_s: f64,
    },
    /// |a − b| > max: redundant transmitters disagreeing, or a valve's position not following
    /// its command.
    Deviation {
        a: String,
        b: String,
        max: f64,
        #[serde(default, skip_serializing_if = "is_zero")]
        deadband: f64,
    },
    /// |tag − curve(x)| > max: deviation from the value expected at the current load (the curve
    /// is `[x, expected]` points, linear in between, flat beyond the ends).
    OffCurve {
        tag: String,
        x: String,
        curve: Vec<[f64; 2]>,
        max: f64,
        #[serde(default, skip_serializing_if = "is_zero")]
        deadband: f64,
    },
    /// The tag is stale (link down, silent) or of bad quality.
    BadQuality { tag: String },
    /// A discrete signal is on (value ≥ 0.5).
    IsOn { tag: String },
    /// A discrete signal is off.
    IsOff { tag: String },
    /// Every condition holds (e.g. bearing vibration high and bearing temperature rising).
    All { of: Vec<Condition> },
    /// At least one condition holds.
    Any { of: Vec<Condition> },
}

fn default_window() -> f64 {
    60.0
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

fn is_false(v: &bool) -> bool {
    !*v
}

/// Whether a limit name is a high limit (raised above it) or a low one.
pub fn limit_is_high(limit: &str) -> Option<bool> {
    match limit {
        "H" | "HH" | "trip_high" => Some(true),
        "L" | "LL" | "trip_low" => Some(false),
        _ => None,
    }
}

impl AlarmRule {
    /// A limit alarm with the ISA-18.2 / EEMUA 191 starting points for deadband and delays by
    /// kind of measurement, `span` being the normal operating range of the parameter. Trip
    /// limits get no delay: the protection has already acted.
    pub fn limit(tag: &str, limit: &str, quantity: crate::Quantity, span: f64) -> AlarmRule {
        use crate::Quantity::*;
        let (pct, delay) = match quantity {
            MassFlow | VolumeFlow => (0.05, 15.0),
            Level => (0.05, 60.0),
            Pressure | DifferentialPressure => (0.02, 15.0),
            Temperature | TemperatureDifference => (0.01, 60.0),
            VibrationVelocity | VibrationDisplacement => (0.05, 10.0),
            _ => (0.02, 10.0),
        };
        let trip = limit.starts_with("trip");
        let delay = if trip { 0.0 } else { delay };
        AlarmRule {
            when: Condition::Limit {
                tag: tag.to_owned(),
                limit: limit.to_owned(),
                deadband: round3(pct * span.abs()),
            },
            on_delay_s: delay,
            off_delay_s: delay,
            latching: trip,
            suppress_when: None,
        }
    }

    /// Every tag the rule reads, condition and suppression.
    pub fn tags(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.when.collect_tags(&mut out);
        if let Some(s) = &self.suppress_when {
            s.collect_tags(&mut out);
        }
        out
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

impl Condition {
    fn collect_tags<'a>(&'a self, out: &mut Vec<&'a str>) {
        use Condition::*;
        match self {
            Limit { tag, .. }
            | Above { tag, .. }
            | Below { tag, .. }
            | RisingFaster { tag, .. }
            | FallingFaster { tag, .. }
            | BadQuality { tag }
            | IsOn { tag }
            | IsOff { tag } => out.push(tag),
            Deviation { a, b, .. } => out.extend([a.as_str(), b.as_str()]),
            OffCurve { tag, x, .. } => out.extend([tag.as_str(), x.as_str()]),
            All { of } | Any { of } => of.iter().for_each(|c| c.collect_tags(out)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_and_write_as_plain_json() {
        let rule = AlarmRule {
            when: Condition::All {
                of: vec![
                    Condition::Above {
                        tag: "11LAC10CY111".into(),
                        value: 4.5,
                        deadband: 0.2,
                    },
                    Condition::RisingFaster {
                        tag: "11LAC10CT111".into(),
                        per_min: 0.5,
                        window_s: 60.0,
                    },
                ],
            },
            on_delay_s: 10.0,
            off_delay_s: 0.0,
            latching: false,
            suppress_when: Some(Condition::IsOff {
                tag: "11LAC10CE111".into(),
            }),
        };
        let json = serde_json::to_string(&rule).unwrap();
        assert!(json.contains(r#""kind":"all""#), "{json}");
        assert!(
            !json.contains("off_delay_s"),
            "zero fields are left out: {json}"
        );
        assert_eq!(serde_json::from_str::<AlarmRule>(&json).unwrap(), rule);
        assert_eq!(
            rule.tags(),
            ["11LAC10CY111", "11LAC10CT111", "11LAC10CE111"]
        );
    }

    #[test]
    fn limit_defaults_follow_the_kind_of_measurement() {
        let r = AlarmRule::limit("T", "H", crate::Quantity::Temperature, 40.0);
        assert_eq!(r.on_delay_s, 60.0);
        assert!(
            matches!(r.when, Condition::Limit { deadband, .. } if (deadband - 0.4).abs() < 1e-9)
        );
        let trip = AlarmRule::limit("T", "trip_high", crate::Quantity::Temperature, 40.0);
        assert_eq!((trip.on_delay_s, trip.latching), (0.0, true));
        assert_eq!(limit_is_high("LL"), Some(false));
        assert_eq!(limit_is_high("running"), None);
    }
}
