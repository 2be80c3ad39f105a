//! Exact diagonalization: bases, symmetry sectors, matrix-free Lanczos, observables.
//!
//! (Issue 4 fills this module.)
