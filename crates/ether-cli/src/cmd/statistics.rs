//! `ether statistics`: are the ends of strings bosons or fermions? (the experiment is
//! `ether::experiments::statistics`; this file only reads the flags).

use crate::common::Global;
use crate::run::RunArgs;
use anyhow::Result;
use ether::experiments::statistics::{Method, Model, Params, Statistics};

/// Which model's string ends (or anyons) to examine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelName {
    /// The bosonic rotor model on the cubic lattice (plain plaquette terms B_p).
    Rotor,
    /// The twisted rotor model: B~_p built from hops with the sign (-1)^(sum of L over T(l)).
    RotorFermionic,
    /// Kitaev's toric code on a 2D torus: e, m and their bound state e×m.
    ToricCode,
    /// The double-semion string net (twisted Z2): semion, anti-semion, boson.
    DoubleSemion,
}

/// How to evaluate the exchange statistics of the rotor models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodName {
    /// Hops as signed shifts: the exchange identity as an operator identity at every vertex and
    /// every triple of legs, plus the consistency checks (exact, no Hilbert space).
    Algebra,
    /// The same identity on explicit state vectors of truncated spin-S rotors (independent check).
    States,
    /// Two charges hopping in the flux-free sector of the Z2 version on a small open box, against
    /// the exact spectra of two free fermions and two hard-core bosons.
    Spectrum,
}

/// Statistics of string ends: bosons or fermions, and anyons in 2D.
///
/// The charges of the rotor model are the ends of strings. They hop with
/// h_l = L_l^+ (-1)^(sum of L over the twist set T(l)); their exchange phase e^{iΘ} is read off the
/// Levin-Wen identity t_sl t_js t_sk = e^{iΘ} t_sk t_js t_sl at a vertex s with three distinct
/// neighbours j, k, l (+1 bosons, -1 fermions). The command checks it at every vertex and all 20
/// triples of the 6 legs, checks that the twisted model is a consistent model (hops commute with
/// every twisted plaquette, Gauss's law holds, closed-surface products are +1 without charges) and
/// that the twist leaves the photon (the zero-charge sector) untouched.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model: rotor (bosonic string ends), rotor-fermionic (twisted plaquettes), toric-code or
    /// double-semion (2D anyon anchors).
    #[arg(long, value_enum, default_value = "rotor-fermionic")]
    model: ModelName,
    /// Periodic lattice, extents separated by x. Rotor models: three extents, each >= 3 (at extent 2
    /// the neighbours r+e_a and r-e_a coincide and the exchange test is ill-posed); default 3x3x3.
    /// Toric code: two extents from 3 to 256; default 4x4. Not used by double-semion.
    #[arg(long)]
    lattice: Option<String>,
    /// Method for the rotor models: algebra (default), states or spectrum. The anyon models use
    /// their own routes (lattice hop algebra, group cohomology).
    #[arg(long, value_enum, default_value = "algebra")]
    method: MethodName,
    /// Spin S of each link for --method states (integer; L = S^z runs from -S to S). The test state
    /// carries |L| <= 1 and each hop changes L by one, so S >= 2 is needed.
    #[arg(long, default_value_t = 2, allow_negative_numbers = true)]
    spin: i64,
    /// Open box of vertices (n0xn1xn2, no wrap-around) for --method spectrum: two charges hop on it
    /// in the flux-free sector of the Z2 version. At most 14 independent plaquettes, and it must be
    /// able to tell fermions from bosons (a junction or a loop: not a straight chain). The zero-charge
    /// (photon) comparison always uses the Z2 version on a 3x2x2 box.
    #[arg(long, default_value = "3x2x2")]
    cluster: String,
    /// Seed for the random amplitudes of the test states (--method states).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    run: RunArgs,
}

impl Args {
    /// The experiment's parameters from the flags.
    pub fn params(&self) -> Params {
        Params {
            model: match self.model {
                ModelName::Rotor => Model::Rotor,
                ModelName::RotorFermionic => Model::RotorFermionic,
                ModelName::ToricCode => Model::ToricCode,
                ModelName::DoubleSemion => Model::DoubleSemion,
            },
            lattice: self.lattice.clone(),
            method: match self.method {
                MethodName::Algebra => Method::Algebra,
                MethodName::States => Method::States,
                MethodName::Spectrum => Method::Spectrum,
            },
            spin: self.spin,
            cluster: self.cluster.clone(),
            seed: self.seed,
        }
    }
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    crate::run::run::<Statistics>(args.params(), &args.run, g.quiet)
}
