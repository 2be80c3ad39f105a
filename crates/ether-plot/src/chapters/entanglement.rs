//! Figures of `ether entanglement`: the regions of the construction on the lattice, and γ(h) of
//! the toric code in a field, one curve per torus. Drawn from the run's `result.json` and arrays.

use super::NamedFigure;
use crate::run::RunData;
use crate::{Figure, Layer, PlotError};
use serde::Deserialize;

const LN_2: f64 = std::f64::consts::LN_2;

#[derive(Deserialize)]
struct RegionEntry {
    region: String,
}

#[derive(Deserialize)]
struct SizeEntry {
    lattice: String,
}

#[derive(Deserialize)]
struct TransitionEntry {
    h_c: f64,
}

/// The parts of the record the figures read.
#[derive(Deserialize)]
struct View {
    model: String,
    lattice: String,
    construction: String,
    combination: Vec<RegionEntry>,
    regions: serde_json::Value,
    #[serde(default)]
    sizes: Option<Vec<SizeEntry>>,
    #[serde(default)]
    transition: Option<TransitionEntry>,
}

/// The figures of an `ether entanglement` run.
pub fn figures(run: &RunData) -> Result<Vec<NamedFigure>, PlotError> {
    let v: View = run.result_as()?;
    let mut out = Vec::new();
    if run.has("region_positions.npy") {
        out.push(NamedFigure::new("regions", "the regions of the construction on the lattice", regions(run, &v)?));
    }
    if run.has("gamma_vs_field.npy") {
        out.push(NamedFigure::new(
            "gamma_vs_field",
            "gamma against the field h (exact diagonalization), one curve per torus",
            gamma_vs_field(run, &v)?,
        ));
    }
    Ok(out)
}

fn bad(run: &RunData, file: &str, why: &str) -> PlotError {
    PlotError::Read { path: run.dir().join(file).display().to_string(), reason: why.to_string() }
}

/// A group of qubits in the region picture: label, colour, membership test.
type Group<'a> = (&'static str, &'static str, Box<dyn Fn(usize) -> bool + 'a>);

fn regions(run: &RunData, v: &View) -> Result<Figure, PlotError> {
    let (ps, pos) = run.array("region_positions.npy")?;
    let (ms, member) = run.array("region_membership.npy")?;
    if ps.len() != 2 || ps[1] != 3 || ms.len() != 2 || ms[1] != ps[0] || ms[0] != v.combination.len() {
        return Err(bad(run, "region_membership.npy", "shapes do not match the record's regions"));
    }
    let n = ps[0];
    let row = |name: &str| v.combination.iter().position(|r| r.region == name);
    let has = |name: &str, q: usize| row(name).is_some_and(|k| member[k * n + q] > 0.5);
    // Groups for the picture: (label, colour, membership test).
    let groups: Vec<Group> = if v.construction == "levin-wen" {
        vec![
            ("A4 (annulus cut at both)", "C0", Box::new(|q| has("A4", q))),
            ("bottom cut (in A1, A3)", "C1", Box::new(|q| has("A1", q) && !has("A2", q))),
            ("top cut (in A1, A2)", "C2", Box::new(|q| has("A1", q) && !has("A3", q))),
        ]
    } else {
        vec![
            ("A", "C0", Box::new(|q| has("A", q))),
            ("B", "C1", Box::new(|q| has("B", q))),
            ("C", "C2", Box::new(|q| has("C", q))),
        ]
    };
    let mut pts: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); groups.len() + 1];
    for q in 0..n {
        let k = groups.iter().position(|g| (g.2)(q)).unwrap_or(groups.len());
        pts[k].0.push(pos[3 * q]);
        pts[k].1.push(pos[3 * q + 1]);
    }
    let title = format!("{} regions on {} ({})", v.construction, v.lattice, v.model);
    let mut fig = Figure::new(title, "x (lattice spacings)", "y");
    fig.equal_aspect = true;
    if run.has("region_edges.npy") {
        let (es, e) = run.array("region_edges.npy")?;
        if es != [n, 4] {
            return Err(bad(run, "region_edges.npy", "expected one segment per qubit"));
        }
        let segs = (0..n)
            .map(|q| [e[4 * q], e[4 * q + 1], e[4 * q + 2], e[4 * q + 3]])
            .filter(|s| (s[2] - s[0]).abs() + (s[3] - s[1]).abs() > 1e-9)
            .collect();
        fig.layers.push(Layer::Segments { label: None, segments: segs, color: Some("#b0b0b0".into()), width: 1 });
    }
    let (rx, ry) = pts.pop().unwrap_or_default();
    fig.layers.push(Layer::Points {
        label: Some("D (rest)".into()),
        x: rx,
        y: ry,
        color: Some("#c8c8c8".into()),
        size: 2,
    });
    for ((name, color, _), (x, y)) in groups.iter().zip(pts) {
        fig.layers.push(Layer::Points { label: Some((*name).into()), x, y, color: Some((*color).into()), size: 4 });
    }
    if v.model == "toric-code-3d" || v.lattice.matches('x').count() == 2 {
        fig.note = "3D: the lattice plane half a spacing below the centre of the ball".into();
    }
    let _ = &v.regions;
    Ok(fig)
}

fn gamma_vs_field(run: &RunData, v: &View) -> Result<Figure, PlotError> {
    let (gs, g) = run.array("gamma_vs_field.npy")?;
    let (_, h) = run.array("field_h.npy")?;
    let names: Vec<String> = v.sizes.iter().flatten().map(|s| s.lattice.clone()).collect();
    if gs.len() != 2 || gs[1] != h.len() || gs[0] != names.len() || h.is_empty() {
        return Err(bad(run, "gamma_vs_field.npy", "shape does not match the field axis and the tori of the record"));
    }
    let (h0, h1) = (h[0], h[h.len() - 1]);
    let mut fig =
        Figure::new("Toric code in a field: gamma(h) by exact diagonalization", "field h / J_e", "gamma / ln 2");
    for (t, name) in names.iter().enumerate() {
        let y: Vec<f64> = g[t * h.len()..(t + 1) * h.len()].iter().map(|x| x / LN_2).collect();
        let c = format!("C{}", t % 10);
        fig = fig.line(&format!("{name} torus"), h.clone(), y.clone(), &c, false).points("", h.clone(), y, &c);
    }
    fig = fig.line("toric code: ln 2", vec![h0, h1], vec![1.0, 1.0], "#2ca02c", true).line(
        "product state: 0",
        vec![h0, h1],
        vec![0.0, 0.0],
        "#7f7f7f",
        true,
    );
    if let Some(t) = &v.transition {
        fig = fig.line(
            &format!("h_c = {:.4} (duality to the 2D TFIM)", t.h_c),
            vec![t.h_c, t.h_c],
            vec![-0.05, 1.1],
            "#d62728",
            true,
        );
    }
    fig.note = "Kitaev-Preskill regions of radius 1.5; on tori this small the drop is a crossover".into();
    Ok(fig)
}
