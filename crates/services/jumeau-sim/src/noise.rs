//! Measurement noise that depends only on (seed, stream, step): the same seed gives the same
//! trajectory whatever the publishing rate or the order in which values are read.

/// SplitMix64 finaliser: a counter-based generator, so no state has to be carried or ordered.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Uniform in [0, 1).
pub fn uniform(seed: u64, stream: u64, step: u64) -> f64 {
    let h = mix(seed ^ mix(stream.wrapping_mul(0x1000_0000_01B3) ^ mix(step)));
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Standard normal (Box–Muller on two uniforms).
pub fn normal(seed: u64, stream: u64, step: u64) -> f64 {
    let u1 = uniform(seed, stream, step.wrapping_mul(2)).max(1e-12);
    let u2 = uniform(seed, stream, step.wrapping_mul(2).wrapping_add(1));
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_noise_has_unit_variance_and_is_repeatable() {
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|i| normal(7, 3, i)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
        assert_eq!(normal(7, 3, 11), normal(7, 3, 11));
        assert_ne!(normal(7, 3, 11), normal(8, 3, 11));
    }
}
