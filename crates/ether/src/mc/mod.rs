//! Monte Carlo: classical thermal states for the dynamics, and the rotor model's path integral
//! (4D compact U(1), [`gauge`]).

pub mod gauge;
pub mod measure;
pub mod measure_loops;
pub mod measure_photon;
pub mod measure_rotor;
pub mod rng;
pub mod rotor;
pub mod spins;
