//! Physical quantities and the engineering units accepted for each.
//!
//! Units are kept as the plant writes them (`bar`, `barg`, `°C`, `mm/s`…); a unit that does not
//! belong to its quantity is an integrity error, so a bar limit can never be compared to a °C value.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    Pressure,
    DifferentialPressure,
    Temperature,
    TemperatureDifference,
    Speed,
    ActivePower,
    ReactivePower,
    MassFlow,
    VolumeFlow,
    Level,
    VibrationVelocity,
    VibrationDisplacement,
    Displacement,
    Position,
    Angle,
    Current,
    Voltage,
    Frequency,
    Concentration,
    State,
}

impl Quantity {
    pub const ALL: [Quantity; 20] = [
        Quantity::Pressure,
        Quantity::DifferentialPressure,
        Quantity::Temperature,
        Quantity::TemperatureDifference,
        Quantity::Speed,
        Quantity::ActivePower,
        Quantity::ReactivePower,
        Quantity::MassFlow,
        Quantity::VolumeFlow,
        Quantity::Level,
        Quantity::VibrationVelocity,
        Quantity::VibrationDisplacement,
        Quantity::Displacement,
        Quantity::Position,
        Quantity::Angle,
        Quantity::Current,
        Quantity::Voltage,
        Quantity::Frequency,
        Quantity::Concentration,
        Quantity::State,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Quantity::Pressure => "pressure",
            Quantity::DifferentialPressure => "differential_pressure",
            Quantity::Temperature => "temperature",
            Quantity::TemperatureDifference => "temperature_difference",
            Quantity::Speed => "speed",
            Quantity::ActivePower => "active_power",
            Quantity::ReactivePower => "reactive_power",
            Quantity::MassFlow => "mass_flow",
            Quantity::VolumeFlow => "volume_flow",
            Quantity::Level => "level",
            Quantity::VibrationVelocity => "vibration_velocity",
            Quantity::VibrationDisplacement => "vibration_displacement",
            Quantity::Displacement => "displacement",
            Quantity::Position => "position",
            Quantity::Angle => "angle",
            Quantity::Current => "current",
            Quantity::Voltage => "voltage",
            Quantity::Frequency => "frequency",
            Quantity::Concentration => "concentration",
            Quantity::State => "state",
        }
    }

    /// Units accepted for this quantity; the first is the preferred one.
    pub fn units(self) -> &'static [&'static str] {
        match self {
            Quantity::Pressure => &["bar", "barg", "mbar", "kPa", "MPa"],
            Quantity::DifferentialPressure => &["mbar", "bar", "kPa", "Pa"],
            Quantity::Temperature => &["°C", "K"],
            Quantity::TemperatureDifference => &["K"],
            Quantity::Speed => &["rpm"],
            Quantity::ActivePower => &["MW", "kW"],
            Quantity::ReactivePower => &["Mvar", "kvar"],
            Quantity::MassFlow => &["kg/s", "t/h"],
            Quantity::VolumeFlow => &["m³/h", "Nm³/h"],
            Quantity::Level => &["mm", "%"],
            Quantity::VibrationVelocity => &["mm/s"],
            Quantity::VibrationDisplacement => &["µm"],
            Quantity::Displacement => &["mm"],
            Quantity::Position => &["%"],
            Quantity::Angle => &["°"],
            Quantity::Current => &["A", "kA"],
            Quantity::Voltage => &["kV", "V"],
            Quantity::Frequency => &["Hz"],
            Quantity::Concentration => &["mg/Nm³", "ppm", "%"],
            Quantity::State => &["-"],
        }
    }

    pub fn accepts(self, unit: &str) -> bool {
        self.units().contains(&unit)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown quantity `{0}`")]
pub struct UnknownQuantity(pub String);

impl FromStr for Quantity {
    type Err = UnknownQuantity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::ALL
            .into_iter()
            .find(|q| q.as_str() == s)
            .ok_or_else(|| UnknownQuantity(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_belong_to_their_quantity() {
        assert!(Quantity::Pressure.accepts("bar"));
        assert!(!Quantity::Pressure.accepts("°C"));
        assert!(Quantity::VibrationVelocity.accepts("mm/s"));
        for q in Quantity::ALL {
            assert_eq!(q.as_str().parse::<Quantity>().unwrap(), q);
            assert!(!q.units().is_empty());
        }
    }
}
