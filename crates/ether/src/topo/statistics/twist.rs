//! The twisted (fermionic) rotor model: twist sets T(l), hops and twisted plaquettes
//! (rotor note, sections 1.4 and 3.3-3.5).
//!
//! `h_l^+ = L_l^+ (−1)^{Σ_{m∈T(l)} L_m}`, `h_l^- = (h_l^+)†`, and
//! `B̃_{r,ab} = h^+_{r,a} h^+_{r+a,b} h^-_{r+b,a} h^-_{r,b}` (ordered product). With `T = ∅` these are
//! the plain `L^±` and `B_p` of the bosonic model. The twist used here is the tournament of
//! section 3.4: `m ∈ T(l)` iff `m` and `l` meet at a vertex where `m`'s leg number precedes
//! `l`'s in the order `(+x, +y, +z, −x, −y, −z)`.

use super::complex::CubicComplex;
use super::shift::SignedShift;
use crate::error::{Error, Result};
use crate::lattice::Lattice;
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

/// The hop and plaquette operators of a (twisted or untwisted) rotor model on a complex.
#[derive(Clone, Debug)]
pub struct HopAlgebra {
    /// The complex.
    pub complex: CubicComplex,
    /// Which model.
    pub twist: Twist,
    /// `T(l)` for every link.
    pub twist_sets: Vec<Vec<usize>>,
    /// `h_l^+` for every link.
    pub hop_up: Vec<SignedShift>,
    /// `B̃_p` for every plaquette (ordered product of hops).
    pub plaquettes: Vec<SignedShift>,
}

impl HopAlgebra {
    /// Build hops and twisted plaquettes.
    pub fn new(complex: CubicComplex, twist: Twist) -> Self {
        let ts = twist_sets(&complex, twist);
        Self::from_sets(complex, twist, ts)
    }

    /// Build hops and plaquettes from explicit twist sets (e.g. to test other sign rules with the
    /// same checks; `twist` is then only the label whose exchange sign the checks expect).
    pub fn from_sets(complex: CubicComplex, twist: Twist, ts: Vec<Vec<usize>>) -> Self {
        let hop_up: Vec<SignedShift> = (0..complex.n_links()).map(|l| SignedShift::new(1, &[(l, 1)], &ts[l])).collect();
        let plaquettes = complex
            .plaquettes
            .iter()
            .map(|b| {
                let mut op = SignedShift::identity();
                for &(l, s) in b {
                    let h = if s > 0 { hop_up[l].clone() } else { hop_up[l].inverse() };
                    op = op.mul(&h);
                }
                op
            })
            .collect();
        HopAlgebra { complex, twist, twist_sets: ts, hop_up, plaquettes }
    }

    /// `h_l^+` (raises L_l: moves a unit charge from the head of l to its tail).
    pub fn hop_plus(&self, l: usize) -> SignedShift {
        self.hop_up[l].clone()
    }

    /// `h_l^- = (h_l^+)†`.
    pub fn hop_minus(&self, l: usize) -> SignedShift {
        self.hop_up[l].inverse()
    }

    /// `t_{i←j}`: the hop that moves a unit charge from vertex `j` to the neighbouring vertex `i`
    /// across link `l` (raising L_l adds +1 to the charge of its tail, −1 to its head).
    pub fn hop_to(&self, l: usize, to: usize) -> SignedShift {
        let (t, _h, _) = self.complex.links[l];
        if to == t {
            self.hop_plus(l)
        } else {
            self.hop_minus(l)
        }
    }

    /// `(−1)^{Q_v}` as a parity operator on the star of v.
    pub fn gauss_parity(&self, v: usize) -> SignedShift {
        SignedShift::parity_of(&self.complex.star(v))
    }
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

    /// The hop algebra on the periodic lattice.
    pub fn algebra(&self) -> Result<HopAlgebra> {
        Ok(HopAlgebra::new(CubicComplex::periodic(&self.rotor.lattice)?, self.twist))
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
