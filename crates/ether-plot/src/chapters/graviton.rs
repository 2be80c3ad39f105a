//! The figures of `ether graviton`, from its run directory alone.

use super::NamedFigure;
use crate::run::RunData;
use crate::{Figure, Layer, PlotError, Tick};
use serde::Deserialize;

#[derive(Deserialize)]
struct View {
    model: String,
    #[serde(rename = "U")]
    u: f64,
    #[serde(rename = "J")]
    j: f64,
    path_labels: Vec<(usize, String)>,
}

/// The helicity blocks in the order of `path_sector_omega.npy`: colour and legend.
const SECTORS: [(&str, &str); 5] =
    [("C1", "helicity +2"), ("C3", "helicity -2"), ("C2", "helicity +1"), ("C4", "helicity -1"), ("C0", "helicity 0")];

/// The figures of a graviton run.
pub fn figures(run: &RunData) -> Result<Vec<NamedFigure>, PlotError> {
    let v: View = run.result_as()?;
    let (_, x) = run.array("path_distance.npy")?;
    let npts = x.len();
    let ticks: Vec<Tick> = v
        .path_labels
        .iter()
        .filter(|(i, _)| *i < npts)
        .map(|(i, l)| Tick { at: x[*i], label: if l == "G" { "Γ".into() } else { l.clone() } })
        .collect();
    let (_, so) = run.array("path_sector_omega.npy")?;
    let (_, zero) = run.array("path_zero_modes.npy")?;
    let line = |s: usize, b: usize| -> Vec<f64> { (0..npts).map(|p| so[(p * 5 + s) * 2 + b]).collect() };
    // ±2 are degenerate in every reference model: one line when they agree
    let same = (0..2).all(|b| {
        line(0, b)
            .iter()
            .zip(line(1, b))
            .all(|(p, m)| (p.is_nan() && m.is_nan()) || (p - m).abs() <= 1e-9 * p.abs().max(1.0))
    });
    let mut fig = Figure::new(format!("{}: ω(k) by helicity", v.model), "momentum along Γ-X-M-R-Γ", "ω");
    fig.x_ticks = ticks.clone();
    fig.note = format!(
        "U = {}, J = {}; ħ = 1, lattice units; grey dashed: zero modes; at Γ all six modes sit at ω = 0",
        v.u, v.j
    );
    for (s, (col, name)) in SECTORS.iter().enumerate() {
        if same && s == 1 {
            continue;
        }
        let name = if same && s == 0 { "helicity ±2" } else { name };
        for b in 0..2 {
            let y = line(s, b);
            if y.iter().any(|w| w.is_finite() && *w > 0.0) {
                // gravitons drawn thick underneath, so a degenerate helicity-0 branch (xu) stays visible
                fig.layers.push(Layer::Line {
                    label: (b == 0).then(|| name.to_string()),
                    x: x.clone(),
                    y,
                    color: Some(col.to_string()),
                    dashed: s == 4,
                    width: if s < 2 { 6 } else { 2 },
                });
            }
        }
    }
    fig = fig.line("zero modes", x.clone(), zero, "#777777", true);

    let (_, wts) = run.array("path_weights.npy")?;
    let mut wfig = Figure::new(
        format!("{}: helicity-2 weight of each branch", v.model),
        "momentum along Γ-X-M-R-Γ",
        "|m| = 2 weight",
    );
    wfig.x_ticks = ticks;
    wfig.y_range = Some([-0.05, 1.05]);
    wfig.note =
        "‖Λ⁽²⁾v‖²/‖v‖², whole space diagonalized without the helicity basis; degenerate branches share their average"
            .into();
    let series: Vec<Vec<f64>> = (0..6).map(|b| (0..npts).map(|p| wts[(p * 6 + b) * 3]).collect()).collect();
    let equal = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(p, q)| (p.is_nan() && q.is_nan()) || (p - q).abs() < 1e-9);
    let (mut b, mut colour) = (0, 0);
    while b < 6 {
        let mut e = b + 1;
        while e < 6 && equal(&series[b], &series[e]) {
            e += 1;
        }
        let label =
            if e - b == 1 { format!("branch {} (by ω)", b + 1) } else { format!("branches {}-{} (by ω)", b + 1, e) };
        wfig = wfig.line(&label, x.clone(), series[b].clone(), &format!("C{colour}"), false);
        colour += 1;
        b = e;
    }
    Ok(vec![
        NamedFigure::new("dispersion", "ω(k) along Γ-X-M-R-Γ, coloured by helicity", fig),
        NamedFigure::new("helicity_weights", "weight of helicity ±2 in each branch along Γ-X-M-R-Γ", wfig),
    ])
}
