//! `ether entanglement`: topological entanglement entropy γ of string-net and product states
//! (the experiment is `ether::experiments::entanglement`; this file only reads the flags).

use crate::common::Global;
use crate::run::RunArgs;
use anyhow::Result;
use ether::experiments::entanglement::{Entanglement, Model, Params};
use ether::topo::entanglement::ConstructionKind;

/// Which ground state to measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelArg {
    /// Kitaev's toric code on an LxL torus (Z2 string net; qubits on links): gamma = ln 2, exact at any size.
    ToricCode,
    /// The 3D toric code on an LxLxL torus: gamma = ln 2 with 3D balls, ground-state degeneracy 8.
    #[value(name = "toric-code-3d")]
    ToricCode3d,
    /// The twisted Z2 string net on a honeycomb patch (explicit signed loop gas): gamma = ln 2.
    DoubleSemion,
    /// The Ising ferromagnet's symmetry-broken ground state |up...up>, a product state: gamma = 0.
    Ferromagnet,
    /// The toric code in a field h (exact diagonalization on small tori): gamma falls from ln 2 to 0.
    ToricCodeField,
}

/// Region combination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ConstructionArg {
    /// Three 120-degree sectors A, B, C of a disk: S_A+S_B+S_C-S_AB-S_BC-S_CA+S_ABC = -gamma.
    KitaevPreskill,
    /// An annulus and its versions cut at the top and/or bottom: (S1-S2)-(S3-S4) = -2 gamma.
    LevinWen,
}

/// Topological entanglement entropy gamma of a ground state.
///
/// A disk of a gapped ground state has entropy S = alpha |boundary| - gamma (nats). Region
/// combinations cancel the boundary term and leave gamma = ln D, D the total quantum dimension:
/// ln 2 = 0.6931 for the toric code and the double semion (long-range entanglement), 0 for a
/// product state such as the ferromagnet's. Stabilizer states are computed exactly at any
/// size (GF(2) ranks); the double semion from its explicit wave function; the toric code in a
/// field by exact diagonalization of its dual transverse-field Ising model, on one or more small
/// tori, with gamma(h) scanned across the transition at h_c = 0.3285.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The state.
    #[arg(long, value_enum, default_value = "toric-code")]
    pub model: ModelArg,
    /// Lattice: LxL torus (toric-code, ferromagnet; default 16x16), LxLxL (toric-code-3d; default
    /// 6x6x6), the number of hexagon rings N of the honeycomb patch (double-semion; 1 = 7 hexagons,
    /// 2 = 19, the default), or tori separated by commas (toric-code-field; default 4x4; up to
    /// about 30 sites, e.g. 4x4,4x5,5x5; larger ones are refused with the memory estimate).
    #[arg(long, value_name = "LxL")]
    pub lattice: Option<String>,
    /// Region combination. The disk (annulus) is centred on a plaquette in the middle of the
    /// lattice; its radius grows with the lattice (0.3 L; Levin-Wen outer radius 0.35 L).
    #[arg(long, value_enum, default_value = "kitaev-preskill")]
    pub construction: ConstructionArg,
    /// Field h of H = -sum A_v - sum B_p - h sum sigma^z whose gamma is reported (toric-code-field
    /// only; units of the star and plaquette couplings; default 0.25).
    #[arg(long, value_name = "H", allow_negative_numbers = true)]
    pub field: Option<f64>,
    /// Fields of the gamma(h) scan (toric-code-field only; default 0,0.05,...,0.6,0.8,1).
    #[arg(long, value_name = "H,...", value_delimiter = ',', allow_negative_numbers = true)]
    pub fields: Option<Vec<f64>>,
    #[command(flatten)]
    pub run: RunArgs,
}

impl Args {
    /// The experiment's parameters from the flags.
    pub fn params(&self) -> Params {
        Params {
            model: match self.model {
                ModelArg::ToricCode => Model::ToricCode,
                ModelArg::ToricCode3d => Model::ToricCode3d,
                ModelArg::DoubleSemion => Model::DoubleSemion,
                ModelArg::Ferromagnet => Model::Ferromagnet,
                ModelArg::ToricCodeField => Model::ToricCodeField,
            },
            lattice: self.lattice.clone(),
            construction: match self.construction {
                ConstructionArg::KitaevPreskill => ConstructionKind::KitaevPreskill,
                ConstructionArg::LevinWen => ConstructionKind::LevinWen,
            },
            field: self.field,
            fields: self.fields.clone(),
        }
    }
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    crate::run::run::<Entanglement>(args.params(), &args.run, g.quiet)
}
