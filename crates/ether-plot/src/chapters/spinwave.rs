//! Chapter 1 (`ether spinwave`): the dispersion along the high-symmetry path, the low-k law in
//! log-log axes and, for the dynamics, S(k, ω) with the LSWT curve, drawn from the run's `.npy`
//! arrays and `result.json` alone.

use crate::chapters::NamedFigure;
use crate::run::RunData;
use crate::{Figure, Heatmap, PlotError, Tick};
use serde::Deserialize;

/// The parts of the record the figures need (a light view of `result.json`).
#[derive(Debug, Deserialize)]
struct View {
    model: String,
    /// The Hamiltonian in words when given as terms (--delta, --J2, --field, --model-file).
    #[serde(default)]
    hamiltonian: Option<String>,
    lattice: String,
    spin: f64,
    verdict: String,
    coefficient: Option<f64>,
    exponent: Option<f64>,
    dispersion: DispersionView,
    #[serde(default)]
    dynamics: Option<DynamicsView>,
}

#[derive(Debug, Deserialize)]
struct DispersionView {
    labels: Vec<(usize, String)>,
}

#[derive(Debug, Deserialize)]
struct DynamicsView {
    temperature: f64,
}

fn noun(model: &str) -> &'static str {
    if model == "ferro" {
        "ferromagnet"
    } else {
        "antiferromagnet"
    }
}

fn ticks(labels: &[(usize, String)], distance: &[f64]) -> Vec<Tick> {
    labels
        .iter()
        .filter_map(|(i, l)| {
            distance.get(*i).map(|&at| Tick { at, label: if l == "G" { "Γ".into() } else { l.clone() } })
        })
        .collect()
}

fn bad(run: &RunData, file: &str, why: &str) -> PlotError {
    PlotError::Read { path: run.dir().join(file).display().to_string(), reason: why.to_string() }
}

/// The figures of a spin-wave run.
pub fn figures(run: &RunData) -> Result<Vec<NamedFigure>, PlotError> {
    let v: View = run.result_as()?;
    let name = match &v.hamiltonian {
        Some(h) => format!("model {h}"),
        None => noun(&v.model).to_string(),
    };
    let (_, distance) = run.array("dispersion_distance.npy")?;
    let (_, omega) = run.array("dispersion_omega.npy")?;
    let lswt =
        if run.has("dispersion_omega_lswt.npy") { Some(run.array("dispersion_omega_lswt.npy")?.1) } else { None };
    let mut out = Vec::new();

    let mut fig = Figure::new(
        format!("Spin waves of the {name}, {} lattice, S = {}", v.lattice, v.spin),
        "momentum along the path",
        "ω / |J|",
    );
    fig.note = v.verdict.clone();
    fig = match &lswt {
        None => fig.line("linear spin-wave theory", distance.clone(), omega.clone(), "C0", false),
        Some(l) => fig.line("linear spin-wave theory", distance.clone(), l.clone(), "C0", false).points(
            "peaks of S(k,ω), classical dynamics",
            distance.clone(),
            omega.clone(),
            "C1",
        ),
    };
    fig.x_ticks = ticks(&v.dispersion.labels, &distance);
    out.push(NamedFigure::new("dispersion", "the dispersion along the high-symmetry path", fig));

    // The low-k law, log-log.
    let (_, fk) = run.array("fit_k.npy")?;
    let (_, fw) = run.array("fit_omega.npy")?;
    let lk: Vec<f64> = fk.iter().map(|k| k.log10()).collect();
    let lw: Vec<f64> = fw.iter().map(|w| w.log10()).collect();
    let mut fig =
        Figure::new(format!("Low-k law of the {name}"), "log10 |k|", "log10 ω").points("data", lk.clone(), lw, "C1");
    match (v.coefficient, v.exponent) {
        (Some(c), Some(p)) => {
            let line: Vec<f64> = fk.iter().map(|k| (c * k.powf(p)).log10()).collect();
            fig = fig.line(&format!("fit ω = {c:.3} |k|^{p:.2}"), lk, line, "C0", true);
        }
        _ => fig.note = v.verdict.clone(),
    }
    out.push(NamedFigure::new("lowk", "the low-k power law in log-log axes", fig));

    if run.has("skw.npy") {
        let (shape, z_k_w) = run.array("skw.npy")?;
        let (_, w) = run.array("skw_omega.npy")?;
        if shape.len() != 2 || shape[0] != distance.len() || shape[1] != w.len() {
            return Err(bad(run, "skw.npy", "its shape does not match its axes (path points, ω bins)"));
        }
        let nw = w.len();
        // keep ω up to 1.15 × the LSWT band top on the path
        let top = lswt.as_ref().map(|v| v.iter().cloned().fold(0.0, f64::max)).unwrap_or(1.0) * 1.15;
        let nkeep = w.iter().take_while(|&&x| x <= top).count().max(2).min(nw);
        let mut z = Vec::with_capacity(nkeep * distance.len());
        for j in 0..nkeep {
            for i in 0..distance.len() {
                z.push(z_k_w[i * nw + j]);
            }
        }
        let t = v.dynamics.as_ref().map(|d| d.temperature).unwrap_or(0.0);
        let mut fig = Figure::new(
            format!("S(k,ω) of the {name}, classical dynamics at T = {t}"),
            "momentum along the path",
            "ω / |J|",
        );
        fig.heatmap = Some(Heatmap {
            x: distance.clone(),
            y: w[..nkeep].to_vec(),
            z,
            log_scale: true,
            label: "S(k,ω), log scale".into(),
        });
        if let Some(l) = &lswt {
            fig = fig.line("linear spin-wave theory", distance.clone(), l.clone(), "white", true);
        }
        fig.x_ticks = ticks(&v.dispersion.labels, &distance);
        fig.y_range = Some([0.0, w[nkeep - 1]]);
        out.push(NamedFigure::new("skw", "the dynamic structure factor with the LSWT curve", fig));
    }
    Ok(out)
}
