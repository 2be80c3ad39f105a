//! Normal modes of a quadratic Hamiltonian `H = 1/2 p^† A p + 1/2 q^† B q` at one momentum.
//!
//! With Hamilton's equations `dq/dt = A p`, `dp/dt = -B q`, the modes obey `d²q/dt² = -A B q`,
//! so `ω²` are the eigenvalues of `A B`. For Hermitian positive semi-definite `A` and `B` they
//! are computed stably as the eigenvalues of the Hermitian matrix `A^{1/2} B A^{1/2}`, and the
//! coordinate polarizations are `q = A^{1/2} v`. Both the photon (issue: rotor modes) and the
//! graviton modes are solved by this one function.

use crate::error::{Error, Result};
use crate::linalg::{eigh_complex, C64};

/// The normal modes at one momentum, in ascending order of `ω²`.
#[derive(Clone, Debug)]
pub struct NormalModes {
    /// `ω²` of each mode (may be slightly negative from rounding; negative beyond tolerance
    /// signals an instability).
    pub omega2: Vec<f64>,
    /// Coordinate-space polarization of each mode, normalized to unit length.
    pub polarizations: Vec<Vec<C64>>,
}

impl NormalModes {
    /// Frequencies `ω = sqrt(max(ω², 0))`.
    pub fn omega(&self) -> Vec<f64> {
        self.omega2.iter().map(|&w| w.max(0.0).sqrt()).collect()
    }
}

fn matmul(n: usize, a: &[C64], b: &[C64]) -> Vec<C64> {
    let mut c = vec![C64::new(0.0, 0.0); n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            if aik == C64::new(0.0, 0.0) {
                continue;
            }
            for j in 0..n {
                c[i * n + j] += aik * b[k * n + j];
            }
        }
    }
    c
}

/// Hermitian square root of a positive semi-definite matrix (negative rounding noise clipped).
pub fn sqrt_psd(n: usize, a: &[C64]) -> Result<Vec<C64>> {
    let e = eigh_complex(n, a)?;
    let scale = e.values.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    let mut s = vec![C64::new(0.0, 0.0); n * n];
    for (lam, v) in e.values.iter().zip(&e.vectors) {
        if *lam < -1e-10 * scale {
            return Err(Error::invalid(
                "kinetic matrix",
                format!("eigenvalue {lam:.3e}"),
                "the kinetic (momentum) part of the quadratic form must be positive semi-definite",
            ));
        }
        let r = lam.max(0.0).sqrt();
        for i in 0..n {
            for j in 0..n {
                s[i * n + j] += v[i] * v[j].conj() * r;
            }
        }
    }
    Ok(s)
}

/// Solve for the normal modes of `H = 1/2 p^† A p + 1/2 q^† B q` (row-major `n x n` Hermitian
/// matrices). `A` must be positive semi-definite.
pub fn normal_modes(n: usize, kinetic: &[C64], potential: &[C64]) -> Result<NormalModes> {
    let s = sqrt_psd(n, kinetic)?;
    let m = matmul(n, &matmul(n, &s, potential), &s);
    let e = eigh_complex(n, &m)?;
    let polarizations = e
        .vectors
        .iter()
        .map(|v| {
            let mut q = vec![C64::new(0.0, 0.0); n];
            for i in 0..n {
                for j in 0..n {
                    q[i] += s[i * n + j] * v[j];
                }
            }
            let norm = q.iter().map(|x| x.norm_sqr()).sum::<f64>().sqrt();
            if norm > 0.0 {
                q.iter_mut().for_each(|x| *x /= norm);
            } else {
                q.clone_from(v);
            }
            q
        })
        .collect();
    Ok(NormalModes { omega2: e.values, polarizations })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(v: &[f64]) -> Vec<C64> {
        v.iter().map(|&x| C64::new(x, 0.0)).collect()
    }

    #[test]
    fn two_coupled_oscillators() {
        // Masses 1, springs: V = 1/2 (k q1² + k q2² + kc (q1-q2)²). Textbook modes:
        // ω² = k (in phase) and k + 2 kc (out of phase).
        let (k, kc) = (2.0, 0.5);
        let a = re(&[1.0, 0.0, 0.0, 1.0]);
        let b = re(&[k + kc, -kc, -kc, k + kc]);
        let m = normal_modes(2, &a, &b).unwrap();
        assert!((m.omega2[0] - k).abs() < 1e-13);
        assert!((m.omega2[1] - (k + 2.0 * kc)).abs() < 1e-13);
        // in-phase polarization (1,1)/sqrt2
        assert!((m.polarizations[0][0] - m.polarizations[0][1]).norm() < 1e-12);
    }

    #[test]
    fn non_trivial_kinetic_matrix_matches_eigenvalues_of_ab() {
        // A diag(2, 3), B [[1, .5], [.5, 2]]: ω² are eigenvalues of AB, from the characteristic
        // polynomial x² - tr(AB) x + det(AB) = 0 (independent of the code above).
        let a = re(&[2.0, 0.0, 0.0, 3.0]);
        let b = re(&[1.0, 0.5, 0.5, 2.0]);
        let (tr, det): (f64, f64) = (2.0 * 1.0 + 3.0 * 2.0, 6.0 * (2.0 - 0.25));
        let disc = (tr * tr - 4.0 * det).sqrt();
        let m = normal_modes(2, &a, &b).unwrap();
        assert!((m.omega2[0] - (tr - disc) / 2.0).abs() < 1e-12);
        assert!((m.omega2[1] - (tr + disc) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_negative_kinetic_term() {
        let a = re(&[-1.0, 0.0, 0.0, 1.0]);
        let b = re(&[1.0, 0.0, 0.0, 1.0]);
        assert!(normal_modes(2, &a, &b).is_err());
    }
}
