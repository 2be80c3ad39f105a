//! The rotor model of the talk on the cubic lattice (photon.md §1.3):
//!
//! `H = U Σ_r Q_r² + J Σ_l L_l² − g Σ_p (B_p + B_p†)`
//!
//! with a rotor `(θ_l, L_l)` on every link, `Q_r = (div L)_r` and `B_p = exp(i (curl θ)_p)` in the
//! directed convention of [`crate::lattice`]. `L = −i ∂/∂θ`, so `e^{iθ}` raises L by one.
//! For `U >> g >> J` its low-energy waves are photons with `c = 2 sqrt(g J)`.
//! The twisted (fermionic) variant lives with the statistics code ([`crate::topo::statistics`]).

use crate::error::{require_non_negative, require_positive, Error, Result};
use crate::lattice::Lattice;
use serde::{Deserialize, Serialize};

/// The bosonic rotor model as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotorModel {
    /// The lattice (three-dimensional for the photon phase; the ED code also allows others).
    pub lattice: Lattice,
    /// Charge energy U (enforces Gauss's law Q = 0 at low energy), U >= 0.
    pub u: f64,
    /// Plaquette (ring-exchange) coupling g > 0: string fluctuation, the magnetic energy.
    pub g: f64,
    /// String tension J > 0: the electric energy.
    pub j: f64,
}

impl RotorModel {
    /// A validated model: U >= 0, g > 0, J > 0.
    pub fn new(lattice: Lattice, u: f64, g: f64, j: f64) -> Result<Self> {
        require_non_negative("U", u, "U Σ Q² penalizes charges; a negative U would favour them without bound")?;
        require_positive("g", g, "the plaquette term g makes strings fluctuate; the photon phase needs g > 0")?;
        require_positive("J", j, "the tension J gives the photon its electric energy; the photon phase needs J > 0")?;
        Ok(RotorModel { lattice, u, g, j })
    }

    /// Like [`RotorModel::new`], and require a three-dimensional lattice.
    pub fn new_3d(lattice: Lattice, u: f64, g: f64, j: f64) -> Result<Self> {
        if lattice.dim() != 3 {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                "the photon of the rotor model lives on the cubic lattice: give three extents, e.g. 16x16x16",
            ));
        }
        Self::new(lattice, u, g, j)
    }

    /// The speed of light of the linearized model, `c = 2 sqrt(g J)` (photon.md eq. 2.3).
    pub fn speed_of_light(&self) -> f64 {
        2.0 * (self.g * self.j).sqrt()
    }

    /// Classical energy of a configuration (angles θ and momenta L on the links):
    /// `U Σ Q² + J Σ L² − 2g Σ_p cos Φ_p`.
    pub fn classical_energy(&self, theta: &[f64], l: &[f64]) -> f64 {
        let lat = &self.lattice;
        let mut q = vec![0.0; lat.n_sites()];
        lat.div(l, &mut q);
        let mut phi = vec![0.0; lat.n_plaquettes()];
        lat.curl(theta, &mut phi);
        self.u * q.iter().map(|x| x * x).sum::<f64>() + self.j * l.iter().map(|x| x * x).sum::<f64>()
            - 2.0 * self.g * phi.iter().map(|p| p.cos()).sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_and_speed_of_light() {
        let l = Lattice::parse("4x4x4").unwrap();
        assert!(RotorModel::new_3d(l.clone(), -1.0, 1.0, 0.1).is_err());
        assert!(RotorModel::new_3d(l.clone(), 1.0, 0.0, 0.1).is_err());
        assert!(RotorModel::new_3d(l.clone(), 1.0, 1.0, -0.1).is_err());
        assert!(RotorModel::new_3d(Lattice::parse("4x4").unwrap(), 1.0, 1.0, 0.1).is_err());
        let m = RotorModel::new_3d(l, 10.0, 1.0, 0.25).unwrap();
        assert!((m.speed_of_light() - 1.0).abs() < 1e-15);
        // Classical ground state θ = 0, L = 0: E = -2g N_p (3 plaquettes per site).
        let e = m.classical_energy(&vec![0.0; m.lattice.n_links()], &vec![0.0; m.lattice.n_links()]);
        assert!((e + 2.0 * 192.0).abs() < 1e-12);
    }
}
