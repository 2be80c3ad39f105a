//! Lattice actions of compact U(1) gauge theory, and the rotor model's path integral as one.
//!
//! An action assigns every plaquette a weight `exp(−s(Θ_P))` that depends on its plane: planes
//! that contain the last axis (imaginary time) are *temporal*, the others *spatial*. Each kind has
//! its own [`Plane`] coupling, Wilson or Villain:
//!
//! - Wilson: `s(Θ) = β (1 − cos Θ)`;
//! - Villain: `s(Θ) = −ln[Σ_n exp(−β(Θ − 2πn)²/2) / Σ_n exp(−β(2πn)²/2)]`, the periodic Gaussian.
//!
//! [`GaugeAction::wilson`] and [`GaugeAction::villain`] are the isotropic actions; the rotor model
//! of the talk (`H = U Σ Q² + J Σ L² − g Σ_p (B_p + B_p†)`, rotor note 1.3) in its charge-free
//! sector is, after Trotterizing `Tr e^{−H/T}` with time step τ (rotor note 4.1),
//! [`GaugeAction::rotor`]: Wilson on spatial plaquettes with `β_s = 2τg` (the magnetic factor
//! `exp(τg(B + B†)) = exp(2τg cos Φ)`, exact) and Villain on temporal plaquettes with
//! `β_t = 1/(2τJ)` (the kinetic factor `⟨θ'|exp(−τJL²)|θ⟩`, exactly a periodic Gaussian by
//! Poisson resummation; the temporal links are the Lagrange multipliers of Gauss's law). See
//! [`RotorCouplings`] for the mapping, its τ → 0 limit and the largest meaningful τ.

use crate::error::{require_positive, Error, Result};
use crate::lattice::{wrap_pi, Lattice};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::fmt;

/// The form of a plaquette weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weight {
    /// `s(Θ) = β (1 − cos Θ)`: sampled by an exact heat bath (von Mises) and overrelaxation.
    Wilson,
    /// The periodic Gaussian `s(Θ) = −ln Σ_n exp(−β(Θ − 2πn)²/2)` (normalized to 0 at Θ = 0):
    /// sampled by Metropolis.
    Villain,
}

impl fmt::Display for Weight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Weight::Wilson => "Wilson",
            Weight::Villain => "Villain",
        })
    }
}

/// The coupling of one kind of plaquette: its weight and `β`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plane {
    /// Wilson or Villain.
    pub weight: Weight,
    /// The inverse coupling β > 0 (`β = 1/e²` for the isotropic Wilson action).
    pub beta: f64,
}

/// Below this, the images `n ≠ 0` of a Villain weight are dropped (their sum is smaller than
/// this fraction of the `n = 0` term, below the rounding of the action).
const VILLAIN_IMAGE_CUTOFF: f64 = 1e-17;

impl Plane {
    /// A Wilson plaquette coupling.
    pub fn wilson(beta: f64) -> Self {
        Plane { weight: Weight::Wilson, beta }
    }

    /// A Villain plaquette coupling.
    pub fn villain(beta: f64) -> Self {
        Plane { weight: Weight::Villain, beta }
    }

    fn validate(&self, what: &str) -> Result<()> {
        require_positive(
            what,
            self.beta,
            "β is the inverse coupling of the plaquette weight; β → 0 is infinitely strong coupling",
        )?;
        if self.weight == Weight::Villain && self.beta < 1e-4 {
            return Err(Error::invalid(
                what,
                format!("{}", self.beta),
                "a Villain β below 1e-4 needs more than a thousand periodic images per plaquette; use β ≥ 1e-4",
            ));
        }
        Ok(())
    }

    /// The action `s(Θ)` of one plaquette of angle Θ (any real number; `s(0) = 0`, `s ≥ 0`).
    ///
    /// Villain: with `Θ` wrapped into (−π, π], `s = βΘ²/2 − ln(1 + Σ_{n≥1} [e^{−2πβn(πn−Θ)} +
    /// e^{−2πβn(πn+Θ)}]) + ln(1 + 2 Σ_{n≥1} e^{−2π²βn²})`, summed while the terms matter (the images
    /// are dropped when their sum is below 1e-17 of the leading term).
    #[inline]
    pub fn action(&self, theta: f64) -> f64 {
        match self.weight {
            Weight::Wilson => self.beta * (1.0 - theta.cos()),
            Weight::Villain => villain_action(self.beta, wrap_pi(theta)) - villain_action(self.beta, 0.0),
        }
    }
}

/// `βΘ²/2 − ln(1 + Σ_{n≥1} [e^{−2πβn(πn−Θ)} + e^{−2πβn(πn+Θ)}])` for Θ in (−π, π]: minus the log
/// of the periodic Gaussian divided by `e^{−βΘ²/2}`'s normalization (unnormalized Villain action).
#[inline]
pub(crate) fn villain_action(beta: f64, theta: f64) -> f64 {
    let gauss = 0.5 * beta * theta * theta;
    // the largest image term is n = 1 on the side of Θ: exp(−2πβ(π − |Θ|))
    let lead = -2.0 * PI * beta * (PI - theta.abs());
    if lead < VILLAIN_IMAGE_CUTOFF.ln() {
        return gauss;
    }
    let mut images = 0.0;
    let mut n = 1.0f64;
    loop {
        let a = (-2.0 * PI * beta * n * (PI * n - theta)).exp();
        let b = (-2.0 * PI * beta * n * (PI * n + theta)).exp();
        images += a + b;
        if a + b < VILLAIN_IMAGE_CUTOFF * (1.0 + images) || n > 2000.0 {
            break;
        }
        n += 1.0;
    }
    gauss - images.ln_1p()
}

/// A compact U(1) lattice action: the lattice (time is its last axis) and the couplings of its
/// spatial and temporal plaquettes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GaugeAction {
    lattice: Lattice,
    space: Plane,
    time: Plane,
}

impl GaugeAction {
    /// An action on `lattice` (2 to 4 dimensions, every extent even: the checkerboard of the
    /// parallel update needs it) with `space` for the planes of two spatial axes and `time` for
    /// the planes that contain the last axis.
    pub fn new(lattice: Lattice, space: Plane, time: Plane) -> Result<Self> {
        if lattice.dim() < 2 {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                "a gauge field needs plaquettes: give 2 to 4 extents, e.g. 8x8x8x8 (the last axis is imaginary time)",
            ));
        }
        if let Some(odd) = lattice.extents().iter().find(|&&e| e % 2 == 1) {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                format!(
                    "extent {odd} is odd: the parallel checkerboard update needs every extent even (links of one direction on sites of one parity share no plaquette only then), e.g. {}",
                    lattice.extents().iter().map(|e| (e + e % 2).to_string()).collect::<Vec<_>>().join("x")
                ),
            ));
        }
        space.validate("spatial beta")?;
        time.validate("temporal beta")?;
        // The action sums are exact fixed-point sums (`ExactSum`): their total must stay below
        // 2⁶² ≈ 4.6e18. A plaquette's action is at most 2β (Wilson) or βπ²/2 < 5β (Villain), so
        // 5β·N_P must. Beyond it the sums wrap and a flux twist of enormous cost is accepted (the
        // fuzz found `phases --beta 1.8e19` ending with every plaquette at cos(2π/L²)).
        let beta = space.beta.max(time.beta);
        let n_p = lattice.n_plaquettes() as f64;
        let limit = (1u64 << 62) as f64 / (5.0 * n_p);
        if beta >= limit {
            return Err(Error::invalid(
                "beta",
                format!("{beta:.3e}"),
                format!(
                    "the action sums of {} plaquettes hold β < {limit:.1e}; use a smaller β (at β = 1e6 the links are frozen to 1e-3 rad already){}",
                    n_p,
                    if time.beta > space.beta { ", or a longer time step (the temporal β grows as 1/τ)" } else { "" }
                ),
            ));
        }
        Ok(GaugeAction { lattice, space, time })
    }

    /// The isotropic Wilson action `β Σ_P (1 − cos Θ_P)`.
    pub fn wilson(lattice: Lattice, beta: f64) -> Result<Self> {
        require_positive("beta", beta, "β = 1/e² of the Wilson action must be positive")?;
        Self::new(lattice, Plane::wilson(beta), Plane::wilson(beta))
    }

    /// The isotropic Villain action.
    pub fn villain(lattice: Lattice, beta: f64) -> Result<Self> {
        require_positive("beta", beta, "β_V of the Villain action must be positive")?;
        Self::new(lattice, Plane::villain(beta), Plane::villain(beta))
    }

    /// The rotor model's path integral on `lattice` (2 or 3 spatial extents, then the number of
    /// time slices as the last extent): Wilson `β_s = 2τg` on spatial plaquettes, Villain
    /// `β_t = 1/(2τJ)` on temporal ones ([`RotorCouplings`]).
    pub fn rotor(lattice: Lattice, couplings: &RotorCouplings) -> Result<Self> {
        if !(3..=4).contains(&lattice.dim()) {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                "the rotor model lives on a square or cubic lattice: give 2 or 3 spatial extents and the time slices last, e.g. 8x8x8 + 16 slices = 8x8x8x16",
            ));
        }
        Self::new(lattice, Plane::wilson(couplings.beta_space()), Plane::villain(couplings.beta_time()))
    }

    /// The lattice.
    pub fn lattice(&self) -> &Lattice {
        &self.lattice
    }
    /// Number of dimensions.
    pub fn dim(&self) -> usize {
        self.lattice.dim()
    }
    /// The imaginary-time axis: the last one.
    pub fn time_axis(&self) -> usize {
        self.lattice.dim() - 1
    }
    /// The coupling of spatial plaquettes.
    pub fn space(&self) -> Plane {
        self.space
    }
    /// The coupling of temporal plaquettes.
    pub fn time(&self) -> Plane {
        self.time
    }
    /// True if the plane of axes `a`, `b` contains the time axis.
    pub fn is_temporal(&self, a: usize, b: usize) -> bool {
        a == self.time_axis() || b == self.time_axis()
    }
    /// The coupling of the plane of axes `a ≠ b`.
    pub fn plane(&self, a: usize, b: usize) -> Plane {
        if self.is_temporal(a, b) {
            self.time
        } else {
            self.space
        }
    }
    /// True if spatial and temporal plaquettes have the same coupling.
    pub fn is_isotropic(&self) -> bool {
        self.space == self.time
    }
    /// True if every plaquette containing a link of direction `mu` is Wilson (its links get the
    /// exact heat bath and exact overrelaxation; otherwise Metropolis).
    pub fn is_wilson_direction(&self, mu: usize) -> bool {
        (0..self.dim()).filter(|&nu| nu != mu).all(|nu| self.plane(mu, nu).weight == Weight::Wilson)
    }
    /// The action of one plaquette of plane (a, b) with angle Θ.
    pub fn plaquette_action(&self, a: usize, b: usize, theta: f64) -> f64 {
        self.plane(a, b).action(theta)
    }
    /// A short description, e.g. "Wilson β = 1.0000 (isotropic)".
    pub fn describe(&self) -> String {
        if self.is_isotropic() {
            format!("{} β = {} (isotropic) on {}", self.space.weight, self.space.beta, self.lattice)
        } else {
            format!(
                "{} β_s = {} (space-space), {} β_t = {} (space-time) on {}",
                self.space.weight, self.space.beta, self.time.weight, self.time.beta, self.lattice
            )
        }
    }
}

/// The mapping from the rotor model's couplings `(g, J)` and imaginary-time step τ to the lattice
/// couplings of its path integral (rotor note 4.1).
///
/// - spatial plaquettes: Wilson, `β_s = 2τg` (exact: `exp(τg(B_p + B_p†)) = exp(2τg cos Φ_p)`);
/// - temporal plaquettes: Villain, `β_t = 1/(2τJ)` (exact: `⟨θ'|e^{−τJL²}|θ⟩ ∝ Σ_m exp[−(θ' − θ −
///   2πm)²/(4τJ)]`), with the temporal links the Lagrange multipliers of `Q_r = 0`;
/// - only the Trotter splitting `e^{−τ(K+V)} ≈ e^{−τK} e^{−τV}` is approximate, with an error that
///   vanishes as τ → 0.
///
/// The τ → 0 (Hamiltonian) limit is taken at fixed `β_s β_t = g/J`: `β_s → 0`, `β_t → ∞`, and the
/// anisotropy `ξ = sqrt(β_t/β_s) = 1/(2τ√(gJ)) = a/(cτ)` (the number of time steps light, at the
/// classical speed `c = 2√(gJ)`, needs to cross one lattice spacing) grows without bound. The
/// lattice of `N_t` slices describes the temperature `T = 1/(N_t τ)`; `T → 0` needs `N_t τ √(gJ) ≫ 1`.
///
/// The mapping is refused for `τ√(gJ) ≥ 1/2`, i.e. `ξ ≤ 1`: the time step would be longer than the
/// time light needs to cross a lattice spacing, the fastest photons (`ω_max = 2√d · c` on the
/// d-dimensional lattice) would have `ω τ ≥ √d`, and the Trotter error of the transfer matrix is
/// then of order one: the lattice no longer approximates the Hamiltonian.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotorCouplings {
    /// The plaquette (magnetic) coupling g > 0.
    pub g: f64,
    /// The electric (string-tension) coupling J > 0.
    pub j: f64,
    /// The imaginary-time step τ > 0 (units of 1/energy).
    pub tau: f64,
}

impl RotorCouplings {
    /// The largest meaningful `τ√(gJ)` (exclusive): anisotropy ξ > 1.
    pub const MAX_TAU_SQRT_GJ: f64 = 0.5;

    /// Validated couplings: g > 0, J > 0, τ > 0 with `τ√(gJ) < 1/2`.
    pub fn new(g: f64, j: f64, tau: f64) -> Result<Self> {
        require_positive("g", g, "the plaquette term −g Σ (B_p + B_p†) makes the strings fluctuate")?;
        require_positive("J", j, "the term J Σ L² is the string tension")?;
        require_positive("time step", tau, "τ is the imaginary-time step of the Trotter decomposition")?;
        let x = tau * (g * j).sqrt();
        if x >= Self::MAX_TAU_SQRT_GJ {
            return Err(Error::invalid(
                "time step",
                format!("τ = {tau} (τ√(gJ) = {x:.4})"),
                format!(
                    "τ√(gJ) must stay below 1/2, i.e. τ < {:.6} for g = {g}, J = {j}: beyond it the time step is longer than light (c = 2√(gJ)) needs to cross one lattice spacing and the Trotter error is of order one; use τ√(gJ) ≤ 0.2 for accurate results",
                    Self::MAX_TAU_SQRT_GJ / (g * j).sqrt()
                ),
            ));
        }
        Ok(RotorCouplings { g, j, tau })
    }

    /// The spatial Wilson coupling `β_s = 2τg`.
    pub fn beta_space(&self) -> f64 {
        2.0 * self.tau * self.g
    }
    /// The temporal Villain coupling `β_t = 1/(2τJ)`.
    pub fn beta_time(&self) -> f64 {
        1.0 / (2.0 * self.tau * self.j)
    }
    /// The anisotropy `ξ = sqrt(β_t/β_s) = 1/(2τ√(gJ))` (> 1; → ∞ in the Hamiltonian limit).
    pub fn anisotropy(&self) -> f64 {
        1.0 / (2.0 * self.tau * (self.g * self.j).sqrt())
    }
    /// The classical speed of light `c = 2√(gJ)` (rotor note 2.2).
    pub fn classical_speed_of_light(&self) -> f64 {
        2.0 * (self.g * self.j).sqrt()
    }
    /// The temperature `T = 1/(N_t τ)` of `time_slices` slices.
    pub fn temperature(&self, time_slices: usize) -> f64 {
        1.0 / (time_slices as f64 * self.tau)
    }
    /// The lattice couplings in words, e.g. for the CLI.
    pub fn describe(&self) -> String {
        format!(
            "g = {}, J = {}, τ = {} → Wilson β_s = 2τg = {:.6} (space-space), Villain β_t = 1/(2τJ) = {:.6} (space-time), anisotropy ξ = 1/(2τ√(gJ)) = {:.4}",
            self.g,
            self.j,
            self.tau,
            self.beta_space(),
            self.beta_time(),
            self.anisotropy()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Villain action against a direct sum of 201 images (independent of the shortcut in
    /// `villain_action`), at small and large β and near Θ = ±π where the images matter.
    #[test]
    fn villain_action_matches_the_direct_image_sum() {
        let direct = |beta: f64, t: f64| {
            let w = |x: f64| {
                (-100i32..=100).map(|n| (-0.5 * beta * (x - 2.0 * PI * f64::from(n)).powi(2)).exp()).sum::<f64>()
            };
            -(w(t) / w(0.0)).ln()
        };
        for beta in [0.05, 0.3, 1.0, 4.0, 50.0] {
            for t in [0.0, 0.3, -1.7, 3.0, PI, -3.1, 5.0, -9.0] {
                let p = Plane::villain(beta);
                let want = direct(beta, t);
                assert!((p.action(t) - want).abs() < 1e-12 * (1.0 + want), "β {beta} Θ {t}: {} vs {want}", p.action(t));
            }
        }
        assert_eq!(Plane::wilson(2.0).action(0.0), 0.0);
        assert!((Plane::wilson(2.0).action(PI) - 4.0).abs() < 1e-15);
    }

    #[test]
    fn rotor_mapping_and_its_limits() {
        let c = RotorCouplings::new(2.0, 0.5, 0.1).unwrap();
        assert!((c.beta_space() - 0.4).abs() < 1e-15);
        assert!((c.beta_time() - 10.0).abs() < 1e-15);
        // β_s β_t = g/J at every τ; ξ² = β_t/β_s
        assert!((c.beta_space() * c.beta_time() - 4.0).abs() < 1e-12);
        assert!((c.anisotropy().powi(2) - c.beta_time() / c.beta_space()).abs() < 1e-12);
        assert!((c.temperature(20) - 0.5).abs() < 1e-15);
        // τ√(gJ) = 0.5 is refused, just below is accepted
        let e = RotorCouplings::new(1.0, 1.0, 0.5).unwrap_err().to_string();
        assert!(e.contains("must stay below 1/2"), "{e}");
        assert!(RotorCouplings::new(1.0, 1.0, 0.49).is_ok());
        for (g, j, t) in [(0.0, 1.0, 0.1), (1.0, -1.0, 0.1), (1.0, 1.0, 0.0), (f64::NAN, 1.0, 0.1)] {
            assert!(RotorCouplings::new(g, j, t).is_err(), "{g} {j} {t}");
        }
        let lat = Lattice::parse("4x4x8").unwrap();
        let a = GaugeAction::rotor(lat, &c).unwrap();
        assert_eq!(a.plane(0, 1), Plane::wilson(0.4));
        assert_eq!(a.plane(0, 2), Plane::villain(10.0));
        assert!(!a.is_wilson_direction(0) && !a.is_wilson_direction(2));
    }

    #[test]
    fn bad_actions_are_refused_with_a_reason() {
        let odd = GaugeAction::wilson(Lattice::parse("4x4x4x5").unwrap(), 1.0).unwrap_err().to_string();
        assert!(odd.contains("every extent even") && odd.contains("4x4x4x6"), "{odd}");
        assert!(GaugeAction::wilson(Lattice::parse("8").unwrap(), 1.0).is_err());
        for b in [0.0, -1.0, f64::INFINITY, f64::NAN] {
            assert!(GaugeAction::wilson(Lattice::parse("4x4").unwrap(), b).is_err(), "{b}");
            assert!(GaugeAction::villain(Lattice::parse("4x4").unwrap(), b).is_err(), "{b}");
        }
        let c = RotorCouplings::new(1.0, 1.0, 0.1).unwrap();
        assert!(GaugeAction::rotor(Lattice::parse("4x4").unwrap(), &c).is_err());
        let a = GaugeAction::wilson(Lattice::parse("4x4x4x4").unwrap(), 1.0).unwrap();
        assert!(a.is_isotropic() && a.is_wilson_direction(3));
    }
}
