//! Dense linear algebra, behind one facade so that the rest of ether never calls
//! `faer` directly (its API moves fast). Matrices are given row-major as `n*n` slices;
//! eigenvectors come back as a list of columns.

use crate::error::{Error, Result};
use faer::{Mat, Side};
pub use num_complex::Complex64 as C64;

/// Eigenvalues (ascending) and orthonormal eigenvectors of a Hermitian matrix.
#[derive(Clone, Debug)]
pub struct Eigh<T> {
    /// Eigenvalues in ascending order.
    pub values: Vec<f64>,
    /// `vectors[j]` is the eigenvector of `values[j]`.
    pub vectors: Vec<Vec<T>>,
}

fn check_square(n: usize, len: usize) -> Result<()> {
    if n * n != len {
        return Err(Error::invalid("matrix", format!("{len} entries for n = {n}"), "pass an n*n row-major slice"));
    }
    Ok(())
}

/// Symmetric eigendecomposition of a real `n x n` matrix (row-major; only symmetry is assumed).
pub fn eigh_real(n: usize, a: &[f64]) -> Result<Eigh<f64>> {
    check_square(n, a.len())?;
    let m = Mat::<f64>::from_fn(n, n, |i, j| 0.5 * (a[i * n + j] + a[j * n + i]));
    let e = m
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| Error::numerical("symmetric eigensolver", format!("{e:?}"), "check the matrix for NaN"))?;
    let s = e.S();
    let u = e.U();
    let values = (0..n).map(|i| s[i]).collect();
    let vectors = (0..n).map(|j| (0..n).map(|i| u[(i, j)]).collect()).collect();
    Ok(Eigh { values, vectors })
}

/// Eigenvalues only (ascending) of a real symmetric matrix.
pub fn eigvalsh_real(n: usize, a: &[f64]) -> Result<Vec<f64>> {
    check_square(n, a.len())?;
    let m = Mat::<f64>::from_fn(n, n, |i, j| 0.5 * (a[i * n + j] + a[j * n + i]));
    m.self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| Error::numerical("symmetric eigensolver", format!("{e:?}"), "check the matrix for NaN"))
}

/// Hermitian eigendecomposition of a complex `n x n` matrix (row-major; it is Hermitized first).
pub fn eigh_complex(n: usize, a: &[C64]) -> Result<Eigh<C64>> {
    check_square(n, a.len())?;
    let m = Mat::<C64>::from_fn(n, n, |i, j| (a[i * n + j] + a[j * n + i].conj()) * 0.5);
    let e = m
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| Error::numerical("Hermitian eigensolver", format!("{e:?}"), "check the matrix for NaN"))?;
    let s = e.S();
    let u = e.U();
    let values = (0..n).map(|i| s[i].re).collect();
    let vectors = (0..n).map(|j| (0..n).map(|i| u[(i, j)]).collect()).collect();
    Ok(Eigh { values, vectors })
}

/// Eigenvalues only (ascending) of a complex Hermitian matrix.
pub fn eigvalsh_complex(n: usize, a: &[C64]) -> Result<Vec<f64>> {
    check_square(n, a.len())?;
    let m = Mat::<C64>::from_fn(n, n, |i, j| (a[i * n + j] + a[j * n + i].conj()) * 0.5);
    m.self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| Error::numerical("Hermitian eigensolver", format!("{e:?}"), "check the matrix for NaN"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_by_two_known_spectrum() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with vectors (1,-1)/sqrt2, (1,1)/sqrt2.
        let e = eigh_real(2, &[2.0, 1.0, 1.0, 2.0]).unwrap();
        assert!((e.values[0] - 1.0).abs() < 1e-14 && (e.values[1] - 3.0).abs() < 1e-14);
        assert!((e.vectors[1][0].abs() - 0.5f64.sqrt()).abs() < 1e-14);
        // Pauli y: eigenvalues -1, 1.
        let i = C64::new(0.0, 1.0);
        let v = eigvalsh_complex(2, &[C64::new(0.0, 0.0), -i, i, C64::new(0.0, 0.0)]).unwrap();
        assert!((v[0] + 1.0).abs() < 1e-14 && (v[1] - 1.0).abs() < 1e-14);
    }

    #[test]
    fn reconstructs_random_hermitian() {
        let n = 7;
        let a: Vec<C64> = (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                let x = ((i * 31 + j * 17) % 11) as f64 - 5.0;
                let y = if i == j { 0.0 } else { ((i + 2 * j) % 5) as f64 - 2.0 } * if i < j { 1.0 } else { -1.0 };
                C64::new(x.min(((j * 31 + i * 17) % 11) as f64 - 5.0), y)
            })
            .collect();
        // make exactly Hermitian
        let mut h = a.clone();
        for i in 0..n {
            for j in 0..n {
                h[i * n + j] = (a[i * n + j] + a[j * n + i].conj()) * 0.5;
            }
        }
        let e = eigh_complex(n, &h).unwrap();
        for i in 0..n {
            for j in 0..n {
                let mut s = C64::new(0.0, 0.0);
                for k in 0..n {
                    s += e.vectors[k][i] * e.values[k] * e.vectors[k][j].conj();
                }
                assert!((s - h[i * n + j]).norm() < 1e-12);
            }
        }
    }
}
