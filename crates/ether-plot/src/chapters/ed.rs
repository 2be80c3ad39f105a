//! Figures of `ether ed`, drawn from the saved run alone: S^zz(q, ω) from `s_q_omega.npy` (axes
//! (q, ω), with `s_q_omega_q.npy` and `omega.npy`), the lowest poles from `result.json`, and on
//! the chain the des Cloizeaux-Pearson curve and the two-spinon upper edge.

use super::NamedFigure;
use crate::run::RunData;
use crate::{Figure, Heatmap, PlotError, Tick};
use serde::Deserialize;
use std::f64::consts::PI;

/// The part of the record the figures need.
#[derive(Debug, Deserialize)]
struct Record {
    model: String,
    lattice: String,
    #[serde(default)]
    observables: Option<Observables>,
}

#[derive(Debug, Deserialize)]
struct Observables {
    #[serde(default)]
    dynamic_structure_factor: Option<Vec<Entry>>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    q: Vec<f64>,
    lowest_pole: Option<f64>,
}

/// The figures of an `ether ed` run (none unless it saved S(q, ω)).
pub fn figures(run: &RunData) -> Result<Vec<NamedFigure>, PlotError> {
    if !run.has("s_q_omega.npy") {
        return Ok(Vec::new());
    }
    let rec: Record = run.result_as()?;
    let (shape, values) = run.array("s_q_omega.npy")?;
    let (_, qs) = run.array("s_q_omega_q.npy")?;
    let (_, omega) = run.array("omega.npy")?;
    let bad =
        |why: &str| PlotError::Read { path: run.dir().join("s_q_omega.npy").display().to_string(), reason: why.into() };
    if shape.len() != 2 || shape[0] != qs.len() || shape[1] != omega.len() {
        return Err(bad("its shape does not match s_q_omega_q.npy and omega.npy (axes (q, ω))"));
    }
    let (nq, nw) = (shape[0], shape[1]);
    let chain = !rec.lattice.contains('x');
    // The heat map is row-major with y (ω) slowest; the saved array is (q, ω).
    let mut z = vec![0.0; nq * nw];
    for iq in 0..nq {
        for iw in 0..nw {
            z[iw * nq + iq] = values[iq * nw + iw];
        }
    }
    let what = if chain { format!("chain N = {}", rec.lattice) } else { format!("torus {}", rec.lattice) };
    let mut fig = Figure::new(
        format!("S^zz(q, ω) of the {} {what} (exact diagonalization)", rec.model),
        if chain { "q (radians)" } else { "q along the grid path" },
        "ω / J",
    );
    fig.heatmap = Some(Heatmap { x: qs.clone(), y: omega, z, log_scale: true, label: "log10 S(q, ω) (1/J)".into() });
    let poles: Vec<(f64, f64)> = rec
        .observables
        .and_then(|o| o.dynamic_structure_factor)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.lowest_pole.map(|w| (if chain { d.q[0] } else { i as f64 }, w)))
        .collect();
    if chain {
        let qq: Vec<f64> = (0..=200).map(|i| PI * i as f64 / 200.0).collect();
        if rec.model == "heisenberg" {
            let dcp: Vec<f64> = qq.iter().map(|q| PI / 2.0 * q.sin().abs()).collect();
            let upper: Vec<f64> = qq.iter().map(|q| PI * (q / 2.0).sin().abs()).collect();
            fig = fig.line("des Cloizeaux-Pearson (π/2)|sin q|", qq.clone(), dcp, "C1", false);
            fig = fig.line("two-spinon upper edge π|sin(q/2)|", qq, upper, "C3", true);
        }
        fig.x_ticks =
            [(0.0, "0"), (PI / 2.0, "π/2"), (PI, "π")].iter().map(|&(at, l)| Tick { at, label: l.into() }).collect();
    }
    let (px, py): (Vec<f64>, Vec<f64>) = poles.into_iter().unzip();
    fig = fig.points("lowest pole (≥ 1 % of the weight)", px, py, "C2");
    fig.note = "exact poles broadened by a Lorentzian; colour: log10 of S(q, ω)".into();
    Ok(vec![NamedFigure::new("s_q_omega", "S^zz(q, ω) of the ground state by the continued-fraction method", fig)])
}
