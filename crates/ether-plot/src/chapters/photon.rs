//! The figures of `ether photon`, from its run directory alone.

use super::NamedFigure;
use crate::run::RunData;
use crate::{Figure, Heatmap, Layer, PlotError, Tick};
use serde::Deserialize;

#[derive(Deserialize)]
struct Head {
    method: String,
    lattice: String,
    couplings: [f64; 3],
}

#[derive(Deserialize)]
struct ModesView {
    path: PathView,
    speed_of_light_expected: f64,
}

#[derive(Deserialize)]
struct PathView {
    labels: Vec<(usize, String)>,
}

#[derive(Deserialize)]
struct PeakView {
    k_index: usize,
    omega: f64,
}

#[derive(Deserialize)]
struct GridPathView {
    k_index: Vec<usize>,
    distance: Vec<f64>,
    labels: Vec<(usize, String)>,
}

#[derive(Deserialize)]
struct DynamicsView {
    temperature: f64,
    dt: f64,
    peaks: Vec<PeakView>,
    grid_path: GridPathView,
    static_charges: Vec<(usize, f64)>,
    vacuum_energy: f64,
    linear_omega_path: Vec<f64>,
}

fn ticks(distance: &[f64], labels: &[(usize, String)]) -> Vec<Tick> {
    labels
        .iter()
        .filter(|(i, _)| *i < distance.len())
        .map(|(i, s)| Tick { at: distance[*i], label: if s == "G" { "Γ".into() } else { s.clone() } })
        .collect()
}

fn extents(lattice: &str) -> Result<[usize; 3], PlotError> {
    let e: Vec<usize> = lattice.split('x').filter_map(|x| x.trim().parse().ok()).collect();
    if e.len() != 3 {
        return Err(PlotError::Read {
            path: "result.json".into(),
            reason: format!("lattice '{lattice}' is not LxLxL"),
        });
    }
    Ok([e[0], e[1], e[2]])
}

/// The figures of a photon run.
pub fn figures(run: &RunData) -> Result<Vec<NamedFigure>, PlotError> {
    let head: Head = run.result_as()?;
    match head.method.as_str() {
        "modes" => modes(run, &head),
        _ => dynamics(run, &head),
    }
}

fn modes(run: &RunData, head: &Head) -> Result<Vec<NamedFigure>, PlotError> {
    let v: ModesView = run.result_as()?;
    let (_, x) = run.array("path_distance.npy")?;
    let (shape, w) = run.array("branches.npy")?;
    let cols = shape.get(1).copied().unwrap_or(3);
    let col = |c: usize| -> Vec<f64> { (0..shape[0]).map(|i| w[i * cols + c]).collect() };
    let [u, g, j] = head.couplings;
    let mut fig = Figure::new(format!("Rotor model {}: linearized modes", head.lattice), "momentum path", "ω")
        .line("helicity +1 (transverse photon)", x.clone(), col(0), "C0", false)
        .line("helicity −1 (transverse photon)", x.clone(), col(1), "C3", true)
        .line("helicity 0 (longitudinal: ω = 0, no wave)", x.clone(), col(2), "C2", false);
    fig.x_ticks = ticks(&x, &v.path.labels);
    fig.note = format!(
        "U = {u}, g = {g}, J = {j}; ω_T = 2√(gJ)|K| = {:.4}|K| (twice, U drops out); ω_L = 0",
        v.speed_of_light_expected
    );
    Ok(vec![NamedFigure::new("branches", "the three linearized branches along Γ-X-M-R-Γ with helicity labels", fig)])
}

fn dynamics(run: &RunData, head: &Head) -> Result<Vec<NamedFigure>, PlotError> {
    let v: DynamicsView = run.result_as()?;
    let (_, omega) = run.array("omega.npy")?;
    let (shape, skw) = run.array("skw_electric.npy")?;
    let (n, nt) = (shape[1], shape[2]);
    let path = &v.grid_path;
    let [_, g, j] = head.couplings;
    let wmax = 4.0 * 3f64.sqrt() * (g * j).sqrt() * 1.1;
    let js: Vec<usize> = (0..=nt / 2).filter(|&jj| omega[jj] <= wmax).collect();
    let ys: Vec<f64> = js.iter().map(|&jj| omega[jj]).collect();
    let mut z = vec![0.0; ys.len() * path.k_index.len()];
    for (ix, &k) in path.k_index.iter().enumerate() {
        for (iy, &jj) in js.iter().enumerate() {
            z[iy * path.k_index.len() + ix] = skw[k * nt + jj];
        }
    }
    let _ = n;
    let mut sk = Figure::new(
        format!("S(k,ω) of transverse E, rotor model {} (T = {}, nonlinear dynamics)", head.lattice, v.temperature),
        "momentum path",
        "ω",
    );
    sk.heatmap =
        Some(Heatmap { x: path.distance.clone(), y: ys, z, log_scale: true, label: "S_T(k,ω) of E (log)".into() });
    sk = sk.line("linearized photon ω_T (modes)", path.distance.clone(), v.linear_omega_path.clone(), "#ffffff", true);
    let (mut px, mut py) = (Vec::new(), Vec::new());
    for (ix, &k) in path.k_index.iter().enumerate() {
        if let Some(p) = v.peaks.iter().find(|p| p.k_index == k) {
            px.push(path.distance[ix]);
            py.push(p.omega);
        }
    }
    sk = sk.points("peaks of S(k,ω)", px, py, "C1");
    sk.x_ticks = ticks(&path.distance, &path.labels);
    sk.note = "longitudinal E: all weight at ω = 0 (static)".into();

    let (_, time) = run.array("time.npy")?;
    let (_, energy) = run.array("monitor_energy.npy")?;
    let (_, gauss) = run.array("monitor_gauss_law.npy")?;
    let e0 = energy.first().copied().unwrap_or(0.0);
    let exc = (e0 - v.vacuum_energy).abs().max(f64::MIN_POSITIVE);
    let rel: Vec<f64> = energy.iter().map(|e| (e - e0) / exc).collect();
    let mut f1 =
        Figure::new(format!("Energy drift of the leapfrog integrator (dt = {:.4})", v.dt), "time t", "ΔE / E_exc")
            .line("relative energy error", time.clone(), rel, "C0", false);
    f1.note = "E_exc = E(0) − E_vacuum; bounded and oscillating (symplectic), amplitude ∝ dt²".into();
    let (_, fe) = run.array("final_E.npy")?;
    let lmax = fe.iter().fold(0.0f64, |a, b| a.max(b.abs())).max(1e-300);
    let gmax = gauss.iter().copied().fold(0.0f64, f64::max);
    let e = if gmax > 0.0 { gmax.log10().floor() as i32 } else { 0 };
    let unit = 10f64.powi(e);
    let gs: Vec<f64> = gauss.iter().map(|x| x / unit).collect();
    let mut f2 = Figure::new("Gauss's law: max over sites of |Q(t) − Q(0)|", "time t", format!("max|ΔQ| / 1e{e}"))
        .line("Gauss-law violation (rounding only)", time, gs, "C3", false);
    f2.note = format!("max |L| = {lmax:.3}: the violation is at the level of floating-point rounding");
    let ext = extents(&head.lattice)?;
    let (_, me) = run.array("mean_E.npy")?;
    let charges = (!v.static_charges.is_empty()).then_some(v.static_charges.as_slice());
    let f3 = field_lines(ext, &fe, charges, "snapshot at the end of the run");
    let f4 = field_lines(ext, &me, charges, "time average over the run");
    Ok(vec![
        NamedFigure::new(
            "skw",
            "S(k,ω) of the transverse electric field along Γ-X-M-R-Γ with the linearized photon branch",
            sk,
        ),
        NamedFigure::new("energy_drift", "relative energy error of the leapfrog integrator against time", f1),
        NamedFigure::new("gauss_law", "max over sites of |Q(t) − Q(0)| against time", f2),
        NamedFigure::new("field_lines", "snapshot of the electric field in a lattice plane", f3),
        NamedFigure::new(
            "field_lines_mean",
            "the electric field averaged over the run: the waves average out, the static Coulomb field stays",
            f4,
        ),
    ])
}

/// The in-plane electric field (component-major `[a * N + r]`, sites x fastest) in the plane
/// z = 1 (with charges) or z = 0.
fn field_lines(ext: [usize; 3], e: &[f64], charges: Option<&[(usize, f64)]>, what: &str) -> Figure {
    let n = ext[0] * ext[1] * ext[2];
    let site = |x: usize, y: usize, z: usize| x + ext[0] * (y + ext[1] * z);
    let z = if charges.is_some() { 1 % ext[2] } else { 0 };
    let (mut xs, mut ys, mut dx, mut dy) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for y in 0..ext[1] {
        for x in 0..ext[0] {
            let r = site(x, y, z);
            // E at the site: the average of the two links on each axis through it
            let ex = 0.5 * (e[r] + e[site((x + ext[0] - 1) % ext[0], y, z)]);
            let ey = 0.5 * (e[n + r] + e[n + site(x, (y + ext[1] - 1) % ext[1], z)]);
            xs.push(x as f64);
            ys.push(y as f64);
            dx.push(ex);
            dy.push(ey);
        }
    }
    let m = dx.iter().zip(&dy).map(|(a, b)| (a * a + b * b).sqrt()).fold(0.0f64, f64::max).max(1e-300);
    // length ∝ |E|^0.4, the longest 0.9 lattice spacings: the weak far field stays visible
    let scale = |a: f64, b: f64| {
        let l = (a * a + b * b).sqrt();
        if l > 0.0 {
            0.9 * (l / m).powf(0.4) / l
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
        for &(r, c) in q {
            let (x, y, zz) = (r % ext[0], (r / ext[0]) % ext[1], r / (ext[0] * ext[1]));
            if zz != z {
                continue;
            }
            if c > 0.0 {
                px.push(x as f64);
                py.push(y as f64);
            } else {
                nx.push(x as f64);
                ny.push(y as f64);
            }
        }
        fig = fig.points("charge +1", px, py, "C3").points("charge −1", nx, ny, "C2");
    }
    fig.equal_aspect = true;
    fig.note = format!("arrow length ∝ |E|^0.4, longest 0.9 (max |E| = {m:.3})");
    fig
}
