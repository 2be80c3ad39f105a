//! The hops and twisted plaquettes of a (twisted or untwisted) rotor model as signed shifts
//! (rotor note, sections 1.4 and 3.3-3.5). The model itself, with its twist sets `T(l)`, is
//! [`crate::model::TwistedRotorModel`].

use super::shift::SignedShift;
use crate::error::Result;
use crate::lattice::CubicComplex;
use crate::model::twisted_rotor::{twist_sets, Twist, TwistedRotorModel};

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

/// The hop algebra of a twisted rotor model on its lattice (periodic or open).
pub fn hop_algebra(model: &TwistedRotorModel) -> Result<HopAlgebra> {
    Ok(HopAlgebra::new(CubicComplex::of(&model.rotor.lattice)?, model.twist))
}
