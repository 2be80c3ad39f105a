//! Classical time evolution and dynamic structure factors.

pub mod correlation;
pub mod graviton;
pub mod rotor;
pub mod spin;

pub use correlation::{Projector, StructureFactor, Trace};
