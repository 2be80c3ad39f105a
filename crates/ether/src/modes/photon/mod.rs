//! Linearized modes of the rotor model: the emergent photon (photon.md §2.1-2.2).
//!
//! Expanding `−2g cos Φ = −2g + g Φ² + …`, the rotor model of [`RotorModel`] becomes the
//! quadratic Hamiltonian
//!
//! `H₂ = J |L|² + U |D L|² + g |C θ|² = ½ L†A L + ½ θ†B θ`, `A = 2(J 1 + U D†D)`, `B = 2g C†C`,
//!
//! with `C` the plaquette×link incidence (the lattice curl, `Φ = Cθ`) and `D` the vertex×link
//! incidence (the divergence, `Q = DL`). Both commute with translations, so at each crystal
//! momentum `k` they are small matrices `C(k)` (3 planes × 3 link directions) and `D(k)`
//! (1 × 3). This module builds them by Bloch-summing the lattice's own incidence maps
//! ([`Lattice::plaquette_links`] and the divergence stencil), not from closed forms, and
//! solves each momentum with [`normal_modes`]. The closed forms of docs/physics/photon.md,
//! `ω_T² = 4gJ|K|²` (twice) and `ω_L = 0`, are what the tests compare against.
//!
//! Bloch convention: a mode at momentum `k` is `θ_{r,a} = e^{i k·r} θ_a` with the link `(r,a)`
//! attached to its tail site `r`. Then `C(k)_{p,a} = Σ s e^{i k·δ}` over the boundary links of
//! the plaquette `p` at the origin (sign `s`, tail displacement `δ`), and
//! `D(k)_a = 1 − e^{−i k_a}`.
//!
//! Helicity: in the link-midpoint gauge (`θ_a → e^{−i k_a/2} θ_a`, the wave evaluated at the
//! link centre `r + â/2`) the longitudinal direction
//! is the real vector `K̂_a ∝ 2 sin(k_a/2)`; the helicity operator is `h = i K̂ ×` (spin-1
//! matrices `(S_l)_{jm} = −i ε_{ljm}` dotted with `K̂`). Each degenerate group of modes is
//! rotated to eigenvectors of `h`: the two transverse photons have helicity `+1` and `−1`, the
//! longitudinal zero mode helicity `0`.

use crate::error::{Error, Result};
use crate::lattice::{Lattice, Momentum};
use crate::linalg::{eigh_complex, C64};
use crate::model::RotorModel;
use crate::modes::normal::normal_modes;
use serde::Serialize;

pub mod gaussian;

/// Read a number that may be written with `pi` (`pi`, `-pi/2`, `2pi`, `0.5`); `None` if it is not
/// one or not finite (`pi/0` is refused).
pub fn parse_angle(p: &str) -> Option<f64> {
    let p = p.trim().to_lowercase();
    let v = if let Ok(x) = p.parse::<f64>() {
        x
    } else {
        let (neg, body) = match p.strip_prefix('-') {
            Some(b) => (true, b.to_string()),
            None => (false, p.clone()),
        };
        let (num, den) = match body.split_once('/') {
            Some((a, b)) => (a.to_string(), b.trim().parse::<f64>().ok()?),
            None => (body.clone(), 1.0),
        };
        let coef = if num.trim() == "pi" {
            1.0
        } else {
            num.trim().strip_suffix("pi").and_then(|c| c.trim_end_matches('*').trim().parse::<f64>().ok())?
        };
        let v = coef * std::f64::consts::PI / den;
        if neg {
            -v
        } else {
            v
        }
    };
    v.is_finite().then_some(v)
}

/// A momentum `"kx,ky,kz"` (radians per lattice spacing, `pi` allowed) with `dim` components;
/// the error says what to write.
pub fn parse_momentum(s: &str, dim: usize) -> std::result::Result<Vec<f64>, String> {
    let parts: Vec<&str> = s.split(',').map(|p| p.trim()).collect();
    if parts.len() != dim {
        return Err(format!(
            "{} components given but the lattice is {dim}-dimensional; give {dim} comma-separated numbers, e.g. {}",
            parts.len(),
            vec!["0.5"; dim].join(",")
        ));
    }
    parts
        .iter()
        .map(|p| {
            parse_angle(p).ok_or_else(|| {
                format!("cannot read '{p}' as a finite number; use numbers in radians, 'pi' and 'pi/N' allowed (N ≠ 0)")
            })
        })
        .collect()
}

fn c(re: f64) -> C64 {
    C64::new(re, 0.0)
}

/// Displacement of site `r` from the origin, as the representative in `(−L/2, L/2]` of each axis.
fn displacement(lattice: &Lattice, r: usize) -> [f64; 3] {
    let co = lattice.coords(r);
    let mut d = [0.0; 3];
    for a in 0..3 {
        let l = lattice.extents()[a] as isize;
        let mut x = co[a] as isize;
        if 2 * x > l {
            x -= l;
        }
        d[a] = x as f64;
    }
    d
}

fn phase(k: &[f64], d: &[f64; 3]) -> C64 {
    let kd: f64 = (0..3).map(|a| k[a] * d[a]).sum();
    C64::from_polar(1.0, kd)
}

/// The incidence matrices of the cubic lattice at one momentum, Bloch-summed from the lattice.
#[derive(Clone, Debug)]
pub struct Incidence {
    /// `C(k)`: row = plane (xy, xz, yz in the lattice's plane order), column = link direction.
    pub curl: [[C64; 3]; 3],
    /// `D(k)`: the divergence row, `Q(k) = Σ_a D_a L_a(k)`.
    pub div: [C64; 3],
}

impl Incidence {
    /// Build `C(k)` and `D(k)` from the lattice's plaquette boundaries and divergence stencil.
    pub fn at(lattice: &Lattice, k: &[f64]) -> Result<Self> {
        check_3d(lattice)?;
        if k.len() != 3 {
            return Err(Error::invalid(
                "momentum",
                format!("{k:?}"),
                "give three components kx,ky,kz for the cubic lattice",
            ));
        }
        if let Some(x) = k.iter().find(|x| !x.is_finite()) {
            return Err(Error::invalid(
                "momentum",
                format!("component {x}"),
                "give finite components in radians per lattice spacing, e.g. pi/2,0,0",
            ));
        }
        let mut curl = [[c(0.0); 3]; 3];
        let pps = lattice.planes_per_site();
        for (p, row) in curl.iter_mut().enumerate().take(pps) {
            // plaquette p at the origin (site 0)
            for (l, s) in lattice.plaquette_links(p) {
                let (r, a) = lattice.link_site_dir(l);
                row[a] += phase(k, &displacement(lattice, r)) * f64::from(s);
            }
        }
        // Q_0 = Σ_links incident on site 0: +1 if the link leaves it (tail), −1 if it arrives (head).
        let mut div = [c(0.0); 3];
        for a in 0..3 {
            let out = lattice.link(0, a);
            let inc = lattice.link(lattice.backward(0, a), a);
            for (l, s) in [(out, 1.0), (inc, -1.0)] {
                let (tail, head) = lattice.link_ends(l);
                debug_assert!(tail == 0 || head == 0);
                let (r, dir) = lattice.link_site_dir(l);
                // e^{ik·(r − 0)} with r the tail of the link; the head case has r = −e_a.
                let mut d = displacement(lattice, r);
                if head == 0 && tail != 0 && lattice.extents()[dir] == 2 {
                    // On an extent-2 axis the tail −e_a is also +e_a; keep −e_a.
                    d[dir] = -1.0;
                }
                div[dir] += phase(k, &d) * s;
            }
        }
        Ok(Incidence { curl, div })
    }

    /// `C(k)† C(k)` (3×3, row-major).
    pub fn curl_t_curl(&self) -> [C64; 9] {
        let mut m = [c(0.0); 9];
        for i in 0..3 {
            for j in 0..3 {
                for p in 0..3 {
                    m[i * 3 + j] += self.curl[p][i].conj() * self.curl[p][j];
                }
            }
        }
        m
    }

    /// `D(k)† D(k)` (3×3, row-major).
    pub fn div_t_div(&self) -> [C64; 9] {
        let mut m = [c(0.0); 9];
        for i in 0..3 {
            for j in 0..3 {
                m[i * 3 + j] = self.div[i].conj() * self.div[j];
            }
        }
        m
    }

    /// `C(k) D(k)†` (3 planes): zero because the curl of a gradient vanishes.
    pub fn curl_div_t(&self) -> [C64; 3] {
        let mut v = [c(0.0); 3];
        for p in 0..3 {
            for a in 0..3 {
                v[p] += self.curl[p][a] * self.div[a].conj();
            }
        }
        v
    }
}

fn check_3d(lattice: &Lattice) -> Result<()> {
    if lattice.dim() != 3 {
        return Err(Error::invalid(
            "lattice",
            lattice.to_string(),
            "the photon modes are defined on the cubic lattice: give three extents, e.g. 16x16x16",
        ));
    }
    Ok(())
}

/// The quadratic form at momentum `k`: kinetic `A(k) = 2(J + U D†D)` and potential
/// `B(k) = 2g C†C`, both 3×3 row-major.
pub fn quadratic_form(model: &RotorModel, k: &[f64]) -> Result<([C64; 9], [C64; 9])> {
    let inc = Incidence::at(&model.lattice, k)?;
    let dd = inc.div_t_div();
    let cc = inc.curl_t_curl();
    let mut a = [c(0.0); 9];
    let mut b = [c(0.0); 9];
    for i in 0..9 {
        let id = if i % 4 == 0 { 1.0 } else { 0.0 };
        a[i] = (c(model.j * id) + dd[i] * model.u) * 2.0;
        b[i] = cc[i] * (2.0 * model.g);
    }
    Ok((a, b))
}

/// One linearized mode.
#[derive(Clone, Debug, Serialize)]
pub struct PhotonMode {
    /// Helicity `+1`, `−1` (transverse photons) or `0` (longitudinal); `None` at `k = 0`, where
    /// there is no propagation direction.
    pub helicity: Option<i32>,
    /// The measured helicity expectation `⟨e|i K̂×|e⟩` (±1 or 0 up to rounding).
    pub helicity_value: f64,
    /// Frequency `ω` (ħ = 1).
    pub omega: f64,
    /// `ω²` as solved (rounding may make zero modes slightly negative).
    pub omega2: f64,
    /// Polarization of θ in the link-midpoint gauge, unit length, as `[re, im]` pairs.
    pub polarization: [[f64; 2]; 3],
    /// `|K̂ · e|`: 0 for a transverse mode, 1 for the longitudinal one.
    pub longitudinal_overlap: f64,
}

/// The three modes at one momentum.
#[derive(Clone, Debug, Serialize)]
pub struct MomentumModes {
    /// The momentum (radians per lattice spacing).
    pub k: [f64; 3],
    /// `|K|² = Σ_a 4 sin²(k_a/2)`.
    pub lattice_k2: f64,
    /// Modes in ascending order of ω.
    pub modes: Vec<PhotonMode>,
    /// Number of modes with `ω² ≤ zero_tol`.
    pub zero_modes: usize,
}

/// Relative tolerance on ω² below which a mode is counted as a zero mode: relative to the
/// largest ω² at the same momentum (rounding of the solver scales with it), with a floor of
/// `1e-6` of the band top `4gJ·12` (at k = 0 every ω² is rounding).
pub const ZERO_MODE_TOL: f64 = 1e-8;

fn zero_tolerance(model: &RotorModel, omega2: &[f64]) -> f64 {
    let top = omega2.iter().copied().fold(0.0f64, f64::max);
    ZERO_MODE_TOL * top.max(1e-6 * 48.0 * model.g * model.j)
}

/// Solve the linearized modes at one momentum.
pub fn modes_at(model: &RotorModel, k: &[f64]) -> Result<MomentumModes> {
    let (a, b) = quadratic_form(model, k)?;
    let nm = normal_modes(3, &a, &b)?;
    let m = Momentum::new(k);
    let k2 = m.lattice_k2();
    // Midpoint gauge and the real longitudinal direction.
    let mid: Vec<C64> = (0..3).map(|a| C64::from_polar(1.0, -k[a] / 2.0)).collect();
    let kv: Vec<f64> = (0..3).map(|a| 2.0 * (k[a] / 2.0).sin()).collect();
    let kn = kv.iter().map(|x| x * x).sum::<f64>().sqrt();
    let tol = zero_tolerance(model, &nm.omega2);
    let mut pols: Vec<Vec<C64>> =
        nm.polarizations.iter().map(|p| (0..3).map(|a| p[a] * mid[a]).collect::<Vec<C64>>()).collect();
    let omega2 = nm.omega2.clone();
    let mut hel = [0.0; 3];
    if kn > 1e-12 {
        let khat: Vec<f64> = kv.iter().map(|x| x / kn).collect();
        // h e = i K̂ × e
        let h_apply = |e: &[C64]| -> Vec<C64> {
            let cr =
                [e[2] * khat[1] - e[1] * khat[2], e[0] * khat[2] - e[2] * khat[0], e[1] * khat[0] - e[0] * khat[1]];
            // cr = K̂ × e, (K̂ × e)_i = ε_ijk K̂_j e_k.
            cr.iter().map(|z| z * C64::new(0.0, 1.0)).collect()
        };
        // Group degenerate modes and diagonalize h within each group.
        let mut i = 0;
        while i < 3 {
            let mut j = i + 1;
            while j < 3 && (omega2[j] - omega2[i]).abs() <= tol.max(1e-9 * omega2[i].abs()) {
                j += 1;
            }
            let n = j - i;
            let mut hm = vec![c(0.0); n * n];
            for (r, pr) in pols[i..j].iter().enumerate() {
                for (s, ps) in pols[i..j].iter().enumerate() {
                    let hs = h_apply(ps);
                    hm[r * n + s] = (0..3).map(|x| pr[x].conj() * hs[x]).sum();
                }
            }
            let e = eigh_complex(n, &hm)?;
            let old: Vec<Vec<C64>> = pols[i..j].to_vec();
            for (t, (val, vec)) in e.values.iter().zip(&e.vectors).enumerate() {
                let mut p = vec![c(0.0); 3];
                for (s, o) in old.iter().enumerate() {
                    for x in 0..3 {
                        p[x] += o[x] * vec[s];
                    }
                }
                // Fix the global phase: largest component real and positive.
                let big = p.iter().copied().fold(c(0.0), |m, z| if z.norm() > m.norm() + 1e-12 { z } else { m });
                if big.norm() > 0.0 {
                    let ph = big.conj() / big.norm();
                    p.iter_mut().for_each(|z| *z *= ph);
                }
                pols[i + t] = p;
                hel[i + t] = *val;
            }
            i = j;
        }
    }
    let mut modes: Vec<PhotonMode> = (0..3)
        .map(|i| {
            let p = &pols[i];
            let long = if kn > 1e-12 { (0..3).map(|a| p[a] * (kv[a] / kn)).sum::<C64>().norm() } else { f64::NAN };
            PhotonMode {
                helicity: (kn > 1e-12).then(|| hel[i].round() as i32),
                helicity_value: hel[i],
                omega: omega2[i].max(0.0).sqrt(),
                omega2: omega2[i],
                polarization: [[p[0].re, p[0].im], [p[1].re, p[1].im], [p[2].re, p[2].im]],
                longitudinal_overlap: long,
            }
        })
        .collect();
    // Ascending ω; within a degenerate group, helicity +1 before −1 (a total order first, then
    // adjacent swaps inside groups, so the comparator never has to be tolerance-based).
    modes.sort_by(|x, y| x.omega2.total_cmp(&y.omega2));
    for _ in 0..modes.len() {
        for i in 0..modes.len().saturating_sub(1) {
            let same = (modes[i].omega2 - modes[i + 1].omega2).abs() <= tol.max(1e-9 * modes[i].omega2.abs());
            if same && modes[i].helicity < modes[i + 1].helicity {
                modes.swap(i, i + 1);
            }
        }
    }
    let zero_modes = omega2.iter().filter(|&&w| w <= tol).count();
    Ok(MomentumModes { k: [k[0], k[1], k[2]], lattice_k2: k2, modes, zero_modes })
}

/// The modes at every allowed momentum of the lattice, in momentum-index order.
pub fn modes_on_grid(model: &RotorModel) -> Result<Vec<MomentumModes>> {
    check_3d(&model.lattice)?;
    model.lattice.momentum_grid().iter().map(|k| modes_at(model, k.components())).collect()
}

/// Zero-point energy per site of the Gaussian theory, `(1/N) Σ_k Σ_modes ω/2`, as a mode sum
/// over the given momenta (photon.md §2.3).
pub fn zero_point_energy_per_site(modes: &[MomentumModes]) -> f64 {
    let s: f64 = modes.iter().flat_map(|m| m.modes.iter().map(|x| 0.5 * x.omega)).sum();
    s / modes.len() as f64
}

/// Zero-mode counts and the zero-point energy over every lattice momentum, without keeping the
/// modes (memory O(N) numbers). Parallel over momenta; the sum is taken in momentum order, so
/// the result does not depend on the thread count.
#[derive(Clone, Debug, Serialize)]
pub struct GridSummary {
    /// Fewest zero modes at a momentum k ≠ 0.
    pub zero_modes_min: usize,
    /// Most zero modes at a momentum k ≠ 0.
    pub zero_modes_max: usize,
    /// Zero modes over the whole grid (k = 0 included).
    pub zero_modes_total: usize,
    /// `(1/N) Σ_k Σ_modes ω/2`.
    pub zero_point_energy_per_site: f64,
}

/// Summarize the modes on the lattice's momentum grid ([`GridSummary`]); `tick` is called once
/// per momentum (progress reporting).
pub fn grid_summary(model: &RotorModel, tick: impl Fn() + Sync) -> Result<GridSummary> {
    use rayon::prelude::*;
    check_3d(&model.lattice)?;
    let n = model.lattice.n_sites();
    let per: Vec<(usize, f64, bool)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let k = model.lattice.momentum_of_index(i);
            let mm = modes_at(model, k.components())?;
            tick();
            Ok((mm.zero_modes, mm.modes.iter().map(|x| 0.5 * x.omega).sum::<f64>(), mm.lattice_k2 > 1e-12))
        })
        .collect::<Result<Vec<_>>>()?;
    let nz = per.iter().filter(|p| p.2).map(|p| p.0);
    Ok(GridSummary {
        zero_modes_min: nz.clone().min().unwrap_or(0),
        zero_modes_max: nz.max().unwrap_or(0),
        zero_modes_total: per.iter().map(|p| p.0).sum(),
        zero_point_energy_per_site: per.iter().map(|p| p.1).sum::<f64>() / n as f64,
    })
}

/// Least-squares power law `ω = A |k|^p` through (|k|, ω) points: `(p, A)`, or `None` if fewer
/// than two usable points ([`crate::modes::fit::fit_power_law`]).
pub fn fit_points(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let (k, w): (Vec<f64>, Vec<f64>) = points.iter().cloned().unzip();
    crate::modes::fit::fit_power_law(&k, &w).ok().map(|l| (l.exponent, l.coefficient))
}

/// A branch's behaviour at small k.
#[derive(Clone, Debug, Serialize)]
pub struct BranchFit {
    /// Branch index (0 = lowest ω).
    pub branch: usize,
    /// Fitted exponent p of `ω ∝ |k|^p` (NaN for a branch that is identically zero).
    pub exponent: f64,
    /// `ω/|k|` at the smallest |k| (the speed for a linear branch).
    pub speed: f64,
    /// True if `ω → 0` linearly: `|p − 1| < 0.05` and a non-zero speed.
    pub gapless_linear: bool,
    /// True if `ω` vanishes (within the zero-mode tolerance) at every probed k.
    pub zero: bool,
}

/// Probe the three branches along a direction at small |k| (default direction (1, 0.7, 0.3),
/// a generic one) and fit `ω ∝ |k|^p` per branch.
pub fn small_k_fit(model: &RotorModel, direction: [f64; 3]) -> Result<Vec<BranchFit>> {
    let dn = direction.iter().map(|x| x * x).sum::<f64>().sqrt();
    if dn == 0.0 || !dn.is_finite() {
        return Err(Error::invalid("direction", format!("{direction:?}"), "give a non-zero direction"));
    }
    let mags = [1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2];
    let mut per: Vec<Vec<(f64, f64)>> = vec![Vec::new(); 3];
    let mut zero = [true; 3];
    for &m in &mags {
        let k: Vec<f64> = direction.iter().map(|x| x / dn * m).collect();
        let mm = modes_at(model, &k)?;
        for (b, mode) in mm.modes.iter().enumerate() {
            per[b].push((m, mode.omega));
            if b >= mm.zero_modes {
                zero[b] = false;
            }
        }
    }
    Ok((0..3)
        .map(|b| {
            let (p, _) = if zero[b] { (f64::NAN, 0.0) } else { fit_points(&per[b]).unwrap_or((f64::NAN, 0.0)) };
            let speed = per[b][0].1 / per[b][0].0;
            BranchFit {
                branch: b,
                exponent: p,
                speed,
                gapless_linear: !zero[b] && (p - 1.0).abs() < 0.05 && speed > 0.0,
                zero: zero[b],
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn momenta_are_read_with_pi_and_infinities_refused() {
        let pi = std::f64::consts::PI;
        assert_eq!(parse_angle("pi"), Some(pi));
        assert_eq!(parse_angle("-pi/2"), Some(-pi / 2.0));
        assert_eq!(parse_angle("2pi"), Some(2.0 * pi));
        assert_eq!(parse_angle("0.25"), Some(0.25));
        for bad in ["pi/0", "inf", "-inf", "nan", "1e400", "x", "pi/"] {
            assert_eq!(parse_angle(bad), None, "{bad}");
        }
        assert_eq!(parse_momentum("pi/2, 0, 0", 3).unwrap(), vec![pi / 2.0, 0.0, 0.0]);
        assert!(parse_momentum("pi/0,0,0", 3).unwrap_err().contains("pi/0"));
        assert!(parse_momentum("1,2", 3).unwrap_err().contains("3-dimensional"));
        // and the modes refuse a non-finite momentum given directly
        let m = RotorModel::new_3d(Lattice::parse("4x4x4").unwrap(), 1.0, 1.0, 0.1).unwrap();
        assert!(modes_at(&m, &[f64::INFINITY, 0.0, 0.0]).is_err());
    }

    #[test]
    fn helicities_along_z_are_circular() {
        // Along z, the transverse photons are (x ± i y)/√2 with helicity ±1 (spin-1 convention).
        let m = RotorModel::new_3d(Lattice::parse("8x8x8").unwrap(), 3.0, 1.0, 0.2).unwrap();
        let mm = modes_at(&m, &[0.0, 0.0, 0.4]).unwrap();
        assert_eq!(mm.zero_modes, 1);
        let hs: Vec<Option<i32>> = mm.modes.iter().map(|x| x.helicity).collect();
        assert_eq!(hs, vec![Some(0), Some(1), Some(-1)]);
        let plus = &mm.modes[1].polarization;
        // |e_x| = |e_y| = 1/√2, e_z = 0, and e_y = i e_x.
        let ex = C64::new(plus[0][0], plus[0][1]);
        let ey = C64::new(plus[1][0], plus[1][1]);
        assert!((ex.norm() - 0.5f64.sqrt()).abs() < 1e-12);
        assert!((ey - C64::new(0.0, 1.0) * ex).norm() < 1e-12);
    }
}
