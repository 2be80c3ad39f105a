//! Reading spectra: the one place where S(k, ω) is integrated, sliced and searched for peaks.
//!
//! A [`StructureFactor`] accumulates `S_c(k, ω_j)` from trajectories (conventions in
//! `docs/conventions.md`: `ω_j = 2π j / (T Δt)`, bins above `T/2` are negative frequencies).
//! What every chapter reads off it lives here:
//!
//! - [`Peak`]: a dispersion point (momentum, peak frequency), the same type for spin waves and
//!   photons;
//! - [`PeakFinder`]: how the peak of a sampled spectrum is located, chosen by name
//!   (`"parabola"`, `"tone"`), and [`peaks`], which applies one to a list of momenta;
//! - [`integrate`] and [`sum_rule`]: `Σ_k Σ_j S_c(k, ω_j) Δω` over chosen momenta and bins;
//! - [`slice`]: `S_c(k, ω_j)` at chosen momenta and non-negative bins, as a `(k, ω)` array
//!   (the last axis, ω, varies fastest). Every S(k, ω) array ether saves has this axis order.

use crate::dynamics::correlation::StructureFactor;
use crate::error::{Error, Result};
use crate::lattice::{Lattice, Momentum};
use serde::{Deserialize, Serialize};

/// How the frequency of a spectral peak is located from a sampled spectrum `(ω_j, S_j)`.
///
/// Both search the largest interior maximum above a floor and refine it between bins; they
/// differ in the line shape they assume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeakFinder {
    /// A parabola through the three bins around the maximum (shift clamped to half a bin): a
    /// good default for broadened (thermal, damped) lines.
    Parabola,
    /// The exact position of an undamped tone between two bins. A pure tone of frequency ω
    /// between bins `j` and `j + 1` has the rectangular-window (Fejér) line shape, for which
    /// `|X_{j+1}|/|X_j| = δ/(1 − δ)` with `δ = (ω − ω_j)/Δω`; so `δ = r/(1 + r)` with `r` the
    /// square root of the power ratio of the larger neighbour. Unbiased for linear waves, where a
    /// parabola is off by a few percent of a bin.
    Tone,
}

impl PeakFinder {
    /// All finders, with their names.
    pub const ALL: [PeakFinder; 2] = [PeakFinder::Parabola, PeakFinder::Tone];

    /// The finder's name (`"parabola"`, `"tone"`).
    pub fn name(self) -> &'static str {
        match self {
            PeakFinder::Parabola => "parabola",
            PeakFinder::Tone => "tone",
        }
    }

    /// The peak frequency of `spectrum` (pairs `(ω_j, S_j)` on bins `dw` apart, ascending):
    /// the largest interior maximum with `ω_j > omega_min`, refined between bins. `None` if
    /// there is no interior maximum (or, for [`PeakFinder::Tone`], the maximum is not positive).
    pub fn locate(self, spectrum: &[(f64, f64)], omega_min: f64, dw: f64) -> Option<f64> {
        let s = spectrum;
        let mut best: Option<usize> = None;
        for j in 1..s.len().saturating_sub(1) {
            if s[j].0 <= omega_min {
                continue;
            }
            if best.is_none_or(|b| s[j].1 > s[b].1) {
                best = Some(j);
            }
        }
        let j = best?;
        let (left, mid, right) = (s[j - 1].1, s[j].1, s[j + 1].1);
        match self {
            PeakFinder::Parabola => {
                let denom = left - 2.0 * mid + right;
                let shift = if denom.abs() > 0.0 { 0.5 * (left - right) / denom } else { 0.0 };
                Some(s[j].0 + shift.clamp(-0.5, 0.5) * dw)
            }
            PeakFinder::Tone => {
                if mid <= 0.0 {
                    return None;
                }
                let (nb, sign) = if right >= left { (right, 1.0) } else { (left, -1.0) };
                let r = (nb / mid).max(0.0).sqrt();
                Some(s[j].0 + sign * r / (1.0 + r) * dw)
            }
        }
    }
}

impl std::fmt::Display for PeakFinder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for PeakFinder {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        PeakFinder::ALL.into_iter().find(|p| p.name() == s).ok_or_else(|| {
            Error::invalid("peak finder", s, "use \"parabola\" (broadened lines) or \"tone\" (undamped waves)")
        })
    }
}

/// A dispersion point read from a peak of S(k, ω). (Fields in alphabetical order, so that its
/// JSON is the same whether written directly or through a `serde_json::Value`.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Peak {
    /// The grid momentum `k_a = 2π n_a / L_a` (radians per lattice spacing, in `[0, 2π)`).
    pub k: Vec<f64>,
    /// `|k|` of its first-Brillouin-zone representative.
    pub k_abs: f64,
    /// Momentum index on the lattice grid (flattened like a site index).
    pub k_index: usize,
    /// The lattice `|K| = sqrt(Σ_a 4 sin²(k_a/2))`.
    pub lattice_k: f64,
    /// Peak frequency.
    pub omega: f64,
}

impl Peak {
    /// The peak at grid momentum `k_index` with frequency `omega`.
    pub fn new(lattice: &Lattice, k_index: usize, omega: f64) -> Peak {
        let k = lattice.momentum_of_index(k_index);
        Peak { k_index, k: k.components().to_vec(), k_abs: k.norm_bz(), lattice_k: k.lattice_k2().sqrt(), omega }
    }
}

/// How [`peaks`] reads a peak at each momentum.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeakSearch {
    /// The line-shape model.
    pub finder: PeakFinder,
    /// The channel of the structure factor.
    pub channel: usize,
    /// Search only bins with `ω > search_above · Δω`.
    pub search_above: f64,
    /// Keep only peaks with `ω >= keep_above · Δω` (unresolved ones are dropped).
    pub keep_above: f64,
    /// Add the spectrum at `−k` to that at `k` before searching (equal by inversion symmetry,
    /// so this doubles the statistics of a thermal average).
    pub fold_inversion: bool,
}

impl PeakSearch {
    /// A search with `finder` on channel 0, all bins above ω = 0, every peak kept, no folding.
    pub fn new(finder: PeakFinder) -> Self {
        PeakSearch { finder, channel: 0, search_above: 0.0, keep_above: 0.0, fold_inversion: false }
    }
}

/// The peaks of `sf` at the given momentum indices, in their order; momenta without a peak (no
/// interior maximum, or below `keep_above` bins) are left out.
pub fn peaks(sf: &StructureFactor, k_indices: &[usize], search: &PeakSearch) -> Vec<Peak> {
    let lat = sf.lattice();
    let dw = sf.domega();
    k_indices
        .iter()
        .filter_map(|&k| {
            let mut spec = sf.spectrum(search.channel, k);
            if search.fold_inversion {
                let mk = inverse_momentum(lat, k);
                if mk != k {
                    for (a, b) in spec.iter_mut().zip(sf.spectrum(search.channel, mk)) {
                        a.1 += b.1;
                    }
                }
            }
            let w = search.finder.locate(&spec, search.search_above * dw, dw)?;
            (w >= search.keep_above * dw).then(|| Peak::new(lat, k, w))
        })
        .collect()
}

/// The index of `−k` on the grid.
pub fn inverse_momentum(lattice: &Lattice, k: usize) -> usize {
    let c = lattice.coords(k);
    let neg: Vec<isize> = c[..lattice.dim()].iter().map(|&x| -(x as isize)).collect();
    lattice.site(&neg)
}

/// Grid momenta (indices) for which `keep` holds, in index order.
pub fn momenta(lattice: &Lattice, keep: impl Fn(&Momentum) -> bool) -> Vec<usize> {
    (0..lattice.n_sites()).filter(|&i| keep(&lattice.momentum_of_index(i))).collect()
}

/// Grid momenta with `0 < |k| <= k_max` (first-zone representatives), for low-k fits.
pub fn small_momenta(lattice: &Lattice, k_max: f64) -> Vec<usize> {
    momenta(lattice, |k| {
        let a = k.norm_bz();
        a > 0.0 && a <= k_max + 1e-12
    })
}

/// Which frequency bins an integral runs over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bins {
    /// Every bin, positive and negative frequencies.
    All,
    /// Only `ω = 0` (the static part).
    Static,
    /// Every bin but `ω = 0` (the oscillating part).
    Moving,
}

impl Bins {
    fn contains(self, j: usize) -> bool {
        match self {
            Bins::All => true,
            Bins::Static => j == 0,
            Bins::Moving => j != 0,
        }
    }
}

/// `Δω · Σ_{k: keep(k)} Σ_{j ∈ bins} S_c(k, ω_j)`: the spectral weight over chosen momenta and
/// bins (k outer, j inner, one running sum, then one multiplication by Δω).
pub fn integrate(sf: &StructureFactor, channel: usize, keep: impl Fn(usize) -> bool, bins: Bins) -> f64 {
    raw_sum(sf, channel, keep, bins) * sf.domega()
}

/// The classical sum rule `(1/N) Σ_k Σ_j S_c(k, ω_j) Δω` over all momenta and bins. For
/// `Σ_α |S^α|²` of spins of length S it equals S² exactly (Parseval; `docs/conventions.md`).
pub fn sum_rule(sf: &StructureFactor, channel: usize) -> f64 {
    raw_sum(sf, channel, |_| true, Bins::All) * (sf.domega() / sf.lattice().n_sites() as f64)
}

fn raw_sum(sf: &StructureFactor, channel: usize, keep: impl Fn(usize) -> bool, bins: Bins) -> f64 {
    let mut total = 0.0;
    for k in (0..sf.lattice().n_sites()).filter(|&k| keep(k)) {
        for j in (0..sf.n_times()).filter(|&j| bins.contains(j)) {
            total += sf.intensity(channel, k, j);
        }
    }
    total
}

/// The non-negative frequencies `ω_j`, `j = 0 ..= T/2`, that [`slice`] returns.
pub fn positive_omegas(sf: &StructureFactor) -> Vec<f64> {
    (0..=sf.n_times() / 2).map(|j| sf.omega(j)).collect()
}

/// `S_c(k, ω_j)` at the momentum indices `k_indices` and bins `j = 0 ..= T/2`, as a flat
/// `(k, ω)` array in C order (ω fastest), with the ω axis [`positive_omegas`].
pub fn slice(sf: &StructureFactor, channel: usize, k_indices: &[usize]) -> Result<Vec<f64>> {
    let n = sf.lattice().n_sites();
    if let Some(&bad) = k_indices.iter().find(|&&k| k >= n) {
        return Err(Error::invalid("momentum index", bad.to_string(), format!("the lattice has {n} momenta")));
    }
    let nw = sf.n_times() / 2 + 1;
    let mut out = Vec::with_capacity(k_indices.len() * nw);
    for &k in k_indices {
        out.extend((0..nw).map(|j| sf.intensity(channel, k, j)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamics::correlation::Trace;
    use std::f64::consts::PI;

    /// The periodogram of a circular tone `(cos ωt, sin ωt)` at every site: the Fejér kernel
    /// of `e^{iωt}` plus that of its mirror at `−ω` (the two add without cross terms).
    fn tone_spectrum(w: f64, nt: usize, dt: f64) -> (Vec<(f64, f64)>, f64) {
        let l = Lattice::parse("2").unwrap();
        let frames: Vec<Vec<f64>> = (0..nt)
            .map(|t| {
                let (s, c) = (w * t as f64 * dt).sin_cos();
                vec![c, c, s, s]
            })
            .collect();
        let mut sf = StructureFactor::new(&l, 2, nt, dt, 1).unwrap();
        sf.add_trajectory(&frames, &Trace).unwrap();
        (sf.spectrum(0, 0), sf.domega())
    }

    #[test]
    fn finders_by_name_and_refusal_of_unknown_names() {
        for f in PeakFinder::ALL {
            assert_eq!(f.name().parse::<PeakFinder>().unwrap(), f);
            assert_eq!(serde_json::to_string(&f).unwrap(), format!("\"{}\"", f.name()));
        }
        let e = "gauss".parse::<PeakFinder>().unwrap_err().to_string();
        assert!(e.contains("parabola") && e.contains("tone"), "{e}");
    }

    #[test]
    fn tone_finder_is_exact_for_a_tone_and_parabola_within_half_a_bin() {
        // A tone at w = 10.37 bins on 256 frames. The tone formula is exact for the Fejér kernel
        // of e^{iwt}; the mirror kernel at −w adds about (1/(2π · 10.37))² ≈ 2.4e-4 of the peak
        // power to the neighbouring bins, which moves the estimate by a few 1e-4 bins: 2e-3.
        let (nt, dt) = (256usize, 0.1);
        let dw = 2.0 * PI / (nt as f64 * dt);
        let w = 10.37 * dw;
        let (s, d) = tone_spectrum(w, nt, dt);
        assert!((d - dw).abs() < 1e-15);
        let tone = PeakFinder::Tone.locate(&s, 0.5 * dw, dw).unwrap();
        assert!((tone - w).abs() < 2e-3 * dw, "tone {tone} vs {w}");
        let par = PeakFinder::Parabola.locate(&s, 0.0, dw).unwrap();
        assert!((par - w).abs() < 0.5 * dw, "parabola {par} vs {w}");
        // A flat spectrum has no interior maximum above the floor.
        let flat: Vec<(f64, f64)> = (0..8).map(|j| (j as f64, 1.0)).collect();
        assert_eq!(PeakFinder::Parabola.locate(&flat[..2], 0.0, 1.0), None);
        assert_eq!(PeakFinder::Tone.locate(&[(0.0, 0.0); 5], 0.0, 1.0), None);
    }

    #[test]
    fn integrals_split_and_add_up_and_slices_have_k_omega_order() {
        let l = Lattice::parse("4x3").unwrap();
        let nt = 8;
        // A static plus a moving part at every site.
        let frames: Vec<Vec<f64>> =
            (0..nt).map(|t| (0..12).map(|r| 0.3 + (r as f64 * 0.7 + t as f64 * 0.9).sin()).collect()).collect();
        let mut sf = StructureFactor::new(&l, 1, nt, 0.2, 1).unwrap();
        sf.add_trajectory(&frames, &Trace).unwrap();
        let all = integrate(&sf, 0, |_| true, Bins::All);
        let st = integrate(&sf, 0, |_| true, Bins::Static);
        let mv = integrate(&sf, 0, |_| true, Bins::Moving);
        assert!((st + mv - all).abs() < 1e-12 * all);
        assert!(st > 0.0 && mv > 0.0);
        // Parseval: (1/N) Σ Δω S = time average of (1/N) Σ_r A_r² (the independent value).
        let mean_sq: f64 = frames.iter().flatten().map(|x| x * x).sum::<f64>() / (nt * 12) as f64;
        assert!((sum_rule(&sf, 0) - mean_sq).abs() < 1e-12 * mean_sq);
        let ks = [5, 0, 11];
        let s = slice(&sf, 0, &ks).unwrap();
        let nw = positive_omegas(&sf).len();
        assert_eq!(nw, nt / 2 + 1);
        for (a, &k) in ks.iter().enumerate() {
            for j in 0..nw {
                assert_eq!(s[a * nw + j], sf.intensity(0, k, j));
            }
        }
        assert!(slice(&sf, 0, &[12]).is_err());
    }

    #[test]
    fn peaks_fold_inversion_and_drop_unresolved_momenta() {
        // A wave cos(k r − w t) on a chain of 16 at k = 2π 3/16: its weight sits at +k
        // (e^{+ikr} convention), and folding adds the (empty) −k spectrum.
        let l = Lattice::parse("16").unwrap();
        let (nt, dt, w) = (128usize, 0.2, 1.234);
        let k = 2.0 * PI * 3.0 / 16.0;
        let frames: Vec<Vec<f64>> =
            (0..nt).map(|t| (0..16).map(|r| (k * r as f64 - w * t as f64 * dt).cos()).collect()).collect();
        let mut sf = StructureFactor::new(&l, 1, nt, dt, 1).unwrap();
        sf.add_trajectory(&frames, &Trace).unwrap();
        let mut search = PeakSearch::new(PeakFinder::Parabola);
        let p = peaks(&sf, &[3], &search);
        assert_eq!(p.len(), 1);
        assert!((p[0].omega - w).abs() < 0.5 * sf.domega());
        assert!((p[0].k_abs - k).abs() < 1e-15 && (p[0].lattice_k - 2.0 * (k / 2.0).sin()).abs() < 1e-15);
        search.fold_inversion = true;
        let (f3, f13) = (peaks(&sf, &[3], &search), peaks(&sf, &[13], &search));
        assert_eq!(f3[0].omega, f13[0].omega, "k and −k fold onto the same spectrum");
        // −k holds the wave's negative-frequency line and only its leakage at ω > 0.
        assert!((f3[0].omega - p[0].omega).abs() < 1e-3 * sf.domega());
        assert_eq!(inverse_momentum(&l, 3), 13);
        search.keep_above = w / sf.domega() + 1.0;
        assert!(peaks(&sf, &[3], &search).is_empty(), "a peak below keep_above is dropped");
        assert_eq!(small_momenta(&l, 2.0 * PI * 2.0 / 16.0 + 1e-9), vec![1, 2, 14, 15]);
    }
}
