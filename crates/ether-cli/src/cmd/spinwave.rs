//! `ether spinwave`: spin waves of Heisenberg ferro- and antiferromagnets (chapter 1 of the talk).
//! Flags become [`SpinwaveParams`]; the experiment ([`Spinwave`]) does the rest.

use crate::common::{Global, UsageError};
use crate::run::{run as run_experiment, RunArgs};
use anyhow::Result;
use ether::experiments::spinwave::{Method, ModelKind, Spinwave, SpinwaveParams};

/// Spin waves of the Heisenberg model H = J Σ_<ij> S_i·S_j: how the low-energy waves of a magnet
/// disperse, and whether they look like light.
///
/// The ferromagnet (H = −|J| Σ S_i·S_j) has spin waves with ω ≈ |J| S k², first order in time
/// (dS/dt = S × ∇²S): not light. The antiferromagnet (H = +|J| Σ S_i·S_j) has ω ≈ 2√d |J| S |k|:
/// a wave equation, but with one polarization per branch and no divergence constraint, so not
/// Maxwell's equations either. The result reports the fitted law ω ≈ c |k|^p, the k → 0
/// stiffness (ferromagnet) or velocity (antiferromagnet), and the claims behind the verdict.
/// Units: ħ = 1, lattice spacing 1, energies in units of |J|.
///
/// --method dynamics runs for a while on large lattices: Ctrl-C (or SIGTERM) stops it after the
/// frame under way, keeping every finished thermal sample in DIR.checkpoint/ when --out DIR is
/// given; `--resume DIR` continues it to the same numbers as an uninterrupted run.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The result reports the fitted law ω ≈ c |k|^p, the k → 0 stiffness D (ferromagnet, ω ≈ D k²) or \
                  velocity c (antiferromagnet, ω ≈ c |k|), and the claims behind the verdict. A dynamics run stops \
                  cleanly on Ctrl-C, keeping its finished thermal samples in DIR.checkpoint/ (with --out DIR).\n\n\
                  Examples:\n  ether spinwave --model ferro --lattice 64\n  ether spinwave --model antiferro --lattice 32x32 --method dynamics --out runs/afm\n  ether spinwave --resume runs/afm            # continue an interrupted dynamics run\n  ether spinwave --model antiferro --lattice 16x16x16 --json > afm.json\n  ether spinwave --model antiferro --lattice 32x32 --delta 0.5         # XXZ: Néel in the plane\n  ether spinwave --model antiferro --lattice 32x32 --J2 0.7            # J1-J2: stripe order\n  ether spinwave --model-file model.toml --lattice 32x32\n\n\
                  --delta, --J2, --field and --model-file use linear spin-wave theory around the classical ground state, \
                  which must be collinear with one site per cell: it is found and certified by the Luttinger-Tisza bound. \
                  Refused, with the reason: spirals (J1-J2 chain beyond J2 = J1/4), a field below saturation on an \
                  antiferromagnet (the spins cant), a field off the exchange's principal axes, bond lists (not \
                  translation invariant), and --method dynamics (it integrates the plain Heisenberg model)."
)]
pub struct Args {
    /// ferro: H = −|J| Σ S_i·S_j (all spins parallel); antiferro: H = +|J| Σ S_i·S_j (Néel order,
    /// needs even extents).
    #[arg(long, value_enum)]
    model: Option<ModelArg>,
    /// Lattice extents separated by 'x': 64 = periodic chain, 32x32 = square torus, 16x16x16 = cubic torus.
    #[arg(long, default_value = "64", allow_hyphen_values = true)]
    lattice: String,
    /// Spin length S (> 0). For --method dynamics it is the length of the classical spins.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    spin: f64,
    /// Exchange strength |J| (between 1e-100 and 1e100), the unit of energy; the sign of J comes from --model.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    coupling: f64,
    /// lswt: linear spin-wave theory from the quadratic form around the classical ground state.
    /// dynamics: classical Landau-Lifshitz dynamics from thermal states; ω read from the peaks of S(k,ω).
    #[arg(long, value_enum, default_value = "lswt")]
    method: MethodArg,
    /// Temperature of the initial thermal states (dynamics), in units of |J| (k_B = 1).
    /// Default: 0.01 |J| S², deep in the linear regime.
    #[arg(long, allow_negative_numbers = true)]
    temperature: Option<f64>,
    /// Random seed (dynamics), a whole number >= 0. The same seed gives the same numbers for any --threads.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    seed: i128,
    /// Independent thermal samples averaged into S(k,ω) (dynamics).
    #[arg(long, default_value_t = 2, allow_negative_numbers = true)]
    samples: i128,
    /// Frames recorded per trajectory (dynamics). The frequency resolution is about
    /// 2.4 ω_max / frames, where ω_max = 4d|J|S bounds the band.
    #[arg(long, default_value_t = 2048, allow_negative_numbers = true)]
    frames: i128,
    /// Integration time step (dynamics). Default 0.1/ω_max; frames stay π/(1.2 ω_max) apart, so at most 10^4 steps per frame.
    #[arg(long, allow_negative_numbers = true)]
    dt: Option<f64>,
    /// Largest |k| (radians per lattice spacing) used to fit ω ≈ c |k|^p.
    #[arg(long, default_value_t = 0.6, allow_negative_numbers = true)]
    fit_kmax: f64,
    /// XXZ anisotropy Δ (lswt): J (S^xS^x + S^yS^y + Δ S^zS^z) on nearest neighbours; Δ < 1 orders
    /// the antiferromagnet in the plane (gapless), Δ > 1 along z (gapped).
    #[arg(long, allow_negative_numbers = true)]
    delta: Option<f64>,
    /// Next-nearest-neighbour exchange J2 S_i·S_j (lswt; i, i+2 on a chain, the diagonals on square
    /// and cubic lattices), signed: the J1-J2 model (Néel or stripe order; refused where the
    /// classical ground state is a spiral).
    #[arg(long = "J2", allow_negative_numbers = true)]
    j2: Option<f64>,
    /// A uniform field along z, −h Σ S^z (lswt): a gap h for the ferromagnet; an antiferromagnet
    /// only at or above saturation (below it the classical state cants, which is refused).
    #[arg(long, allow_negative_numbers = true)]
    field: Option<f64>,
    /// A model file (TOML, the format of `ether ed --model-file`): any translation-invariant spin
    /// Hamiltonian whose classical ground state is collinear with one site per cell (lswt).
    #[arg(long, value_name = "FILE")]
    model_file: Option<String>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ModelArg {
    Ferro,
    Antiferro,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum MethodArg {
    Lswt,
    Dynamics,
}

/// A whole-number flag as the parameter's type, or one line saying what the flag takes.
fn whole<T: TryFrom<i128>>(flag: &str, x: i128, what: &str) -> Result<T> {
    T::try_from(x).map_err(|_| {
        let why = if x < 0 { "must not be negative" } else { "is too large" };
        UsageError(format!("{flag} {x}: {why}; {what} is a whole number ≥ 0, e.g. 2")).into()
    })
}

impl Args {
    /// The flags as the experiment's parameters.
    fn params(&self) -> Result<SpinwaveParams> {
        Ok(SpinwaveParams {
            model: self.model.map(|m| match m {
                ModelArg::Ferro => ModelKind::Ferro,
                ModelArg::Antiferro => ModelKind::Antiferro,
            }),
            lattice: self.lattice.clone(),
            spin: self.spin,
            coupling: self.coupling,
            method: match self.method {
                MethodArg::Lswt => Method::Lswt,
                MethodArg::Dynamics => Method::Dynamics,
            },
            temperature: self.temperature,
            seed: whole("--seed", self.seed, "the random seed")?,
            samples: whole("--samples", self.samples, "the number of thermal samples")?,
            frames: whole("--frames", self.frames, "the number of frames")?,
            dt: self.dt,
            fit_kmax: self.fit_kmax,
            delta: self.delta,
            j2: self.j2,
            field: self.field,
            model_file: self.model_file.clone(),
        })
    }
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    run_experiment::<Spinwave>(args.params()?, &args.run, g.quiet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    #[test]
    fn flag_defaults_are_the_library_defaults() {
        let c = Cli::parse_from(["spinwave"]);
        assert_eq!(c.args.params().unwrap(), SpinwaveParams::default());
    }
}
