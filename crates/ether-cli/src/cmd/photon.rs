//! `ether photon`: emergent photons of the rotor model on the cubic lattice (issue 3).
//!
//! Two methods on one model, `H = U Σ Q² + J Σ L² − g Σ_p (B_p + h.c.)`:
//! - `modes`: the linearized modes at every momentum, from the model's quadratic form
//!   ([`ether::modes::photon`]);
//! - `dynamics`: the full compact classical model evolved from a thermal state, with S(k, ω) of
//!   the transverse and longitudinal fields ([`ether::dynamics::rotor`]).

use crate::common::{parse_k, usage, Global, Output, OutputArgs};
use crate::demo::DemoContext;
use crate::report::Chapter;
use anyhow::Result;
use ether::dynamics::rotor::{
    fields, fit_speed, omega_max, peaks, photon_spectrum_observed, tone_frequency, EvolveConfig, Peak, SpectrumRun,
};
use ether::lattice::{Lattice, Momentum, MomentumPath};
use ether::mc::rotor::{thermal_state, ThermalConfig};
use ether::model::RotorModel;
use ether::modes::photon::{fit_points, grid_summary, modes_at, small_k_fit, MomentumModes};
use ether_plot::{Figure, Heatmap, Layer, Tick};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::path::Path;

/// Which calculation to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Linearized normal modes at each momentum (fast, exact for small oscillations).
    Modes,
    /// Full nonlinear classical dynamics from a thermal state, with S(k, ω).
    Dynamics,
}

/// Static background charges for the dynamics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Charges {
    /// No charges: the Q = 0 sector (the U → ∞ vacuum sector).
    None,
    /// A static +1/−1 pair (string ends) in the plane z = 1, to show Coulomb field lines.
    Pair,
}

/// Emergent photons of the rotor model: two transverse waves with ω = 2√(gJ)|K| obeying
/// Maxwell's equations, and a frozen longitudinal direction (Gauss's law).
///
/// The model has a rotor (angle θ, integer angular momentum L = E) on every link of the cubic
/// lattice: H = U Σ_sites Q² + J Σ_links L² − g Σ_plaquettes 2 cos(curl θ), with Q = div L the
/// charge. The photon phase is U ≫ g ≫ J (units: energy, ħ = k_B = lattice spacing = 1).
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
    /// J: string tension (electric energy J Σ L²), > 0. The speed of light is c = 2√(gJ).
    #[arg(long = "J", default_value_t = 0.1, allow_hyphen_values = true)]
    j: f64,
    /// modes: linearized modes at every momentum; dynamics: the full nonlinear model in time.
    #[arg(long, value_enum, default_value_t = Method::Modes)]
    method: Method,
    /// One momentum kx,ky,kz in radians per lattice spacing ('pi' allowed, e.g. pi/2,0,0):
    /// report the modes there (with dynamics: it must be a lattice momentum 2π n/L).
    #[arg(long, value_name = "KX,KY,KZ", allow_hyphen_values = true)]
    k: Option<String>,
    /// Temperature of the classical thermal initial state (energy units); default 0.01 g
    /// (deep in the linear regime: ⟨Φ²⟩ = T/3g per plaquette).
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
    /// Metropolis sweeps over the angles after the harmonic draw of the thermal state.
    #[arg(long, default_value_t = 10)]
    sweeps: usize,
    /// Static charges in the initial state (the dynamics conserves them).
    #[arg(long, value_enum, default_value_t = Charges::None)]
    charges: Charges,
    /// Random seed of the thermal state (same seed, same numbers, any thread count).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    out: OutputArgs,
}

/// Validated parameters.
#[derive(Clone, Debug)]
struct Params {
    model: RotorModel,
    method: Method,
    k: Option<Vec<f64>>,
    temperature: f64,
    steps: usize,
    dt: f64,
    frame_every: usize,
    sweeps: usize,
    charges: Charges,
    seed: u64,
}

impl Params {
    fn json(&self) -> Value {
        json!({
            "lattice": self.model.lattice.to_string(), "U": self.model.u, "g": self.model.g, "J": self.model.j,
            "method": format!("{:?}", self.method).to_lowercase(), "k": self.k, "temperature": self.temperature,
            "steps": self.steps, "dt": self.dt, "frame_every": self.frame_every, "sweeps": self.sweeps,
            "charges": format!("{:?}", self.charges).to_lowercase(), "seed": self.seed,
        })
    }
}

fn validate(a: &Args) -> Result<Params> {
    let lattice = match Lattice::parse(&a.lattice) {
        Ok(l) => l,
        Err(e) => return usage(format!("--lattice {}: {e}", a.lattice)),
    };
    if lattice.dim() != 3 {
        return usage(format!(
            "--lattice {}: the photon lives on the cubic lattice (plaquettes in three planes, a divergence in 3D); give three extents, e.g. 16x16x16",
            a.lattice
        ));
    }
    for (name, v) in [("U", a.u), ("g", a.g), ("J", a.j)] {
        if !v.is_finite() {
            return usage(format!("--{name} {v}: give a finite number"));
        }
    }
    if a.u < 0.0 {
        return usage(format!(
            "--U {}: U Σ Q² is the energy cost of charges; U < 0 would make charges pay and the vacuum unstable. Use U ≥ 0 (the photon phase needs U ≫ g)",
            a.u
        ));
    }
    if a.g <= 0.0 {
        return usage(format!(
            "--g {}: the plaquette term g makes closed strings fluctuate (the magnetic energy); without g > 0 there is no restoring force and no photon. Use g > 0 with g ≫ J, e.g. --g 1",
            a.g
        ));
    }
    if a.j <= 0.0 {
        return usage(format!(
            "--J {}: the string tension J is the electric energy J L²; the photon needs J > 0 (c = 2√(gJ)) and the Coulomb phase J ≪ g, e.g. --J 0.1",
            a.j
        ));
    }
    let model = RotorModel::new_3d(lattice.clone(), a.u, a.g, a.j)?;
    let k = match &a.k {
        Some(s) => Some(parse_k(s, 3)?),
        None => None,
    };
    let temperature = a.temperature.unwrap_or(0.01 * a.g);
    if !temperature.is_finite() || temperature < 0.0 {
        return usage(format!("--temperature {temperature}: give a temperature ≥ 0 in energy units, e.g. 0.01"));
    }
    let wmax = omega_max(&model);
    let dt = a.dt.unwrap_or(0.25 / wmax);
    if !dt.is_finite() || dt <= 0.0 {
        return usage(format!("--dt {dt}: give a positive time step, e.g. {:.4} (= 0.25/ω_max)", 0.25 / wmax));
    }
    // Nyquist π/(dt·fe) ≥ 1.25 ω_max.
    let frame_every =
        a.frame_every.unwrap_or_else(|| ((std::f64::consts::PI / (1.25 * wmax * dt)).floor() as usize).max(1));
    if frame_every == 0 {
        return usage("--frame-every 0: give at least 1");
    }
    if a.method == Method::Dynamics {
        if temperature <= 0.0 {
            return usage(
                "--temperature 0: the classical vacuum does not move, so the dynamics has no waves to measure; give T > 0, e.g. --temperature 0.01",
            );
        }
        if a.steps / frame_every < 8 {
            return usage(format!(
                "--steps {}: with a frame every {frame_every} steps that gives fewer than 8 frames; use --steps {} or more",
                a.steps,
                8 * frame_every
            ));
        }
        if let Some(k) = &k {
            let m = Momentum::new(k);
            let i = lattice.momentum_index(&m);
            let g = lattice.momentum_of_index(i);
            let off = k.iter().zip(g.components()).any(|(x, y)| (ether::lattice::wrap_pi(x - y)).abs() > 1e-9);
            if off {
                return usage(format!(
                    "--k {}: the dynamics only has lattice momenta k_a = 2π n_a/L_a on {lattice}; pick one of those (e.g. 2pi/{},0,0)",
                    a.k.clone().unwrap_or_default(),
                    lattice.extents()[0]
                ));
            }
        }
    }
    Ok(Params {
        model,
        method: a.method,
        k,
        temperature,
        steps: a.steps,
        dt,
        frame_every,
        sweeps: a.sweeps,
        charges: a.charges,
        seed: a.seed,
    })
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    let p = validate(&args)?;
    let mut out = Output::new(&args.out, g)?;
    let result = compute(&p, &mut out)?;
    out.finish("photon", p.json(), Some(p.seed), &result)?;
    Ok(())
}

/// Modes at one momentum as the JSON list of {helicity, omega, polarization}.
fn modes_json(mm: &MomentumModes) -> Value {
    Value::Array(
        mm.modes
            .iter()
            .map(|m| {
                json!({
                    "helicity": m.helicity, "omega": m.omega, "omega2": m.omega2,
                    "polarization": m.polarization, "longitudinal_overlap": m.longitudinal_overlap,
                    "kind": match m.helicity { Some(0) => "longitudinal (zero mode)", Some(_) => "transverse photon", None => "k = 0 holonomy" },
                })
            })
            .collect(),
    )
}

const CONTRAST: &str = "Contrast with chapter 1: the antiferromagnet's spin waves are also linear, but each of its branches carries one polarization and nothing constrains the field; here one branch carries two transverse polarizations (helicity ±1) and the third, longitudinal direction does not oscillate at all, because Gauss's law div E = Q freezes it. That is light, not sound.";

fn path_ticks(path: &MomentumPath) -> Vec<Tick> {
    path.labels
        .iter()
        .map(|(i, s)| Tick { at: path.distance[*i], label: if s == "G" { "Γ".into() } else { s.clone() } })
        .collect()
}

/// The three branches along G-X-M-R-G from the modes code.
fn branches_figure(model: &RotorModel) -> Result<(Figure, Vec<[f64; 3]>, MomentumPath)> {
    let path = model.lattice.high_symmetry_path(24.0);
    let ws: Vec<[f64; 3]> = path
        .points
        .par_iter()
        .map(|k| {
            modes_at(model, k.components()).map(|mm| {
                // order: helicity +1, −1, 0
                let mut w = [0.0; 3];
                for m in &mm.modes {
                    match m.helicity {
                        Some(1) => w[0] = m.omega,
                        Some(-1) => w[1] = m.omega,
                        _ => w[2] = m.omega,
                    }
                }
                if mm.modes.iter().all(|m| m.helicity.is_none()) {
                    w = [mm.modes[2].omega, mm.modes[1].omega, mm.modes[0].omega];
                }
                w
            })
        })
        .collect::<ether::Result<Vec<_>>>()?;
    let x = path.distance.clone();
    let mut fig = Figure::new(
        format!("Rotor model {}: U={} g={} J={} — linearized modes", model.lattice, model.u, model.g, model.j),
        "momentum path",
        "ω",
    )
    .line("helicity +1 (transverse photon)", x.clone(), ws.iter().map(|w| w[0]).collect(), "C0", false)
    .line("helicity −1 (transverse photon)", x.clone(), ws.iter().map(|w| w[1]).collect(), "C3", true)
    .line("helicity 0 (longitudinal: ω = 0, no wave)", x.clone(), ws.iter().map(|w| w[2]).collect(), "C2", false);
    fig.x_ticks = path_ticks(&path);
    fig.note = format!("ω_T = 2√(gJ)|K| = {:.4}|K| (twice, U drops out); ω_L = 0", model.speed_of_light());
    Ok((fig, ws, path))
}

fn modes_result(p: &Params, out: &mut Output) -> Result<(Value, Verdict)> {
    let m = &p.model;
    let c_th = m.speed_of_light();
    let fits = small_k_fit(m, [1.0, 0.7, 0.3])?;
    let gapless: Vec<_> = fits.iter().filter(|f| f.gapless_linear).collect();
    let exponent = if gapless.is_empty() {
        f64::NAN
    } else {
        gapless.iter().map(|f| f.exponent).sum::<f64>() / gapless.len() as f64
    };
    let speed =
        if gapless.is_empty() { f64::NAN } else { gapless.iter().map(|f| f.speed).sum::<f64>() / gapless.len() as f64 };
    // Every lattice momentum (parallel; each momentum is independent, so deterministic).
    let pb = out.progress(m.lattice.n_sites() as u64, "modes on the grid");
    let summary = grid_summary(m, || pb.inc(1))?;
    pb.finish_and_clear();
    let (zmin, zmax, ztotal) = (summary.zero_modes_min, summary.zero_modes_max, summary.zero_modes_total);
    let e_gauss = m.classical_energy(&vec![0.0; m.lattice.n_links()], &vec![0.0; m.lattice.n_links()])
        / m.lattice.n_sites() as f64
        + summary.zero_point_energy_per_site;
    let (fig, ws, path) = branches_figure(m)?;
    out.figure("branches", "the three linearized branches along Γ-X-M-R-Γ with helicity labels", &fig)?;
    let flat: Vec<f64> = ws.iter().flat_map(|w| w.iter().copied()).collect();
    out.npy("branches.npy", "ω of helicity +1, −1, 0 along the path (rows: path points)", &[ws.len(), 3], &flat)?;
    out.json_file(
        "path.json",
        "the momentum path of branches.npy",
        &json!({"k": path.points.iter().map(|k| k.components().to_vec()).collect::<Vec<_>>(), "distance": path.distance, "labels": path.labels}),
    )?;
    let at_k = match &p.k {
        Some(k) => {
            let mm = modes_at(m, k)?;
            Some((mm.clone(), modes_json(&mm)))
        }
        None => None,
    };
    let verdict_text = format!(
        "{} gapless branches with ω ∝ |k|^{:.4} (both transverse, helicity ±1), speed {:.6} vs 2√(gJ) = {:.6}; {} zero mode{} at every k ≠ 0 (longitudinal: Gauss's law, U drops out), {} in all. Gaussian ground-state energy per site {:.6} = −6g + {:.5}√(gJ) (note §2.3: −6g + 4.7752√(gJ) as L → ∞).",
        gapless.len(),
        exponent,
        speed,
        c_th,
        zmax,
        if zmax == 1 { "" } else { "s" },
        ztotal,
        e_gauss,
        (e_gauss + 6.0 * m.g) / (m.g * m.j).sqrt()
    );
    let mut v = json!({
        "method": "modes",
        "gapless_branches": gapless.len(),
        "zero_modes": zmax,
        "zero_modes_min": zmin,
        "zero_modes_total": ztotal,
        "exponent": exponent,
        "speed_of_light": speed,
        "speed_of_light_expected": c_th,
        "branch_fits": fits,
        "gaussian_energy_per_site": e_gauss,
        "verdict": verdict_text,
        "contrast": CONTRAST,
    });
    if let Some((mm, j)) = &at_k {
        v["k"] = json!(mm.k);
        v["lattice_k2"] = json!(mm.lattice_k2);
        v["modes"] = j.clone();
        v["zero_modes_at_k"] = json!(mm.zero_modes);
        out.say(format!("modes at k = {:?} (|K|² = {:.6}):", mm.k, mm.lattice_k2));
        for x in mm.modes.iter().filter(|_| out.chatty()) {
            out.say(format!(
                "  helicity {:>4}  ω = {:.6}",
                x.helicity.map(|h| if h == 0 { "0".to_string() } else { format!("{h:+}") }).unwrap_or("-".into()),
                x.omega
            ));
        }
    }
    out.say(&verdict_text);
    out.say(CONTRAST);
    let pass = gapless.len() == 2
        && zmax == 1
        && zmin == 1
        && (exponent - 1.0).abs() < 0.01
        && (speed - c_th).abs() < 1e-3 * c_th;
    Ok((v, Verdict { text: verdict_text, pass, speed, gapless: gapless.len(), gauss: 0.0, drift: 0.0 }))
}

struct Verdict {
    text: String,
    pass: bool,
    speed: f64,
    gapless: usize,
    gauss: f64,
    drift: f64,
}

fn charges_for(p: &Params) -> Option<Vec<f64>> {
    match p.charges {
        Charges::None => None,
        Charges::Pair => {
            let l = &p.model.lattice;
            let e = l.extents();
            let mut q = vec![0.0; l.n_sites()];
            let y = (e[1] / 2) as isize;
            q[l.site(&[(e[0] / 4) as isize, y, 1])] = 1.0;
            q[l.site(&[(3 * e[0] / 4) as isize, y, 1])] = -1.0;
            Some(q)
        }
    }
}

fn sk_figure(p: &Params, run: &SpectrumRun, channel_name: &str) -> Result<Figure> {
    let m = &p.model;
    let sf = &run.electric;
    let path = m.lattice.grid_path();
    let nt = sf.n_times();
    let wmax = omega_max(m) * 1.1;
    let js: Vec<usize> = (0..=nt / 2).filter(|&j| sf.omega(j) <= wmax).collect();
    let ys: Vec<f64> = js.iter().map(|&j| sf.omega(j)).collect();
    let mut z = vec![0.0; ys.len() * path.len()];
    for (ix, k) in path.points.iter().enumerate() {
        let ki = m.lattice.momentum_index(k);
        for (iy, &j) in js.iter().enumerate() {
            z[iy * path.len() + ix] = sf.intensity(0, ki, j);
        }
    }
    let mut fig = Figure::new(
        format!("S(k,ω) of transverse E, rotor model {} (T = {}, nonlinear dynamics)", m.lattice, p.temperature),
        "momentum path",
        "ω",
    );
    fig.heatmap = Some(Heatmap {
        x: path.distance.clone(),
        y: ys,
        z,
        log_scale: true,
        label: format!("S_T(k,ω) of {channel_name} (log)"),
    });
    // Mode curve from the modes code on the continuous path, mapped onto the same distance axis.
    let cont = m.lattice.high_symmetry_path(24.0);
    let wc: Vec<f64> = cont
        .points
        .iter()
        .map(|k| modes_at(m, k.components()).map(|mm| mm.modes[2].omega))
        .collect::<ether::Result<Vec<_>>>()?;
    // Scale the continuous path's arclength to the grid path's (they share corners).
    let scale = path.distance.last().copied().unwrap_or(1.0) / cont.distance.last().copied().unwrap_or(1.0);
    let xc: Vec<f64> = cont.distance.iter().map(|d| d * scale).collect();
    fig = fig.line("linearized photon ω_T (modes)", xc, wc, "#ffffff", true);
    let pk: Vec<(f64, f64)> = path
        .points
        .iter()
        .enumerate()
        .filter_map(|(ix, k)| {
            let ki = m.lattice.momentum_index(k);
            (k.lattice_k2() > 1e-12).then(|| tone_frequency(sf, 0, ki).map(|w| (path.distance[ix], w))).flatten()
        })
        .collect();
    fig = fig.points("peaks of S(k,ω)", pk.iter().map(|x| x.0).collect(), pk.iter().map(|x| x.1).collect(), "C1");
    fig.x_ticks = path_ticks(&path);
    fig.note = "longitudinal E: all weight at ω = 0 (static)".into();
    Ok(fig)
}

fn monitor_figures(p: &Params, run: &SpectrumRun) -> (Figure, Figure) {
    let mon = &run.monitor;
    let e0 = mon.energy[0];
    let exc = (e0 - mon.vacuum_energy).abs().max(f64::MIN_POSITIVE);
    let rel: Vec<f64> = mon.energy.iter().map(|e| (e - e0) / exc).collect();
    let mut f1 =
        Figure::new(format!("Energy drift of the leapfrog integrator (dt = {:.4})", p.dt), "time t", "ΔE / E_exc")
            .line("relative energy error", mon.time.clone(), rel, "C0", false);
    f1.note = "E_exc = E(0) − E_vacuum; bounded and oscillating (symplectic), amplitude ∝ dt²".into();
    let lmax = run.last.l.iter().fold(0.0f64, |a, b| a.max(b.abs())).max(1e-300);
    // Plot in units of 10^e so that the tick labels are readable.
    let gmax = mon.gauss_law_violation.iter().copied().fold(0.0f64, f64::max);
    let e = if gmax > 0.0 { gmax.log10().floor() as i32 } else { 0 };
    let unit = 10f64.powi(e);
    let g: Vec<f64> = mon.gauss_law_violation.iter().map(|x| x / unit).collect();
    let mut f2 = Figure::new("Gauss's law: max over sites of |Q(t) − Q(0)|", "time t", format!("max|ΔQ| / 1e{e}"))
        .line("Gauss-law violation (rounding only)", mon.time.clone(), g, "C3", false);
    f2.note = format!("max |L| = {lmax:.3}: the violation is at the level of floating-point rounding");
    (f1, f2)
}

fn field_line_figure(p: &Params, efield: &[f64], charges: Option<&[f64]>, what: &str) -> Figure {
    let l = &p.model.lattice;
    let e = l.extents();
    let z = if charges.is_some() { 1 } else { 0 };
    let (mut xs, mut ys, mut dx, mut dy) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for y in 0..e[1] {
        for x in 0..e[0] {
            let r = l.site(&[x as isize, y as isize, z]);
            // E at the site: average of the two links on each axis through it.
            let ex = 0.5 * (efield[3 * r] + efield[3 * l.backward(r, 0)]);
            let ey = 0.5 * (efield[3 * r + 1] + efield[3 * l.backward(r, 1) + 1]);
            xs.push(x as f64);
            ys.push(y as f64);
            dx.push(ex);
            dy.push(ey);
        }
    }
    let m = dx.iter().zip(&dy).map(|(a, b)| (a * a + b * b).sqrt()).fold(0.0f64, f64::max).max(1e-300);
    // Length ∝ |E|^0.4 (the longest 0.9 lattice spacings): direction exact, magnitude compressed so
    // the weak far field stays visible next to the charges.
    let scale = |a: f64, b: f64| {
        let n = (a * a + b * b).sqrt();
        if n > 0.0 {
            0.9 * (n / m).powf(0.4) / n
        } else {
            0.0
        }
    };
    let (dx, dy): (Vec<f64>, Vec<f64>) = dx.iter().zip(&dy).map(|(&a, &b)| (a * scale(a, b), b * scale(a, b))).unzip();
    let mut fig = Figure::new(format!("Electric field E = L in the plane z = {z} ({what})"), "x", "y");
    fig.layers.push(Layer::Arrows {
        label: Some("E (in-plane part)".into()),
        x: xs,
        y: ys,
        dx,
        dy,
        color: Some("C0".into()),
    });
    if let Some(q) = charges {
        let (mut px, mut py, mut nx, mut ny) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (r, &v) in q.iter().enumerate() {
            let c = l.coords(r);
            if c[2] as isize != z {
                continue;
            }
            if v > 0.0 {
                px.push(c[0] as f64);
                py.push(c[1] as f64);
            } else if v < 0.0 {
                nx.push(c[0] as f64);
                ny.push(c[1] as f64);
            }
        }
        fig = fig.points("charge +1", px, py, "C3").points("charge −1", nx, ny, "C2");
    }
    fig.equal_aspect = true;
    fig.note = format!("arrow length ∝ |E|^0.4, longest 0.9 (max |E| = {m:.3})");
    fig
}

fn dynamics_result(p: &Params, out: &mut Output) -> Result<(Value, Verdict)> {
    let m = &p.model;
    let charges = charges_for(p);
    // State, force and scratch (8 link arrays) plus the FFT buffers of the thermal draw.
    let nl = m.lattice.n_links() as u64;
    ether::error::check_memory(
        "the rotor dynamics",
        nl * 8 * 8 + nl * 16 * 2,
        "use a smaller --lattice (64x64x64 needs about 60 MB)",
    )?;
    let mut tc = ThermalConfig::new(p.temperature, p.seed);
    tc.sweeps = p.sweeps;
    tc.charges = charges.clone();
    out.say(format!(
        "thermal state at T = {} ({} links, {} Metropolis sweeps)",
        p.temperature,
        m.lattice.n_links(),
        p.sweeps
    ));
    let s0 = thermal_state(m, &tc)?;
    out.say(format!(
        "evolving {} steps of dt = {:.5} (ω_max dt = {:.3}), a frame every {} steps",
        p.steps,
        p.dt,
        p.dt * omega_max(m),
        p.frame_every
    ));
    let pb = out.progress(p.steps as u64, "leapfrog steps");
    let run = photon_spectrum_observed(m, s0, &EvolveConfig::new(p.dt, p.steps), p.frame_every, |s| {
        if s % 64 == 0 {
            pb.set_position(s as u64);
        }
    });
    pb.finish_and_clear();
    let run = run?;
    let c_th = m.speed_of_light();
    // Photon branch from the peaks at small k: |K|² up to the first two shells of the lattice.
    let kmin2 = {
        let e = m.lattice.extents();
        let lmax = *e.iter().max().unwrap_or(&2) as f64;
        4.0 * (std::f64::consts::PI / lmax).sin().powi(2)
    };
    let small: Vec<Peak> = peaks(&run.electric, 0, 2.05 * kmin2);
    let c_meas = fit_speed(&small).unwrap_or(f64::NAN);
    let all_peaks: Vec<Peak> = peaks(&run.electric, 0, 12.5);
    let fitpts: Vec<(f64, f64)> = all_peaks
        .iter()
        .filter(|p| p.lattice_k * p.lattice_k <= 4.0 * kmin2 + 1e-9)
        .map(|p| (p.lattice_k, p.omega))
        .collect();
    let exponent = fit_points(&fitpts).map(|x| x.0).unwrap_or(f64::NAN);
    // Polarizations: transverse weight per k over the equipartition value T/(2J) of one mode.
    let sf = &run.electric;
    let n = m.lattice.n_sites();
    let (mut wt, mut wl0, mut wl) = (0.0, 0.0, 0.0);
    for k in 0..n {
        if m.lattice.momentum_of_index(k).lattice_k2() < 1e-12 {
            continue;
        }
        for j in 0..sf.n_times() {
            wt += sf.intensity(0, k, j) * sf.domega();
            let x = sf.intensity(1, k, j) * sf.domega();
            if j == 0 {
                wl0 += x;
            } else {
                wl += x;
            }
        }
    }
    let pol = if p.temperature > 0.0 { wt / ((n - 1) as f64 * p.temperature / (2.0 * m.j)) } else { f64::NAN };
    // Oscillating longitudinal weight as a fraction of all the (non-uniform) E weight.
    let long_moving = if wt + wl0 + wl > 0.0 { wl / (wt + wl0 + wl) } else { 0.0 };
    // The transverse weight is a sum over 2(N − 1) thermal modes: relative s.d. 1/√(N − 1).
    let pol_sd = pol / ((n - 1) as f64).sqrt();
    let (mut bt, mut bl) = (0.0, 0.0);
    for k in 0..n {
        for j in 0..run.magnetic.n_times() {
            bt += run.magnetic.intensity(0, k, j);
            bl += run.magnetic.intensity(1, k, j);
        }
    }
    // Zero modes per k ≠ 0 of the same model's linearization (the non-oscillating directions;
    // the dynamics shows them as the static longitudinal weight above).
    let zero_modes = grid_summary(m, || ())?.zero_modes_max;
    let gauss = run.monitor.max_gauss_law_violation();
    let drift = run.monitor.relative_energy_drift();
    let (re, rb) = run.maxwell_residual;
    // Count the gapless polarizations only where the statistics can tell 2 from 1 or 3.
    let gapless: Option<usize> = if !(pol.is_finite() && pol_sd < 0.25) {
        None
    } else if (exponent - 1.0).abs() < 0.1 && c_meas > 0.0 {
        Some(pol.round() as usize)
    } else {
        Some(0)
    };
    // Figures and data.
    let fig = sk_figure(p, &run, "E")?;
    out.figure(
        "skw",
        "S(k,ω) of the transverse electric field along Γ-X-M-R-Γ with the linearized photon branch",
        &fig,
    )?;
    let (f1, f2) = monitor_figures(p, &run);
    out.figure("energy_drift", "relative energy error of the leapfrog integrator against time", &f1)?;
    out.figure("gauss_law", "max over sites of |Q(t) − Q(0)| against time", &f2)?;
    let f3 = field_line_figure(p, &run.last.l, charges.as_deref(), "snapshot at the end of the run");
    out.figure("field_lines", "snapshot of the electric field in a lattice plane", &f3)?;
    let f4 = field_line_figure(p, &run.mean_e, charges.as_deref(), "time average over the run");
    out.figure(
        "field_lines_mean",
        "the electric field averaged over the run: the waves average out, the static Coulomb field stays",
        &f4,
    )?;
    out.json_file("monitor.json", "energy and Gauss-law violation against time", &run.monitor)?;
    out.json_file("peaks.json", "transverse S(k,ω) peak per momentum (|K|² ≤ 12.5)", &all_peaks)?;
    {
        let nt = sf.n_times();
        for (name, what, acc) in [
            ("skw_electric.npy", "E", &run.electric),
            ("skw_magnetic.npy", "B (longitudinal = monopoles)", &run.magnetic),
        ] {
            let mut s = vec![0.0; 2 * n * nt];
            for ch in 0..2 {
                for k in 0..n {
                    for j in 0..nt {
                        s[(ch * n + k) * nt + j] = acc.intensity(ch, k, j);
                    }
                }
            }
            out.npy(
                name,
                &format!(
                    "S(k,ω) of {what}: [channel (0 transverse, 1 longitudinal), k index (site order), ω bin j]; ω_j = j·{:.6} for j ≤ {}, negative above",
                    acc.domega(),
                    nt / 2
                ),
                &[2, n, nt],
                &s,
            )?;
        }
        let (e, b) = fields(&m.lattice, &run.last);
        out.npy("final_E.npy", "E = L at the end, [component, site]", &[3, n], &e)?;
        out.npy("final_B.npy", "B at the end, [component, site]", &[3, n], &b)?;
    }
    let mut modes_k = Value::Null;
    if let Some(k) = &p.k {
        let mm = modes_at(m, k)?;
        let ki = m.lattice.momentum_index(&Momentum::new(k));
        let peak = tone_frequency(&run.electric, 0, ki);
        modes_k = json!({"k": mm.k, "modes": modes_json(&mm), "measured_peak_omega": peak});
        out.say(format!("at k = {:?}: measured ω = {:?}, linearized ω_T = {:.6}", mm.k, peak, mm.modes[2].omega));
    }
    let maxwell_ok = re < 0.05 && rb < 0.05;
    let text = format!(
        "{} gapless transverse branch polarizations (measured {:.3} ± {:.3} from the transverse weight), ω ∝ |K|^{:.3}; c = {:.5} from the S(k,ω) peaks vs 2√(gJ) = {:.5} ({:+.2}%). Gauss's law: max |Q(t) − Q(0)| = {:.2e}; longitudinal E static (oscillating share of the E weight {:.1e}); energy drift {:.2e} of the excitation energy. Discrete Maxwell equations dE/dt = −2g Cᵀ Φ, dΦ/dt = 2J C E {} in this run: relative residuals {:.2e} and {:.2e}.",
        gapless.map(|g| g.to_string()).unwrap_or_else(|| "too few momenta to count the".into()),
        pol,
        pol_sd,
        exponent,
        c_meas,
        c_th,
        100.0 * (c_meas / c_th - 1.0),
        gauss,
        long_moving,
        drift,
        if maxwell_ok { "hold (linear regime)" } else { "do not hold well (nonlinear regime: lower the temperature)" },
        re,
        rb
    );
    out.say(&text);
    out.say(CONTRAST);
    let mut v = json!({
        "method": "dynamics",
        "gapless_branches": gapless,
        "polarizations_measured": pol,
        "polarizations_uncertainty": pol_sd,
        "zero_modes": zero_modes,
        "exponent": exponent,
        "speed_of_light": c_meas,
        "speed_of_light_expected": c_th,
        "gauss_law_violation": gauss,
        "energy_drift": drift,
        "longitudinal_E_moving_fraction": long_moving,
        "monopole_weight_fraction": if bt + bl > 0.0 { bl / (bt + bl) } else { 0.0 },
        "maxwell_residual": {"dE_dt": re, "dB_dt": rb},
        "peaks_small_k": small,
        "frequency_resolution": run.electric.domega(),
        "verdict": text,
        "contrast": CONTRAST,
    });
    if !modes_k.is_null() {
        v["modes"] = modes_k["modes"].clone();
        v["k"] = modes_k["k"].clone();
        v["measured_peak_omega"] = modes_k["measured_peak_omega"].clone();
    }
    let pass = (c_meas - c_th).abs() < 0.02 * c_th && gapless == Some(2);
    Ok((v, Verdict { text, pass, speed: c_meas, gapless: gapless.unwrap_or(0), gauss, drift }))
}

fn compute(p: &Params, out: &mut Output) -> Result<Value> {
    let (v, _) = match p.method {
        Method::Modes => modes_result(p, out)?,
        Method::Dynamics => dynamics_result(p, out)?,
    };
    Ok(v)
}

fn demo_params(lattice: &str, method: Method, seed: u64) -> Result<Params> {
    let model = RotorModel::new_3d(Lattice::parse(lattice)?, 10.0, 1.0, 0.1)?;
    let wmax = omega_max(&model);
    let dt = 0.25 / wmax;
    Ok(Params {
        model,
        method,
        k: None,
        temperature: 0.01,
        steps: 6000,
        dt,
        frame_every: 4,
        sweeps: 2,
        charges: Charges::Pair,
        seed,
    })
}

fn run_into(dir: &Path, p: &Params, quiet: bool) -> Result<(Value, Verdict)> {
    let mut out = Output::to_dir(dir, quiet)?;
    let (v, verdict) = match p.method {
        Method::Modes => modes_result(p, &mut out)?,
        Method::Dynamics => dynamics_result(p, &mut out)?,
    };
    out.finish("photon", p.json(), Some(p.seed), &v)?;
    Ok((v, verdict))
}

/// Chapter 2, "Light from qubits": modes on 8³ and the nonlinear dynamics on 12³.
pub fn demo(ctx: &DemoContext) -> Result<Vec<Chapter>> {
    let title = "Light from qubits".to_string();
    let pm = demo_params("8x8x8", Method::Modes, ctx.seed)?;
    let (_, vm) = run_into(&ctx.dir.join("ch2-photon-modes"), &pm, ctx.quiet)?;
    let pd = demo_params("12x12x12", Method::Dynamics, ctx.seed)?;
    let (vd_json, vd) = run_into(&ctx.dir.join("ch2-photon-dynamics"), &pd, ctx.quiet)?;
    let c = pm.model.speed_of_light();
    let lmax = vd_json["peaks_small_k"].as_array().map(|a| a.len()).unwrap_or(0);
    let gauss_ok = vd.gauss < 1e-10;
    let drift_ok = vd.drift < 0.05;
    let ch_modes = Chapter {
        number: 2,
        title: title.clone(),
        claim: "The rotor model's linear waves: two gapless transverse photons (helicity ±1), ω = 2√(gJ)|K|, and one frozen longitudinal mode at every k".into(),
        measured: format!("{} gapless branches, speed {:.5} vs 2√(gJ) = {:.5}, one zero mode per k ≠ 0", vm.gapless, vm.speed, c),
        pass: vm.pass,
        text: vec![vm.text.clone(), CONTRAST.into()],
        figures: vec!["ch2-photon-modes/branches.png".into()],
        seconds: 0.0,
    };
    let ch_dyn = Chapter {
        number: 2,
        title,
        claim: "The full nonlinear model's waves travel at c = 2√(gJ) and Gauss's law holds (Maxwell's equations)".into(),
        measured: format!(
            "c = {:.4} vs {:.4} ({:+.2}%, {} momenta), max |ΔQ| = {:.1e}, energy drift {:.1e}",
            vd.speed,
            c,
            100.0 * (vd.speed / c - 1.0),
            lmax,
            vd.gauss,
            vd.drift
        ),
        pass: vd.pass && gauss_ok && drift_ok,
        text: vec![
            vd.text.clone(),
            "The snapshot shows the electric field of a static +1/−1 pair (string ends) buried in thermal photons; averaged over the run, the transverse waves cancel and the Coulomb field lines from + to − remain: the longitudinal field is slaved to the charges by Gauss's law.".into(),
        ],
        figures: vec![
            "ch2-photon-dynamics/skw.png".into(),
            "ch2-photon-dynamics/field_lines.png".into(),
            "ch2-photon-dynamics/field_lines_mean.png".into(),
            "ch2-photon-dynamics/gauss_law.png".into(),
            "ch2-photon-dynamics/energy_drift.png".into(),
        ],
        seconds: 0.0,
    };
    Ok(vec![ch_modes, ch_dyn])
}
