//! The twisted (fermionic) rotor model (rotor note, sections 1.4 and 3.3-3.5):
//!
//! `H_f = U Σ Q² + J Σ L² − g Σ_p (B̃_p + B̃_p†)`, with the hops
//! `h_l^+ = L_l^+ (−1)^{Σ_{m∈T(l)} L_m}`, `h_l^- = (h_l^+)†` and the twisted plaquettes
//! `B̃_{r,ab} = h^+_{r,a} h^+_{r+a,b} h^-_{r+b,a} h^-_{r,b}` (ordered product). With `T = ∅` these are
//! the plain `L^±` and `B_p` of the bosonic [`RotorModel`]. The twist used here is the tournament
//! of section 3.4: `m ∈ T(l)` iff `m` and `l` meet at a vertex where `m`'s leg number precedes
//! `l`'s in the order `(+x, +y, +z, −x, −y, −z)` ([`crate::lattice::CubicComplex`] numbers the
//! legs so). The operator algebra built from this data is
//! [`crate::topo::statistics::HopAlgebra`].

use crate::error::{Error, Result};
use crate::lattice::{CubicComplex, Lattice};
use crate::model::RotorModel;
use serde::{Deserialize, Serialize};

/// Bosonic (untwisted, `T = ∅`) or fermionic (twisted, the tournament of section 3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Twist {
    /// `T(l) = ∅`: the bosonic rotor model (1.1).
    Untwisted,
    /// The leg-order tournament: the fermionic rotor model (1.3).
    Twisted,
}

impl Twist {
    /// The exchange sign the construction is meant to produce: +1 (bosons) or −1 (fermions).
    pub fn expected_sign(self) -> i8 {
        match self {
            Twist::Untwisted => 1,
            Twist::Twisted => -1,
        }
    }
}

/// Twist sets `T(l)` of every link of a complex.
pub fn twist_sets(cx: &CubicComplex, twist: Twist) -> Vec<Vec<usize>> {
    let mut t = vec![Vec::new(); cx.n_links()];
    if twist == Twist::Untwisted {
        return t;
    }
    for legs in &cx.legs {
        for (i, li) in legs.iter().enumerate() {
            let Some(li) = li else { continue };
            for lm in legs[..i].iter().flatten() {
                if lm.link != li.link {
                    t[li.link].push(lm.link);
                }
            }
        }
    }
    for s in &mut t {
        s.sort_unstable();
        s.dedup();
    }
    t
}

/// The twisted rotor model as data: the bosonic model's couplings and lattice plus the twist,
/// `H_f = U Σ Q² + J Σ L² − g Σ_p (B̃_p + B̃_p†)` (rotor note, eq. 1.3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwistedRotorModel {
    /// Couplings and lattice (shared with the bosonic model).
    pub rotor: RotorModel,
    /// Untwisted (bosonic string ends) or twisted (fermionic).
    pub twist: Twist,
}

impl TwistedRotorModel {
    /// A model for the statistics test: a periodic cubic lattice with every extent at least 3.
    pub fn new(rotor: RotorModel, twist: Twist) -> Result<Self> {
        check_exchange_lattice(&rotor.lattice)?;
        Ok(TwistedRotorModel { rotor, twist })
    }

    /// Unit couplings on a lattice (the statistics do not depend on U, J, g).
    pub fn on(lattice: Lattice, twist: Twist) -> Result<Self> {
        let rotor = RotorModel::new_3d(lattice, 1.0, 1.0, 1.0)?;
        Self::new(rotor, twist)
    }

    /// The twist sets `T(l)` of every link of the lattice (lattice link numbering).
    pub fn twist_sets(&self) -> Result<Vec<Vec<usize>>> {
        Ok(twist_sets(&CubicComplex::of(&self.rotor.lattice)?, self.twist))
    }
}

/// Refuse lattices on which the exchange test is ill-posed (rotor note, sections 1.2 and 3.4).
pub fn check_exchange_lattice(lat: &Lattice) -> Result<()> {
    if lat.dim() != 3 {
        return Err(Error::invalid(
            "lattice",
            lat.to_string(),
            "the rotor models live on the cubic lattice: give three extents, e.g. 3x3x3",
        ));
    }
    if let Some(e) = lat.extents().iter().find(|&&e| e < 3) {
        return Err(Error::invalid(
            "lattice",
            format!("{lat} (an extent of {e})"),
            "the exchange test needs three distinct neighbours of a vertex, but on a periodic extent 2 the \
             neighbours r+e_a and r-e_a are the same site: the links (r,a) and (r+e_a,a) join the same two \
             vertices, their hops commute, and the test gives +1 for 12 and -1 for 8 of the 20 leg triples \
             (rotor note, section 3.4). Use every extent >= 3, e.g. 3x3x3",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The explicit T sets listed in the rotor note, section 3.4.
    #[test]
    fn twist_sets_match_note_section_3_4() {
        let lat = Lattice::parse("5x5x5").unwrap();
        let cx = CubicComplex::periodic(&lat).unwrap();
        let ts = twist_sets(&cx, Twist::Twisted);
        let link = |x: isize, y: isize, z: isize, a: usize| lat.link(lat.site(&[x, y, z]), a);
        let sorted = |mut v: Vec<usize>| {
            v.sort_unstable();
            v
        };
        assert_eq!(ts[link(0, 0, 0, 0)], sorted(vec![link(1, 0, 0, 0), link(1, 0, 0, 1), link(1, 0, 0, 2)]));
        assert_eq!(
            ts[link(0, 0, 0, 1)],
            sorted(vec![link(0, 0, 0, 0), link(0, 1, 0, 0), link(0, 1, 0, 1), link(0, 1, 0, 2), link(-1, 1, 0, 0)])
        );
        assert_eq!(
            ts[link(0, 0, 0, 2)],
            sorted(vec![
                link(0, 0, 0, 0),
                link(0, 0, 0, 1),
                link(0, 0, 1, 0),
                link(0, 0, 1, 1),
                link(0, 0, 1, 2),
                link(0, -1, 1, 1),
                link(-1, 0, 1, 0)
            ])
        );
    }
}
