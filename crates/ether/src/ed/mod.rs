//! Exact diagonalization: bases, symmetry sectors, matrix-free Lanczos, observables.
//!
//! - [`operator`]: the [`operator::LinearOperator`] trait (`dim`, `y = H x`) over real and
//!   complex sectors, deterministic parallel vector kernels, a sparse-matrix operator.
//! - [`lanczos`]: the few lowest eigenpairs, matrix-free.
//! - [`dense`]: the dense oracle through [`crate::linalg`].

pub mod basis;
pub mod dense;
pub mod gauge;
pub mod lanczos;
pub mod observables;
pub mod operator;
pub mod solve;
pub mod spin;

#[cfg(test)]
mod tests;
