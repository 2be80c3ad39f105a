//! Figures of `ether statistics`: the three hops of the exchange test at one vertex (both
//! orderings), the two-charge spectrum against free fermions and hard-core bosons, and the
//! anyons' exchange phases on the unit circle. Drawn from the run's `result.json` and arrays.

use super::NamedFigure;
use crate::run::RunData;
use crate::{Figure, Layer, PlotError};
use serde::Deserialize;

#[derive(Deserialize)]
struct Picture {
    sites: [[f64; 3]; 4],
    twist_links: Vec<[f64; 6]>,
}

#[derive(Deserialize)]
struct Spectrum {
    cluster: String,
}

#[derive(Deserialize)]
struct Particle {
    name: String,
    exchange_phase: [f64; 2],
}

/// The parts of the record the figures read (rotor or anyon models).
#[derive(Deserialize)]
struct View {
    model: String,
    #[serde(default)]
    exchange_sign: Option<i8>,
    #[serde(default)]
    exchange_picture: Option<Picture>,
    #[serde(default)]
    spectrum: Option<Spectrum>,
    #[serde(default)]
    particles: Option<Vec<Particle>>,
}

/// The figures of an `ether statistics` run.
pub fn figures(run: &RunData) -> Result<Vec<NamedFigure>, PlotError> {
    let v: View = run.result_as()?;
    let mut out = Vec::new();
    if let (Some(p), Some(sign)) = (&v.exchange_picture, v.exchange_sign) {
        out.push(NamedFigure::new(
            "exchange_paths",
            "the three hops of the exchange test at one vertex, both orderings",
            exchange(&v.model, sign, p),
        ));
    }
    if let Some(s) = &v.spectrum {
        out.push(NamedFigure::new(
            "two_charge_spectrum",
            "two-charge levels vs free fermions and hard-core bosons",
            spectrum(run, &v.model, s)?,
        ));
    }
    if let Some(ps) = &v.particles {
        out.push(NamedFigure::new(
            "exchange_phases",
            "exchange phases of the anyons on the unit circle",
            phases(&v.model, ps),
        ));
    }
    Ok(out)
}

/// One drawn hop: from, to, label.
type Move = ((f64, f64), (f64, f64), &'static str);

fn exchange(model: &str, sign: i8, pic: &Picture) -> Figure {
    let proj = |p: [f64; 3]| (p[0] + 0.35 * p[2], p[1] + 0.25 * p[2]);
    let offsets = [(0.0, "t_sl t_js t_sk"), (3.6, "t_sk t_js t_sl")];
    let mut fig = Figure::new(
        format!("Exchange test ({model}): t_sl t_js t_sk = ({sign:+}) t_sk t_js t_sl"),
        "x + 0.35 z",
        "y + 0.25 z",
    );
    fig.equal_aspect = true;
    fig.note = if pic.twist_links.is_empty() {
        "left: k to s, s to j, l to s; right: l to s first; plain hops L+- (no twist sets)".into()
    } else {
        "left: k to s, s to j, l to s; right: l to s first; orange: links whose parity the hops read".into()
    };
    let mut grid = Vec::new();
    for x in -1..=1 {
        for y in -1..=1 {
            for z in -1..=1 {
                for a in 0..3 {
                    let p = [x as f64, y as f64, z as f64];
                    let mut q = p;
                    q[a] += 1.0;
                    if q[a] <= 1.0 {
                        let ((x0, y0), (x1, y1)) = (proj(p), proj(q));
                        for (dx, _) in offsets {
                            grid.push([x0 + dx, y0, x1 + dx, y1]);
                        }
                    }
                }
            }
        }
    }
    fig.layers.push(Layer::Segments {
        label: Some("cubic lattice".into()),
        segments: grid,
        color: Some("#cccccc".into()),
        width: 1,
    });
    let mut tsegs = Vec::new();
    for l in &pic.twist_links {
        let ((x0, y0), (x1, y1)) = (proj([l[0], l[1], l[2]]), proj([l[3], l[4], l[5]]));
        if [x0, y0, x1, y1].iter().all(|v| v.abs() <= 2.5) {
            for (dx, _) in offsets {
                tsegs.push([x0 + dx, y0, x1 + dx, y1]);
            }
        }
    }
    if !tsegs.is_empty() {
        fig.layers.push(Layer::Segments {
            label: Some("twist sets T(l)".into()),
            segments: tsegs,
            color: Some("#f4a460".into()),
            width: 2,
        });
    }
    let [ps, pj, pk, pl] = pic.sites.map(proj);
    let colors = ["#1f77b4", "#d62728", "#2ca02c"];
    for (ci, (dx, label)) in offsets.iter().enumerate() {
        let moves: [Move; 3] = if ci == 0 {
            [(pk, ps, "1: k to s"), (ps, pj, "2: s to j"), (pl, ps, "3: l to s")]
        } else {
            [(pl, ps, "1: l to s"), (ps, pj, "2: s to j"), (pk, ps, "3: k to s")]
        };
        for (mi, (a, b, txt)) in moves.iter().enumerate() {
            let shrink = 0.12;
            let (ax, ay) = (a.0 + dx + shrink * (b.0 - a.0), a.1 + shrink * (b.1 - a.1));
            let (ddx, ddy) = ((1.0 - 2.0 * shrink) * (b.0 - a.0), (1.0 - 2.0 * shrink) * (b.1 - a.1));
            fig.layers.push(Layer::Arrows {
                label: if ci == 0 { Some(format!("hop {}", mi + 1)) } else { None },
                x: vec![ax],
                y: vec![ay],
                dx: vec![ddx],
                dy: vec![ddy],
                color: Some(colors[mi].into()),
            });
            let len = (ddx * ddx + ddy * ddy).sqrt().max(1e-9);
            fig.layers.push(Layer::Text {
                x: ax + 0.5 * ddx - 0.2 * ddy / len - 0.25,
                y: ay + 0.5 * ddy + 0.2 * ddx / len + 0.05,
                text: txt.to_string(),
                color: Some(colors[mi].into()),
            });
        }
        fig.layers.push(Layer::Text { x: dx - 0.9, y: -1.55, text: label.to_string(), color: None });
        let pts = [ps, pj, pk, pl];
        fig.layers.push(Layer::Points {
            label: if ci == 0 { Some("s, j, k, l".into()) } else { None },
            x: pts.iter().map(|p| p.0 + dx).collect(),
            y: pts.iter().map(|p| p.1).collect(),
            color: Some("#000000".into()),
            size: 5,
        });
        for (p, n) in pts.iter().zip(["s", "j", "k", "l"]) {
            fig.layers.push(Layer::Text { x: p.0 + dx - 0.22, y: p.1 - 0.22, text: n.into(), color: None });
        }
    }
    fig
}

fn spectrum(run: &RunData, model: &str, s: &Spectrum) -> Result<Figure, PlotError> {
    let (shape, v) = run.array("two_charge_levels.npy")?;
    if shape.len() != 2 || shape[0] != 3 {
        return Err(PlotError::Read {
            path: run.dir().join("two_charge_levels.npy").display().to_string(),
            reason: "expected 3 spectra (gauge, fermions, bosons) by level".into(),
        });
    }
    let n = shape[1];
    let idx: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let twist = if model == "rotor" { "Untwisted" } else { "Twisted" };
    Ok(Figure::new(
        format!("Two charges on the {} ({twist} Z2 model), flux-free sector", s.cluster),
        "level index",
        "energy / t",
    )
    .line("two free fermions", idx.clone(), v[n..2 * n].to_vec(), "C0", false)
    .line("two hard-core bosons", idx.clone(), v[2 * n..].to_vec(), "C1", true)
    .points("gauge model (exact)", idx, v[..n].to_vec(), "#000000"))
}

fn phases(model: &str, ps: &[Particle]) -> Figure {
    let n = 181;
    let t = |i: usize| i as f64 * 2.0 * std::f64::consts::PI / (n - 1) as f64;
    let cx: Vec<f64> = (0..n).map(|i| t(i).cos()).collect();
    let cy: Vec<f64> = (0..n).map(|i| t(i).sin()).collect();
    let mut fig = Figure::new(format!("Exchange phases e^(i Theta) of the {model} anyons"), "Re", "Im").line(
        "unit circle",
        cx,
        cy,
        "#bbbbbb",
        true,
    );
    fig.equal_aspect = true;
    for (i, p) in ps.iter().enumerate() {
        let c = format!("C{}", i % 10);
        fig = fig.points(&p.name, vec![p.exchange_phase[0]], vec![p.exchange_phase[1]], &c);
        fig.layers.push(Layer::Text {
            x: p.exchange_phase[0] * 1.15 - 0.05,
            y: p.exchange_phase[1] * 1.15 + 0.06 * (i as f64 - 1.5),
            text: p.name.clone(),
            color: Some(c),
        });
    }
    fig
}
