//! The spin-½ U(1) quantum link model (rotor note, section 6.3):
//!
//! `H = −J Σ_p (U_p + U_p†) + λ Σ_p (U_p + U_p†)²`, `U_p = S^+_{r,a} S^+_{r+a,b} S^−_{r+b,a} S^−_{r,b}`
//!
//! in the directed plaquette order of [`crate::lattice::Lattice::plaquette_links`]; the link
//! spin is the electric field `E = S^z = ±½` and Gauss's law is `div E = 0`. The second term is
//! the Rokhsar–Kivelson term (it counts flippable plaquettes); at the RK point λ = J the
//! Hamiltonian is a sum of positive projectors with a zero-energy equal-amplitude ground
//! state, so `E_0 = 0` exactly.

use crate::error::{require_finite, require_positive, Result};
use crate::lattice::Lattice;
use serde::{Deserialize, Serialize};

/// The quantum link model as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantumLinkModel {
    /// The lattice (2D or 3D for the physics; any dimension >= 2 works).
    pub lattice: Lattice,
    /// Ring-exchange coupling J > 0.
    pub j: f64,
    /// Rokhsar–Kivelson coupling λ (λ = J is the RK point).
    pub lambda: f64,
}

impl QuantumLinkModel {
    /// A validated model: J > 0, λ finite, at least two dimensions.
    pub fn new(lattice: Lattice, j: f64, lambda: f64) -> Result<Self> {
        require_positive("J", j, "the ring exchange J flips plaquettes; give J > 0")?;
        require_finite("lambda", lambda)?;
        if lattice.dim() < 2 {
            return Err(crate::error::Error::invalid(
                "lattice",
                lattice.to_string(),
                "plaquettes need at least two dimensions: e.g. 4x4 or 2x2x2",
            ));
        }
        Ok(QuantumLinkModel { lattice, j, lambda })
    }

    /// The staggered reference configuration of the note (section 6.3): `E_a(r) = +½` iff
    /// `Σ_{b≠a} r_b` is even. Returned as `up[l]` (true for +½) over links `l = r d + a`.
    pub fn staggered_reference(&self) -> Vec<bool> {
        let l = &self.lattice;
        let d = l.dim();
        let mut v = vec![false; l.n_links()];
        for r in 0..l.n_sites() {
            let c = l.coords(r);
            for a in 0..d {
                let s: usize = (0..d).filter(|&b| b != a).map(|b| c[b]).sum();
                v[l.link(r, a)] = s % 2 == 0;
            }
        }
        v
    }
}
