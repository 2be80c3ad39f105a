//! `ether graviton`: flags → [`ether::experiments::graviton::Params`] → the one run layer.

use crate::common::Global;
use crate::run::RunArgs;
use anyhow::Result;
use ether::experiments::graviton::{Graviton, Method, Params};

/// Emergent gravitons: the symmetric-tensor rotor lattice (three Z_n rotors h_xx, h_yy, h_zz on
/// every vertex, one h_xy, h_yz, h_zx on every face) and which of its six modes (helicity 0, 0, ±1,
/// ±2) stay gapless.
///
/// The linearized Hamiltonian is H = ½ P·𝒦(K)P + ½ Q·𝒱(K)Q with K_a = 2 sin(k_a/2), built from
/// lattice difference operators and solved per helicity block. The Gaussian ground state of each
/// helicity is then held against the Z_n compactness of the rotors (--n): small fluctuations stay
/// gapless, a compact zero mode whose level spacing stays finite is gapped, and where the
/// estimate cannot decide it says why. Example: `ether graviton --model l-type --k 0,0,pi/4`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: xu (M1, vector-charge rank-2 U(1): ω_{±2} = √(UJ)|K|², a gapless helicity 0
    /// too), einstein (M2, linearized ADM gravity: ω = √(UJ)|K|), l-type (M3, kinetic
    /// U|SymCurl π|², potential J|inc h|²: ω = √(UJ)|K|³, the talk's picture), cotton (M4,
    /// z = 3 Lifshitz: ω = √(UJ)|K|³).
    #[arg(long, value_name = "NAME", default_value = "l-type")]
    model: String,
    /// Kinetic coupling U > 0 (energy of the rotor momenta L; lattice units, ħ = 1).
    #[arg(long = "U", default_value_t = 1.0, value_name = "U", allow_hyphen_values = true)]
    u: f64,
    /// Potential coupling J > 0 (energy of the linearized curvature of h; lattice units).
    #[arg(long = "J", default_value_t = 1.0, value_name = "J", allow_hyphen_values = true)]
    j: f64,
    /// Periodic cubic lattice LxLxL. Zero modes are counted and the Gaussian fluctuations summed at
    /// every non-zero momentum of its grid; --method dynamics evolves fields on it.
    #[arg(long, default_value = "16x16x16", value_name = "LxLxL")]
    lattice: String,
    /// Also report the modes at this momentum (radians per lattice spacing, `pi` allowed, e.g.
    /// 0,0,pi/4). Not the zone centre: helicity is undefined there.
    #[arg(long, value_name = "KX,KY,KZ", allow_hyphen_values = true)]
    k: Option<String>,
    /// modes: momentum-space normal modes; dynamics: also real-space evolution checks.
    #[arg(long, value_enum, default_value_t = CliMethod::Modes)]
    method: CliMethod,
    /// The order n of the Z_n rotors (n ≥ 2): the angle takes n values 2πj/n and its conjugate L
    /// is an integer mod n. Fluctuations must be small against both periods, 2π and n.
    #[arg(long, default_value_t = 16, allow_hyphen_values = true)]
    n: i64,
    /// Seed of the random gauge parameter and state of the real-space checks.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    run: RunArgs,
}

/// How to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum CliMethod {
    /// Linearized normal modes per helicity block at every momentum (6x6 matrices).
    Modes,
    /// The modes, plus real-space symplectic evolution on the L³ torus: the period of a
    /// transverse-traceless wave, the force on a pure-gauge configuration, Gauss-law conservation.
    Dynamics,
}

impl Args {
    fn params(&self) -> Result<Params> {
        let n = u32::try_from(self.n).map_err(|_| {
            crate::common::UsageError(format!("--n {}: Z_n rotors need an integer n ≥ 2, e.g. --n 16", self.n))
        })?;
        Ok(Params {
            model: self.model.clone(),
            u: self.u,
            j: self.j,
            lattice: self.lattice.clone(),
            k: self.k.clone(),
            method: match self.method {
                CliMethod::Modes => Method::Modes,
                CliMethod::Dynamics => Method::Dynamics,
            },
            n,
            seed: self.seed,
        })
    }
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    crate::run::run::<Graviton>(args.params()?, &args.run, g.quiet)
}
