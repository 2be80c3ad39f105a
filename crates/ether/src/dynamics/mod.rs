//! Classical time evolution and dynamic structure factors.

pub mod correlation;
pub mod graviton;
pub mod rotor;
pub(crate) mod sine;
pub mod spin;

pub use correlation::{Projector, StructureFactor, Trace};
