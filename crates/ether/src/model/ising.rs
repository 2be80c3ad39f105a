//! The transverse-field Ising model `H = −J Σ_<ij> σ^z_i σ^z_j − h Σ_i σ^x_i` (Pauli matrices,
//! the standard convention of this model; each nearest-neighbour bond once).
//!
//! On the chain it maps to free fermions (Pfeuty 1970): the quantum critical point is at
//! h = J, the single-fermion energy is `ε_k = 2 sqrt(J² + h² − 2 J h cos k)`, and the periodic
//! chain's ground state lies in the even-fermion-parity sector with `k = ±π(2m+1)/N`, so
//! `E_0 = −½ Σ_k ε_k` over those N momenta.

use crate::error::{require_finite, require_non_negative, Result};
use crate::lattice::Lattice;
use crate::model::check::{Checked, Declared, LocalOp, OpSum, Term};
use serde::{Deserialize, Serialize};

/// The transverse-field Ising model as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransverseIsing {
    /// The lattice.
    pub lattice: Lattice,
    /// Ising coupling J (J > 0 ferromagnetic).
    pub coupling: f64,
    /// Transverse field h >= 0.
    pub field: f64,
}

impl TransverseIsing {
    /// A validated model: J finite, h finite and non-negative.
    pub fn new(lattice: Lattice, coupling: f64, field: f64) -> Result<Self> {
        require_finite("coupling", coupling)?;
        require_non_negative("field", field, "the transverse field h is a magnitude; its sign can be gauged away")?;
        Ok(TransverseIsing { lattice, coupling, field })
    }

    /// Exact ground-state energy of the periodic chain of N sites (free fermions, even parity).
    pub fn chain_ground_energy(n: usize, j: f64, h: f64) -> f64 {
        let mut e = 0.0;
        for m in 0..n {
            let k = std::f64::consts::PI * (2 * m + 1) as f64 / n as f64;
            e -= (j * j + h * h - 2.0 * j * h * k.cos()).sqrt();
        }
        e
    }
}

impl TransverseIsing {
    /// The nearest-neighbour bonds, one per link of the lattice that exists.
    pub fn bonds(&self) -> Vec<(usize, usize)> {
        self.lattice.links().map(|l| self.lattice.link_ends(l)).collect()
    }
}

impl Checked for TransverseIsing {
    fn label(&self) -> String {
        format!("transverse-field Ising model on {}, J = {}, h = {}", self.lattice, self.coupling, self.field)
    }

    /// `−J Σ_<ij> Z_i Z_j − h Σ_i X_i`.
    fn hamiltonian(&self) -> Result<OpSum> {
        let mut h = OpSum::qubits(self.lattice.n_sites());
        for (i, j) in self.bonds() {
            h.add(Term::new(-self.coupling, vec![(i, LocalOp::z()), (j, LocalOp::z())]));
        }
        for i in 0..self.lattice.n_sites() {
            h.add(Term::new(-self.field, vec![(i, LocalOp::x())]));
        }
        Ok(h)
    }

    /// The global spin flip `Π X`.
    fn symmetries(&self) -> Result<Vec<Declared>> {
        let n = self.lattice.n_sites();
        let mut op = OpSum::qubits(n);
        op.add(Term::new(1.0, (0..n).map(|i| (i, LocalOp::x())).collect()));
        Ok(vec![Declared { name: "global spin flip".into(), op }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        // h = 0: E_0 = −J N; J = 0: E_0 = −h N.
        assert!((TransverseIsing::chain_ground_energy(8, 1.0, 0.0) + 8.0).abs() < 1e-12);
        assert!((TransverseIsing::chain_ground_energy(8, 0.0, 0.7) + 5.6).abs() < 1e-12);
        assert!(TransverseIsing::new(Lattice::parse("4").unwrap(), 1.0, -1.0).is_err());
    }
}
