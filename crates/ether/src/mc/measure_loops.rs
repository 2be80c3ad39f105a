//! Wilson loops, Creutz ratios and the static potential between two charges.
//!
//! `W(R, T) = ⟨cos Σ_{∂(R×T)} θ⟩` for rectangles of R links along a spatial axis and T along
//! time. On a hypercubic lattice with an isotropic action every ordered pair of axes is
//! equivalent (hypercubic symmetry) and all of them are averaged; otherwise (the rotor model's
//! anisotropic lattice, or unequal extents) T runs along the time axis only.
//!
//! - Creutz ratios `χ(R, T) = −ln[W(R,T) W(R−1,T−1) / (W(R,T−1) W(R−1,T))]`, R, T ≥ 2: the
//!   string tension where the area law holds, → 0 like the Coulomb term in the Coulomb phase.
//! - The static potential `V(R) = ln[W(R, T*) / W(R, T*+1)] / τ` at the largest `T*` whose loops
//!   are all resolved (at least [`RESOLVED_SIGMAS`] errors from zero), in lattice units
//!   (isotropic) or in units of J (rotor model, `τ` its time step).
//! - The fit `V(R) = c + σ R + κ V₀(R)`, where `V₀` is the potential a free (Gaussian,
//!   non-compact) photon gives on **the same finite lattice, couplings and T\***:
//!   `V₀(R) = ln[W₀(R,T*)/W₀(R,T*+1)]/τ` with `ln W₀ = −½ ⟨(Σ_C θ)²⟩₀` summed exactly over the
//!   lattice momenta ([`gaussian_log_wilson_loop`]). At large R and T it is the lattice Coulomb
//!   law `e²c [G(0) − G(R)] → const − α₀ c/R` (`α₀ = e²/4π`: `1/(4πβ)` for the isotropic
//!   action, `√(J/g)/(4π)` for the rotor model), and it also carries the lattice, finite-box
//!   and finite-T* corrections that a bare `−α/R` would misread as a string tension. So
//!   `κ = e_R²/e²` is the renormalization of the charge, `α = κ α₀` the fine-structure
//!   constant, and σ the string tension. Weighted linear least squares, jackknife errors.

use crate::error::{Error, Result};
use crate::mc::measure::{Couplings, Geometry, History, Measure, Observable, Report, Scalar, Snapshot};
use crate::stats::{linear_least_squares, Derived};
use num_complex::Complex64;
use serde::Serialize;
use std::f64::consts::PI;

/// A Wilson loop is used for V(R) only where it is this many standard errors above zero.
pub const RESOLVED_SIGMAS: f64 = 4.0;

/// Wilson loops up to a size, with the geometry they need.
#[derive(Debug)]
pub struct WilsonLoops {
    geometry: Geometry,
    r_max: usize,
    t_max: usize,
    /// (R axis, T axis) pairs averaged.
    orientations: Vec<(usize, usize)>,
    /// Physical time step (1 on isotropic lattices).
    tau: f64,
    /// Gaussian couplings of space-space and space-time plaquettes.
    beta_space: f64,
    beta_time: f64,
    /// The bare fine-structure constant α₀ = e²/(4π).
    alpha0: f64,
    /// `shifts[a][m−1][x]` = the site x + m e_a, m = 1..=max(r_max, t_max).
    shifts: Vec<Vec<Vec<u32>>>,
}

/// The Wilson-loop report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoopsReport {
    /// Largest R.
    pub r_max: usize,
    /// Largest T.
    pub t_max: usize,
    /// `W(R, T)` for R = 1..=r_max (outer), T = 1..=t_max (inner).
    pub wilson_loops: Vec<Vec<Scalar>>,
    /// Creutz ratios χ(R, T) for R = 2..=r_max (outer), T = 2..=t_max (inner).
    pub creutz: Vec<Vec<Derived>>,
    /// The static potential and its fit.
    pub potential: Potential,
}

/// The static potential between a unit charge pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Potential {
    /// Separations R (lattice spacings).
    #[serde(rename = "R")]
    pub r: Vec<f64>,
    /// V(R) (lattice units, or J in the rotor model); NaN where the loops are not resolved.
    #[serde(rename = "V")]
    pub v: Vec<f64>,
    /// Jackknife errors of V.
    #[serde(rename = "V_error")]
    pub v_error: Vec<f64>,
    /// The time extent T* used: V = ln[W(R,T*)/W(R,T*+1)] / τ.
    pub t_used: Option<usize>,
    /// Units of V.
    pub unit: String,
    /// The fine-structure constant `α = κ α₀` of the fit's Coulomb term (None without a fit).
    pub alpha: Option<f64>,
    /// Its jackknife error.
    pub alpha_error: Option<f64>,
    /// The string tension σ of the fit (units of V per lattice spacing).
    pub sigma: Option<f64>,
    /// Its jackknife error.
    pub sigma_error: Option<f64>,
    /// The constant c of the fit.
    pub constant: Option<f64>,
    /// `κ = e_R²/e²`: the Coulomb term's strength relative to the free photon's.
    pub coulomb_ratio: Option<f64>,
    /// Its jackknife error.
    pub coulomb_ratio_error: Option<f64>,
    /// The bare α₀ = e²/(4π) of the couplings (1/(4πβ), or √(J/g)/(4π) for the rotor model).
    pub alpha_bare: f64,
    /// The free photon's potential V₀(R) on this lattice (same units and T* as V).
    pub free_photon: Vec<f64>,
    /// χ² per degree of freedom of the (uncorrelated) fit; None with no degree of freedom.
    pub chi2_per_dof: Option<f64>,
    /// Why there is no fit, if there is none.
    pub fit_note: Option<String>,
}

/// The lattice Green function difference `G(0) − G(R e_axis)` of `−Δ` on a periodic lattice
/// with `extents` (k = 0 left out): `(1/N) Σ_{k≠0} (1 − cos k_axis R) / Σ_a 4 sin²(k_a/2)`.
pub fn lattice_coulomb(extents: &[usize], axis: usize, r: usize) -> f64 {
    let n: usize = extents.iter().product();
    let d = extents.len();
    let mut s = 0.0;
    let mut idx = vec![0usize; d];
    for _ in 0..n {
        let k2: f64 = (0..d).map(|a| 4.0 * (PI * idx[a] as f64 / extents[a] as f64).sin().powi(2)).sum();
        if k2 > 0.0 {
            let ka = 2.0 * PI * idx[axis] as f64 / extents[axis] as f64;
            s += (1.0 - (ka * r as f64).cos()) / k2;
        }
        for a in 0..d {
            idx[a] += 1;
            if idx[a] < extents[a] {
                break;
            }
            idx[a] = 0;
        }
    }
    s / n as f64
}

/// `ln W₀(R, T)` of the Gaussian (non-compact) theory `S = ½ Σ_P β_P Θ_P²` on a periodic lattice
/// with `extents`, for the R×T rectangle with R along `mu` and T along `nu`: `−½⟨(Σ_C θ)²⟩`,
/// `⟨(Σ_C θ)²⟩ = (1/V) Σ_{k≠0} J(k)† M(k)⁻¹ J(k)`, with `J` the loop's current and `M` the
/// quadratic form per momentum (`M_ab = Σ_planes β (|K̂|² δ − K̂ K̂†)` restricted to the planes'
/// axes), made invertible by a gauge-fixing term `λ K̂ K̂†` that a closed loop does not see.
/// Plaquettes containing `time` weigh `beta_time`, the others `beta_space`.
pub fn gaussian_log_wilson_loop(
    extents: &[usize],
    time: usize,
    beta_space: f64,
    beta_time: f64,
    orientation: (usize, usize),
    size: (usize, usize),
) -> f64 {
    gaussian_log_wilson_loop_gauge(
        extents,
        time,
        beta_space,
        beta_time,
        orientation,
        size,
        0.5 * (beta_space + beta_time),
    )
}

/// [`gaussian_log_wilson_loop`] with the gauge-fixing weight λ given (the result must not
/// depend on it).
fn gaussian_log_wilson_loop_gauge(
    extents: &[usize],
    time: usize,
    beta_space: f64,
    beta_time: f64,
    (mu, nu): (usize, usize),
    (r, t): (usize, usize),
    lambda: f64,
) -> f64 {
    let d = extents.len();
    let n: usize = extents.iter().product();
    let beta = |a: usize, b: usize| if a == time || b == time { beta_time } else { beta_space };
    let one = Complex64::new(1.0, 0.0);
    let mut idx = vec![0usize; d];
    let mut total = 0.0;
    for _ in 0..n {
        let k: Vec<f64> = (0..d).map(|a| 2.0 * PI * idx[a] as f64 / extents[a] as f64).collect();
        if k.iter().any(|&x| x != 0.0) {
            let kh: Vec<Complex64> = k.iter().map(|&x| Complex64::from_polar(1.0, x) - one).collect();
            // J_mu = Σ_{i<R} e^{−ik_mu i} (1 − e^{−ik_nu T}), J_nu = Σ_{j<T} e^{−ik_nu j} (e^{−ik_mu R} − 1)
            let geo =
                |kk: f64, m: usize| -> Complex64 { (0..m).map(|i| Complex64::from_polar(1.0, -kk * i as f64)).sum() };
            let mut jv = vec![Complex64::new(0.0, 0.0); d];
            jv[mu] = geo(k[mu], r) * (one - Complex64::from_polar(1.0, -k[nu] * t as f64));
            jv[nu] = geo(k[nu], t) * (Complex64::from_polar(1.0, -k[mu] * r as f64) - one);
            // M(k) + λ K K†
            let mut m = vec![vec![Complex64::new(0.0, 0.0); d]; d];
            for a in 0..d {
                for b in 0..d {
                    if a != b {
                        let bab = beta(a.min(b), a.max(b));
                        m[a][a] += bab * kh[b].norm_sqr();
                        m[a][b] -= bab * kh[a] * kh[b].conj();
                    }
                    m[a][b] += lambda * kh[a] * kh[b].conj();
                }
            }
            if let Some(x) = solve_complex(m, jv.clone()) {
                let q: Complex64 = (0..d).map(|a| jv[a].conj() * x[a]).sum();
                total += q.re;
            }
        }
        for a in 0..d {
            idx[a] += 1;
            if idx[a] < extents[a] {
                break;
            }
            idx[a] = 0;
        }
    }
    -0.5 * total / n as f64
}

/// Solve a small complex linear system by Gaussian elimination with partial pivoting.
fn solve_complex(mut a: Vec<Vec<Complex64>>, mut b: Vec<Complex64>) -> Option<Vec<Complex64>> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i][c].norm().total_cmp(&a[j][c].norm()))?;
        if a[p][c].norm() < 1e-300 {
            return None;
        }
        a.swap(c, p);
        b.swap(c, p);
        for r in c + 1..n {
            let f = a[r][c] / a[c][c];
            for k in c..n {
                let v = a[c][k];
                a[r][k] -= f * v;
            }
            let v = b[c];
            b[r] -= f * v;
        }
    }
    let mut x = vec![Complex64::new(0.0, 0.0); n];
    for i in (0..n).rev() {
        let s: Complex64 = (i + 1..n).map(|k| a[i][k] * x[k]).sum();
        x[i] = (b[i] - s) / a[i][i];
    }
    Some(x)
}

impl WilsonLoops {
    /// Check that loops up to `loop_max` fit the lattice (no allocation): the orientations
    /// averaged and the largest T.
    pub fn check(g: &Geometry, couplings: &Couplings, loop_max: usize) -> Result<(Vec<(usize, usize)>, usize)> {
        let l = &g.lattice;
        let d = l.dim();
        let t = g.time_axis();
        let ext = l.extents();
        let isotropic = matches!(couplings, Couplings::Isotropic { .. });
        if loop_max == 0 {
            return Err(Error::invalid("--loop-max", "0", "give the largest Wilson loop extent, at least 1 (e.g. 3)"));
        }
        let all_axes = isotropic && g.is_hypercubic();
        let orientations: Vec<(usize, usize)> = if all_axes {
            (0..d).flat_map(|mu| (0..d).filter(move |&nu| nu != mu).map(move |nu| (mu, nu))).collect()
        } else {
            (0..t).map(|mu| (mu, t)).collect()
        };
        let r_room = orientations.iter().map(|&(mu, _)| ext[mu] / 2).min().unwrap_or(0);
        if loop_max > r_room {
            return Err(Error::invalid(
                "--loop-max",
                loop_max.to_string(),
                format!(
                    "too many Wilson-loop sizes for the lattice {l}: a loop may span at most half of a periodic extent, so R ≤ {r_room}; lower --loop-max or use a larger lattice"
                ),
            ));
        }
        let t_max = if isotropic {
            if loop_max > ext[t] / 2 {
                return Err(Error::invalid(
                    "--loop-max",
                    loop_max.to_string(),
                    format!(
                        "too many Wilson-loop sizes for the lattice {l}: T ≤ {} (half the time extent)",
                        ext[t] / 2
                    ),
                ));
            }
            loop_max
        } else {
            ext[t] / 2
        };
        Ok((orientations, t_max))
    }

    /// Loops with R (and, on isotropic hypercubic lattices, T) up to `loop_max`.
    pub fn new(g: &Geometry, couplings: &Couplings, loop_max: usize) -> Result<Self> {
        let (orientations, t_max) = Self::check(g, couplings, loop_max)?;
        let l = &g.lattice;
        let d = l.dim();
        let (tau, beta_space, beta_time, alpha0) = match couplings {
            Couplings::Isotropic { beta } => (1.0, *beta, *beta, 1.0 / (4.0 * PI * beta)),
            Couplings::Rotor(rc) => (rc.tau, rc.beta_space(), rc.beta_time(), (rc.j / rc.g).sqrt() / (4.0 * PI)),
        };
        let longest = loop_max.max(t_max);
        let shifts = (0..d)
            .map(|a| {
                (1..=longest)
                    .map(|m| (0..l.n_sites()).map(|x| shift_site(l.extents(), l.strides(), x, a, m) as u32).collect())
                    .collect()
            })
            .collect();
        Ok(WilsonLoops {
            geometry: g.clone(),
            r_max: loop_max,
            t_max,
            orientations,
            tau,
            beta_space,
            beta_time,
            alpha0,
            shifts,
        })
    }

    /// Bytes of the precomputed tables and of one measurement's work space.
    pub fn estimate_bytes(sites: usize, dim: usize, longest: usize) -> u64 {
        (sites as u64) * (dim as u64) * (longest as u64) * (4 + 8)
    }

    /// Number of series recorded per configuration.
    pub fn n_series(&self) -> usize {
        self.r_max * self.t_max
    }

    fn index(&self, r: usize, t: usize) -> usize {
        (r - 1) * self.t_max + (t - 1)
    }

    /// Per-configuration loop averages `W(R, T)` (R outer, T inner), computed from line sums.
    fn loops(&self, theta: &[f64]) -> Vec<f64> {
        let l = &self.geometry.lattice;
        let d = l.dim();
        let n = l.n_sites();
        let longest = self.r_max.max(self.t_max);
        // line[a][m-1][x] = Σ_{i<m} θ(x + i e_a, a)
        let mut line = vec![vec![vec![0.0; n]; longest]; d];
        for a in 0..d {
            for x in 0..n {
                line[a][0][x] = theta[x * d + a];
            }
            for m in 1..longest {
                for x in 0..n {
                    let y = self.shifts[a][m - 1][x] as usize;
                    line[a][m][x] = line[a][m - 1][x] + theta[y * d + a];
                }
            }
        }
        let mut w = vec![0.0; self.n_series()];
        for &(mu, nu) in &self.orientations {
            for r in 1..=self.r_max {
                let lr = &line[mu][r - 1];
                let sr = &self.shifts[mu][r - 1];
                for t in 1..=self.t_max {
                    let lt = &line[nu][t - 1];
                    let st = &self.shifts[nu][t - 1];
                    let mut s = 0.0;
                    for x in 0..n {
                        let a = lr[x] + lt[sr[x] as usize] - lr[st[x] as usize] - lt[x];
                        s += a.cos();
                    }
                    w[self.index(r, t)] += s;
                }
            }
        }
        let norm = (n * self.orientations.len()) as f64;
        w.iter_mut().for_each(|x| *x /= norm);
        w
    }

    /// V(R) = ln(W(R,T)/W(R,T+1))/τ from a vector of loop means.
    fn potential_at(&self, w: &[f64], t: usize) -> Vec<f64> {
        (1..=self.r_max).map(|r| (w[self.index(r, t)] / w[self.index(r, t + 1)]).ln() / self.tau).collect()
    }

    /// The free photon's potential V₀(R) at T*, averaged over the orientations.
    pub fn free_photon_potential(&self, t: usize) -> Vec<f64> {
        let ext = self.geometry.lattice.extents();
        let time = self.geometry.time_axis();
        (1..=self.r_max)
            .map(|r| {
                self.orientations
                    .iter()
                    .map(|&o| {
                        let w0 = gaussian_log_wilson_loop(ext, time, self.beta_space, self.beta_time, o, (r, t));
                        let w1 = gaussian_log_wilson_loop(ext, time, self.beta_space, self.beta_time, o, (r, t + 1));
                        (w0 - w1) / self.tau
                    })
                    .sum::<f64>()
                    / self.orientations.len() as f64
            })
            .collect()
    }

    /// Fit c + σR + κ V₀(R) with fixed weights 1/dv²; returns [c, σ, κ].
    fn fit(&self, v: &[f64], dv: &[f64], v0: &[f64]) -> Option<Vec<f64>> {
        let phi: Vec<Vec<f64>> = (1..=self.r_max).map(|r| vec![1.0, r as f64, v0[r - 1]]).collect();
        linear_least_squares(&phi, v, dv)
    }
}

/// The site `x + m e_a` on a periodic lattice.
fn shift_site(ext: &[usize], strides: &[usize], x: usize, a: usize, m: usize) -> usize {
    let c = (x / strides[a]) % ext[a];
    let c2 = (c + m) % ext[a];
    x + c2 * strides[a] - c * strides[a]
}

impl Observable for WilsonLoops {
    fn kind(&self) -> Measure {
        Measure::Potential
    }
    fn series(&self) -> Vec<String> {
        let mut v = Vec::new();
        for r in 1..=self.r_max {
            for t in 1..=self.t_max {
                v.push(format!("wilson_loop_R{r}_T{t}"));
            }
        }
        v
    }
    fn measure(&self, s: &Snapshot<'_>, out: &mut Vec<f64>) {
        out.extend(self.loops(s.theta));
    }
    fn analyze(&self, h: &History) -> Report {
        let est = h.estimates();
        let wilson_loops: Vec<Vec<Scalar>> = (1..=self.r_max)
            .map(|r| (1..=self.t_max).map(|t| Scalar::from(&est[self.index(r, t)])).collect())
            .collect();
        let cols = h.columns();
        let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let all: Vec<usize> = (0..cols.len()).collect();
        let jk = h.jackknife(&all);
        let nan = Derived { value: f64::NAN, error: f64::NAN };
        // Creutz ratios
        let creutz: Vec<Vec<Derived>> = (2..=self.r_max)
            .map(|r| {
                (2..=self.t_max)
                    .map(|t| match &jk {
                        Some(jk) => {
                            let (a, b, c, dd) = (
                                self.index(r, t),
                                self.index(r - 1, t - 1),
                                self.index(r, t - 1),
                                self.index(r - 1, t),
                            );
                            jk.derive(&refs, |m| vec![-(m[a] * m[b] / (m[c] * m[dd])).ln()])[0]
                        }
                        None => nan,
                    })
                    .collect()
            })
            .collect();
        let unit = if self.tau == 1.0 { "lattice units (1/a)" } else { "J" }.to_string();
        let mut pot = Potential {
            r: (1..=self.r_max).map(|r| r as f64).collect(),
            v: vec![f64::NAN; self.r_max],
            v_error: vec![f64::NAN; self.r_max],
            t_used: None,
            unit,
            alpha: None,
            alpha_error: None,
            sigma: None,
            sigma_error: None,
            constant: None,
            coulomb_ratio: None,
            coulomb_ratio_error: None,
            alpha_bare: self.alpha0,
            free_photon: vec![],
            chi2_per_dof: None,
            fit_note: None,
        };
        let resolved = |t: usize| {
            (1..=self.r_max).all(|r| {
                let e = &est[self.index(r, t)];
                e.mean > RESOLVED_SIGMAS * e.error && e.error.is_finite()
            })
        };
        let t_star = (1..self.t_max).rev().find(|&t| resolved(t) && resolved(t + 1));
        match (t_star, &jk) {
            (Some(t), Some(jk)) => {
                pot.t_used = Some(t);
                let vd = jk.derive(&refs, |m| self.potential_at(m, t));
                pot.v = vd.iter().map(|d| d.value).collect();
                pot.v_error = vd.iter().map(|d| d.error).collect();
                let v0 = self.free_photon_potential(t);
                pot.free_photon = v0.clone();
                if self.r_max < 3 {
                    pot.fit_note = Some("the fit c + σR − α/R needs V at 3 or more R: raise --loop-max to 3 or more".into());
                } else if pot.v_error.iter().any(|e| !(e.is_finite() && *e > 0.0)) {
                    pot.fit_note = Some("V(R) has undefined errors (too few measurements for a jackknife)".into());
                } else {
                    let dv = pot.v_error.clone();
                    let fitted = jk.derive(&refs, |m| {
                        let v = self.potential_at(m, t);
                        self.fit(&v, &dv, &v0).unwrap_or_else(|| vec![f64::NAN; 3])
                    });
                    if fitted.iter().all(|d| d.value.is_finite()) {
                        pot.constant = Some(fitted[0].value);
                        pot.sigma = Some(fitted[1].value);
                        pot.sigma_error = Some(fitted[1].error);
                        pot.coulomb_ratio = Some(fitted[2].value);
                        pot.coulomb_ratio_error = Some(fitted[2].error);
                        pot.alpha = Some(fitted[2].value * self.alpha0);
                        pot.alpha_error = Some(fitted[2].error * self.alpha0);
                        let dof = self.r_max - 3;
                        if dof > 0 {
                            let chi2: f64 = (1..=self.r_max)
                                .map(|r| {
                                    let model =
                                        fitted[0].value + fitted[1].value * r as f64 + fitted[2].value * v0[r - 1];
                                    ((pot.v[r - 1] - model) / dv[r - 1]).powi(2)
                                })
                                .sum();
                            pot.chi2_per_dof = Some(chi2 / dof as f64);
                        }
                    } else {
                        pot.fit_note = Some("the least-squares system is singular".into());
                    }
                }
            }
            (None, _) => {
                pot.fit_note = Some(format!(
                    "no two consecutive T have every W(R, T) resolved ({RESOLVED_SIGMAS} errors from zero): measure longer or lower --loop-max"
                ))
            }
            (_, None) => pot.fit_note = Some("too few measurements for a jackknife".into()),
        }
        Report::Loops(LoopsReport { r_max: self.r_max, t_max: self.t_max, wilson_loops, creutz, potential: pot })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::Lattice;
    use crate::mc::rng::stream;
    use rand::RngExt;

    #[test]
    fn lattice_coulomb_at_one_spacing_is_exact() {
        // Σ_a (1 − cos k_a) = |K|²/2, so with equal extents G(0) − G(e_a) = (N − 1)/(2 d N).
        for ext in [vec![4, 4, 4], vec![6, 6, 6], vec![8, 8]] {
            let n: usize = ext.iter().product();
            let d = ext.len();
            let want = (n as f64 - 1.0) / (2.0 * d as f64 * n as f64);
            assert!((lattice_coulomb(&ext, 0, 1) - want).abs() < 1e-13);
        }
    }

    #[test]
    fn lattice_coulomb_approaches_the_infinite_lattice_table() {
        // Rotor note 2.5 (G(r) from its integral representation, 6 digits): 2[G(0) − G(r)] =
        // 0.419683 at (2,0,0), 0.450372 at (3,0,0). Leaving out k = 0 on a periodic L³ adds a
        // uniform neutralizing background, whose potential r²/(6L³) lowers 2[G(0) − G(R)] by
        // R²/(3L³) (9e-5 at R = 3, L = 32); with that correction the table holds to its rounding
        // plus O(L⁻⁵): tolerance 1e-5.
        let e = [32, 32, 32];
        let l3 = 32f64.powi(3);
        for (axis, r, want) in [(1, 2, 0.419683), (2, 3, 0.450372)] {
            let got = 2.0 * lattice_coulomb(&e, axis, r) + (r * r) as f64 / (3.0 * l3);
            assert!((got - want).abs() < 1e-5, "R = {r}: {got}");
        }
    }

    fn loop_angle_by_walking(l: &Lattice, theta: &[f64], x: usize, mu: usize, nu: usize, r: usize, t: usize) -> f64 {
        // walk the boundary: R steps +mu, T steps +nu, R steps −mu, T steps −nu
        let d = l.dim();
        let mut y = x;
        let mut s = 0.0;
        for _ in 0..r {
            s += theta[y * d + mu];
            y = l.forward(y, mu);
        }
        for _ in 0..t {
            s += theta[y * d + nu];
            y = l.forward(y, nu);
        }
        for _ in 0..r {
            y = l.backward(y, mu);
            s -= theta[y * d + mu];
        }
        for _ in 0..t {
            y = l.backward(y, nu);
            s -= theta[y * d + nu];
        }
        assert_eq!(y, x);
        s
    }

    #[test]
    fn line_sum_loops_equal_walked_loops() {
        // The fast path (line sums, index shifts) against walking each boundary link by link.
        let l = Lattice::parse("4x6x4x6").unwrap();
        let g = Geometry::new(l.clone()).unwrap();
        let mut rng = stream(3, &[5]);
        let theta: Vec<f64> = (0..l.n_links()).map(|_| 3.0 * (2.0 * rng.random::<f64>() - 1.0)).collect();
        let wl = WilsonLoops::new(&g, &Couplings::Isotropic { beta: 1.0 }, 2).unwrap();
        assert_eq!(wl.orientations.len(), 3, "unequal extents: T along time only");
        let fast = wl.loops(&theta);
        for r in 1..=2 {
            for t in 1..=2 {
                let mut s = 0.0;
                for &(mu, nu) in &wl.orientations {
                    for x in 0..l.n_sites() {
                        s += loop_angle_by_walking(&l, &theta, x, mu, nu, r, t).cos();
                    }
                }
                let slow = s / (l.n_sites() * wl.orientations.len()) as f64;
                assert!((fast[wl.index(r, t)] - slow).abs() < 1e-12, "R={r} T={t}");
            }
        }
        // W(1,1) is the space-time plaquette average
        let snap = Snapshot::new(&g, &theta);
        let pp = l.planes_per_site();
        let st: Vec<f64> =
            (0..l.n_plaquettes()).filter(|p| g.is_temporal_plane(p % pp)).map(|p| snap.plaquette[p].cos()).collect();
        assert!((fast[0] - st.iter().sum::<f64>() / st.len() as f64).abs() < 1e-12);
        // hypercubic: all 12 ordered pairs
        let h = Geometry::new(Lattice::parse("4x4x4x4").unwrap()).unwrap();
        assert_eq!(WilsonLoops::new(&h, &Couplings::Isotropic { beta: 1.0 }, 2).unwrap().orientations.len(), 12);
    }

    #[test]
    fn too_many_loop_sizes_are_refused() {
        let g = Geometry::new(Lattice::parse("6x6x6x6").unwrap()).unwrap();
        let c = Couplings::Isotropic { beta: 1.0 };
        assert!(WilsonLoops::new(&g, &c, 3).is_ok());
        let e = WilsonLoops::new(&g, &c, 4).unwrap_err().to_string();
        assert!(e.contains("too many Wilson-loop sizes") && e.contains("R ≤ 3"), "{e}");
        assert!(WilsonLoops::new(&g, &c, 0).is_err());
    }

    #[test]
    fn gaussian_wilson_loop_general_solver_equals_the_isotropic_closed_form() {
        // Isotropic β: with the gauge term λ = β the quadratic form is β|K|² times the identity,
        // so ln W₀ = −(1/2βV) Σ_{k≠0} |J(k)|²/|K|², and for the R×T rectangle
        // |J|² = 4 [F(k_μ, R) sin²(k_ν T/2) + F(k_ν, T) sin²(k_μ R/2)], F(k, R) = sin²(kR/2)/sin²(k/2)
        // (→ R² at k = 0). The general solver uses λ = β too; gauge independence is tested below.
        let ext = [4usize, 6, 4, 6];
        let beta = 1.7;
        let ff = |k: f64, m: usize| {
            if k == 0.0 {
                (m * m) as f64
            } else {
                ((0.5 * k * m as f64).sin() / (0.5 * k).sin()).powi(2)
            }
        };
        let closed = |mu: usize, nu: usize, r: usize, t: usize| {
            let n: usize = ext.iter().product();
            let mut s = 0.0;
            for i in 1..n {
                let mut rem = i;
                let mut k = [0.0; 4];
                for a in 0..4 {
                    k[a] = 2.0 * PI * (rem % ext[a]) as f64 / ext[a] as f64;
                    rem /= ext[a];
                }
                let k2: f64 = k.iter().map(|x| 4.0 * (0.5 * x).sin().powi(2)).sum();
                let j2 = 4.0
                    * (ff(k[mu], r) * (0.5 * k[nu] * t as f64).sin().powi(2)
                        + ff(k[nu], t) * (0.5 * k[mu] * r as f64).sin().powi(2));
                s += j2 / k2;
            }
            -s / (2.0 * beta * n as f64)
        };
        for (mu, nu, r, t) in [(0, 3, 1, 1), (1, 3, 2, 3), (2, 0, 2, 1), (1, 0, 3, 2)] {
            let g = gaussian_log_wilson_loop(&ext, 3, beta, beta, (mu, nu), (r, t));
            let c = closed(mu, nu, r, t);
            assert!((g - c).abs() < 1e-12 * c.abs().max(1.0), "{mu}{nu} R={r} T={t}: {g} vs {c}");
        }
        // W(1,1) of the Gaussian theory is exp(−⟨Θ²⟩/2) with ⟨Θ²⟩ = (1 − 1/V)·2/(dβ) in d = 4
        // (equipartition over the 6V plaquettes less the zero modes: rotor note 4.2)
        let v = ext.iter().product::<usize>() as f64;
        let w11 = gaussian_log_wilson_loop(&ext, 3, beta, beta, (0, 1), (1, 1));
        assert!((w11 + 0.5 * (1.0 - 1.0 / v) * 2.0 / (4.0 * beta)).abs() < 1e-12, "{w11}");
    }

    #[test]
    fn free_photon_potential_becomes_the_lattice_coulomb_law() {
        // Anisotropic couplings (the rotor model's β_s = 2τg, β_t = 1/(2τJ)): at long times the
        // static potential of the free photon is e²c [G(0) − G(R)] with e²c = 2J (rotor note 2.4,
        // 2.5) on the spatial torus, plus the torus holonomies (spatially uniform θ, k_s = 0):
        // their modes give ln W₀ a term −R² T(N_t − T)/(2 β_t V) (from Σ_{n≠0} sin²(πnT/N)/
        // sin²(πn/N) = T(N − T)), i.e. V₀ gains J R² (N_t − 2T − 1)/(N_s N_t). So
        // V₀(R) − V₀(1) = 2J (D(R) − D(1)) + J (R² − 1)(N_t − 2T − 1)/(N_s N_t) up to states with
        // a photon above the pair, suppressed by e^{−c|K_min| T* τ} = e^{−8} = 3e-4 (c = 2, |K_min| = 1
        // on 6³, T* τ = 4) times their overlap (residuals seen: 2e-5, 5e-5). Tolerance 2e-4 J.
        let rc = crate::mc::measure_rotor::RotorCouplings::new(1.0, 1.0, 0.1).unwrap();
        let (nt, tstar, ns) = (160usize, 40usize, 216.0);
        let ext = [6usize, 6, 6, nt];
        let v = |r: usize| {
            let w0 = gaussian_log_wilson_loop(&ext, 3, rc.beta_space(), rc.beta_time(), (0, 3), (r, tstar));
            let w1 = gaussian_log_wilson_loop(&ext, 3, rc.beta_space(), rc.beta_time(), (0, 3), (r, tstar + 1));
            (w0 - w1) / rc.tau
        };
        let v1 = v(1);
        let d = |r| lattice_coulomb(&[6, 6, 6], 0, r);
        for r in [2usize, 3] {
            let hol = rc.j * ((r * r - 1) as f64) * (nt - 2 * tstar - 1) as f64 / (ns * nt as f64);
            let want = 2.0 * rc.j * (d(r) - d(1)) + hol;
            assert!((v(r) - v1 - want).abs() < 2e-4, "R = {r}: {} vs {want}", v(r) - v1);
        }
        // gauge independence: another gauge-fixing weight λ gives the same loop (the loop's
        // current is closed, so it has no component along the gauge directions K̂)
        let a = gaussian_log_wilson_loop(&[4, 4, 8], 2, 0.7, 3.0, (0, 2), (2, 3));
        let b = gaussian_log_wilson_loop_gauge(&[4, 4, 8], 2, 0.7, 3.0, (0, 2), (2, 3), 11.0);
        assert!((a - b).abs() < 1e-12 * a.abs(), "{a} vs {b}");
    }

    #[test]
    fn potential_fit_recovers_a_known_law() {
        // Synthetic measurements W(R,T) = W₀(R,T)^κ e^{−T(c + σR)} with small noise: then
        // ln[W(T)/W(T+1)] = c + σR + κ V₀(R) exactly, and the fit must return σ = 0.2, κ = 0.8.
        let g = Geometry::new(Lattice::parse("8x8x8x8").unwrap()).unwrap();
        let beta = 1.3;
        let wl = WilsonLoops::new(&g, &Couplings::Isotropic { beta }, 4).unwrap();
        let ext = [8usize; 4];
        let w0: Vec<Vec<f64>> = (1..=4)
            .map(|r| (1..=4).map(|t| gaussian_log_wilson_loop(&ext, 3, beta, beta, (0, 3), (r, t))).collect())
            .collect();
        let mut h = History::new(wl.series());
        let mut rng = stream(4, &[4]);
        for _ in 0..400 {
            let mut row = vec![];
            for r in 1..=4 {
                for t in 1..=4 {
                    let lw = 0.8 * w0[r - 1][t - 1] - t as f64 * (0.3 + 0.2 * r as f64);
                    row.push(lw.exp() * (1.0 + 1e-4 * (2.0 * rng.random::<f64>() - 1.0)));
                }
            }
            h.push(&row);
        }
        let Report::Loops(rep) = wl.analyze(&h) else { panic!() };
        let p = rep.potential;
        assert_eq!(p.t_used, Some(3));
        assert!((p.sigma.unwrap() - 0.2).abs() < 2e-3, "{p:?}");
        assert!((p.coulomb_ratio.unwrap() - 0.8).abs() < 2e-2, "{p:?}");
        assert!((p.alpha.unwrap() - 0.8 / (4.0 * PI * beta)).abs() < 2e-3, "{p:?}");
        assert!(p.sigma_error.unwrap() > 0.0 && p.sigma_error.unwrap() < 2e-3);
        // Creutz ratio of W = e^{−T V(R)}-like data: χ(2,2) = ln of the ratio of ratios, which
        // here is σ + κ[ln W₀ combination]
        let lw = |r: usize, t: usize| 0.8 * w0[r - 1][t - 1] - t as f64 * (0.3 + 0.2 * r as f64);
        let want = -(lw(2, 2) + lw(1, 1) - lw(2, 1) - lw(1, 2));
        assert!((rep.creutz[0][0].value - want).abs() < 1e-3);
    }
}
