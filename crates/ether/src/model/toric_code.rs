//! Kitaev's toric code on a periodic square lattice, spins ½ on the links:
//!
//! `H = −J_e Σ_v A_v − J_m Σ_p B_p − h Σ_l σ^z_l`, `A_v = Π_{l ∋ v} σ^x_l`, `B_p = Π_{l ∈ ∂p} σ^z_l`.
//!
//! At h = 0 every `A_v` and `B_p` commutes with H: the ground state has all of them +1,
//! `E_0 = −J_e N_v − J_m N_p`, four-fold degenerate on the torus (the winding sectors of the
//! non-contractible Z loops) — the Z2 topological order of the talk's section 6. The field h
//! commutes with every `B_p` and with the Z loops; in the flux-free sector the model is the
//! transverse-field Ising model of the vertices (`τ^x_v = A_v`, `σ^z_l = τ^z_i τ^z_j`), which
//! confines the anyons for h/J_e above ≈ 0.33 (2D TFIM critical point, not verified here).

use crate::error::{require_finite, require_non_negative, require_positive, Error, Result};
use crate::lattice::Lattice;
use serde::{Deserialize, Serialize};

/// The toric code as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToricCode {
    /// A two-dimensional torus (spins on its links).
    pub lattice: Lattice,
    /// Star coupling J_e > 0.
    pub star: f64,
    /// Plaquette coupling J_m > 0.
    pub plaquette: f64,
    /// Field h >= 0 along σ^z.
    pub field: f64,
}

impl ToricCode {
    /// A validated model (2D lattice, J_e, J_m > 0, h >= 0).
    pub fn new(lattice: Lattice, star: f64, plaquette: f64, field: f64) -> Result<Self> {
        if lattice.dim() != 2 {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                "the toric code lives on a square torus: give two extents, e.g. 3x3",
            ));
        }
        require_positive("star coupling", star, "J_e > 0 favours A_v = +1")?;
        require_positive("plaquette coupling", plaquette, "J_m > 0 favours B_p = +1")?;
        require_finite("field", field)?;
        require_non_negative("field", field, "h is a magnitude (its sign is a gauge choice)")?;
        Ok(ToricCode { lattice, star, plaquette, field })
    }
}
