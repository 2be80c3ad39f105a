//! Power laws ω ≈ c |k|^p at small k: the one fit behind every "w ~ k^p" verdict of ether
//! (spin waves, photons, gravitons).

use crate::error::{Error, Result};

/// A power law `ω ≈ coefficient · |k|^exponent` fitted by least squares in log-log.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct PowerLaw {
    /// Fitted exponent.
    pub exponent: f64,
    /// Fitted coefficient.
    pub coefficient: f64,
}

/// Least-squares fit of `ln ω = ln c + p ln |k|` over the given points (k > 0, ω > 0).
pub fn fit_power_law(k: &[f64], omega: &[f64]) -> Result<PowerLaw> {
    let pts: Vec<(f64, f64)> = k
        .iter()
        .zip(omega)
        .filter(|(&a, &b)| a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a.ln(), b.ln()))
        .collect();
    if pts.len() < 2 {
        return Err(Error::numerical(
            "power-law fit",
            format!("only {} usable points", pts.len()),
            "use a larger lattice or a longer time window so that more small-k modes are resolved",
        ));
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx <= 0.0 {
        return Err(Error::numerical("power-law fit", "all momenta equal", "use several distinct momenta"));
    }
    let p = sxy / sxx;
    Ok(PowerLaw { exponent: p, coefficient: (my - p * mx).exp() })
}

/// The `k → 0` limit of `ω / k^p` from points `(k, ω)` (k > 0) whose frequencies are uncertain
/// by `sigma_omega` each (e.g. a fraction of the frequency bin of a finite time window): the
/// weighted least-squares line of `ω/k^p` against `k²` (the leading lattice correction of a
/// dispersion with inversion symmetry, `ω = c k^p (1 + a k² + ...)`), evaluated at `k = 0`, with
/// its standard error. A ratio at momentum k is uncertain by `sigma_omega / k^p`, so the weights
/// `k^{2p}` favour the larger momenta, where the frequency is resolved best. With a single
/// distinct k, that point's ratio. `None` without usable points.
pub fn zero_k_limit(k: &[f64], omega: &[f64], p: f64, sigma_omega: f64) -> Option<(f64, f64)> {
    // (x = k², y = ω/k^p, weight = k^{2p}) in units where sigma_omega = 1
    let pts: Vec<(f64, f64, f64)> = k
        .iter()
        .zip(omega)
        .filter(|(&a, &b)| a > 0.0 && a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a * a, b / a.powf(p), a.powf(2.0 * p)))
        .collect();
    if pts.is_empty() {
        return None;
    }
    let s: f64 = pts.iter().map(|q| q.2).sum();
    let sx: f64 = pts.iter().map(|q| q.2 * q.0).sum();
    let sy: f64 = pts.iter().map(|q| q.2 * q.1).sum();
    let mx = sx / s;
    let sxx: f64 = pts.iter().map(|q| q.2 * (q.0 - mx).powi(2)).sum();
    if sxx <= 1e-24 * s * mx * mx {
        return Some((sy / s, sigma_omega / s.sqrt()));
    }
    let sxy: f64 = pts.iter().map(|q| q.2 * (q.0 - mx) * (q.1 - sy / s)).sum();
    let slope = sxy / sxx;
    let intercept = sy / s - slope * mx;
    // Var(intercept) = σ² (1/S + mx²/Sxx) for weights 1/σ_i² = k^{2p}/σ².
    let se = sigma_omega * (1.0 / s + mx * mx / sxx).sqrt();
    Some((intercept, se))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_law_fit_recovers_exact_laws() {
        let k: Vec<f64> = (1..6).map(|i| 0.1 * i as f64).collect();
        let w: Vec<f64> = k.iter().map(|x| 3.0 * x * x).collect();
        let p = fit_power_law(&k, &w).unwrap();
        assert!((p.exponent - 2.0).abs() < 1e-12 && (p.coefficient - 3.0).abs() < 1e-12);
        assert!(fit_power_law(&[0.1], &[0.2]).is_err());
    }

    #[test]
    fn zero_k_limit_removes_the_k_squared_correction() {
        // ω = 1.5 k (1 − k²/6): the limit 1.5 exactly (a line in k² through the ratios).
        let k = [0.2, 0.3, 0.45, 0.6];
        let w: Vec<f64> = k.iter().map(|x| 1.5 * x * (1.0 - x * x / 6.0)).collect();
        let (c, se) = zero_k_limit(&k, &w, 1.0, 0.01).unwrap();
        assert!((c - 1.5).abs() < 1e-12);
        // The standard error against an independent sample: 2000 noisy copies of the data with
        // σ = 0.01, whose fitted intercepts scatter by the stated error (within 10 %).
        let mut seed = 12345u64;
        let mut gauss = || {
            // Box-Muller from a 64-bit LCG: independent of the code under test
            let mut u = || {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((seed >> 11) as f64 + 0.5) / (1u64 << 53) as f64
            };
            let (a, b) = (u(), u());
            (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos()
        };
        let fits: Vec<f64> = (0..2000)
            .map(|_| {
                let noisy: Vec<f64> = w.iter().map(|x| x + 0.01 * gauss()).collect();
                zero_k_limit(&k, &noisy, 1.0, 0.01).unwrap().0
            })
            .collect();
        let mean = fits.iter().sum::<f64>() / fits.len() as f64;
        let sd = (fits.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (fits.len() - 1) as f64).sqrt();
        assert!((sd / se - 1.0).abs() < 0.1, "scatter {sd} vs stated error {se}");
        // ω = 0.5 k² (1 − k²/12) with repeated k: still 0.5.
        let k = [0.3, 0.3, 0.5];
        let w: Vec<f64> = k.iter().map(|x| 0.5 * x * x * (1.0 - x * x / 12.0)).collect();
        assert!((zero_k_limit(&k, &w, 2.0, 0.01).unwrap().0 - 0.5).abs() < 1e-12);
        assert_eq!(zero_k_limit(&[0.4], &[0.2], 1.0, 0.01), Some((0.5, 0.01 / 0.4)));
        assert_eq!(zero_k_limit(&[], &[], 1.0, 0.01), None);
    }
}
