//! The isotropic 4D Wilson scan of `ether phases` (hot or cold start, thermalize, measure the
//! plaquette and the DeGrand-Toussaint monopole density every sweep), as a thin layer over the
//! gauge engine ([`crate::mc::engine::GaugeChain`]).
//!
//! In imaginary time the rotor model becomes 4D compact U(1) lattice gauge theory (rotor note
//! 4.1); its Coulomb (photon) phase is the deconfined phase. The isotropic Wilson action is the
//! universality-class anchor of rotor note 4.2 (β_c = 1.0111, first order).

use crate::error::{require_positive, Error, Result};
use crate::lattice::{wrap_pi, Lattice};
use crate::mc::action::GaugeAction;
use crate::mc::chain::{run, Hooks, Schedule};
use crate::mc::engine::{GaugeChain, Start, SweepPlan};
pub use crate::mc::series::{bessel_ratio, strong_coupling_plaquette, weak_coupling_plaquette};
use serde::Serialize;
use std::f64::consts::PI;

/// The Wilson action of compact U(1) on a periodic 4D lattice with even extents.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WilsonU1 {
    /// The lattice (four even extents).
    pub lattice: Lattice,
    /// Inverse coupling β = 1/e² > 0.
    pub beta: f64,
}

impl WilsonU1 {
    /// A validated action.
    pub fn new(lattice: Lattice, beta: f64) -> Result<Self> {
        require_positive("beta", beta, "β = 1/e² of the Wilson action must be positive")?;
        if lattice.dim() != 4 {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                "the path integral of the 3D rotor model lives in 4 dimensions: give four extents, e.g. 6x6x6x6",
            ));
        }
        GaugeAction::wilson(lattice.clone(), beta)?;
        Ok(WilsonU1 { lattice, beta })
    }

    /// The engine's action.
    pub fn action(&self) -> GaugeAction {
        GaugeAction::wilson(self.lattice.clone(), self.beta).expect("validated in WilsonU1::new")
    }
}

/// One Monte Carlo run's measurements.
#[derive(Clone, Debug, Serialize)]
pub struct GaugeMeasurement {
    /// β.
    pub beta: f64,
    /// "hot" (random links) or "cold" (all links zero) start.
    pub start: String,
    /// Mean plaquette ⟨cos Θ_P⟩ over the measurement sweeps.
    pub plaquette: f64,
    /// Its standard error (from the variance of block means).
    pub plaquette_error: f64,
    /// Mean monopole density ⟨|m_c|⟩ per 3-cube.
    pub monopole_density: f64,
    /// Its standard error.
    pub monopole_error: f64,
    /// Plaquette after each measurement sweep (the Monte Carlo history).
    pub history: Vec<f64>,
}

/// Plaquette angles Θ_P = (curl θ)_P of link angles in canonical order.
pub fn plaquette_angles(l: &Lattice, theta: &[f64]) -> Vec<f64> {
    let mut phi = vec![0.0; l.n_plaquettes()];
    l.curl(theta, &mut phi);
    phi
}

/// Mean plaquette ⟨cos Θ_P⟩ of link angles in canonical order.
pub fn mean_plaquette(l: &Lattice, theta: &[f64]) -> f64 {
    let phi = plaquette_angles(l, theta);
    phi.iter().map(|p| p.cos()).sum::<f64>() / phi.len() as f64
}

/// DeGrand-Toussaint monopole density of link angles in canonical order: the mean over 3-cubes
/// of |m_c|, with `m_c = (1/2π) Σ_faces ± [Θ_P]` and `[x]` the angle wrapped into (−π, π].
pub fn monopole_density(l: &Lattice, theta: &[f64]) -> f64 {
    let wrapped: Vec<f64> = plaquette_angles(l, theta).into_iter().map(wrap_pi).collect();
    let mut total = 0.0;
    for q in 0..l.n_cubes() {
        let s: f64 = l.cube_plaquettes(q).iter().map(|&(p, sg)| f64::from(sg) * wrapped[p]).sum();
        total += (s / (2.0 * PI)).round().abs();
    }
    total / l.n_cubes() as f64
}

/// Heat-bath and overrelaxation sweeps of the Wilson action (one heat bath + three
/// overrelaxation passes per sweep).
#[derive(Clone, Debug)]
pub struct GaugeSampler {
    action: WilsonU1,
}

struct Record<'a> {
    plaq: Vec<f64>,
    mono: Vec<f64>,
    angles: Vec<f64>,
    observer: &'a mut dyn FnMut(usize),
}

impl Hooks<GaugeChain> for Record<'_> {
    fn measure(&mut self, c: &GaugeChain, _: u64) -> Result<()> {
        self.plaq.push(c.plaquette()?.all);
        c.field().angles_into(&mut self.angles)?;
        self.mono.push(monopole_density(c.action().lattice(), &self.angles));
        Ok(())
    }
    fn progress(&mut self, done: u64, _: u64) {
        if done > 0 {
            (self.observer)(done as usize);
        }
    }
}

impl GaugeSampler {
    /// A sampler of `action`.
    pub fn new(action: &WilsonU1) -> Self {
        GaugeSampler { action: action.clone() }
    }

    /// Thermalize for `therm` sweeps, then measure over `sweeps` sweeps; `observer` gets the
    /// number of sweeps done after each one.
    pub fn run(
        &self,
        start_hot: bool,
        therm: usize,
        sweeps: usize,
        seed: u64,
        observer: &mut dyn FnMut(usize),
    ) -> Result<GaugeMeasurement> {
        if sweeps < 2 {
            return Err(Error::invalid("sweeps", sweeps.to_string(), "measure over at least 2 sweeps"));
        }
        let start = if start_hot { Start::Hot } else { Start::Cold };
        let mut chain = GaugeChain::new(self.action.action(), start, seed, SweepPlan::default())?;
        let mut rec = Record {
            plaq: Vec::with_capacity(sweeps),
            mono: Vec::with_capacity(sweeps),
            angles: vec![0.0; self.action.lattice.n_links()],
            observer,
        };
        run(&mut chain, &Schedule::new(therm as u64, sweeps as u64), &mut rec)?;
        let (pm, pe) = mean_and_error(&rec.plaq);
        let (mm, me) = mean_and_error(&rec.mono);
        Ok(GaugeMeasurement {
            beta: self.action.beta,
            start: start.name().into(),
            plaquette: pm,
            plaquette_error: pe,
            monopole_density: mm,
            monopole_error: me,
            history: rec.plaq,
        })
    }
}

/// Mean and standard error from 10 blocks (accounts for autocorrelation shorter than a block).
pub fn mean_and_error(x: &[f64]) -> (f64, f64) {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let nb = 10.min(n);
    let bs = n / nb;
    let blocks: Vec<f64> = (0..nb).map(|b| x[b * bs..(b + 1) * bs].iter().sum::<f64>() / bs as f64).collect();
    let var = blocks.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / (nb as f64 * (nb as f64 - 1.0).max(1.0));
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input() {
        assert!(WilsonU1::new(Lattice::parse("4x4x4").unwrap(), 1.0).is_err());
        assert!(WilsonU1::new(Lattice::parse("4x4x4x5").unwrap(), 1.0).is_err());
        assert!(WilsonU1::new(Lattice::parse("4x4x4x4").unwrap(), 0.0).is_err());
        let s = GaugeSampler::new(&WilsonU1::new(Lattice::parse("4x4x4x4").unwrap(), 1.0).unwrap());
        assert!(s.run(true, 1, 1, 1, &mut |_| {}).is_err());
    }

    #[test]
    fn a_cold_field_has_plaquette_one_and_no_monopoles() {
        let l = Lattice::parse("4x4x4x4").unwrap();
        let theta = vec![0.0; l.n_links()];
        assert_eq!(monopole_density(&l, &theta), 0.0);
        assert_eq!(mean_plaquette(&l, &theta), 1.0);
    }
}
