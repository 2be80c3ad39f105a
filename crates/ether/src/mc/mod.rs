//! Monte Carlo: classical thermal states for the dynamics, and the rotor model's path integral.

pub mod rng;
pub mod rotor;
pub mod spins;
