//! The linear-operator view of a Hamiltonian: a dimension and `y = H x`, nothing else.
//!
//! Sectors with real characters (momentum 0 or π, parity, spin flip) have real Hamiltonians;
//! the other momentum sectors are complex Hermitian. [`Scalar`] abstracts over `f64` and
//! [`C64`] so that Lanczos, the dense oracle and the observables are written once.

use crate::error::Result;
use crate::linalg::{self, C64};
use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use std::fmt::Debug;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

/// Eigenvalues (ascending) and eigenvectors (`vectors[j]` belongs to `values[j]`).
pub type EigenPairs<S> = (Vec<f64>, Vec<Vec<S>>);

/// A field element of a Hamiltonian sector: `f64` (real sectors) or [`C64`] (complex ones).
pub trait Scalar:
    Copy
    + Send
    + Sync
    + Debug
    + PartialEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + 'static
{
    /// Additive identity.
    const ZERO: Self;
    /// Whether this is the complex type.
    const COMPLEX: bool;
    /// A real number as a scalar.
    fn from_f64(x: f64) -> Self;
    /// A complex number as a scalar; `None` if it is not real and Self is real.
    fn from_c64(z: C64) -> Option<Self>;
    /// The value as a complex number.
    fn to_c64(self) -> C64;
    /// Complex conjugate.
    fn conj(self) -> Self;
    /// Real part.
    fn re(self) -> f64;
    /// |x|².
    fn abs2(self) -> f64;
    /// Multiply by a real number.
    fn scale(self, x: f64) -> Self;
    /// A random number with independent standard uniform parts in [-1, 1).
    fn random(rng: &mut Xoshiro256PlusPlus) -> Self;
    /// Dense Hermitian eigen-decomposition of a row-major n×n matrix (ascending values,
    /// `vectors[j]` the j-th eigenvector) through [`crate::linalg`].
    fn eigh(n: usize, a: &[Self]) -> Result<EigenPairs<Self>>;
}

impl Scalar for f64 {
    const ZERO: Self = 0.0;
    const COMPLEX: bool = false;
    fn from_f64(x: f64) -> Self {
        x
    }
    fn from_c64(z: C64) -> Option<Self> {
        (z.im.abs() <= 1e-14 * (1.0 + z.re.abs())).then_some(z.re)
    }
    fn to_c64(self) -> C64 {
        C64::new(self, 0.0)
    }
    fn conj(self) -> Self {
        self
    }
    fn re(self) -> f64 {
        self
    }
    fn abs2(self) -> f64 {
        self * self
    }
    fn scale(self, x: f64) -> Self {
        self * x
    }
    fn random(rng: &mut Xoshiro256PlusPlus) -> Self {
        rng.random::<f64>() * 2.0 - 1.0
    }
    fn eigh(n: usize, a: &[Self]) -> Result<EigenPairs<Self>> {
        let e = linalg::eigh_real(n, a)?;
        Ok((e.values, e.vectors))
    }
}

impl Scalar for C64 {
    const ZERO: Self = C64::new(0.0, 0.0);
    const COMPLEX: bool = true;
    fn from_f64(x: f64) -> Self {
        C64::new(x, 0.0)
    }
    fn from_c64(z: C64) -> Option<Self> {
        Some(z)
    }
    fn to_c64(self) -> C64 {
        self
    }
    fn conj(self) -> Self {
        C64::conj(&self)
    }
    fn re(self) -> f64 {
        self.re
    }
    fn abs2(self) -> f64 {
        self.norm_sqr()
    }
    fn scale(self, x: f64) -> Self {
        self * x
    }
    fn random(rng: &mut Xoshiro256PlusPlus) -> Self {
        C64::new(rng.random::<f64>() * 2.0 - 1.0, rng.random::<f64>() * 2.0 - 1.0)
    }
    fn eigh(n: usize, a: &[Self]) -> Result<EigenPairs<Self>> {
        let e = linalg::eigh_complex(n, a)?;
        Ok((e.values, e.vectors))
    }
}

/// A Hermitian operator on a finite sector, applied matrix-free.
///
/// `apply` must overwrite `y` with `H x` and must be deterministic: the same `x` gives
/// bit-identical `y` for any number of threads (compute every row independently).
pub trait LinearOperator: Sync {
    /// `f64` for real sectors, [`C64`] for complex ones.
    type Scalar: Scalar;
    /// Dimension of the space the operator acts on.
    fn dim(&self) -> usize;
    /// `y = H x` (overwrites `y`).
    fn apply(&self, x: &[Self::Scalar], y: &mut [Self::Scalar]);
}

/// Rows per parallel work item. Fixed (not derived from the thread count) so that every
/// reduction below adds the same partial sums in the same order on any machine.
pub const CHUNK: usize = 4096;

/// Vectors up to this length are handled on the calling thread: handing a job to the thread
/// pool costs more than the work. The same chunks are summed in the same order either way, so
/// the bits do not depend on the path taken.
pub const SEQUENTIAL_BELOW: usize = 8 * CHUNK;

fn chunk_dot<S: Scalar>(a: &[S], b: &[S]) -> S {
    a.iter().zip(b).fold(S::ZERO, |acc, (&p, &q)| acc + p.conj() * q)
}

/// `<x, y> = Σ conj(x_i) y_i`, deterministic (fixed chunks summed in order).
pub fn dot<S: Scalar>(x: &[S], y: &[S]) -> S {
    let parts: Vec<S> = if x.len() <= SEQUENTIAL_BELOW {
        x.chunks(CHUNK).zip(y.chunks(CHUNK)).map(|(a, b)| chunk_dot(a, b)).collect()
    } else {
        x.par_chunks(CHUNK).zip(y.par_chunks(CHUNK)).map(|(a, b)| chunk_dot(a, b)).collect()
    };
    parts.into_iter().fold(S::ZERO, |a, b| a + b)
}

/// Euclidean norm, deterministic.
pub fn norm<S: Scalar>(x: &[S]) -> f64 {
    let sq = |a: &[S]| a.iter().map(|v| v.abs2()).sum::<f64>();
    let parts: Vec<f64> = if x.len() <= SEQUENTIAL_BELOW {
        x.chunks(CHUNK).map(sq).collect()
    } else {
        x.par_chunks(CHUNK).map(sq).collect()
    };
    parts.into_iter().sum::<f64>().sqrt()
}

/// `y += a x`.
pub fn axpy<S: Scalar>(a: S, x: &[S], y: &mut [S]) {
    if x.len() <= SEQUENTIAL_BELOW {
        y.iter_mut().zip(x).for_each(|(yi, &xi)| *yi += a * xi);
        return;
    }
    y.par_chunks_mut(CHUNK).zip(x.par_chunks(CHUNK)).for_each(|(yc, xc)| {
        for (yi, &xi) in yc.iter_mut().zip(xc) {
            *yi += a * xi;
        }
    });
}

/// `x *= a` (real a).
pub fn scale<S: Scalar>(a: f64, x: &mut [S]) {
    if x.len() <= SEQUENTIAL_BELOW {
        x.iter_mut().for_each(|v| *v = v.scale(a));
        return;
    }
    x.par_chunks_mut(CHUNK).for_each(|c| c.iter_mut().for_each(|v| *v = v.scale(a)));
}

/// `<x|H|x>` for a normalized x.
pub fn expectation<A: LinearOperator>(op: &A, x: &[A::Scalar]) -> f64 {
    let mut y = vec![A::Scalar::ZERO; op.dim()];
    op.apply(x, &mut y);
    dot(x, &y).re()
}

/// A sparse Hermitian matrix in compressed rows: a simple, obviously correct operator
/// (tests, small models, and the oracle for the matrix-free ones).
#[derive(Clone, Debug)]
pub struct SparseMatrix<S> {
    n: usize,
    row_start: Vec<usize>,
    cols: Vec<usize>,
    vals: Vec<S>,
}

impl<S: Scalar> SparseMatrix<S> {
    /// From (row, col, value) triplets; duplicates are summed. The caller supplies both
    /// (i, j) and (j, i) entries of a Hermitian matrix.
    pub fn from_triplets(n: usize, mut t: Vec<(usize, usize, S)>) -> Self {
        t.sort_by_key(|&(i, j, _)| (i, j));
        let mut row_start = vec![0usize; n + 1];
        let mut cols = Vec::with_capacity(t.len());
        let mut vals: Vec<S> = Vec::with_capacity(t.len());
        let mut last: Option<(usize, usize)> = None;
        for (i, j, v) in t {
            if last == Some((i, j)) {
                *vals.last_mut().expect("entry") += v;
            } else {
                cols.push(j);
                vals.push(v);
                row_start[i + 1] += 1;
                last = Some((i, j));
            }
        }
        for i in 0..n {
            row_start[i + 1] += row_start[i];
        }
        SparseMatrix { n, row_start, cols, vals }
    }

    /// The dense row-major matrix.
    pub fn to_dense(&self) -> Vec<S> {
        let mut a = vec![S::ZERO; self.n * self.n];
        for i in 0..self.n {
            for k in self.row_start[i]..self.row_start[i + 1] {
                a[i * self.n + self.cols[k]] += self.vals[k];
            }
        }
        a
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.vals.len()
    }
}

impl<S: Scalar> LinearOperator for SparseMatrix<S> {
    type Scalar = S;
    fn dim(&self) -> usize {
        self.n
    }
    fn apply(&self, x: &[S], y: &mut [S]) {
        y.par_chunks_mut(CHUNK).enumerate().for_each(|(c, yc)| {
            for (o, yi) in yc.iter_mut().enumerate() {
                let i = c * CHUNK + o;
                let mut acc = S::ZERO;
                for k in self.row_start[i]..self.row_start[i + 1] {
                    acc += self.vals[k] * x[self.cols[k]];
                }
                *yi = acc;
            }
        });
    }
}
