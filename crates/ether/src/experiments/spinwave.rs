//! Chapter 1 of the talk: the spin waves of Heisenberg ferro- and antiferromagnets, and why they
//! are not light.
//!
//! `H = J Σ_<ij> S_i·S_j` on a periodic hypercubic lattice. The ferromagnet (`J < 0`) has spin
//! waves with `ω ≈ |J| S k²`, first order in time (`dS/dt = S × ∇²S`); the antiferromagnet
//! (`J > 0`) has `ω ≈ 2√d J S |k|`, a wave equation but with one polarization per branch and no
//! divergence constraint. Two methods give the dispersion (docs/physics/spin-waves.md):
//!
//! - [`Method::Lswt`]: linear spin-wave theory from the model's own quadratic form around its
//!   classical ground state ([`crate::modes::lswt`]); its cost does not depend on the lattice size.
//! - [`Method::Dynamics`]: classical Landau-Lifshitz dynamics from low-temperature Monte Carlo
//!   states ([`crate::dynamics::spin`]); the dispersion is read off the peaks of S(k, ω)
//!   ([`crate::spectra`]). Long runs report progress, stop cleanly on a stop request keeping the
//!   finished thermal samples in a checkpoint, and resume to the same bits.
//!
//! The record's claims: the low-k exponent (2 or 1), the `k → 0` stiffness (ferromagnet) or
//! velocity (antiferromagnet) against the closed forms of LSWT, and for the dynamics the
//! classical sum rule and energy conservation.

use crate::dynamics::spin::{
    thermal_structure_factor_resumable, CorrelationCheckpoint, CorrelationParams, CorrelationRun, SpinDynamics,
};
use crate::dynamics::TimeStep;
use crate::error::{bytes_of, check_memory, Error, Result};
use crate::experiment::{fmt_num, Axis, Claim, DataArray, DemoRun, Experiment, Observer, Record};
use crate::lattice::{Lattice, MomentumPath};
use crate::model::heisenberg::Heisenberg;
use crate::model::spin_model::SpinModel;
use crate::modes::fit::{fit_power_law, zero_k_limit, PowerLaw};
use crate::modes::lswt::{collinear_ground_state, low_k_law, ClassicalGround, SpinWaveTheory};
use crate::spectra::{self, Peak, PeakFinder, PeakSearch};
use serde::{Deserialize, Serialize};

/// The experiment `ether spinwave`.
#[derive(Clone, Copy, Debug)]
pub struct Spinwave;

/// Which magnet: the sign of the exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// `H = −|J| Σ S_i·S_j`: all spins parallel in the ground state.
    Ferro,
    /// `H = +|J| Σ S_i·S_j`: the Néel state (needs even extents).
    Antiferro,
}

impl ModelKind {
    /// "ferromagnet" or "antiferromagnet".
    pub fn noun(self) -> &'static str {
        match self {
            ModelKind::Ferro => "ferromagnet",
            ModelKind::Antiferro => "antiferromagnet",
        }
    }

    /// The low-k exponent of its spin waves: 2 (ferro) or 1 (antiferro).
    pub fn exponent(self) -> f64 {
        match self {
            ModelKind::Ferro => 2.0,
            ModelKind::Antiferro => 1.0,
        }
    }
}

/// How the dispersion is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Linear spin-wave theory around the classical ground state.
    #[default]
    Lswt,
    /// Classical Landau-Lifshitz dynamics from thermal states; ω from the peaks of S(k, ω).
    Dynamics,
}

/// Numbers of the parameters that may be NaN or infinite on the way to `validate` (a user's
/// `--coupling NaN`): JSON has no such numbers, so they travel as the strings "NaN", "inf",
/// "-inf" and `validate` refuses them with its own advice.
mod float {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Finite(f64),
        Text(String),
    }

    fn parse<E: serde::de::Error>(n: Number) -> Result<f64, E> {
        match n {
            Number::Finite(x) => Ok(x),
            Number::Text(t) => {
                t.trim().parse::<f64>().map_err(|_| E::custom(format!("expected a number, got \"{t}\"")))
            }
        }
    }

    pub fn ser<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else {
            s.serialize_str(&x.to_string())
        }
    }

    pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        parse(Number::deserialize(d).map_err(|_| D::Error::custom("expected a number"))?)
    }

    pub fn ser_opt<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match x {
            Some(v) => ser(v, s),
            None => s.serialize_none(),
        }
    }

    pub fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        match Option::<Number>::deserialize(d).map_err(|_| D::Error::custom("expected a number"))? {
            Some(n) => parse(n).map(Some),
            None => Ok(None),
        }
    }
}

/// The parameters of `ether spinwave` (keys are its long flags with '_' for '-').
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpinwaveParams {
    /// `ferro` (H = −|J| Σ S_i·S_j) or `antiferro` (H = +|J| Σ S_i·S_j, needs even extents).
    /// Required.
    pub model: Option<ModelKind>,
    /// Lattice extents separated by 'x': "64" is a periodic chain, "32x32" a square torus.
    pub lattice: String,
    /// Spin length S > 0 (for the dynamics, the length of the classical spins).
    #[serde(serialize_with = "float::ser", deserialize_with = "float::de")]
    pub spin: f64,
    /// Exchange strength |J| (between 1e-100 and 1e100), the unit of energy; the sign comes from `model`.
    #[serde(serialize_with = "float::ser", deserialize_with = "float::de")]
    pub coupling: f64,
    /// `lswt` (default) or `dynamics`.
    pub method: Method,
    /// Temperature of the initial thermal states (dynamics), in units of |J|; default 0.01 |J| S².
    #[serde(serialize_with = "float::ser_opt", deserialize_with = "float::de_opt")]
    pub temperature: Option<f64>,
    /// Random seed (dynamics). The same seed gives the same numbers for any thread count.
    pub seed: u64,
    /// Independent thermal samples averaged into S(k, ω) (dynamics).
    pub samples: usize,
    /// Frames recorded per trajectory (dynamics); the frequency resolution is about
    /// 2.4 ω_max / frames, with ω_max = 4d|J|S the top of the band.
    pub frames: usize,
    /// Integration time step (dynamics); default 0.1/ω_max. Frames stay π/(1.2 ω_max) apart, so at
    /// most 10^4 steps per frame.
    #[serde(serialize_with = "float::ser_opt", deserialize_with = "float::de_opt")]
    pub dt: Option<f64>,
    /// Largest |k| (radians per lattice spacing) used to fit ω ≈ c |k|^p.
    #[serde(serialize_with = "float::ser", deserialize_with = "float::de")]
    pub fit_kmax: f64,
    /// XXZ anisotropy Δ (LSWT only): `J (S^xS^x + S^yS^y + Δ S^zS^z)` on nearest neighbours.
    #[serde(serialize_with = "float::ser_opt", deserialize_with = "float::de_opt")]
    pub delta: Option<f64>,
    /// Next-nearest-neighbour exchange `J2 S_i·S_j` (LSWT only; i, i+2 on a chain, the
    /// diagonals on square and cubic lattices), signed.
    #[serde(rename = "J2", serialize_with = "float::ser_opt", deserialize_with = "float::de_opt")]
    pub j2: Option<f64>,
    /// A uniform field along z, `−h Σ S^z` (LSWT only).
    #[serde(serialize_with = "float::ser_opt", deserialize_with = "float::de_opt")]
    pub field: Option<f64>,
    /// A model file (TOML, see [`crate::model::spin_model`]): any translation-invariant spin
    /// Hamiltonian whose classical ground state is collinear with one site per cell (LSWT only).
    pub model_file: Option<String>,
}

impl Default for SpinwaveParams {
    fn default() -> Self {
        SpinwaveParams {
            model: None,
            lattice: "64".into(),
            spin: 0.5,
            coupling: 1.0,
            method: Method::Lswt,
            temperature: None,
            seed: 1,
            samples: 2,
            frames: 2048,
            dt: None,
            fit_kmax: 0.6,
            delta: None,
            j2: None,
            field: None,
            model_file: None,
        }
    }
}

/// The validated model and the derived settings of a run.
struct Setup {
    kind: ModelKind,
    model: Heisenberg,
    temperature: f64,
}

fn setup(p: &SpinwaveParams) -> Result<Setup> {
    let Some(kind) = p.model else {
        return Err(Error::invalid(
            "model",
            "none given",
            "--model is required: ferro (H = −|J| Σ S·S) or antiferro (H = +|J| Σ S·S), on the command line or in --config",
        ));
    };
    let lattice = Lattice::parse(&p.lattice)?;
    if !(p.coupling.is_finite() && p.coupling > 0.0) {
        return Err(Error::invalid(
            "coupling",
            p.coupling.to_string(),
            "give the exchange strength |J| > 0; the sign of J comes from --model (ferro or antiferro)",
        ));
    }
    // ω ∝ |J| and LSWT squares it (ω² = A² − B²): below 1e-100 the squares leave the normal
    // doubles (1e-308) at small k and the fit loses its points; above 1e100 they overflow
    if !(COUPLING_RANGE.0..=COUPLING_RANGE.1).contains(&p.coupling) {
        return Err(Error::invalid(
            "coupling",
            fmt_num(p.coupling),
            "give |J| between 1e-100 and 1e100 (frequencies scale as |J|, so J = 1 and a rescaled time axis say the same)",
        ));
    }
    if !(p.spin.is_finite() && p.spin > 0.0) {
        return Err(Error::invalid("spin", p.spin.to_string(), "the spin length S must be positive, e.g. 0.5 or 1"));
    }
    if !(COUPLING_RANGE.0..=COUPLING_RANGE.1).contains(&p.spin) {
        return Err(Error::invalid(
            "spin",
            fmt_num(p.spin),
            "give S between 1e-100 and 1e100 (frequencies scale as |J| S)",
        ));
    }
    let model = match kind {
        ModelKind::Ferro => Heisenberg::ferro(lattice, p.spin, p.coupling)?,
        ModelKind::Antiferro => Heisenberg::antiferro(lattice, p.spin, p.coupling)?,
    };
    let temperature = p.temperature.unwrap_or(0.01 * p.coupling * p.spin * p.spin);
    if !(temperature.is_finite() && temperature > 0.0) {
        return Err(Error::invalid("temperature", temperature.to_string(), "give T > 0 (in units of |J|), e.g. 0.01"));
    }
    if p.samples == 0 {
        return Err(Error::invalid("samples", "0", "give at least 1 thermal sample"));
    }
    if p.frames < 16 {
        return Err(Error::invalid(
            "frames",
            p.frames.to_string(),
            "give at least 16 frames (more frames, finer frequency resolution)",
        ));
    }
    if let Some(dt) = p.dt {
        if !(dt.is_finite() && dt > 0.0) {
            return Err(Error::invalid("dt", dt.to_string(), "the time step must be positive, e.g. 0.02"));
        }
        // frames stay the default interval apart (Nyquist above ω_max), so a tiny dt is a huge
        // number of steps per frame
        let frame = CorrelationParams::frame_interval(model.lattice.coordination(), p.coupling, p.spin);
        let per_frame = frame / dt;
        if per_frame > MAX_STEPS_PER_FRAME {
            return Err(Error::invalid(
                "dt",
                fmt_num(dt),
                format!(
                    "frames are {:.4} apart (Nyquist above ω_max), so dt = {dt:e} is {per_frame:.3e} steps per frame; give --dt {:.3e} or more (at most {MAX_STEPS_PER_FRAME:e} steps per frame)",
                    frame,
                    frame / MAX_STEPS_PER_FRAME
                ),
            ));
        }
    }
    // the fit window is [max(k_max/30, 1e-3), k_max]: below 0.01 it has no width left
    if !(p.fit_kmax.is_finite() && (0.01..=std::f64::consts::PI).contains(&p.fit_kmax)) {
        return Err(Error::invalid("fit-kmax", p.fit_kmax.to_string(), "give a momentum between 0.01 and π, e.g. 0.6"));
    }
    Ok(Setup { kind, model, temperature })
}

/// A Hamiltonian given as terms (`delta`, `J2`, `field` or `model_file`), with its certified
/// collinear classical ground state and the LSWT around it.
struct General {
    lattice: Lattice,
    spin: f64,
    /// The signed J of the flags (NaN for a model file).
    j_signed: f64,
    hamiltonian: String,
    ground: ClassicalGround,
    swt: SpinWaveTheory,
}

/// The general model of the parameters, if they name one (`None`: the plain ferro/antiferro
/// chapter). Refusals say why: dynamics (it integrates the plain Heisenberg model), a model that
/// is not translation invariant by construction, no collinear classical ground state with one
/// site per cell (a spiral, a field below saturation, a field off the exchange's axes).
fn general_setup(p: &SpinwaveParams) -> Result<Option<General>> {
    let flags = [("delta", p.delta), ("J2", p.j2), ("field", p.field)];
    if p.model_file.is_none() && flags.iter().all(|(_, x)| x.is_none()) {
        return Ok(None);
    }
    if p.method != Method::Lswt {
        return Err(Error::invalid(
            "method",
            "dynamics",
            "the classical dynamics integrates the plain Heisenberg model; --delta, --J2, --field and --model-file need --method lswt",
        ));
    }
    let lattice = Lattice::parse(&p.lattice)?;
    // the fit window is [max(k_max/30, 1e-3), k_max]: below 0.01 it has no width left
    if !(p.fit_kmax.is_finite() && (0.01..=std::f64::consts::PI).contains(&p.fit_kmax)) {
        return Err(Error::invalid("fit-kmax", p.fit_kmax.to_string(), "give a momentum between 0.01 and π, e.g. 0.6"));
    }
    let (model, j_signed) = if let Some(path) = &p.model_file {
        if let Some(m) = p.model {
            return Err(Error::invalid(
                "model",
                format!("{m:?}").to_lowercase(),
                "a model file defines the Hamiltonian, signs included: drop --model (or --model-file)",
            ));
        }
        let given: Vec<(&str, bool)> = flags.iter().map(|(f, x)| (*f, x.is_some())).collect();
        crate::model::spin_model::refuse_flags_beside_a_file(&given, p.coupling)?;
        if p.spin != 0.5 {
            return Err(Error::invalid(
                "spin",
                p.spin.to_string(),
                "the model file sets the spin length: write spin = ... into the file instead",
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::invalid("model file", path.clone(), format!("cannot read it ({e})")))?;
        (SpinModel::from_toml(&text, lattice.clone(), path)?, f64::NAN)
    } else {
        let Some(kind) = p.model else {
            return Err(Error::invalid(
                "model",
                "none given",
                "--model is required with --delta, --J2 or --field: ferro (J = −|J|) or antiferro (J = +|J|) gives the sign of the nearest-neighbour exchange",
            ));
        };
        if !(p.coupling.is_finite() && p.coupling > 0.0) {
            return Err(Error::invalid(
                "coupling",
                p.coupling.to_string(),
                "give the exchange strength |J| > 0; the sign of J comes from --model (ferro or antiferro)",
            ));
        }
        if !(p.spin.is_finite() && p.spin > 0.0) {
            return Err(Error::invalid(
                "spin",
                p.spin.to_string(),
                "the spin length S must be positive, e.g. 0.5 or 1",
            ));
        }
        let j = if kind == ModelKind::Ferro { -p.coupling } else { p.coupling };
        let m = SpinModel::xxz(
            lattice.clone(),
            p.spin,
            j,
            p.delta.unwrap_or(1.0),
            p.j2.unwrap_or(0.0),
            p.field.unwrap_or(0.0),
        )?;
        (m, j)
    };
    let Some(u) = model.uniform_couplings() else {
        let t = model.terms().iter().position(|t| t.bonds.is_some() || t.sites.is_some()).unwrap_or(0);
        return Err(Error::invalid(
            "model",
            format!("term {} ({})", t + 1, model.terms()[t].describe()),
            "LSWT here needs a translation-invariant model by construction: every two-site term on offsets and every field on every site (use ether ed for bond lists)",
        ));
    };
    let ground = collinear_ground_state(lattice.extents(), model.spin, &u.bonds, u.field)?;
    let swt = SpinWaveTheory::collinear(model.spin, &u.bonds, u.field, &ground.state())
        .map_err(|e| Error::invalid("model", ground.describe(), e.to_string()))?;
    let hamiltonian = if p.model_file.is_some() {
        format!("{} ({} term{})", model.name, model.terms().len(), if model.terms().len() == 1 { "" } else { "s" })
    } else {
        format!(
            "J = {}, Δ = {}, J2 = {}, h = {} ({})",
            fmt_num(j_signed),
            fmt_num(p.delta.unwrap_or(1.0)),
            fmt_num(p.j2.unwrap_or(0.0)),
            fmt_num(p.field.unwrap_or(0.0)),
            model.name
        )
    };
    Ok(Some(General { lattice, spin: model.spin, j_signed, hamiltonian, ground, swt }))
}

/// LSWT of a general model: the dispersion along the path, the gap ω(0) and the low-k law of
/// `ω − ω(0)` along the first axis, and the Luttinger-Tisza certificate of the classical state.
fn run_general(p: &SpinwaveParams, g: &General) -> Result<SpinwaveRecord> {
    let lat = &g.lattice;
    let dim = lat.dim();
    let at = |k: f64| -> Result<f64> {
        let mut c = vec![0.0; dim];
        c[0] = k;
        g.swt.frequency(&crate::Momentum::new(&c))
    };
    let gap = at(0.0)?;
    let kmin = (p.fit_kmax / 30.0).max(1e-3);
    let fit_k: Vec<f64> = (0..12).map(|i| kmin * (p.fit_kmax / kmin).powf(i as f64 / 11.0)).collect();
    let fit_w: Vec<f64> = fit_k.iter().map(|&k| at(k)).collect::<Result<_>>()?;
    let rise: Vec<f64> = fit_w.iter().map(|w| w - gap).collect();
    let (law, failure) = if rise.iter().all(|&x| x > 0.0) {
        match fit_power_law(&fit_k, &rise) {
            Ok(l) => (l, None),
            Err(e) => (PowerLaw { exponent: f64::NAN, coefficient: f64::NAN }, Some(e.to_string())),
        }
    } else {
        (
            PowerLaw { exponent: f64::NAN, coefficient: f64::NAN },
            Some(format!(
                "ω(k) − ω(0) is not positive for 0 < k <= {} along the first axis: the band's minimum is not at k = 0",
                fmt_num(p.fit_kmax)
            )),
        )
    };
    let path = lat.high_symmetry_path(40.0);
    let omega = g.swt.dispersion(&path.points)?;
    let dispersion = Dispersion {
        distance: path.distance.clone(),
        k: kvec(&path),
        labels: path.labels.clone(),
        omega,
        omega_lswt: None,
    };
    let scale = omega_scale(&dispersion.omega);
    let gapped = gap > 1e-9 * scale;
    let verdict = match &failure {
        Some(why) => format!("gap ω(0) = {}; no power law: {why}", fmt_num(gap)),
        None if gapped => format!("gapped: ω(0) = {}, ω − ω(0) ~ k^{:.2}; not light", fmt_num(gap), law.exponent),
        None => verdict(law.exponent),
    };
    let c = &g.ground;
    let claim = Claim::at_least(
        format!("the classical state ({}) is a ground state", c.describe()),
        "Luttinger-Tisza margin min_q λ_min(J(q)) − μ",
        c.margin,
        -c.tolerance,
        format!(
            "weak-constraint bound (Luttinger & Tisza 1946; docs/physics/spin-waves.md): a stationary state of length S with J(q) − μ ⪰ 0 at all {} momenta checked minimizes the energy; threshold: rounding, 1e-10 of the couplings (the run refuses states without this certificate)",
            c.momenta_checked
        ),
    );
    let kind = if c.flip.iter().all(|&f| !f) { ModelKind::Ferro } else { ModelKind::Antiferro };
    let fit = FitInfo {
        failure,
        k: fit_k,
        k_max: p.fit_kmax,
        lswt_coefficient: law.coefficient,
        lswt_exponent: law.exponent,
        lswt_limit: f64::NAN,
        omega: fit_w,
    };
    Ok(SpinwaveRecord {
        j_signed: g.j_signed,
        claims: vec![claim],
        classical_state: Some(c.clone()),
        coefficient: law.coefficient,
        coupling: if g.j_signed.is_nan() { 1.0 } else { g.j_signed.abs() },
        dispersion,
        dynamics: None,
        exponent: law.exponent,
        fit,
        gap: Some(gap),
        hamiltonian: Some(g.hamiltonian.clone()),
        lattice: lat.to_string(),
        method: Method::Lswt,
        model: kind,
        spin: g.spin,
        stiffness: None,
        velocity: None,
        verdict,
        skw: None,
    })
}

fn omega_scale(w: &[f64]) -> f64 {
    w.iter().copied().filter(|x| x.is_finite()).fold(0.0, f64::max).max(f64::MIN_POSITIVE)
}

/// Bytes a dynamics run holds at its peak, from the parameters alone: the trajectory (3 reals per
/// site and frame), its complex transform (3 complex), the accumulator and the checkpoint copy
/// (one real each), plus the spins and neighbour tables.
pub fn dynamics_memory(lattice: &Lattice, frames: usize) -> u64 {
    let nt = bytes_of(lattice.n_sites() as u128, frames as u128);
    let per = 24u128 + 48 + 8 + 8 + 8;
    bytes_of(nt as u128, per)
        .saturating_add(SpinDynamics::memory_estimate(lattice).saturating_add(bytes_of(lattice.n_sites() as u128, 48)))
}

/// The magnitudes of |J| and S that keep the squared frequencies in normal doubles.
const COUPLING_RANGE: (f64, f64) = (1e-100, 1e100);

/// The most integration steps between two frames a given `--dt` may ask for.
const MAX_STEPS_PER_FRAME: f64 = 1e4;

/// The dynamics settings: the default integrator and frame spacing for the model, with the time
/// step from the parameters if given (frames stay about as far apart as by default).
fn correlation_params(p: &SpinwaveParams, st: &Setup, dynm: &SpinDynamics) -> CorrelationParams {
    let mut cp = CorrelationParams::for_model(dynm, st.temperature, p.seed, p.frames);
    cp.samples = p.samples;
    if let Some(dt) = p.dt {
        let dt_frame = cp.integrator.dt() * cp.stride as f64;
        cp.integrator = dynm.default_integrator(dt);
        cp.stride = (dt_frame / dt).round().max(1.0) as usize;
    }
    cp
}

/// The dispersion along the high-symmetry path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dispersion {
    /// Arclength along the path (radians per lattice spacing).
    pub distance: Vec<f64>,
    /// Momenta (radians per lattice spacing), one vector per point.
    pub k: Vec<Vec<f64>>,
    /// Corner labels (point index, label; "G" is Γ).
    pub labels: Vec<(usize, String)>,
    /// Frequencies in units of |J| (LSWT along a continuous path; for dynamics, the peaks of
    /// S(k, ω) on the grid path, null where unresolved and at k = 0).
    pub omega: Vec<f64>,
    /// LSWT at the same momenta (dynamics only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub omega_lswt: Option<Vec<f64>>,
}

/// What the dynamics measured beside the dispersion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DynamicsInfo {
    /// Time step.
    pub dt: f64,
    /// Largest |E(t) − E(0)| over all samples and frames (units of |J|).
    pub energy_drift: f64,
    /// The same divided by sqrt(N).
    pub energy_drift_per_sqrt_n: f64,
    /// Frames per trajectory.
    pub frames: usize,
    /// Frequency bin Δω.
    pub frequency_resolution: f64,
    /// The integrator.
    pub integrator: String,
    /// Largest |ω_peak − ω_LSWT| / ω_LSWT over the fitted peaks.
    pub max_peak_deviation_from_lswt: f64,
    /// Mean Metropolis acceptance of the thermal states.
    pub metropolis_acceptance: f64,
    /// The fitted peaks (0 < |k| <= fit_kmax, resolved above 3 frequency bins).
    pub peaks: Vec<Peak>,
    /// Thermal samples.
    pub samples: usize,
    /// Largest | |S_i| − S |.
    pub spin_length_error: f64,
    /// S² (the classical sum rule).
    pub sum_rule_expected: f64,
    /// (1/N) Σ_k Σ_j S(k, ω_j) Δω.
    pub sum_rule_measured: f64,
    /// Temperature of the thermal states.
    pub temperature: f64,
}

/// The points of the low-k fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitInfo {
    /// Why no power law could be fitted (absent when it could): the window and the likely cause.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub failure: Option<String>,
    /// |k| of the fitted points.
    pub k: Vec<f64>,
    /// The fit window's upper end.
    pub k_max: f64,
    /// The LSWT law's coefficient over the same window.
    pub lswt_coefficient: f64,
    /// The LSWT law's exponent over the same window.
    pub lswt_exponent: f64,
    /// The LSWT stiffness D (ferromagnet, ω ≈ D k²) or velocity c (antiferromagnet) at k → 0.
    pub lswt_limit: f64,
    /// ω of the fitted points.
    pub omega: Vec<f64>,
}

/// The record of `ether spinwave`: its JSON is `result.json` and the `--json` document. (Fields
/// in alphabetical order, so that the document is the same however it is written.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpinwaveRecord {
    /// The signed exchange J (< 0 ferro, > 0 antiferro).
    #[serde(rename = "J")]
    pub j_signed: f64,
    /// The chapter's claims.
    pub claims: Vec<Claim>,
    /// The certified classical ground state of a Hamiltonian given as terms (`delta`, `J2`,
    /// `field`, `model_file`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub classical_state: Option<ClassicalGround>,
    /// Coefficient c of the fitted ω ≈ c |k|^p (null if no power law could be fitted).
    pub coefficient: f64,
    /// |J|.
    pub coupling: f64,
    /// The dispersion along the high-symmetry path.
    pub dispersion: Dispersion,
    /// What the dynamics measured (dynamics only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub dynamics: Option<DynamicsInfo>,
    /// Exponent p of the fitted ω ≈ c |k|^p (null if no power law could be fitted).
    pub exponent: f64,
    /// The points of the fit.
    pub fit: FitInfo,
    /// The gap ω(k = 0) (Hamiltonians given as terms; the fit is then of ω − ω(0)).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gap: Option<f64>,
    /// The Hamiltonian in words, when given as terms.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hamiltonian: Option<String>,
    /// Lattice extents.
    pub lattice: String,
    /// The method.
    pub method: Method,
    /// The model; for a Hamiltonian given as terms, the order of its classical state (ferro:
    /// uniform, antiferro: staggered along some axis).
    pub model: ModelKind,
    /// Spin length S.
    pub spin: f64,
    /// Ferromagnet: the spin stiffness D of ω ≈ D k² at k → 0 (units of |J|, lattice spacing 1).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stiffness: Option<f64>,
    /// Antiferromagnet: the spin-wave velocity c of ω ≈ c |k| at k → 0.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub velocity: Option<f64>,
    /// The verdict in words, from the exponent (see [`verdict`]).
    pub verdict: String,
    /// S(k, ω) on the grid path (dynamics only; saved as `skw.npy`).
    #[serde(skip)]
    pub skw: Option<Skw>,
}

/// S(k, ω) on the grid path: rows are path points, columns the non-negative frequencies.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Skw {
    /// ω of the columns.
    pub omega: Vec<f64>,
    /// `(path point, ω)`, C order.
    pub intensity: Vec<f64>,
}

/// The verdict's classification band: an exponent within this of 2 is "quadratic", of 1
/// "linear". It covers the lattice curvature over the default window (the LSWT exponent over
/// |k| ≤ 0.6 is 1.97-1.99 for the ferromagnet and 0.97-0.99 for the antiferromagnet) and the
/// peak positions of a finite time window (a bin); the claims use the same band.
pub const EXPONENT_BAND: f64 = 0.15;

/// Words for a fitted law.
pub fn verdict(p: f64) -> String {
    if (p - 2.0).abs() < EXPONENT_BAND {
        format!("w ~ k^{p:.2}: spin waves, not light (first order in time, dS/dt = S x d²S/dx²)")
    } else if (p - 1.0).abs() < EXPONENT_BAND {
        format!(
            "w ~ k^{p:.2}: a wave equation with one polarization per branch and no divergence constraint; not Maxwell"
        )
    } else {
        format!("w ~ k^{p:.2}: neither quadratic nor linear at small k")
    }
}

/// The closed-form LSWT `k → 0` limit of the Heisenberg model (docs/physics/spin-waves.md):
/// stiffness `D = |J| S` of the ferromagnet (ω = 2|J|S Σ_a (1 − cos k_a)), velocity
/// `c = 2√d J S` of the antiferromagnet (ω = z J S sqrt(1 − γ_k²)).
pub fn closed_form_limit(kind: ModelKind, dim: usize, spin: f64, coupling: f64) -> f64 {
    match kind {
        ModelKind::Ferro => coupling * spin,
        ModelKind::Antiferro => 2.0 * (dim as f64).sqrt() * coupling * spin,
    }
}

fn limit_name(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::Ferro => "stiffness D of ω ≈ D k² at k → 0",
        ModelKind::Antiferro => "velocity c of ω ≈ c |k| at k → 0",
    }
}

/// The LSWT law and the points it is fitted on (12 momenta along the first axis, log-spaced in
/// `[k_max/30, k_max]`).
fn lswt_law(swt: &SpinWaveTheory, dim: usize, k_max: f64) -> Result<(PowerLaw, Vec<f64>, Vec<f64>)> {
    let kmin = (k_max / 30.0).max(1e-3);
    let law = low_k_law(swt, dim, kmin, k_max, 12)?;
    let ks: Vec<f64> = (0..12).map(|i| kmin * (k_max / kmin).powf(i as f64 / 11.0)).collect();
    let ws = ks
        .iter()
        .map(|&k| {
            let mut c = vec![0.0; dim];
            c[0] = k;
            swt.frequency(&crate::Momentum::new(&c))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((law, ks, ws))
}

fn kvec(path: &MomentumPath) -> Vec<Vec<f64>> {
    path.points.iter().map(|k| k.components().to_vec()).collect()
}

impl Experiment for Spinwave {
    const COMMAND: &'static str = "spinwave";
    type Params = SpinwaveParams;
    type Record = SpinwaveRecord;

    fn validate(p: &SpinwaveParams) -> Result<()> {
        if general_setup(p)?.is_some() {
            return Ok(());
        }
        let st = setup(p)?;
        let lat = &st.model.lattice;
        match p.method {
            // The LSWT path and fit do not depend on the lattice size; the path has ~40 points per
            // unit of arclength.
            Method::Lswt => Ok(()),
            Method::Dynamics => check_memory(
                &format!("classical dynamics on {lat} with {} frames", p.frames),
                dynamics_memory(lat, p.frames),
                "use fewer --frames or a smaller --lattice",
            ),
        }
    }

    fn run(p: &SpinwaveParams, obs: &mut dyn Observer) -> Result<SpinwaveRecord> {
        if let Some(g) = general_setup(p)? {
            return run_general(p, &g);
        }
        Self::validate(p)?;
        let st = setup(p)?;
        match p.method {
            Method::Lswt => {
                if let Some(c) = obs.checkpoints() {
                    if c.exists() && c.dir().join(format!("{SAMPLES}.ckpt")).exists() {
                        return Err(Error::invalid(
                            "method",
                            "lswt",
                            format!(
                                "{} holds an interrupted classical-dynamics run: resume it with --method dynamics, or remove that directory",
                                c.dir().display()
                            ),
                        ));
                    }
                }
                run_lswt(p, &st)
            }
            Method::Dynamics => run_dynamics(p, &st, obs),
        }
    }

    fn demo(seed: u64) -> Vec<DemoRun<SpinwaveParams>> {
        let mut runs = Vec::new();
        for (kind, lattice, frames, samples) in [
            (ModelKind::Ferro, "64", 2048, 2),
            (ModelKind::Antiferro, "64", 2048, 2),
            (ModelKind::Ferro, "32x32", 1536, 1),
            (ModelKind::Antiferro, "32x32", 1536, 1),
        ] {
            for method in [Method::Lswt, Method::Dynamics] {
                let name = if kind == ModelKind::Ferro { "ferro" } else { "antiferro" };
                let how = if method == Method::Lswt { "lswt" } else { "dynamics" };
                let shape = if lattice.contains('x') { "square lattice" } else { "chain" };
                let by = if method == Method::Lswt { "linear spin-wave theory" } else { "classical dynamics" };
                runs.push(DemoRun {
                    chapter: 1,
                    title: format!("Spin waves of the {} on the {shape}, {by}", kind.noun()),
                    dir: format!("ch1-{name}-{lattice}-{how}"),
                    params: SpinwaveParams {
                        model: Some(kind),
                        lattice: lattice.into(),
                        method,
                        seed,
                        samples,
                        frames,
                        ..Default::default()
                    },
                });
            }
        }
        runs
    }
}

/// The checkpoint file of the dynamics' finished samples.
const SAMPLES: &str = "samples";

fn run_lswt(p: &SpinwaveParams, st: &Setup) -> Result<SpinwaveRecord> {
    let m = &st.model;
    let lat = &m.lattice;
    let swt = SpinWaveTheory::new(m)?;
    let (law, fit_k, fit_w) = lswt_law(&swt, lat.dim(), p.fit_kmax)?;
    let limit = swt.low_k_limit(lat.dim(), if st.kind == ModelKind::Ferro { 2 } else { 1 })?.coefficient;
    let path = lat.high_symmetry_path(40.0);
    let omega = swt.dispersion(&path.points)?;
    let dispersion = Dispersion {
        distance: path.distance.clone(),
        k: kvec(&path),
        labels: path.labels.clone(),
        omega,
        omega_lswt: None,
    };
    let fit = FitInfo {
        failure: None,
        k: fit_k,
        k_max: p.fit_kmax,
        lswt_coefficient: law.coefficient,
        lswt_exponent: law.exponent,
        lswt_limit: limit,
        omega: fit_w,
    };
    let mut r = record(p, st, law, fit, dispersion, limit);
    let want = closed_form_limit(st.kind, lat.dim(), m.spin, p.coupling);
    r.claims.push(Claim::within(
        format!("the LSWT {} equals its closed form", if st.kind == ModelKind::Ferro { "stiffness" } else { "velocity" }),
        limit_name(st.kind),
        limit,
        want,
        1e-6 * want,
        match st.kind {
            ModelKind::Ferro => "closed form D = |J| S of ω = 2|J|S Σ_a (1 − cos k_a) (Bloch 1930; Holstein and Primakoff 1940; docs/physics/spin-waves.md); 1e-6 relative covers the Richardson extrapolation (error ~1e-8)",
            ModelKind::Antiferro => "closed form c = 2√d J S of ω = zJS sqrt(1 − γ_k²) (Anderson 1952; Kubo 1952; docs/physics/spin-waves.md); 1e-6 relative covers the Richardson extrapolation (error ~1e-8)",
        },
    ));
    Ok(r)
}

/// A record with the parts both methods share; the caller adds the method's own.
fn record(
    p: &SpinwaveParams,
    st: &Setup,
    law: PowerLaw,
    fit: FitInfo,
    dispersion: Dispersion,
    limit: f64,
) -> SpinwaveRecord {
    let m = &st.model;
    let want = st.kind.exponent();
    let claim =
        format!("spin waves of the {} disperse as {}", st.kind.noun(), if want == 1.0 { "ω ~ k" } else { "ω ~ k²" });
    let source = "verdict band ±0.15 about the LSWT exponent (2: ω = 2|J|S Σ(1 − cos k) ≈ |J|S k²; 1: ω ≈ 2√d JS |k|), \
                  covering the lattice curvature over the fit window (the LSWT exponent over |k| ≤ 0.6 is 1.97-1.99 and 0.97-0.99) \
                  and, for the dynamics, one frequency bin per peak";
    let exponent_claim = match &fit.failure {
        Some(why) => Claim::within(claim, "exponent p of ω ~ k^p", f64::NAN, want, EXPONENT_BAND, source)
            .with_measured(format!("no power law in this window: {why}")),
        None => Claim::within(claim, "exponent p of ω ~ k^p", law.exponent, want, EXPONENT_BAND, source),
    };
    let verdict = match &fit.failure {
        Some(why) => format!("no power law in this window: {why}"),
        None => verdict(law.exponent),
    };
    let (stiffness, velocity) = match st.kind {
        ModelKind::Ferro => (Some(limit), None),
        ModelKind::Antiferro => (None, Some(limit)),
    };
    SpinwaveRecord {
        j_signed: m.coupling,
        claims: vec![exponent_claim],
        classical_state: None,
        coefficient: law.coefficient,
        coupling: m.coupling.abs(),
        dispersion,
        dynamics: None,
        exponent: law.exponent,
        fit,
        gap: None,
        hamiltonian: None,
        lattice: m.lattice.to_string(),
        method: p.method,
        model: st.kind,
        spin: m.spin,
        stiffness,
        velocity,
        verdict,
        skw: None,
    }
}

/// Why no power law can be fitted to the resolved peaks, with the likely cause in numbers.
fn fit_failure(
    p: &SpinwaveParams,
    st: &Setup,
    swt: &SpinWaveTheory,
    sf: &crate::dynamics::StructureFactor,
    window: &[usize],
    resolved: usize,
    dt: f64,
) -> String {
    let lat = &st.model.lattice;
    let dw = sf.domega();
    if window.is_empty() {
        let lmax = lat.extents().iter().copied().max().unwrap_or(1);
        let kmin = 2.0 * std::f64::consts::PI / lmax as f64;
        return format!(
            "no momentum of the {lat} lattice lies in 0 < |k| <= {} (the smallest is 2π/{lmax} = {:.3}); the lattice is too small for this window: use a larger --lattice or a larger --fit-kmax",
            fmt_num(p.fit_kmax),
            kmin
        );
    }
    let lowest =
        window.iter().filter_map(|&k| swt.frequency(&lat.momentum_of_index(k)).ok()).fold(f64::INFINITY, f64::min);
    let mut causes = Vec::new();
    if lowest < 3.0 * dw {
        // The floor 3 Δω = 3 T Δω / T falls below ω with T' >= 3 T Δω / ω frames.
        let frames_needed = (3.0 * sf.n_times() as f64 * dw / lowest).ceil() as usize;
        causes.push(format!(
            "too few frames: the lowest LSWT mode in the window, ω = {:.4}, is below the resolved floor of 3 bins (Δω = {:.4} with {} frames); give --frames {} or more",
            lowest,
            dw,
            sf.n_times(),
            frames_needed.max(sf.n_times() + 1)
        ));
    }
    let wmax = 4.0 * lat.dim() as f64 * p.coupling * st.model.spin;
    if wmax * dt > 0.5 {
        causes.push(format!(
            "dt too large: ω_max dt = {:.2} (ω_max = 4d|J|S = {}); the integrator distorts the frequencies above about 0.1, give --dt {:.4} or less",
            wmax * dt,
            fmt_num(wmax),
            0.1 / wmax
        ));
    }
    if causes.is_empty() {
        causes.push("the spectra have no interior maximum above 3 bins; use more --samples or --frames".into());
    }
    format!(
        "{resolved} resolved peak{} with 0 < |k| <= {}; {}",
        if resolved == 1 { "" } else { "s" },
        fmt_num(p.fit_kmax),
        causes.join("; ")
    )
}

fn run_dynamics(p: &SpinwaveParams, st: &Setup, obs: &mut dyn Observer) -> Result<SpinwaveRecord> {
    let m = &st.model;
    let lat = &m.lattice;
    let swt = SpinWaveTheory::new(m)?;
    let (law, _, _) = lswt_law(&swt, lat.dim(), p.fit_kmax)?;
    let power = if st.kind == ModelKind::Ferro { 2 } else { 1 };
    let lswt_limit = swt.low_k_limit(lat.dim(), power)?.coefficient;
    let dynm = SpinDynamics::new(m)?;
    let cp = correlation_params(p, st, &dynm);
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    obs.say(&format!(
        "{} {} S={} J={:+}: {} thermal sample{} at T = {:.4}, {} frames every {} steps of dt = {:.4}",
        st.kind.noun(),
        lat,
        m.spin,
        m.coupling,
        cp.samples,
        plural(cp.samples),
        cp.temperature,
        cp.frames,
        cp.stride,
        cp.integrator.dt()
    ));
    // The checkpoint of finished samples: its header pins the parameters and the lattice.
    let ck = obs.checkpoints().cloned();
    let header = serde_json::json!({
        "command": Spinwave::COMMAND,
        "ether_version": crate::record::VERSION,
        "params": p,
    });
    let resume = match &ck {
        Some(c) => match c.load(SAMPLES, &header)? {
            Some(bytes) => {
                let r = CorrelationCheckpoint::from_bytes(&bytes)?;
                obs.say(&format!("resuming after {} of {} sample{}", r.completed, cp.samples, plural(cp.samples)));
                Some(r)
            }
            None => None,
        },
        None => None,
    };
    let mut save = |c: &CorrelationCheckpoint| -> Result<()> {
        match &ck {
            Some(dir) => dir.save(SAMPLES, &header, &c.to_bytes()),
            None => Ok(()),
        }
    };
    let run: CorrelationRun = match thermal_structure_factor_resumable(m, &cp, resume, obs, &mut save) {
        Err(Error::Interrupted { what, kept }) => {
            let kept = match &ck {
                Some(c) => format!("kept {kept} in {}; continue with --resume", c.dir().display()),
                None => format!("nothing kept ({kept} were done; give --out DIR to keep finished samples)"),
            };
            return Err(Error::Interrupted { what, kept });
        }
        r => r?,
    };
    let sf = &run.sf;
    let search = PeakSearch { keep_above: 3.0, fold_inversion: true, ..PeakSearch::new(PeakFinder::Parabola) };
    let window = spectra::small_momenta(lat, p.fit_kmax);
    let pk = spectra::peaks(sf, &window, &search);
    let ks: Vec<f64> = pk.iter().map(|q| q.k_abs).collect();
    let ws: Vec<f64> = pk.iter().map(|q| q.omega).collect();
    let (fitted, failure) = match fit_power_law(&ks, &ws) {
        Ok(l) => (l, None),
        Err(_) => (
            PowerLaw { exponent: f64::NAN, coefficient: f64::NAN },
            Some(fit_failure(p, st, &swt, sf, &window, pk.len(), cp.integrator.dt())),
        ),
    };
    let mut dev: f64 = 0.0;
    for q in &pk {
        let w = swt.frequency(&lat.momentum_of_index(q.k_index))?;
        dev = dev.max((q.omega - w).abs() / w);
    }
    // The k → 0 limit from the peaks, each uncertain by half a frequency bin.
    let sigma_peak = 0.5 * sf.domega();
    let (limit, limit_se) = match (&failure, zero_k_limit(&ks, &ws, power as f64, sigma_peak)) {
        (None, Some(x)) => x,
        _ => (f64::NAN, f64::NAN),
    };
    // Dispersion along the grid path, from the peaks of S(k, ω).
    let gpath = lat.grid_path();
    let gidx: Vec<usize> = gpath.points.iter().map(|k| lat.momentum_index(k)).collect();
    let gsearch = PeakSearch { keep_above: 1.0, ..search };
    let gpeaks = spectra::peaks(sf, &gidx, &gsearch);
    // k = 0 is left out: total spin is conserved, so S(0, ω) has weight only at ω = 0.
    let omega_grid: Vec<f64> = gidx
        .iter()
        .map(|&i| {
            if i == 0 {
                return f64::NAN;
            }
            gpeaks.iter().find(|q| q.k_index == i).map(|q| q.omega).unwrap_or(f64::NAN)
        })
        .collect();
    let omega_lswt = swt.dispersion(&gpath.points)?;
    let n = lat.n_sites();
    let sum_rule = spectra::sum_rule(sf, 0);
    let skw = Skw { omega: spectra::positive_omegas(sf), intensity: spectra::slice(sf, 0, &gidx)? };
    let fit = FitInfo {
        failure: failure.clone(),
        k: ks,
        k_max: p.fit_kmax,
        lswt_coefficient: law.coefficient,
        lswt_exponent: law.exponent,
        lswt_limit,
        omega: ws,
    };
    let dispersion = Dispersion {
        distance: gpath.distance.clone(),
        k: kvec(&gpath),
        labels: gpath.labels.clone(),
        omega: omega_grid,
        omega_lswt: Some(omega_lswt),
    };
    let mut r = record(p, st, fitted, fit, dispersion, limit);
    let s2 = m.spin * m.spin;
    let what = if st.kind == ModelKind::Ferro { "stiffness" } else { "velocity" };
    // Three standard errors of the extrapolation (peaks uncertain by half a bin) plus the
    // thermal shift allowance.
    let tolerance = 3.0 * limit_se + THERMAL_SHIFT * lswt_limit;
    r.claims.push(Claim::within(
        format!("the {what} of the classical dynamics agrees with linear spin-wave theory"),
        limit_name(st.kind),
        limit,
        lswt_limit,
        tolerance,
        format!(
            "LSWT {what} {}. The peaks sit within a frequency bin plus an O(T) thermal shift of LSWT (docs/physics/spin-waves.md, \
             classical dynamics); the tolerance is 3 standard errors of the weighted k² extrapolation with each peak uncertain by \
             half a bin (Δω/2 = {}), plus {}% for the thermal shift at T = {}",
            fmt_num(lswt_limit),
            fmt_num(sigma_peak),
            fmt_num(100.0 * THERMAL_SHIFT),
            fmt_num(cp.temperature)
        ),
    ));
    r.claims.push(Claim::within(
        "the classical sum rule (1/N) Σ_k ∫dω S(k, ω) = S² holds",
        "(1/N) Σ_k Σ_j S(k, ω_j) Δω",
        sum_rule,
        s2,
        1e-9 * s2,
        "Parseval's theorem for the estimator of docs/conventions.md with |S_i| = S kept by the integrator; 1e-9 relative is rounding of N T terms",
    ));
    let drift_bound = 1e-9 * p.coupling * s2 * (n as f64).sqrt();
    r.claims.push(Claim::at_most(
        "the integrator conserves the energy",
        "largest |E(t) − E(0)| over all samples and frames",
        run.energy_drift,
        drift_bound,
        "both integrators conserve H exactly in exact arithmetic (rotations about frozen fields; the midpoint rule for a quadratic H); \
         the bound 1e-9 |J| S² sqrt(N) is rounding of N terms per step accumulated over the run, orders of magnitude below any real drift",
    ));
    r.dynamics = Some(DynamicsInfo {
        dt: cp.integrator.dt(),
        energy_drift: run.energy_drift,
        energy_drift_per_sqrt_n: run.energy_drift / (n as f64).sqrt(),
        frames: cp.frames,
        frequency_resolution: sf.domega(),
        integrator: cp.integrator.name().into(),
        max_peak_deviation_from_lswt: dev,
        metropolis_acceptance: run.acceptance,
        peaks: pk,
        samples: cp.samples,
        spin_length_error: run.length_error,
        sum_rule_expected: s2,
        sum_rule_measured: sum_rule,
        temperature: cp.temperature,
    });
    r.skw = Some(skw);
    Ok(r)
}

/// Relative allowance for the thermal shift of the classical dynamics' k → 0 limit from LSWT at
/// the default temperature 0.01 |J| S² (magnons soften by a relative amount of order T/(z|J|S²)).
pub const THERMAL_SHIFT: f64 = 0.01;

impl Record for SpinwaveRecord {
    fn arrays(&self) -> Vec<DataArray> {
        let d = &self.dispersion;
        let dist =
            Axis::new("arclength along the high-symmetry path", "rad/a", "dispersion_distance.npy", d.distance.clone());
        let dim = d.k.first().map(|k| k.len()).unwrap_or(0);
        let comp = Axis::labelled(
            "momentum component",
            "dispersion_component.npy",
            ["k_x", "k_y", "k_z", "k_w"].iter().take(dim).map(|s| s.to_string()).collect(),
        );
        let mut v = vec![
            DataArray::real(
                "dispersion_omega.npy",
                "ω along the path (NaN where unresolved)",
                "|J|",
                vec![dist.clone()],
                d.omega.clone(),
            ),
            DataArray::real(
                "dispersion_k.npy",
                "the momenta of the path points",
                "rad/a",
                vec![dist.clone(), comp],
                d.k.iter().flatten().copied().collect(),
            ),
        ];
        if let Some(l) = &d.omega_lswt {
            v.push(DataArray::real(
                "dispersion_omega_lswt.npy",
                "linear spin-wave theory at the same momenta",
                "|J|",
                vec![dist.clone()],
                l.clone(),
            ));
        }
        let fk = Axis::new("|k| of the fitted points", "rad/a", "fit_k.npy", self.fit.k.clone());
        v.push(DataArray::real(
            "fit_omega.npy",
            "ω of the points of the low-k fit",
            "|J|",
            vec![fk],
            self.fit.omega.clone(),
        ));
        if let Some(s) = &self.skw {
            let w = Axis::new("omega", "|J|", "skw_omega.npy", s.omega.clone());
            v.push(DataArray::real(
                "skw.npy",
                "S(k, ω) = Σ_α S^αα on the grid path (rows: path points; columns: ω ≥ 0); Δt/(2π N T) ⟨|S_k(ω)|²⟩ (docs/conventions.md)",
                "1/|J|",
                vec![dist, w],
                s.intensity.clone(),
            ));
        }
        v
    }

    fn claims(&self) -> Vec<Claim> {
        self.claims.clone()
    }

    fn summary(&self) -> Vec<String> {
        if let (Some(h), Some(c)) = (&self.hamiltonian, &self.classical_state) {
            return vec![
                format!("{h} on {} (S = {}), linear spin-wave theory around the {}", self.lattice, self.spin, c.describe()),
                format!(
                    "  classical energy per site {}, Luttinger-Tisza margin {:.1e} over {} momenta; gap ω(0) = {}; ω − ω(0) ≈ {:.4} |k|^{:.3}",
                    fmt_num(c.energy_per_site),
                    c.margin,
                    c.momenta_checked,
                    fmt_num(self.gap.unwrap_or(f64::NAN)),
                    self.coefficient,
                    self.exponent
                ),
                format!("verdict: {}", self.verdict),
            ];
        }
        let mut v = vec![format!(
            "{} on {} (S = {}, |J| = {}), {}: {}",
            self.model.noun(),
            self.lattice,
            self.spin,
            self.coupling,
            match self.method {
                Method::Lswt => "linear spin-wave theory",
                Method::Dynamics => "classical dynamics",
            },
            if self.coefficient.is_finite() && self.exponent.is_finite() {
                format!("ω ≈ {:.4} |k|^{:.3}", self.coefficient, self.exponent)
            } else {
                "no power law fitted (see the verdict)".to_string()
            }
        )];
        if let Some(d) = &self.dynamics {
            v.push(format!(
                "  peaks within {:.2} % of LSWT (LSWT law {:.4} |k|^{:.3}); energy drift {:.1e}, spin-length error {:.1e}, sum rule {:.6} (S² = {:.6})",
                100.0 * d.max_peak_deviation_from_lswt,
                self.fit.lswt_coefficient,
                self.fit.lswt_exponent,
                d.energy_drift,
                d.spin_length_error,
                d.sum_rule_measured,
                d.sum_rule_expected
            ));
        }
        v.push(format!("verdict: {}", self.verdict));
        v
    }

    fn narrative(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(d) = &self.dynamics {
            v.push(format!(
                "Classical dynamics on {}: peaks of S(k,ω) within {:.1} % of LSWT at small k; energy drift {:.1e}, spin length kept to {:.0e}, sum rule {:.5} vs S² = {:.5}.",
                self.lattice,
                100.0 * d.max_peak_deviation_from_lswt,
                d.energy_drift,
                d.spin_length_error.max(1e-16),
                d.sum_rule_measured,
                d.sum_rule_expected
            ));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Quiet;

    fn params(kind: ModelKind, lattice: &str, method: Method) -> SpinwaveParams {
        SpinwaveParams { model: Some(kind), lattice: lattice.into(), method, ..Default::default() }
    }

    /// The record's fields are in alphabetical order at every level, so `--json` (written from
    /// the struct) and `result.json` (written through a `serde_json::Value`, whose keys are
    /// sorted) are the same document, as before the experiment API.
    #[test]
    fn the_record_reads_the_same_written_directly_or_through_a_value() {
        let mut p = params(ModelKind::Antiferro, "16x16", Method::Dynamics);
        (p.frames, p.samples) = (64, 1);
        for p in [params(ModelKind::Ferro, "8x8", Method::Lswt), p] {
            let r = Spinwave::run(&p, &mut Quiet).unwrap();
            let direct = serde_json::to_string_pretty(&r).unwrap();
            let sorted = serde_json::to_string_pretty(&serde_json::to_value(&r).unwrap()).unwrap();
            // Claims are new: their own key order is theirs (no older document to match).
            let strip = |s: &str| {
                s.split("\"claims\"").next().unwrap().to_string() + s.split("\"coefficient\"").nth(1).unwrap()
            };
            assert_eq!(strip(&direct), strip(&sorted), "{:?}", p.method);
        }
    }

    #[test]
    fn parameters_round_trip_and_refuse_unknown_keys() {
        let p = params(ModelKind::Ferro, "32x32", Method::Dynamics);
        let back: SpinwaveParams = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
        assert_eq!(back, p);
        let e = serde_json::from_str::<SpinwaveParams>(r#"{"model": "ferro", "latice": "8"}"#).unwrap_err().to_string();
        assert!(e.contains("latice"), "{e}");
        let e = Spinwave::validate(&SpinwaveParams::default()).unwrap_err().to_string();
        assert!(e.contains("--model is required"), "{e}");
        // NaN and infinities survive the JSON round trip (as strings) to be refused by validate.
        let bad = SpinwaveParams { coupling: f64::NAN, temperature: Some(f64::INFINITY), ..p.clone() };
        let v = serde_json::to_value(&bad).unwrap();
        assert_eq!((v["coupling"].as_str(), v["temperature"].as_str()), (Some("NaN"), Some("inf")));
        let back: SpinwaveParams = serde_json::from_value(v).unwrap();
        assert!(back.coupling.is_nan() && back.temperature == Some(f64::INFINITY));
        assert!(Spinwave::validate(&back).unwrap_err().to_string().contains("|J| > 0"));
        let e = serde_json::from_str::<SpinwaveParams>(r#"{"spin": "half"}"#).unwrap_err().to_string();
        assert!(e.contains("half"), "{e}");
    }

    #[test]
    fn hamiltonians_as_terms_get_a_certified_collinear_state_or_a_reason() {
        let run = |p: SpinwaveParams| Spinwave::run(&p, &mut Quiet);
        let base = params(ModelKind::Antiferro, "16x16", Method::Lswt);
        // XXZ Δ = 0.5: Néel in the plane, gapless; its closed form is checked in modes::lswt.
        let r = run(SpinwaveParams { delta: Some(0.5), ..base.clone() }).unwrap();
        let c = r.classical_state.as_ref().unwrap();
        assert_eq!((c.flip.clone(), c.direction), (vec![true, true], [1.0, 0.0, 0.0]), "{}", c.describe());
        assert!(r.claims.iter().all(|c| c.pass) && r.gap.unwrap().abs() < 1e-9, "{:?}", r.claims);
        assert!((r.exponent - 1.0).abs() < EXPONENT_BAND, "{}", r.verdict);
        // Δ = 2: Néel along z, gapped: ω(0) = zJS sqrt(Δ² − 1) = 2 sqrt(3) on the square lattice.
        let r = run(SpinwaveParams { delta: Some(2.0), ..base.clone() }).unwrap();
        assert!((r.gap.unwrap() - 2.0 * 3f64.sqrt()).abs() < 1e-12 && r.verdict.starts_with("gapped"), "{}", r.verdict);
        // J2 = 0.7: stripe order.
        let r = run(SpinwaveParams { j2: Some(0.7), ..base.clone() }).unwrap();
        assert_eq!(r.classical_state.unwrap().flip, vec![true, false]);
        // The ferromagnet in a field: gap h exactly (one-magnon band h + |J|S Σ (2 − 2 cos k)).
        let r = run(SpinwaveParams { model: Some(ModelKind::Ferro), field: Some(0.3), ..base.clone() }).unwrap();
        assert!((r.gap.unwrap() - 0.3).abs() < 1e-12, "{:?}", r.gap);
        assert!((r.exponent - 2.0).abs() < EXPONENT_BAND, "{}", r.verdict);
        // The same J1-J2 model from a model file (bond directions in the same order, so that the
        // Hessian sums in the same order): the same numbers, bit for bit.
        let dir = std::env::temp_dir().join(format!("ether-sw-terms-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("j1j2.toml");
        std::fs::write(
            &f,
            "name = \"j1j2\"\n[[term]]\nops = \"zz\"\ncoupling = 1.0\noffsets = [[1, 0], [0, 1]]\n\
             [[term]]\nops = \"+-\"\ncoupling = 0.5\noffsets = [[1, 0], [0, 1]]\n[[term]]\nops = \"-+\"\ncoupling = 0.5\noffsets = [[1, 0], [0, 1]]\n\
             [[term]]\nops = \"xx\"\ncoupling = 0.3\noffsets = [[1, 1], [1, -1]]\n[[term]]\nops = \"yy\"\ncoupling = 0.3\noffsets = [[1, 1], [1, -1]]\n\
             [[term]]\nops = \"zz\"\ncoupling = 0.3\noffsets = [[1, 1], [1, -1]]\n",
        )
        .unwrap();
        let from_file =
            run(SpinwaveParams { model: None, model_file: Some(f.to_string_lossy().into()), ..base.clone() }).unwrap();
        let from_flags = run(SpinwaveParams { j2: Some(0.3), ..base.clone() }).unwrap();
        let bits = |r: &SpinwaveRecord| r.dispersion.omega.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&from_file), bits(&from_flags));
        assert!(from_file.hamiltonian.as_deref().unwrap().starts_with("j1j2 (6 terms)"));
        // Refusals, each with its reason.
        let refuse = |p: SpinwaveParams, needle: &str| {
            let e = Spinwave::validate(&p).unwrap_err();
            assert!(e.is_user_error() && e.to_string().contains(needle), "{needle}: {e}");
        };
        refuse(SpinwaveParams { lattice: "24".into(), j2: Some(0.4), ..base.clone() }, "spiral");
        refuse(SpinwaveParams { field: Some(1.0), ..base.clone() }, "h_sat");
        refuse(SpinwaveParams { delta: Some(0.5), method: Method::Dynamics, ..base.clone() }, "--method lswt");
        refuse(SpinwaveParams { model: None, delta: Some(0.5), ..base.clone() }, "--model is required");
        refuse(SpinwaveParams { model_file: Some(f.to_string_lossy().into()), ..base.clone() }, "drop --model");
        let b = dir.join("bonds.toml");
        std::fs::write(&b, "[[term]]\nops = \"zz\"\ncoupling = 1.0\nbonds = [[0, 1]]\n").unwrap();
        refuse(
            SpinwaveParams { model: None, model_file: Some(b.to_string_lossy().into()), ..base.clone() },
            "translation-invariant",
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The verdict words follow the fitted exponent and the stated band (EXPONENT_BAND = 0.15):
    /// moving the number across a band edge flips the words.
    #[test]
    fn the_verdict_words_flip_with_the_exponent() {
        let v = |p: f64| verdict(p);
        assert!(v(2.0).contains("spin waves, not light") && v(2.0).starts_with("w ~ k^2.00"), "{}", v(2.0));
        assert!(v(2.0 - EXPONENT_BAND + 0.01).contains("spin waves"));
        assert!(v(1.0).contains("not Maxwell") && !v(1.0).contains("spin waves"), "{}", v(1.0));
        assert!(v(1.0 + EXPONENT_BAND - 0.01).contains("not Maxwell"));
        for p in [1.5, 2.0 - EXPONENT_BAND - 0.01, 1.0 + EXPONENT_BAND + 0.01, 3.0, 0.5] {
            assert!(v(p).contains("neither quadratic nor linear"), "{p}: {}", v(p));
        }
        // The same on a run: the record's verdict is the function of its exponent.
        let r = Spinwave::run(&params(ModelKind::Antiferro, "64", Method::Lswt), &mut Quiet).unwrap();
        assert_eq!(r.verdict, verdict(r.exponent));
        assert!(r.verdict.contains("not Maxwell"), "{}", r.verdict);
    }

    #[test]
    fn lswt_claims_hold_on_any_lattice_size_and_a_failed_fit_is_a_verdict() {
        for (kind, lattice) in
            [(ModelKind::Ferro, "20000x20000"), (ModelKind::Antiferro, "64"), (ModelKind::Antiferro, "8x8x8")]
        {
            let r = Spinwave::run(&params(kind, lattice, Method::Lswt), &mut Quiet).unwrap();
            assert!(r.claims.iter().all(|c| c.pass), "{lattice}: {:?}", r.claims);
            assert_eq!(r.claims.len(), 2);
        }
        let mut p = params(ModelKind::Ferro, "8x8x8", Method::Dynamics);
        (p.frames, p.samples) = (32, 1);
        let r = Spinwave::run(&p, &mut Quiet).unwrap();
        assert!(r.exponent.is_nan() && r.verdict.starts_with("no power law in this window"), "{}", r.verdict);
        assert!(r.fit.failure.as_deref().unwrap().contains("2π/8 = 0.785"), "{:?}", r.fit.failure);
        assert!(!r.claims[0].pass && r.claims[0].measured.contains("no power law"));
        assert!(r.skw.is_some(), "the spectrum is kept");
    }
}
