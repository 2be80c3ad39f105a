//! Long-range entanglement: the topological entanglement entropy γ of string-net states.
//!
//! The talk's organizing idea: a symmetry-breaking state (the ferromagnet) is a product state,
//! while a string-net condensed state carries *long-range entanglement*, seen in the constant
//! part of the entanglement entropy of a disk, `S_A = α |∂A| − γ`, with `γ = ln 𝒟` and `𝒟` the
//! total quantum dimension (topological-order note, C.1–C.2). The toric code and the double
//! semion have `𝒟 = 2`, `γ = ln 2`; a product state has `γ = 0`.
//!
//! Entropies in nats throughout (bits × ln 2).
//!
//! # Constructions and the factor 2 (convention trap)
//! - **Kitaev–Preskill** ([`regions::kitaev_preskill`]):
//!   `S_topo = S_A + S_B + S_C − S_AB − S_BC − S_CA + S_ABC = −γ`, so `γ = −S_topo`.
//! - **Levin–Wen** ([`regions::levin_wen`]): `S_topo = (S1 − S2) − (S3 − S4) = −log D_LW² = −2γ`,
//!   so `γ = −S_topo / 2`. The Levin–Wen combination measures **twice** γ (note C.2: their
//!   `D_LW = Σ_i d_i²` over string types equals the Kitaev–Preskill `𝒟` of the doubled theory).
//!   [`TeeResult::s_topo`] is the raw combination and [`TeeResult::gamma`] is always γ itself.
//!
//! # How the entropies are computed (one API, [`QubitState`], four representations)
//! - Stabilizer states (toric code in 2D and 3D, the ferromagnet's product state):
//!   exactly, `S_A = (rank_GF(2)(G|_A) − |A|) ln 2` ([`stabilizer`], note C.3), at any size.
//! - The double semion ([`semion`]): its explicit ground state `Ψ(X) = (−1)^{#loops(X)}` on a
//!   honeycomb patch, checked to be a ground state, and a block Schmidt decomposition
//!   ([`schmidt::ConfigState`]).
//! - The toric code in a field ([`field`]): the ground state by exact diagonalization of its
//!   dual Ising model, expanded into the gauge sector, whose configurations are a GF(2) linear
//!   code; the Schmidt blocks are its cosets ([`field::SectorState`]). Finite size: the regions
//!   on tori ED reaches are not ≫ ξ near the transition (docs/physics/topological-order.md).
//! - The oracle: reduced density matrices of full state vectors ([`schmidt::StateVector`]).

pub mod field;
pub mod honeycomb;
pub mod models;
pub mod regions;
pub mod schmidt;
pub mod semion;
pub mod stabilizer;

use crate::error::Result;
use serde::{Deserialize, Serialize};

/// Which region combination.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConstructionKind {
    /// `S_A + S_B + S_C − S_AB − S_BC − S_CA + S_ABC = −γ`.
    #[default]
    KitaevPreskill,
    /// `(S1 − S2) − (S3 − S4) = −2γ`.
    LevinWen,
}

impl ConstructionKind {
    /// The name used on the command line and in records.
    pub fn name(self) -> &'static str {
        match self {
            ConstructionKind::KitaevPreskill => "kitaev-preskill",
            ConstructionKind::LevinWen => "levin-wen",
        }
    }

    /// How many γ the combination measures: `S_topo = −multiple · γ` (1 for KP, 2 for LW).
    pub fn gamma_multiple(self) -> f64 {
        match self {
            ConstructionKind::KitaevPreskill => 1.0,
            ConstructionKind::LevinWen => 2.0,
        }
    }
}

/// The entropy of one region of a construction (fields in alphabetical order, the order of the
/// JSON documents).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionEntropy {
    /// Entropy in nats.
    pub entropy: f64,
    /// Number of qubits in it.
    pub qubits: usize,
    /// Region name (`A`, `AB`, `A1`, …).
    pub region: String,
    /// Its sign in the combination.
    pub sign: i32,
}

/// A topological entanglement entropy: the regions' entropies and their combination.
#[derive(Clone, Debug, Serialize)]
pub struct TeeResult {
    /// The construction.
    pub construction: ConstructionKind,
    /// Entropies of the regions, in the order of the combination.
    pub entropies: Vec<RegionEntropy>,
    /// The signed sum (`−γ` for KP, `−2γ` for LW), nats.
    pub s_topo: f64,
    /// γ in nats.
    pub gamma: f64,
}

/// A state of qubits whose region entropies ether computes: the one entanglement-entropy API.
/// Every state representation implements it: stabilizer states exactly from GF(2) ranks
/// ([`stabilizer::StabilizerState`], the fast path), explicit superpositions of configurations
/// by a block Schmidt decomposition ([`schmidt::ConfigState`]), the toric code in a field in its
/// gauge sector from the sector's GF(2) structure ([`field::SectorState`]), and full state
/// vectors by dense reduced density matrices ([`schmidt::StateVector`], the oracle).
pub trait QubitState {
    /// Number of qubits (region entries are below it).
    fn n_qubits(&self) -> usize;
    /// The entanglement entropy `S_A = −Tr ρ_A ln ρ_A` of a region (distinct qubits), in nats.
    fn entropy(&self, region: &[usize]) -> Result<f64>;
    /// `S_A` in bits when it is an integer by construction (stabilizer states), for exact
    /// combinations; `None` for states whose entropies are floating point.
    fn exact_bits(&self, _region: &[usize]) -> Option<Result<usize>> {
        None
    }
}

/// The topological entanglement entropy of a state for a list of signed regions (a
/// construction's [`regions::KpRegions::combination`] or [`regions::LwRegions::combination`]).
/// When the state's entropies are exact integers in bits they are summed as integers first, so
/// γ is an exact multiple of ln 2 up to one rounding.
pub fn topological_entropy(
    state: &dyn QubitState,
    kind: ConstructionKind,
    regions: Vec<(&'static str, i32, Vec<usize>)>,
) -> Result<TeeResult> {
    let exact = regions.first().is_some_and(|r| state.exact_bits(&r.2).is_some());
    let mut entropies = Vec::with_capacity(regions.len());
    let (mut s_topo, mut bits_sum) = (0.0, 0i64);
    for (name, sign, q) in regions {
        let s = match state.exact_bits(&q).filter(|_| exact) {
            Some(bits) => {
                let b = bits? as i64;
                bits_sum += sign as i64 * b;
                b as f64 * std::f64::consts::LN_2
            }
            None => state.entropy(&q)?,
        };
        s_topo += sign as f64 * s;
        entropies.push(RegionEntropy { region: name.to_string(), sign, qubits: q.len(), entropy: s });
    }
    if exact {
        s_topo = bits_sum as f64 * std::f64::consts::LN_2;
    }
    // `+ 0.0` turns −0 into 0 for a product state.
    Ok(TeeResult { construction: kind, entropies, s_topo, gamma: -s_topo / kind.gamma_multiple() + 0.0 })
}
