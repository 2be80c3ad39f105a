//! The Heisenberg model `H = J Σ_<ij> S_i · S_j` on a periodic hypercubic lattice.
//!
//! Conventions (spin-waves note A.1): spin operators S (not Pauli matrices), each
//! nearest-neighbour bond counted once, `J < 0` ferromagnet, `J > 0` antiferromagnet.
//! The talk's ferromagnet `H = -Σ S_i·S_j` is `J = -1`.

use crate::error::{require_finite, require_positive, Error, Result};
use crate::lattice::Lattice;
use crate::model::check::{Checked, Declared, LocalOp, OpSum, Term};
use serde::{Deserialize, Serialize};

/// Which ordered state a model describes (from the sign of J).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// J < 0: all spins parallel.
    Ferro,
    /// J > 0: Néel order on a bipartite lattice.
    Antiferro,
}

/// The Heisenberg model as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Heisenberg {
    /// The lattice.
    pub lattice: Lattice,
    /// Spin length S (1/2, 1, 3/2, ...; any positive number for the classical model).
    pub spin: f64,
    /// Exchange J (energy units); J < 0 ferro, J > 0 antiferro.
    pub coupling: f64,
}

impl Heisenberg {
    /// A validated model: S > 0, J finite and non-zero; an antiferromagnet needs a bipartite
    /// lattice (every extent even).
    pub fn new(lattice: Lattice, spin: f64, coupling: f64) -> Result<Self> {
        require_positive("spin", spin, "the spin length S must be positive, e.g. 0.5 or 1")?;
        require_finite("coupling", coupling)?;
        if coupling == 0.0 {
            return Err(Error::invalid(
                "coupling",
                "0",
                "J = 0 has no dynamics; use J < 0 (ferro) or J > 0 (antiferro)",
            ));
        }
        let m = Heisenberg { lattice, spin, coupling };
        if m.order() == Order::Antiferro && !m.lattice.is_bipartite() {
            return Err(Error::invalid(
                "lattice",
                m.lattice.to_string(),
                "an antiferromagnet needs a bipartite lattice for its Néel state: make every extent even",
            ));
        }
        Ok(m)
    }

    /// The talk's ferromagnet: `H = -|J| Σ S_i·S_j`.
    pub fn ferro(lattice: Lattice, spin: f64, strength: f64) -> Result<Self> {
        Self::new(lattice, spin, -strength.abs())
    }

    /// The talk's antiferromagnet: `H = +|J| Σ S_i·S_j`.
    pub fn antiferro(lattice: Lattice, spin: f64, strength: f64) -> Result<Self> {
        Self::new(lattice, spin, strength.abs())
    }

    /// Ferro or antiferro, from the sign of J.
    pub fn order(&self) -> Order {
        if self.coupling < 0.0 {
            Order::Ferro
        } else {
            Order::Antiferro
        }
    }

    /// The bonds (i, j), each nearest-neighbour pair once: (r, r + e_a) for every site and axis.
    /// On an extent-2 axis the two bonds between the same pair are both kept (periodic wrap).
    pub fn bonds(&self) -> Vec<(usize, usize)> {
        let l = &self.lattice;
        let mut v = Vec::with_capacity(l.n_links());
        for r in 0..l.n_sites() {
            for a in 0..l.dim() {
                v.push((r, l.forward(r, a)));
            }
        }
        v
    }

    /// Classical energy of unit-free spin vectors `s[i]` (length S each).
    pub fn classical_energy(&self, s: &[[f64; 3]]) -> f64 {
        self.bonds().iter().map(|&(i, j)| self.coupling * dot(&s[i], &s[j])).sum()
    }

    /// The classical ground state: all spins along +z (ferro) or staggered along ±z (Néel).
    pub fn classical_ground_state(&self) -> Vec<[f64; 3]> {
        (0..self.lattice.n_sites())
            .map(|r| {
                let sign = match self.order() {
                    Order::Ferro => 1.0,
                    Order::Antiferro => f64::from(self.lattice.parity(r)),
                };
                [0.0, 0.0, sign * self.spin]
            })
            .collect()
    }
}

impl Checked for Heisenberg {
    fn label(&self) -> String {
        format!("Heisenberg model on {}, S = {}, J = {}", self.lattice, self.spin, self.coupling)
    }

    /// `J Σ_bonds S_i · S_j` with the quantum spin-S matrices (2S must be an integer).
    fn hamiltonian(&self) -> Result<OpSum> {
        let d = self.local_dim()?;
        let ops = LocalOp::spin(self.spin);
        let mut h = OpSum::sites(self.lattice.n_sites(), d);
        for (i, j) in self.bonds() {
            for op in &ops {
                h.add(Term::new(self.coupling, vec![(i, op.clone()), (j, op.clone())]));
            }
        }
        Ok(h)
    }

    /// SU(2): the three components of the total spin.
    fn symmetries(&self) -> Result<Vec<Declared>> {
        let d = self.local_dim()?;
        let ops = LocalOp::spin(self.spin);
        Ok(["x", "y", "z"]
            .iter()
            .zip(ops)
            .map(|(name, op)| {
                let mut s = OpSum::sites(self.lattice.n_sites(), d);
                for i in 0..self.lattice.n_sites() {
                    s.add(Term::new(1.0, vec![(i, op.clone())]));
                }
                Declared { name: format!("total S^{name}"), op: s }
            })
            .collect())
    }
}

impl Heisenberg {
    fn local_dim(&self) -> Result<usize> {
        let two_s = 2.0 * self.spin;
        if (two_s - two_s.round()).abs() > 1e-12 {
            return Err(Error::invalid(
                "spin",
                self.spin.to_string(),
                "the quantum model needs 2S integer, e.g. 0.5 or 1",
            ));
        }
        Ok(two_s.round() as usize + 1)
    }
}

/// Dot product of 3-vectors.
pub fn dot(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        let chain = Lattice::parse("8").unwrap();
        assert!(Heisenberg::new(chain.clone(), 0.0, 1.0).is_err());
        assert!(Heisenberg::new(chain.clone(), -0.5, 1.0).is_err());
        assert!(Heisenberg::new(chain.clone(), 0.5, f64::NAN).is_err());
        assert!(Heisenberg::new(chain.clone(), 0.5, 0.0).is_err());
        assert!(Heisenberg::new(Lattice::parse("7").unwrap(), 0.5, 1.0).is_err(), "odd AFM chain");
        assert!(Heisenberg::new(Lattice::parse("7").unwrap(), 0.5, -1.0).is_ok(), "odd FM chain is fine");
    }

    #[test]
    fn ground_state_energies() {
        // E_0 = J S² N_bonds for both (ferro: -|J|S² per bond; Néel: -J S² per bond). Note A.2.
        let sq = Lattice::parse("4x4").unwrap();
        let f = Heisenberg::ferro(sq.clone(), 0.5, 1.0).unwrap();
        assert_eq!(f.bonds().len(), 32);
        assert!((f.classical_energy(&f.classical_ground_state()) + 32.0 * 0.25).abs() < 1e-14);
        let a = Heisenberg::antiferro(sq, 1.0, 2.0).unwrap();
        assert!((a.classical_energy(&a.classical_ground_state()) + 32.0 * 2.0).abs() < 1e-14);
    }
}
