//! The photon detector: gauge-invariant field-strength correlators and the photon's energy.
//!
//! 1. **Field-strength correlator** (isotropic actions): `G_μν(k) = β ⟨|Θ̃_μν(k)|²⟩ / V` with
//!    `Θ̃(k) = Σ_x e^{ik·x} [Θ_μν(x)]` (wrapped plaquette angles). In the Gaussian (Coulomb) theory
//!    it is `(|K_μ|² + |K_ν|²) / |K|²` (rotor note 4.4 item 5): at k along an axis it is 1 on the
//!    planes containing that axis and **0** on the others, whatever |k| is; at k along a
//!    diagonal of two axes it is 1, ½ or 0. The limit k → 0 depends on the direction of k: the
//!    correlator is non-analytic, the signature of a massless transverse field. When the theory
//!    confines, correlations are short-ranged and the correlator is analytic: at small k all
//!    planes approach one value, so the ratio `G_⊥/G_∥` (axis momenta) goes from ≈ 0 (Coulomb)
//!    to ≈ 1 (confined). `G_∥` itself is `β/β_R`, the ratio of the bare to the renormalized
//!    coupling in the Coulomb phase.
//! 2. **Imaginary-time correlators of the transverse magnetic flux** at the smallest spatial
//!    momenta `k = 2πn/L e_a`: `B_b(k, t) = N_s^{−1/2} Σ_x e^{ik x_a} [Θ_ab(x, t)]` for the planes
//!    (a, b) that contain k (div B = 0 makes those the transverse components),
//!    `C(t) = ⟨Re B(k, t₀ + t) B(k, t₀)*⟩` averaged over t₀, transverse components and
//!    equivalent axes (all axes serve as time on an isotropic hypercubic lattice). A single
//!    mode gives `C(t) ∝ cosh(ε (t − N_t/2))` at any N_t; the fitted slice energy ε becomes
//!    `ω = (2/τ) sinh(ε/2)`, which is exact for the Gaussian theory (the lattice dispersion of the
//!    discrete-time oscillator, `2 sinh(ε/2) = τ ω`), so the free photon gives `ω = c |K|` with
//!    `|K| = 2 sin(k/2)` and the classical c (1 for the isotropic lattice, `2√(gJ)` for the rotor
//!    model). The speed of light is `ω/|K|` at the smallest k; `ω² = m² + c² |K|²` through the
//!    two smallest momenta of an axis gives the gap m² (0 for the photon).

use crate::error::Result;
use crate::mc::measure::{Couplings, Geometry, History, Measure, Observable, Report, Scalar, Snapshot};
use crate::mc::measure_rotor::{axis_momentum_classes, gaussian_magnetic, EqualTime};
use crate::stats::{estimate, Derived, Jackknife};
use serde::Serialize;
use std::f64::consts::PI;

/// A point of C(t) enters the cosh fit only where it is this many errors above zero.
pub const FIT_RESOLVED_SIGMAS: f64 = 3.0;

/// A photon energy whose jackknife error exceeds this fraction of its value is reported as
/// missing (NaN): the correlator did not resolve it.
pub const MAX_RELATIVE_ERROR: f64 = 0.5;

#[derive(Clone, Debug)]
struct Channel {
    nu: usize,
    a: usize,
    k: f64,
    planes: Vec<usize>,
    class: usize,
}

#[derive(Clone, Debug)]
struct Class {
    k: f64,
    k_lattice: f64,
    channels: usize,
}

/// Which field-strength classes exist: Gaussian value of each class, and name.
#[derive(Clone, Debug)]
struct FieldStrength {
    beta: f64,
    /// (momentum, per plane: class index or None)
    momenta: Vec<(Vec<f64>, Vec<Option<usize>>)>,
    names: Vec<&'static str>,
    gaussian: Vec<f64>,
    counts: Vec<usize>,
}

/// The photon observable.
#[derive(Debug)]
pub struct Photon {
    geometry: Geometry,
    couplings: Couplings,
    channels: Vec<Channel>,
    classes: Vec<Class>,
    nt: usize,
    field_strength: Option<FieldStrength>,
    coords: Vec<u32>,
}

/// One field-strength class.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldStrengthClass {
    /// Which planes at which momenta, e.g. "k along an axis, planes containing it".
    pub class: String,
    /// Measured `β ⟨|Θ̃_μν(k)|²⟩ / V`.
    pub value: Scalar,
    /// Its Gaussian (Coulomb-phase) value `(|K_μ|² + |K_ν|²)/|K|²`.
    pub gaussian: f64,
}

/// The field-strength report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldStrengthReport {
    /// |k| of the smallest momentum along an axis.
    pub k: f64,
    /// The classes.
    pub classes: Vec<FieldStrengthClass>,
    /// `G_⊥/G_∥` at k along an axis: ≈ 0 for a massless transverse field, ≈ 1 when confined.
    pub transverse_ratio: Derived,
}

/// The photon report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhotonReport {
    /// |k| of each momentum class (radians per lattice spacing, along an axis), ascending.
    pub k: Vec<f64>,
    /// |K| = 2 sin(k/2).
    pub k_lattice: Vec<f64>,
    /// Photon energies ω(k) (lattice units, or J in the rotor model); NaN where the fit failed.
    pub omega: Vec<f64>,
    /// Jackknife errors.
    pub omega_error: Vec<f64>,
    /// Units of ω.
    pub unit: String,
    /// ω/|K| at the smallest momentum.
    pub speed_of_light: f64,
    /// Its error.
    pub speed_of_light_error: f64,
    /// The Gaussian (classical) speed: 1 on isotropic lattices, 2√(gJ) for the rotor model.
    pub speed_classical: f64,
    /// `m²` of `ω² = m² + c²|K|²` through the two smallest momenta of one axis length.
    pub gap_squared: Option<Derived>,
    /// Fit windows [t_lo, t_hi] (slices) per momentum.
    pub fit_window: Vec<Option<[usize; 2]>>,
    /// Normalized correlators C(t)/C(0), t = 0..=N_t/2, per momentum.
    pub correlator: Vec<Vec<Derived>>,
    /// Effective slice energies from C(t)/C(t+1) (cosh form), t = 0..N_t/2, per momentum.
    pub effective_energy: Vec<Vec<Derived>>,
    /// The field-strength correlator (isotropic actions).
    pub field_strength: Option<FieldStrengthReport>,
    /// Equal-time ⟨|B_T(k)|²⟩ with its Gaussian values (rotor model).
    pub magnetic_correlator: Option<Vec<EqualTime>>,
}

/// Slice energy ε of a cosh fit `C(t) ≈ A (e^{−εt} + e^{−ε(N−t)})` over `t ∈ [lo, hi]` with weights
/// `w_t` (the amplitude is solved exactly for each ε; ε by a grid scan and golden section).
pub fn cosh_fit(c: &[f64], w: &[f64], nt: usize, lo: usize, hi: usize) -> Option<f64> {
    if hi <= lo || hi >= c.len() || c[lo..=hi].iter().any(|x| !x.is_finite()) {
        return None;
    }
    let chi2 = |e: f64| -> f64 {
        let f: Vec<f64> = (lo..=hi).map(|t| (-e * t as f64).exp() + (-e * (nt - t) as f64).exp()).collect();
        let (mut sfc, mut sff) = (0.0, 0.0);
        for (i, t) in (lo..=hi).enumerate() {
            sfc += w[t] * f[i] * c[t];
            sff += w[t] * f[i] * f[i];
        }
        let a = sfc / sff;
        (lo..=hi).enumerate().map(|(i, t)| w[t] * (c[t] - a * f[i]).powi(2)).sum()
    };
    let (emin, emax, n) = (1e-4f64, 12.0f64, 240);
    let grid: Vec<f64> = (0..n).map(|i| emin * (emax / emin).powf(i as f64 / (n - 1) as f64)).collect();
    let vals: Vec<f64> = grid.iter().map(|&e| chi2(e)).collect();
    let best = (0..n).min_by(|&i, &j| vals[i].total_cmp(&vals[j]))?;
    let (mut a, mut b) = (grid[best.saturating_sub(1)], grid[(best + 1).min(n - 1)]);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut x1, mut x2) = (b - g * (b - a), a + g * (b - a));
    let (mut f1, mut f2) = (chi2(x1), chi2(x2));
    for _ in 0..100 {
        if f1 < f2 {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - g * (b - a);
            f1 = chi2(x1);
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + g * (b - a);
            f2 = chi2(x2);
        }
    }
    let e = 0.5 * (a + b);
    e.is_finite().then_some(e)
}

/// The effective slice energy at t from `C(t)/C(t+1) = cosh(ε(t − N/2))/cosh(ε(t + 1 − N/2))`
/// (bisection; NaN where the ratio has no solution).
pub fn effective_energy(ct: f64, ct1: f64, t: usize, nt: usize) -> f64 {
    let r = ct / ct1;
    if !(r.is_finite() && r > 1.0) {
        return f64::NAN;
    }
    // the ratio of cosh, computed stably as (e^{−εt} + e^{−ε(N−t)})/(e^{−ε(t+1)} + e^{−ε(N−t−1)})
    let f = |e: f64| {
        ((-e * t as f64).exp() + (-e * (nt - t) as f64).exp())
            / ((-e * (t + 1) as f64).exp() + (-e * (nt - t - 1) as f64).exp())
            - r
    };
    let (mut lo, mut hi) = (1e-9, 40.0);
    if f(lo) > 0.0 || f(hi) < 0.0 {
        return f64::NAN;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

impl Photon {
    /// The photon detector with momenta `2πn/L` for n = 1..=n_max along each spatial axis.
    pub fn new(g: &Geometry, couplings: &Couplings, n_max: usize) -> Result<Self> {
        let l = &g.lattice;
        let d = l.dim();
        let ext = l.extents();
        let isotropic = matches!(couplings, Couplings::Isotropic { .. });
        let all_axes = isotropic && g.is_hypercubic();
        if g.space_dim() < 2 {
            return Err(crate::error::Error::invalid(
                "--measure",
                "photon",
                "a photon needs at least two spatial dimensions (a transverse direction)",
            ));
        }
        let n_max = n_max.max(1);
        let mut channels = Vec::new();
        let mut classes = Vec::new();
        for (len, n, axes) in axis_momentum_classes(g.space_extents(), n_max) {
            let k = 2.0 * PI * n as f64 / len as f64;
            let ci = classes.len();
            let mut count = 0;
            let nus: Vec<usize> = if all_axes { (0..d).collect() } else { vec![g.time_axis()] };
            for &nu in &nus {
                let r_axes: Vec<usize> = if all_axes { (0..d).filter(|&a| a != nu).collect() } else { axes.clone() };
                for a in r_axes {
                    let planes = (0..d).filter(|&b| b != a && b != nu).map(|b| l.plane(a.min(b), a.max(b))).collect();
                    channels.push(Channel { nu, a, k, planes, class: ci });
                    count += 1;
                }
            }
            classes.push(Class { k, k_lattice: 2.0 * (0.5 * k).sin(), channels: count });
        }
        let nt = ext[g.time_axis()];
        let field_strength = match couplings {
            Couplings::Isotropic { beta } => Some(FieldStrength::new(g, *beta)),
            Couplings::Rotor(_) => None,
        };
        let mut coords = Vec::with_capacity(l.n_sites() * d);
        for r in 0..l.n_sites() {
            let c = l.coords(r);
            coords.extend(c[..d].iter().map(|&x| x as u32));
        }
        Ok(Photon { geometry: g.clone(), couplings: *couplings, channels, classes, nt, field_strength, coords })
    }

    fn n_lags(&self) -> usize {
        self.nt / 2 + 1
    }

    /// Per-configuration flux correlators C(t), t = 0..=N_t/2, for each class (flattened).
    fn flux_correlators(&self, wrapped: &[f64]) -> Vec<f64> {
        let l = &self.geometry.lattice;
        let d = l.dim();
        let pp = l.planes_per_site();
        let nlag = self.n_lags();
        let mut out = vec![0.0; self.classes.len() * nlag];
        let ns = (l.n_sites() / self.nt) as f64;
        for ch in &self.channels {
            let nt = l.extents()[ch.nu];
            let mut b = vec![(0.0f64, 0.0f64); ch.planes.len() * nt];
            for r in 0..l.n_sites() {
                let c = &self.coords[r * d..(r + 1) * d];
                let t = c[ch.nu] as usize;
                let (sn, cs) = (ch.k * c[ch.a] as f64).sin_cos();
                for (j, &p) in ch.planes.iter().enumerate() {
                    let v = wrapped[r * pp + p];
                    let e = &mut b[j * nt + t];
                    e.0 += cs * v;
                    e.1 += sn * v;
                }
            }
            for j in 0..ch.planes.len() {
                let row = &b[j * nt..(j + 1) * nt];
                for lag in 0..nlag {
                    let mut s = 0.0;
                    for t0 in 0..nt {
                        let x = row[(t0 + lag) % nt];
                        let y = row[t0];
                        s += x.0 * y.0 + x.1 * y.1;
                    }
                    out[ch.class * nlag + lag] += s / (nt as f64 * ns);
                }
            }
        }
        // every channel has d − 2 transverse planes
        for (ci, cl) in self.classes.iter().enumerate() {
            let per = cl.channels * (d - 2);
            for lag in 0..nlag {
                out[ci * nlag + lag] /= per as f64;
            }
        }
        out
    }

    fn slice_to_omega(&self, e: f64) -> f64 {
        2.0 / self.couplings.tau() * (0.5 * e).sinh()
    }
}

impl FieldStrength {
    fn new(g: &Geometry, beta: f64) -> Self {
        let l = &g.lattice;
        let d = l.dim();
        let ext = l.extents();
        let names_all = [
            "k along an axis, planes containing it",
            "k along an axis, planes not containing it",
            "k along a diagonal (a,b), the plane (a,b)",
            "k along a diagonal (a,b), planes with one of a, b",
            "k along a diagonal (a,b), planes with neither",
        ];
        let gauss_all = [1.0, 0.0, 1.0, 0.5, 0.0];
        let mut momenta = Vec::new();
        let mut counts = [0usize; 5];
        let kvec = |axes: &[usize]| -> Vec<f64> {
            (0..d).map(|a| if axes.contains(&a) { 2.0 * PI / ext[a] as f64 } else { 0.0 }).collect()
        };
        for a in 0..d {
            let k = kvec(&[a]);
            let cls: Vec<Option<usize>> = (0..l.planes_per_site())
                .map(|p| {
                    let (m, n) = l.plane_axes(p);
                    Some(if m == a || n == a { 0 } else { 1 })
                })
                .collect();
            for c in cls.iter().flatten() {
                counts[*c] += 1;
            }
            momenta.push((k, cls));
        }
        for a in 0..d {
            for b in a + 1..d {
                if ext[a] != ext[b] {
                    continue;
                }
                let k = kvec(&[a, b]);
                let cls: Vec<Option<usize>> = (0..l.planes_per_site())
                    .map(|p| {
                        let (m, n) = l.plane_axes(p);
                        let hits = [m, n].iter().filter(|&&x| x == a || x == b).count();
                        Some(match hits {
                            2 => 2,
                            1 => 3,
                            _ => 4,
                        })
                    })
                    .collect();
                for c in cls.iter().flatten() {
                    counts[*c] += 1;
                }
                momenta.push((k, cls));
            }
        }
        // keep only classes that occur; renumber
        let keep: Vec<usize> = (0..5).filter(|&c| counts[c] > 0).collect();
        let renum = |c: usize| keep.iter().position(|&x| x == c);
        let momenta =
            momenta.into_iter().map(|(k, cls)| (k, cls.into_iter().map(|c| c.and_then(renum)).collect())).collect();
        FieldStrength {
            beta,
            momenta,
            names: keep.iter().map(|&c| names_all[c]).collect(),
            gaussian: keep.iter().map(|&c| gauss_all[c]).collect(),
            counts: keep.iter().map(|&c| counts[c]).collect(),
        }
    }

    fn measure(&self, coords: &[u32], l: &crate::lattice::Lattice, wrapped: &[f64], out: &mut Vec<f64>) {
        let d = l.dim();
        let pp = l.planes_per_site();
        let v = l.n_sites() as f64;
        let mut acc = vec![0.0; self.names.len()];
        for (k, cls) in &self.momenta {
            let mut sums = vec![(0.0f64, 0.0f64); pp];
            for r in 0..l.n_sites() {
                let c = &coords[r * d..(r + 1) * d];
                let ph: f64 = (0..d).map(|a| k[a] * c[a] as f64).sum();
                let (sn, cs) = ph.sin_cos();
                for (p, s) in sums.iter_mut().enumerate() {
                    let x = wrapped[r * pp + p];
                    s.0 += cs * x;
                    s.1 += sn * x;
                }
            }
            for (p, s) in sums.iter().enumerate() {
                if let Some(ci) = cls[p] {
                    acc[ci] += self.beta * (s.0 * s.0 + s.1 * s.1) / v;
                }
            }
        }
        for (ci, a) in acc.iter().enumerate() {
            out.push(a / self.counts[ci] as f64);
        }
    }
}

impl Observable for Photon {
    fn kind(&self) -> Measure {
        Measure::Photon
    }
    fn series(&self) -> Vec<String> {
        let mut v = Vec::new();
        for (i, c) in self.classes.iter().enumerate() {
            for lag in 0..self.n_lags() {
                v.push(format!("flux_correlator_k{i}_{:.4}_t{lag}", c.k));
            }
        }
        if let Some(fs) = &self.field_strength {
            for i in 0..fs.names.len() {
                v.push(format!("field_strength_class{i}"));
            }
        }
        v
    }
    fn measure(&self, s: &Snapshot<'_>, out: &mut Vec<f64>) {
        out.extend(self.flux_correlators(&s.wrapped));
        if let Some(fs) = &self.field_strength {
            fs.measure(&self.coords, &self.geometry.lattice, &s.wrapped, out);
        }
    }
    fn analyze(&self, h: &History) -> Report {
        let nlag = self.n_lags();
        let nk = self.classes.len();
        let est = h.estimates();
        let cols = h.columns();
        let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let flux_cols: Vec<usize> = (0..nk * nlag).collect();
        let jk = h.jackknife(&flux_cols).or_else(|| Jackknife::new(h.rows, 1));
        // fit windows from the full-sample errors
        let windows: Vec<Option<[usize; 2]>> = (0..nk)
            .map(|ci| {
                let ok = |t: usize| {
                    let e = &est[ci * nlag + t];
                    e.mean > FIT_RESOLVED_SIGMAS * e.error && e.error > 0.0
                };
                let mut lo = (self.nt / 8).max(1).min(nlag - 1);
                let mut hi = lo;
                while hi + 1 < nlag && ok(hi + 1) && ok(hi) {
                    hi += 1;
                }
                while hi < lo + 1 && lo > 0 {
                    lo -= 1;
                    if !ok(lo) {
                        break;
                    }
                }
                (hi > lo && ok(lo) && ok(hi)).then_some([lo, hi])
            })
            .collect();
        let weights: Vec<Vec<f64>> =
            (0..nk).map(|ci| (0..nlag).map(|t| 1.0 / est[ci * nlag + t].error.powi(2).max(1e-300)).collect()).collect();
        let nt = self.nt;
        let derive = |m: &[f64]| -> Vec<f64> {
            let mut out = Vec::new();
            let mut omegas = Vec::new();
            for ci in 0..nk {
                let c = &m[ci * nlag..(ci + 1) * nlag];
                let e = windows[ci].and_then(|[lo, hi]| cosh_fit(c, &weights[ci], nt, lo, hi)).unwrap_or(f64::NAN);
                omegas.push(self.slice_to_omega(e));
            }
            out.extend(&omegas);
            // speed of light from the smallest k
            out.push(omegas[0] / self.classes[0].k_lattice);
            // gap² through the two smallest momenta
            if nk >= 2 {
                let (k1, k2) = (self.classes[0].k_lattice.powi(2), self.classes[1].k_lattice.powi(2));
                let (w1, w2) = (omegas[0].powi(2), omegas[1].powi(2));
                out.push((w1 * k2 - w2 * k1) / (k2 - k1));
            } else {
                out.push(f64::NAN);
            }
            // normalized correlators and effective energies
            for ci in 0..nk {
                let c = &m[ci * nlag..(ci + 1) * nlag];
                for t in 0..nlag {
                    out.push(c[t] / c[0]);
                }
                for t in 0..nlag - 1 {
                    out.push(effective_energy(c[t], c[t + 1], t, nt));
                }
            }
            out
        };
        let d = match &jk {
            Some(jk) => jk.derive(&refs, derive),
            None => derive(&est.iter().map(|e| e.mean).collect::<Vec<_>>())
                .into_iter()
                .map(|v| Derived { value: v, error: f64::NAN })
                .collect(),
        };
        // a fit whose jackknife error exceeds half its value says nothing: report it as missing
        let omega: Vec<Derived> = d[..nk]
            .iter()
            .map(|x| {
                if x.value > 0.0 && x.error.is_finite() && x.error < MAX_RELATIVE_ERROR * x.value {
                    *x
                } else {
                    Derived { value: f64::NAN, error: f64::NAN }
                }
            })
            .collect();
        let speed = if omega[0].value.is_finite() { d[nk] } else { Derived { value: f64::NAN, error: f64::NAN } };
        let gap = if nk >= 2 && omega[1].value.is_finite() {
            d[nk + 1]
        } else {
            Derived { value: f64::NAN, error: f64::NAN }
        };
        let mut pos = nk + 2;
        let mut correlator = Vec::new();
        let mut effective = Vec::new();
        for _ in 0..nk {
            correlator.push(d[pos..pos + nlag].to_vec());
            pos += nlag;
            effective.push(d[pos..pos + nlag - 1].to_vec());
            pos += nlag - 1;
        }
        let field_strength = self.field_strength.as_ref().map(|fs| {
            let base = nk * nlag;
            let classes: Vec<FieldStrengthClass> = (0..fs.names.len())
                .map(|i| FieldStrengthClass {
                    class: fs.names[i].to_string(),
                    value: (&est[base + i]).into(),
                    gaussian: fs.gaussian[i],
                })
                .collect();
            let ratio = match Jackknife::for_taus(h.rows, &[est[base].tau_int, est[base + 1].tau_int]) {
                Some(jk) => jk.derive(&[&cols[base], &cols[base + 1]], |m| vec![m[1] / m[0]])[0],
                None => Derived { value: est[base + 1].mean / est[base].mean, error: f64::NAN },
            };
            FieldStrengthReport {
                k: 2.0 * PI / self.geometry.lattice.extents()[0] as f64,
                classes,
                transverse_ratio: ratio,
            }
        });
        let (unit, c_classical) = match &self.couplings {
            Couplings::Isotropic { .. } => ("lattice units (1/a)".to_string(), 1.0),
            Couplings::Rotor(rc) => ("J".to_string(), rc.classical_speed_of_light()),
        };
        let magnetic_correlator = match &self.couplings {
            Couplings::Rotor(rc) => Some(
                self.classes
                    .iter()
                    .enumerate()
                    .map(|(ci, c)| EqualTime {
                        k: c.k,
                        k_lattice: c.k_lattice,
                        transverse: (&estimate(&cols[ci * nlag])).into(),
                        longitudinal: None,
                        gaussian_lattice: gaussian_magnetic(rc, c.k_lattice, self.nt),
                        gaussian_ground_state: 0.5 * (rc.j / rc.g).sqrt() * c.k_lattice,
                    })
                    .collect(),
            ),
            Couplings::Isotropic { .. } => None,
        };
        Report::Photon(PhotonReport {
            k: self.classes.iter().map(|c| c.k).collect(),
            k_lattice: self.classes.iter().map(|c| c.k_lattice).collect(),
            omega: omega.iter().map(|x| x.value).collect(),
            omega_error: omega.iter().map(|x| x.error).collect(),
            unit,
            speed_of_light: speed.value,
            speed_of_light_error: speed.error,
            speed_classical: c_classical,
            gap_squared: (nk >= 2).then_some(gap),
            fit_window: windows,
            correlator,
            effective_energy: effective,
            field_strength,
            magnetic_correlator,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::Lattice;
    use crate::mc::rng::stream;
    use rand::RngExt;

    #[test]
    fn cosh_fit_and_effective_energy_recover_an_exact_cosh() {
        for (nt, e) in [(8usize, 1.3f64), (16, 0.4), (32, 0.05), (64, 2.5)] {
            let c: Vec<f64> =
                (0..=nt / 2).map(|t| 3.0 * ((-e * t as f64).exp() + (-e * (nt - t) as f64).exp())).collect();
            let w = vec![1.0; c.len()];
            let got = cosh_fit(&c, &w, nt, 1, nt / 2).unwrap();
            assert!((got - e).abs() < 1e-7 * (1.0 + e), "nt = {nt}: {got} vs {e}");
            for t in 0..nt / 2 {
                let m = effective_energy(c[t], c[t + 1], t, nt);
                if c[t] / c[t + 1] > 1.0 + 1e-12 {
                    assert!((m - e).abs() < 1e-7 * (1.0 + e), "t = {t}: {m}");
                }
            }
        }
        assert!(cosh_fit(&[1.0, 0.5], &[1.0, 1.0], 4, 1, 1).is_none());
    }

    /// Slow oracle: C(t) by an explicit DFT per slice with `Lattice::plaquette` lookups.
    fn slow_correlator(l: &Lattice, wrapped: &[f64], nu: usize, a: usize, k: f64, lag: usize) -> f64 {
        let d = l.dim();
        let nt = l.extents()[nu];
        let ns = l.n_sites() / nt;
        let mut total = 0.0;
        let mut count = 0;
        for b in (0..d).filter(|&b| b != a && b != nu) {
            let mut slice = vec![(0.0, 0.0); nt];
            for r in 0..l.n_sites() {
                let c = l.coords(r);
                let p = l.plaquette(r, a.min(b), a.max(b));
                let ph = k * c[a] as f64;
                slice[c[nu]].0 += ph.cos() * wrapped[p];
                slice[c[nu]].1 += ph.sin() * wrapped[p];
            }
            for t0 in 0..nt {
                let x = slice[(t0 + lag) % nt];
                let y = slice[t0];
                total += (x.0 * y.0 + x.1 * y.1) / (nt * ns) as f64;
            }
            count += 1;
        }
        total / count as f64
    }

    #[test]
    fn flux_correlators_equal_the_slow_oracle() {
        let l = Lattice::parse("4x6x8").unwrap();
        let g = Geometry::new(l.clone()).unwrap();
        let mut rng = stream(5, &[2]);
        let theta: Vec<f64> = (0..l.n_links()).map(|_| 2.0 * (2.0 * rng.random::<f64>() - 1.0)).collect();
        let rc = crate::mc::measure_rotor::RotorCouplings::new(1.0, 1.0, 0.2).unwrap();
        let ph = Photon::new(&g, &Couplings::Rotor(rc), 2).unwrap();
        let snap = Snapshot::new(&g, &theta);
        let fast = ph.flux_correlators(&snap.wrapped);
        let nlag = ph.n_lags();
        for (ci, cl) in ph.classes.iter().enumerate() {
            for lag in 0..nlag {
                let chans: Vec<&Channel> = ph.channels.iter().filter(|c| c.class == ci).collect();
                let slow: f64 =
                    chans.iter().map(|c| slow_correlator(&l, &snap.wrapped, c.nu, c.a, cl.k, lag)).sum::<f64>()
                        / chans.len() as f64;
                assert!((fast[ci * nlag + lag] - slow).abs() < 1e-11, "class {ci} lag {lag}");
            }
        }
        // space 4x6, n ≤ 2: classes k = π/3 (L = 6), π/2 (L = 4), 2π/3 (L = 6), π (L = 4)
        assert_eq!(ph.classes.len(), 4);
        let ks: Vec<f64> = ph.classes.iter().map(|c| c.k).collect();
        assert!(ks.windows(2).all(|w| w[0] <= w[1]), "{ks:?}");
    }

    #[test]
    fn field_strength_of_a_plane_wave_is_in_its_own_plane() {
        // θ_1(x) = ε cos(k x_0) (k = 2π/L along axis 0): the only plaquettes with flux are in
        // the plane (0, 1), so the class "k along an axis, planes containing it" gets all the
        // weight at that momentum and the perpendicular class gets exactly 0.
        let l = Lattice::parse("4x4x4x4").unwrap();
        let g = Geometry::new(l.clone()).unwrap();
        let k = 2.0 * PI / 4.0;
        let mut theta = vec![0.0; l.n_links()];
        for r in 0..l.n_sites() {
            theta[l.link(r, 1)] = 0.1 * (k * l.coords(r)[0] as f64).cos();
        }
        let ph = Photon::new(&g, &Couplings::Isotropic { beta: 2.0 }, 1).unwrap();
        let snap = Snapshot::new(&g, &theta);
        let mut out = vec![];
        ph.measure(&snap, &mut out);
        let base = ph.classes.len() * ph.n_lags();
        let fs = ph.field_strength.as_ref().unwrap();
        assert_eq!(fs.names.len(), 5);
        assert!(out[base] > 1e-4, "parallel class carries the wave");
        assert!(out[base + 1].abs() < 1e-20, "perpendicular class is empty: {}", out[base + 1]);
    }
}
