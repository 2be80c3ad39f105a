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
use crate::model::check::{Checked, Declared, LocalOp, OpSum, Term};
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

impl QuantumLinkModel {
    /// The plaquette operator `U_p` as a term: `S^+` on the links with orientation +1 and `S^−`
    /// on those with −1, in the order of [`Lattice::plaquette_links`], on compact link qubits.
    fn plaquette_term(&self, p: usize, q: &[usize]) -> Term {
        let f = self
            .lattice
            .plaquette_links(p)
            .iter()
            .map(|&(l, s)| (q[l], if s > 0 { LocalOp::s_plus() } else { LocalOp::s_minus() }))
            .collect();
        Term::new(1.0, f)
    }
}

impl Checked for QuantumLinkModel {
    fn label(&self) -> String {
        format!("U(1) quantum link model on {}, J = {}, lambda = {}", self.lattice, self.j, self.lambda)
    }

    /// `−J Σ_p (U_p + U_p†) + λ Σ_p (U_p U_p† + U_p† U_p)` (`(U + U†)² = U U† + U† U`, as `U² = 0`).
    fn hamiltonian(&self) -> Result<OpSum> {
        let lat = &self.lattice;
        let mut q = vec![usize::MAX; lat.n_links()];
        for (k, l) in lat.links().enumerate() {
            q[l] = k;
        }
        let mut h = OpSum::qubits(lat.links().count());
        for p in lat.plaquettes() {
            let u = self.plaquette_term(p, &q);
            let ud = u.adjoint();
            for t in [u.clone(), ud.clone()] {
                h.add(Term { coefficient: t.coefficient * -self.j, ..t });
            }
            for t in [u.mul(&ud), ud.mul(&u)] {
                h.add(Term { coefficient: t.coefficient * self.lambda, ..t });
            }
        }
        Ok(h)
    }

    /// `G_v = Σ_a (E_{v,a} − E_{v−a,a})` with `E = S^z` (the charge at every vertex).
    fn gauss_law(&self) -> Result<Vec<Declared>> {
        let lat = &self.lattice;
        let mut q = vec![usize::MAX; lat.n_links()];
        for (k, l) in lat.links().enumerate() {
            q[l] = k;
        }
        let n = lat.links().count();
        Ok((0..lat.n_sites())
            .map(|v| {
                let mut op = OpSum::qubits(n);
                for l in lat.links() {
                    let (t, h) = lat.link_ends(l);
                    if t == v {
                        op.add(Term::new(1.0, vec![(q[l], LocalOp::s_z())]));
                    }
                    if h == v {
                        op.add(Term::new(-1.0, vec![(q[l], LocalOp::s_z())]));
                    }
                }
                Declared { name: format!("Gauss law at vertex {v}"), op }
            })
            .collect())
    }
}
