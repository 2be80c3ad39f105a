//! Linearized modes: normal modes of quadratic forms, linear spin-wave theory, helicity.

pub mod fit;
pub mod graviton;
pub mod lswt;
pub mod normal;
pub mod photon;

pub use fit::{fit_power_law, PowerLaw};
pub use normal::{normal_modes, NormalModes};
