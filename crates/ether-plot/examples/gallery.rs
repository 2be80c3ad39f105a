//! One figure of every kind the engine draws, for looking at: lines with a legend and a note,
//! Monte Carlo points with error bars, a logarithmic S(k, ω) map on a momentum path with a
//! dispersion on top, a linear map with missing cells, an equal-aspect lattice picture, and axes
//! with tiny and sign-changing numbers.
//!
//! `cargo run --release -p ether-plot --example gallery -- DIR` writes DIR/NAME.png and .svg.

use ether_plot::{render, Figure, Heatmap, Layer, Tick};
use std::f64::consts::PI;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "ether-plot-gallery".into()));
    std::fs::create_dir_all(&dir)?;
    let k: Vec<f64> = (0..=100).map(|i| i as f64 * PI / 100.0).collect();

    // 1. lines, dashed reference, markers, a long title and a note
    let ferro: Vec<f64> = k.iter().map(|k| 2.0 * (1.0 - k.cos())).collect();
    let afm: Vec<f64> = k.iter().map(|k| 2.0 * k.sin().abs()).collect();
    let fig = Figure::new(
        "Spin waves of the Heisenberg chain: the ferromagnet disperses as ω ~ k², the antiferromagnet as ω ~ k",
        "k (rad per lattice spacing)",
        "ω / J",
    )
    .with_note("linear spin-wave theory, S = 1/2, 64 sites; dashed: small-k laws")
    .line("ferromagnet", k.clone(), ferro, "C0", false)
    .line("antiferromagnet", k.clone(), afm, "C1", false)
    .line("k²", k.clone(), k.iter().map(|k| k * k).collect(), "C0", true)
    .line("2k", k.clone(), k.iter().map(|k| 2.0 * k).collect(), "C1", true)
    .points("ED levels", vec![0.5, 1.0, 1.5], vec![0.24, 0.92, 1.86], "C2");
    render(&Figure { y_range: Some([0.0, 4.2]), ..fig }, &dir.join("lines"))?;

    // 2. Monte Carlo points with error bars
    let beta: Vec<f64> = (0..12).map(|i| 0.6 + 0.08 * i as f64).collect();
    let plaq: Vec<f64> = beta.iter().map(|b| 1.0 - 0.5 / (1.0 + (4.0 * (b - 1.0)).exp()) - 0.3 / b).collect();
    let err: Vec<f64> =
        beta.iter().enumerate().map(|(i, _)| 0.004 + 0.01 * ((i as f64 - 5.0).abs() < 2.0) as u8 as f64).collect();
    let mono: Vec<f64> = beta.iter().map(|b| 0.35 / (1.0 + (8.0 * (b - 1.0)).exp())).collect();
    let merr: Vec<f64> = mono.iter().map(|m| 0.02 * m + 0.002).collect();
    let mut fig = Figure::new("Compact U(1) on 4⁴: plaquette and monopole density", "β", "⟨cos θ_p⟩, ρ_mono")
        .with_note("hot starts; error bars: one standard error (binned jackknife)")
        .error_bars("plaquette", beta.clone(), plaq, err, "C0")
        .error_bars("monopole density", beta.clone(), mono, merr, "C3");
    fig.layers.push(Layer::Line {
        label: Some("β_c = 1.0111".into()),
        x: vec![1.0111, 1.0111],
        y: vec![0.0, 1.0],
        color: Some("gray".into()),
        dashed: true,
        width: 2,
    });
    render(&fig, &dir.join("error_bars"))?;

    // 3. log S(k, ω) on Γ-X-M-Γ with a dispersion on top
    let nk = 120;
    let nw = 90;
    let path: Vec<f64> = (0..nk).map(|i| i as f64 * 3.0 / (nk - 1) as f64).collect();
    let w: Vec<f64> = (0..nw).map(|i| 0.05 + i as f64 * 4.0 / nw as f64).collect();
    let disp = |s: f64| 2.0 * (PI * s / 3.0 * 2.0).sin().abs() + 0.1;
    let mut z = Vec::with_capacity(nk * nw);
    for &om in &w {
        for &s in &path {
            let d = disp(s);
            z.push(1.0 / (1.0 + ((om - d) / 0.05).powi(2)) + 1e-5);
        }
    }
    let mut fig = Figure::new("S(k, ω) of the square-lattice antiferromagnet, classical dynamics", "", "ω / J");
    fig.heatmap = Some(Heatmap { x: path.clone(), y: w, z, log_scale: true, label: "S(k, ω) [1/J]".into() });
    fig.x_ticks =
        ["Γ", "X", "M", "Γ"].iter().enumerate().map(|(i, l)| Tick { at: i as f64, label: l.to_string() }).collect();
    fig = fig.line("LSWT", path.clone(), path.iter().map(|&s| disp(s)).collect(), "white", true);
    render(&fig, &dir.join("skw_log"))?;

    // 4. linear map with missing cells, negative values
    let n = 24;
    let xs: Vec<f64> = (0..n).map(|i| -PI + 2.0 * PI * i as f64 / n as f64).collect();
    let mut z = Vec::new();
    for (iy, &y) in xs.iter().enumerate() {
        for (ix, &x) in xs.iter().enumerate() {
            z.push(if (ix + iy) % 17 == 0 { f64::NAN } else { (x.cos() + y.cos()) * 0.01 });
        }
    }
    let mut fig = Figure::new("Flux correlator G(k) in the kx-ky plane", "kx", "ky").with_note("grey: no data");
    fig.heatmap = Some(Heatmap { x: xs.clone(), y: xs, z, log_scale: false, label: "G(k)".into() });
    fig.equal_aspect = true;
    render(&fig, &dir.join("map_linear"))?;

    // 5. an equal-aspect lattice picture: bonds, arrows, text
    let mut segs = Vec::new();
    for i in 0..4 {
        for j in 0..4 {
            let (x, y) = (i as f64, j as f64);
            if i < 3 {
                segs.push([x, y, x + 1.0, y]);
            }
            if j < 3 {
                segs.push([x, y, x, y + 1.0]);
            }
        }
    }
    let mut fig = Figure::new("String operator on a 4x4 patch", "x", "y");
    fig.layers.push(Layer::Segments {
        label: Some("bonds".into()),
        segments: segs,
        color: Some("#b0b0b0".into()),
        width: 1,
    });
    fig.layers.push(Layer::Arrows {
        label: Some("string".into()),
        x: vec![0.0, 1.0, 2.0],
        y: vec![0.0, 0.0, 0.0],
        dx: vec![1.0, 1.0, 0.0],
        dy: vec![0.0, 0.0, 1.0],
        color: Some("C3".into()),
    });
    fig.layers.push(Layer::Text { x: 0.1, y: -0.1, text: "a".into(), color: None });
    fig.layers.push(Layer::Text { x: 2.1, y: 0.9, text: "b".into(), color: None });
    fig.equal_aspect = true;
    render(&fig, &dir.join("lattice"))?;

    // 6. tiny and sign-changing numbers
    let t: Vec<f64> = (0..200).map(|i| i as f64 * 0.05).collect();
    let drift: Vec<f64> = t.iter().map(|t| 3e-5 * (t * 1.3).sin() * (-t / 8.0).exp()).collect();
    let fig = Figure::new("Energy drift of the midpoint integrator", "t / J⁻¹", "(E(t) − E(0)) / E(0)").line(
        "dt = 0.025",
        t,
        drift,
        "C0",
        false,
    );
    render(&fig, &dir.join("tiny"))?;
    println!("wrote {}", dir.display());
    Ok(())
}
