//! The talk's quantum-fluctuation criterion for the photon, computed from the rotor model's own
//! quadratic form (docs/physics/photon.md §3).
//!
//! The Gaussian ground state of `H₂ = ½ L†A L + ½ θ†B θ` is a product of oscillators, one per
//! normal mode. A mode with kinetic coefficient `a = e†Ae` and restoring coefficient `b = e†Be`
//! (`e` its unit polarization) has `⟨|θ_e|²⟩ = ½√(a/b)` and `⟨|L_e|²⟩ = ½√(b/a)`. Summed over the
//! momenta `k ≠ 0` of the lattice (the three `k = 0` modes are the torus holonomies, conjugate to
//! the conserved electric fluxes, not photons) and divided by the `3N` links, this gives per
//! helicity the mean-square angle and angular momentum of one link, and with `|C(k)e|²` the mean-
//! square flux of one plaquette.
//!
//! - Helicity ±1: `a = 2J`, `b = 2g|K|²`, so `⟨θ²⟩ ∝ √(J/g)⟨1/|K|⟩` and `⟨Φ²⟩ ∝ √(J/g)⟨|K|⟩`:
//!   both rms values scale as `(J/g)^{1/4}`.
//! - Helicity 0: `b = 0` (a gradient has no curl): the angle has no restoring force, its Gaussian
//!   width is unbounded (`δθ_0 ≫ 2π`: the talk's "strong fluctuations"), and in the `Q = 0`
//!   sector its conjugate `L_L` is pinned by Gauss's law. Because θ is compact, `L` is an
//!   integer, so the longitudinal sector has a discrete spectrum: its lowest state is a ±1 charge
//!   pair, costing `2U + 2J[G(0) − G(â)]` in the Gaussian (Coulomb) estimate, with `G` the lattice
//!   Green function of `−Δ` computed on the same momenta. A gap: no longitudinal light.
//!
//! Whether the Gaussian state describes the compact model at all is decided by the quartic term
//! it drops from `−2g cos Φ = −2g + gΦ² − gΦ⁴/12 + …`: by Wick's theorem
//! `⟨gΦ⁴/12⟩ / ⟨gΦ²⟩ = ⟨Φ²⟩/4` per plaquette. [`ANHARMONIC_LIMIT`] bounds it.

use super::{modes_at, quadratic_form, Incidence};
use crate::error::Result;
use crate::linalg::C64;
use crate::model::RotorModel;
use serde::Serialize;
use std::f64::consts::TAU;

/// The period of a rotor angle θ (and of the flux Φ).
pub const ANGLE_PERIOD: f64 = TAU;

/// "Small compared with the period" means at most this fraction of it (the talk's δθ ≪ 2π made a
/// number: a tenth of the period).
pub const SMALL_FRACTION_OF_PERIOD: f64 = 0.1;

/// The Gaussian (semiclassical) state is taken as self-consistent while the quartic term of the
/// plaquette energy it drops is at most this fraction of the quadratic term it keeps,
/// `⟨Φ²⟩/4 ≤ 0.1`. Equivalently the plaquette flux rms is at most 0.632 rad, about a tenth of its
/// period 2π; with `⟨Φ²⟩ = 0.796 √(J/g)` (photon.md §2.3) this is `g/J ≳ 4` in infinite volume.
pub const ANHARMONIC_LIMIT: f64 = 0.1;

/// Momenta summed per task of the parallel reduction: fixed, so the sum is the same for any
/// number of threads (chunks are summed in index order, then the chunk sums in order).
const CHUNK: usize = 4096;

/// How a helicity's direction behaves in the quadratic form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModeClass {
    /// Both coefficients positive at every k ≠ 0: an oscillator.
    Propagating,
    /// No restoring force (`b = 0`): a free angle whose conjugate is pinned.
    FreeAngle,
}

/// The zero-point fluctuations of one helicity of the photon's Gaussian ground state.
#[derive(Clone, Debug, Serialize)]
pub struct HelicityFluctuation {
    /// Helicity +1, −1 (transverse photons) or 0 (longitudinal).
    pub helicity: i32,
    /// rms of one link's angle θ from this helicity, radians; `None` (JSON null) when unbounded
    /// (no restoring force).
    pub angle_rms: Option<f64>,
    /// rms of one link's angular momentum L (the electric field) from this helicity, in units of ħ.
    pub conjugate_rms: f64,
    /// rms of one plaquette's flux Φ from this helicity, radians (zero for helicity 0: gradients
    /// have no curl).
    pub flux_rms: f64,
    /// Period of the compact angle, 2π.
    pub compact_period: f64,
    /// Period of the conjugate: `None` for U(1) rotors (L is any integer).
    pub conjugate_period: Option<f64>,
    /// Oscillator or free angle.
    pub class: ModeClass,
    /// Smallest kinetic coefficient `e†Ae` over the momenta (sets the level spacing of a free
    /// angle's integer conjugate).
    pub kinetic_min: f64,
    /// Largest `ω²` of this helicity over the momenta, relative to `4gJ|K|²` at the same k (0 for a
    /// mode with no restoring force, 1 for the photon).
    pub restoring_ratio_max: f64,
    /// The verdict, from the numbers above and the thresholds of this module.
    pub verdict: String,
}

/// The Gaussian ground state of the linearized rotor model on a lattice, per helicity.
#[derive(Clone, Debug, Serialize)]
pub struct PhotonFluctuations {
    /// Helicity +1, −1, 0 in that order.
    pub helicities: Vec<HelicityFluctuation>,
    /// `⟨Φ_p²⟩` of one plaquette, both transverse helicities (photon.md §2.3: 0.795867 √(J/g) as
    /// L → ∞).
    pub flux_variance: f64,
    /// `⟨θ_T²⟩` of one link from both transverse helicities (photon.md §2.3: 0.15178 √(J/g)).
    pub transverse_angle_variance: f64,
    /// `⟨L²⟩` of one link (photon.md §2.3: 0.795867 √(g/J)).
    pub conjugate_variance: f64,
    /// `⟨Φ²⟩/4`: the quartic term of the plaquette energy relative to the quadratic one.
    pub anharmonic_ratio: f64,
    /// [`ANHARMONIC_LIMIT`].
    pub anharmonic_limit: f64,
    /// `anharmonic_ratio ≤ anharmonic_limit` and the transverse angle at most a tenth of 2π.
    pub semiclassical: bool,
    /// δθ_T (both transverse helicities) `= c (J/g)^{1/4}`: the coefficient c on this lattice.
    pub angle_coefficient: f64,
    /// The g/J above which `anharmonic_ratio ≤ anharmonic_limit` on this lattice (the Gaussian
    /// ⟨Φ²⟩ scales exactly as √(J/g)).
    pub semiclassical_from_g_over_j: f64,
    /// Gaussian (Coulomb) energy of the lightest longitudinal excitation, a ±1 charge pair on
    /// neighbouring sites: `2U + 2J[G(0) − G(â)]` (minimized over the axes a).
    pub charge_pair_gap: f64,
    /// Momenta summed (k ≠ 0).
    pub momenta: usize,
    /// What was left out of the sums.
    pub excluded: String,
}

/// Sums over momenta, indexed by helicity [+1, −1, 0].
#[derive(Clone, Debug)]
struct Sums {
    angle: [f64; 3],
    conj: [f64; 3],
    flux: [f64; 3],
    free: [bool; 3],
    propagating: [bool; 3],
    kin_min: [f64; 3],
    restoring: [f64; 3],
    green: [f64; 3],
    momenta: usize,
    zero_min: usize,
    zero_max: usize,
    zero_total: usize,
    zero_point: f64,
}

impl Sums {
    fn new() -> Self {
        Sums {
            angle: [0.0; 3],
            conj: [0.0; 3],
            flux: [0.0; 3],
            free: [false; 3],
            propagating: [false; 3],
            kin_min: [f64::INFINITY; 3],
            restoring: [0.0; 3],
            green: [0.0; 3],
            momenta: 0,
            zero_min: usize::MAX,
            zero_max: 0,
            zero_total: 0,
            zero_point: 0.0,
        }
    }
    fn add(&mut self, o: &Sums) {
        for h in 0..3 {
            self.angle[h] += o.angle[h];
            self.conj[h] += o.conj[h];
            self.flux[h] += o.flux[h];
            self.free[h] |= o.free[h];
            self.propagating[h] |= o.propagating[h];
            self.kin_min[h] = self.kin_min[h].min(o.kin_min[h]);
            self.restoring[h] = self.restoring[h].max(o.restoring[h]);
            self.green[h] += o.green[h];
        }
        self.momenta += o.momenta;
        self.zero_min = self.zero_min.min(o.zero_min);
        self.zero_max = self.zero_max.max(o.zero_max);
        self.zero_total += o.zero_total;
        self.zero_point += o.zero_point;
    }
}

fn slot(helicity: i32) -> usize {
    match helicity {
        1 => 0,
        -1 => 1,
        _ => 2,
    }
}

fn quad(e: &[C64], m: &[C64; 9]) -> f64 {
    let mut s = C64::new(0.0, 0.0);
    for i in 0..3 {
        for j in 0..3 {
            s += e[i].conj() * m[i * 3 + j] * e[j];
        }
    }
    s.re
}

/// The contributions of one momentum k ≠ 0.
fn at_momentum(model: &RotorModel, k: &[f64], s: &mut Sums) -> Result<()> {
    let mm = modes_at(model, k)?;
    let (a, b) = quadratic_form(model, k)?;
    let inc = Incidence::at(&model.lattice, k)?;
    let k2 = mm.lattice_k2;
    s.zero_min = s.zero_min.min(mm.zero_modes);
    s.zero_max = s.zero_max.max(mm.zero_modes);
    s.zero_total += mm.zero_modes;
    s.zero_point += mm.modes.iter().map(|x| 0.5 * x.omega).sum::<f64>();
    let w2_photon = 4.0 * model.g * model.j * k2;
    for (i, mode) in mm.modes.iter().enumerate() {
        let h = slot(mode.helicity.unwrap_or(0));
        // back from the link-midpoint gauge to the tail gauge of A and B
        let e: Vec<C64> = (0..3)
            .map(|x| C64::new(mode.polarization[x][0], mode.polarization[x][1]) * C64::from_polar(1.0, k[x] / 2.0))
            .collect();
        let (ka, kb) = (quad(&e, &a), quad(&e, &b));
        s.kin_min[h] = s.kin_min[h].min(ka);
        s.restoring[h] = s.restoring[h].max(mode.omega2.max(0.0) / w2_photon);
        if i < mm.zero_modes {
            // no restoring force: a free angle; in the Q = 0 sector its conjugate is pinned
            s.free[h] = true;
            continue;
        }
        s.propagating[h] = true;
        let q2 = 0.5 * (ka / kb).sqrt();
        let p2 = 0.5 * (kb / ka).sqrt();
        let ce: f64 = inc.curl.iter().map(|row| (0..3).map(|x| row[x] * e[x]).sum::<C64>().norm_sqr()).sum();
        s.angle[h] += q2;
        s.conj[h] += p2;
        s.flux[h] += ce * q2;
    }
    // Lattice Green function of −Δ: G(0) − G(â) = (1/N) Σ_{k≠0} (1 − cos k_a)/|K|².
    for x in 0..3 {
        s.green[x] += (1.0 - k[x].cos()) / k2;
    }
    s.momenta += 1;
    Ok(())
}

/// The sums of one chunk of momentum indices (k = 0 counted for the zero modes only).
fn chunk_sums(model: &RotorModel, c: usize) -> Result<Sums> {
    let lat = &model.lattice;
    let n = lat.n_sites();
    let mut s = Sums::new();
    for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
        let km = lat.momentum_of_index(i);
        if km.lattice_k2() < 1e-12 {
            let mm = modes_at(model, km.components())?;
            s.zero_total += mm.zero_modes;
            continue;
        }
        at_momentum(model, km.components(), &mut s)?;
    }
    Ok(s)
}

/// Momenta per progress report of [`photon_grid`] (a batch of chunks run in parallel).
const BATCH: usize = 64;

/// One pass over every lattice momentum: the Gaussian ground state per helicity with its verdicts
/// ([`PhotonFluctuations`]), and the zero-mode counts and zero-point energy
/// ([`super::GridSummary`]). Memory O(N / 4096); the sums are taken in fixed chunks and added in
/// order, so they do not depend on the thread count. `progress(done, total)` is called between
/// batches of chunks; an error from it (an interrupt) stops the pass.
pub fn photon_grid(
    model: &RotorModel,
    progress: &mut dyn FnMut(usize, usize) -> Result<()>,
) -> Result<(PhotonFluctuations, super::GridSummary)> {
    use rayon::prelude::*;
    let lat = &model.lattice;
    super::check_3d(lat)?;
    let n = lat.n_sites();
    let chunks = n.div_ceil(CHUNK);
    let mut s = Sums::new();
    let mut c0 = 0;
    while c0 < chunks {
        let c1 = (c0 + BATCH).min(chunks);
        let parts: Vec<Sums> = (c0..c1).into_par_iter().map(|c| chunk_sums(model, c)).collect::<Result<Vec<_>>>()?;
        for p in &parts {
            s.add(p);
        }
        c0 = c1;
        progress((c1 * CHUNK).min(n), n)?;
    }
    let summary = super::GridSummary {
        zero_modes_min: if s.zero_min == usize::MAX { 0 } else { s.zero_min },
        zero_modes_max: s.zero_max,
        zero_modes_total: s.zero_total,
        zero_point_energy_per_site: s.zero_point / n as f64,
    };
    Ok((assemble(model, &s), summary))
}

/// The Gaussian ground state per helicity on the model's lattice, with the verdicts
/// ([`photon_grid`] without progress reports).
pub fn photon_fluctuations(model: &RotorModel) -> Result<PhotonFluctuations> {
    Ok(photon_grid(model, &mut |_, _| Ok(()))?.0)
}

fn assemble(model: &RotorModel, s: &Sums) -> PhotonFluctuations {
    let n = model.lattice.n_sites() as f64;
    let links = 3.0 * n;
    let flux_variance = (s.flux[0] + s.flux[1]) / links;
    let transverse_angle_variance = (s.angle[0] + s.angle[1]) / links;
    let conjugate_variance = (s.conj[0] + s.conj[1] + s.conj[2]) / links;
    let anharmonic_ratio = flux_variance / 4.0;
    let small_angle = SMALL_FRACTION_OF_PERIOD * ANGLE_PERIOD;
    let angle_t = transverse_angle_variance.sqrt();
    let semiclassical = anharmonic_ratio <= ANHARMONIC_LIMIT && angle_t <= small_angle;
    let ratio_jg = model.j / model.g;
    let angle_coefficient = angle_t / ratio_jg.powf(0.25);
    // ⟨Φ²⟩ = f √(J/g) exactly in the Gaussian theory: ratio ≤ limit ⇔ g/J ≥ (f / 4·limit)².
    let f = flux_variance / ratio_jg.sqrt();
    let semiclassical_from_g_over_j = (f / (4.0 * ANHARMONIC_LIMIT)).powi(2);
    let charge_pair_gap = (0..3).map(|x| 2.0 * model.u + 2.0 * model.j * s.green[x] / n).fold(f64::INFINITY, f64::min);
    let mut helicities = Vec::with_capacity(3);
    for (h, hel) in [(0usize, 1i32), (1, -1), (2, 0)] {
        let class = if s.free[h] { ModeClass::FreeAngle } else { ModeClass::Propagating };
        let angle_rms = (class == ModeClass::Propagating).then(|| (s.angle[h] / links).sqrt());
        let mut e = HelicityFluctuation {
            helicity: hel,
            angle_rms,
            conjugate_rms: (s.conj[h] / links).sqrt(),
            flux_rms: (s.flux[h] / links).sqrt(),
            compact_period: ANGLE_PERIOD,
            conjugate_period: None,
            class,
            kinetic_min: s.kin_min[h],
            restoring_ratio_max: s.restoring[h],
            verdict: String::new(),
        };
        e.verdict = helicity_verdict(&e, anharmonic_ratio, charge_pair_gap, semiclassical);
        helicities.push(e);
    }
    PhotonFluctuations {
        helicities,
        flux_variance,
        transverse_angle_variance,
        conjugate_variance,
        anharmonic_ratio,
        anharmonic_limit: ANHARMONIC_LIMIT,
        semiclassical,
        angle_coefficient,
        semiclassical_from_g_over_j,
        charge_pair_gap,
        momenta: s.momenta,
        excluded: "k = 0: the three torus holonomies, conjugate to the conserved electric fluxes (not photons)".into(),
    }
}

/// The verdict of one helicity in the talk's terms, from its numbers and the module's thresholds.
pub fn helicity_verdict(e: &HelicityFluctuation, anharmonic_ratio: f64, pair_gap: f64, semiclassical: bool) -> String {
    let small = SMALL_FRACTION_OF_PERIOD * e.compact_period;
    match (e.class, e.angle_rms) {
        (ModeClass::Propagating, Some(a)) => {
            let angle_small = a <= small;
            let linear = anharmonic_ratio <= ANHARMONIC_LIMIT;
            let size = if angle_small {
                format!("δθ = {a:.4} rad, small compared with 2π (at most 2π/10 = {small:.3})")
            } else {
                format!("δθ = {a:.4} rad, not small compared with 2π (more than 2π/10 = {small:.3})")
            };
            let quartic = format!(
                "quartic/quadratic ⟨Φ²⟩/4 = {anharmonic_ratio:.3} {} {ANHARMONIC_LIMIT}",
                if linear { "≤" } else { ">" }
            );
            if semiclassical {
                format!("{size}; the Gaussian state is consistent ({quartic}): the photon survives, gapless")
            } else {
                let why = match (angle_small, linear) {
                    (true, false) => quartic,
                    (false, true) => format!("the transverse angle is not small; {quartic}"),
                    _ => format!("the transverse angle is not small and {quartic}"),
                };
                format!(
                    "{size}; the semiclassical answer does not hold here ({why}): the Gaussian estimate cannot decide whether the photon survives; the quantum answer is the Monte Carlo of `ether phases`"
                )
            }
        }
        _ => {
            if pair_gap > 0.0 {
                format!(
                    "no restoring force (ω²/4gJ|K|² ≤ {:.1e}): the angle is free, δθ unbounded ≫ 2π; its conjugate is pinned by Gauss's law and integer because θ is compact, so the sector is discrete: its lightest state, a ±1 charge pair, costs {pair_gap:.4} (Gaussian Coulomb estimate): gapped, no longitudinal light",
                    e.restoring_ratio_max
                )
            } else {
                format!(
                    "no restoring force: the angle is free, δθ unbounded; but the charge-pair energy {pair_gap:.4} is not positive, so compactness gives no gap here"
                )
            }
        }
    }
}
