//! The local updates of the gauge engine, one checkerboard class (all links of one direction on
//! sites of one parity) at a time.
//!
//! The links of a plaquette-local action enter through the *staples*: for the link `U = U_μ(x)`
//! and each other direction ν, the forward staple `F = U_ν(x+μ) U_μ(x+ν)* U_ν(x)*` and the
//! backward one `B = U_ν(x+μ−ν)* U_μ(x−ν)* U_ν(x−ν)` make `Re(U F)` and `Re(U B)` the cosines of
//! the two plaquettes of plane (μ, ν) that contain the link.
//!
//! - **Wilson links** (every plaquette of the link Wilson): the local weight is
//!   `exp(Re(U S))` with `S = Σ_ν β_μν (F_ν + B_ν)`, i.e. a von Mises density of concentration
//!   `κ = |S|` for the angle of `U S/|S|`. The heat bath draws it exactly (Best-Fisher,
//!   [`von_mises`]) and sets `U = e^{iφ} S*/|S|`; overrelaxation reflects `U → (S*/|S|)² U*`,
//!   which keeps `Re(U S)`, hence the action, exactly (microcanonical, no random number).
//! - **Links with Villain plaquettes**: `hits` Metropolis steps `U → U e^{iδ}`, δ uniform in
//!   `[−Δ, Δ]`, accepted with probability `min(1, e^{−ΔS})` on the exact local action; their
//!   "overrelaxation" is the same reflection about the Wilson-like staple `Σ β (F + B)` of all
//!   their plaquettes followed by a Metropolis accept/reject on the exact change of the local
//!   action (the reflection is an involution that preserves the measure and its axis does not
//!   depend on the link, so this keeps detailed balance).
//!
//! Every random number of a link update is drawn from a Philox counter owned by the link
//! (`key = sweep_key(seed, sweep)`, counter `(global link index, pass, block)`): the results do
//! not depend on how the class is cut into chunks, on the thread count or on the process split.

use crate::lattice::MAX_DIM;
use crate::mc::action::{villain_action, GaugeAction, Weight};
use crate::mc::domain::{Block, OwnedRow};
use crate::mc::field::{mul, mul_conj};
use crate::mc::rng::Philox;
use num_complex::Complex64;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Links per parallel work item (fixed; the results do not depend on it at all).
const CHUNK_LINKS: usize = 512;

/// Below this concentration the von Mises density is uniform to rounding.
const KAPPA_UNIFORM: f64 = 1e-12;

/// A von Mises draw `φ ∝ exp(κ cos φ)` on (−π, π], returned as `(cos φ, sin φ)`.
///
/// Best and Fisher's rejection algorithm (D. J. Best, N. I. Fisher, "Efficient simulation of the
/// von Mises distribution", Appl. Statist. 28, 152 (1979)) with a wrapped-Cauchy envelope: each
/// trial takes one Philox block (two uniforms and a sign bit) and one cosine; the accepted
/// `f = cos φ` is used directly, so no inverse cosine is needed.
#[inline]
pub fn von_mises(kappa: f64, rng: &mut Philox) -> (f64, f64) {
    if kappa < KAPPA_UNIFORM {
        let (u, _, _) = rng.pair();
        let (s, c) = (PI * (2.0 * u - 1.0)).sin_cos();
        return (c, s);
    }
    if kappa > KAPPA_LARGE {
        return von_mises_concentrated(kappa, rng);
    }
    let tau = 1.0 + (1.0 + 4.0 * kappa * kappa).sqrt();
    let rho = (tau - (2.0 * tau).sqrt()) / (2.0 * kappa);
    let r = (1.0 + rho * rho) / (2.0 * rho);
    loop {
        let (u1, u2, negative) = rng.pair();
        let z = (PI * u1).cos();
        let f = (1.0 + r * z) / (r + z);
        let c = kappa * (r - f);
        if c * (2.0 - c) - u2 > 0.0 || (c / u2).ln() + 1.0 - c >= 0.0 {
            let f = f.clamp(-1.0, 1.0);
            let s = ((1.0 - f) * (1.0 + f)).sqrt();
            return (f, if negative { -s } else { s });
        }
    }
}

/// Above this concentration [`von_mises`] takes [`von_mises_concentrated`]: the plain form
/// computes `r − 1 ≈ 1/(2κ)` and `1 − f` as differences of numbers near 1, which lose
/// `log10(κ)` digits and, beyond κ ≈ 1e16, round to zero, so that no trial is ever accepted (the
/// 10^5-case fuzz found `phases --beta 1.8e19` looping forever in its first heat bath).
const KAPPA_LARGE: f64 = 1e3;

/// Best and Fisher's algorithm, as [`von_mises`], written in the small quantities themselves:
/// with `ε = r − 1 = (1 − ρ)²/(2ρ)`, `z = cos πu` and `w = 1 − f`,
/// `w = ε (1 − z)/(r + z) = 2ε sin²(πu/2)/(ε + 2cos²(πu/2))`, `c = κ(r − f) = κ(ε + w)`,
/// and `1 − ρ = (√(2τ) − 1 − 1/(√(1 + 4κ²) + 2κ))/(2κ)`, so no digit cancels at any κ (√(1 + 4κ²)
/// as `hypot(1, 2κ)`, which does not overflow). Returns `(1 − w, √(w(2 − w)))` with the sign bit.
fn von_mises_concentrated(kappa: f64, rng: &mut Philox) -> (f64, f64) {
    let root = 1.0f64.hypot(2.0 * kappa);
    let tau = 1.0 + root;
    let one_minus_rho = ((2.0 * tau).sqrt() - 1.0 - 1.0 / (root + 2.0 * kappa)) / (2.0 * kappa);
    let rho = 1.0 - one_minus_rho;
    let eps = one_minus_rho * one_minus_rho / (2.0 * rho);
    loop {
        let (u1, u2, negative) = rng.pair();
        let (sh, ch) = (0.5 * PI * u1).sin_cos();
        let w = 2.0 * eps * sh * sh / (eps + 2.0 * ch * ch);
        let c = kappa * (eps + w);
        if c * (2.0 - c) - u2 > 0.0 || (c / u2).ln() + 1.0 - c >= 0.0 {
            let w = w.min(2.0);
            let s = (w * (2.0 - w)).sqrt();
            return (1.0 - w, if negative { -s } else { s });
        }
    }
}

/// Counts of the local updates (integers: sums in any order agree).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateCounts {
    /// Exact heat-bath updates.
    pub heat_bath: u64,
    /// Metropolis proposals (each hit counts).
    pub metropolis_tried: u64,
    /// Accepted Metropolis proposals.
    pub metropolis_accepted: u64,
    /// Exact (microcanonical) overrelaxation updates.
    pub overrelaxed: u64,
    /// Reflections proposed on links with Villain plaquettes.
    pub reflect_tried: u64,
    /// Accepted reflections.
    pub reflect_accepted: u64,
    /// Flux-sector twists proposed (one per plane and sweep).
    pub twist_tried: u64,
    /// Accepted twists.
    pub twist_accepted: u64,
}

impl UpdateCounts {
    /// Sum of two counts.
    pub fn plus(mut self, o: UpdateCounts) -> Self {
        self.heat_bath += o.heat_bath;
        self.metropolis_tried += o.metropolis_tried;
        self.metropolis_accepted += o.metropolis_accepted;
        self.overrelaxed += o.overrelaxed;
        self.reflect_tried += o.reflect_tried;
        self.reflect_accepted += o.reflect_accepted;
        self.twist_tried += o.twist_tried;
        self.twist_accepted += o.twist_accepted;
        self
    }
    /// Acceptance of the Metropolis proposals (NaN if none).
    pub fn metropolis_acceptance(&self) -> f64 {
        self.metropolis_accepted as f64 / self.metropolis_tried as f64
    }
    /// Acceptance of the Metropolized reflections (NaN if none).
    pub fn reflect_acceptance(&self) -> f64 {
        self.reflect_accepted as f64 / self.reflect_tried as f64
    }
    /// Acceptance of the flux-sector twists (NaN if none).
    pub fn twist_acceptance(&self) -> f64 {
        self.twist_accepted as f64 / self.twist_tried as f64
    }
    /// The counts as a list (checkpoint order).
    pub(crate) fn to_array(self) -> [u64; 8] {
        [
            self.heat_bath,
            self.metropolis_tried,
            self.metropolis_accepted,
            self.overrelaxed,
            self.reflect_tried,
            self.reflect_accepted,
            self.twist_tried,
            self.twist_accepted,
        ]
    }
    /// From [`Self::to_array`].
    pub(crate) fn from_array(a: [u64; 8]) -> Self {
        UpdateCounts {
            heat_bath: a[0],
            metropolis_tried: a[1],
            metropolis_accepted: a[2],
            overrelaxed: a[3],
            reflect_tried: a[4],
            reflect_accepted: a[5],
            twist_tried: a[6],
            twist_accepted: a[7],
        }
    }
}

/// The couplings seen by the links of one direction μ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct DirCoupling {
    /// β of the Wilson planes (μ, ν); 0 for ν = μ and for Villain planes.
    pub wilson: [f64; MAX_DIM],
    /// β of the Villain planes (μ, ν); 0 otherwise.
    pub villain: [f64; MAX_DIM],
    /// Every plane of μ is Wilson.
    pub pure_wilson: bool,
    /// Half-width Δ of the Metropolis proposal.
    pub step: f64,
}

impl DirCoupling {
    /// The couplings of direction `mu` under `action`. The Metropolis half-width is
    /// `Δ = min(π, 2.4/√k)` with `k = 2 Σ_ν β_μν` the curvature of the local action at its
    /// minimum (a uniform proposal of half-width 2.4 standard deviations of the local Gaussian).
    pub fn new(action: &GaugeAction, mu: usize) -> Self {
        let mut c = DirCoupling { wilson: [0.0; MAX_DIM], villain: [0.0; MAX_DIM], pure_wilson: true, step: PI };
        let mut k = 0.0;
        for nu in 0..action.dim() {
            if nu == mu {
                continue;
            }
            let p = action.plane(mu, nu);
            match p.weight {
                Weight::Wilson => c.wilson[nu] = p.beta,
                Weight::Villain => {
                    c.villain[nu] = p.beta;
                    c.pure_wilson = false;
                }
            }
            k += 2.0 * p.beta;
        }
        c.step = (2.4 / k.sqrt()).min(PI);
        c
    }
}

/// What a pass does to each link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Heat bath (Wilson links) or `hits` Metropolis steps (links with Villain plaquettes).
    Update { hits: u32 },
    /// Overrelaxation (exact for Wilson links, Metropolized otherwise).
    Reflect,
}

/// Wrap an angle in (−3π, 3π] into (−π, π].
#[inline(always)]
fn wrap_once(t: f64) -> f64 {
    if t > PI {
        t - 2.0 * PI
    } else if t <= -PI {
        t + 2.0 * PI
    } else {
        t
    }
}

/// The read-only arrays of a class update: `[ν][parity]`, the class's own array left empty.
type Reads<'a> = [[&'a [Complex64]; 2]; MAX_DIM];

/// Update the class (`mu`, `parity`) of `links` (`[2ν + parity][x >> 1]` on `block`) in place.
pub(crate) fn update_class(
    block: &Block,
    links: &mut [Vec<Complex64>],
    mu: usize,
    parity: usize,
    coupling: &DirCoupling,
    pass: Pass,
    key: [u32; 2],
    stage: u32,
) -> UpdateCounts {
    match block.dim() {
        2 => update_class_d::<2>(block, links, mu, parity, coupling, pass, key, stage),
        3 => update_class_d::<3>(block, links, mu, parity, coupling, pass, key, stage),
        4 => update_class_d::<4>(block, links, mu, parity, coupling, pass, key, stage),
        d => unreachable!("gauge actions are validated to 2-4 dimensions, got {d}"),
    }
}

fn update_class_d<const D: usize>(
    block: &Block,
    links: &mut [Vec<Complex64>],
    mu: usize,
    parity: usize,
    coupling: &DirCoupling,
    pass: Pass,
    key: [u32; 2],
    stage: u32,
) -> UpdateCounts {
    let target = 2 * mu + parity;
    let mut reads: Reads = [[&[]; 2]; MAX_DIM];
    let mut mine: &mut [Complex64] = &mut [];
    for (i, arr) in links.iter_mut().enumerate() {
        if i == target {
            mine = arr.as_mut_slice();
        } else {
            reads[i / 2][i % 2] = arr.as_slice();
        }
    }
    let half_row = block.padded()[0] / 2;
    let rows = block.owned_rows();
    let rows_per_chunk = (CHUNK_LINKS / (block.owned()[0] / 2).max(1)).max(1);
    // cut the class array into disjoint pieces, one per group of owned rows (safe, in place)
    let mut pieces = Vec::with_capacity(rows.len().div_ceil(rows_per_chunk));
    let mut rest = mine;
    let mut offset = 0;
    for group in rows.chunks(rows_per_chunk) {
        let lo = group[0].padded * half_row;
        let hi = (group[group.len() - 1].padded + 1) * half_row;
        let (_, tail) = rest.split_at_mut(lo - offset);
        let (piece, tail) = tail.split_at_mut(hi - lo);
        pieces.push((group, piece, lo));
        rest = tail;
        offset = hi;
    }
    pieces
        .into_par_iter()
        .map(|(group, piece, base)| {
            let mut counts = UpdateCounts::default();
            for row in group {
                update_row::<D>(block, row, mu, parity, coupling, pass, key, stage, &reads, piece, base, &mut counts);
            }
            counts
        })
        .reduce(UpdateCounts::default, UpdateCounts::plus)
}

/// Update the class sites of one owned row; `piece` holds the class array from entry `base` on.
#[inline(always)]
fn update_row<const D: usize>(
    block: &Block,
    row: &OwnedRow,
    mu: usize,
    parity: usize,
    coupling: &DirCoupling,
    pass: Pass,
    key: [u32; 2],
    stage: u32,
    reads: &Reads,
    piece: &mut [Complex64],
    base: usize,
    counts: &mut UpdateCounts,
) {
    let start = row.padded * block.padded()[0];
    let o0 = block.origin()[0];
    // class sites: global parity (row parity + o0 + c0 - 1) % 2 == parity
    let q = (parity + row.parity + o0 + 1) % 2;
    let first = if q == 1 { 1 } else { 2 };
    let s = block.strides();
    let other = 1 - parity;
    let sm = s[mu];
    let l0 = block.owned()[0];
    let mut c0 = first;
    while c0 <= l0 {
        let x = start + c0;
        let link = ((row.site + o0 + c0 - 1) * D + mu) as u64;
        let slot = &mut piece[(x >> 1) - base];
        let u = *slot;
        // staples: Wilson-weighted sum, and the Villain ones one by one
        let mut sw = Complex64::new(0.0, 0.0);
        let mut vst = [Complex64::new(0.0, 0.0); 2 * (MAX_DIM - 1)];
        let mut vbeta = [0.0f64; 2 * (MAX_DIM - 1)];
        let mut nv = 0;
        for nu in 0..D {
            if nu == mu {
                continue;
            }
            let sn = s[nu];
            let f = mul_conj(
                mul_conj(reads[nu][other][(x + sm) >> 1], reads[mu][other][(x + sn) >> 1]),
                reads[nu][parity][x >> 1],
            );
            let b = mul_conj(
                reads[nu][other][(x - sn) >> 1],
                mul(reads[nu][parity][(x + sm - sn) >> 1], reads[mu][other][(x - sn) >> 1]),
            );
            if coupling.villain[nu] > 0.0 {
                vst[nv] = f;
                vst[nv + 1] = b;
                vbeta[nv] = coupling.villain[nu];
                vbeta[nv + 1] = coupling.villain[nu];
                nv += 2;
            } else {
                let w = coupling.wilson[nu];
                sw.re += w * (f.re + b.re);
                sw.im += w * (f.im + b.im);
            }
        }
        *slot = if coupling.pure_wilson {
            match pass {
                Pass::Update { .. } => {
                    counts.heat_bath += 1;
                    heat_bath(sw, &mut Philox::new(key, link, stage))
                }
                Pass::Reflect => {
                    counts.overrelaxed += 1;
                    reflect(u, sw)
                }
            }
        } else {
            let mut rng = Philox::new(key, link, stage);
            match pass {
                Pass::Update { hits } => {
                    metropolis(u, sw, &vst[..nv], &vbeta[..nv], coupling.step, hits, &mut rng, counts)
                }
                Pass::Reflect => reflect_metropolis(u, sw, &vst[..nv], &vbeta[..nv], &mut rng, counts),
            }
        };
        c0 += 2;
    }
}

/// The heat bath of a Wilson link with staple sum `S`: `U = e^{iφ} S*/|S|`, φ von Mises(|S|).
#[inline(always)]
fn heat_bath(s: Complex64, rng: &mut Philox) -> Complex64 {
    let kappa = (s.re * s.re + s.im * s.im).sqrt();
    let (c, sn) = von_mises(kappa, rng);
    if kappa > 0.0 {
        let inv = 1.0 / kappa;
        Complex64::new((c * s.re + sn * s.im) * inv, (sn * s.re - c * s.im) * inv)
    } else {
        Complex64::new(c, sn)
    }
}

/// Overrelaxation `U → (S*/|S|)² U*`: keeps `Re(U S)` exactly.
#[inline(always)]
fn reflect(u: Complex64, s: Complex64) -> Complex64 {
    let n2 = s.re * s.re + s.im * s.im;
    if n2 > 0.0 {
        let inv = 1.0 / n2;
        let w = Complex64::new((s.re * s.re - s.im * s.im) * inv, -2.0 * s.re * s.im * inv);
        Complex64::new(u.re * w.re + u.im * w.im, u.re * w.im - u.im * w.re)
    } else {
        u
    }
}

/// `hits` Metropolis steps on a link with Wilson staple sum `sw` and Villain staples `vst`
/// (couplings `vbeta`).
#[inline(always)]
fn metropolis(
    u: Complex64,
    sw: Complex64,
    vst: &[Complex64],
    vbeta: &[f64],
    step: f64,
    hits: u32,
    rng: &mut Philox,
    counts: &mut UpdateCounts,
) -> Complex64 {
    let mut u = u;
    let mut us = mul(u, sw);
    let mut theta = [0.0f64; 2 * (MAX_DIM - 1)];
    let mut sv = [0.0f64; 2 * (MAX_DIM - 1)];
    for j in 0..vst.len() {
        let p = mul(u, vst[j]);
        theta[j] = p.im.atan2(p.re);
        sv[j] = villain_action(vbeta[j], theta[j]);
    }
    let mut changed = false;
    for _ in 0..hits {
        let (r1, r2, _) = rng.pair();
        let delta = step * (2.0 * r1 - 1.0);
        let (sd, cd) = delta.sin_cos();
        // Wilson part: −[Re(U S e^{iδ}) − Re(U S)]
        let mut ds = -(us.re * (cd - 1.0) - us.im * sd);
        let mut new_theta = [0.0f64; 2 * (MAX_DIM - 1)];
        let mut new_sv = [0.0f64; 2 * (MAX_DIM - 1)];
        for j in 0..vst.len() {
            new_theta[j] = wrap_once(theta[j] + delta);
            new_sv[j] = villain_action(vbeta[j], new_theta[j]);
            ds += new_sv[j] - sv[j];
        }
        counts.metropolis_tried += 1;
        if ds <= 0.0 || r2 < (-ds).exp() {
            counts.metropolis_accepted += 1;
            let e = Complex64::new(cd, sd);
            u = mul(u, e);
            us = mul(us, e);
            theta = new_theta;
            sv = new_sv;
            changed = true;
        }
    }
    if changed {
        let n = (u.re * u.re + u.im * u.im).sqrt();
        Complex64::new(u.re / n, u.im / n)
    } else {
        u
    }
}

/// The reflection of a link with Villain plaquettes about `Σ β (F + B)` over all its plaquettes,
/// accepted by Metropolis on the exact change of its local action (Wilson and Villain parts).
#[inline(always)]
fn reflect_metropolis(
    u: Complex64,
    sw: Complex64,
    vst: &[Complex64],
    vbeta: &[f64],
    rng: &mut Philox,
    counts: &mut UpdateCounts,
) -> Complex64 {
    let mut s = sw;
    for j in 0..vst.len() {
        s.re += vbeta[j] * vst[j].re;
        s.im += vbeta[j] * vst[j].im;
    }
    if s.re * s.re + s.im * s.im == 0.0 {
        return u;
    }
    let v = reflect(u, s);
    // the reflection keeps Re(U S) for the whole S, not its Wilson and Villain parts separately:
    // the Wilson part changes by −[Re(v S_W) − Re(u S_W)]
    let mut ds = -(mul(v, sw).re - mul(u, sw).re);
    for j in 0..vst.len() {
        let (a, b) = (mul(u, vst[j]), mul(v, vst[j]));
        ds += villain_action(vbeta[j], b.im.atan2(b.re)) - villain_action(vbeta[j], a.im.atan2(a.re));
    }
    counts.reflect_tried += 1;
    let (r, _, _) = rng.pair();
    if ds <= 0.0 || r < (-ds).exp() {
        counts.reflect_accepted += 1;
        v
    } else {
        u
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `I1(κ)/I0(κ)` from its large-κ series (Abramowitz & Stegun 9.7.1; the first omitted term
    /// is of order κ⁻⁵, below 1e-8 for the κ ≥ 50 used here).
    fn bessel_ratio(k: f64) -> f64 {
        1.0 - kappa_one_minus_ratio(k) / k
    }

    /// `κ(1 − I1/I0)` from the same series, summed without the cancellation of `1 − I1/I0`.
    fn kappa_one_minus_ratio(k: f64) -> f64 {
        0.5 + 1.0 / (8.0 * k) + 1.0 / (8.0 * k * k) + 25.0 / (128.0 * k.powi(3))
    }

    /// Both forms of the von Mises draw against two exact moments of the density ∝ e^{κ cos φ}:
    /// `κ(1 − ⟨cos φ⟩) = κ(1 − I1/I0)` (→ 1/2) and `κ⟨sin² φ⟩ = I1/I0` (→ 1), and `⟨sin φ⟩ = 0`,
    /// from 10⁵ draws each, at concentrations from the ordinary range up to 1e300 (the plain form
    /// never returns beyond κ ≈ 1e16). Tolerance 5 standard errors: the variances of `κ(1 − cos φ)`
    /// and `κ sin² φ` tend to 1/2 and 2 (a χ²₁ variable halved, and whole).
    #[test]
    fn von_mises_draws_have_the_exact_moments_at_every_concentration() {
        let n = 100_000;
        let cases: [(f64, bool); 7] =
            [(50.0, true), (500.0, false), (999.0, false), (1e3, true), (1e6, true), (1.8e19, true), (1e300, true)];
        for (i, &(kappa, concentrated)) in cases.iter().enumerate() {
            let (mut one_minus_cos, mut sin2, mut sin) = (0.0, 0.0, 0.0);
            for t in 0..n {
                let mut rng = Philox::new([7, 11], t as u64, i as u32);
                let (c, s) =
                    if concentrated { von_mises_concentrated(kappa, &mut rng) } else { von_mises(kappa, &mut rng) };
                assert!((c * c + s * s - 1.0).abs() < 1e-12, "κ = {kappa}: ({c}, {s}) is not on the circle");
                // 1 − cos φ = s²/(1 + c) keeps its digits when cos φ rounds to 1
                one_minus_cos += kappa * s * s / (1.0 + c);
                sin2 += kappa * s * s;
                sin += s * kappa.sqrt();
            }
            let (a, b, m) = (one_minus_cos / n as f64, sin2 / n as f64, sin / n as f64);
            let r = bessel_ratio(kappa);
            let se = |var: f64| 5.0 * (var / n as f64).sqrt();
            let want = kappa_one_minus_ratio(kappa);
            assert!((a - want).abs() < se(0.5), "κ = {kappa}: κ(1 − ⟨cos⟩) = {a}, exact {want}");
            assert!((b - r).abs() < se(2.0), "κ = {kappa}: κ⟨sin²⟩ = {b}, exact {r}");
            assert!(m.abs() < se(1.0), "κ = {kappa}: √κ⟨sin⟩ = {m}");
        }
    }
}
