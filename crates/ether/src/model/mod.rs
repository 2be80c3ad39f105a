//! The Hamiltonians of the talk, as data. A model holds its couplings and lattice and knows
//! its terms; algorithms in [`crate::modes`], [`crate::dynamics`], [`crate::ed`] and
//! [`crate::mc`] are functions over models, never the other way round.

pub mod graviton;
pub mod heisenberg;
pub mod ising;
pub mod quantum_link;
pub mod rotor;
pub mod spin_model;
pub mod toric_code;
pub mod twisted_rotor;

pub use heisenberg::Heisenberg;
pub use ising::TransverseIsing;
pub use quantum_link::QuantumLinkModel;
pub use rotor::RotorModel;
pub use spin_model::{SpinModel, SpinTerm};
pub use toric_code::ToricCode;
pub use twisted_rotor::{Twist, TwistedRotorModel};
