//! Topology: string operators, the statistics of string ends, entanglement entropy.

pub mod entanglement;
pub mod statistics;
