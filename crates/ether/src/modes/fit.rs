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
}
