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

/// The `k → 0` limit of `ω / k^p` from points `(k, ω)` (k > 0): the least-squares line of
/// `ω/k^p` against `k²` (the leading lattice correction of a dispersion with inversion symmetry,
/// `ω = c k^p (1 + a k² + ...)`), evaluated at `k = 0`. With a single distinct k, that point's
/// ratio. `None` without usable points.
pub fn zero_k_limit(k: &[f64], omega: &[f64], p: f64) -> Option<f64> {
    let pts: Vec<(f64, f64)> = k
        .iter()
        .zip(omega)
        .filter(|(&a, &b)| a > 0.0 && a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a * a, b / a.powf(p)))
        .collect();
    if pts.is_empty() {
        return None;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|q| q.0).sum::<f64>() / n;
    let my = pts.iter().map(|q| q.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|q| (q.0 - mx).powi(2)).sum();
    if sxx <= 1e-24 * mx * mx {
        return Some(my);
    }
    let slope = pts.iter().map(|q| (q.0 - mx) * (q.1 - my)).sum::<f64>() / sxx;
    Some(my - slope * mx)
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
        assert!((zero_k_limit(&k, &w, 1.0).unwrap() - 1.5).abs() < 1e-12);
        // ω = 0.5 k² (1 − k²/12) with repeated k: still 0.5.
        let k = [0.3, 0.3, 0.5];
        let w: Vec<f64> = k.iter().map(|x| 0.5 * x * x * (1.0 - x * x / 12.0)).collect();
        assert!((zero_k_limit(&k, &w, 2.0).unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(zero_k_limit(&[0.4], &[0.2], 1.0), Some(0.5));
        assert_eq!(zero_k_limit(&[], &[], 1.0), None);
    }
}
