//! Chapter 2, "Light from qubits": the rotor model's photon (`ether photon`).
//!
//! `H = U Σ Q² + J Σ L² − g Σ_p (B_p + h.c.)` on the cubic lattice (docs/physics/photon.md):
//! - [`Method::Modes`]: the linearized modes from the model's own quadratic form, at every lattice
//!   momentum, with the talk's quantum-fluctuation criterion per helicity (the Gaussian ground
//!   state and the compactness of the angles, [`crate::modes::photon::gaussian`]);
//! - [`Method::Dynamics`]: the full compact model evolved in time from a state far from
//!   equipartition, with S(k, ω) of E and B, the helicity-resolved polarization count and the
//!   discrete Maxwell equations ([`crate::dynamics::rotor`]).
//!
//! Every verdict word is assembled here from a number of the record and a threshold stated next
//! to it; the claims are [`Claim`]s.

use crate::dynamics::rotor::polarization::{
    count_polarizations, unequal_state, unequal_weights, PolarizationCount, UnequalConfig, UnequalWeights,
};
use crate::dynamics::rotor::runner::SpectrumRunner;
use crate::dynamics::rotor::{
    fields, fit_speed, omega_max, peaks, tone_frequency, EvolveConfig, Peak, RotorState, SpectrumRun,
};
use crate::error::{Error, Result};
use crate::experiment::{check_memory, fmt_num, Axis, Claim, DataArray, DemoRun, Experiment, Observer, Record};
use crate::lattice::{wrap_pi, Lattice, Momentum};
use crate::mc::rotor::{thermal_state, ThermalConfig};
use crate::model::RotorModel;
use crate::modes::photon::gaussian::{
    photon_grid, ModeClass, PhotonFluctuations, ANHARMONIC_LIMIT, SMALL_FRACTION_OF_PERIOD,
};
use crate::modes::photon::{fit_points, modes_at, parse_momentum, small_k_fit, BranchFit, MomentumModes};
use serde::{Deserialize, Serialize};

/// Which calculation to run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Linearized normal modes at every momentum, and the Gaussian ground state per helicity.
    #[default]
    Modes,
    /// The full nonlinear classical dynamics, with S(k, ω).
    Dynamics,
}

/// Static background charges of the dynamics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Charges {
    /// The Q = 0 sector.
    #[default]
    None,
    /// A static +1/−1 pair in the plane z = 1 (Coulomb field lines).
    Pair,
}

/// The initial state of the dynamics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Initial {
    /// Far from equipartition: a random weight per helicity and a random factor per momentum
    /// (the polarization count cannot come from the initial state).
    #[default]
    Unequal,
    /// The classical thermal state at `temperature` (equipartition), harmonic draw plus Metropolis.
    Thermal,
}

/// The parameters of `ether photon` (keys are the command's long flags).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Periodic cubic lattice, three extents, e.g. "16x16x16".
    pub lattice: String,
    /// Charge energy U ≥ 0 (U Σ Q²): enforces Gauss's law; it drops out of the photon.
    #[serde(rename = "U", deserialize_with = "null_as_nan")]
    pub u: f64,
    /// Plaquette coupling g > 0 (string fluctuation, the magnetic energy).
    #[serde(deserialize_with = "null_as_nan")]
    pub g: f64,
    /// String tension J > 0 (the electric energy); the speed of light is c = 2√(gJ).
    #[serde(rename = "J", deserialize_with = "null_as_nan")]
    pub j: f64,
    /// `modes` (linearized modes and the Gaussian ground state) or `dynamics` (nonlinear, in time).
    pub method: Method,
    /// One momentum "kx,ky,kz" in radians per lattice spacing ('pi', 'pi/2' allowed): report the
    /// modes there (with dynamics: a lattice momentum 2πn/L).
    pub k: Option<String>,
    /// Energy scale of the initial state (energy units); default 0.01 g.
    pub temperature: Option<f64>,
    /// Leapfrog time steps (dynamics).
    pub steps: usize,
    /// Time step; default 0.25/ω_max with ω_max = 4√3√(gJ) the top of the photon band.
    pub dt: Option<f64>,
    /// A frame of S(k, ω) every this many steps; default: the largest interval whose Nyquist
    /// frequency is 1.25 ω_max.
    pub frame_every: Option<usize>,
    /// Metropolis sweeps of the thermal initial state (`initial = thermal`).
    pub sweeps: usize,
    /// Static charges in the initial state: `none` or `pair`.
    pub charges: Charges,
    /// Initial state of the dynamics: `unequal` (far from equipartition) or `thermal`.
    pub initial: Initial,
    /// Seed of the initial state (same seed, same numbers, any thread count).
    pub seed: u64,
}

/// A number that JSON wrote as `null` (JSON has no NaN) reads back as NaN, so that `validate`
/// refuses it with its own message instead of a type error.
pub(crate) fn null_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

impl Default for Params {
    fn default() -> Self {
        Params {
            lattice: "16x16x16".into(),
            u: 10.0,
            g: 1.0,
            j: 0.1,
            method: Method::Modes,
            k: None,
            temperature: None,
            steps: 4000,
            dt: None,
            frame_every: None,
            sweeps: 10,
            charges: Charges::None,
            initial: Initial::Unequal,
            seed: 1,
        }
    }
}

/// Parameters with their defaults resolved.
#[derive(Clone, Debug)]
struct Resolved {
    model: RotorModel,
    k: Option<Vec<f64>>,
    temperature: f64,
    dt: f64,
    frame_every: usize,
}

/// CPU seconds per momentum of the modes pass (one 3x3 normal-mode problem with helicities, the
/// quadratic form and the incidence matrices): 1.7e-5 measured (`ether photon --lattice 32x32x32`,
/// 0.55 s of CPU for 32768 momenta), rounded up. The estimate divides by the thread count.
const SECONDS_PER_MOMENTUM: f64 = 2e-5;

/// CPU seconds per link and leapfrog step of a dynamics run, analysis included: 4e-8 measured
/// (`ether photon --lattice 12x12x12 --method dynamics --steps 2000`, 0.43 s of CPU).
const SECONDS_PER_LINK_STEP: f64 = 4e-8;

/// The longest run the modes method starts without being asked (seconds); `ETHER_TIME_LIMIT`
/// (seconds) overrides it. The mode sums converge long before such lattices (the flux variance
/// of 32³ is within 1e-5 of its L → ∞ value), so a larger run is almost always a typo.
pub const TIME_LIMIT_SECONDS: f64 = 3600.0;

/// The time budget: `ETHER_TIME_LIMIT` in seconds, else [`TIME_LIMIT_SECONDS`].
pub fn time_limit() -> f64 {
    std::env::var("ETHER_TIME_LIMIT").ok().and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or(TIME_LIMIT_SECONDS)
}

fn threads() -> f64 {
    rayon::current_num_threads().max(1) as f64
}

fn human_seconds(s: f64) -> String {
    if s < 1.0 {
        "< 1 s".into()
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// The estimated run time in seconds (before anything is allocated).
fn estimate_seconds(p: &Params, r: &Resolved) -> f64 {
    let n = r.model.lattice.n_sites() as f64;
    match p.method {
        Method::Modes => n * SECONDS_PER_MOMENTUM / threads(),
        Method::Dynamics => {
            3.0 * n * p.steps as f64 * SECONDS_PER_LINK_STEP / threads() + n * SECONDS_PER_MOMENTUM / threads()
        }
    }
}

fn resolve(p: &Params) -> Result<Resolved> {
    let lattice = Lattice::parse(&p.lattice).map_err(|e| Error::invalid("--lattice", &p.lattice, e.to_string()))?;
    if lattice.dim() != 3 {
        return Err(Error::invalid(
            "--lattice",
            &p.lattice,
            "the photon lives on the cubic lattice (plaquettes in three planes, a divergence in 3D); give three extents, e.g. 16x16x16",
        ));
    }
    for (name, v) in [("--U", p.u), ("--g", p.g), ("--J", p.j)] {
        if !v.is_finite() {
            return Err(Error::invalid(name, v.to_string(), "give a finite number"));
        }
    }
    if p.u < 0.0 {
        return Err(Error::invalid(
            "--U",
            p.u.to_string(),
            "U Σ Q² is the energy cost of charges; U < 0 would make charges pay and the vacuum unstable. Use U ≥ 0 (the photon phase needs U ≫ g)",
        ));
    }
    if p.g <= 0.0 {
        return Err(Error::invalid(
            "--g",
            p.g.to_string(),
            "the plaquette term g makes closed strings fluctuate (the magnetic energy); without g > 0 there is no restoring force and no photon. Use g > 0 with g ≫ J, e.g. --g 1",
        ));
    }
    if p.j <= 0.0 {
        return Err(Error::invalid(
            "--J",
            p.j.to_string(),
            "the string tension J is the electric energy J L²; the photon needs J > 0 (c = 2√(gJ)) and the Coulomb phase J ≪ g, e.g. --J 0.1",
        ));
    }
    let model = RotorModel::new_3d(lattice.clone(), p.u, p.g, p.j)?;
    let k = match &p.k {
        Some(s) => Some(parse_momentum(s, 3).map_err(|e| Error::invalid("--k", s, e))?),
        None => None,
    };
    let temperature = p.temperature.unwrap_or(0.01 * p.g);
    if !temperature.is_finite() || temperature < 0.0 {
        return Err(Error::invalid(
            "--temperature",
            temperature.to_string(),
            "give a temperature ≥ 0 in energy units, e.g. 0.01",
        ));
    }
    let wmax = omega_max(&model);
    let dt = p.dt.unwrap_or(0.25 / wmax);
    if !dt.is_finite() || dt <= 0.0 {
        return Err(Error::invalid(
            "--dt",
            dt.to_string(),
            format!("give a positive time step, e.g. {:.4} (= 0.25/ω_max)", 0.25 / wmax),
        ));
    }
    // Nyquist π/(dt·fe) ≥ 1.25 ω_max.
    let frame_every =
        p.frame_every.unwrap_or_else(|| ((std::f64::consts::PI / (1.25 * wmax * dt)).floor() as usize).max(1));
    if frame_every == 0 {
        return Err(Error::invalid("--frame-every", "0", "give at least 1"));
    }
    Ok(Resolved { model, k, temperature, dt, frame_every })
}

/// The largest ratio of two nonzero couplings (U, g, J) the dynamics accepts.
const MAX_COUPLING_RATIO: f64 = 1e12;

fn validate_resolved(p: &Params, r: &Resolved) -> Result<()> {
    let lattice = &r.model.lattice;
    let n = lattice.n_sites() as u64;
    if p.method == Method::Dynamics {
        // The leapfrog runs in one set of units for all three terms: with couplings 1e12 apart,
        // the rounding of the fast variables (e.g. div E at √(T/J) per link, times U) outweighs
        // the waves' energy (U/J ≪ 1/ε² ≈ 1e32 is the hard limit; 1e12 leaves the digits to
        // measure an energy drift of 1e-6).
        let (lo, hi) = [("U", p.u), ("g", p.g), ("J", p.j)]
            .into_iter()
            .filter(|c| c.1 > 0.0)
            .fold((("", f64::INFINITY), ("", 0.0)), |(lo, hi), c| {
                (if c.1 < lo.1 { c } else { lo }, if c.1 > hi.1 { c } else { hi })
            });
        if hi.1 / lo.1 > MAX_COUPLING_RATIO {
            return Err(Error::invalid(
                "couplings",
                format!("{} = {}, {} = {}", hi.0, fmt_num(hi.1), lo.0, fmt_num(lo.1)),
                format!(
                    "{}/{} = {} is more than 1e12: one time step cannot follow both scales in double precision; keep the couplings within 1e12 of each other (energies are in the units of g, so only their ratios matter)",
                    hi.0,
                    lo.0,
                    fmt_num(hi.1 / lo.1)
                ),
            ));
        }
        let wmax = omega_max(&r.model);
        if r.dt * wmax >= 2.0 {
            return Err(Error::invalid(
                "--dt",
                r.dt.to_string(),
                format!(
                    "dt·ω_max = {:.3} ≥ 2: the leapfrog is unstable for the top of the photon band (it needs dt < 2/ω_max = {:.4}, ω_max = 4√3√(gJ) = {wmax:.4}); use dt ≤ {:.4} (dt·ω_max = 0.25)",
                    r.dt * wmax,
                    2.0 / wmax,
                    0.25 / wmax
                ),
            ));
        }
        if r.temperature <= 0.0 {
            return Err(Error::invalid(
                "--temperature",
                "0",
                "the classical vacuum does not move, so the dynamics has no waves to measure; give T > 0, e.g. --temperature 0.01",
            ));
        }
        if p.steps / r.frame_every < 8 {
            return Err(Error::invalid(
                "--steps",
                p.steps.to_string(),
                format!(
                    "with a frame every {} steps that gives fewer than 8 frames; use --steps {} or more",
                    r.frame_every,
                    8 * r.frame_every
                ),
            ));
        }
        if let Some(k) = &r.k {
            let i = lattice.momentum_index(&Momentum::new(k));
            let g = lattice.momentum_of_index(i);
            if k.iter().zip(g.components()).any(|(x, y)| wrap_pi(x - y).abs() > 1e-9) {
                return Err(Error::invalid(
                    "--k",
                    p.k.clone().unwrap_or_default(),
                    format!(
                        "the dynamics only has lattice momenta k_a = 2π n_a/L_a on {lattice}; pick one of those (e.g. 2pi/{},0,0)",
                        lattice.extents()[0]
                    ),
                ));
            }
        }
        // state, force and scratch (8 link arrays), the initial state's transforms (6 complex site
        // fields), the frames of E and B with one complex transform (S(k, ω) memory, see
        // `photon_spectrum`) and its accumulators
        let frames = (p.steps / r.frame_every) as u128;
        let need = crate::experiment::bytes_of(3 * n as u128, 8 * 8)
            .saturating_add(crate::experiment::bytes_of(6 * n as u128, 16))
            .saturating_add(crate::experiment::bytes_of(frames * n as u128, 6 * 8 + 3 * 16 + 7 * 8));
        check_memory(
            &format!("the rotor dynamics on {lattice} with {frames} frames"),
            need,
            "use a smaller --lattice, fewer --steps or a larger --frame-every (16x16x16 with 4000 steps needs about 200 MB)",
        )?;
    }
    let secs = estimate_seconds(p, r);
    let limit = time_limit();
    if p.method == Method::Modes && secs > limit {
        return Err(Error::invalid(
            "--lattice",
            lattice.to_string(),
            format!(
                "the modes at its {n} momenta would take about {} on {} threads, more than the {} budget (ETHER_TIME_LIMIT seconds raises it); the mode sums converge long before (32x32x32: the flux variance within 1e-5 of L → ∞): use a smaller lattice",
                human_seconds(secs),
                threads(),
                human_seconds(limit)
            ),
        ));
    }
    Ok(())
}

/// One mode at the requested momentum, as in the JSON of earlier versions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModeEntry {
    /// Helicity +1, −1 or 0; null at k = 0.
    pub helicity: Option<i32>,
    /// ω.
    pub omega: f64,
    /// ω² as solved.
    pub omega2: f64,
    /// Polarization (link-midpoint gauge), `[re, im]` per component.
    pub polarization: [[f64; 2]; 3],
    /// `|K̂·e|`.
    pub longitudinal_overlap: f64,
    /// "transverse photon", "longitudinal (zero mode)" or "k = 0 holonomy".
    pub kind: String,
}

fn mode_entries(mm: &MomentumModes) -> Vec<ModeEntry> {
    mm.modes
        .iter()
        .map(|m| ModeEntry {
            helicity: m.helicity,
            omega: m.omega,
            omega2: m.omega2,
            polarization: m.polarization,
            longitudinal_overlap: m.longitudinal_overlap,
            kind: match m.helicity {
                Some(0) => "longitudinal (zero mode)",
                Some(_) => "transverse photon",
                None => "k = 0 holonomy",
            }
            .into(),
        })
        .collect()
}

/// The entry of `--json`'s `fluctuations` list (issue 18).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FluctuationEntry {
    /// Helicity +1, −1 or 0.
    pub helicity: i32,
    /// rms angle per link (radians); null when unbounded (no restoring force).
    pub angle_rms: Option<f64>,
    /// rms angular momentum (electric field) per link.
    pub conjugate_rms: f64,
    /// rms plaquette flux from this helicity.
    pub flux_rms: f64,
    /// Period of the compact angle (2π).
    pub compact_period: f64,
    /// The verdict, from these numbers and the stated thresholds.
    pub verdict: String,
}

/// The path of the branch plot: corner labels by point index.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PathLabels {
    /// (point index, label) of the corners Γ, X, M, R.
    pub labels: Vec<(usize, String)>,
}

/// The record of `--method modes`.
#[derive(Clone, Debug, Serialize)]
pub struct ModesRecord {
    /// "modes".
    pub method: String,
    /// Branches with ω → 0 linearly.
    pub gapless_branches: usize,
    /// Zero modes at every k ≠ 0 (the largest count over the grid).
    pub zero_modes: usize,
    /// The smallest zero-mode count over k ≠ 0.
    pub zero_modes_min: usize,
    /// Zero modes over the whole grid (k = 0 included).
    pub zero_modes_total: usize,
    /// Mean exponent of the gapless branches.
    pub exponent: f64,
    /// Mean speed ω/|k| of the gapless branches at the smallest probed |k|.
    pub speed_of_light: f64,
    /// 2√(gJ).
    pub speed_of_light_expected: f64,
    /// The three branches' small-k fits.
    pub branch_fits: Vec<BranchFit>,
    /// Helicity of each branch of `branch_fits` at the smallest probed |k|.
    pub branch_helicities: Vec<Option<i32>>,
    /// Classical vacuum energy plus the zero-point energy, per site.
    pub gaussian_energy_per_site: f64,
    /// The Gaussian ground state per helicity (issue 18).
    pub fluctuations: Vec<FluctuationEntry>,
    /// The full Gaussian analysis (totals, thresholds, scaling, the charge-pair gap).
    pub gaussian: PhotonFluctuations,
    /// The verdict.
    pub verdict: String,
    /// The comparison with chapter 1, assembled from the same numbers.
    pub contrast: String,
    /// The requested momentum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<[f64; 3]>,
    /// `|K|²` there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lattice_k2: Option<f64>,
    /// The modes there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modes: Option<Vec<ModeEntry>>,
    /// Zero modes there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zero_modes_at_k: Option<usize>,
    /// The lattice.
    pub lattice: String,
    /// Couplings (U, g, J).
    pub couplings: [f64; 3],
    /// ω of helicity +1, −1, 0 along the path Γ-X-M-R-Γ (rows: path points).
    #[serde(skip)]
    pub branches: Vec<[f64; 3]>,
    /// Path arclength and momenta.
    #[serde(skip)]
    pub path_distance: Vec<f64>,
    #[serde(skip)]
    path_k: Vec<[f64; 3]>,
    /// Corner labels of the path.
    pub path: PathLabels,
    /// The claims.
    pub claims: Vec<Claim>,
}

/// The record of `--method dynamics`.
#[derive(Clone, Debug, Serialize)]
pub struct DynamicsRecord {
    /// "dynamics".
    pub method: String,
    /// Gapless propagating polarizations counted from the helicity-resolved S(k, ω).
    pub gapless_branches: usize,
    /// The count per helicity (issue 18).
    pub polarization_count: PolarizationCount,
    /// The initial state: "unequal" or "thermal".
    pub initial: Initial,
    /// For `unequal`: the drawn helicity weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_weights: Option<UnequalWeights>,
    /// Zero modes per k ≠ 0 of the linearization.
    pub zero_modes: usize,
    /// Exponent of ω ∝ |K|^p through the transverse peaks of the first momentum shells.
    pub exponent: f64,
    /// c from the transverse S(k, ω) peaks of the first two shells.
    pub speed_of_light: f64,
    /// 2√(gJ).
    pub speed_of_light_expected: f64,
    /// max |Q(t) − Q(0)|.
    pub gauss_law_violation: f64,
    /// max |E(t) − E(0)| / (E(0) − E_vac).
    pub energy_drift: f64,
    /// Share of the E weight in longitudinal E at ω ≠ 0.
    #[serde(rename = "longitudinal_E_moving_fraction")]
    pub longitudinal_e_moving_fraction: f64,
    /// Share of the B weight in longitudinal B (monopoles).
    pub monopole_weight_fraction: f64,
    /// Relative residuals of the linear Maxwell equations.
    pub maxwell_residual: MaxwellResidual,
    /// Transverse S(k, ω) peaks of the first two shells.
    pub peaks_small_k: Vec<Peak>,
    /// Transverse S(k, ω) peaks with |K|² ≤ 12.5 (the figure).
    pub peaks: Vec<Peak>,
    /// Frequency resolution Δω.
    pub frequency_resolution: f64,
    /// Energy scale of the initial state.
    pub temperature: f64,
    /// Time step.
    pub dt: f64,
    /// Steps between frames.
    pub frame_every: usize,
    /// Steps.
    pub steps: usize,
    /// The verdict.
    pub verdict: String,
    /// The comparison with chapter 1, from the same numbers.
    pub contrast: String,
    /// The requested momentum and its modes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<[f64; 3]>,
    /// The linearized modes there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modes: Option<Vec<ModeEntry>>,
    /// The measured transverse peak there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured_peak_omega: Option<Option<f64>>,
    /// The lattice.
    pub lattice: String,
    /// Couplings (U, g, J).
    pub couplings: [f64; 3],
    /// Static charges (site, charge).
    pub static_charges: Vec<(usize, f64)>,
    /// Momentum indices of the grid path Γ-X-M-R-Γ, their arclength and corner labels (the figure).
    pub grid_path: GridPath,
    /// The linearized transverse ω at each point of the grid path (the figure's reference curve).
    pub linear_omega_path: Vec<f64>,
    /// The classical vacuum energy −2g N_plaquettes (the scale of the energy drift).
    pub vacuum_energy: f64,
    /// The claims.
    pub claims: Vec<Claim>,
    #[serde(skip)]
    data: DynamicsArrays,
}

/// The grid path of the S(k, ω) figure.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GridPath {
    /// Momentum index of each path point.
    pub k_index: Vec<usize>,
    /// Arclength.
    pub distance: Vec<f64>,
    /// (point index, label).
    pub labels: Vec<(usize, String)>,
}

/// The arrays of a dynamics run.
#[derive(Clone, Debug, Default)]
struct DynamicsArrays {
    n_sites: usize,
    omega: Vec<f64>,
    skw_electric: Vec<f64>,
    skw_magnetic: Vec<f64>,
    skw_helicity_path: Vec<f64>,
    k_vectors: Vec<f64>,
    final_e: Vec<f64>,
    final_b: Vec<f64>,
    mean_e: Vec<f64>,
    time: Vec<f64>,
    energy: Vec<f64>,
    gauss: Vec<f64>,
    path_len: usize,
}

/// The Maxwell residuals.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct MaxwellResidual {
    /// ‖ΔE/dt + 2g CᵀΦ‖/‖2g CᵀΦ‖.
    #[serde(rename = "dE_dt")]
    pub de_dt: f64,
    /// ‖ΔΦ/dt − 2J C E‖/‖2J C E‖.
    #[serde(rename = "dB_dt")]
    pub db_dt: f64,
}

/// What `ether photon` returns.
#[derive(Clone, Debug)]
pub enum PhotonRecord {
    /// `--method modes`.
    Modes(Box<ModesRecord>),
    /// `--method dynamics`.
    Dynamics(Box<DynamicsRecord>),
}

impl Serialize for PhotonRecord {
    /// The document with its keys in sorted order at every level (as earlier versions wrote it).
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let v = match self {
            PhotonRecord::Modes(m) => serde_json::to_value(m),
            PhotonRecord::Dynamics(d) => serde_json::to_value(d),
        }
        .map_err(S::Error::custom)?;
        v.serialize(s)
    }
}

/// The experiment.
#[derive(Clone, Copy, Debug)]
pub struct Photon;

impl Experiment for Photon {
    const COMMAND: &'static str = "photon";
    type Params = Params;
    type Record = PhotonRecord;

    fn validate(p: &Params) -> Result<()> {
        let r = resolve(p)?;
        validate_resolved(p, &r)
    }

    fn run(p: &Params, obs: &mut dyn Observer) -> Result<PhotonRecord> {
        let r = resolve(p)?;
        validate_resolved(p, &r)?;
        let secs = estimate_seconds(p, &r);
        if secs > 10.0 {
            obs.say(&format!(
                "estimated time: about {} of CPU on {} threads (more if the machine is busy)",
                human_seconds(secs),
                threads()
            ));
        }
        match p.method {
            Method::Modes => run_modes(&r, obs).map(|m| PhotonRecord::Modes(Box::new(m))),
            Method::Dynamics => run_dynamics(p, &r, obs).map(|d| PhotonRecord::Dynamics(Box::new(d))),
        }
    }

    fn demo(seed: u64) -> Vec<DemoRun<Params>> {
        vec![
            DemoRun {
                chapter: 2,
                title: "Light from qubits".into(),
                dir: "ch2-photon-modes".into(),
                params: Params { lattice: "8x8x8".into(), seed, ..Default::default() },
            },
            DemoRun {
                chapter: 2,
                title: "Light from qubits".into(),
                dir: "ch2-photon-dynamics".into(),
                params: Params {
                    lattice: "12x12x12".into(),
                    method: Method::Dynamics,
                    temperature: Some(0.01),
                    steps: 6000,
                    frame_every: Some(4),
                    sweeps: 2,
                    charges: Charges::Pair,
                    seed,
                    ..Default::default()
                },
            },
        ]
    }
}

/// The grid pass with progress and interrupts.
fn grid_pass(
    model: &RotorModel,
    obs: &mut dyn Observer,
) -> Result<(PhotonFluctuations, crate::modes::photon::GridSummary)> {
    let n = model.lattice.n_sites();
    obs.stage("modes on the grid", n as u64);
    photon_grid(model, &mut |done, _| {
        obs.advance(done as u64);
        crate::experiment::check_stop(&*obs, "the modes on the grid", || {
            "nothing (the pass takes no checkpoint; rerun it)".into()
        })
    })
}

fn run_modes(r: &Resolved, obs: &mut dyn Observer) -> Result<ModesRecord> {
    let m = &r.model;
    let c_th = m.speed_of_light();
    let direction = [1.0, 0.7, 0.3];
    let fits = small_k_fit(m, direction)?;
    // helicities of the branches at the smallest probed |k|
    let dn = direction.iter().map(|x| x * x).sum::<f64>().sqrt();
    let k_probe: Vec<f64> = direction.iter().map(|x| x / dn * 1e-3).collect();
    let probe = modes_at(m, &k_probe)?;
    let branch_helicities: Vec<Option<i32>> = probe.modes.iter().map(|x| x.helicity).collect();
    let gapless: Vec<&BranchFit> = fits.iter().filter(|f| f.gapless_linear).collect();
    let mean = |f: &dyn Fn(&BranchFit) -> f64| {
        if gapless.is_empty() {
            f64::NAN
        } else {
            gapless.iter().map(|b| f(b)).sum::<f64>() / gapless.len() as f64
        }
    };
    let exponent = mean(&|b| b.exponent);
    let speed = mean(&|b| b.speed);
    let (gauss, summary) = grid_pass(m, obs)?;
    let e_gauss = m.classical_energy(&vec![0.0; m.lattice.n_links()], &vec![0.0; m.lattice.n_links()])
        / m.lattice.n_sites() as f64
        + summary.zero_point_energy_per_site;
    // the branches along the path, for the figure
    let path = m.lattice.high_symmetry_path(24.0);
    let mut branches = Vec::with_capacity(path.len());
    for k in &path.points {
        let mm = modes_at(m, k.components())?;
        let mut w = [0.0; 3];
        if mm.modes.iter().all(|x| x.helicity.is_none()) {
            w = [mm.modes[2].omega, mm.modes[1].omega, mm.modes[0].omega];
        } else {
            for x in &mm.modes {
                match x.helicity {
                    Some(1) => w[0] = x.omega,
                    Some(-1) => w[1] = x.omega,
                    _ => w[2] = x.omega,
                }
            }
        }
        branches.push(w);
    }
    let at_k = match &r.k {
        Some(k) => Some(modes_at(m, k)?),
        None => None,
    };
    if let Some(mm) = &at_k {
        obs.say(&format!(
            "modes at k = ({:.4}, {:.4}, {:.4}) (|K|² = {:.6}):",
            mm.k[0], mm.k[1], mm.k[2], mm.lattice_k2
        ));
        for x in &mm.modes {
            let h = x.helicity.map(|h| if h == 0 { "0".to_string() } else { format!("{h:+}") }).unwrap_or("-".into());
            obs.say(&format!("  helicity {h:>4}  ω = {:.6}", x.omega));
        }
    }
    let fluctuations: Vec<FluctuationEntry> = gauss
        .helicities
        .iter()
        .map(|h| FluctuationEntry {
            helicity: h.helicity,
            angle_rms: h.angle_rms,
            conjugate_rms: h.conjugate_rms,
            flux_rms: h.flux_rms,
            compact_period: h.compact_period,
            verdict: h.verdict.clone(),
        })
        .collect();
    let mut rec = ModesRecord {
        method: "modes".into(),
        gapless_branches: gapless.len(),
        zero_modes: summary.zero_modes_max,
        zero_modes_min: summary.zero_modes_min,
        zero_modes_total: summary.zero_modes_total,
        exponent,
        speed_of_light: speed,
        speed_of_light_expected: c_th,
        branch_fits: fits.clone(),
        branch_helicities,
        gaussian_energy_per_site: e_gauss,
        fluctuations,
        gaussian: gauss,
        verdict: String::new(),
        contrast: String::new(),
        k: at_k.as_ref().map(|mm| mm.k),
        lattice_k2: at_k.as_ref().map(|mm| mm.lattice_k2),
        modes: at_k.as_ref().map(mode_entries),
        zero_modes_at_k: at_k.as_ref().map(|mm| mm.zero_modes),
        lattice: m.lattice.to_string(),
        couplings: [m.u, m.g, m.j],
        branches,
        path_distance: path.distance.clone(),
        path_k: path.points.iter().map(|k| [k.components()[0], k.components()[1], k.components()[2]]).collect(),
        path: PathLabels { labels: path.labels.clone() },
        claims: Vec::new(),
    };
    rec.verdict = modes_verdict(&rec, m);
    rec.contrast = modes_contrast(&rec, m);
    rec.claims = modes_claims(&rec, m);
    Ok(rec)
}

/// Helicities of the gapless branches, in words: "helicity +1 and −1 (transverse)" when they are
/// exactly the two transverse ones.
fn gapless_helicity_words(rec: &ModesRecord) -> (bool, String) {
    let mut hs: Vec<i32> = rec
        .branch_fits
        .iter()
        .zip(&rec.branch_helicities)
        .filter(|(f, _)| f.gapless_linear)
        .filter_map(|(_, h)| *h)
        .collect();
    hs.sort();
    let transverse = hs == vec![-1, 1];
    let words = if transverse {
        "helicity +1 and −1: both transverse".to_string()
    } else {
        let list: Vec<String> = hs.iter().map(|h| format!("{h:+}")).collect();
        format!("helicities {}", list.join(", "))
    };
    (transverse, words)
}

/// The zero-mode helicities at the probe: "helicity 0, longitudinal" when the one zero mode is it.
fn zero_mode_is_longitudinal(rec: &ModesRecord) -> bool {
    let zeros: Vec<Option<i32>> =
        rec.branch_fits.iter().zip(&rec.branch_helicities).filter(|(f, _)| f.zero).map(|(_, h)| *h).collect();
    zeros == vec![Some(0)]
}

fn modes_verdict(rec: &ModesRecord, m: &RotorModel) -> String {
    let (_, hel) = gapless_helicity_words(rec);
    let long = if zero_mode_is_longitudinal(rec) { " (helicity 0: longitudinal, Gauss's law)" } else { "" };
    let g = &rec.gaussian;
    let quantum = if g.semiclassical {
        format!(
            "Gaussian ground state: δθ_±1 = {:.4} rad ≤ 2π/10 and quartic/quadratic ⟨Φ²⟩/4 = {:.3} ≤ {ANHARMONIC_LIMIT}: the photon survives; helicity 0 has no restoring force (δθ unbounded ≫ 2π) and is gapped by a charge pair ({:.4})",
            g.transverse_angle_variance.sqrt(),
            g.anharmonic_ratio,
            g.charge_pair_gap
        )
    } else {
        format!(
            "Gaussian ground state: δθ_±1 = {:.4} rad and ⟨Φ²⟩/4 = {:.3} (limit {ANHARMONIC_LIMIT}, reached for g/J ≥ {:.2} on this lattice): the semiclassical answer does not hold at g/J = {:.4}; the quantum answer is the Monte Carlo of `ether phases`",
            g.transverse_angle_variance.sqrt(),
            g.anharmonic_ratio,
            g.semiclassical_from_g_over_j,
            m.g / m.j
        )
    };
    format!(
        "{} gapless branches with ω ∝ |k|^{:.4} ({hel}), speed {:.6} vs 2√(gJ) = {:.6}; {} zero mode{} at every k ≠ 0{long}, {} in all. Gaussian ground-state energy per site {:.6} = −6g + {:.5}√(gJ) (docs/physics/photon.md: −6g + 4.7752√(gJ) as L → ∞). {quantum}.",
        rec.gapless_branches,
        rec.exponent,
        rec.speed_of_light,
        rec.speed_of_light_expected,
        rec.zero_modes,
        if rec.zero_modes == 1 { "" } else { "s" },
        rec.zero_modes_total,
        rec.gaussian_energy_per_site,
        (rec.gaussian_energy_per_site + 6.0 * m.g) / (m.g * m.j).sqrt()
    )
}

/// Relative splitting of the two gapless branches at the smallest probed |k| (0 for degenerate).
fn transverse_splitting(rec: &ModesRecord) -> f64 {
    let s: Vec<f64> = rec.branch_fits.iter().filter(|f| f.gapless_linear).map(|f| f.speed).collect();
    if s.len() == 2 {
        (s[0] - s[1]).abs() / s[0].abs().max(s[1].abs())
    } else {
        f64::NAN
    }
}

/// The comparison with the antiferromagnet's spin waves, each clause from a number of the record.
fn modes_contrast(rec: &ModesRecord, m: &RotorModel) -> String {
    let (transverse, _) = gapless_helicity_words(rec);
    let split = transverse_splitting(rec);
    let degenerate = split <= 1e-9;
    let frozen = zero_mode_is_longitudinal(rec) && rec.zero_modes == 1 && rec.zero_modes_min == 1;
    let linear = (rec.exponent - 1.0).abs() < 0.01;
    let light = rec.gapless_branches == 2 && transverse && degenerate && frozen && linear;
    if light && rec.gaussian.semiclassical {
        format!(
            "Contrast with chapter 1: the antiferromagnet's spin waves are also linear, but each of its branches carries one polarization and nothing constrains the field; here one branch carries two transverse polarizations (helicity ±1, the same ω to {split:.0e}) and the third, longitudinal direction does not oscillate at all (a zero mode at every k ≠ 0), because Gauss's law div E = Q freezes it. That is light, not sound."
        )
    } else if light {
        format!(
            "In the linear theory these are light's modes (two degenerate transverse branches, a frozen longitudinal one), but at g/J = {:.4} the Gaussian ground state is not a consistent approximation (⟨Φ²⟩/4 = {:.3} > {ANHARMONIC_LIMIT}): whether light survives the quantum fluctuations is the question `ether phases` answers.",
            m.g / m.j,
            rec.gaussian.anharmonic_ratio
        )
    } else {
        format!(
            "These are not light's modes: {} gapless branches (two transverse and degenerate: {}), zero modes per k ≠ 0 from {} to {}, exponent {:.3}.",
            rec.gapless_branches,
            transverse && degenerate,
            rec.zero_modes_min,
            rec.zero_modes,
            rec.exponent
        )
    }
}

const NOTE: &str = "docs/physics/photon.md";

fn modes_claims(rec: &ModesRecord, m: &RotorModel) -> Vec<Claim> {
    let g = &rec.gaussian;
    let zero_uniform = if rec.zero_modes == rec.zero_modes_min { rec.zero_modes as f64 } else { f64::NAN };
    let h0 = g.helicities.iter().find(|h| h.helicity == 0);
    vec![
        Claim::within(
            "the rotor model's linear waves: two gapless transverse branches (helicity ±1)",
            "gapless linear branches",
            rec.gapless_branches as f64,
            2.0,
            0.0,
            format!("{NOTE}, eq. (2.3): ω_T² = 4gJ|K|² twice (exact count)"),
        ),
        Claim::within(
            "they travel at c = 2√(gJ)",
            "ω/|k| at |k| = 1e-3",
            rec.speed_of_light,
            rec.speed_of_light_expected,
            1e-3 * rec.speed_of_light_expected,
            format!("{NOTE}, eq. (2.3); 1e-3: the lattice's |K| = |k|(1 − O(k²)) at |k| ≤ 0.016"),
        ),
        Claim::within(
            "one frozen longitudinal mode at every k ≠ 0",
            "zero modes at every k ≠ 0",
            zero_uniform,
            1.0,
            0.0,
            format!("{NOTE}: CᵀC annihilates gradients (exact count)"),
        ),
        Claim::at_most(
            "helicity ±1 fluctuations are small compared with 2π: the photon survives (the talk's criterion)",
            "rms transverse angle per link / 2π",
            g.transverse_angle_variance.sqrt() / (2.0 * std::f64::consts::PI),
            SMALL_FRACTION_OF_PERIOD,
            format!("{NOTE}, §3: a tenth of the period"),
        ),
        Claim::at_most(
            "the Gaussian (semiclassical) ground state is consistent here",
            "quartic/quadratic ratio ⟨Φ²⟩/4 of the plaquette energy",
            g.anharmonic_ratio,
            ANHARMONIC_LIMIT,
            format!("{NOTE}, §3: Wick's theorem; beyond it see `ether phases`"),
        ),
        Claim::at_most(
            "helicity 0 has no restoring force: a free compact angle (δθ_0 ≫ 2π)",
            "largest ω²/4gJ|K|² of helicity 0",
            h0.map(|h| if h.class == ModeClass::FreeAngle { h.restoring_ratio_max } else { f64::NAN })
                .unwrap_or(f64::NAN),
            1e-9,
            format!("{NOTE}: a gradient has no curl; 1e-9: rounding of the 3x3 solver"),
        ),
        Claim::at_least(
            "its integer conjugate makes helicity 0 gapped: no longitudinal light",
            "Gaussian energy of a neighbouring ±1 charge pair / J",
            g.charge_pair_gap / m.j,
            1.0 / 6.0,
            format!("{NOTE}: 2U + 2J[G(0) − G(x̂)] ≥ J(N−1)/(3N) ≥ J/6 for N ≥ 2"),
        ),
    ]
}

/// The static charges of the run.
fn charges_for(c: Charges, l: &Lattice) -> Option<Vec<f64>> {
    match c {
        Charges::None => None,
        Charges::Pair => {
            let e = l.extents();
            let mut q = vec![0.0; l.n_sites()];
            let y = (e[1] / 2) as isize;
            q[l.site(&[(e[0] / 4) as isize, y, 1])] = 1.0;
            q[l.site(&[(3 * e[0] / 4) as isize, y, 1])] = -1.0;
            Some(q)
        }
    }
}

/// Σ of channel `ch` of `sf` over k ≠ 0 (or all k) and the frequency bins selected.
fn weight(sf: &crate::dynamics::StructureFactor, ch: usize, skip_k0: bool, bins: impl Fn(usize) -> bool) -> f64 {
    let lat = sf.lattice();
    let mut s = 0.0;
    for k in 0..lat.n_sites() {
        if skip_k0 && lat.momentum_of_index(k).lattice_k2() < 1e-12 {
            continue;
        }
        for j in (0..sf.n_times()).filter(|&j| bins(j)) {
            s += sf.intensity(ch, k, j);
        }
    }
    s
}

/// The initial state of the dynamics, with the drawn weights for `unequal`.
fn initial_state(
    p: &Params,
    r: &Resolved,
    charges: &Option<Vec<f64>>,
    obs: &mut dyn Observer,
) -> Result<(RotorState, Option<UnequalWeights>)> {
    let m = &r.model;
    let lat = &m.lattice;
    match p.initial {
        Initial::Unequal => {
            obs.say(&format!(
                "initial state far from equipartition: energy scale T = {}, a random weight per helicity and per momentum ({} links)",
                r.temperature,
                lat.n_links()
            ));
            let (s, w) = unequal_state(
                m,
                &UnequalConfig { temperature: r.temperature, seed: p.seed, charges: charges.clone() },
            )?;
            Ok((s, Some(w)))
        }
        Initial::Thermal => {
            obs.say(&format!(
                "thermal state at T = {} ({} links, {} Metropolis sweeps)",
                r.temperature,
                lat.n_links(),
                p.sweeps
            ));
            let mut tc = ThermalConfig::new(r.temperature, p.seed);
            tc.sweeps = p.sweeps;
            tc.charges = charges.clone();
            Ok((thermal_state(m, &tc)?, None))
        }
    }
}

/// Name of the dynamics' checkpoint file.
const CHECKPOINT: &str = "dynamics";

fn run_dynamics(p: &Params, r: &Resolved, obs: &mut dyn Observer) -> Result<DynamicsRecord> {
    let m = &r.model;
    let lat = &m.lattice;
    let charges = charges_for(p.charges, lat);
    let config = EvolveConfig::new(r.dt, p.steps);
    // the checkpoint belongs to exactly these parameters (the run layer also checks the command)
    let header = serde_json::json!({ "what": "photon dynamics", "params": p, "lattice": lat.to_string() });
    let ck = obs.checkpoints().cloned();
    let stored = match &ck {
        Some(c) => c.load(CHECKPOINT, &header)?,
        None => None,
    };
    let (mut runner, weights) = match stored {
        Some(bytes) => {
            let runner = SpectrumRunner::restore(m, &config, r.frame_every, &bytes)?;
            obs.say(&format!("resuming the dynamics after step {} of {}", runner.step_index(), p.steps));
            let w = (p.initial == Initial::Unequal).then(|| unequal_weights(p.seed));
            (runner, w)
        }
        None => {
            let (s0, w) = initial_state(p, r, &charges, obs)?;
            (SpectrumRunner::new(m, s0, &config, r.frame_every)?, w)
        }
    };
    obs.say(&format!(
        "evolving {} steps of dt = {:.5} (ω_max dt = {:.3}), a frame every {} steps",
        p.steps,
        r.dt,
        r.dt * omega_max(m),
        r.frame_every
    ));
    obs.stage("leapfrog steps", p.steps as u64);
    // a checkpoint every tenth of the run (at least every 500 steps apart), and on a stop signal
    let save_every = (p.steps / 10).max(500);
    let save = |runner: &SpectrumRunner| -> Result<()> {
        match &ck {
            Some(c) => c.save(CHECKPOINT, &header, &runner.save()),
            None => Ok(()),
        }
    };
    while !runner.done() {
        let until = (runner.step_index() / save_every + 1) * save_every;
        let res = runner.advance(until, |s| {
            if s % 64 == 0 {
                obs.advance(s as u64);
            }
            if obs.should_stop() {
                return Err(Error::Interrupted { what: "the photon dynamics".into(), kept: String::new() });
            }
            Ok(())
        });
        match res {
            Err(Error::Interrupted { what, .. }) => {
                let kept = if ck.is_some() {
                    save(&runner)?;
                    format!("kept the state after step {} of {} in the checkpoint", runner.step_index(), p.steps)
                } else {
                    format!("nothing kept (no --out directory) at step {} of {}", runner.step_index(), p.steps)
                };
                return Err(Error::Interrupted { what, kept });
            }
            Err(e) => return Err(e),
            Ok(()) if !runner.done() => save(&runner)?,
            Ok(()) => {}
        }
    }
    let run = runner.finish()?;
    analyse_dynamics(p, r, run, weights, charges, obs)
}

fn analyse_dynamics(
    p: &Params,
    r: &Resolved,
    run: SpectrumRun,
    weights: Option<UnequalWeights>,
    charges: Option<Vec<f64>>,
    obs: &mut dyn Observer,
) -> Result<DynamicsRecord> {
    let m = &r.model;
    let lat = &m.lattice;
    let c_th = m.speed_of_light();
    let lmax = *lat.extents().iter().max().unwrap_or(&2) as f64;
    let kmin2 = 4.0 * (std::f64::consts::PI / lmax).sin().powi(2);
    let small: Vec<Peak> = peaks(&run.electric, 0, 2.05 * kmin2);
    let c_meas = fit_speed(&small).unwrap_or(f64::NAN);
    let all_peaks: Vec<Peak> = peaks(&run.electric, 0, 12.5);
    let fitpts: Vec<(f64, f64)> = all_peaks
        .iter()
        .filter(|q| q.lattice_k * q.lattice_k <= 4.0 * kmin2 + 1e-9)
        .map(|q| (q.lattice_k, q.omega))
        .collect();
    let exponent = fit_points(&fitpts).map(|x| x.0).unwrap_or(f64::NAN);
    let count = count_polarizations(&run.electric_helicity, 2.05 * kmin2)?;
    let sf = &run.electric;
    let (wt, wl0, wl) =
        (weight(sf, 0, true, |_| true), weight(sf, 1, true, |j| j == 0), weight(sf, 1, true, |j| j != 0));
    let long_moving = if wt + wl0 + wl > 0.0 { wl / (wt + wl0 + wl) } else { 0.0 };
    let (bt, bl) = (weight(&run.magnetic, 0, false, |_| true), weight(&run.magnetic, 1, false, |_| true));
    let (_, zero_summary) = grid_pass(m, obs)?;
    let gauss = run.monitor.max_gauss_law_violation();
    let drift = run.monitor.relative_energy_drift();
    let (re, rb) = run.maxwell_residual;
    let at_k = match &r.k {
        Some(k) => {
            let mm = modes_at(m, k)?;
            let ki = lat.momentum_index(&Momentum::new(k));
            let peak = tone_frequency(&run.electric, 0, ki);
            let w_t = mm.modes.iter().map(|x| x.omega).fold(0.0f64, f64::max);
            obs.say(&format!(
                "at k = ({:.4}, {:.4}, {:.4}): measured ω = {}, linearized ω_T = {w_t:.6}",
                mm.k[0],
                mm.k[1],
                mm.k[2],
                peak.map(|w| format!("{w:.6}")).unwrap_or("none".into())
            ));
            Some((mm, peak))
        }
        None => None,
    };
    // arrays
    let n = lat.n_sites();
    let nt = sf.n_times();
    let grid_path = lat.grid_path();
    let path_idx: Vec<usize> = grid_path.points.iter().map(|k| lat.momentum_index(k)).collect();
    let mut skw_e = vec![0.0; 2 * n * nt];
    let mut skw_b = vec![0.0; 2 * n * nt];
    for ch in 0..2 {
        for k in 0..n {
            for j in 0..nt {
                skw_e[(ch * n + k) * nt + j] = sf.intensity(ch, k, j);
                skw_b[(ch * n + k) * nt + j] = run.magnetic.intensity(ch, k, j);
            }
        }
    }
    let mut skw_h = vec![0.0; 3 * path_idx.len() * nt];
    for ch in 0..3 {
        for (i, &k) in path_idx.iter().enumerate() {
            for j in 0..nt {
                skw_h[(ch * path_idx.len() + i) * nt + j] = run.electric_helicity.intensity(ch, k, j);
            }
        }
    }
    let (e, b) = fields(lat, &run.last);
    let mut mean = vec![0.0; 3 * n];
    for r_ in 0..n {
        for a in 0..3 {
            mean[a * n + r_] = run.mean_e[3 * r_ + a];
        }
    }
    let data = DynamicsArrays {
        n_sites: n,
        omega: (0..nt).map(|j| sf.omega(j)).collect(),
        skw_electric: skw_e,
        skw_magnetic: skw_b,
        skw_helicity_path: skw_h,
        k_vectors: (0..n).flat_map(|k| lat.momentum_of_index(k).components().to_vec()).collect(),
        final_e: e,
        final_b: b,
        mean_e: mean,
        time: run.monitor.time.clone(),
        energy: run.monitor.energy.clone(),
        gauss: run.monitor.gauss_law_violation.clone(),
        path_len: path_idx.len(),
    };
    let mut rec = DynamicsRecord {
        method: "dynamics".into(),
        gapless_branches: count.count,
        polarization_count: count,
        initial: p.initial,
        initial_weights: weights,
        zero_modes: zero_summary.zero_modes_max,
        exponent,
        speed_of_light: c_meas,
        speed_of_light_expected: c_th,
        gauss_law_violation: gauss,
        energy_drift: drift,
        longitudinal_e_moving_fraction: long_moving,
        monopole_weight_fraction: if bt + bl > 0.0 { bl / (bt + bl) } else { 0.0 },
        maxwell_residual: MaxwellResidual { de_dt: re, db_dt: rb },
        peaks_small_k: small,
        peaks: all_peaks,
        frequency_resolution: sf.domega(),
        temperature: r.temperature,
        dt: r.dt,
        frame_every: r.frame_every,
        steps: p.steps,
        verdict: String::new(),
        contrast: String::new(),
        k: at_k.as_ref().map(|(mm, _)| mm.k),
        modes: at_k.as_ref().map(|(mm, _)| mode_entries(mm)),
        measured_peak_omega: at_k.as_ref().map(|(_, w)| *w),
        lattice: lat.to_string(),
        couplings: [m.u, m.g, m.j],
        static_charges: charges
            .map(|q| q.iter().enumerate().filter(|(_, x)| **x != 0.0).map(|(i, x)| (i, *x)).collect())
            .unwrap_or_default(),
        linear_omega_path: grid_path
            .points
            .iter()
            .map(|k| modes_at(m, k.components()).map(|mm| mm.modes.iter().map(|x| x.omega).fold(0.0f64, f64::max)))
            .collect::<Result<Vec<_>>>()?,
        vacuum_energy: run.monitor.vacuum_energy,
        grid_path: GridPath {
            k_index: path_idx,
            distance: grid_path.distance.clone(),
            labels: grid_path.labels.clone(),
        },
        claims: Vec::new(),
        data,
    };
    rec.verdict = dynamics_verdict(&rec);
    rec.contrast = dynamics_contrast(&rec);
    rec.claims = dynamics_claims(&rec);
    Ok(rec)
}

/// Thresholds of the dynamics' claims, with their reasons (docs/physics/photon.md).
const MAXWELL_LIMIT: f64 = 0.05;
const GAUSS_LIMIT: f64 = 1e-10;
const DRIFT_LIMIT: f64 = 0.05;
const SPEED_TOL: f64 = 0.02;
const LONGITUDINAL_LIMIT: f64 = 1e-9;

fn dynamics_verdict(rec: &DynamicsRecord) -> String {
    let c = &rec.polarization_count;
    let per: Vec<String> = c
        .channels
        .iter()
        .map(|ch| {
            let h = if ch.helicity == 0 { "0".to_string() } else { format!("{:+}", ch.helicity) };
            if ch.gapless_linear {
                format!("helicity {h} propagates (ω ∝ |K|^{:.3}, c = {:.4})", ch.exponent, ch.speed)
            } else if ch.propagating {
                format!("helicity {h} oscillates but not as a gapless linear branch (exponent {:.3})", ch.exponent)
            } else {
                format!("helicity {h} does not oscillate ({} of {} momenta)", ch.oscillating, ch.momenta)
            }
        })
        .collect();
    let maxwell_ok = rec.maxwell_residual.de_dt < MAXWELL_LIMIT && rec.maxwell_residual.db_dt < MAXWELL_LIMIT;
    let count = if c.determined {
        format!(
            "{} gapless propagating polarizations, counted from the helicity-resolved S(k,ω) peaks ({})",
            c.count,
            per.join(", ")
        )
    } else {
        format!("too few momentum shells to count the polarizations ({})", per.join(", "))
    };
    format!(
        "{count}; ω ∝ |K|^{:.3}; c = {:.5} from the S(k,ω) peaks vs 2√(gJ) = {:.5} ({:+.2}%). Gauss's law: max |Q(t) − Q(0)| = {:.2e}; longitudinal E {} (oscillating share of the E weight {:.1e}); energy drift {:.2e} of the excitation energy. Discrete Maxwell equations dE/dt = −2g Cᵀ Φ, dΦ/dt = 2J C E {} in this run: relative residuals {:.2e} and {:.2e} (limit {MAXWELL_LIMIT}).",
        rec.exponent,
        rec.speed_of_light,
        rec.speed_of_light_expected,
        100.0 * (rec.speed_of_light / rec.speed_of_light_expected - 1.0),
        rec.gauss_law_violation,
        if rec.longitudinal_e_moving_fraction <= LONGITUDINAL_LIMIT { "static" } else { "moves" },
        rec.longitudinal_e_moving_fraction,
        rec.energy_drift,
        if maxwell_ok { "hold (linear regime)" } else { "do not hold well (nonlinear regime: lower the temperature)" },
        rec.maxwell_residual.de_dt,
        rec.maxwell_residual.db_dt
    )
}

fn dynamics_contrast(rec: &DynamicsRecord) -> String {
    let c = &rec.polarization_count;
    let transverse_only = c.channels.iter().all(|ch| ch.gapless_linear == (ch.helicity != 0));
    let static_long = rec.longitudinal_e_moving_fraction <= LONGITUDINAL_LIMIT;
    if c.determined && c.count == 2 && transverse_only && static_long {
        "Contrast with chapter 1: the antiferromagnet's spin waves are also linear, but each branch carries one polarization; here the two transverse helicities of E propagate at one speed and the longitudinal E stays exactly static, because Gauss's law div E = Q freezes it. That is light, not sound.".into()
    } else {
        format!(
            "This run does not show light's two polarizations: {} gapless branches counted (helicity 0 among them: {}), longitudinal E {}.",
            c.count,
            c.channels.iter().any(|ch| ch.helicity == 0 && ch.gapless_linear),
            if static_long { "static" } else { "moving" }
        )
    }
}

fn dynamics_claims(rec: &DynamicsRecord) -> Vec<Claim> {
    let c = &rec.polarization_count;
    let long = c.channels.iter().find(|ch| ch.helicity == 0).map(|ch| ch.oscillating as f64).unwrap_or(f64::NAN);
    vec![
        Claim::within(
            "two propagating transverse polarizations, counted from the helicity-resolved S(k,ω) of a state far from equipartition",
            "gapless propagating helicities",
            if c.determined { c.count as f64 } else { f64::NAN },
            2.0,
            0.0,
            format!("{NOTE}, §4.3 (thresholds in dynamics::rotor::polarization)"),
        ),
        Claim::within(
            "the longitudinal E does not oscillate (Gauss's law)",
            "window momenta where helicity 0 oscillates",
            long,
            0.0,
            0.0,
            format!("{NOTE}: D E = Q is conserved exactly"),
        ),
        Claim::within(
            "the full nonlinear model's waves travel at c = 2√(gJ)",
            "c from the S(k,ω) peaks",
            rec.speed_of_light,
            rec.speed_of_light_expected,
            SPEED_TOL * rec.speed_of_light_expected,
            format!("{NOTE}, eq. (2.3); 2 %: frequency resolution and thermal softening at T = 0.01g"),
        ),
        Claim::at_most(
            "Gauss's law holds",
            "max |Q(t) − Q(0)|",
            rec.gauss_law_violation,
            GAUSS_LIMIT,
            format!("{NOTE}: D Cᵀ = 0 exactly; the limit is rounding"),
        ),
        Claim::at_most(
            "the integrator conserves energy",
            "relative energy drift",
            rec.energy_drift,
            DRIFT_LIMIT,
            "Störmer-Verlet at ω_max dt = 0.25: drift O((ω dt)²)".to_string(),
        ),
        Claim::at_most(
            "the waves obey the discrete Maxwell equations",
            "largest Maxwell residual",
            rec.maxwell_residual.de_dt.max(rec.maxwell_residual.db_dt),
            MAXWELL_LIMIT,
            format!("{NOTE}: linear regime, residual O(Φ²) ~ T/g and O((ω dt)²)"),
        ),
    ]
}

impl Record for PhotonRecord {
    fn arrays(&self) -> Vec<DataArray> {
        match self {
            PhotonRecord::Modes(m) => {
                let d = Axis::new("arclength along Γ-X-M-R-Γ", "1/a", "path_distance.npy", m.path_distance.clone());
                let h = Axis::labelled("helicity", "helicity.npy", vec!["+1".into(), "-1".into(), "0".into()]);
                let comp = Axis::labelled("component", "component.npy", vec!["kx".into(), "ky".into(), "kz".into()]);
                vec![
                    DataArray::real(
                        "branches.npy",
                        "ω of helicity +1, −1, 0 along the path (rows: path points)",
                        "energy (ħ = 1)",
                        vec![d.clone(), h],
                        m.branches.iter().flat_map(|w| w.iter().copied()).collect(),
                    ),
                    DataArray::real(
                        "path_k.npy",
                        "the momenta of the path",
                        "radians per lattice spacing",
                        vec![d, comp],
                        m.path_k.iter().flat_map(|k| k.iter().copied()).collect(),
                    ),
                ]
            }
            PhotonRecord::Dynamics(r) => {
                let d = &r.data;
                let n = d.n_sites;
                let kax = Axis::new(
                    "momentum index (site order; momenta in k_vectors.npy)",
                    "1",
                    "k_index.npy",
                    (0..n).map(|i| i as f64).collect(),
                );
                let wax = Axis::new(
                    "ω (FFT order: negative above the middle)",
                    "energy (ħ = 1)",
                    "omega.npy",
                    d.omega.clone(),
                );
                let tl = Axis::labelled("channel", "channel_tl.npy", vec!["transverse".into(), "longitudinal".into()]);
                let hel = Axis::labelled("helicity", "helicity.npy", vec!["+1".into(), "-1".into(), "0".into()]);
                let comp = Axis::labelled("component", "component.npy", vec!["x".into(), "y".into(), "z".into()]);
                let site = Axis::new("site index", "1", "site_index.npy", (0..n).map(|i| i as f64).collect());
                let pax = Axis::new(
                    "point of the grid path Γ-X-M-R-Γ (momentum indices in result.json grid_path)",
                    "1",
                    "path_point.npy",
                    (0..d.path_len).map(|i| i as f64).collect(),
                );
                let tax = Axis::new("time", "ħ/energy", "time.npy", d.time.clone());
                vec![
                    DataArray::real(
                        "skw_electric.npy",
                        "S(k,ω) of E, transverse and longitudinal",
                        "1/energy",
                        vec![tl.clone(), kax.clone(), wax.clone()],
                        d.skw_electric.clone(),
                    ),
                    DataArray::real(
                        "skw_magnetic.npy",
                        "S(k,ω) of B (longitudinal = monopoles)",
                        "1/energy",
                        vec![tl, kax.clone(), wax.clone()],
                        d.skw_magnetic.clone(),
                    ),
                    DataArray::real(
                        "skw_helicity_path.npy",
                        "S(k,ω) of E by helicity along the grid path",
                        "1/energy",
                        vec![hel, pax, wax],
                        d.skw_helicity_path.clone(),
                    ),
                    DataArray::real(
                        "k_vectors.npy",
                        "the momentum of each index",
                        "radians per lattice spacing",
                        vec![kax, comp.clone()],
                        d.k_vectors.clone(),
                    ),
                    DataArray::real(
                        "final_E.npy",
                        "E = L at the end, on the links (component a at r + â/2)",
                        "ħ (integer units of L)",
                        vec![comp.clone(), site.clone()],
                        d.final_e.clone(),
                    ),
                    DataArray::real(
                        "final_B.npy",
                        "B = (Φ_yz, −Φ_xz, Φ_xy) at the end (wrapped to (−π, π])",
                        "radians",
                        vec![comp.clone(), site.clone()],
                        d.final_b.clone(),
                    ),
                    DataArray::real(
                        "mean_E.npy",
                        "E averaged over the recorded frames (the static part)",
                        "ħ",
                        vec![comp, site],
                        d.mean_e.clone(),
                    ),
                    DataArray::real(
                        "monitor_energy.npy",
                        "energy against time",
                        "energy",
                        vec![tax.clone()],
                        d.energy.clone(),
                    ),
                    DataArray::real(
                        "monitor_gauss_law.npy",
                        "max over sites of |Q(t) − Q(0)| up to each time",
                        "1 (charge)",
                        vec![tax],
                        d.gauss.clone(),
                    ),
                ]
            }
        }
    }

    fn claims(&self) -> Vec<Claim> {
        match self {
            PhotonRecord::Modes(m) => m.claims.clone(),
            PhotonRecord::Dynamics(d) => d.claims.clone(),
        }
    }

    fn summary(&self) -> Vec<String> {
        match self {
            PhotonRecord::Modes(m) => {
                let mut v = vec![m.verdict.clone()];
                for f in &m.fluctuations {
                    let h = if f.helicity == 0 { "0".to_string() } else { format!("{:+}", f.helicity) };
                    v.push(format!("  helicity {h:>2}: {}", f.verdict));
                }
                v.push(m.contrast.clone());
                v
            }
            PhotonRecord::Dynamics(d) => vec![d.verdict.clone(), d.contrast.clone()],
        }
    }

    fn narrative(&self) -> Vec<String> {
        match self {
            PhotonRecord::Modes(m) => {
                // every clause from a number of the record (issue 18: no fixed phrases)
                let g = &m.gaussian;
                let angle = g.transverse_angle_variance.sqrt();
                let small = crate::modes::photon::gaussian::SMALL_FRACTION_OF_PERIOD
                    * crate::modes::photon::gaussian::ANGLE_PERIOD;
                let h0 = g.helicities.iter().find(|h| h.helicity == 0).map(|h| h.verdict.as_str()).unwrap_or("absent");
                vec![
                    m.verdict.clone(),
                    format!(
                        "The talk's quantum-fluctuation criterion, from the Gaussian ground state of the same quadratic form: per link, δθ_±1 = {angle:.4} rad = {:.4} (J/g)^(1/4), {} compared with 2π (threshold 2π/10 = {small:.3}), and the quartic term of the plaquette energy is {:.3} of the quadratic one ({} the limit {ANHARMONIC_LIMIT}). Helicity 0: {h0}.",
                        g.angle_coefficient,
                        if angle <= small { "small" } else { "not small" },
                        g.anharmonic_ratio,
                        if g.anharmonic_ratio <= ANHARMONIC_LIMIT { "within" } else { "beyond" },
                    ),
                    m.contrast.clone(),
                ]
            }
            PhotonRecord::Dynamics(d) => {
                let start = match d.initial {
                    Initial::Unequal => "The run starts far from equipartition (a random weight per helicity and per momentum), so the count of propagating polarizations comes from which helicities of E oscillate, not from how much energy the start gave them.",
                    Initial::Thermal => "The run starts from a classical thermal state (equipartition), which puts the same energy in each transverse mode; the count of propagating polarizations comes from which helicities of E oscillate.",
                };
                let static_e = d.longitudinal_e_moving_fraction <= LONGITUDINAL_LIMIT;
                let charges = if d.static_charges.is_empty() {
                    "There are no static charges in this run.".to_string()
                } else {
                    format!(
                        "The snapshot shows the electric field of {} static charge{} buried in the waves; the longitudinal E {} (oscillating share of the E weight {:.1e}, limit {LONGITUDINAL_LIMIT:.0e}){}.",
                        d.static_charges.len(),
                        if d.static_charges.len() == 1 { "" } else { "s" },
                        if static_e { "stays static" } else { "moves" },
                        d.longitudinal_e_moving_fraction,
                        if static_e { ": it is the charges' Coulomb field, slaved to them by Gauss's law" } else { "" }
                    )
                };
                vec![d.verdict.clone(), format!("{start} {charges}"), d.contrast.clone()]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Quiet;

    /// Issue 18: the dynamics' words follow its numbers. An 8³ run counts 2 (helicity ±1)
    /// and says "That is light"; the same record with helicity 0 marked as a gapless linear
    /// branch (the count 3 of the test-only longitudinal variant) or with no branch at all (the
    /// count 0 of g = 0) must say neither "That is light" nor 2, and a moving longitudinal E
    /// must not be called static.
    #[test]
    fn the_dynamics_words_follow_the_count() {
        // the settings of tests/photon.rs's count on 8³ (8000 steps, frames every 4, T = 0.01)
        let p = Params {
            lattice: "8x8x8".into(),
            method: Method::Dynamics,
            steps: 8000,
            frame_every: Some(4),
            temperature: Some(0.01),
            seed: 3,
            ..Params::default()
        };
        let PhotonRecord::Dynamics(rec) = Photon::run(&p, &mut Quiet).unwrap() else { panic!("a dynamics record") };
        assert_eq!(rec.polarization_count.count, 2, "{}", rec.verdict);
        assert!(rec.contrast.contains("That is light"), "{}", rec.contrast);
        assert!(rec.verdict.starts_with("2 gapless propagating polarizations"), "{}", rec.verdict);
        let mut three = rec.clone();
        for ch in three.polarization_count.channels.iter_mut().filter(|c| c.helicity == 0) {
            ch.gapless_linear = true;
            ch.propagating = true;
        }
        three.polarization_count.count = 3;
        assert!(!dynamics_contrast(&three).contains("That is light"), "{}", dynamics_contrast(&three));
        assert!(dynamics_verdict(&three).starts_with("3 gapless"), "{}", dynamics_verdict(&three));
        assert!(dynamics_verdict(&three).contains("helicity 0 propagates"));
        let mut none = rec.clone();
        for ch in none.polarization_count.channels.iter_mut() {
            ch.gapless_linear = false;
            ch.propagating = false;
        }
        none.polarization_count.count = 0;
        assert!(!dynamics_contrast(&none).contains("That is light"));
        assert!(dynamics_verdict(&none).starts_with("0 gapless"), "{}", dynamics_verdict(&none));
        let mut moving = rec.clone();
        moving.longitudinal_e_moving_fraction = 1e-3;
        assert!(!dynamics_contrast(&moving).contains("That is light"));
        assert!(dynamics_verdict(&moving).contains("longitudinal E moves"), "{}", dynamics_verdict(&moving));
        // the narrative from that record (its stored words recomputed, with a static pair)
        moving.verdict = dynamics_verdict(&moving);
        moving.contrast = dynamics_contrast(&moving);
        moving.static_charges = vec![(0, 1.0), (1, -1.0)];
        let words = PhotonRecord::Dynamics(moving).narrative().join(" ");
        assert!(words.contains("moves") && !words.contains("stays static"), "{words}");
    }
}
