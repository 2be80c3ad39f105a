//! Exact diagonalization: bases, symmetry sectors, matrix-free Lanczos, observables.
//!
//! - [`operator`]: the [`operator::LinearOperator`] trait (`dim`, `y = H x`) over real and
//!   complex sectors, deterministic parallel vector kernels, a sparse-matrix operator.
//! - [`lanczos`]: the few lowest eigenpairs, matrix-free.
//! - [`dense`]: the dense oracle through [`crate::linalg`].
//! - [`basis`]: bit-packed spin-½ bases with S^z, momentum, parity and spin-flip sectors
//!   (representatives, norms, bucketed lookup).
//! - [`spin`]: XXZ + transverse-field Hamiltonians (Heisenberg, transverse-field Ising) applied
//!   matrix-free or from a row cache, with the symmetry check.
//! - [`solve`]: levels of one sector or of the whole space (sector by sector); dense for small
//!   sectors, Lanczos above.
//! - [`observables`]: correlations, structure factor, entanglement entropy, S(q, ω).
//! - [`gauge`]: Gauss-law sectors of the rotor model, the quantum link model and the toric code.
//!
//! Memory and time estimates (and the refusal when a sector will not fit) are made by the
//! callers from [`basis::SpinBasis::estimate_dim`] and [`spin::estimate_memory`] through
//! [`crate::error::check_memory`].

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
