//! Exact diagonalization: bases, symmetry sectors, matrix-free Lanczos, observables.
//!
//! - [`operator`]: the [`operator::LinearOperator`] trait (`dim`, `y = H x`) over real and
//!   complex sectors, deterministic parallel vector kernels, a sparse-matrix operator.
//! - [`lanczos`]: the few lowest eigenpairs, matrix-free.
//! - [`dense`]: the dense oracle through [`crate::linalg`].
//! - [`basis`]: bit-packed spin-½ bases with S^z, momentum, parity and spin-flip sectors
//!   (representatives, norms, bucketed lookup).
//! - [`spin`]: any spin-½ Hamiltonian of a [`crate::model::SpinModel`] in the S^z basis,
//!   applied matrix-free or from a row cache, with the symmetry check of every sector.
//! - [`solve`]: levels of one sector; dense for small sectors, Lanczos above, with a control
//!   hook to stop (and resume) or end a run early.
//! - [`search`]: the lowest levels of the whole space, sector by sector (symmetry partners,
//!   one orbit list per group, pruning against the current bound, checkpoints per sector).
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
pub mod search;
pub mod solve;
pub mod spin;

#[cfg(test)]
mod tests;
