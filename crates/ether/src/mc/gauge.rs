//! Monte Carlo of the rotor model's path integral: 4D compact U(1) lattice gauge theory.
//!
//! Trotterizing the rotor model in the Q = 0 sector gives an anisotropic 4D compact U(1) theory
//! (rotor note, section 4.1); its Coulomb (photon) phase is the deconfined phase. ether samples
//! the isotropic Wilson action `S = β Σ_P (1 − cos Θ_P)` on a periodic 4D lattice, the
//! universality-class anchor of section 4.2 (β_c = 1.0111, first order).
//!
//! Algorithm (section 4.3): an exact heat bath for each link (the local weight is a von Mises
//! distribution `exp(β R cos(θ + α))`, sampled by the Best-Fisher rejection method) interleaved
//! with microcanonical overrelaxation `θ → −2α − θ`. Links of one direction on sites of one parity
//! share no plaquette, so each of the 8 sub-sweeps updates its links in parallel, in fixed chunks
//! with their own random streams: the same seed gives the same numbers for any thread count.
//!
//! Observables (section 4.4): the plaquette `⟨cos Θ_P⟩` and the DeGrand-Toussaint monopole density
//! (integer magnetic charge through every elementary 3-cube, from the wrapped plaquette angles),
//! which drops sharply from the confined to the Coulomb phase.

use crate::error::{require_positive, Error, Result};
use crate::lattice::{wrap_pi, Lattice};
use crate::mc::rng::stream;
use rand::RngExt;
use rayon::prelude::*;
use serde::Serialize;
use std::f64::consts::PI;

/// Links per parallel work item (fixed: results never depend on the thread count).
const CHUNK: usize = 256;

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
        if !lattice.is_bipartite() {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                "the parallel checkerboard update needs even extents, e.g. 6x6x6x6",
            ));
        }
        Ok(WilsonU1 { lattice, beta })
    }
}

/// Draw θ from the von Mises density ∝ exp(κ cos θ) on (−π, π] (Best and Fisher, Appl. Statist.
/// 28, 152 (1979)): an exact rejection sampler with a wrapped-Cauchy envelope.
pub fn von_mises(kappa: f64, rng: &mut impl RngExt) -> f64 {
    if kappa < 1e-8 {
        return PI * (2.0 * rng.random::<f64>() - 1.0);
    }
    let tau = 1.0 + (1.0 + 4.0 * kappa * kappa).sqrt();
    let rho = (tau - (2.0 * tau).sqrt()) / (2.0 * kappa);
    let r = (1.0 + rho * rho) / (2.0 * rho);
    loop {
        let u1: f64 = rng.random();
        let u2: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
        let z = (PI * u1).cos();
        let f = (1.0 + r * z) / (r + z);
        let c = kappa * (r - f);
        if c * (2.0 - c) - u2 > 0.0 || (c / u2).ln() + 1.0 - c >= 0.0 {
            let theta = f.clamp(-1.0, 1.0).acos();
            return if rng.random::<f64>() < 0.5 { -theta } else { theta };
        }
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

/// A gauge field: one angle per link.
#[derive(Clone, Debug)]
pub struct GaugeField {
    theta: Vec<f64>,
}

impl GaugeField {
    /// All links zero (an ordered, "cold" start).
    pub fn cold(l: &Lattice) -> Self {
        GaugeField { theta: vec![0.0; l.n_links()] }
    }
    /// Random links (a disordered, "hot" start).
    pub fn hot(l: &Lattice, seed: u64) -> Self {
        let mut rng = stream(seed, &[u64::MAX]);
        GaugeField { theta: (0..l.n_links()).map(|_| PI * (2.0 * rng.random::<f64>() - 1.0)).collect() }
    }
    /// The link angles.
    pub fn angles(&self) -> &[f64] {
        &self.theta
    }
}

/// Plaquette angles Θ_P = (curl θ)_P.
pub fn plaquette_angles(l: &Lattice, f: &GaugeField) -> Vec<f64> {
    let mut phi = vec![0.0; l.n_plaquettes()];
    l.curl(&f.theta, &mut phi);
    phi
}

/// Mean plaquette ⟨cos Θ_P⟩.
pub fn mean_plaquette(l: &Lattice, f: &GaugeField) -> f64 {
    let phi = plaquette_angles(l, f);
    phi.iter().map(|p| p.cos()).sum::<f64>() / phi.len() as f64
}

/// DeGrand-Toussaint monopole density: the mean over 3-cubes of |m_c|, with
/// `m_c = (1/2π) Σ_faces ± [Θ_P]` and `[x]` the angle wrapped into (−π, π].
pub fn monopole_density(l: &Lattice, f: &GaugeField) -> f64 {
    let wrapped: Vec<f64> = plaquette_angles(l, f).into_iter().map(wrap_pi).collect();
    let mut total = 0.0;
    for q in 0..l.n_cubes() {
        let s: f64 = l.cube_plaquettes(q).iter().map(|&(p, sg)| f64::from(sg) * wrapped[p]).sum();
        total += (s / (2.0 * PI)).round().abs();
    }
    total / l.n_cubes() as f64
}

/// `R e^{iα} = Σ_{P ∋ l} e^{i a_P}` where `cos Θ_P = cos(θ_l + a_P)`: the staple sum of link `l`.
fn staple(l: &Lattice, theta: &[f64], link: usize, planes: &[(usize, usize)]) -> (f64, f64) {
    let (r, mu) = l.link_site_dir(link);
    let (mut re, mut im) = (0.0, 0.0);
    for &(a, b) in planes {
        if a != mu && b != mu {
            continue;
        }
        let nu = if a == mu { b } else { a };
        // two plaquettes in the (mu, nu) plane contain the link: based at r and at r - nu
        for base in [r, l.backward(r, nu)] {
            let p = l.plaquette(base, a, b);
            let mut sign_l = 0.0;
            let mut rest = 0.0;
            for (lk, sg) in l.plaquette_links(p) {
                if lk == link {
                    sign_l = f64::from(sg);
                } else {
                    rest += f64::from(sg) * theta[lk];
                }
            }
            let a_p = sign_l * rest;
            let (s, c) = a_p.sin_cos();
            re += c;
            im += s;
        }
    }
    ((re * re + im * im).sqrt(), im.atan2(re))
}

/// Heat-bath and overrelaxation sweeps of the Wilson action.
#[derive(Clone, Debug)]
pub struct GaugeSampler {
    action: WilsonU1,
    /// Links of each (direction, parity) class.
    classes: Vec<Vec<usize>>,
    planes: Vec<(usize, usize)>,
}

impl GaugeSampler {
    /// Precompute the link classes.
    pub fn new(action: &WilsonU1) -> Self {
        let l = &action.lattice;
        let mut classes = vec![Vec::new(); 8];
        for r in 0..l.n_sites() {
            let par = usize::from(l.parity(r) == -1);
            for mu in 0..4 {
                classes[mu * 2 + par].push(l.link(r, mu));
            }
        }
        let planes = (0..l.planes_per_site()).map(|p| l.plane_axes(p)).collect();
        GaugeSampler { action: action.clone(), classes, planes }
    }

    /// One sweep: a heat-bath pass over all links, then `overrelax` overrelaxation passes.
    pub fn sweep(&self, field: &mut GaugeField, seed: u64, sweep: u64, overrelax: usize) {
        let l = &self.action.lattice;
        let beta = self.action.beta;
        for pass in 0..=overrelax {
            for (ci, class) in self.classes.iter().enumerate() {
                let theta = &field.theta;
                let new: Vec<f64> = class
                    .par_chunks(CHUNK)
                    .enumerate()
                    .flat_map_iter(|(c, chunk)| {
                        let mut rng = stream(seed, &[sweep, pass as u64, ci as u64, c as u64]);
                        chunk
                            .iter()
                            .map(|&link| {
                                let (rr, alpha) = staple(l, theta, link, &self.planes);
                                if pass == 0 {
                                    wrap_pi(von_mises(beta * rr, &mut rng) - alpha)
                                } else {
                                    wrap_pi(-2.0 * alpha - theta[link])
                                }
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect();
                for (&link, v) in class.iter().zip(new) {
                    field.theta[link] = v;
                }
            }
        }
    }

    /// Thermalize for `therm` sweeps, then measure over `sweeps` sweeps.
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
        let l = &self.action.lattice;
        let mut f = if start_hot { GaugeField::hot(l, seed) } else { GaugeField::cold(l) };
        for s in 0..therm {
            self.sweep(&mut f, seed, s as u64, 3);
            observer(s + 1);
        }
        let mut plaq = Vec::with_capacity(sweeps);
        let mut mono = Vec::with_capacity(sweeps);
        for s in 0..sweeps {
            self.sweep(&mut f, seed, (therm + s) as u64, 3);
            plaq.push(mean_plaquette(l, &f));
            mono.push(monopole_density(l, &f));
            observer(therm + s + 1);
        }
        let (pm, pe) = mean_and_error(&plaq);
        let (mm, me) = mean_and_error(&mono);
        Ok(GaugeMeasurement {
            beta: self.action.beta,
            start: if start_hot { "hot" } else { "cold" }.into(),
            plaquette: pm,
            plaquette_error: pe,
            monopole_density: mm,
            monopole_error: me,
            history: plaq,
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

/// Strong-coupling series of the plaquette in d = 4 (rotor note eq. 4.1): `u + 4u⁵` with
/// `u = I₁(β)/I₀(β)`.
pub fn strong_coupling_plaquette(beta: f64) -> f64 {
    let u = bessel_ratio(beta);
    u + 4.0 * u.powi(5)
}

/// Weak-coupling expansion in d = 4 (rotor note eq. 4.2, with the finite-volume zero-mode factor):
/// `1 − (1 − 1/V)/(4β) − 1/(32β²)`.
pub fn weak_coupling_plaquette(beta: f64, volume: usize) -> f64 {
    1.0 - (1.0 - 1.0 / volume as f64) / (4.0 * beta) - 1.0 / (32.0 * beta * beta)
}

/// `I₁(x)/I₀(x)` from the power series of both (converges for all x; used for x <= 50).
pub fn bessel_ratio(x: f64) -> f64 {
    let q = 0.25 * x * x;
    let (mut i0, mut i1) = (0.0, 0.0);
    let mut t0 = 1.0; // q^k / (k!)^2
    for k in 0..400 {
        i0 += t0;
        i1 += t0 / (k as f64 + 1.0); // q^k / (k! (k+1)!)
        t0 *= q / ((k as f64 + 1.0) * (k as f64 + 1.0));
        if t0 < 1e-17 * i0 {
            break;
        }
    }
    0.5 * x * i1 / i0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_ratio_known_values() {
        // I1(1)/I0(1) = 0.5651591040 / 1.2660658778 (Abramowitz & Stegun table 9.8)
        assert!((bessel_ratio(1.0) - 0.5651591040 / 1.2660658778).abs() < 1e-9);
        // The rotor note's Villain matching value: I1/I0 at β = 1.0111331 is 0.45032.
        assert!((bessel_ratio(1.0111331) - 0.45032).abs() < 1e-5);
        // Small-x series: x/2 - x³/16
        assert!((bessel_ratio(1e-3) - (5e-4 - 1e-9 / 16.0)).abs() < 1e-15);
    }

    #[test]
    fn strong_coupling_series_matches_the_note() {
        // Rotor note 4.2: 0.049939 (β = 0.1), 0.148625 (0.3), 0.245854 (0.5).
        for (b, v) in [(0.1, 0.049939), (0.3, 0.148625), (0.5, 0.245854)] {
            assert!((strong_coupling_plaquette(b) - v).abs() < 2e-6, "{b}: {}", strong_coupling_plaquette(b));
        }
    }

    #[test]
    fn von_mises_moments_match_bessel_ratio() {
        // E[cos θ] = I1(κ)/I0(κ), E[sin θ] = 0. 200k draws: standard error < 2e-3.
        for kappa in [0.0f64, 0.5, 2.0, 10.0, 80.0] {
            let mut rng = stream(9, &[kappa.to_bits()]);
            let n = 200_000;
            let (mut c, mut s) = (0.0, 0.0);
            for _ in 0..n {
                let t = von_mises(kappa, &mut rng);
                assert!(t.abs() <= PI);
                c += t.cos();
                s += t.sin();
            }
            let want = if kappa == 0.0 { 0.0 } else { bessel_ratio(kappa) };
            assert!((c / n as f64 - want).abs() < 6e-3, "κ = {kappa}: {} vs {want}", c / n as f64);
            assert!((s / n as f64).abs() < 6e-3);
        }
    }

    #[test]
    fn overrelaxation_conserves_the_action_and_staples_match_the_plaquettes() {
        let l = Lattice::parse("4x4x4x4").unwrap();
        let act = WilsonU1::new(l.clone(), 1.0).unwrap();
        let s = GaugeSampler::new(&act);
        let mut f = GaugeField::hot(&l, 3);
        // staple identity: Σ_{P∋l} cos Θ_P = R cos(θ_l + α)
        let phi = plaquette_angles(&l, &f);
        for link in [0, 17, 101, 255] {
            let (rr, alpha) = staple(&l, &f.theta, link, &s.planes);
            let mut direct = 0.0;
            for p in 0..l.n_plaquettes() {
                if l.plaquette_links(p).iter().any(|&(lk, _)| lk == link) {
                    direct += phi[p].cos();
                }
            }
            assert!((direct - rr * (f.theta[link] + alpha).cos()).abs() < 1e-12);
        }
        // an overrelaxation-only pass keeps Σ cos Θ_P
        let before = mean_plaquette(&l, &f);
        for (ci, class) in s.classes.iter().enumerate() {
            for &link in class {
                let (_, alpha) = staple(&l, &f.theta, link, &s.planes);
                f.theta[link] = wrap_pi(-2.0 * alpha - f.theta[link]);
            }
            let _ = ci;
        }
        assert!((mean_plaquette(&l, &f) - before).abs() < 1e-12);
    }

    #[test]
    fn same_seed_same_field_for_any_thread_count() {
        let l = Lattice::parse("4x4x4x4").unwrap();
        let s = GaugeSampler::new(&WilsonU1::new(l.clone(), 0.9).unwrap());
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let mut f = GaugeField::hot(&l, 5);
                for sw in 0..3 {
                    s.sweep(&mut f, 5, sw, 2);
                }
                f.theta
            })
        };
        assert_eq!(run(1), run(2));
    }

    #[test]
    fn bad_input() {
        assert!(WilsonU1::new(Lattice::parse("4x4x4").unwrap(), 1.0).is_err());
        assert!(WilsonU1::new(Lattice::parse("4x4x4x5").unwrap(), 1.0).is_err());
        assert!(WilsonU1::new(Lattice::parse("4x4x4x4").unwrap(), 0.0).is_err());
    }
}
