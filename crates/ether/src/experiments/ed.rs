//! `ether ed`: exact diagonalization of spin and gauge models on small periodic lattices, in
//! symmetry sectors: the quantum answer the classical chapters are checked against.
//!
//! Spin models are [`SpinModel`]s: the built-in Heisenberg/XXZ/J1-J2 model (`coupling`,
//! `delta`, `J2`, `field`), the transverse-field Ising model, or any list of terms from a model
//! file (`model_file`). With `sector` one symmetry sector is solved; without it the lowest
//! levels of the whole Hilbert space are found sector by sector ([`crate::ed::search`]).
//! Gauge models (toric code, rotor model, quantum link model) are solved in their Gauss-law
//! sectors ([`crate::ed::gauge`]).
//!
//! Every run estimates its memory and time first (over every sector it will visit), reports
//! progress per sector, stops cleanly when the observer asks (keeping each finished sector and
//! the Lanczos state of the one in progress in its checkpoints), and resumes from them.
//! Physics and references: `docs/physics/exact-diagonalization.md`.

mod claims;
mod gauge;
mod observe;

use crate::ed::basis::{binomial, Sector, SpinBasis};
use crate::ed::lanczos::Control;
use crate::ed::search::{lowest_levels, plan, Planned, SearchEnd, SearchHooks, SearchOptions};
use crate::ed::solve::{spin_sector_with, Level, Levels, SectorSolved, SolveOptions, Vectors};
use crate::ed::spin::{estimate_memory, needs_complex, SpinHamiltonian, SpinTerms, Storage};
use crate::error::{human_bytes, Error, Result};
use crate::experiment::{check_memory, Axis, Claim, DataArray, DemoRun, Experiment, Observer, Record};
use crate::lattice::Lattice;
use crate::linalg::C64;
use crate::model::spin_model::SpinModel;
use crate::model::TransverseIsing;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::time::Instant;

pub use gauge::GaugeRecord;
pub use observe::{DynamicEntry, Observables};

/// The experiment of `ether ed`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ed;

/// Which Hamiltonian to diagonalize.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Spin-½ XXZ / J1-J2 model `J Σ_<ij> (S^xS^x + S^yS^y + Δ S^zS^z) + J2 Σ_<<ij>> S_i·S_j − h Σ S^z`
    /// (J > 0 antiferromagnet, J < 0 ferromagnet; Δ = 1 and J2 = h = 0 is the Heisenberg model).
    #[default]
    Heisenberg,
    /// Transverse-field Ising model `−J Σ_<ij> σ^zσ^z − h Σ σ^x` (Pauli matrices; the chain is critical at h = J).
    TransverseIsing,
    /// Kitaev's toric code `−J Σ_v A_v − J Σ_p B_p − h Σ_l σ^z_l` on a 2D torus (spins on links).
    ToricCode,
    /// The talk's rotor model `U Σ Q² + J Σ L² − g Σ_p (B_p + h.c.)`, links truncated.
    Rotor,
    /// Spin-½ U(1) quantum link model `−J Σ_p (U_p + U_p†) + λ Σ_p (U_p + U_p†)²` (J = `coupling`).
    QuantumLink,
}

impl ModelKind {
    /// The name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Heisenberg => "heisenberg",
            ModelKind::TransverseIsing => "transverse-ising",
            ModelKind::ToricCode => "toric-code",
            ModelKind::Rotor => "rotor",
            ModelKind::QuantumLink => "quantum-link",
        }
    }

    /// A gauge model (solved in Gauss-law sectors, not spin sectors).
    pub fn is_gauge(self) -> bool {
        matches!(self, ModelKind::ToricCode | ModelKind::Rotor | ModelKind::QuantumLink)
    }
}

/// Ground-state observables of a spin model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Observable {
    /// Static correlations `C(r) = N⁻¹ Σ_i ⟨S^z_i S^z_{i+r}⟩`.
    Correlations,
    /// Static structure factor `S(q) = Σ_r e^{−iq·r} C(r)`.
    StructureFactor,
    /// Von Neumann entropy of the first half of the sites (site order).
    Entanglement,
    /// Dynamic structure factor `S^zz(q, ω)` by the continued-fraction method (and its figure).
    Dynamic,
}

/// Whether the sector Hamiltonian keeps its off-diagonal elements in memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cache {
    /// Keep them if they fit in half of the free memory (with the Lanczos vectors).
    #[default]
    Auto,
    /// Always keep them (faster products, more memory).
    #[serde(alias = "cached")]
    Yes,
    /// Recompute them in every product (least memory).
    #[serde(alias = "matrix-free")]
    No,
}

impl Cache {
    fn storage(self) -> Storage {
        match self {
            Cache::Auto => Storage::Auto,
            Cache::Yes => Storage::Cached,
            Cache::No => Storage::MatrixFree,
        }
    }
}

/// The parameters of `ether ed` (keys are the command's long flags with `_` for `-`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EdParams {
    /// The model (ignored for the terms when `model_file` is given; then it must stay `heisenberg`).
    pub model: ModelKind,
    /// A model file (TOML): any spin-½ Hamiltonian as a list of terms (`ops`, `coupling`, and
    /// `offset`, `offsets`, `bonds` or `sites`); see `docs/physics/exact-diagonalization.md`.
    pub model_file: Option<String>,
    /// Periodic lattice: extents separated by `x` (`24` is a chain of 24 sites, `4x4` a square torus).
    pub lattice: String,
    /// Exchange J in energy units (Heisenberg: J > 0 antiferromagnet; Ising: J > 0 ferromagnet;
    /// toric code: star and plaquette strength; quantum link model: ring exchange).
    pub coupling: f64,
    /// XXZ anisotropy Δ of the Heisenberg model: J (S^xS^x + S^yS^y) + J Δ S^zS^z (1: isotropic, 0: XX).
    pub delta: Option<f64>,
    /// Next-nearest-neighbour exchange J2 S_i·S_j of the Heisenberg model (i, i+2 on a chain;
    /// the diagonals on square and cubic lattices): the J1-J2 model.
    #[serde(rename = "J2")]
    pub j2: Option<f64>,
    /// A field: along z for the Heisenberg model (−h Σ S^z), transverse for the Ising model
    /// (coefficient h of −Σ σ^x), along z on every link of the toric code.
    pub field: Option<f64>,
    /// Symmetry sector, e.g. `sz=0,k=0,parity=1,spinflip=1` (k as momentum index m, k = 2πm/L;
    /// `k=mx:my` on tori; `rotation`, `mirror` on 2D tori). Gauge models: `winding=wx:wy[:wz]`,
    /// and for the rotor model `charges=i:j`. Without it, the lowest levels of the whole space.
    pub sector: Option<String>,
    /// Number of lowest levels.
    pub nev: usize,
    /// Lanczos convergence: residual ‖Hx − Ex‖ below tol·max(1, ‖H‖).
    pub tol: f64,
    /// Ground-state observables (spin models).
    pub observables: Vec<Observable>,
    /// Lorentzian broadening η of S(q, ω) (energy units).
    pub eta: f64,
    /// Lanczos steps per momentum for S(q, ω).
    pub dynamic_steps: usize,
    /// Keep the sector Hamiltonian in memory: auto, yes or no.
    pub cache: Cache,
    /// Smaller lattices of the same model, solved the same way, for a finite-size extrapolation
    /// of E0/N and of the lowest S(q, ω) poles (e.g. `16` beside `--lattice 20`).
    pub finite_size: Vec<String>,
    /// Rotor model: plaquette (ring-exchange) coupling g.
    pub g: f64,
    /// Rotor model: string tension J (coefficient of L² on each link).
    #[serde(rename = "J")]
    pub j: f64,
    /// Rotor model: charge energy U (only shifts the energy of a fixed Gauss-law sector).
    #[serde(rename = "U")]
    pub u: f64,
    /// Rotor model: truncate every link to |L| ≤ lmax.
    pub lmax: Option<u32>,
    /// Rotor model: replace each rotor by a spin S (L = S^z, e^{±iθ} = S^±), S = 1/2, 1, 3/2, ...
    pub link_spin: Option<f64>,
    /// Quantum link model: Rokhsar-Kivelson coupling λ (λ = 1 is the RK point, E0 = 0).
    pub lambda: f64,
}

impl Default for EdParams {
    fn default() -> Self {
        EdParams {
            model: ModelKind::Heisenberg,
            model_file: None,
            lattice: "16".into(),
            coupling: 1.0,
            delta: None,
            j2: None,
            field: None,
            sector: None,
            nev: 1,
            tol: 1e-10,
            observables: Vec::new(),
            eta: 0.05,
            dynamic_steps: 150,
            cache: Cache::Auto,
            finite_size: Vec::new(),
            g: 1.0,
            j: 1.0,
            u: 0.0,
            lmax: None,
            link_spin: None,
            lambda: 0.0,
        }
    }
}

/// What a run returns: a spin-model record or a gauge-model record (serialized without a tag,
/// as the two result documents of `ether ed`).
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum EdRecord {
    /// A spin model.
    Spin(Box<SpinRecord>),
    /// A gauge model.
    Gauge(GaugeRecord),
}

/// The result of a spin-model run (`result.json`). Fields are in alphabetical order, the order
/// of the result documents `ether ed` has always written.
#[derive(Clone, Debug, Serialize)]
pub struct SpinRecord {
    /// The claims this run supports (known references for the model solved).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<Claim>,
    /// Every level converged.
    pub converged: bool,
    /// The dimension of the sector solved (2^N for the whole space).
    pub dimension: usize,
    /// The lowest energies, ascending.
    pub energies: Vec<f64>,
    /// Estimated memory of the largest sector, matrix-free (bytes).
    pub estimated_memory_bytes: u64,
    /// The same with the row cache.
    pub estimated_memory_cached_bytes: u64,
    /// Estimated time of the whole run (s), over every sector visited.
    pub estimated_seconds: f64,
    /// Smaller lattices solved for a finite-size extrapolation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub finite_size: Vec<FiniteSizePoint>,
    /// E1 − E0 (with at least two levels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
    /// Lanczos steps (summed over the sectors).
    pub iterations: usize,
    /// The lattice as given.
    pub lattice: String,
    /// The lowest levels, each with its sector.
    pub levels: Vec<Level>,
    /// `dense`, `lanczos` or `sector by sector`.
    pub method: String,
    /// The model's name (`heisenberg`, `xxz`, `j1-j2`, `transverse-ising`, or the model file's name).
    pub model: String,
    /// Ground-state observables, if asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observables: Option<Observables>,
    /// Residual norms (the largest over the sectors for the whole space).
    pub residuals: Vec<f64>,
    /// Sectors visited, restored from a checkpoint, and ended early by the search's bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchSummary>,
    /// The sector solved, or `all`.
    pub sector: String,
    /// The levels of every sector solved (with the partner sectors that share them).
    pub sectors: Vec<Levels>,
    /// Wall time (s).
    pub seconds: f64,
    /// What the run is, for the claims (not serialized).
    #[serde(skip)]
    context: claims::Context,
}

/// Counts of a whole-space search (alphabetical fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchSummary {
    /// Sectors of the plan without states on this lattice.
    pub empty: usize,
    /// Sectors ended early because every further level lies above the bound.
    pub pruned: usize,
    /// Sectors restored from a checkpoint.
    pub restored: usize,
    /// Sectors in the plan (one per class of symmetry partners).
    pub sectors: usize,
}

/// One smaller lattice of a finite-size series (alphabetical fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FiniteSizePoint {
    /// Its lowest level in the same sector (or over the whole space).
    pub e0: f64,
    /// The lattice.
    pub lattice: String,
    /// The lowest S(q, ω) pole (≥ 1 % of the weight) at each q of the main lattice's list that
    /// this lattice also has (null where it has not), if S(q, ω) was asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lowest_pole: Vec<Option<f64>>,
    /// Sites.
    pub n_sites: usize,
}

/// Memory and time a run needs, estimated from the parameters alone.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Sectors to solve (after symmetry partners).
    pub sectors: usize,
    /// States of the largest sector.
    pub largest: f64,
    /// Its label.
    pub largest_label: String,
    /// Memory of the largest sector, matrix-free (bytes).
    pub memory_bytes: u64,
    /// The same with the row cache.
    pub memory_cached_bytes: u64,
    /// Wall time on this machine's threads (s), all sectors.
    pub seconds: f64,
}

/// The spin model a set of parameters describes (validated; errors say what to do).
pub fn spin_model(p: &EdParams) -> Result<SpinModel> {
    let lattice = parse_lattice(&p.lattice)?;
    let n = lattice.n_sites();
    if n > crate::ed::basis::MAX_SITES {
        return Err(Error::invalid(
            "lattice",
            p.lattice.clone(),
            format!("{n} sites; the spin-½ ED basis holds at most {} sites", crate::ed::basis::MAX_SITES),
        ));
    }
    if let Some(path) = &p.model_file {
        if p.model != ModelKind::Heisenberg {
            return Err(Error::invalid(
                "model",
                p.model.name(),
                "a model file defines the Hamiltonian: drop --model (or --model-file)",
            ));
        }
        crate::model::spin_model::refuse_flags_beside_a_file(
            &[("delta", p.delta.is_some()), ("J2", p.j2.is_some()), ("field", p.field.is_some())],
            p.coupling,
        )?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::invalid("model file", path.clone(), format!("cannot read it ({e})")))?;
        return SpinModel::from_toml(&text, lattice, path);
    }
    crate::error::require_finite("coupling", p.coupling)?;
    match p.model {
        ModelKind::Heisenberg => {
            let (delta, j2, h) = (p.delta.unwrap_or(1.0), p.j2.unwrap_or(0.0), p.field.unwrap_or(0.0));
            if p.coupling == 0.0 && j2 == 0.0 {
                return Err(Error::invalid(
                    "coupling",
                    "0",
                    "J = 0 (and no J2) has no exchange: give --coupling J ≠ 0",
                ));
            }
            SpinModel::xxz(lattice, 0.5, p.coupling, delta, j2, h)
        }
        ModelKind::TransverseIsing => {
            for (flag, given) in [("delta", p.delta.is_some()), ("J2", p.j2.is_some())] {
                if given {
                    return Err(no_such_term(flag, p.model));
                }
            }
            SpinModel::transverse_ising(&TransverseIsing::new(lattice, p.coupling, p.field.unwrap_or(0.0))?)
        }
        m => Err(Error::invalid("model", m.name(), "a gauge model, not a spin model")),
    }
}

fn no_such_term(flag: &str, m: ModelKind) -> Error {
    let what = match flag {
        "delta" => "the XXZ anisotropy of --model heisenberg",
        "J2" => "the next-nearest-neighbour exchange of --model heisenberg",
        "field" => "a field (heisenberg: along z; transverse-ising: transverse; toric-code: σ^z)",
        _ => "a parameter of another model",
    };
    Error::invalid(
        flag,
        format!("given to --model {}", m.name()),
        format!("--{flag} is {what}; --model {} has no such term: drop it", m.name()),
    )
}

/// Parse `--lattice`, with the real reason for negative or zero extents.
fn parse_lattice(s: &str) -> Result<Lattice> {
    if s.trim().starts_with('-') || s.split(['x', 'X']).any(|p| p.trim().starts_with('-')) {
        return Err(Error::invalid("lattice", s, "extents must be positive integers separated by 'x', e.g. 16, 4x4"));
    }
    Lattice::parse(s)
}

/// Check the parameters that do not depend on the model (tolerances, counts).
fn check_numbers(p: &EdParams) -> Result<()> {
    if !(p.tol.is_finite() && p.tol > 0.0 && p.tol < 1e-2) {
        return Err(Error::invalid("tol", p.tol.to_string(), "give a small positive tolerance, e.g. 1e-10"));
    }
    if p.nev == 0 {
        return Err(Error::invalid("nev", "0", "ask for at least one level"));
    }
    if !(p.eta.is_finite() && p.eta > 0.0) {
        return Err(Error::invalid("eta", p.eta.to_string(), "the broadening must be positive, e.g. 0.05"));
    }
    if p.dynamic_steps == 0 {
        return Err(Error::invalid(
            "dynamic-steps",
            "0",
            "S(q, ω) needs at least one Lanczos step per momentum, e.g. 150",
        ));
    }
    for (flag, x) in [("coupling", p.coupling), ("g", p.g), ("J", p.j), ("U", p.u), ("lambda", p.lambda)] {
        crate::error::require_finite(flag, x)?;
    }
    for (flag, x) in [("delta", p.delta), ("J2", p.j2), ("field", p.field), ("link-spin", p.link_spin)] {
        if let Some(x) = x {
            crate::error::require_finite(flag, x)?;
        }
    }
    Ok(())
}

/// The sector of the parameters (parsed, validated against the lattice and checked against the
/// terms: a term that breaks a requested symmetry is named).
fn spin_sector_of(p: &EdParams, terms: &SpinTerms) -> Result<Option<Sector>> {
    let Some(s) = &p.sector else { return Ok(None) };
    let sec = Sector::parse(s, &terms.lattice)?;
    terms.check_sector(&sec)?;
    sec.validate(&terms.lattice, terms.conserves_sz())?;
    Ok(Some(sec))
}

/// The Hamiltonian of an `ether ed` spin run on one sector, as an operator a caller applies to
/// vectors of its own (Python's `ether.EdOperator`): the same parameters, model, sector parsing
/// and checks as the run ([`Ed::validate`]), then the sector's basis and `H`, and no solve.
/// Without `sector`, the whole 2^N space. Index `i` of a vector is the basis state
/// `basis().states[i]` (the representative configuration: site `r` up when bit `r` is set).
#[derive(Debug)]
pub enum SectorOperator {
    /// A real sector of a real model (`f64` vectors).
    Real(SpinHamiltonian<f64>),
    /// A sector with complex characters (momenta other than 0 and π) or a complex model.
    Complex(SpinHamiltonian<C64>),
}

impl SectorOperator {
    /// Build the operator of the parameters (memory estimated and refused before anything is
    /// allocated).
    pub fn new(p: &EdParams) -> Result<Self> {
        if p.model.is_gauge() {
            return Err(Error::invalid(
                "model",
                p.model.name(),
                "the sector operator is for spin models (heisenberg, ising, or --model-file); solve gauge models with `ed`",
            ));
        }
        Ed::validate(p)?;
        let terms = SpinTerms::new(&spin_model(p)?)?;
        let sector = spin_sector_of(p, &terms)?.unwrap_or_default();
        let complex = needs_complex(&terms, &sector);
        let storage = p.cache.storage();
        check_memory(
            &format!("the Hamiltonian on sector {}", sector.label(terms.lattice.n_sites())),
            estimate_memory(&terms, &sector, complex, storage == Storage::Cached),
            "fix more quantum numbers with the sector (sz=0,k=0,parity=1,spinflip=1) or use a smaller lattice",
        )?;
        Ok(if complex {
            SectorOperator::Complex(SpinHamiltonian::new(&terms, &sector, storage)?)
        } else {
            SectorOperator::Real(SpinHamiltonian::new(&terms, &sector, storage)?)
        })
    }

    /// The sector's dimension.
    pub fn dim(&self) -> usize {
        self.basis().dim()
    }

    /// The sector basis.
    pub fn basis(&self) -> &SpinBasis {
        match self {
            SectorOperator::Real(h) => &h.basis,
            SectorOperator::Complex(h) => &h.basis,
        }
    }
}

/// Candidate configurations of a sector (the enumeration cost).
fn candidates(l: &Lattice, s: &Sector) -> f64 {
    match s.n_up {
        Some(m) => binomial(l.n_sites(), m),
        None => 2f64.powi(l.n_sites() as i32),
    }
}

/// Calibrated costs on 2 threads of the 2-core machine of the benchmarks (per thread-second):
/// checking a candidate configuration (early exit), a representative look-up of the row cache
/// (per image of the group), and a cached product (per stored element). See docs/performance.md.
const NS_CANDIDATE: f64 = 16.5;
const NS_IMAGE: f64 = 0.55;
const NS_ELEMENT: f64 = 2.2;
/// Lanczos steps assumed per sector for the time estimate.
const STEPS: f64 = 150.0;
/// Fixed costs per sector (group tables, index, start vector) and per Lanczos step (the
/// tridiagonal checks, the pool's hand-offs), in thread-nanoseconds.
const NS_SECTOR: f64 = 3e6;
const NS_STEP: f64 = 2e4;
/// The dense eigensolver of small sectors, per dim³.
const NS_DENSE_CUBE: f64 = 0.5;

/// Memory and time of a spin run, from the parameters alone (no basis is built).
pub fn estimate(p: &EdParams) -> Result<Estimate> {
    let terms = SpinTerms::new(&spin_model(p)?)?;
    let l = &terms.lattice;
    let n = l.n_sites();
    let sector = spin_sector_of(p, &terms)?;
    let threads = rayon::current_num_threads().max(1) as f64;
    let offdiag = terms.offdiagonal_per_row().max(1.0);
    let sector_time = |s: &Sector, dim: f64| -> f64 {
        let g = s.group_order(l) as f64;
        let dense = dim <= crate::ed::solve::DENSE_BELOW as f64;
        let products = if dense { dim } else { STEPS };
        let eigh = if dense { dim.powi(3) * NS_DENSE_CUBE } else { 0.0 };
        NS_SECTOR + eigh + products * NS_STEP + dim * offdiag * g * NS_IMAGE + products * dim * offdiag * NS_ELEMENT
    };
    let (sectors, largest_sector, seconds_ns) = match &sector {
        Some(s) => {
            let dim = SpinBasis::estimate_dim(l, s);
            (1, s.clone(), candidates(l, s) * NS_CANDIDATE + sector_time(s, dim))
        }
        None => {
            let planned: Vec<Planned> = plan(&terms);
            let mut families: Vec<(Option<usize>, [bool; 3])> = Vec::new();
            let mut t = 0.0;
            for q in &planned {
                let key =
                    (q.sector.n_up, [q.sector.k.is_some(), q.sector.parity.is_some(), q.sector.spinflip.is_some()]);
                if !families.contains(&key) {
                    families.push(key);
                    t += candidates(l, &q.sector) * NS_CANDIDATE;
                }
                t += sector_time(&q.sector, q.dim_estimate);
            }
            let big = planned
                .iter()
                .max_by(|a, b| a.dim_estimate.total_cmp(&b.dim_estimate))
                .map(|q| q.sector.clone())
                .unwrap_or_default();
            (planned.len(), big, t)
        }
    };
    let complex = needs_complex(&terms, &largest_sector);
    Ok(Estimate {
        sectors,
        largest: SpinBasis::estimate_dim(l, &largest_sector),
        largest_label: largest_sector.label(n),
        memory_bytes: estimate_memory(&terms, &largest_sector, complex, false),
        memory_cached_bytes: estimate_memory(&terms, &largest_sector, complex, true),
        seconds: seconds_ns * 1e-9 / threads,
    })
}

impl Experiment for Ed {
    const COMMAND: &'static str = "ed";
    type Params = EdParams;
    type Record = EdRecord;

    fn validate(p: &EdParams) -> Result<()> {
        check_numbers(p)?;
        if p.model.is_gauge() {
            return gauge::validate(p);
        }
        for (flag, given) in
            [("lmax", p.lmax.is_some()), ("link-spin", p.link_spin.is_some()), ("lambda", p.lambda != 0.0)]
        {
            if given {
                return Err(Error::invalid(
                    flag,
                    "given to a spin model",
                    "--lmax, --link-spin and --lambda belong to the rotor and quantum-link models",
                ));
            }
        }
        let terms = SpinTerms::new(&spin_model(p)?)?;
        let sector = spin_sector_of(p, &terms)?;
        let est = estimate(p)?;
        check_memory(
            &format!("exact diagonalization of {} states (sector {})", est.largest as u64, est.largest_label),
            est.memory_bytes,
            "fix more quantum numbers with --sector (sz=0,k=0,parity=1,spinflip=1) or use a smaller lattice",
        )?;
        let n = terms.lattice.n_sites();
        match &sector {
            Some(s) => {
                // The exact dimension of small sectors (a quick enumeration) for the nev check.
                let dim = if est.largest <= 2e5 {
                    SpinBasis::new(&terms.lattice, s, terms.conserves_sz())?.dim() as f64
                } else {
                    est.largest
                };
                if dim == 0.0 {
                    return Err(Error::invalid(
                        "sector",
                        s.label(n),
                        format!("this sector has no states on the {} lattice", terms.lattice),
                    ));
                }
                if p.nev as f64 > dim {
                    return Err(Error::invalid(
                        "nev",
                        p.nev.to_string(),
                        format!("sector {} has only {dim} states; ask for at most {dim}", s.label(n)),
                    ));
                }
            }
            None => {
                if p.nev as f64 > 2f64.powi(n as i32) {
                    return Err(Error::invalid(
                        "nev",
                        p.nev.to_string(),
                        format!("the whole space has only {} states", 1u64 << n),
                    ));
                }
            }
        }
        if p.observables.contains(&Observable::Dynamic) && sector.as_ref().is_some_and(|s| s.k.is_none()) {
            return Err(Error::invalid(
                "observables",
                "dynamic",
                "S(q, ω) needs a ground state of definite momentum: give --sector with k (e.g. sz=0,k=0)",
            ));
        }
        for f in &p.finite_size {
            let q = EdParams { lattice: f.clone(), finite_size: Vec::new(), ..p.clone() };
            let l = parse_lattice(f)?;
            if l.dim() != terms.lattice.dim() || l.n_sites() >= n {
                return Err(Error::invalid(
                    "finite-size",
                    f.clone(),
                    format!("give smaller lattices of the same dimension as {} for the extrapolation", terms.lattice),
                ));
            }
            Self::validate(&q)?;
        }
        Ok(())
    }

    fn run(p: &EdParams, obs: &mut dyn Observer) -> Result<EdRecord> {
        Self::validate(p)?;
        if p.model.is_gauge() {
            return Ok(EdRecord::Gauge(gauge::run(p, obs)?));
        }
        Ok(EdRecord::Spin(Box::new(run_spin(p, obs)?)))
    }

    fn demo(_seed: u64) -> Vec<DemoRun<EdParams>> {
        let chain = EdParams {
            lattice: "20".into(),
            sector: Some("sz=0,k=0,parity=1,spinflip=1".into()),
            tol: 1e-11,
            observables: vec![Observable::Dynamic],
            dynamic_steps: 120,
            finite_size: vec!["16".into()],
            ..Default::default()
        };
        let a1 = Some("sz=0,k=0:0,rotation=1,mirror=1,spinflip=1".to_string());
        let square = EdParams { lattice: "4x4".into(), sector: a1.clone(), ..Default::default() };
        let j1j2 = EdParams { lattice: "4x4".into(), sector: a1, j2: Some(0.5), ..Default::default() };
        let title = "Spin waves, the quantum view (exact diagonalization)";
        vec![
            DemoRun { chapter: 1, title: title.into(), dir: "ch1-ed-chain".into(), params: chain },
            DemoRun { chapter: 1, title: title.into(), dir: "ch1-ed-square".into(), params: square },
            DemoRun { chapter: 1, title: title.into(), dir: "ch1-ed-j1j2".into(), params: j1j2 },
        ]
    }
}

/// The observer shared by the closures of a run (progress, stop) and the checkpoints.
struct Shared<'a> {
    obs: RefCell<&'a mut dyn Observer>,
    header: serde_json::Value,
}

impl Shared<'_> {
    fn stop(&self) -> bool {
        self.obs.borrow().should_stop()
    }
    fn say(&self, line: &str) {
        self.obs.borrow_mut().say(line);
    }
    fn save(&self, name: &str, bytes: &[u8]) -> Result<()> {
        match self.obs.borrow().checkpoints() {
            Some(c) => c.save(name, &self.header, bytes),
            None => Ok(()),
        }
    }
    fn load(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match self.obs.borrow().checkpoints() {
            Some(c) => c.load(name, &self.header),
            None => Ok(None),
        }
    }
    fn resumable(&self) -> bool {
        self.obs.borrow().checkpoints().is_some()
    }
}

/// A checkpoint name for a sector label (`sz=0,k=0:0,parity=-1` → `sz0_k0x0_paritym1`).
fn ckpt_name(prefix: &str, label: &str) -> String {
    let mut s = String::from(prefix);
    for c in label.chars() {
        match c {
            ',' => s.push('_'),
            ':' => s.push('x'),
            '-' => s.push('m'),
            '/' => s.push('h'),
            '=' => {}
            c if c.is_ascii_alphanumeric() => s.push(c),
            _ => s.push('_'),
        }
    }
    s
}

/// The whole-space search's hooks: progress per sector, stop, checkpoints per finished sector.
struct Hooks<'s, 'a> {
    shared: &'s Shared<'a>,
    total: usize,
}

impl SearchHooks for Hooks<'_, '_> {
    fn begin(&mut self, total: usize) {
        self.total = total;
        self.shared.obs.borrow_mut().stage("sectors", total as u64);
    }
    fn sector(&mut self, index: usize, _planned: &Planned) {
        self.shared.obs.borrow_mut().advance(index as u64);
    }
    fn finished(&mut self, index: usize, planned: &Planned, levels: &Levels) -> Result<()> {
        self.shared.obs.borrow_mut().advance(index as u64 + 1);
        let bytes =
            serde_json::to_vec(levels).map_err(|e| Error::Json { context: "a sector's levels".into(), source: e })?;
        self.shared.save(&ckpt_name("sector-", &planned.label), &bytes)
    }
    fn restore(&mut self, planned: &Planned) -> Option<Levels> {
        let bytes = self.shared.load(&ckpt_name("sector-", &planned.label)).ok().flatten()?;
        serde_json::from_slice(&bytes).ok()
    }
    fn should_stop(&self) -> bool {
        self.shared.stop()
    }
    fn lanczos_state(&mut self, planned: &Planned) -> Option<Vec<u8>> {
        self.shared.load(&ckpt_name("lanczos-", &planned.label)).ok().flatten()
    }
    fn keep_lanczos_state(&mut self, planned: &Planned, bytes: &[u8]) -> Result<()> {
        self.shared.save(&ckpt_name("lanczos-", &planned.label), bytes)
    }
}

fn human_seconds(s: f64) -> String {
    if s < 1.0 {
        "< 1 s".into()
    } else if s < 120.0 {
        format!("~{s:.0} s")
    } else {
        format!("~{:.0} min", s / 60.0)
    }
}

/// The levels of a spin run (one sector or the whole space) and what goes into the record.
struct Found {
    levels: Vec<Level>,
    sectors: Vec<Levels>,
    dimension: usize,
    converged: bool,
    residuals: Vec<f64>,
    iterations: usize,
    method: String,
    search: Option<SearchSummary>,
    /// The ground state's sector and vector, if computed (observables).
    ground: Option<(SpinBasis, Vectors)>,
}

fn interrupted(what: &str, kept: String) -> Error {
    Error::Interrupted { what: what.into(), kept }
}

/// Solve one sector (stoppable, resumable from its Lanczos state).
fn solve_one(terms: &SpinTerms, sector: &Sector, p: &EdParams, shared: &Shared, vectors: bool) -> Result<Found> {
    let n = terms.lattice.n_sites();
    let label = sector.label(n);
    shared.obs.borrow_mut().stage(&format!("basis of {label}"), 0);
    let Some(basis) = SpinBasis::new_until(&terms.lattice, sector, terms.conserves_sz(), &|| shared.stop())? else {
        let kept = if shared.resumable() {
            format!(
                "nothing new: sector {label} was stopped while its basis was being enumerated (continue with --resume)"
            )
        } else {
            "nothing (the run was not resumable; give --out to keep its state)".into()
        };
        return Err(interrupted("exact diagonalization", kept));
    };
    let dim = basis.dim();
    let so = SolveOptions {
        nev: p.nev.min(dim),
        tol: p.tol,
        storage: p.cache.storage(),
        eigenvectors: vectors,
        ..Default::default()
    };
    let name = ckpt_name("lanczos-", &label);
    let resume = shared.load(&name)?;
    if resume.is_some() {
        shared.say(&format!("resuming the Lanczos run of sector {label} from its checkpoint"));
    }
    shared.obs.borrow_mut().stage(&format!("Lanczos in {label} ({dim} states)"), 0);
    let stop = || shared.stop();
    let step = |m: usize, _e0: f64, _r: f64| shared.obs.borrow_mut().advance(m as u64);
    let control = Control { should_stop: Some(&stop), enough: None, progress: Some(&step) };
    let keep_basis = vectors.then(|| basis.clone());
    match spin_sector_with(terms, basis, &so, control, resume.as_deref())? {
        SectorSolved::Done(l, v) => Ok(Found {
            levels: l.energies.iter().map(|&e| Level { energy: e, sector: l.sector.clone() }).collect(),
            dimension: l.dimension,
            converged: l.converged,
            residuals: l.residuals.clone(),
            iterations: l.iterations,
            method: l.method.clone(),
            search: None,
            ground: keep_basis.zip(v),
            sectors: vec![l],
        }),
        SectorSolved::Enough(_) => unreachable!("no bound in a single-sector run"),
        SectorSolved::Stopped(state) => {
            let kept = match state {
                Some(bytes) if shared.resumable() => {
                    shared.save(&name, &bytes)?;
                    format!("the Lanczos run of sector {label} (continue with --resume)")
                }
                None if shared.resumable() => {
                    format!("nothing: sector {label} was stopped while its Hamiltonian was being built")
                }
                _ => "nothing (the run was not resumable; give --out to keep its state)".into(),
            };
            Err(interrupted("exact diagonalization", kept))
        }
    }
}

/// The whole-space search, then (for observables) the ground state's vector.
fn solve_all(terms: &SpinTerms, p: &EdParams, shared: &Shared) -> Result<Found> {
    let n = terms.lattice.n_sites();
    let so = SolveOptions { tol: p.tol, storage: p.cache.storage(), ..Default::default() };
    let opts = SearchOptions { nev: p.nev, solve: so, ..Default::default() };
    let mut hooks = Hooks { shared, total: 0 };
    let s = match lowest_levels(terms, &opts, &mut hooks)? {
        SearchEnd::Done(s) => s,
        SearchEnd::Interrupted { finished, total } => {
            let kept = if shared.resumable() {
                format!("{finished} of {total} sectors (continue with --resume)")
            } else {
                format!("nothing: {finished} of {total} sectors were done, but without --out there is no checkpoint")
            };
            return Err(interrupted("exact diagonalization over all sectors", kept));
        }
    };
    let converged = s.sectors.iter().all(|l| l.converged);
    let residual = s.sectors.iter().flat_map(|l| l.residuals.clone()).fold(0.0, f64::max);
    let iterations = s.sectors.iter().map(|l| l.iterations).sum();
    let search = Some(SearchSummary {
        empty: s.planned - s.sectors.len(),
        pruned: s.pruned,
        restored: s.restored,
        sectors: s.planned,
    });
    let mut found = Found {
        levels: s.levels,
        sectors: s.sectors,
        dimension: 1usize << n,
        converged,
        residuals: vec![residual],
        iterations,
        method: "sector by sector".into(),
        search,
        ground: None,
    };
    if !p.observables.is_empty() {
        let gs = Sector::parse(&found.levels[0].sector, &terms.lattice)?;
        let q = EdParams { nev: 1, tol: p.tol.min(1e-10), ..p.clone() };
        found.ground = solve_one(terms, &gs, &q, shared, true)?.ground;
    }
    Ok(found)
}

fn run_spin(p: &EdParams, obs: &mut dyn Observer) -> Result<SpinRecord> {
    let t0 = Instant::now();
    let model = spin_model(p)?;
    let terms = SpinTerms::new(&model)?;
    let l = terms.lattice.clone();
    let n = l.n_sites();
    let sector = spin_sector_of(p, &terms)?;
    let est = estimate(p)?;
    let header = serde_json::json!({
        "command": "ed",
        "ether_version": crate::record::VERSION,
        "params": serde_json::to_value(p).map_err(|e| Error::Json { context: "parameters".into(), source: e })?,
    });
    let shared = Shared { obs: RefCell::new(obs), header };
    shared.say(&format!(
        "ed: {} on {} ({n} sites), {}largest sector ~{} states, memory ~{} matrix-free / ~{} with the row cache, time {}",
        model.name,
        p.lattice,
        if est.sectors > 1 { format!("{} sectors, ", est.sectors) } else { String::new() },
        est.largest as u64,
        human_bytes(est.memory_bytes),
        human_bytes(est.memory_cached_bytes),
        human_seconds(est.seconds)
    ));
    let want_vectors = !p.observables.is_empty();
    let found = match &sector {
        Some(s) => solve_one(&terms, s, p, &shared, want_vectors)?,
        None => solve_all(&terms, p, &shared)?,
    };
    let energies: Vec<f64> = found.levels.iter().map(|x| x.energy).collect();
    let observables = match &found.ground {
        Some((basis, v)) => {
            shared.obs.borrow_mut().stage("observables", 0);
            Some(observe::compute(p, &terms, basis, v, energies[0], &shared)?)
        }
        None => None,
    };
    let mut finite_size = Vec::new();
    for f in &p.finite_size {
        let q = EdParams { lattice: f.clone(), finite_size: Vec::new(), nev: 1, ..p.clone() };
        shared.say(&format!("finite-size series: {f}"));
        let t = SpinTerms::new(&spin_model(&q)?)?;
        let sec = spin_sector_of(&q, &t)?;
        let fnd = match &sec {
            Some(s) => solve_one(&t, s, &q, &shared, want_vectors)?,
            None => solve_all(&t, &q, &shared)?,
        };
        let e0 = fnd.levels[0].energy;
        let lowest_pole = match (&observables, &fnd.ground) {
            (Some(o), Some((b, v))) if o.dynamic.is_some() => observe::poles_at(&q, &t, b, v, e0, o)?,
            _ => Vec::new(),
        };
        finite_size.push(FiniteSizePoint { lattice: f.clone(), n_sites: t.lattice.n_sites(), e0, lowest_pole });
    }
    let context = claims::Context::of(p, &terms, sector.as_ref());
    let mut rec = SpinRecord {
        claims: Vec::new(),
        converged: found.converged,
        dimension: found.dimension,
        gap: (energies.len() > 1).then(|| energies[1] - energies[0]),
        energies,
        estimated_memory_bytes: est.memory_bytes,
        estimated_memory_cached_bytes: est.memory_cached_bytes,
        estimated_seconds: est.seconds,
        finite_size,
        iterations: found.iterations,
        lattice: p.lattice.clone(),
        levels: found.levels,
        method: found.method,
        model: model.name.clone(),
        observables,
        residuals: found.residuals,
        search: found.search,
        sector: sector.as_ref().map(|s| s.label(n)).unwrap_or_else(|| "all".into()),
        sectors: found.sectors,
        seconds: t0.elapsed().as_secs_f64(),
        context,
    };
    rec.claims = claims::claims(&rec);
    Ok(rec)
}

impl Record for EdRecord {
    fn arrays(&self) -> Vec<DataArray> {
        match self {
            EdRecord::Spin(r) => r.arrays(),
            EdRecord::Gauge(_) => Vec::new(),
        }
    }
    fn claims(&self) -> Vec<Claim> {
        match self {
            EdRecord::Spin(r) => r.claims.clone(),
            EdRecord::Gauge(g) => g.claims(),
        }
    }
    fn summary(&self) -> Vec<String> {
        match self {
            EdRecord::Spin(r) => r.summary(),
            EdRecord::Gauge(_) => Vec::new(),
        }
    }
    fn narrative(&self) -> Vec<String> {
        match self {
            EdRecord::Spin(r) => claims::narrative(r),
            EdRecord::Gauge(_) => Vec::new(),
        }
    }
}

impl SpinRecord {
    fn arrays(&self) -> Vec<DataArray> {
        let labels: Vec<String> = self.levels.iter().map(|l| l.sector.clone()).collect();
        let level = Axis::labelled("level (its sector)", "levels_sector.npy", labels);
        let mut v = vec![DataArray::real(
            "energies.npy",
            "the lowest energies, ascending, each labelled by its sector",
            "J",
            vec![level],
            self.energies.clone(),
        )];
        if let Some(o) = &self.observables {
            v.extend(o.arrays());
        }
        v
    }

    fn summary(&self) -> Vec<String> {
        let mut v: Vec<String> =
            self.levels.iter().map(|lv| format!("  E = {:.12}   [{}]", lv.energy, lv.sector)).collect();
        if !self.converged {
            v.push("warning: not every level converged".into());
        }
        if let Some(s) = &self.search {
            v.push(format!(
                "{} of {} sectors hold states; {} ended early above the bound, {} restored from the checkpoint; {} Lanczos steps in {:.1} s (estimated {})",
                s.sectors - s.empty,
                s.sectors,
                s.pruned,
                s.restored,
                self.iterations,
                self.seconds,
                human_seconds(self.estimated_seconds)
            ));
        }
        if let Some(e) = self.observables.as_ref().and_then(|o| o.entanglement.as_ref()) {
            v.push(format!("  entanglement entropy of sites 0..{}: {:.10}", e.n_a, e.entropy));
        }
        for c in &self.claims {
            v.push(format!("  [{}] {}: {}", if c.pass { "pass" } else { "fail" }, c.claim, c.measured));
        }
        v
    }
}
