//! The dense oracle: build the full matrix of a [`LinearOperator`] column by column
//! (`H e_j`) and diagonalize it with [`crate::linalg`]. Exact (to rounding) and slow: the
//! reference every fast path in [`crate::ed`] is tested against, and the solver for tiny
//! sectors, where it also resolves degeneracies that Lanczos cannot.

use crate::ed::operator::{EigenPairs, LinearOperator, Scalar};
use crate::error::{Error, Result};

/// Largest dimension the dense path accepts (a 6000² complex matrix is 576 MB).
pub const MAX_DENSE_DIM: usize = 6000;

/// The dense row-major matrix of `op`, checked Hermitian to `1e-12 · max|H_ij|`.
pub fn dense_matrix<A: LinearOperator>(op: &A) -> Result<Vec<A::Scalar>> {
    let n = op.dim();
    if n > MAX_DENSE_DIM {
        return Err(Error::invalid(
            "dense diagonalization",
            format!("dimension {n}"),
            format!("the dense oracle is limited to {MAX_DENSE_DIM} states; use Lanczos"),
        ));
    }
    let mut a = vec![A::Scalar::ZERO; n * n];
    let mut e = vec![A::Scalar::ZERO; n];
    let mut col = vec![A::Scalar::ZERO; n];
    for j in 0..n {
        e[j] = A::Scalar::from_f64(1.0);
        op.apply(&e, &mut col);
        e[j] = A::Scalar::ZERO;
        for i in 0..n {
            a[i * n + j] = col[i];
        }
    }
    let amax = a.iter().fold(0.0f64, |m, v| m.max(v.abs2().sqrt()));
    for i in 0..n {
        for j in 0..=i {
            let d = (a[i * n + j] - a[j * n + i].conj()).abs2().sqrt();
            // relative to the largest element, with an absolute floor of a few ulp of 1 (energies
            // are in units of J): a sector whose matrix is all rounding (momentum phases summing
            // to ~1e-16) must not fail the check
            if d > 1e-12 * amax + 64.0 * f64::EPSILON {
                return Err(Error::Invariant(format!(
                    "operator is not Hermitian: |H[{i},{j}] - conj(H[{j},{i}])| = {d:.3e}"
                )));
            }
        }
    }
    Ok(a)
}

/// All eigenvalues of `op`, ascending.
pub fn dense_spectrum<A: LinearOperator>(op: &A) -> Result<Vec<f64>> {
    let a = dense_matrix(op)?;
    Ok(A::Scalar::eigh(op.dim(), &a)?.0)
}

/// All eigenpairs of `op` (ascending values; `vectors[j]` belongs to `values[j]`).
pub fn dense_eigh<A: LinearOperator>(op: &A) -> Result<EigenPairs<A::Scalar>> {
    let a = dense_matrix(op)?;
    A::Scalar::eigh(op.dim(), &a)
}
