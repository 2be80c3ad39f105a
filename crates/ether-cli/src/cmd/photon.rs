//! `ether photon`: flags → [`ether::experiments::photon::Params`] → the one run layer.

use crate::common::Global;
use crate::run::RunArgs;
use anyhow::Result;
use ether::experiments::photon::{Charges, Initial, Method, Params, Photon};

/// Emergent photons of the rotor model: two transverse waves with ω = 2√(gJ)|K| obeying
/// Maxwell's equations, and a frozen longitudinal direction (Gauss's law).
///
/// The model has a rotor (angle θ, integer angular momentum L = E) on every link of the cubic
/// lattice: H = U Σ_sites Q² + J Σ_links L² − g Σ_plaquettes 2 cos(curl θ), with Q = div L the
/// charge. The photon phase is U ≫ g ≫ J (units: energy, ħ = k_B = lattice spacing = 1).
/// `--method modes` also reports the talk's quantum-fluctuation criterion: per helicity, the
/// zero-point fluctuation of the compact angle and of its conjugate in the Gaussian ground state,
/// and whether the semiclassical answer holds at this g/J.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Periodic cubic lattice, e.g. 16x16x16 (three extents, each ≥ 2; ≥ 3 recommended).
    #[arg(long, default_value = "16x16x16")]
    lattice: String,
    /// U: charge energy per site (U Σ Q²), ≥ 0. It enforces Gauss's law; it drops out of the
    /// photon frequencies.
    #[arg(long = "U", default_value_t = 10.0, allow_hyphen_values = true)]
    u: f64,
    /// g: plaquette (string-fluctuation, magnetic) coupling, > 0.
    #[arg(long = "g", default_value_t = 1.0, allow_hyphen_values = true)]
    g: f64,
    /// J: string tension (electric energy J Σ L²), > 0. The speed of light is c = 2√(gJ); the
    /// Gaussian (semiclassical) picture needs g/J ≳ 4.
    #[arg(long = "J", default_value_t = 0.1, allow_hyphen_values = true)]
    j: f64,
    /// modes: linearized modes at every momentum and the Gaussian ground state; dynamics: the full
    /// nonlinear model in time.
    #[arg(long, value_enum, default_value_t = CliMethod::Modes)]
    method: CliMethod,
    /// One momentum kx,ky,kz in radians per lattice spacing ('pi' allowed, e.g. pi/2,0,0):
    /// report the modes there (with dynamics: it must be a lattice momentum 2π n/L).
    #[arg(long, value_name = "KX,KY,KZ", allow_hyphen_values = true)]
    k: Option<String>,
    /// Energy scale of the initial state of the dynamics (energy units); default 0.01 g
    /// (deep in the linear regime).
    #[arg(long, allow_hyphen_values = true)]
    temperature: Option<f64>,
    /// Number of leapfrog time steps (dynamics).
    #[arg(long, default_value_t = 4000)]
    steps: usize,
    /// Time step (units ħ/energy); default 0.25/ω_max with ω_max = 4√3√(gJ) the band top.
    /// Leapfrog is unstable beyond dt = 2/ω_max; a run-away energy stops the run with advice.
    #[arg(long, allow_hyphen_values = true)]
    dt: Option<f64>,
    /// Record a frame for S(k, ω) every this many steps; default: the largest interval whose
    /// Nyquist frequency is 1.25 ω_max.
    #[arg(long)]
    frame_every: Option<usize>,
    /// Metropolis sweeps over the angles of the thermal initial state (--initial thermal).
    #[arg(long, default_value_t = 10)]
    sweeps: usize,
    /// Static charges in the initial state (the dynamics conserves them).
    #[arg(long, value_enum, default_value_t = CliCharges::None)]
    charges: CliCharges,
    /// Initial state of the dynamics: unequal (a random weight per helicity and momentum, far from
    /// equipartition, so the polarization count cannot come from it) or thermal (equipartition).
    #[arg(long, value_enum, default_value_t = CliInitial::Unequal)]
    initial: CliInitial,
    /// Random seed of the initial state (same seed, same numbers, any thread count).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    run: RunArgs,
}

/// Which calculation to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum CliMethod {
    /// Linearized normal modes at each momentum, and the Gaussian ground state per helicity.
    Modes,
    /// Full nonlinear classical dynamics from a state far from equipartition, with S(k, ω).
    Dynamics,
}

/// Static background charges for the dynamics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum CliCharges {
    /// No charges: the Q = 0 sector (the U → ∞ vacuum sector).
    None,
    /// A static +1/−1 pair (string ends) in the plane z = 1, to show Coulomb field lines.
    Pair,
}

/// Initial state of the dynamics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum CliInitial {
    /// Far from equipartition: a random weight per helicity, a random factor per momentum.
    Unequal,
    /// The classical thermal state (equipartition), harmonic draw plus Metropolis sweeps.
    Thermal,
}

impl Args {
    fn params(&self) -> Result<Params> {
        for (flag, v) in [("--temperature", self.temperature), ("--dt", self.dt)] {
            if let Some(x) = v.filter(|x| !x.is_finite()) {
                return Err(crate::common::UsageError(format!("{flag} {x}: give a finite number")).into());
            }
        }
        Ok(Params {
            lattice: self.lattice.clone(),
            u: self.u,
            g: self.g,
            j: self.j,
            method: match self.method {
                CliMethod::Modes => Method::Modes,
                CliMethod::Dynamics => Method::Dynamics,
            },
            k: self.k.clone(),
            temperature: self.temperature,
            steps: self.steps,
            dt: self.dt,
            frame_every: self.frame_every,
            sweeps: self.sweeps,
            charges: match self.charges {
                CliCharges::None => Charges::None,
                CliCharges::Pair => Charges::Pair,
            },
            initial: match self.initial {
                CliInitial::Unequal => Initial::Unequal,
                CliInitial::Thermal => Initial::Thermal,
            },
            seed: self.seed,
        })
    }
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    crate::run::run::<Photon>(args.params()?, &args.run, g.quiet)
}
