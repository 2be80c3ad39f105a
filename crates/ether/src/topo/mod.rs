//! Topology: string operators, the statistics of string ends, entanglement entropy, and the
//! GF(2) linear algebra both use ([`gf2`]).

pub mod entanglement;
pub mod gf2;
pub mod statistics;
