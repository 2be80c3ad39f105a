//! Counting the photon's polarizations from the dynamics, independently of the initial state
//! (docs/physics/photon.md §4.3).
//!
//! - [`HelicityProjector`] splits the electric field `E = L` at each `(k, ω)` into its helicity
//!   +1, −1 and 0 (longitudinal) parts about the wave's direction.
//! - [`unequal_state`] is an initial state far from equipartition: every helicity of θ (0 included)
//!   and the transverse helicities of L are excited with their own random weight, and every
//!   momentum with its own random factor, so no two modes share an energy.
//! - [`count_polarizations`] counts the helicities whose electric field oscillates at a frequency
//!   that vanishes linearly with |K|: the count follows from the peaks of S(k, ω) over the run, not
//!   from how much weight the initial state put where (a mode that does not move keeps its weight
//!   at ω = 0, whatever that weight is).
//!
//! Helicity convention: the structure factor's spatial transform `A_k = Σ_r e^{+ik·r} A_r` holds the
//! Bloch wave of momentum `q = −k`; with each link's value placed at its midpoint `r + â/2` the
//! polarization of that wave is `e^{ik_a/2} A_{k,a}`, whose longitudinal direction is the real unit
//! vector `n ∝ 2 sin(q_a/2)`. Helicity ±1 are `e_± = (e1 ± i e2)/√2` with `e1 ⟂ n` real and
//! `e2 = n × e1`: the eigenvectors of `i n×` (spin-1 `S·q̂`), as in [`crate::modes::photon`].

use super::RotorState;
use crate::dynamics::correlation::{Projector, StructureFactor};
use crate::error::{Error, Result};
use crate::lattice::Lattice;
use crate::linalg::C64;
use crate::model::RotorModel;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use rustfft::FftPlanner;
use serde::Serialize;

/// A momentum counts as oscillating in a channel when at least this fraction of the channel's
/// weight there is at ω ≠ 0 (a static field has all of it at ω = 0).
pub const OSCILLATING_FRACTION: f64 = 0.5;

/// A momentum whose channel weight is below this fraction of the largest weight of any channel at
/// any window momentum holds rounding only: it is not counted as oscillating.
pub const WEIGHT_FLOOR: f64 = 1e-12;

/// A channel propagates when it oscillates at at least this fraction of the window's momenta.
pub const PROPAGATING_MOMENTA: f64 = 0.9;

/// A propagating channel is a gapless linear branch when its peaks fit `ω ∝ |K|^p` with
/// `|p − 1|` at most this.
pub const LINEAR_EXPONENT_TOL: f64 = 0.1;

/// The helicity frame at one momentum index of the structure factor.
#[derive(Clone, Copy, Debug)]
struct Frame {
    /// Midpoint phases `e^{ik_a/2}`.
    mid: [C64; 3],
    /// `e_+`, `e_−`, `n` (conjugated when projecting).
    vecs: [[C64; 3]; 3],
    /// `|K| > 0`.
    defined: bool,
}

/// The helicity frame of the Bloch wave held at spatial-transform momentum `k` (see the module doc).
fn frame(k: &[f64]) -> Frame {
    let mid: [C64; 3] = std::array::from_fn(|a| C64::from_polar(1.0, k[a] / 2.0));
    let kv: [f64; 3] = std::array::from_fn(|a| -2.0 * (k[a] / 2.0).sin());
    let zero = [[C64::new(0.0, 0.0); 3]; 3];
    // e1 is the same for n and −n, so the frame at −k is the complex conjugate one (real fields
    // stay real)
    let Some((n, e1, e2)) = crate::modes::graviton::helicity::transverse_frame(kv) else {
        return Frame { mid, vecs: zero, defined: false };
    };
    let s = std::f64::consts::FRAC_1_SQRT_2;
    let ep: [C64; 3] = std::array::from_fn(|i| C64::new(e1[i] * s, e2[i] * s));
    let em: [C64; 3] = std::array::from_fn(|i| C64::new(e1[i] * s, -e2[i] * s));
    let nc: [C64; 3] = std::array::from_fn(|i| C64::new(n[i], 0.0));
    Frame { mid, vecs: [ep, em, nc], defined: true }
}

/// Splits the transformed electric field at each `(k, ω)` into helicity +1 (channel 0), −1
/// (channel 1) and 0, longitudinal (channel 2). At `k = 0` (no direction) all channels are zero.
#[derive(Clone, Debug)]
pub struct HelicityProjector {
    frames: Vec<Frame>,
}

impl HelicityProjector {
    /// The frames of every momentum of the lattice (three-dimensional).
    pub fn new(lattice: &Lattice) -> Result<Self> {
        if lattice.dim() != 3 {
            return Err(Error::invalid("lattice", lattice.to_string(), "helicity needs the cubic lattice"));
        }
        Ok(HelicityProjector { frames: lattice.momentum_grid().iter().map(|k| frame(k.components())).collect() })
    }

    /// The helicity (+1, −1, 0) of a channel.
    pub fn helicity(channel: usize) -> i32 {
        [1, -1, 0][channel.min(2)]
    }
}

impl Projector for HelicityProjector {
    fn channels(&self) -> usize {
        3
    }
    fn project(&self, k: usize, c: &[C64], out: &mut [f64]) {
        let f = &self.frames[k];
        if !f.defined {
            out.iter_mut().for_each(|x| *x = 0.0);
            return;
        }
        let m: [C64; 3] = std::array::from_fn(|a| f.mid[a] * c[a]);
        for (ch, v) in f.vecs.iter().enumerate() {
            out[ch] = (0..3).map(|a| v[a].conj() * m[a]).sum::<C64>().norm_sqr();
        }
    }
}

/// Settings of [`unequal_state`].
#[derive(Clone, Debug)]
pub struct UnequalConfig {
    /// The energy scale T: a mode of helicity h at momentum k gets mean energy `T · w_h · r_k`.
    pub temperature: f64,
    /// Seed of the weights and the noise.
    pub seed: u64,
    /// Static background charges (their Coulomb field is added to L), or `None` for Q = 0.
    pub charges: Option<Vec<f64>>,
}

/// What [`unequal_state`] drew, to report beside the count.
#[derive(Clone, Debug, Serialize)]
pub struct UnequalWeights {
    /// `w_h` for helicity +1, −1, 0 (uniform in [0.25, 1.75], one draw per helicity).
    pub helicity_weights: [f64; 3],
    /// Range of the per-momentum factors `r_k` (uniform in [0.25, 1.75], the same for ±k).
    pub momentum_factor_range: [f64; 2],
}

/// Unitary 3D FFT of complex site fields, `sign = +1` for `Σ_r e^{+ik·r}` and `−1` for its inverse.
fn fft3(lat: &Lattice, data: &mut [C64], sign: i32) {
    let mut planner = FftPlanner::new();
    let n = lat.n_sites();
    let mut line = Vec::new();
    for a in 0..3 {
        let len = lat.extents()[a];
        let stride = lat.strides()[a];
        let plan = if sign > 0 { planner.plan_fft_inverse(len) } else { planner.plan_fft_forward(len) };
        line.resize(len, C64::new(0.0, 0.0));
        for start in (0..n).filter(|s| (s / stride) % len == 0) {
            for i in 0..len {
                line[i] = data[start + i * stride];
            }
            plan.process(&mut line);
            for i in 0..len {
                data[start + i * stride] = line[i];
            }
        }
    }
    let s = 1.0 / (n as f64).sqrt();
    data.iter_mut().for_each(|x| *x *= s);
}

/// A uniform number in [0.25, 1.75) from (seed, key) (splitmix64), the same for a momentum and
/// its opposite when keyed by the smaller of their indices.
fn factor(seed: u64, key: u64) -> f64 {
    let mut z = seed ^ key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    0.25 + 1.5 * ((z >> 11) as f64 / (1u64 << 53) as f64)
}

fn draw_weights(rng: &mut Xoshiro256PlusPlus) -> [f64; 3] {
    std::array::from_fn(|_| rng.random_range(0.25..1.75))
}

/// The helicity weights [`unequal_state`] draws for `seed` (without drawing the state).
pub fn unequal_weights(seed: u64) -> UnequalWeights {
    let w = draw_weights(&mut Xoshiro256PlusPlus::seed_from_u64(seed));
    UnequalWeights { helicity_weights: w, momentum_factor_range: [0.25, 1.75] }
}

/// A state far from equipartition: θ in all three helicities and L in the two transverse ones,
/// each mode a Gaussian of mean energy `T · w_h · r_k` (scaled by the transverse coefficients
/// `2g|K|²` for θ, `2J` for L; the longitudinal θ, which has no restoring force, gets the
/// transverse scale), plus the Coulomb field of the static charges. Deterministic for a seed.
pub fn unequal_state(model: &RotorModel, config: &UnequalConfig) -> Result<(RotorState, UnequalWeights)> {
    let lat = &model.lattice;
    if lat.dim() != 3 {
        return Err(Error::invalid("lattice", lat.to_string(), "the rotor dynamics runs on the cubic lattice"));
    }
    crate::error::require_positive("temperature", config.temperature, "the initial state needs an energy scale T > 0")?;
    let n = lat.n_sites();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(config.seed);
    let w = draw_weights(&mut rng);
    let key = rng.random::<u64>();
    let noise = |rng: &mut Xoshiro256PlusPlus| -> Vec<Vec<C64>> {
        (0..3).map(|_| (0..n).map(|_| C64::new(StandardNormal.sample(rng), 0.0)).collect()).collect()
    };
    let mut th = noise(&mut rng);
    let mut l = noise(&mut rng);
    for c in th.iter_mut().chain(l.iter_mut()) {
        fft3(lat, c, 1);
    }
    let (a_t, t) = (2.0 * model.j, config.temperature);
    for i in 0..n {
        let km = lat.momentum_of_index(i);
        let k = km.components();
        let f = frame(k);
        if !f.defined {
            for c in th.iter_mut().chain(l.iter_mut()) {
                c[i] = C64::new(0.0, 0.0);
            }
            continue;
        }
        let neg: Vec<f64> = k.iter().map(|x| -x).collect();
        let j = lat.momentum_index(&crate::lattice::Momentum::new(&neg));
        let r = factor(key, i.min(j) as u64);
        let b_t = 2.0 * model.g * km.lattice_k2();
        for (field, coef, keep_long) in [(&mut th, b_t, true), (&mut l, a_t, false)] {
            let m: [C64; 3] = std::array::from_fn(|a| f.mid[a] * field[a][i]);
            let mut out = [C64::new(0.0, 0.0); 3];
            for (h, v) in f.vecs.iter().enumerate() {
                if h == 2 && !keep_long {
                    continue;
                }
                let c: C64 = (0..3).map(|a| v[a].conj() * m[a]).sum();
                let scale = (t * w[h] * r / coef).sqrt();
                for a in 0..3 {
                    out[a] += v[a] * c * scale;
                }
            }
            for a in 0..3 {
                field[a][i] = out[a] * f.mid[a].conj();
            }
        }
    }
    let mut state = RotorState::vacuum(lat);
    for (field, dst) in [(&mut th, &mut state.theta), (&mut l, &mut state.l)] {
        for (a, c) in field.iter_mut().enumerate() {
            fft3(lat, c, -1);
            for r in 0..n {
                // the real part: exact for every momentum but the self-conjugate ones (k_a ∈ {0, π}),
                // whose modes this keeps only in part (they are far from the small-k window)
                dst[3 * r + a] = c[r].re;
            }
        }
    }
    if let Some(q) = &config.charges {
        let e = crate::mc::rotor::coulomb_field(lat, q)?;
        state.l.iter_mut().zip(&e).for_each(|(x, y)| *x += y);
    }
    Ok((state, UnequalWeights { helicity_weights: w, momentum_factor_range: [0.25, 1.75] }))
}

/// One helicity channel's count.
#[derive(Clone, Debug, Serialize)]
pub struct ChannelCount {
    /// Helicity +1, −1 or 0.
    pub helicity: i32,
    /// Momenta of the window (k ≠ 0, |K|² ≤ the window).
    pub momenta: usize,
    /// Of those, how many oscillate (weight at ω ≠ 0 at least [`OSCILLATING_FRACTION`] of the total).
    pub oscillating: usize,
    /// The smallest oscillating fraction over the window (NaN if the channel has no weight).
    pub oscillating_fraction_min: f64,
    /// The channel's total weight over the window, relative to the largest channel's.
    pub relative_weight: f64,
    /// (|K|, ω) of the strongest peak at ω ≠ 0 at each oscillating momentum.
    pub peaks: Vec<[f64; 2]>,
    /// Exponent p of `ω ∝ |K|^p` through the peaks (NaN with fewer than two distinct |K|).
    pub exponent: f64,
    /// `Σ ω|K| / Σ |K|²` over the peaks.
    pub speed: f64,
    /// Oscillates at at least [`PROPAGATING_MOMENTA`] of the window.
    pub propagating: bool,
    /// Propagating with `|p − 1| ≤` [`LINEAR_EXPONENT_TOL`]: a gapless linear branch.
    pub gapless_linear: bool,
}

/// The polarization count of a run.
#[derive(Clone, Debug, Serialize)]
pub struct PolarizationCount {
    /// Helicity +1, −1, 0.
    pub channels: Vec<ChannelCount>,
    /// Number of gapless linear branches (the count).
    pub count: usize,
    /// The window `|K|² ≤` this.
    pub max_k2: f64,
    /// The frequency resolution Δω of the run.
    pub domega: f64,
    /// True if the window holds at least two distinct |K| (so an exponent can be fitted).
    pub determined: bool,
}

/// The strongest peak of a spectrum folded over ±ω (bins j and T − j), refined for a pure tone
/// (rectangular window: `|X_{j+1}|/|X_j| = δ/(1 − δ)`); `None` without an interior maximum.
fn folded_peak(sf: &StructureFactor, ch: usize, k: usize) -> Option<f64> {
    let nt = sf.n_times();
    let half = nt / 2;
    let s: Vec<f64> = (0..=half)
        .map(|j| sf.intensity(ch, k, j) + if j > 0 && j < nt - j { sf.intensity(ch, k, nt - j) } else { 0.0 })
        .collect();
    let mut best: Option<usize> = None;
    for j in 1..half {
        if best.is_none_or(|b| s[j] > s[b]) {
            best = Some(j);
        }
    }
    let j = best?;
    let (left, mid, right) = (s[j - 1], s[j], s[j + 1]);
    if mid <= 0.0 || (j == 1 && left > mid) {
        return None;
    }
    let (nb, sign) = if right >= left { (right, 1.0) } else { (left, -1.0) };
    let r = (nb / mid).max(0.0).sqrt();
    Some(sf.omega(j) + sign * r / (1.0 + r) * sf.domega())
}

/// Count the gapless linear branches of a helicity-resolved S(k, ω) ([`HelicityProjector`]) over
/// the momenta `k ≠ 0` with `|K|² ≤ max_k2`.
pub fn count_polarizations(sf: &StructureFactor, max_k2: f64) -> Result<PolarizationCount> {
    if sf.channels() != 3 {
        return Err(Error::invalid(
            "structure factor",
            format!("{} channels", sf.channels()),
            "count from the helicity projector's three channels",
        ));
    }
    let lat = sf.lattice().clone();
    let nt = sf.n_times();
    let window: Vec<(usize, f64)> = (0..lat.n_sites())
        .map(|i| (i, lat.momentum_of_index(i).lattice_k2()))
        .filter(|&(_, k2)| k2 > 1e-12 && k2 <= max_k2)
        .collect();
    let weight = |ch: usize, k: usize| -> (f64, f64) {
        let total: f64 = (0..nt).map(|j| sf.intensity(ch, k, j)).sum();
        (total, sf.intensity(ch, k, 0))
    };
    let totals: Vec<f64> = (0..3).map(|ch| window.iter().map(|&(k, _)| weight(ch, k).0).sum()).collect();
    let top = totals.iter().copied().fold(0.0f64, f64::max);
    let top_k = (0..3)
        .flat_map(|ch| window.iter().map(move |&(k, _)| (ch, k)))
        .map(|(ch, k)| weight(ch, k).0)
        .fold(0.0f64, f64::max);
    let mut channels = Vec::with_capacity(3);
    let mut shells: Vec<f64> = window.iter().map(|w| w.1).collect();
    shells.sort_by(f64::total_cmp);
    shells.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    let determined = shells.len() >= 2;
    for ch in 0..3 {
        let (mut osc, mut fmin, mut peaks) = (0usize, f64::INFINITY, Vec::new());
        for &(k, k2) in &window {
            let (total, stat) = weight(ch, k);
            let f = if total > 0.0 { (total - stat) / total } else { 0.0 };
            fmin = fmin.min(f);
            if f >= OSCILLATING_FRACTION && total >= WEIGHT_FLOOR * top_k {
                if let Some(w) = folded_peak(sf, ch, k) {
                    osc += 1;
                    peaks.push([k2.sqrt(), w]);
                }
            }
        }
        let (kx, wy): (Vec<f64>, Vec<f64>) = peaks.iter().map(|p| (p[0], p[1])).unzip();
        let exponent = crate::modes::fit::fit_power_law(&kx, &wy).map(|l| l.exponent).unwrap_or(f64::NAN);
        let num: f64 = peaks.iter().map(|p| p[0] * p[1]).sum();
        let den: f64 = peaks.iter().map(|p| p[0] * p[0]).sum();
        let speed = if den > 0.0 { num / den } else { f64::NAN };
        let propagating = !window.is_empty() && osc as f64 >= PROPAGATING_MOMENTA * window.len() as f64;
        let gapless_linear = propagating && (exponent - 1.0).abs() <= LINEAR_EXPONENT_TOL;
        channels.push(ChannelCount {
            helicity: HelicityProjector::helicity(ch),
            momenta: window.len(),
            oscillating: osc,
            oscillating_fraction_min: if fmin.is_finite() { fmin } else { f64::NAN },
            relative_weight: if top > 0.0 { totals[ch] / top } else { 0.0 },
            peaks,
            exponent,
            speed,
            propagating,
            gapless_linear,
        });
    }
    let count = channels.iter().filter(|c| c.gapless_linear).count();
    Ok(PolarizationCount { channels, count, max_k2, domega: sf.domega(), determined })
}
