//! Linear spin-wave theory (LSWT) derived from the model's own quadratic form.
//!
//! Around a classical ground state `S_i = S R_i e_z` (local frames `R_i`), write
//! `S_i = R_i (u_i, v_i, sqrt(S² − u_i² − v_i²))` and expand the classical energy to second order in
//! the transverse coordinates. A bond `J S_i·S_j` contributes, with `M = R_iᵀ R_j`,
//!
//! `J [ M_xx u_i u_j + M_xy u_i v_j + M_yx v_i u_j + M_yy v_i v_j − ½ M_zz (u_i² + v_i² + u_j² + v_j²) ]`
//!
//! (first-order terms vanish at a stationary point). The Poisson bracket `{u_i, v_i} = S` gives
//! `du/dt = S ∂H/∂v`, `dv/dt = −S ∂H/∂u`: the linearized Landau-Lifshitz equations, whose
//! frequencies are those of Holstein-Primakoff LSWT at quadratic order (spin-waves note A.2).
//!
//! When the local-frame bond matrices depend only on the bond direction (ferromagnet; Néel state
//! with sublattice B rotated by π about x), the Hessian is translation invariant with one site per
//! cell, and at momentum k it is the 2×2 Hermitian matrix
//!
//! `K(k) = Σ_a J [M⊥^(a) e^{i k_a} + M⊥^(a)ᵀ e^{−i k_a}] − Σ_a 2 J M_zz^(a) · 1`,
//!
//! whose mode frequency is the positive eigenvalue of `i S Ω K(k)`, `Ω = [[0, 1], [−1, 0]]`.
//! Nothing here assumes the closed forms; the tests compare against them.

use crate::error::{Error, Result};
use crate::lattice::Momentum;
use crate::model::heisenberg::Heisenberg;
use num_complex::Complex64 as C64;

type M3 = [[f64; 3]; 3];

/// The linear spin-wave theory of a Heisenberg model around its classical ground state.
#[derive(Clone, Debug)]
pub struct SpinWaveTheory {
    spin: f64,
    coupling: f64,
    /// Transverse 2×2 block of the local-frame bond matrix, per axis.
    m_perp: Vec<[[f64; 2]; 2]>,
    /// `M_zz` per axis.
    m_zz: Vec<f64>,
}

/// Orthonormal local frame with `e_z` along `n` (columns are the frame vectors).
fn local_frame(n: [f64; 3]) -> M3 {
    let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
    let z = [n[0] / len, n[1] / len, n[2] / len];
    // For n = ±z this is the identity or the rotation by π about x, the usual Néel frames.
    let helper = if z[0].abs() < 0.9 { [1.0, 0.0, 0.0] } else { [0.0, 1.0, 0.0] };
    let d = helper[0] * z[0] + helper[1] * z[1] + helper[2] * z[2];
    let mut x = [helper[0] - d * z[0], helper[1] - d * z[1], helper[2] - d * z[2]];
    let lx = (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]).sqrt();
    x.iter_mut().for_each(|c| *c /= lx);
    let y = [z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]];
    // columns x, y, z
    [[x[0], y[0], z[0]], [x[1], y[1], z[1]], [x[2], y[2], z[2]]]
}

fn rt_times(ri: &M3, rj: &M3) -> M3 {
    let mut m = [[0.0; 3]; 3];
    for a in 0..3 {
        for b in 0..3 {
            m[a][b] = (0..3).map(|c| ri[c][a] * rj[c][b]).sum();
        }
    }
    m
}

impl SpinWaveTheory {
    /// Build LSWT around the model's classical ground state.
    pub fn new(model: &Heisenberg) -> Result<Self> {
        Self::around(model, &model.classical_ground_state())
    }

    /// Build LSWT around a given classical state (which must be a stationary point whose
    /// local-frame bond matrices depend only on the bond direction).
    pub fn around(model: &Heisenberg, state: &[[f64; 3]]) -> Result<Self> {
        let lat = &model.lattice;
        if state.len() != lat.n_sites() {
            return Err(Error::invalid("classical state", format!("{} spins", state.len()), "one spin per site"));
        }
        let frames: Vec<M3> = state.iter().map(|&s| local_frame(s)).collect();
        let d = lat.dim();
        let mut m_perp = vec![[[0.0; 2]; 2]; d];
        let mut m_zz = vec![0.0; d];
        for a in 0..d {
            let m0 = rt_times(&frames[0], &frames[lat.forward(0, a)]);
            for r in 0..lat.n_sites() {
                let m = rt_times(&frames[r], &frames[lat.forward(r, a)]);
                let diff: f64 =
                    (0..3).flat_map(|i| (0..3).map(move |j| (i, j))).map(|(i, j)| (m[i][j] - m0[i][j]).abs()).sum();
                if diff > 1e-9 {
                    return Err(Error::Invariant(format!(
                        "the classical state is not uniform in its local frames along axis {a}; \
                         LSWT with one site per cell does not apply"
                    )));
                }
                if m[0][2].abs() + m[1][2].abs() + m[2][0].abs() + m[2][1].abs() > 1e-9 {
                    return Err(Error::Invariant(
                        "the classical state is not collinear; LSWT here expands around collinear states".into(),
                    ));
                }
            }
            m_perp[a] = [[m0[0][0], m0[0][1]], [m0[1][0], m0[1][1]]];
            m_zz[a] = m0[2][2];
        }
        Ok(SpinWaveTheory { spin: model.spin, coupling: model.coupling, m_perp, m_zz })
    }

    /// The 2×2 Hermitian Hessian `K(k)` in the transverse coordinates (u, v), row-major.
    pub fn hessian(&self, k: &Momentum) -> [C64; 4] {
        let j = self.coupling;
        let mut kk = [C64::new(0.0, 0.0); 4];
        for (a, &ka) in k.components().iter().enumerate() {
            let e = C64::from_polar(1.0, ka);
            let m = &self.m_perp[a];
            for p in 0..2 {
                for q in 0..2 {
                    kk[p * 2 + q] += (e * m[p][q] + e.conj() * m[q][p]) * j;
                }
            }
            kk[0] -= 2.0 * j * self.m_zz[a];
            kk[3] -= 2.0 * j * self.m_zz[a];
        }
        kk
    }

    /// Spin-wave frequency at momentum k (the positive eigenvalue of `i S Ω K(k)`).
    /// Returns an error if the state is unstable there (complex frequency).
    pub fn frequency(&self, k: &Momentum) -> Result<f64> {
        let h = self.hessian(k);
        // A = S Ω K, Ω = [[0,1],[-1,0]]:  A = S [[K10, K11], [-K00, -K01]]
        let s = self.spin;
        let a = [h[2] * s, h[3] * s, -h[0] * s, -h[1] * s];
        let tr = a[0] + a[3];
        let det = a[0] * a[3] - a[1] * a[2];
        let disc = (tr * tr * 0.25 - det).sqrt();
        let l1 = tr * 0.5 + disc;
        // eigenvalues of A are ±i ω for a stable mode: ω = |Im λ|
        let scale = 1e-9 * (1.0 + h.iter().map(|x| x.norm()).sum::<f64>() * s);
        if l1.re.abs() > scale {
            return Err(Error::numerical(
                "linear spin-wave theory",
                format!("the classical state is unstable at k = {:?} (growth rate {:.3e})", k.components(), l1.re),
                "this state is not a minimum of the classical energy; check the sign of J",
            ));
        }
        Ok(l1.im.abs())
    }

    /// Frequencies along a list of momenta.
    pub fn dispersion(&self, ks: &[Momentum]) -> Result<Vec<f64>> {
        ks.iter().map(|k| self.frequency(k)).collect()
    }
}

/// A power law `ω ≈ coefficient · |k|^exponent` fitted by least squares in log-log.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct PowerLaw {
    /// Fitted exponent.
    pub exponent: f64,
    /// Fitted coefficient.
    pub coefficient: f64,
}

/// Least-squares fit of `ln ω = ln c + p ln |k|` over the given points (k > 0, ω > 0).
pub fn fit_power_law(k: &[f64], omega: &[f64]) -> Result<PowerLaw> {
    let pts: Vec<(f64, f64)> = k
        .iter()
        .zip(omega)
        .filter(|(&a, &b)| a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a.ln(), b.ln()))
        .collect();
    if pts.len() < 2 {
        return Err(Error::numerical(
            "power-law fit",
            format!("only {} usable points", pts.len()),
            "use a larger lattice or a longer time window so that more small-k modes are resolved",
        ));
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx <= 0.0 {
        return Err(Error::numerical("power-law fit", "all momenta equal", "use several distinct momenta"));
    }
    let p = sxy / sxx;
    Ok(PowerLaw { exponent: p, coefficient: (my - p * mx).exp() })
}

/// The LSWT low-k law, fitted on `n` momenta along the first axis with `|k|` in `[k_min, k_max]`.
pub fn low_k_law(swt: &SpinWaveTheory, dim: usize, k_min: f64, k_max: f64, n: usize) -> Result<PowerLaw> {
    let mut ks = Vec::with_capacity(n);
    let mut ws = Vec::with_capacity(n);
    for i in 0..n {
        let t = if n > 1 { i as f64 / (n - 1) as f64 } else { 0.0 };
        let k = k_min * (k_max / k_min).powf(t);
        let mut comp = vec![0.0; dim];
        comp[0] = k;
        ks.push(k);
        ws.push(swt.frequency(&Momentum::new(&comp))?);
    }
    fit_power_law(&ks, &ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_frames_are_orthonormal_rotations() {
        for n in [[0.0, 0.0, 1.0], [0.0, 0.0, -1.0], [1.0, 2.0, 3.0], [1.0, 0.0, 0.0]] {
            let r = local_frame(n);
            let m = rt_times(&r, &r);
            for i in 0..3 {
                for j in 0..3 {
                    assert!((m[i][j] - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14);
                }
            }
            let det = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1])
                - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0])
                + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
            assert!((det - 1.0).abs() < 1e-14);
        }
    }

    #[test]
    fn power_law_fit_recovers_exact_laws() {
        let k: Vec<f64> = (1..6).map(|i| 0.1 * i as f64).collect();
        let w: Vec<f64> = k.iter().map(|x| 3.0 * x * x).collect();
        let p = fit_power_law(&k, &w).unwrap();
        assert!((p.exponent - 2.0).abs() < 1e-12 && (p.coefficient - 3.0).abs() < 1e-12);
        assert!(fit_power_law(&[0.1], &[0.2]).is_err());
    }
}
