//! Kitaev's toric code, spins ½ on the links of a square (2D) or cubic (3D) lattice:
//!
//! `H = −J_e Σ_v A_v − J_m Σ_p B_p − h Σ_l σ^z_l`, `A_v = Π_{l ∋ v} σ^x_l`, `B_p = Π_{l ∈ ∂p} σ^z_l`
//!
//! (Pauli matrices, the standard convention of this model; Kitaev, Ann. Phys. 303, 2 (2003)).
//! This is the one definition of the model in ether: exact diagonalization
//! ([`crate::ed::gauge::toric_code`]), the entanglement entropies
//! ([`crate::topo::entanglement`]) and the anyon statistics ([`crate::topo::statistics::anyons`])
//! all take it by reference and read its terms from here.
//!
//! At h = 0 every `A_v` and `B_p` commutes with H: the ground state has all of them +1,
//! `E_0 = −J_e N_v − J_m N_p`, four-fold degenerate on the 2D torus (eight-fold on the 3D one)
//! — the Z₂ topological order of the talk. The degenerate states are told apart by the
//! logical loops [`ToricCode::z_loop`] (products of σ^z along a non-contractible cycle) and
//! flipped by the membranes [`ToricCode::x_membrane`].
//!
//! **Duality to the transverse-field Ising model** (docs/physics/topological-order.md, "The
//! toric code in a field"). The field commutes with every `B_p` and with the Z loops. In the
//! sector `B_p = +1`, `Z_a = +1` (which holds `|0…0⟩` and, at any h, the ground state) every
//! configuration is `σ^z_l = τ^z_i τ^z_j` for an Ising spin `τ` on each vertex, determined up to
//! a global flip, and `A_v` flips `τ_v`. So in that sector
//!
//! `H = −J_m N_p − J_e Σ_v τ^x_v − h Σ_<ij> τ^z_i τ^z_j`,
//!
//! the transverse-field Ising model of the vertices with Ising coupling h and transverse field
//! J_e, in its even sector under the global flip ([`ToricCode::dual_ising`]). Its quantum
//! critical point, `(J_e/h)_c = 3.04438` on the square lattice ([`TFIM_SQUARE_CRITICAL_RATIO`]),
//! puts the confinement transition of the toric code at `h_c = J_e / 3.04438 = 0.328474 J_e`.

use crate::error::{require_finite, require_non_negative, require_positive, Error, Result};
use crate::lattice::Lattice;
use crate::model::TransverseIsing;
use serde::{Deserialize, Serialize};

/// The critical ratio `(Γ/J)_c` of the transverse-field Ising model `−J Σ ZZ − Γ Σ X` on the
/// square lattice: 3.04438(2), from cluster Monte Carlo of the equivalent 3D anisotropic Ising
/// model (H. W. J. Blöte and Y. Deng, Phys. Rev. E 66, 066110 (2002)).
pub const TFIM_SQUARE_CRITICAL_RATIO: f64 = 3.04438;

/// The toric code as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToricCode {
    /// A two- or three-dimensional lattice (spins on its links), usually a torus.
    pub lattice: Lattice,
    /// Star coupling J_e > 0.
    pub star: f64,
    /// Plaquette coupling J_m > 0.
    pub plaquette: f64,
    /// Field h >= 0 along σ^z.
    pub field: f64,
}

impl ToricCode {
    /// A validated two-dimensional model (J_e, J_m > 0, h >= 0).
    pub fn new(lattice: Lattice, star: f64, plaquette: f64, field: f64) -> Result<Self> {
        if lattice.dim() != 2 {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                "the toric code lives on a square torus: give two extents, e.g. 3x3",
            ));
        }
        Self::in_two_or_three_dimensions(lattice, star, plaquette, field)
    }

    /// A validated model on a 2D or 3D lattice.
    pub fn in_two_or_three_dimensions(lattice: Lattice, star: f64, plaquette: f64, field: f64) -> Result<Self> {
        if !(2..=3).contains(&lattice.dim()) {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                "the toric code is set up on square and cubic lattices: give two or three extents, e.g. 16x16 or 6x6x6",
            ));
        }
        require_positive("star coupling", star, "J_e > 0 favours A_v = +1")?;
        require_positive("plaquette coupling", plaquette, "J_m > 0 favours B_p = +1")?;
        require_finite("field", field)?;
        require_non_negative("field", field, "h is a magnitude (its sign is a gauge choice)")?;
        Ok(ToricCode { lattice, star, plaquette, field })
    }

    /// The fixed point: unit couplings, no field (2D or 3D).
    pub fn fixed_point(lattice: Lattice) -> Result<Self> {
        Self::in_two_or_three_dimensions(lattice, 1.0, 1.0, 0.0)
    }

    /// Number of qubit indices (the lattice's link indices; on open axes some are absent).
    pub fn n_qubits(&self) -> usize {
        self.lattice.n_links()
    }

    /// The links of the star `A_v = Π σ^x` of vertex `v`.
    pub fn star_links(&self, v: usize) -> Vec<usize> {
        self.lattice.star(v)
    }

    /// The four links of the plaquette `B_p = Π σ^z` (in the lattice's boundary order).
    pub fn plaquette_links(&self, p: usize) -> [usize; 4] {
        self.lattice.plaquette_links(p).map(|(l, _)| l)
    }

    /// Every star, vertex by vertex.
    pub fn stars(&self) -> Vec<Vec<usize>> {
        (0..self.lattice.n_sites()).map(|v| self.star_links(v)).collect()
    }

    /// Every plaquette that exists, in index order.
    pub fn plaquettes(&self) -> Vec<[usize; 4]> {
        self.lattice.plaquettes().map(|p| self.plaquette_links(p)).collect()
    }

    /// The logical `Z_a`: σ^z on the straight loop of links `(t e_a, a)`, `t = 0 … L_a − 1`,
    /// through the origin (a non-contractible cycle of the torus).
    pub fn z_loop(&self, a: usize) -> Vec<usize> {
        let lat = &self.lattice;
        let mut r = 0;
        let mut v = Vec::with_capacity(lat.extents()[a]);
        for _ in 0..lat.extents()[a] {
            v.push(lat.link(r, a));
            r = lat.forward(r, a);
        }
        v
    }

    /// The logical `X_a`: σ^x on the links `(r, a)` with `x_a(r) = 0`, the links that pierce
    /// the line (2D) or plane (3D) `x_a = ½`. It anticommutes with `Z_a` and commutes with
    /// every star and plaquette.
    pub fn x_membrane(&self, a: usize) -> Vec<usize> {
        let lat = &self.lattice;
        (0..lat.n_sites()).filter(|&r| lat.coords(r)[a] == 0).map(|r| lat.link(r, a)).collect()
    }

    /// In 2D, the link an m particle's hop crosses: an m particle (a plaquette with `B_p = −1`)
    /// on the plaquette based at `r` moves to the one based at `r + e_a` under σ^x on their
    /// shared edge, the link `(r + e_a, b)` with `b ≠ a`. This labels the m hops by the links
    /// `l = (r, a)` of the dual lattice translated onto the direct one, so that e and m hops
    /// share the leg structure of a vertex. (An e particle, a star with `A_v = −1`, hops across
    /// link `l` under σ^z_l.)
    pub fn m_hop_link(&self, l: usize) -> usize {
        let lat = &self.lattice;
        let (r, a) = lat.link_site_dir(l);
        lat.link(lat.forward(r, a), 1 - a)
    }

    /// The dual transverse-field Ising model of the flux-free, loop-even sector (2D; see the
    /// module doc): Ising coupling h, transverse field J_e, on the vertices of the same lattice.
    /// Its spectrum in the even sector of the global flip, shifted by
    /// [`ToricCode::dual_ising_offset`], is the toric code's in that sector.
    pub fn dual_ising(&self) -> Result<TransverseIsing> {
        TransverseIsing::new(self.lattice.clone(), self.field, self.star)
    }

    /// The constant `−J_m N_p` between the dual Ising model's energies and the toric code's.
    pub fn dual_ising_offset(&self) -> f64 {
        -self.plaquette * self.lattice.plaquettes().count() as f64
    }

    /// The confinement transition on the square lattice from the duality:
    /// `h_c = J_e / (Γ/J)_c` with `(Γ/J)_c = 3.04438`.
    pub fn critical_field(&self) -> f64 {
        self.star / TFIM_SQUARE_CRITICAL_RATIO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_on_a_torus_and_on_an_open_plaquette() {
        let tc = ToricCode::fixed_point(Lattice::parse("3x4").unwrap()).unwrap();
        assert_eq!(tc.stars().len(), 12);
        assert!(tc.stars().iter().all(|s| s.len() == 4));
        assert_eq!(tc.plaquettes().len(), 12);
        // Every star shares 0 or 2 links with every plaquette (A_v and B_p commute).
        for s in tc.stars() {
            for p in tc.plaquettes() {
                let shared = s.iter().filter(|l| p.contains(l)).count();
                assert!(shared % 2 == 0, "{s:?} {p:?}");
            }
        }
        // Z_a and X_a: one shared link for the same axis, an even number across axes.
        for a in 0..2 {
            for b in 0..2 {
                let shared = tc.z_loop(a).iter().filter(|l| tc.x_membrane(b).contains(l)).count();
                assert_eq!(shared % 2, usize::from(a == b), "Z_{a} X_{b}");
            }
        }
        // One open plaquette: four corner stars of two links each.
        let one = ToricCode::fixed_point(Lattice::open(&[2, 2]).unwrap()).unwrap();
        assert_eq!(one.plaquettes(), vec![[0, 3, 4, 1]]);
        assert!(one.stars().iter().all(|s| s.len() == 2));
        assert!(ToricCode::new(Lattice::parse("4x4x4").unwrap(), 1.0, 1.0, 0.0).is_err());
        assert!(ToricCode::fixed_point(Lattice::parse("4x4x4").unwrap()).is_ok());
        assert!((tc.critical_field() - 0.328474).abs() < 1e-6);
    }
}
