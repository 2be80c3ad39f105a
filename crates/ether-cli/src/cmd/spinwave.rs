//! `ether spinwave`: spin waves of Heisenberg ferro- and antiferromagnets (chapter 1 of the talk).

use crate::common::{usage, Global, Output, OutputArgs};
use crate::demo::DemoContext;
use crate::report::Chapter;
use anyhow::Result;
use ether::dynamics::spin::{peaks, small_momenta, CorrelationParams, Peak, SpinDynamics};
use ether::lattice::{Lattice, MomentumPath};
use ether::model::Heisenberg;
use ether::modes::lswt::{fit_power_law, low_k_law, PowerLaw, SpinWaveTheory};
use ether_plot::{Figure, Heatmap, Tick};
use serde::Serialize;
use std::path::PathBuf;

/// Spin waves of the Heisenberg model H = J Σ_<ij> S_i·S_j: how the low-energy waves of a magnet
/// disperse, and whether they look like light.
///
/// The ferromagnet (H = −|J| Σ S_i·S_j) has spin waves with ω ≈ |J| S k², first order in time
/// (dS/dt = S × ∇²S): not light. The antiferromagnet (H = +|J| Σ S_i·S_j) has ω ≈ 2√d |J| S |k|:
/// a wave equation, but with one polarization per branch and no divergence constraint, so not
/// Maxwell's equations either. Units: ħ = 1, lattice spacing 1, energies in units of |J|.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ether spinwave --model ferro --lattice 64\n  ether spinwave --model antiferro --lattice 32x32 --method dynamics --out runs/afm\n  ether spinwave --model antiferro --lattice 16x16x16 --json > afm.json"
)]
pub struct Args {
    /// ferro: H = −|J| Σ S_i·S_j (all spins parallel); antiferro: H = +|J| Σ S_i·S_j (Néel order,
    /// needs even extents).
    #[arg(long, value_enum)]
    model: Option<ModelKind>,
    /// Lattice extents separated by 'x': 64 = periodic chain, 32x32 = square torus, 16x16x16 = cubic torus.
    #[arg(long, default_value = "64")]
    lattice: String,
    /// Spin length S (> 0). For --method dynamics it is the length of the classical spins.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    spin: f64,
    /// Exchange strength |J| > 0, the unit of energy; the sign of J comes from --model.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    coupling: f64,
    /// lswt: linear spin-wave theory from the quadratic form around the classical ground state.
    /// dynamics: classical Landau-Lifshitz dynamics from thermal states; ω read from the peaks of S(k,ω).
    #[arg(long, value_enum, default_value = "lswt")]
    method: Method,
    /// Temperature of the initial thermal states (dynamics), in units of |J| (k_B = 1).
    /// Default: 0.01 |J| S², deep in the linear regime.
    #[arg(long, allow_negative_numbers = true)]
    temperature: Option<f64>,
    /// Random seed (dynamics). The same seed gives the same numbers for any --threads.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Independent thermal samples averaged into S(k,ω) (dynamics).
    #[arg(long, default_value_t = 2)]
    samples: usize,
    /// Frames recorded per trajectory (dynamics). The frequency resolution is about
    /// 2.4 ω_max / frames, where ω_max = 4d|J|S bounds the band.
    #[arg(long, default_value_t = 2048)]
    frames: usize,
    /// Integration time step (dynamics). Default 0.1/ω_max.
    #[arg(long, allow_negative_numbers = true)]
    dt: Option<f64>,
    /// Largest |k| (radians per lattice spacing) used to fit ω ≈ c |k|^p.
    #[arg(long, default_value_t = 0.6, allow_negative_numbers = true)]
    fit_kmax: f64,
    /// Continue an interrupted dynamics run from DIR.checkpoint.json (written after every thermal
    /// sample when --out DIR is given). The result is identical to an uninterrupted run.
    #[arg(long, requires = "out")]
    resume: bool,
    /// Read parameters from a TOML file (keys as the long flags, e.g. `model = "ferro"`,
    /// `lattice = "32x32"`, `fit_kmax = 0.5`); values in the file override the flags. Unknown keys
    /// are rejected.
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    #[command(flatten)]
    out: OutputArgs,
}

/// The `--config` file: every key optional, unknown keys rejected.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    model: Option<ModelKind>,
    lattice: Option<String>,
    spin: Option<f64>,
    coupling: Option<f64>,
    method: Option<Method>,
    temperature: Option<f64>,
    seed: Option<u64>,
    samples: Option<usize>,
    frames: Option<usize>,
    dt: Option<f64>,
    fit_kmax: Option<f64>,
}

impl Args {
    /// Apply a config file on top of the flags.
    fn with_config(mut self) -> Result<Self> {
        let Some(path) = self.config.clone() else { return Ok(self) };
        let c: Config = crate::common::load_config(&path)?;
        macro_rules! take {
            ($($f:ident),*) => { $( if let Some(v) = c.$f { self.$f = v; } )* };
        }
        take!(lattice, spin, coupling, method, seed, samples, frames, fit_kmax);
        if c.model.is_some() {
            self.model = c.model;
        }
        if c.temperature.is_some() {
            self.temperature = c.temperature;
        }
        if c.dt.is_some() {
            self.dt = c.dt;
        }
        Ok(self)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum ModelKind {
    Ferro,
    Antiferro,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum Method {
    Lswt,
    Dynamics,
}

/// The dispersion along the high-symmetry path.
#[derive(Debug, Serialize)]
struct Dispersion {
    /// Corner labels (point index, label).
    labels: Vec<(usize, String)>,
    /// Arclength along the path.
    distance: Vec<f64>,
    /// Momenta (radians per lattice spacing).
    k: Vec<Vec<f64>>,
    /// Frequencies (LSWT along a continuous path; for dynamics, peaks on the grid path).
    omega: Vec<f64>,
    /// LSWT at the same momenta (dynamics only).
    #[serde(skip_serializing_if = "Option::is_none")]
    omega_lswt: Option<Vec<f64>>,
}

#[derive(Debug, Serialize)]
struct DynamicsInfo {
    temperature: f64,
    samples: usize,
    frames: usize,
    dt: f64,
    integrator: String,
    frequency_resolution: f64,
    energy_drift: f64,
    energy_drift_per_sqrt_n: f64,
    spin_length_error: f64,
    sum_rule_measured: f64,
    sum_rule_expected: f64,
    metropolis_acceptance: f64,
    peaks: Vec<Peak>,
    max_peak_deviation_from_lswt: f64,
}

#[derive(Debug, Serialize)]
struct SpinwaveResult {
    model: ModelKind,
    method: Method,
    lattice: String,
    spin: f64,
    coupling: f64,
    #[serde(rename = "J")]
    j_signed: f64,
    exponent: f64,
    coefficient: f64,
    verdict: String,
    fit: FitInfo,
    dispersion: Dispersion,
    #[serde(skip_serializing_if = "Option::is_none")]
    dynamics: Option<DynamicsInfo>,
    #[serde(skip)]
    skw: Option<Skw>,
}

#[derive(Debug, Serialize)]
struct FitInfo {
    k: Vec<f64>,
    omega: Vec<f64>,
    k_max: f64,
    lswt_exponent: f64,
    lswt_coefficient: f64,
}

#[derive(Debug)]
struct Skw {
    path: MomentumPath,
    omega: Vec<f64>,
    /// [path point][omega]
    intensity: Vec<f64>,
}

/// Words for a fitted law.
fn verdict(p: f64) -> String {
    if (p - 2.0).abs() < 0.15 {
        format!("w ~ k^{p:.2}: spin waves, not light (first order in time, dS/dt = S x d²S/dx²)")
    } else if (p - 1.0).abs() < 0.15 {
        format!(
            "w ~ k^{p:.2}: a wave equation with one polarization per branch and no divergence constraint; not Maxwell"
        )
    } else {
        format!("w ~ k^{p:.2}: neither quadratic nor linear at small k")
    }
}

struct Params {
    model: Heisenberg,
    kind: ModelKind,
    method: Method,
    temperature: f64,
    seed: u64,
    samples: usize,
    frames: usize,
    dt: Option<f64>,
    fit_kmax: f64,
    resume: bool,
}

fn validate(a: &Args) -> Result<Params> {
    let Some(kind) = a.model else {
        return usage("--model is required: ferro (H = −|J| Σ S·S) or antiferro (H = +|J| Σ S·S), on the command line or in --config");
    };
    let lattice = Lattice::parse(&a.lattice)?;
    if !(a.coupling.is_finite() && a.coupling > 0.0) {
        return usage(format!(
            "--coupling {}: give the exchange strength |J| > 0; the sign of J comes from --model (ferro or antiferro)",
            a.coupling
        ));
    }
    if !(a.spin.is_finite() && a.spin > 0.0) {
        return usage(format!("--spin {}: the spin length S must be positive, e.g. 0.5 or 1", a.spin));
    }
    let model = match kind {
        ModelKind::Ferro => Heisenberg::ferro(lattice, a.spin, a.coupling)?,
        ModelKind::Antiferro => Heisenberg::antiferro(lattice, a.spin, a.coupling)?,
    };
    let temperature = a.temperature.unwrap_or(0.01 * a.coupling * a.spin * a.spin);
    if !(temperature.is_finite() && temperature > 0.0) {
        return usage(format!("--temperature {temperature}: give T > 0 (in units of |J|), e.g. 0.01"));
    }
    if a.samples == 0 {
        return usage("--samples 0: give at least 1 thermal sample");
    }
    if a.frames < 16 {
        return usage(format!(
            "--frames {}: give at least 16 frames (more frames, finer frequency resolution)",
            a.frames
        ));
    }
    if let Some(dt) = a.dt {
        if !(dt.is_finite() && dt > 0.0) {
            return usage(format!("--dt {dt}: the time step must be positive, e.g. 0.02"));
        }
    }
    if !(a.fit_kmax.is_finite() && a.fit_kmax > 0.0) {
        return usage(format!("--fit-kmax {}: give a positive momentum, e.g. 0.6", a.fit_kmax));
    }
    // Memory of the trajectory buffer: frames × 3 × N doubles, twice (complex transform).
    let n = model.lattice.n_sites() as u64;
    if a.method == Method::Dynamics {
        let bytes = a.frames as u64 * 3 * n * 8 * 3;
        ether::error::check_memory("the S(k,ω) trajectory buffer", bytes, "use fewer --frames or a smaller --lattice")?;
    }
    Ok(Params {
        model,
        kind,
        method: a.method,
        temperature,
        seed: a.seed,
        samples: a.samples,
        frames: a.frames,
        dt: a.dt,
        fit_kmax: a.fit_kmax,
        resume: a.resume,
    })
}

impl SpinwaveResult {
    /// The result of a run with its fitted law; the method-specific parts are filled by the caller.
    fn new(p: &Params, law: PowerLaw, fit: FitInfo, dispersion: Dispersion) -> Self {
        let m = &p.model;
        SpinwaveResult {
            model: p.kind,
            method: p.method,
            lattice: m.lattice.to_string(),
            spin: m.spin,
            coupling: m.coupling.abs(),
            j_signed: m.coupling,
            exponent: law.exponent,
            coefficient: law.coefficient,
            verdict: verdict(law.exponent),
            fit,
            dispersion,
            dynamics: None,
            skw: None,
        }
    }
}

fn compute(p: &Params, out: &Output) -> Result<SpinwaveResult> {
    let m = &p.model;
    let lat = &m.lattice;
    let swt = SpinWaveTheory::new(m)?;
    // LSWT low-k law on the continuum of small momenta along an axis.
    let kmin = (p.fit_kmax / 30.0).max(1e-3);
    let law: PowerLaw = low_k_law(&swt, lat.dim(), kmin, p.fit_kmax, 12)?;
    let path = lat.high_symmetry_path(40.0);
    let omega_path = swt.dispersion(&path.points)?;
    let kvec = |pth: &MomentumPath| pth.points.iter().map(|k| k.components().to_vec()).collect::<Vec<_>>();
    match p.method {
        Method::Lswt => {
            let fit_k: Vec<f64> = (0..12).map(|i| kmin * (p.fit_kmax / kmin).powf(i as f64 / 11.0)).collect();
            let fit_w: Vec<f64> = fit_k
                .iter()
                .map(|&k| {
                    let mut c = vec![0.0; lat.dim()];
                    c[0] = k;
                    swt.frequency(&ether::Momentum::new(&c))
                })
                .collect::<Result<_, _>>()?;
            Ok(SpinwaveResult::new(
                p,
                law,
                FitInfo {
                    k: fit_k,
                    omega: fit_w,
                    k_max: p.fit_kmax,
                    lswt_exponent: law.exponent,
                    lswt_coefficient: law.coefficient,
                },
                Dispersion {
                    labels: path.labels.clone(),
                    distance: path.distance.clone(),
                    k: kvec(&path),
                    omega: omega_path,
                    omega_lswt: None,
                },
            ))
        }
        Method::Dynamics => {
            let dynm = SpinDynamics::new(m)?;
            let mut cp = CorrelationParams::for_model(&dynm, p.temperature, p.seed, p.frames);
            cp.samples = p.samples;
            if let Some(dt) = p.dt {
                let dt_frame = cp.integrator.dt() * cp.stride as f64;
                cp.integrator = dynm.default_integrator(dt);
                cp.stride = (dt_frame / dt).round().max(1.0) as usize;
            }
            out.say(format!(
                "{} {} S={} J={:+}: {} thermal samples at T = {:.4}, {} frames every {} steps of dt = {:.4}",
                match p.kind {
                    ModelKind::Ferro => "ferromagnet",
                    ModelKind::Antiferro => "antiferromagnet",
                },
                lat,
                m.spin,
                m.coupling,
                cp.samples,
                cp.temperature,
                cp.frames,
                cp.stride,
                cp.integrator.dt()
            ));
            let ckpt = out.checkpoint_path();
            let resume = match (&ckpt, p.resume) {
                (Some(path), true) => {
                    let text = std::fs::read_to_string(path).map_err(|e| {
                        crate::common::UsageError(format!(
                            "--resume: no checkpoint at {} ({e}); run without --resume",
                            path.display()
                        ))
                    })?;
                    let c: ether::dynamics::spin::CorrelationCheckpoint = serde_json::from_str(&text).map_err(|e| {
                        crate::common::UsageError(format!("--resume: {} is damaged ({e}); remove it", path.display()))
                    })?;
                    out.say(format!("resuming after {} of {} samples", c.completed, cp.samples));
                    Some(c)
                }
                _ => None,
            };
            let pb = out.progress((cp.samples * cp.frames) as u64, "Landau-Lifshitz");
            let run = ether::dynamics::spin::thermal_structure_factor_resumable(
                m,
                &cp,
                resume,
                &mut |done, _| pb.set_position(done as u64),
                &mut |c| match &ckpt {
                    Some(path) => ether::record::write_json(path, c),
                    None => Ok(()),
                },
            )?;
            pb.finish_and_clear();
            if let Some(path) = &ckpt {
                let _ = std::fs::remove_file(path);
            }
            let sf = &run.sf;
            let small = small_momenta(lat, p.fit_kmax);
            let pk = peaks(sf, &small, 3.0);
            let fit = fit_power_law(
                &pk.iter().map(|q| q.k_abs).collect::<Vec<_>>(),
                &pk.iter().map(|q| q.omega).collect::<Vec<_>>(),
            )
            .map_err(|e| anyhow::anyhow!("{e} (resolved small-k peaks: {})", pk.len()))?;
            let mut dev: f64 = 0.0;
            for q in &pk {
                let w = swt.frequency(&lat.momentum_of_index(q.k_index))?;
                dev = dev.max((q.omega - w).abs() / w);
            }
            // Dispersion along the grid path, from the peaks of S(k, ω).
            let gpath = lat.grid_path();
            let gidx: Vec<usize> = gpath.points.iter().map(|k| lat.momentum_index(k)).collect();
            let gpeaks = peaks(sf, &gidx, 1.0);
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
            // Sum rule: (1/N) Σ_k Σ_j S Δω = S² for classical spins of length S.
            let n = lat.n_sites();
            let mut total = 0.0;
            for k in 0..n {
                for j in 0..sf.n_times() {
                    total += sf.intensity(0, k, j);
                }
            }
            total *= sf.domega() / n as f64;
            let nw = sf.n_times() / 2 + 1;
            let omega_axis: Vec<f64> = (0..nw).map(|j| sf.omega(j)).collect();
            let mut inten = Vec::with_capacity(gidx.len() * nw);
            for &i in &gidx {
                inten.extend((0..nw).map(|j| sf.intensity(0, i, j)));
            }
            let mut r = SpinwaveResult::new(
                p,
                fit,
                FitInfo {
                    k: pk.iter().map(|q| q.k_abs).collect(),
                    omega: pk.iter().map(|q| q.omega).collect(),
                    k_max: p.fit_kmax,
                    lswt_exponent: law.exponent,
                    lswt_coefficient: law.coefficient,
                },
                Dispersion {
                    labels: gpath.labels.clone(),
                    distance: gpath.distance.clone(),
                    k: kvec(&gpath),
                    omega: omega_grid,
                    omega_lswt: Some(omega_lswt),
                },
            );
            r.dynamics = Some(DynamicsInfo {
                temperature: cp.temperature,
                samples: cp.samples,
                frames: cp.frames,
                dt: cp.integrator.dt(),
                integrator: match cp.integrator {
                    ether::dynamics::spin::Integrator::Splitting { .. } => {
                        "sublattice splitting (exact rotations)".into()
                    }
                    ether::dynamics::spin::Integrator::ImplicitMidpoint { .. } => "implicit midpoint".into(),
                },
                frequency_resolution: sf.domega(),
                energy_drift: run.energy_drift,
                energy_drift_per_sqrt_n: run.energy_drift / (n as f64).sqrt(),
                spin_length_error: run.length_error,
                sum_rule_measured: total,
                sum_rule_expected: m.spin * m.spin,
                metropolis_acceptance: run.acceptance,
                peaks: pk,
                max_peak_deviation_from_lswt: dev,
            });
            r.skw = Some(Skw { path: gpath, omega: omega_axis, intensity: inten });
            Ok(r)
        }
    }
}

fn ticks(path: &MomentumPath) -> Vec<Tick> {
    path.labels
        .iter()
        .map(|(i, l)| Tick { at: path.distance[*i], label: if l == "G" { "Γ".into() } else { l.clone() } })
        .collect()
}

fn figures(r: &SpinwaveResult, out: &mut Output) -> Result<()> {
    let name = match r.model {
        ModelKind::Ferro => "ferromagnet",
        ModelKind::Antiferro => "antiferromagnet",
    };
    let d = &r.dispersion;
    let mut fig = Figure::new(
        format!("Spin waves of the {name}, {} lattice, S = {}", r.lattice, r.spin),
        "momentum along the path",
        "ω / |J|",
    );
    fig.note = r.verdict.clone();
    match &d.omega_lswt {
        None => {
            fig = fig.line("linear spin-wave theory", d.distance.clone(), d.omega.clone(), "C0", false);
        }
        Some(lswt) => {
            fig = fig.line("linear spin-wave theory", d.distance.clone(), lswt.clone(), "C0", false).points(
                "peaks of S(k,ω), classical dynamics",
                d.distance.clone(),
                d.omega.clone(),
                "C1",
            );
        }
    }
    fig.x_ticks = ticks(&MomentumPath { points: Vec::new(), distance: d.distance.clone(), labels: d.labels.clone() });
    out.figure("dispersion", "the dispersion along the high-symmetry path", &fig)?;
    // low-k law, log-log
    let lk: Vec<f64> = r.fit.k.iter().map(|k| k.log10()).collect();
    let lw: Vec<f64> = r.fit.omega.iter().map(|w| w.log10()).collect();
    let fitline: Vec<f64> = r.fit.k.iter().map(|k| (r.coefficient * k.powf(r.exponent)).log10()).collect();
    let fig = Figure::new(format!("Low-k law of the {name}"), "log10 |k|", "log10 ω")
        .points("data", lk.clone(), lw, "C1")
        .line(&format!("fit ω = {:.3} |k|^{:.2}", r.coefficient, r.exponent), lk, fitline, "C0", true);
    out.figure("lowk", "the low-k power law in log-log axes", &fig)?;
    if let Some(s) = &r.skw {
        let nw = s.omega.len();
        // keep ω up to 1.15 × the LSWT band top on the path
        let top = d.omega_lswt.as_ref().map(|v| v.iter().cloned().fold(0.0, f64::max)).unwrap_or(1.0) * 1.15;
        let nkeep = s.omega.iter().take_while(|&&w| w <= top).count().max(2).min(nw);
        let mut z = Vec::with_capacity(nkeep * s.path.points.len());
        for j in 0..nkeep {
            for i in 0..s.path.points.len() {
                z.push(s.intensity[i * nw + j]);
            }
        }
        let mut fig = Figure::new(
            format!(
                "S(k,ω) of the {name}, classical dynamics at T = {:.3}",
                r.dynamics.as_ref().map(|x| x.temperature).unwrap_or(0.0)
            ),
            "momentum along the path",
            "ω / |J|",
        );
        fig.heatmap = Some(Heatmap {
            x: s.path.distance.clone(),
            y: s.omega[..nkeep].to_vec(),
            z,
            log_scale: true,
            label: "S(k,ω), log scale".into(),
        });
        if let Some(lswt) = &d.omega_lswt {
            fig = fig.line("linear spin-wave theory", d.distance.clone(), lswt.clone(), "white", true);
        }
        fig.x_ticks = ticks(&s.path);
        fig.y_range = Some([0.0, s.omega[nkeep - 1]]);
        out.figure("skw", "the dynamic structure factor with the LSWT curve", &fig)?;
    }
    Ok(())
}

fn save(r: &SpinwaveResult, out: &mut Output) -> Result<()> {
    let d = &r.dispersion;
    out.npy("dispersion_distance.npy", "arclength along the path", &[d.distance.len()], &d.distance)?;
    out.npy("dispersion_omega.npy", "ω along the path", &[d.omega.len()], &d.omega)?;
    let kdim = d.k.first().map(|k| k.len()).unwrap_or(0);
    let kflat: Vec<f64> = d.k.iter().flatten().cloned().collect();
    out.npy("dispersion_k.npy", "momenta along the path, shape (points, d)", &[d.k.len(), kdim], &kflat)?;
    if let Some(l) = &d.omega_lswt {
        out.npy("dispersion_omega_lswt.npy", "LSWT ω at the same momenta", &[l.len()], l)?;
    }
    if let Some(s) = &r.skw {
        let nw = s.omega.len();
        out.npy(
            "skw.npy",
            "S(k,ω) on the grid path, shape (path points, ω bins)",
            &[s.path.points.len(), nw],
            &s.intensity,
        )?;
        out.npy("skw_omega.npy", "ω of the S(k,ω) bins", &[nw], &s.omega)?;
    }
    figures(r, out)
}

fn summary(r: &SpinwaveResult, out: &Output) {
    out.say(format!(
        "{} on {} (S = {}, |J| = {}), {}: ω ≈ {:.4} |k|^{:.3}",
        match r.model {
            ModelKind::Ferro => "ferromagnet",
            ModelKind::Antiferro => "antiferromagnet",
        },
        r.lattice,
        r.spin,
        r.coupling,
        match r.method {
            Method::Lswt => "linear spin-wave theory",
            Method::Dynamics => "classical dynamics",
        },
        r.coefficient,
        r.exponent
    ));
    if let Some(d) = &r.dynamics {
        out.say(format!(
            "  peaks within {:.2} % of LSWT (LSWT law {:.4} |k|^{:.3}); energy drift {:.1e}, spin-length error {:.1e}, sum rule {:.6} (S² = {:.6})",
            100.0 * d.max_peak_deviation_from_lswt,
            r.fit.lswt_coefficient,
            r.fit.lswt_exponent,
            d.energy_drift,
            d.spin_length_error,
            d.sum_rule_measured,
            d.sum_rule_expected
        ));
    }
    out.say(format!("verdict: {}", r.verdict));
}

fn params_json(p: &Params) -> serde_json::Value {
    serde_json::json!({
        "model": p.kind, "method": p.method, "lattice": p.model.lattice.to_string(), "spin": p.model.spin,
        "coupling": p.model.coupling.abs(), "J": p.model.coupling, "temperature": p.temperature, "seed": p.seed,
        "samples": p.samples, "frames": p.frames, "dt": p.dt, "fit_kmax": p.fit_kmax, "resumed": p.resume,
    })
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    let args = args.with_config()?;
    let p = validate(&args)?;
    let mut out = Output::new(&args.out, g)?;
    let r = compute(&p, &out)?;
    summary(&r, &out);
    save(&r, &mut out)?;
    let seed = (p.method == Method::Dynamics).then_some(p.seed);
    out.finish("spinwave", params_json(&p), seed, &r)?;
    Ok(())
}

/// Chapter 1: ferromagnet vs antiferromagnet, both methods, chain and square lattice.
pub fn demo(ctx: &DemoContext) -> Result<Vec<Chapter>> {
    let mut chapters = Vec::new();
    let title = "Spin waves: ferromagnet vs antiferromagnet".to_string();
    for (kind, lattice, frames, samples) in [
        (ModelKind::Ferro, "64", 2048, 2),
        (ModelKind::Antiferro, "64", 2048, 2),
        (ModelKind::Ferro, "32x32", 1536, 1),
        (ModelKind::Antiferro, "32x32", 1536, 1),
    ] {
        let name = match kind {
            ModelKind::Ferro => "ferro",
            ModelKind::Antiferro => "antiferro",
        };
        let mut exps = Vec::new();
        let mut figs: Vec<PathBuf> = Vec::new();
        let mut text = Vec::new();
        for method in [Method::Lswt, Method::Dynamics] {
            let a = Args {
                model: Some(kind),
                lattice: lattice.into(),
                spin: 0.5,
                coupling: 1.0,
                method,
                temperature: None,
                seed: ctx.seed,
                samples,
                frames,
                dt: None,
                fit_kmax: 0.6,
                resume: false,
                config: None,
                out: OutputArgs { out: None, json: false },
            };
            let p = validate(&a)?;
            let dir_name =
                format!("ch1-{name}-{}-{}", lattice, if method == Method::Lswt { "lswt" } else { "dynamics" });
            let mut out = Output::to_dir(&ctx.dir.join(&dir_name), ctx.quiet)?;
            let r = compute(&p, &out)?;
            save(&r, &mut out)?;
            exps.push(r.exponent);
            if let Some(d) = &r.dynamics {
                text.push(format!(
                    "Classical dynamics on {lattice}: peaks of S(k,ω) within {:.1} % of LSWT at small k; energy drift {:.1e}, spin length kept to {:.0e}, sum rule {:.5} vs S² = {:.5}.",
                    100.0 * d.max_peak_deviation_from_lswt, d.energy_drift, d.spin_length_error.max(1e-16), d.sum_rule_measured, d.sum_rule_expected
                ));
                figs.push(PathBuf::from(&dir_name).join("skw.png"));
            } else {
                figs.push(PathBuf::from(&dir_name).join("dispersion.png"));
            }
            out.finish("spinwave", params_json(&p), Some(ctx.seed), &r)?;
        }
        let want = if kind == ModelKind::Ferro { 2.0 } else { 1.0 };
        let pass = exps.iter().all(|p| (p - want).abs() < 0.1);
        chapters.push(Chapter {
            number: 1,
            title: title.clone(),
            claim: format!(
                "{} on the {} lattice: ω ~ k^{}",
                if kind == ModelKind::Ferro { "Ferromagnet" } else { "Antiferromagnet" },
                if lattice.contains('x') { "square" } else { "chain" },
                want as i32
            ),
            measured: format!(
                "LSWT ω ~ k^{:.2}, dynamics ω ~ k^{:.2} ({})",
                exps[0],
                exps[1],
                verdict(exps[1]).split(':').nth(1).unwrap_or("").trim()
            ),
            pass,
            text,
            figures: figs,
            seconds: 0.0,
        });
    }
    Ok(chapters)
}
