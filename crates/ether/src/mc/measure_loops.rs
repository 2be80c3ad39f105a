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
//! - The fit `V(R) = c + σ R + e² [G(0) − G(R)]`, where G is the lattice Green function of
//!   `−Δ` on the same periodic spatial lattice (k = 0 left out): in three dimensions
//!   `G(0) − G(R) → G(0) − 1/(4πR)` at large R, so the last term is the Coulomb law
//!   `−α/R + const` with `α = e²/(4π)` (divided by the speed of light in the rotor model,
//!   where V is an energy: `V = ħc α/R`), and it carries the lattice and finite-box
//!   corrections that a bare `1/R` would miss (Gaussian theory: docs section "Static charges").
//!   Weighted linear least squares, jackknife errors.

use crate::error::{Error, Result};
use crate::mc::measure::{Couplings, Geometry, History, Measure, Observable, Report, Scalar, Snapshot};
use crate::stats::{linear_least_squares, Derived};
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
    /// Speed of light used to turn the Coulomb coefficient into α (1 on isotropic lattices).
    c_light: f64,
    /// `G(0) − G(R)` for R = 1..=r_max, averaged over the orientations.
    coulomb: Vec<f64>,
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
    /// `α = e²/(4π c)`: the strength of the Coulomb term of the fit (None without a fit).
    pub alpha: Option<f64>,
    /// Its jackknife error.
    pub alpha_error: Option<f64>,
    /// The string tension σ of the fit (units of V per lattice spacing).
    pub sigma: Option<f64>,
    /// Its jackknife error.
    pub sigma_error: Option<f64>,
    /// The constant c of the fit.
    pub constant: Option<f64>,
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

impl WilsonLoops {
    /// Loops with R (and, on isotropic hypercubic lattices, T) up to `loop_max`.
    pub fn new(g: &Geometry, couplings: &Couplings, loop_max: usize) -> Result<Self> {
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
        let (tau, c_light) = match couplings {
            Couplings::Isotropic { .. } => (1.0, 1.0),
            Couplings::Rotor(rc) => (rc.tau, rc.classical_speed()),
        };
        let coulomb = (1..=loop_max)
            .map(|r| {
                orientations
                    .iter()
                    .map(|&(mu, nu)| {
                        let axes: Vec<usize> = (0..d).filter(|&a| a != nu).collect();
                        let sub: Vec<usize> = axes.iter().map(|&a| ext[a]).collect();
                        let pos = axes.iter().position(|&a| a == mu).expect("R axis is spatial");
                        lattice_coulomb(&sub, pos, r)
                    })
                    .sum::<f64>()
                    / orientations.len() as f64
            })
            .collect();
        Ok(WilsonLoops { geometry: g.clone(), r_max: loop_max, t_max, orientations, tau, c_light, coulomb })
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
        let ext = l.extents();
        let strides = l.strides();
        let longest = self.r_max.max(self.t_max);
        // line[a][m-1][x] = Σ_{i<m} θ(x + i e_a, a)
        let mut line = vec![vec![vec![0.0; n]; longest]; d];
        for a in 0..d {
            for x in 0..n {
                let mut y = x;
                let mut s = 0.0;
                for m in 0..longest {
                    s += theta[y * d + a];
                    line[a][m][x] = s;
                    y = l.forward(y, a);
                }
            }
        }
        let shift = |x: usize, a: usize, m: usize| -> usize {
            let c = (x / strides[a]) % ext[a];
            let c2 = (c + m) % ext[a];
            x + c2 * strides[a] - c * strides[a]
        };
        let mut w = vec![0.0; self.n_series()];
        for &(mu, nu) in &self.orientations {
            for r in 1..=self.r_max {
                for t in 1..=self.t_max {
                    let mut s = 0.0;
                    for x in 0..n {
                        let a = line[mu][r - 1][x] + line[nu][t - 1][shift(x, mu, r)]
                            - line[mu][r - 1][shift(x, nu, t)]
                            - line[nu][t - 1][x];
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

    /// Fit c + σR + e² D(R) with fixed weights 1/dv²; returns [c, σ, e²].
    fn fit(&self, v: &[f64], dv: &[f64]) -> Option<Vec<f64>> {
        let phi: Vec<Vec<f64>> = (1..=self.r_max).map(|r| vec![1.0, r as f64, self.coulomb[r - 1]]).collect();
        linear_least_squares(&phi, v, dv)
    }
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
                if self.r_max < 3 {
                    pot.fit_note = Some("the fit c + σR − α/R needs V at 3 or more R: raise --loop-max to 3 or more".into());
                } else if pot.v_error.iter().any(|e| !(e.is_finite() && *e > 0.0)) {
                    pot.fit_note = Some("V(R) has undefined errors (too few measurements for a jackknife)".into());
                } else {
                    let dv = pot.v_error.clone();
                    let fitted = jk.derive(&refs, |m| {
                        let v = self.potential_at(m, t);
                        self.fit(&v, &dv).unwrap_or_else(|| vec![f64::NAN; 3])
                    });
                    if fitted.iter().all(|d| d.value.is_finite()) {
                        let k = 4.0 * PI * self.c_light;
                        pot.constant = Some(fitted[0].value);
                        pot.sigma = Some(fitted[1].value);
                        pot.sigma_error = Some(fitted[1].error);
                        pot.alpha = Some(fitted[2].value / k);
                        pot.alpha_error = Some(fitted[2].error / k);
                        let dof = self.r_max - 3;
                        if dof > 0 {
                            let chi2: f64 = (1..=self.r_max)
                                .map(|r| {
                                    let model = fitted[0].value
                                        + fitted[1].value * r as f64
                                        + fitted[2].value * self.coulomb[r - 1];
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
    fn potential_fit_recovers_a_known_law() {
        // Synthetic "measurements": W(R,T) = exp(−T V(R)) with V = 0.3 + 0.2 R + 0.5 D(R) and
        // small independent noise; the fit must return σ = 0.2 and α = 0.5/(4π).
        let g = Geometry::new(Lattice::parse("8x8x8x8").unwrap()).unwrap();
        let wl = WilsonLoops::new(&g, &Couplings::Isotropic { beta: 1.0 }, 4).unwrap();
        let mut h = History::new(wl.series());
        let mut rng = stream(4, &[4]);
        for _ in 0..400 {
            let mut row = vec![];
            for r in 1..=4 {
                let v = 0.3 + 0.2 * r as f64 + 0.5 * wl.coulomb[r - 1];
                for t in 1..=4 {
                    row.push((-(t as f64) * v).exp() * (1.0 + 1e-4 * (2.0 * rng.random::<f64>() - 1.0)));
                }
            }
            h.push(&row);
        }
        let Report::Loops(rep) = wl.analyze(&h) else { panic!() };
        let p = rep.potential;
        assert_eq!(p.t_used, Some(3));
        assert!((p.sigma.unwrap() - 0.2).abs() < 1e-3, "{p:?}");
        assert!((p.alpha.unwrap() - 0.5 / (4.0 * PI)).abs() < 1e-3, "{p:?}");
        assert!(p.sigma_error.unwrap() > 0.0 && p.sigma_error.unwrap() < 1e-3);
        // Creutz ratio of an exact exp(−T V(R)): χ(R,T) = V(R) − V(R−1)
        let want = 0.2 + 0.5 * (wl.coulomb[1] - wl.coulomb[0]);
        assert!((rep.creutz[0][0].value - want).abs() < 1e-3);
    }
}
