//! Thermal (classical Boltzmann) states of the rotor model, as initial states for
//! [`crate::dynamics::rotor`].
//!
//! ## What "a thermal state with Gauss's law" means here
//!
//! The classical Gibbs weight is `exp(−H/T)` with `H = U Σ Q² + J Σ L² − 2g Σ cos Φ`. The
//! dynamics conserves every charge `Q_r = (div L)_r` and, at `Q = 0`, the electric flux
//! `F_a = Σ_plane L` through every lattice plane. A trajectory therefore never leaves its
//! sector, and the physically meaningful ensemble is the Gibbs state *restricted to one
//! sector*: fixed static charges `{Q_r}` (default: none, the `Q = 0` sector that the
//! `U → ∞` limit keeps) and zero winding flux. Within a sector the `U Σ Q²` term is a
//! constant, so U drops out of the thermal state exactly as it drops out of the spectrum.
//!
//! Split `L = L_L + L_T` into its gradient (longitudinal) and divergence-free (transverse)
//! parts, which are orthogonal. `L_L` is fixed by the charges (the minimal-norm solution of
//! `div L_L = Q`, the lattice Coulomb field of the static charges), and the weight of `L_T` is
//! `exp(−J |L_T|²/T)`: independent Gaussians of variance `T/(2J)` on each of the
//! `2(N − 1)` transverse modes (equipartition, `⟨J L_T²⟩ = T/2` per mode). This is sampled
//! exactly by projecting white noise in momentum space.
//!
//! The angles have weight `exp(2g Σ cos Φ / T)`. Gauge directions (`θ → θ + grad χ`) and the
//! three holonomies (uniform θ_a) do not enter Φ and are uniform on the circle; the
//! holonomies are drawn uniformly and the gauge part is left at zero (a gauge choice: the
//! physics, which depends on Φ only, is the same). The transverse angles are first drawn from
//! the Gaussian (harmonic) weight `exp(−g Σ Φ²/T)`, exact when `T ≪ g`: variance
//! `T/(2g|K|²)` per transverse mode. Then `sweeps` Metropolis sweeps with the full cosine
//! weight correct the anharmonic part ([`RotorChain`], a [`MarkovChain`]). The sweeps visit
//! links in index order from one seeded stream, so the state is deterministic (and independent
//! of the thread count).

use crate::error::{require_non_negative, require_positive, Error, Result};
use crate::lattice::Lattice;
use crate::linalg::C64;
use crate::mc::chain::{run, MarkovChain, NoHooks, Schedule};
use crate::model::RotorModel;
use crate::modes::photon::Incidence;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use rustfft::{Fft, FftPlanner};
use std::f64::consts::PI;
use std::sync::Arc;

pub use crate::dynamics::rotor::RotorState;

/// Unitary 3D FFT of complex site fields (forward `Σ_r e^{+ikr}/√N`, like the structure factor's
/// sign, and its inverse).
struct Fft3 {
    ext: [usize; 3],
    fwd: Vec<Arc<dyn Fft<f64>>>,
    inv: Vec<Arc<dyn Fft<f64>>>,
}

impl Fft3 {
    fn new(lat: &Lattice) -> Self {
        let mut p = FftPlanner::new();
        let e = lat.extents();
        let ext = [e[0], e[1], e[2]];
        Fft3 {
            ext,
            fwd: ext.iter().map(|&l| p.plan_fft_inverse(l)).collect(),
            inv: ext.iter().map(|&l| p.plan_fft_forward(l)).collect(),
        }
    }
    fn run(&self, data: &mut [C64], forward: bool) {
        let n: usize = self.ext.iter().product();
        let strides = [1, self.ext[0], self.ext[0] * self.ext[1]];
        let mut line = Vec::new();
        for a in 0..3 {
            let (len, st) = (self.ext[a], strides[a]);
            line.resize(len, C64::new(0.0, 0.0));
            let plan = if forward { &self.fwd[a] } else { &self.inv[a] };
            for start in 0..n {
                if (start / st) % len != 0 {
                    continue;
                }
                for i in 0..len {
                    line[i] = data[start + i * st];
                }
                plan.process(&mut line);
                for i in 0..len {
                    data[start + i * st] = line[i];
                }
            }
        }
        let s = 1.0 / (n as f64).sqrt();
        data.iter_mut().for_each(|x| *x *= s);
    }
}

/// Settings of a thermal state.
#[derive(Clone, Debug)]
pub struct ThermalConfig {
    /// Temperature T (energy units, k_B = 1), T ≥ 0.
    pub temperature: f64,
    /// Metropolis sweeps over the angles after the harmonic draw.
    pub sweeps: usize,
    /// Seed of the random stream.
    pub seed: u64,
    /// Static background charges `Q_r` (integers summing to zero), or `None` for `Q = 0`.
    pub charges: Option<Vec<f64>>,
}

impl ThermalConfig {
    /// Temperature T, `Q = 0`, 10 Metropolis sweeps.
    pub fn new(temperature: f64, seed: u64) -> Self {
        ThermalConfig { temperature, sweeps: 10, seed, charges: None }
    }
}

/// Divergence vectors d(k) with `Q(k) = Σ_a d_a L_a(k)` in the forward FFT convention, from
/// the lattice incidence ([`Incidence`] at −k).
fn div_vectors(lat: &Lattice) -> Result<Vec<[C64; 3]>> {
    lat.momentum_grid()
        .iter()
        .map(|k| {
            let mk: Vec<f64> = k.components().iter().map(|x| -x).collect();
            Incidence::at(lat, &mk).map(|i| i.div)
        })
        .collect()
}

/// Project white noise on the transverse subspace and scale mode k by `scale(k, |d|²)`;
/// the k = 0 component is dropped. Returns the real link field.
fn filtered_transverse(
    lat: &Lattice,
    fft: &Fft3,
    dvec: &[[C64; 3]],
    rng: &mut Xoshiro256PlusPlus,
    scale: impl Fn(f64) -> f64,
) -> Vec<f64> {
    let n = lat.n_sites();
    let mut comp: Vec<Vec<C64>> = vec![vec![C64::new(0.0, 0.0); n]; 3];
    for r in 0..n {
        for c in comp.iter_mut() {
            let x: f64 = StandardNormal.sample(rng);
            c[r] = C64::new(x, 0.0);
        }
    }
    for c in comp.iter_mut() {
        fft.run(c, true);
    }
    for k in 0..n {
        let d = dvec[k];
        let dn: f64 = d.iter().map(|x| x.norm_sqr()).sum();
        if dn < 1e-24 {
            for c in comp.iter_mut() {
                c[k] = C64::new(0.0, 0.0);
            }
            continue;
        }
        let proj: C64 = (0..3).map(|a| d[a] * comp[a][k]).sum::<C64>() / dn;
        let s = scale(dn);
        for a in 0..3 {
            comp[a][k] = (comp[a][k] - d[a].conj() * proj) * s;
        }
    }
    to_links(fft, comp, lat)
}

/// Inverse-transform three momentum-space components to a real link field (`L[3r + a]`).
fn to_links(fft: &Fft3, mut comp: Vec<Vec<C64>>, lat: &Lattice) -> Vec<f64> {
    for c in comp.iter_mut() {
        fft.run(c, false);
    }
    let mut out = vec![0.0; lat.n_links()];
    for r in 0..lat.n_sites() {
        for a in 0..3 {
            out[3 * r + a] = comp[a][r].re;
        }
    }
    out
}

/// The minimal-norm (pure gradient) electric field with `div L = charges`: the lattice Coulomb
/// field of static charges. Errors if the charges do not sum to zero (impossible on a torus).
pub fn coulomb_field(lat: &Lattice, charges: &[f64]) -> Result<Vec<f64>> {
    if lat.dim() != 3 || charges.len() != lat.n_sites() {
        return Err(Error::invalid(
            "charges",
            format!("{} values on {lat}", charges.len()),
            "give one charge per site of a cubic lattice",
        ));
    }
    let total: f64 = charges.iter().sum();
    if total.abs() > 1e-9 {
        return Err(Error::invalid(
            "charges",
            format!("total {total}"),
            "on a periodic lattice the field lines of a net charge have nowhere to go: make the charges sum to zero",
        ));
    }
    let fft = Fft3::new(lat);
    let dvec = div_vectors(lat)?;
    let n = lat.n_sites();
    let mut q: Vec<C64> = charges.iter().map(|&x| C64::new(x, 0.0)).collect();
    fft.run(&mut q, true);
    let mut comp: Vec<Vec<C64>> = vec![vec![C64::new(0.0, 0.0); n]; 3];
    for k in 0..n {
        let d = dvec[k];
        let dn: f64 = d.iter().map(|x| x.norm_sqr()).sum();
        if dn < 1e-24 {
            continue;
        }
        for a in 0..3 {
            comp[a][k] = d[a].conj() * q[k] / dn;
        }
    }
    Ok(to_links(&fft, comp, lat))
}

/// A thermal state of the classical rotor model in the sector of `config.charges`
/// (module doc). Deterministic for a given seed.
pub fn thermal_state(model: &RotorModel, config: &ThermalConfig) -> Result<RotorState> {
    let lat = &model.lattice;
    if lat.dim() != 3 {
        return Err(Error::invalid("lattice", lat.to_string(), "thermal rotor states need a cubic lattice"));
    }
    require_non_negative("temperature", config.temperature, "T is a temperature in energy units")?;
    require_positive("g", model.g, "the plaquette term sets the angle stiffness")?;
    let t = config.temperature;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(config.seed);
    let fft = Fft3::new(lat);
    let dvec = div_vectors(lat)?;
    // Electric field: Gaussian transverse part + Coulomb field of the static charges.
    let sl = (t / (2.0 * model.j)).sqrt();
    let mut l = filtered_transverse(lat, &fft, &dvec, &mut rng, |_| sl);
    if let Some(q) = &config.charges {
        let c = coulomb_field(lat, q)?;
        l.iter_mut().zip(&c).for_each(|(a, b)| *a += b);
    }
    // Angles: harmonic transverse draw, variance T/(2g|K|²), |K|² = |d|².
    let mut theta = filtered_transverse(lat, &fft, &dvec, &mut rng, |k2| (t / (2.0 * model.g * k2)).sqrt());
    let hol: [f64; 3] =
        [rng.random_range(0.0..2.0 * PI), rng.random_range(0.0..2.0 * PI), rng.random_range(0.0..2.0 * PI)];
    for (i, th) in theta.iter_mut().enumerate() {
        *th += hol[i % 3];
    }
    if t > 0.0 {
        metropolis(model, &mut theta, t, config.sweeps, &mut rng);
    }
    Ok(RotorState { theta, l })
}

/// The plaquettes containing link `l` with the link's sign in each.
fn link_plaquettes(lat: &Lattice, l: usize) -> [(usize, f64); 4] {
    let (s, a) = lat.link_site_dir(l);
    let mut out = [(0, 0.0); 4];
    let mut i = 0;
    for b in 0..3 {
        if b == a {
            continue;
        }
        let sb = lat.backward(s, b);
        if b > a {
            out[i] = (lat.plaquette(s, a, b), 1.0);
            out[i + 1] = (lat.plaquette(sb, a, b), -1.0);
        } else {
            out[i] = (lat.plaquette(s, b, a), -1.0);
            out[i + 1] = (lat.plaquette(sb, b, a), 1.0);
        }
        i += 2;
    }
    out
}

/// A Metropolis chain of the classical rotor model's angles at temperature T, weight
/// `exp(2g Σ cos Φ / T)`: each sweep visits the links in index order with one shift proposal each,
/// drawing from one seeded stream that is part of the chain's state (so the chain is
/// deterministic and independent of the thread count).
#[derive(Debug)]
pub struct RotorChain<'a> {
    model: &'a RotorModel,
    theta: &'a mut [f64],
    phi: Vec<f64>,
    rng: &'a mut Xoshiro256PlusPlus,
    width: f64,
    beta2g: f64,
    sweep: u64,
    accepted: u64,
    tried: u64,
}

impl<'a> RotorChain<'a> {
    /// A chain of the angles `theta` (canonical link order) at temperature `t > 0`, drawing from
    /// `rng`.
    pub fn new(model: &'a RotorModel, theta: &'a mut [f64], t: f64, rng: &'a mut Xoshiro256PlusPlus) -> Self {
        let lat = &model.lattice;
        let mut phi = vec![0.0; lat.n_plaquettes()];
        lat.curl(theta, &mut phi);
        // A link sits in 4 plaquettes: local stiffness ≈ 4g, so δθ ~ sqrt(T/(8g)) per unit variance.
        let width = (2.0 * (t / (8.0 * model.g)).sqrt()).clamp(1e-3, PI);
        RotorChain { model, theta, phi, rng, width, beta2g: 2.0 * model.g / t, sweep: 0, accepted: 0, tried: 0 }
    }

    /// Fraction of accepted proposals so far (0 before the first sweep).
    pub fn acceptance(&self) -> f64 {
        if self.tried == 0 {
            0.0
        } else {
            self.accepted as f64 / self.tried as f64
        }
    }
}

impl MarkovChain for RotorChain<'_> {
    fn sweeps_done(&self) -> u64 {
        self.sweep
    }

    fn sweep(&mut self) -> Result<()> {
        let lat = &self.model.lattice;
        let width = self.width;
        for l in 0..lat.n_links() {
            let delta = self.rng.random_range(-width..width);
            let plaqs = link_plaquettes(lat, l);
            let mut de = 0.0;
            for &(p, s) in &plaqs {
                de += self.phi[p].cos() - (self.phi[p] + s * delta).cos();
            }
            // ΔH = −2g Σ (cos Φ' − cos Φ) = 2g Σ (cos Φ − cos Φ')
            let u: f64 = self.rng.random::<f64>();
            self.tried += 1;
            if de <= 0.0 || u < (-self.beta2g * de).exp() {
                self.theta[l] += delta;
                for &(p, s) in &plaqs {
                    self.phi[p] += s * delta;
                }
                self.accepted += 1;
            }
        }
        self.sweep += 1;
        Ok(())
    }
}

/// `sweeps` Metropolis sweeps of the angles with weight `exp(2g Σ cos Φ / T)` ([`RotorChain`]).
/// Returns the acceptance rate.
pub fn metropolis(model: &RotorModel, theta: &mut [f64], t: f64, sweeps: usize, rng: &mut Xoshiro256PlusPlus) -> f64 {
    let mut chain = RotorChain::new(model, theta, t, rng);
    run(&mut chain, &Schedule::new(sweeps as u64, 0), &mut NoHooks).expect("rotor sweeps cannot fail");
    chain.acceptance()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_plaquettes_agree_with_plaquette_links() {
        let lat = Lattice::parse("3x4x5").unwrap();
        for l in 0..lat.n_links() {
            for (p, s) in link_plaquettes(&lat, l) {
                let found = lat.plaquette_links(p).iter().find(|(x, _)| *x == l).map(|(_, sg)| f64::from(*sg));
                assert_eq!(found, Some(s));
            }
        }
    }

    #[test]
    fn coulomb_field_has_the_requested_divergence_and_no_curl() {
        let lat = Lattice::parse("6x5x4").unwrap();
        let mut q = vec![0.0; lat.n_sites()];
        q[lat.site(&[1, 1, 1])] = 1.0;
        q[lat.site(&[4, 2, 3])] = -1.0;
        let e = coulomb_field(&lat, &q).unwrap();
        let mut d = vec![0.0; lat.n_sites()];
        lat.div(&e, &mut d);
        for (a, b) in d.iter().zip(&q) {
            assert!((a - b).abs() < 1e-12);
        }
        let mut c = vec![0.0; lat.n_plaquettes()];
        lat.curl(&e, &mut c);
        assert!(c.iter().all(|x| x.abs() < 1e-12));
        q[0] += 1.0;
        assert!(coulomb_field(&lat, &q).is_err());
    }
}
