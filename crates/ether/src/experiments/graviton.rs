//! Chapter 5, "Gravitons from qubits": the symmetric-tensor Z_n rotor models (`ether graviton`).
//!
//! Three rotors on every vertex (h_xx, h_yy, h_zz) and one on every face (h_xy, h_yz, h_zx) form a
//! symmetric tensor field; four reference quadratic models (docs/physics/graviton.md) are solved
//! per helicity block at every momentum ([`crate::modes::graviton`]), their Gaussian ground state
//! is held against the Z_n compactness of the rotors ([`crate::modes::graviton::gaussian`]), and
//! with `--method dynamics` the linear equations are also evolved in real space
//! ([`crate::dynamics::graviton`]). Every verdict word comes from a number and a stated threshold.

use crate::dynamics::graviton::{gauge_checks, tt_period, GaugeCheck, PeriodCheck, TensorDynamics};
use crate::error::{Error, Result};
use crate::experiment::{check_stop, Axis, Claim, DataArray, DemoRun, Experiment, Observer, Record};
use crate::lattice::Lattice;
use crate::model::graviton::{lattice_k, GravitonKind, GravitonModel};
use crate::modes::graviton::gaussian::{
    graviton_fluctuations, quantum_summary, DirectionClass, GravitonFluctuations, QuantumVerdict, FINITE_EXPONENT,
    SMALL_FRACTION_OF_PERIOD,
};
use crate::modes::graviton::{analyze_observed, Analysis, GravitonModes, Sector};
use crate::modes::photon::parse_momentum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How to compute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Normal modes per helicity block at every momentum, and the Gaussian ground state.
    #[default]
    Modes,
    /// The modes, plus real-space evolution: a transverse-traceless wave's period, the force on a
    /// pure-gauge configuration, Gauss-law conservation.
    Dynamics,
}

/// The parameters of `ether graviton` (keys are the command's long flags).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// The model: `xu` (M1), `einstein` (M2), `l-type` (M3, the talk's picture), `cotton` (M4).
    pub model: String,
    /// Kinetic coupling U > 0.
    #[serde(rename = "U", deserialize_with = "super::photon::null_as_nan")]
    pub u: f64,
    /// Potential coupling J > 0.
    #[serde(rename = "J", deserialize_with = "super::photon::null_as_nan")]
    pub j: f64,
    /// Periodic cubic lattice, e.g. "16x16x16": zero modes are counted and fluctuations summed at
    /// every momentum of its grid.
    pub lattice: String,
    /// Also report the modes at this momentum "kx,ky,kz" (radians per lattice spacing, `pi`
    /// allowed); not the zone centre.
    pub k: Option<String>,
    /// `modes` or `dynamics`.
    pub method: Method,
    /// The order n of the Z_n rotors (n ≥ 2): the conjugate L has period n, the angle spacing 2π/n.
    pub n: u32,
    /// Seed of the random gauge parameter and state of the real-space checks.
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            model: "l-type".into(),
            u: 1.0,
            j: 1.0,
            lattice: "16x16x16".into(),
            k: None,
            method: Method::Modes,
            n: 16,
            seed: 1,
        }
    }
}

/// CPU seconds per momentum of the two passes over the grid (zero modes, fluctuations): 9e-5
/// measured (`ether graviton --model cotton --lattice 16x16x16`, 0.36 s of CPU for 4096 momenta),
/// rounded up. The estimate divides by the thread count.
const SECONDS_PER_MOMENTUM: f64 = 1e-4;

/// One mode at the requested momentum.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModeEntry {
    /// Helicity m (0 for both 0L and 0T).
    pub helicity: i32,
    /// Frequency (0 for zero modes and constrained directions).
    pub omega: f64,
    /// "propagating", "zero mode" or "removed by a constraint".
    pub status: String,
}

/// The real-space checks.
#[derive(Clone, Debug, Serialize)]
pub struct DynamicsResult {
    /// TT wave period vs 2π/ω.
    pub tt_wave: PeriodCheck,
    /// Pure gauge force and Gauss-law conservation.
    pub gauge: GaugeCheck,
}

/// The `fluctuations` entry of `--json` (issue 18).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FluctuationEntry {
    /// "+2", "-2", "+1", "-1", "0L", "0T".
    pub helicity: String,
    /// rms angle per rotor; null when unbounded or removed.
    pub angle_rms: Option<f64>,
    /// rms angular momentum per rotor; null when unbounded or removed.
    pub conjugate_rms: Option<f64>,
    /// Period of the angle (2π).
    pub compact_period: f64,
    /// The verdict, from these numbers and the stated thresholds.
    pub verdict: String,
}

/// What `ether graviton` returns.
#[derive(Clone, Debug, Serialize)]
pub struct GravitonRecord {
    /// Model name.
    pub model: String,
    /// What the model is.
    pub description: String,
    /// U.
    #[serde(rename = "U")]
    pub u: f64,
    /// J.
    #[serde(rename = "J")]
    pub j: f64,
    /// Lattice.
    pub lattice: String,
    /// Method.
    pub method: String,
    /// The order of the Z_n rotors.
    pub n: u32,
    /// Sorted helicities with a gapless branch.
    pub gapless_helicities: Vec<i32>,
    /// Helicity → fitted low-k exponent.
    pub exponents: BTreeMap<i32, f64>,
    /// Helicity → zero-mode count.
    pub zero_modes: BTreeMap<i32, usize>,
    /// Helicity → of those, removed by constraints.
    pub removed_by_constraints: BTreeMap<i32, usize>,
    /// Instabilities by name.
    pub instabilities: Vec<String>,
    /// What the constraints cure.
    pub unconstrained_pathologies: Vec<String>,
    /// The verdict: the linear theory, then the quantum theory of Z_n rotors.
    pub verdict: String,
    /// The Gaussian ground state per helicity direction (issue 18).
    pub fluctuations: Vec<FluctuationEntry>,
    /// The full Gaussian analysis.
    pub gaussian: GravitonFluctuations,
    /// The full analysis of the linear theory.
    pub analysis: Analysis,
    /// The requested momentum, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<[f64; 3]>,
    /// Modes at the requested momentum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modes: Option<Vec<ModeEntry>>,
    /// The 6x6 kinetic and potential matrices there (orthonormal Q coordinates, `[re, im]`,
    /// row-major).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matrices_at_k: Option<MatricesAtK>,
    /// Real-space checks (method dynamics).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dynamics: Option<DynamicsResult>,
    /// Corner labels of the path Γ-X-M-R-Γ of the arrays.
    pub path_labels: Vec<(usize, String)>,
    /// The claims.
    pub claims: Vec<Claim>,
    #[serde(skip)]
    path: PathArrays,
}

/// The momentum-space matrices at the requested k.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MatricesAtK {
    /// K = 2 sin(k/2).
    #[serde(rename = "K")]
    pub kk: [f64; 3],
    /// What the basis is.
    pub basis: String,
    /// 𝒦.
    pub kinetic: Vec<[f64; 2]>,
    /// 𝒱.
    pub potential: Vec<[f64; 2]>,
}

/// The arrays along the path.
#[derive(Clone, Debug, Default)]
struct PathArrays {
    k: Vec<f64>,
    distance: Vec<f64>,
    omega: Vec<f64>,
    weights: Vec<f64>,
    sector_omega: Vec<f64>,
    zero: Vec<f64>,
}

/// The experiment.
#[derive(Clone, Copy, Debug)]
pub struct Graviton;

struct Resolved {
    model: GravitonModel,
    k: Option<[f64; 3]>,
}

fn resolve(p: &Params) -> Result<Resolved> {
    let kind = GravitonKind::parse(&p.model)?;
    let lattice = Lattice::parse(&p.lattice)?;
    for (name, v) in [("U", p.u), ("J", p.j)] {
        if !v.is_finite() {
            return Err(Error::invalid(name, v.to_string(), "give a finite number > 0"));
        }
    }
    let model = GravitonModel::new(kind, lattice, p.u, p.j)?;
    if p.n < 2 {
        return Err(Error::invalid(
            "--n",
            p.n.to_string(),
            "Z_n rotors need n ≥ 2 (n = 2 is a qubit); the semiclassical limit is large n, e.g. --n 16",
        ));
    }
    let k = match &p.k {
        None => None,
        Some(s) => {
            let v = parse_momentum(s, 3).map_err(|e| Error::invalid("--k", s, e))?;
            let k = [v[0], v[1], v[2]];
            if lattice_k(k).iter().all(|x| x.abs() < 1e-12) {
                let zc = GravitonModes::new(&model)?.zone_centre();
                let w: Vec<String> = zc.omega.iter().map(|w| format!("{w:.3}")).collect();
                return Err(Error::invalid(
                    "--k",
                    s,
                    format!(
                        "this is the zone centre (K = 0), where helicity is undefined: there is no direction K̂ to measure spin along. All six modes are degenerate there: ω = [{}] (the potential vanishes at K = 0, ‖𝒱‖ = {:.1e}). Give a non-zero momentum, e.g. --k 0,0,pi/8",
                        w.join(", "),
                        zc.potential_norm
                    ),
                ));
            }
            Some(k)
        }
    };
    Ok(Resolved { model, k })
}

fn estimate_seconds(model: &GravitonModel) -> f64 {
    model.lattice.n_sites() as f64 * SECONDS_PER_MOMENTUM / rayon::current_num_threads().max(1) as f64
}

impl Experiment for Graviton {
    const COMMAND: &'static str = "graviton";
    type Params = Params;
    type Record = GravitonRecord;

    fn validate(p: &Params) -> Result<()> {
        let r = resolve(p)?;
        let secs = estimate_seconds(&r.model);
        let limit = super::photon::time_limit();
        if secs > limit {
            return Err(Error::invalid(
                "--lattice",
                &p.lattice,
                format!(
                    "counting zero modes and summing fluctuations at its {} momenta would take about {:.1} h on {} threads, more than the {:.1} h budget (ETHER_TIME_LIMIT seconds raises it); the counts are the same at every momentum and the sums converge by 32x32x32: use a smaller lattice",
                    r.model.lattice.n_sites(),
                    secs / 3600.0,
                    rayon::current_num_threads(),
                    limit / 3600.0
                ),
            ));
        }
        if p.method == Method::Dynamics {
            // state, two force/velocity temporaries and the stencil intermediates: ~16 tensor fields
            let need = crate::experiment::bytes_of(r.model.n_rotors() as u128, 16 * 8);
            crate::experiment::check_memory(
                &format!("the real-space evolution on {}", r.model.lattice),
                need,
                "use a smaller --lattice (the real-space checks need only a few wavelengths, e.g. 8x8x8)",
            )?;
        }
        Ok(())
    }

    fn run(p: &Params, obs: &mut dyn Observer) -> Result<GravitonRecord> {
        Self::validate(p)?;
        let r = resolve(p)?;
        let model = &r.model;
        let secs = estimate_seconds(model);
        if secs > 10.0 {
            obs.say(&format!("estimated time: about {secs:.0} s"));
        }
        let solver = GravitonModes::new(model)?;
        let ns = model.lattice.n_sites() as u64;
        obs.stage("helicity analysis", ns);
        let analysis = analyze_observed(&solver, &mut |done, _| {
            obs.advance(done as u64);
            check_stop(&*obs, "the helicity analysis", || "nothing (no checkpoint: rerun it)".into())
        })?;
        obs.stage("Gaussian fluctuations", ns);
        let gaussian = graviton_fluctuations(&solver, p.n, &mut |done, _| {
            obs.advance(done as u64);
            check_stop(&*obs, "the Gaussian fluctuations", || "nothing (no checkpoint: rerun it)".into())
        })?;
        let (modes, matrices_at_k) = match r.k {
            Some(k) => {
                let list: Vec<ModeEntry> = solver
                    .at(k)?
                    .mode_list()
                    .into_iter()
                    .map(|(m, w, s)| ModeEntry { helicity: m, omega: w, status: s.to_string() })
                    .collect();
                let mats = MatricesAtK {
                    kk: lattice_k(k),
                    basis:
                        "orthonormal Q = (h_xx, h_yy, h_zz, √2h_xy, √2h_yz, √2h_zx); entries [re, im], row-major 6x6"
                            .into(),
                    kinetic: solver.kinetic_at(k).iter().map(|z| [z.re, z.im]).collect(),
                    potential: solver.potential_at(k).iter().map(|z| [z.re, z.im]).collect(),
                };
                (Some(list), Some(mats))
            }
            None => (None, None),
        };
        let dynamics = if p.method == Method::Dynamics {
            obs.stage("real-space evolution", 0);
            let d = TensorDynamics::new(model)?;
            let lz = model.lattice.extents()[2];
            let tt = tt_period(&d, (lz / 4).max(1), 400, 2.2)?;
            let g = gauge_checks(&d, p.seed, 50, 0.2 * tt.dt.min(0.05));
            Some(DynamicsResult { tt_wave: tt, gauge: g })
        } else {
            None
        };
        let path = path_arrays(&solver)?;
        let fluctuations = gaussian
            .directions
            .iter()
            .map(|d| FluctuationEntry {
                helicity: d.helicity.clone(),
                angle_rms: d.angle_rms,
                conjugate_rms: d.conjugate_rms,
                compact_period: d.compact_period,
                verdict: d.verdict.clone(),
            })
            .collect();
        let verdict = format!("{}; {}", analysis.verdict, quantum_summary(&gaussian));
        let mut rec = GravitonRecord {
            model: model.kind.name().to_string(),
            description: model.kind.description().to_string(),
            u: model.u,
            j: model.j,
            lattice: model.lattice.to_string(),
            method: match p.method {
                Method::Modes => "modes",
                Method::Dynamics => "dynamics",
            }
            .into(),
            n: p.n,
            gapless_helicities: analysis.gapless_helicities.clone(),
            exponents: analysis.exponents.clone(),
            zero_modes: analysis.zero_modes.clone(),
            removed_by_constraints: analysis.removed_by_constraints.clone(),
            instabilities: analysis.instabilities.clone(),
            unconstrained_pathologies: analysis.unconstrained_pathologies.clone(),
            verdict,
            fluctuations,
            gaussian,
            analysis,
            k: r.k,
            modes,
            matrices_at_k,
            dynamics,
            path_labels: model.lattice.high_symmetry_path(16.0).labels,
            claims: Vec::new(),
            path,
        };
        rec.claims = claims(&rec);
        Ok(rec)
    }

    fn demo(seed: u64) -> Vec<DemoRun<Params>> {
        let run = |dir: &str, model: &str, lattice: &str, k: Option<&str>, method: Method| DemoRun {
            chapter: 5,
            title: "Gravitons from qubits".into(),
            dir: dir.into(),
            params: Params {
                model: model.into(),
                lattice: lattice.into(),
                k: k.map(|s| s.to_string()),
                method,
                seed,
                ..Default::default()
            },
        };
        vec![
            run("ch5-gravitons", "l-type", "8x8x8", Some("0,0,pi/4"), Method::Dynamics),
            run("ch5-graviton-cotton", "cotton", "8x8x8", None, Method::Modes),
            run("ch5-graviton-xu", "xu", "4x4x4", None, Method::Modes),
            run("ch5-graviton-einstein", "einstein", "4x4x4", None, Method::Modes),
        ]
    }
}

/// ω of every sector along Γ-X-M-R-Γ, the sorted frequencies and the helicity weights of the
/// whole-space diagonalization (the figures' data).
fn path_arrays(solver: &GravitonModes) -> Result<PathArrays> {
    let path = solver.model.lattice.high_symmetry_path(16.0);
    let npts = path.len();
    let mut out = PathArrays {
        k: path.points.iter().flat_map(|m| m.components().to_vec()).collect(),
        distance: path.distance.clone(),
        omega: vec![0.0; npts * 6],
        weights: vec![f64::NAN; npts * 6 * 3],
        sector_omega: vec![f64::NAN; npts * 5 * 2],
        zero: vec![f64::NAN; npts],
    };
    for (p, km) in path.points.iter().enumerate() {
        let c = km.components();
        let k = [c[0], c[1], c[2]];
        if lattice_k(k).iter().all(|x| x.abs() < 1e-12) {
            // zone centre: all six modes at ω = 0, helicity undefined
            for s in 0..5 {
                for b in 0..2 {
                    out.sector_omega[(p * 5 + s) * 2 + b] = 0.0;
                }
            }
            out.zero[p] = 0.0;
            continue;
        }
        let m = solver.at(k)?;
        for (s, sm) in m.sectors.iter().enumerate() {
            for (b, &w) in sm.omega.iter().take(2).enumerate() {
                out.sector_omega[(p * 5 + s) * 2 + b] = w;
            }
            if sm.zero_modes > 0 {
                out.zero[p] = 0.0;
            }
        }
        for (j, (w, wt)) in solver.branch_weights(k)?.iter().enumerate() {
            out.omega[p * 6 + j] = *w;
            out.weights[(p * 6 + j) * 3..(p * 6 + j) * 3 + 3].copy_from_slice(wt);
        }
    }
    Ok(out)
}

/// The ±2 exponent and the other gapless helicities each model has (graviton.md B.5, the
/// reference of the claims).
fn expected(kind: GravitonKind) -> (f64, Vec<i32>, usize) {
    match kind {
        GravitonKind::Xu => (2.0, vec![-2, 0, 2], 3),
        GravitonKind::Einstein => (1.0, vec![-2, 2], 4),
        GravitonKind::LType | GravitonKind::Cotton => (3.0, vec![-2, 2], 4),
    }
}

const NOTE: &str = "docs/physics/graviton.md";

/// The largest of δθ/2π and δL/n over the given directions (NaN if any is not an oscillator).
fn worst_fraction(g: &GravitonFluctuations, labels: &[&str]) -> f64 {
    labels
        .iter()
        .map(|l| match g.direction(l) {
            Some(d) if d.class == DirectionClass::Propagating => (d.angle_rms.unwrap_or(f64::NAN) / d.compact_period)
                .max(d.conjugate_rms.unwrap_or(f64::NAN) / d.conjugate_period),
            _ => f64::NAN,
        })
        .fold(0.0f64, |a, b| if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) })
}

fn claims(rec: &GravitonRecord) -> Vec<Claim> {
    let kind = GravitonKind::parse(&rec.model).unwrap_or(GravitonKind::LType);
    let (e2, gapless, zeros) = expected(kind);
    let g = &rec.gaussian;
    let set_matches = if rec.gapless_helicities == gapless { 1.0 } else { 0.0 };
    let zero_total: usize = rec.zero_modes.values().sum();
    let mut v = vec![
        Claim::within(
            format!("{}: the helicity ±2 branch disperses as ω ~ k^{e2}", rec.model),
            "exponent of ω_{±2} at |k| ∈ [0.005, 0.05]",
            rec.exponents.get(&2).copied().unwrap_or(f64::NAN),
            e2,
            1e-3,
            format!("{NOTE} B.5; 1e-3: the lattice's K = k − k³/24 in the window"),
        ),
        Claim::within(
            if gapless.len() == 2 {
                format!("{}: of the six modes (helicity 0, 0, ±1, ±2) only helicity ±2 is gapless", rec.model)
            } else {
                format!("{}: helicity ±2 and 0 are gapless (Gu and Wen's remark on Xu's model)", rec.model)
            },
            format!(
                "gapless helicities are {{{}}} (1 = yes)",
                gapless.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", ")
            ),
            set_matches,
            1.0,
            0.0,
            format!("{NOTE}, B.5 table"),
        ),
        Claim::within(
            format!("{}: zero modes (classical, or removed by constraints) at every k ≠ 0", rec.model),
            "zero modes per momentum",
            if rec.analysis.zero_modes_uniform { zero_total as f64 } else { f64::NAN },
            zeros as f64,
            0.0,
            format!("{NOTE}, B.5 table (exact count)"),
        ),
        Claim::at_most(
            format!("{}: helicity ±2 stays gapless in the quantum theory of Z_{} rotors", rec.model, g.n),
            "largest of δθ/2π and δL/n of helicity ±2",
            worst_fraction(g, &["+2", "-2"]),
            SMALL_FRACTION_OF_PERIOD,
            format!("{NOTE}, B.9: a tenth of each period"),
        ),
    ];
    match kind {
        GravitonKind::Cotton => {
            let z = g.direction("0T");
            v.push(Claim::at_most(
                "cotton: helicity 0T is a free compact angle whose kinetic coefficient stays finite as k → 0: gapped in the quantum theory",
                "small-k exponent of κ_0T",
                z.filter(|d| d.class == DirectionClass::FreeAngle).map(|d| d.kinetic_exponent).unwrap_or(f64::NAN),
                FINITE_EXPONENT,
                format!("{NOTE}: level spacing ~ κ of an integer conjugate"),
            ));
        }
        GravitonKind::LType => {
            let decided = ["+1", "-1", "0L", "0T"]
                .iter()
                .filter(|l| g.direction(l).is_some_and(|d| d.quantum != QuantumVerdict::Undecided))
                .count();
            v.push(Claim::within(
                "l-type: the Gaussian estimate cannot decide helicity 0L, 0T, ±1 (their surviving coefficient vanishes as k → 0, or none survives)",
                "of these four, how many the Gaussian estimate decides",
                decided as f64,
                0.0,
                0.0,
                format!("{NOTE}: 0T frozen with ν ~ |K|⁴, ±1 free with κ ~ |K|², 0L absent from H"),
            ));
        }
        GravitonKind::Xu => {
            v.push(Claim::at_most(
                "xu: helicity 0T stays gapless in the quantum theory too",
                "largest of δθ/2π and δL/n of helicity 0T",
                worst_fraction(g, &["0T"]),
                SMALL_FRACTION_OF_PERIOD,
                format!("{NOTE}, B.9"),
            ));
        }
        GravitonKind::Einstein => {
            let removed = g.directions.iter().filter(|d| d.quantum == QuantumVerdict::Removed).count();
            v.push(Claim::within(
                "einstein: the momentum and Hamiltonian constraints remove helicity 0L, 0T, ±1",
                "directions removed by constraints",
                removed as f64,
                4.0,
                0.0,
                format!("{NOTE}, B.5 table (M2)"),
            ));
        }
    }
    if let Some(d) = &rec.dynamics {
        v.push(Claim::at_most(
            "a graviton wave oscillates in real space at the momentum-space frequency",
            "|T_measured − 2π/ω_{±2}| / (2π/ω_{±2})",
            d.tt_wave.relative_error,
            1e-4,
            format!("{NOTE} (B.6 step 7); 1e-4: the leapfrog's (ωdt)²/24 at 400 steps per period"),
        ));
        v.push(Claim::at_most(
            "pure gauge feels no force",
            "largest force on θ = Gf, integer f",
            d.gauge.pure_gauge_max_force,
            0.0,
            format!("{NOTE}: dyadic stencil coefficients, exact arithmetic"),
        ));
        v.push(Claim::at_most(
            "the Gauss charges are conserved",
            "largest charge drift / largest charge",
            d.gauge.gauss_max_drift / d.gauge.gauss_scale,
            1e-10,
            "rounding over 50 leapfrog steps".to_string(),
        ));
    }
    v
}

impl Record for GravitonRecord {
    fn arrays(&self) -> Vec<DataArray> {
        let p = &self.path;
        let d = Axis::new("arclength along Γ-X-M-R-Γ", "1/a", "path_distance.npy", p.distance.clone());
        let comp = Axis::labelled("component", "component.npy", vec!["kx".into(), "ky".into(), "kz".into()]);
        let branch = Axis::new("branch (ascending ω)", "1", "branch.npy", (0..6).map(|i| i as f64).collect());
        let w =
            Axis::labelled("helicity weight", "weight_kind.npy", vec!["|m|=2".into(), "|m|=1".into(), "|m|=0".into()]);
        let sec =
            Axis::labelled("helicity block", "sector.npy", Sector::ALL.iter().map(|s| s.label().to_string()).collect());
        let b2 = Axis::new("propagating branch of the block", "1", "sector_branch.npy", vec![0.0, 1.0]);
        vec![
            DataArray::real(
                "path_k.npy",
                "momenta of the path",
                "radians per lattice spacing",
                vec![d.clone(), comp],
                p.k.clone(),
            ),
            DataArray::real(
                "path_omega.npy",
                "all six ω per path point, ascending",
                "energy (ħ = 1)",
                vec![d.clone(), branch.clone()],
                p.omega.clone(),
            ),
            DataArray::real(
                "path_weights.npy",
                "helicity weights of each ω-ordered branch (whole-space diagonalization); NaN at Γ",
                "1",
                vec![d.clone(), branch, w],
                p.weights.clone(),
            ),
            DataArray::real(
                "path_sector_omega.npy",
                "ω of each helicity block's propagating branches; NaN where the block has none",
                "energy (ħ = 1)",
                vec![d.clone(), sec, b2],
                p.sector_omega.clone(),
            ),
            DataArray::real(
                "path_zero_modes.npy",
                "0 where some block has a zero mode, NaN elsewhere",
                "energy (ħ = 1)",
                vec![d],
                p.zero.clone(),
            ),
        ]
    }

    fn claims(&self) -> Vec<Claim> {
        self.claims.clone()
    }

    fn summary(&self) -> Vec<String> {
        let mut v = vec![format!("{}: {}", self.model, self.description)];
        if let (Some(k), Some(modes)) = (self.k, &self.modes) {
            v.push(format!("modes at k = ({:.4}, {:.4}, {:.4}):", k[0], k[1], k[2]));
            for m in modes {
                v.push(format!("  helicity {:+}  ω = {:.6}  ({})", m.helicity, m.omega, m.status));
            }
        }
        if let Some(d) = &self.dynamics {
            v.push(format!(
                "real space: TT wave period {:.6} vs 2π/ω = {:.6} (relative error {:.1e}; {:.1e} after the leapfrog's known shift); pure-gauge force {:e}; Gauss-law drift {:.1e}",
                d.tt_wave.period_measured,
                d.tt_wave.period_predicted,
                d.tt_wave.relative_error,
                d.tt_wave.relative_error_leapfrog,
                d.gauge.pure_gauge_max_force,
                d.gauge.gauss_max_drift
            ));
        }
        for p in &self.unconstrained_pathologies {
            v.push(format!("without constraints: {p}"));
        }
        for f in &self.fluctuations {
            v.push(format!("  helicity {:>2}: {}", f.helicity, f.verdict));
        }
        v.push(format!("verdict: {}", self.verdict));
        v
    }

    fn narrative(&self) -> Vec<String> {
        vec![
            format!("{}: {}.", self.model, self.description),
            format!("Verdict: {}.", self.verdict),
            "The 6x6 matrices at each momentum come from lattice difference operators, are transformed to the helicity basis about K̂, and each block is solved separately; zero modes are counted from kernels at every momentum of the grid. The Gaussian ground state of each physical helicity direction is then held against the Z_n compactness of the rotors: an oscillator whose angle and momentum fluctuate little compared with their periods stays gapless; a zero mode is gapped when compactness makes its surviving coefficient's levels discrete with a spacing that stays finite as k → 0, and undecided when that spacing closes.".into(),
        ]
    }
}
