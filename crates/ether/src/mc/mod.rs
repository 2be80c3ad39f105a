//! Monte Carlo: one sampler interface ([`chain`]) for the classical thermal states of the
//! dynamics ([`spins`], [`rotor`]) and for the rotor model's path integral as compact U(1)
//! lattice gauge theory (the gauge engine).
//!
//! The gauge engine, in reading order:
//! - [`action`]: Wilson, Villain and anisotropic actions; the rotor model's `(g, J, τ)` mapping.
//! - [`domain`]: the owned block, its padded parity-split storage, halo refresh and exact sums
//!   (one process today; the layer a split over processes replaces).
//! - [`field`]: the link variables `U = e^{iθ}` and their views in canonical link order.
//! - [`update`]: heat bath (von Mises), Metropolis, overrelaxation on one checkerboard class.
//! - [`engine`]: [`engine::GaugeChain`], the chain (sweeps, counters, checkpoints).
//! - [`checkpoint`]: the versioned, checksummed byte format of a saved chain.
//! - [`series`]: the analytic values the engine is validated against.
//! - [`gauge`]: the former `GaugeSampler` API, now a thin layer over the engine.
//! - [`rng`]: deterministic random streams (per chunk, and counter-based per link).

pub mod action;
pub mod chain;
pub mod checkpoint;
pub mod domain;
pub mod engine;
pub mod field;
pub mod gauge;
pub mod measure;
pub mod measure_loops;
pub mod measure_photon;
pub mod measure_rotor;
pub mod rng;
pub mod rotor;
pub mod series;
pub mod spins;
pub mod update;

/// A byte count from a wide estimate, saturating at `u64::MAX` (absurd requests compare as huge).
pub(crate) fn saturating_u64(x: u128) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}
