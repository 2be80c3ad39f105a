//! The rotor model's own observables in its path integral: the energy per site and the
//! equal-time electric correlator.
//!
//! Trotterizing `H = J Σ L² − g Σ_p (B_p + B_p†)` (U = ∞: the Gauss projector's integrals are the
//! temporal links) with time step τ gives spatial plaquettes with the Wilson weight
//! `exp(2τg cos Θ)` (`β_s = 2τg`) and temporal plaquettes with the Villain weight
//! `V(Θ) = (4πτJ)^{−1/2} Σ_m exp(−(Θ − 2πm)²/(4τJ))` (`β_t = 1/(2τJ)`), which is the kinetic
//! matrix element `⟨θ'| e^{−τJL²} |θ⟩` after Poisson resummation. The energy estimator is
//! `E = −∂ ln Z/∂β` at fixed slice count: per site
//!
//! `E/N = −2g Σ_{spatial planes} ⟨cos Θ⟩ + d ⟨J q(Θ_t)⟩`,
//! `q(Θ) = ⟨n²⟩_Θ = Σ_n n² e^{−τJn²} cos nΘ / Σ_n e^{−τJn²} cos nΘ = 1/(2τJ) − ⟨w²⟩_m/(4τ²J²)`,
//!
//! (`w_m = Θ − 2πm`, `⟨·⟩_m` weighted by the Villain terms), the conditional mean of `L²` given
//! the temporal plaquette. The same generating function gives the equal-time electric field:
//! `⟨L_l L_m⟩` is `⟨q_l⟩` on the diagonal and `−⟨s_l s_m⟩` off it, with
//! `s(Θ) = Σ_n n e^{−τJn²} sin nΘ / Σ_n e^{−τJn²} cos nΘ = ⟨w⟩_m/(2τJ)` (L is `i` times a real
//! estimator in imaginary time), so per component
//! `⟨|E_b(k)|²⟩ = (1/N_s) ⟨Σ_x (q + s²) − |Σ_x e^{ik·x} s|²⟩`. Derivations:
//! `docs/physics/lattice-gauge-observables.md`, "The rotor model's path integral".

use crate::error::{Error, Result};
use crate::mc::measure::{Geometry, History, Measure, Observable, Report, Scalar, Snapshot};
use crate::stats::estimate;
use serde::Serialize;
use std::f64::consts::PI;

pub use crate::mc::action::RotorCouplings;

/// Below this τJ the Villain sums converge fastest over windings m, above it over charges n.
const TAU_J_SWITCH: f64 = 0.6;

/// Conditional moments of the link's electric field given its temporal plaquette angle:
/// `(q, s) = (⟨n²⟩_Θ, ⟨n⟩_Θ / i)` under the weight `e^{−τJn² + inΘ}` (see the module docs).
pub fn villain_moments(theta: f64, tau_j: f64) -> (f64, f64) {
    if tau_j < TAU_J_SWITCH {
        villain_moments_winding(theta, tau_j)
    } else {
        villain_moments_charge(theta, tau_j)
    }
}

/// The winding (Poisson-resummed) form: sums over m of `exp(−(Θ − 2πm)²/(4τJ))`.
pub fn villain_moments_winding(theta: f64, tau_j: f64) -> (f64, f64) {
    let th = crate::lattice::wrap_pi(theta);
    let four = 4.0 * tau_j;
    // terms beyond |w| = 2π·M are below e^{-(2πM - π)²/(4τJ)}: M = 3 covers τJ < 0.6 to 1e-16
    let (mut z, mut w1, mut w2) = (0.0, 0.0, 0.0);
    for m in -4..=4 {
        let w = th - 2.0 * PI * m as f64;
        let e = (-w * w / four).exp();
        z += e;
        w1 += w * e;
        w2 += w * w * e;
    }
    let (mw, mw2) = (w1 / z, w2 / z);
    (1.0 / (2.0 * tau_j) - mw2 / (four * tau_j), mw / (2.0 * tau_j))
}

/// The charge form: sums over n of `n^p e^{−τJn²}` times cos or sin of nΘ.
pub fn villain_moments_charge(theta: f64, tau_j: f64) -> (f64, f64) {
    // e^{−τJ n²} < 1e-17 for n² τJ > 39: n up to sqrt(39/τJ) + 1
    let nmax = ((39.0 / tau_j).sqrt().ceil() as i64).max(2);
    let (mut z, mut q, mut s) = (1.0, 0.0, 0.0);
    for n in 1..=nmax {
        let nf = n as f64;
        let e = (-tau_j * nf * nf).exp();
        let (sn, cs) = (nf * theta).sin_cos();
        z += 2.0 * e * cs;
        q += 2.0 * nf * nf * e * cs;
        s += 2.0 * nf * e * sn;
    }
    (q / z, s / z)
}

/// The rotor model's energy per site and the equal-time transverse electric correlator.
#[derive(Debug)]
pub struct RotorEnergy {
    geometry: Geometry,
    couplings: RotorCouplings,
    /// Momentum classes: (n, axes a with that extent) for k = 2πn/L e_a.
    classes: Vec<(usize, Vec<usize>)>,
}

/// The equal-time field correlator at one momentum, with its Gaussian values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EqualTime {
    /// |k| (radians per spacing), k along a lattice axis.
    pub k: f64,
    /// |K| = 2 sin(k/2).
    pub k_lattice: f64,
    /// Measured ⟨|F_T(k)|²⟩ per transverse component.
    pub transverse: Scalar,
    /// Measured longitudinal component (0 by Gauss's law for E; by div B = 0 for B).
    pub longitudinal: Option<Scalar>,
    /// The Gaussian (harmonic) value at this τ and number of slices.
    pub gaussian_lattice: f64,
    /// The Gaussian value at T = 0 and τ → 0 (rotor note 4.4 item 5): ½√(g/J)|K| for E,
    /// ½√(J/g)|K| for B.
    pub gaussian_ground_state: f64,
}

/// The rotor energy report (energies in the units of g and J).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RotorEnergyReport {
    /// Ground-state energy per site estimate (at this τ and temperature).
    pub energy_per_site: Scalar,
    /// Its magnetic part −g Σ (B + B†) per site.
    pub magnetic: Scalar,
    /// Its electric part J Σ L² per site.
    pub electric: Scalar,
    /// Equal-time ⟨|E_T(k)|²⟩ at the smallest momenta.
    pub electric_correlator: Vec<EqualTime>,
    /// The temperature 1/(N_t τ) simulated.
    pub temperature: f64,
}

/// The Gaussian theory's lattice energy of a transverse photon: `2 sinh(ε/2) = τ ω`, with
/// `ω = 2√(gJ)|K|`; returns ε (per slice).
pub fn gaussian_slice_energy(c: &RotorCouplings, k_lattice: f64) -> f64 {
    2.0 * (0.5 * c.tau * c.classical_speed_of_light() * k_lattice).asinh()
}

/// Gaussian ⟨|E_T(k)|²⟩ per component at time step τ and `nt` slices (primitive estimator of the
/// discrete-time oscillator with mass 1/(2J)): `τω² coth(N_t ε/2) / (4J sinh ε)`.
pub fn gaussian_electric(c: &RotorCouplings, k_lattice: f64, nt: usize) -> f64 {
    let w = c.classical_speed_of_light() * k_lattice;
    let eps = gaussian_slice_energy(c, k_lattice);
    c.tau * w * w / ((0.5 * nt as f64 * eps).tanh() * 4.0 * c.j * eps.sinh())
}

/// Gaussian ⟨|B_T(k)|²⟩ per component: `|K|² J τ coth(N_t ε/2) / sinh ε`.
pub fn gaussian_magnetic(c: &RotorCouplings, k_lattice: f64, nt: usize) -> f64 {
    let eps = gaussian_slice_energy(c, k_lattice);
    k_lattice * k_lattice * c.j * c.tau / ((0.5 * nt as f64 * eps).tanh() * eps.sinh())
}

/// Momentum classes along the spatial axes: n = 1..=n_max (n ≤ L/2), axes grouped by extent.
pub fn axis_momentum_classes(space_extents: &[usize], n_max: usize) -> Vec<(usize, usize, Vec<usize>)> {
    let mut lengths: Vec<usize> = space_extents.to_vec();
    lengths.sort();
    lengths.dedup();
    let mut out = Vec::new();
    for &len in &lengths {
        let axes: Vec<usize> = (0..space_extents.len()).filter(|&a| space_extents[a] == len).collect();
        for n in 1..=n_max.min(len / 2) {
            out.push((len, n, axes.clone()));
        }
    }
    out.sort_by(|a, b| (a.1 as f64 / a.0 as f64).total_cmp(&(b.1 as f64 / b.0 as f64)));
    out
}

impl RotorEnergy {
    /// The estimators on a rotor-model lattice (space first, time last).
    pub fn new(g: &Geometry, couplings: RotorCouplings) -> Result<Self> {
        if g.space_dim() < 2 {
            return Err(Error::invalid(
                "--lattice",
                g.lattice.to_string(),
                "the rotor model needs 2 or 3 spatial dimensions (plaquettes in space)",
            ));
        }
        let classes = axis_momentum_classes(g.space_extents(), 1).into_iter().map(|(_, n, axes)| (n, axes)).collect();
        Ok(RotorEnergy { geometry: g.clone(), couplings, classes })
    }

    fn k_of(&self, n: usize, axis: usize) -> f64 {
        2.0 * PI * n as f64 / self.geometry.space_extents()[axis] as f64
    }
}

impl Observable for RotorEnergy {
    fn kind(&self) -> Measure {
        Measure::Energy
    }
    fn series(&self) -> Vec<String> {
        let mut v = vec!["energy_magnetic".to_string(), "energy_electric".to_string()];
        for (n, axes) in &self.classes {
            let l = self.geometry.space_extents()[axes[0]];
            v.push(format!("electric_transverse_k{n}_L{l}"));
            v.push(format!("electric_longitudinal_k{n}_L{l}"));
        }
        v
    }
    fn measure(&self, s: &Snapshot<'_>, out: &mut Vec<f64>) {
        let g = &self.geometry;
        let l = &g.lattice;
        let ds = g.space_dim();
        let (ns, nt) = (g.n_space(), g.n_time());
        let pp = l.planes_per_site();
        let tau_j = self.couplings.tau * self.couplings.j;
        // magnetic: −2g Σ_{spatial planes} cos Θ per site
        let (mut mag, mut ele) = (0.0, 0.0);
        // q and s per temporal plaquette, indexed [t][a][xs]
        let mut qs = vec![0.0; nt * ds * ns];
        let mut ss = vec![0.0; nt * ds * ns];
        for r in 0..l.n_sites() {
            let (xs, t) = g.split(r);
            for p in 0..pp {
                let (a, b) = l.plane_axes(p);
                let ang = s.plaquette[r * pp + p];
                if b == g.time_axis() {
                    let (q, sv) = villain_moments(ang, tau_j);
                    ele += q;
                    qs[(t * ds + a) * ns + xs] = q;
                    ss[(t * ds + a) * ns + xs] = sv;
                } else {
                    mag += ang.cos();
                }
            }
        }
        let sites = l.n_sites() as f64;
        out.push(-2.0 * self.couplings.g * mag / sites);
        out.push(self.couplings.j * ele / sites);
        // equal-time ⟨|E_b(k)|²⟩ per component, averaged over slices, axes of the class and
        // transverse components
        for (n, axes) in &self.classes {
            let (mut tr, mut ntr, mut lo, mut nlo) = (0.0, 0, 0.0, 0);
            for &a in axes {
                let k = self.k_of(*n, a);
                let ext = g.space_extents();
                let stride: usize = ext[..a].iter().product();
                for t in 0..nt {
                    for b in 0..ds {
                        let base = (t * ds + b) * ns;
                        let (mut re, mut im, mut diag) = (0.0, 0.0, 0.0);
                        for xs in 0..ns {
                            let xa = (xs / stride) % ext[a];
                            let (sn, cs) = (k * xa as f64).sin_cos();
                            let sv = ss[base + xs];
                            re += cs * sv;
                            im += sn * sv;
                            diag += qs[base + xs] + sv * sv;
                        }
                        let val = (diag - (re * re + im * im)) / ns as f64;
                        if b == a {
                            lo += val;
                            nlo += 1;
                        } else {
                            tr += val;
                            ntr += 1;
                        }
                    }
                }
            }
            out.push(tr / ntr as f64);
            out.push(lo / nlo as f64);
        }
    }
    fn analyze(&self, h: &History) -> Report {
        let est = h.estimates();
        let total: Vec<f64> = h.column(0).iter().zip(h.column(1)).map(|(a, b)| a + b).collect();
        let c = &self.couplings;
        let nt = self.geometry.n_time();
        let electric_correlator = self
            .classes
            .iter()
            .enumerate()
            .map(|(i, (n, axes))| {
                let k = self.k_of(*n, axes[0]);
                let kl = 2.0 * (0.5 * k).sin();
                EqualTime {
                    k,
                    k_lattice: kl,
                    transverse: (&est[2 + 2 * i]).into(),
                    longitudinal: Some((&est[3 + 2 * i]).into()),
                    gaussian_lattice: gaussian_electric(c, kl, nt),
                    gaussian_ground_state: 0.5 * (c.g / c.j).sqrt() * kl,
                }
            })
            .collect();
        Report::Energy(RotorEnergyReport {
            energy_per_site: (&estimate(&total)).into(),
            magnetic: (&est[0]).into(),
            electric: (&est[1]).into(),
            electric_correlator,
            temperature: 1.0 / (nt as f64 * c.tau),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn villain_moment_representations_agree() {
        // Poisson resummation: the winding and charge sums are the same functions of Θ; both are
        // converged around the switch τJ = 0.6, so they must agree to rounding there and in a
        // window around it.
        for tau_j in [0.3, 0.45, 0.6, 0.8, 1.2] {
            for k in 0..25 {
                let th = -PI + 2.0 * PI * (k as f64 + 0.37) / 25.0;
                let (q1, s1) = villain_moments_winding(th, tau_j);
                let (q2, s2) = villain_moments_charge(th, tau_j);
                assert!((q1 - q2).abs() < 1e-9 * (1.0 + q1.abs()), "τJ = {tau_j}, Θ = {th}: {q1} vs {q2}");
                assert!((s1 - s2).abs() < 1e-9 * (1.0 + s1.abs()), "τJ = {tau_j}, Θ = {th}: {s1} vs {s2}");
            }
        }
    }

    #[test]
    fn villain_moments_are_the_log_derivatives_of_the_weight() {
        // q = −∂_{τJ} ln V and s = −∂_Θ ln V by central differences of the weight itself: the
        // charge sum V = Σ_n e^{−τJn²} cos nΘ for τJ ≥ 0.2, and below that (where the charge sum
        // cancels to rounding) its Poisson-resummed form sqrt(π/τJ) Σ_m e^{−(Θ−2πm)²/(4τJ)}.
        let v = |th: f64, tj: f64| {
            if tj >= 0.2 {
                (-60..=60).map(|n: i64| (-tj * (n * n) as f64).exp() * (n as f64 * th).cos()).sum::<f64>()
            } else {
                (PI / tj).sqrt()
                    * (-20..=20).map(|m: i64| (-(th - 2.0 * PI * m as f64).powi(2) / (4.0 * tj)).exp()).sum::<f64>()
            }
        };
        for (th, tj) in [(0.3, 0.2), (2.0, 0.5), (-1.0, 1.5), (3.0, 0.05)] {
            let h = 1e-5;
            let q = -((v(th, tj + h)).ln() - (v(th, tj - h)).ln()) / (2.0 * h);
            let s = -((v(th + h, tj)).ln() - (v(th - h, tj)).ln()) / (2.0 * h);
            let (qm, sm) = villain_moments(th, tj);
            assert!((q - qm).abs() < 1e-5 * (1.0 + q.abs()), "q at ({th}, {tj}): {q} vs {qm}");
            assert!((s - sm).abs() < 1e-5 * (1.0 + s.abs()), "s at ({th}, {tj}): {s} vs {sm}");
        }
    }

    #[test]
    fn free_rotor_estimator_averages_to_zero_energy() {
        // With g = 0 each link is a free rotor; its ground state L = 0 has zero energy, and the
        // Villain-weighted average of q over Θ is exactly Σ n² e^{−τJn²} δ_{n0} = 0: the
        // estimator is unbiased. Quadrature of q(Θ) V(Θ) over one period (trapezoid on a periodic
        // analytic function: exponentially accurate).
        for tj in [0.1, 0.5, 2.0] {
            let n = 400;
            let (mut num, mut den) = (0.0, 0.0);
            for i in 0..n {
                let th = -PI + 2.0 * PI * i as f64 / n as f64;
                let (q, _) = villain_moments(th, tj);
                let w: f64 = (-40..=40).map(|m: i64| (-(th - 2.0 * PI * m as f64).powi(2) / (4.0 * tj)).exp()).sum();
                num += q * w;
                den += w;
            }
            assert!((num / den).abs() < 1e-10, "τJ = {tj}: {}", num / den);
        }
    }

    #[test]
    fn gaussian_correlators_tend_to_the_ground_state_values() {
        // τ → 0 at fixed large N_t τ: ⟨|E_T|²⟩ → ½√(g/J)|K|, ⟨|B_T|²⟩ → ½√(J/g)|K| (rotor note
        // 4.4 item 5); the finite-τ corrections are O((τω)²).
        let k = 2.0 * (PI / 8.0).sin();
        for (g, j) in [(4.0, 1.0), (1.0, 2.0)] {
            let c = RotorCouplings::new(g, j, 1e-4).unwrap();
            let nt = (100.0 / (c.tau * c.classical_speed_of_light() * k)) as usize;
            let e = gaussian_electric(&c, k, nt);
            let b = gaussian_magnetic(&c, k, nt);
            assert!((e / (0.5 * (g / j).sqrt() * k) - 1.0).abs() < 1e-6, "{e}");
            assert!((b / (0.5 * (j / g).sqrt() * k) - 1.0).abs() < 1e-6, "{b}");
        }
    }
}
