//! Figures of `ether phases`, drawn from the run directory's arrays (`*.npy`) and `result.json`:
//! the hysteresis loop, the monopole density, V(R) with its fits, ω(k), the speed of light, the
//! Monte Carlo histories and (rotor model) the energy per site. Every Monte Carlo point carries
//! its error bar.

use super::NamedFigure;
use crate::run::RunData;
use crate::{Figure, Layer, PlotError};
use serde_json::Value;

/// Colours of the series, in order.
const COLORS: [&str; 8] = ["C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7"];

/// A number with the digits it has (no trailing zeros, no "-0").
fn fmt(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x.is_finite() { "0".into() } else { "-".into() };
    }
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// Vertical error bars as segments.
fn error_bars(fig: Figure, x: &[f64], y: &[f64], dy: &[f64], color: &str) -> Figure {
    let segments: Vec<[f64; 4]> = x
        .iter()
        .zip(y)
        .zip(dy)
        .filter(|((a, b), e)| a.is_finite() && b.is_finite() && e.is_finite())
        .map(|((&a, &b), &e)| [a, b - e, a, b + e])
        .collect();
    let mut fig = fig;
    if !segments.is_empty() {
        fig.layers.push(Layer::Segments { label: None, segments, color: Some(color.to_string()), width: 2 });
    }
    fig
}

fn points_with_errors(fig: Figure, label: &str, x: &[f64], y: &[f64], dy: &[f64], color: &str) -> Figure {
    let fig = error_bars(fig, x, y, dy, color);
    fig.points(label, x.to_vec(), y.to_vec(), color)
}

/// The run's grid: coupling values, (τ values in rotor mode), start labels.
struct Grid {
    rotor: bool,
    x: Vec<f64>,
    taus: Vec<f64>,
    starts: Vec<String>,
}

impl Grid {
    fn load(run: &RunData) -> Result<Self, PlotError> {
        let rotor = run.result["mode"] == "rotor";
        let x = if rotor { run.array("g.npy")?.1 } else { run.array("beta.npy")?.1 };
        let taus = if rotor { run.array("tau.npy")?.1 } else { vec![f64::NAN] };
        let starts: Vec<String> = {
            let mut s: Vec<String> = Vec::new();
            if let Some(m) = run.result["measurements"].as_array() {
                for r in m {
                    let st = r["start"].as_str().unwrap_or("").to_string();
                    if !s.contains(&st) {
                        s.push(st);
                    }
                }
            }
            s
        };
        Ok(Grid { rotor, x, taus, starts })
    }

    fn xlabel(&self) -> &'static str {
        if self.rotor {
            "g/J"
        } else {
            "β = 1/e²"
        }
    }

    /// Series (label, index list into the flattened grid) along the coupling axis.
    fn series(&self) -> Vec<(String, Vec<usize>)> {
        let (nt, ns) = (self.taus.len(), self.starts.len());
        let mut out = Vec::new();
        for ti in 0..nt {
            for (si, s) in self.starts.iter().enumerate() {
                let label = if self.rotor && nt > 1 {
                    format!("{s} start, τJ = {}", fmt(self.taus[ti]))
                } else {
                    format!("{s} start")
                };
                out.push((label, (0..self.x.len()).map(|xi| (xi * nt + ti) * ns + si).collect()));
            }
        }
        out
    }
}

fn pick(v: &[f64], idx: &[usize]) -> Vec<f64> {
    idx.iter().map(|&i| v.get(i).copied().unwrap_or(f64::NAN)).collect()
}

/// A name for each point of the run ("β = 0.8, cold").
fn point_names(run: &RunData) -> Vec<String> {
    run.result["measurements"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|r| {
                    let c = if r["beta"].is_number() {
                        format!("β = {}", fmt(num(&r["beta"])))
                    } else {
                        format!("g/J = {}, τJ = {}", fmt(num(&r["g"])), fmt(num(&r["time_step"])))
                    };
                    format!("{c}, {}", r["start"].as_str().unwrap_or(""))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// At most `n` indices spread over `0..len`.
fn spread(len: usize, n: usize) -> Vec<usize> {
    if len <= n {
        return (0..len).collect();
    }
    (0..n).map(|i| i * (len - 1) / (n - 1)).collect()
}

/// The figures of a `phases` run.
pub fn figures(run: &RunData) -> Result<Vec<NamedFigure>, PlotError> {
    let grid = Grid::load(run)?;
    let lattice = run.result["lattice"].as_str().unwrap_or("").to_string();
    let mut out = Vec::new();
    let series = grid.series();
    // 1. plaquette: the hysteresis loop
    let (_, pl) = run.array("plaquette.npy")?;
    let (_, dpl) = run.array("plaquette_error.npy")?;
    let mut fig = Figure::new(format!("Plaquette on {lattice}: hot and cold starts"), grid.xlabel(), "⟨cos Θ_P⟩");
    if !grid.rotor {
        let m = run.result["measurements"].as_array().cloned().unwrap_or_default();
        let xs: Vec<f64> = m.iter().step_by(grid.starts.len().max(1)).map(|r| num(&r["beta"])).collect();
        let strong: Vec<f64> = m.iter().step_by(grid.starts.len().max(1)).map(|r| num(&r["strong_coupling"])).collect();
        let weak: Vec<f64> = m.iter().step_by(grid.starts.len().max(1)).map(|r| num(&r["weak_coupling"])).collect();
        let strong: Vec<f64> = xs.iter().zip(strong).map(|(&b, s)| if b < 0.95 { s } else { f64::NAN }).collect();
        let weak: Vec<f64> = xs.iter().zip(weak).map(|(&b, s)| if b > 1.05 { s } else { f64::NAN }).collect();
        if strong.iter().any(|v| v.is_finite()) {
            fig = fig.line("strong coupling u + 4u⁵", xs.clone(), strong, "C7", true);
        }
        if weak.iter().any(|v| v.is_finite()) {
            fig = fig.line("weak coupling", xs.clone(), weak, "C2", true);
        }
    }
    for (i, (label, idx)) in series.iter().enumerate() {
        fig = points_with_errors(fig, label, &grid.x, &pick(&pl, idx), &pick(&dpl, idx), COLORS[(i + 1) % 8]);
    }
    if let Some(bc) = run.result["beta_c_literature"].as_f64() {
        let ymax = pl.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
        let ymin = pl.iter().copied().filter(|v| v.is_finite()).fold(1.0, f64::min);
        fig = fig.line("β_c (literature)", vec![bc, bc], vec![ymin, ymax], "gray", false);
    }
    if let Some(w) = run.result["transition"]["hysteresis_window"].as_array() {
        let (lo, hi) = (fmt(num(&w[0])), fmt(num(&w[1])));
        fig.note = if lo == hi {
            format!("hot and cold disagree at {} = {lo}", grid.xlabel())
        } else {
            format!("hot and cold disagree for {} in [{lo}, {hi}]", grid.xlabel())
        };
    }
    out.push(NamedFigure::new(
        "plaquette",
        "the plaquette against the coupling for each start (hysteresis loop), with error bars",
        fig,
    ));
    // 2. monopoles
    if run.has("monopole_density.npy") {
        let (_, m) = run.array("monopole_density.npy")?;
        let (_, dm) = run.array("monopole_error.npy")?;
        let mut fig = Figure::new(format!("Monopole density on {lattice}"), grid.xlabel(), "⟨|m|⟩ per 3-cube");
        for (i, (label, idx)) in series.iter().enumerate() {
            fig = points_with_errors(fig, label, &grid.x, &pick(&m, idx), &pick(&dm, idx), COLORS[(i + 1) % 8]);
        }
        out.push(NamedFigure::new(
            "monopoles",
            "DeGrand-Toussaint monopole density against the coupling, with error bars",
            fig,
        ));
    }
    let names = point_names(run);
    // 3. the static potential with its fits
    if run.has("potential.npy") {
        let (shape, v) = run.array("potential.npy")?;
        let (_, dv) = run.array("potential_error.npy")?;
        let (_, v0) = run.array("potential_free_photon.npy")?;
        let (_, r) = run.array("R.npy")?;
        let (_, sig) = run.array("potential_sigma.npy")?;
        let (_, con) = run.array("potential_constant.npy")?;
        let nr = *shape.last().unwrap_or(&0);
        let npts = v.len().checked_div(nr).unwrap_or(0);
        let m = run.result["measurements"].as_array().cloned().unwrap_or_default();
        let unit = m.first().and_then(|x| x["potential"]["unit"].as_str()).unwrap_or("").to_string();
        let mut fig = Figure::new(
            format!("Static potential V(R) on {lattice}"),
            "R (lattice spacings)",
            format!("V(R) ({unit})"),
        );
        for (ci, i) in spread(npts, 6).into_iter().enumerate() {
            let color = COLORS[ci % 8];
            let vi = &v[i * nr..(i + 1) * nr];
            fig = points_with_errors(
                fig,
                names.get(i).map(String::as_str).unwrap_or(""),
                &r,
                vi,
                &dv[i * nr..(i + 1) * nr],
                color,
            );
            let kappa = m.get(i).map(|x| num(&x["potential"]["coulomb_ratio"])).unwrap_or(f64::NAN);
            if kappa.is_finite() && sig[i].is_finite() {
                let fit: Vec<f64> = (0..nr).map(|j| con[i] + sig[i] * r[j] + kappa * v0[i * nr + j]).collect();
                fig = fig.line("", r.clone(), fit, color, true);
            }
        }
        fig.note = "dashed: fit c + σR + κ V₀(R), V₀ the free photon's potential on this lattice".into();
        out.push(NamedFigure::new(
            "potential",
            "V(R) between two static charges with the fits c + σR + κV₀(R), in every phase",
            fig,
        ));
    }
    // 4. the photon: ω(k) with error bars against the free photon
    if run.has("photon_omega.npy") {
        let (shape, w) = run.array("photon_omega.npy")?;
        let (_, dw) = run.array("photon_omega_error.npy")?;
        let (_, kl) = run.array("photon_k_lattice.npy")?;
        let nk = *shape.last().unwrap_or(&0);
        let npts = w.len().checked_div(nk).unwrap_or(0);
        let m = run.result["measurements"].as_array().cloned().unwrap_or_default();
        let unit = m.first().and_then(|x| x["photon"]["unit"].as_str()).unwrap_or("").to_string();
        let c0 = m.first().map(|x| num(&x["photon"]["speed_classical"])).unwrap_or(1.0);
        let mut fig =
            Figure::new(format!("Photon energy ω(k) on {lattice}"), "|K| = 2 sin(k/2)", format!("ω ({unit})"));
        let kmax = kl.iter().copied().fold(0.0, f64::max);
        fig = fig.line(
            &format!("free photon c₀|K|, c₀ = {}", fmt(c0)),
            vec![0.0, kmax],
            vec![0.0, c0 * kmax],
            "gray",
            true,
        );
        for (ci, i) in spread(npts, 6).into_iter().enumerate() {
            fig = points_with_errors(
                fig,
                names.get(i).map(String::as_str).unwrap_or(""),
                &kl,
                &w[i * nk..(i + 1) * nk],
                &dw[i * nk..(i + 1) * nk],
                COLORS[ci % 8],
            );
        }
        fig.note = "gapless photon: ω on the line through 0; gapped: ω stays finite as |K| → 0".into();
        out.push(NamedFigure::new(
            "photon",
            "photon energies ω(k) from cosh fits, with error bars, against the free photon",
            fig,
        ));
        // 5. the speed of light against the coupling
        let (_, c) = run.array("speed_of_light.npy")?;
        let (_, dc) = run.array("speed_of_light_error.npy")?;
        let mut fig = Figure::new(
            format!("Speed of light on {lattice}"),
            grid.xlabel(),
            format!("c = ω(k_min)/|K_min| ({unit} · a)"),
        );
        let classical: Vec<f64> = grid.x.iter().map(|&x| if grid.rotor { 2.0 * x.sqrt() } else { 1.0 }).collect();
        fig = fig.line(
            if grid.rotor { "classical 2√(gJ)" } else { "free photon c = 1" },
            grid.x.clone(),
            classical,
            "gray",
            true,
        );
        for (i, (label, idx)) in series.iter().enumerate() {
            fig = points_with_errors(fig, label, &grid.x, &pick(&c, idx), &pick(&dc, idx), COLORS[(i + 1) % 8]);
        }
        out.push(NamedFigure::new(
            "speed_of_light",
            "the measured speed of light against the coupling, beside its classical value",
            fig,
        ));
    }
    // 6. Monte Carlo histories
    let (shape, h) = run.array("plaquette_history.npy")?;
    let (_, sweeps) = run.array("sweep.npy")?;
    let n = *shape.last().unwrap_or(&0);
    if let Some(npts) = h.len().checked_div(n) {
        let mut fig =
            Figure::new(format!("Monte Carlo histories on {lattice}"), "sweep", "⟨cos Θ_P⟩ of the configuration");
        for (ci, i) in spread(npts, 8).into_iter().enumerate() {
            fig = fig.line(
                names.get(i).map(String::as_str).unwrap_or(""),
                sweeps.clone(),
                h[i * n..(i + 1) * n].to_vec(),
                COLORS[ci % 8],
                false,
            );
        }
        out.push(NamedFigure::new(
            "histories",
            "the plaquette after each measured sweep (thermalization and autocorrelation at a glance)",
            fig,
        ));
    }
    // 7. rotor model: the energy per site
    if run.has("energy_per_site.npy") {
        let (_, e) = run.array("energy_per_site.npy")?;
        let (_, de) = run.array("energy_per_site_error.npy")?;
        let ex = run.result["extrapolated"].as_array().cloned().unwrap_or_default();
        if grid.taus.len() > 1 {
            // E against τ² with the extrapolation
            let mut fig = Figure::new(format!("Energy per site on {lattice}: τ → 0"), "(τJ)²", "E/site (J)");
            let t2: Vec<f64> = grid.taus.iter().map(|t| t * t).collect();
            let (nt, ns) = (grid.taus.len(), grid.starts.len());
            let mut c = 0;
            for xi in 0..grid.x.len() {
                for si in 0..ns {
                    let idx: Vec<usize> = (0..nt).map(|ti| (xi * nt + ti) * ns + si).collect();
                    let color = COLORS[c % 8];
                    let label = format!("g/J = {}, {}", fmt(grid.x[xi]), grid.starts[si]);
                    fig = points_with_errors(fig, &label, &t2, &pick(&e, &idx), &pick(&de, &idx), color);
                    if let Some(x) = ex.iter().find(|x| num(&x["g"]) == grid.x[xi] && x["start"] == grid.starts[si]) {
                        let e0 = num(&x["energy_per_site"]["value"]);
                        let de0 = num(&x["energy_per_site"]["error"]);
                        fig = points_with_errors(fig, "", &[0.0], &[e0], &[de0], color);
                    }
                    c += 1;
                }
            }
            fig.note = "points at τ = 0: the extrapolation E₀ + aτ²".into();
            out.push(NamedFigure::new("energy", "energy per site against τ² and its τ → 0 extrapolation", fig));
        } else {
            let mut fig = Figure::new(format!("Energy per site on {lattice}"), grid.xlabel(), "E/site (J)");
            for (i, (label, idx)) in series.iter().enumerate() {
                fig = points_with_errors(fig, label, &grid.x, &pick(&e, idx), &pick(&de, idx), COLORS[(i + 1) % 8]);
            }
            out.push(NamedFigure::new("energy", "the rotor model's energy per site against g/J", fig));
        }
    }
    Ok(out)
}
