//! Linearized modes: normal modes of quadratic forms, linear spin-wave theory, helicity.

pub mod graviton;
pub mod lswt;
pub mod normal;
pub mod photon;

pub use normal::{normal_modes, NormalModes};
