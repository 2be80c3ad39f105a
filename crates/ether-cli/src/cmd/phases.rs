//! `ether phases`: flags → [`ether::experiments::phases::Params`], then the shared run layer.

use crate::common::Global;
use crate::run::RunArgs;
use anyhow::Result;
use ether::experiments::phases::{ActionKind, Params, Phases, Starts};

/// Is the vacuum a string-net liquid? Monte Carlo of the rotor model's path integral.
///
/// In imaginary time the rotor model H = J Σ L² − g Σ_p (B_p + B_p†) (U = ∞: Gauss's law exact)
/// is compact U(1) lattice gauge theory. Its Coulomb phase, where the strings are a liquid, has a
/// massless photon and Coulomb's law between charges; its confined phase has neither. ether
/// measures both: plaquettes, monopoles, Polyakov loops, Wilson loops and the static potential
/// V(R) with its fit c + σR + κ V₀(R) (V₀: the free photon's potential on the same lattice;
/// α = κ α₀ is the fine-structure constant, σ the string tension), and the photon itself (the
/// field-strength correlator and the energy ω(k) of the transverse magnetic flux from cosh fits
/// of its imaginary-time correlator).
///
/// Isotropic mode (default): the Wilson or Villain action on a 4D lattice at each --beta
/// (literature β_c = 1.0111 for Wilson), hot and/or cold starts.
///
/// Rotor mode (--rotor): the model itself on a spatial --lattice (2 or 3 extents) with
/// --time-slices N_t of step --time-step τ added as the last axis. The Trotter mapping is exact
/// for each factor: space-space plaquettes carry the Wilson weight exp(2τg cos Θ), i.e.
/// β_s = 2τg; space-time plaquettes carry the Villain weight of e^{−τJL²}, i.e. β_t = 1/(2τJ)
/// (temporal weight Σ_m exp(−(Θ − 2πm)²/(4τJ))). The temperature is T = 1/(N_t τ); the
/// Hamiltonian is the limit τ → 0 at fixed N_t τ (anisotropy 1/(2τ√(gJ)) → ∞), reached with
/// --extrapolate-tau (a fit E(τ) = E₀ + aτ²). τ√(gJ) must stay below 1/2. Energies are in
/// units of J: the energy per site, the photon energies and the speed of light (classical
/// value 2√(gJ)).
///
/// Errors: primary observables carry mean ± sqrt(2 τ_int var/N) with the integrated
/// autocorrelation time τ_int summed to Wolff's automatic window (reported for each);
/// derived quantities (specific heat, Creutz ratios, V(R) and its fit, ω(k)) use a binned
/// jackknife with bins of 10 τ_int.
///
/// Long runs save each finished point and, every --checkpoint-seconds and on Ctrl-C, the point
/// in progress; `--resume DIR` continues to the same numbers as an uninterrupted run.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ether phases\n  ether phases --lattice 8x8x8x8 --beta 0.98,1.0,1.02,1.04 --start both --sweeps 2000 --out scan\n  ether phases --beta 0.8,1.5 --measure all --loop-max 3 --sweeps 300\n  ether phases --rotor --lattice 4x4x4 --g 2 --J 1 --time-slices 40 --time-step 0.1 --measure energy,photon\n  ether phases --rotor --lattice 4x4x4 --scan-g 0.3:1.5:0.1 --time-slices 20 --time-step 0.1\n  ether phases --rotor --lattice 2x2 --g 1 --time-slices 60 --time-step 0.1 --extrapolate-tau 0.2,0.14,0.1 --measure energy"
)]
pub struct Args {
    /// Even extents: 4 for the isotropic action (the last is imaginary time), e.g. 6x6x6x6; with
    /// --rotor the spatial lattice (2 or 3 extents), e.g. 6x6x6.
    #[arg(long, default_value = "6x6x6x6")]
    lattice: String,
    /// Couplings β of the isotropic action, comma-separated, each > 0.
    #[arg(long, value_delimiter = ',', default_values_t = [0.6, 0.8, 1.0, 1.1, 1.2, 1.4], allow_negative_numbers = true, conflicts_with = "rotor")]
    beta: Vec<f64>,
    /// The isotropic action: wilson (exact heat bath) or villain (Metropolis).
    #[arg(long, value_enum, default_value = "wilson", conflicts_with = "rotor")]
    action: Action,
    /// Start from random links (hot), from all links 1 (cold), or both (shows hysteresis).
    #[arg(long, value_enum, default_value = "both")]
    start: Start,
    /// Thermalization sweeps per point.
    #[arg(long, default_value_t = 50, allow_negative_numbers = true)]
    therm: u64,
    /// Sweeps after thermalization per point (at least 20 measurements).
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    sweeps: u64,
    /// Measure after every N-th sweep.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    measure_every: u64,
    /// Overrelaxation passes per sweep (after the heat-bath or Metropolis pass).
    #[arg(long, default_value_t = 3, allow_negative_numbers = true)]
    overrelax: u32,
    /// What to measure: plaquette,monopoles,polyakov,potential,photon,energy (energy needs
    /// --rotor), or all.
    #[arg(long, default_value = "plaquette,monopoles,polyakov")]
    measure: String,
    /// Largest Wilson loop extent R (and T on isotropic lattices); at most half an extent.
    #[arg(long, default_value_t = 3, allow_negative_numbers = true)]
    loop_max: usize,
    /// Photon momenta 2πn/L, n = 1..=N, along each spatial axis.
    #[arg(long, default_value_t = 2, allow_negative_numbers = true)]
    photon_momenta: usize,
    /// Random seed (the same seed gives the same numbers for any --threads).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    seed: u64,
    /// Simulate the rotor model itself: couplings --g --J, --time-slices, --time-step.
    #[arg(long)]
    rotor: bool,
    /// Rotor model: plaquette coupling g > 0.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    g: f64,
    /// Rotor model: electric coupling J > 0 (energies are in units of J).
    #[arg(long = "J", default_value_t = 1.0, allow_negative_numbers = true)]
    j: f64,
    /// Rotor model: imaginary-time slices N_t (even); temperature 1/(N_t τ).
    #[arg(long, default_value_t = 32, allow_negative_numbers = true)]
    time_slices: usize,
    /// Rotor model: imaginary-time step τ, with τ√(gJ) < 1/2.
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    time_step: f64,
    /// Rotor model: scan g over A:B:STEP (J fixed), e.g. 0.2:2.0:0.1; reports where the
    /// Coulomb phase ends and the hysteresis window of hot and cold starts.
    #[arg(long, value_name = "A:B:STEP", requires = "rotor")]
    scan_g: Option<String>,
    /// Rotor model: repeat at these time steps, keeping N_t τ fixed, and extrapolate to τ → 0.
    #[arg(long, value_name = "T1,T2,T3", value_delimiter = ',', allow_negative_numbers = true, requires = "rotor")]
    extrapolate_tau: Option<Vec<f64>>,
    /// Save the point in progress at least this often (seconds).
    #[arg(long, default_value_t = 30.0, allow_negative_numbers = true)]
    checkpoint_seconds: f64,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Start {
    Hot,
    Cold,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Action {
    Wilson,
    Villain,
}

impl Args {
    fn params(&self) -> Params {
        Params {
            lattice: self.lattice.clone(),
            beta: self.beta.clone(),
            action: match self.action {
                Action::Wilson => ActionKind::Wilson,
                Action::Villain => ActionKind::Villain,
            },
            start: match self.start {
                Start::Hot => Starts::Hot,
                Start::Cold => Starts::Cold,
                Start::Both => Starts::Both,
            },
            therm: self.therm,
            sweeps: self.sweeps,
            measure_every: self.measure_every,
            overrelax: self.overrelax,
            measure: self.measure.clone(),
            loop_max: self.loop_max,
            photon_momenta: self.photon_momenta,
            seed: self.seed,
            rotor: self.rotor,
            g: self.g,
            j: self.j,
            time_slices: self.time_slices,
            time_step: self.time_step,
            scan_g: self.scan_g.clone(),
            extrapolate_tau: self.extrapolate_tau.clone(),
            checkpoint_seconds: self.checkpoint_seconds,
        }
    }
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    crate::run::run::<Phases>(args.params(), &args.run, g.quiet)
}
