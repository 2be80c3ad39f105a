//! `ether ed`: flags into [`EdParams`], then the experiment (`ether::experiments::ed`). No physics
//! here: models, sectors, estimates, claims and figures live in the library and in ether-plot.

use crate::common::Global;
use crate::run::RunArgs;
use anyhow::Result;
use ether::experiments::ed::{Cache, Ed, EdParams, ModelKind, Observable};

/// Which Hamiltonian to diagonalize.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelArg {
    /// Spin-½ XXZ / J1-J2 model J Σ_<ij> (S^xS^x + S^yS^y + Δ S^zS^z) + J2 Σ_<<ij>> S_i·S_j − h Σ S^z (J > 0 antiferromagnet).
    Heisenberg,
    /// Transverse-field Ising model H = −J Σ_<ij> σ^z σ^z − h Σ σ^x (Pauli matrices; chain critical at h = J).
    TransverseIsing,
    /// Kitaev's toric code H = −J Σ_v A_v − J Σ_p B_p − h Σ_l σ^z_l on a 2D torus (spins on links).
    ToricCode,
    /// The talk's rotor model H = U Σ Q² + J Σ L² − g Σ_p (B_p + h.c.), links truncated.
    Rotor,
    /// Spin-½ U(1) quantum link model H = −J Σ_p (U_p + U_p†) + λ Σ_p (U_p + U_p†)² (J = --coupling).
    QuantumLink,
}

/// Which observables of the ground state to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ObservableArg {
    /// Static correlations C(r) = N⁻¹ Σ_i ⟨S^z_i S^z_{i+r}⟩.
    Correlations,
    /// Static structure factor S(q) = Σ_r e^{−iq·r} C(r).
    StructureFactor,
    /// Von Neumann entropy of the first half of the sites (site order).
    Entanglement,
    /// Dynamic structure factor S^zz(q, ω) by the continued-fraction method (and a plot).
    Dynamic,
}

/// Whether the sector Hamiltonian is kept in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CacheArg {
    /// Keep it if it fits in half of the free memory.
    Auto,
    /// Always keep it (faster, more memory).
    #[value(alias = "cached")]
    Yes,
    /// Recompute it in every product (least memory).
    #[value(alias = "matrix-free")]
    No,
}

const ABOUT: &str = "Exact diagonalization: lowest levels, gaps and ground-state observables of spin and gauge models on small periodic lattices, in symmetry sectors";

const LONG_ABOUT: &str = "Exact diagonalization: lowest levels, gaps and ground-state observables of spin and gauge models on small periodic lattices, in symmetry sectors.

Spin models: the XXZ / J1-J2 Heisenberg model (--coupling J, --delta Δ, --J2, --field h along z), the transverse-field Ising model, or any spin-½ Hamiltonian written as a list of terms in a model file (--model-file model.toml):

    [[term]]
    ops = \"zz\"          # one operator per site: x y z + - (spin operators S; pauli = true for σ)
    coupling = 1.0
    offset = [1, 0]     # (r, r + offset) for every site r; or offsets = [[..]], bonds = [[i, j], ..]
    [[term]]
    ops = \"z\"           # a field on every site (or sites = [..])
    coupling = -0.3

With --sector one symmetry sector is solved (its symmetries are checked against every term; a term that breaks one is named). Without it the lowest levels of the whole Hilbert space are found sector by sector: sectors related by a symmetry are solved once, and sectors that cannot hold one of the lowest levels stop early. Memory and time are estimated first; Ctrl-C keeps every finished sector and the Lanczos state of the current one (with --out), and --resume continues.

Conventions, sectors and references: docs/conventions/ed.md and docs/physics/exact-diagonalization.md.";

/// Exact diagonalization of spin and gauge models.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT, long_about = LONG_ABOUT)]
pub struct Args {
    /// The model (spin models also from --model-file).
    #[arg(long, value_enum, default_value = "heisenberg")]
    pub model: ModelArg,
    /// A model file (TOML): any spin-½ Hamiltonian as a list of [[term]] tables (see --help).
    #[arg(long, value_name = "FILE")]
    pub model_file: Option<String>,
    /// Periodic lattice: extents separated by 'x' (24 = chain of 24 sites, 4x4 = square torus).
    #[arg(long, default_value = "16", allow_hyphen_values = true)]
    pub lattice: String,
    /// Exchange J in energy units (Heisenberg: J > 0 antiferromagnet; Ising: J > 0 ferromagnet;
    /// toric code: star and plaquette strength; quantum link model: ring exchange).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub coupling: f64,
    /// XXZ anisotropy Δ of the Heisenberg model: J (S^xS^x + S^yS^y) + J Δ S^zS^z (1 isotropic, 0 the XX chain).
    #[arg(long, allow_negative_numbers = true)]
    pub delta: Option<f64>,
    /// Next-nearest-neighbour exchange of the Heisenberg model (i, i+2 on a chain; the diagonals
    /// of square and cubic lattices): the frustrated J1-J2 model.
    #[arg(long = "J2", allow_negative_numbers = true)]
    pub j2: Option<f64>,
    /// A field: along z for the Heisenberg model (−h Σ S^z); transverse-field Ising: h (coefficient
    /// of −Σ σ^x); toric code: of σ^z on every link.
    #[arg(long, allow_negative_numbers = true)]
    pub field: Option<f64>,
    /// Symmetry sector, e.g. sz=0,k=0,parity=1,spinflip=1 (k as momentum index m, k = 2πm/L;
    /// on a square torus k=mx:my). On a 2D torus also mirror=±1 (x → −x, at k_x = 0 or π) and, on an
    /// L×L torus at k=0:0 or k=L/2:L/2, rotation=±1 (90°): rotation and mirror pick the C4v irrep
    /// (A1 = rotation=1,mirror=1; the ground state of the square antiferromagnet). Gauge models:
    /// winding=wx:wy[:wz], and for the rotor model static charges charges=i:j (+1 at site i, −1 at
    /// site j). Without it, the lowest levels of the whole Hilbert space are found sector by sector.
    #[arg(long, allow_hyphen_values = true)]
    pub sector: Option<String>,
    /// Number of lowest levels to return.
    #[arg(long, default_value_t = 1, value_parser = counts, allow_negative_numbers = true)]
    pub nev: usize,
    /// Lanczos convergence: residual ‖Hx − Ex‖ below tol·max(1, ‖H‖).
    #[arg(long, default_value_t = 1e-10, allow_negative_numbers = true)]
    pub tol: f64,
    /// Ground-state observables to compute (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub observables: Vec<ObservableArg>,
    /// Lorentzian broadening η of S(q, ω) (energy units).
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    pub eta: f64,
    /// Lanczos steps per momentum for S(q, ω).
    #[arg(long, default_value_t = 150, value_parser = counts, allow_negative_numbers = true)]
    pub dynamic_steps: usize,
    /// Keep the sector Hamiltonian in memory (faster, more memory): auto, yes or no.
    #[arg(long, value_enum, default_value = "auto")]
    pub cache: CacheArg,
    /// Smaller lattices solved the same way, for a finite-size extrapolation of E0/N and of the
    /// lowest S(q, ω) poles (comma-separated, e.g. 12,16 beside --lattice 20).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub finite_size: Vec<String>,
    /// Rotor model: plaquette (ring-exchange) coupling g.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub g: f64,
    /// Rotor model: string tension J (coefficient of L² on each link).
    #[arg(long = "J", default_value_t = 1.0, allow_negative_numbers = true)]
    pub j: f64,
    /// Rotor model: charge energy U (only shifts the energy of a fixed Gauss-law sector; ED works at Q = 0).
    #[arg(long = "U", default_value_t = 0.0, allow_negative_numbers = true)]
    pub u: f64,
    /// Rotor model: truncate every link to |L| <= lmax.
    #[arg(long, value_parser = counts_u32, allow_negative_numbers = true)]
    pub lmax: Option<u32>,
    /// Rotor model: replace each rotor by a spin S (L = S^z, e^{±iθ} = S^±), S = 1/2, 1, 3/2, ...
    #[arg(long, allow_negative_numbers = true)]
    pub link_spin: Option<f64>,
    /// Quantum link model: Rokhsar-Kivelson coupling λ (λ = 1 is the RK point, E0 = 0).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub lambda: f64,
    #[command(flatten)]
    pub run: RunArgs,
}

/// A count: a whole number ≥ 0, with the reason when it is not (negative numbers included).
fn counts(s: &str) -> std::result::Result<usize, String> {
    s.trim().parse::<usize>().map_err(|_| format!("'{s}' is not a count: give a whole number ≥ 1, e.g. 4"))
}

fn counts_u32(s: &str) -> std::result::Result<u32, String> {
    s.trim().parse::<u32>().map_err(|_| format!("'{s}' is not a truncation: give a whole number ≥ 0, e.g. 2"))
}

impl Args {
    /// The experiment's parameters from the flags.
    pub fn params(&self) -> EdParams {
        EdParams {
            model: match self.model {
                ModelArg::Heisenberg => ModelKind::Heisenberg,
                ModelArg::TransverseIsing => ModelKind::TransverseIsing,
                ModelArg::ToricCode => ModelKind::ToricCode,
                ModelArg::Rotor => ModelKind::Rotor,
                ModelArg::QuantumLink => ModelKind::QuantumLink,
            },
            model_file: self.model_file.clone(),
            lattice: self.lattice.clone(),
            coupling: self.coupling,
            delta: self.delta,
            j2: self.j2,
            field: self.field,
            sector: self.sector.clone(),
            nev: self.nev,
            tol: self.tol,
            observables: self
                .observables
                .iter()
                .map(|o| match o {
                    ObservableArg::Correlations => Observable::Correlations,
                    ObservableArg::StructureFactor => Observable::StructureFactor,
                    ObservableArg::Entanglement => Observable::Entanglement,
                    ObservableArg::Dynamic => Observable::Dynamic,
                })
                .collect(),
            eta: self.eta,
            dynamic_steps: self.dynamic_steps,
            cache: match self.cache {
                CacheArg::Auto => Cache::Auto,
                CacheArg::Yes => Cache::Yes,
                CacheArg::No => Cache::No,
            },
            finite_size: self.finite_size.clone(),
            g: self.g,
            j: self.j,
            u: self.u,
            lmax: self.lmax,
            link_spin: self.link_spin,
            lambda: self.lambda,
        }
    }
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    crate::run::run::<Ed>(args.params(), &args.run, g.quiet)
}
