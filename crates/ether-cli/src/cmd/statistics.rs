//! `ether statistics`: are the ends of strings bosons or fermions? (issue 5; rotor note,
//! sections 1.4 and 3; topological-order note, sections C.1 and C.5.)

use crate::common::{usage, Global, Output, OutputArgs};
use crate::demo::DemoContext;
use crate::report::Chapter;
use anyhow::Result;
use ether::model::twisted_rotor::{check_exchange_lattice, Twist, TwistedRotorModel};
use ether::model::ToricCode;
use ether::topo::statistics::anyons::{double_semion, toric_code, AnyonReport};
use ether::topo::statistics::photon::{compare_zero_charge, PhotonComparison};
use ether::topo::statistics::spectrum::{two_charge_spectrum, SpectrumComparison};
use ether::topo::statistics::states::{states_census, StatesCensus};
use ether::topo::statistics::{
    algebra::vertex_commutation_table, consistency_checks, exchange_census, hop_algebra, Check, ExchangeCensus,
    HopAlgebra,
};
use ether::Lattice;
use ether_plot::{Figure, Layer};
use serde::Serialize;
use serde_json::{json, Value};
use std::path::Path;

/// Which model's string ends (or anyons) to examine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelName {
    /// The bosonic rotor model on the cubic lattice (plain plaquette terms B_p).
    Rotor,
    /// The twisted rotor model: B~_p built from hops with the sign (-1)^(sum of L over T(l)).
    RotorFermionic,
    /// Kitaev's toric code on a 2D torus: e, m and their bound state e×m.
    ToricCode,
    /// The double-semion string net (twisted Z2): semion, anti-semion, boson.
    DoubleSemion,
}

/// How to evaluate the exchange statistics of the rotor models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Hops as signed shifts: the exchange identity as an operator identity at every vertex and
    /// every triple of legs, plus the consistency checks (exact, no Hilbert space).
    Algebra,
    /// The same identity on explicit state vectors of truncated spin-S rotors (independent check).
    States,
    /// Two charges hopping in the flux-free sector of the Z2 version on a small open box, against
    /// the exact spectra of two free fermions and two hard-core bosons.
    Spectrum,
}

/// Statistics of string ends: bosons or fermions, and anyons in 2D.
///
/// The charges of the rotor model are the ends of strings. They hop with
/// h_l = L_l^+ (-1)^(sum of L over the twist set T(l)); their exchange phase e^{iΘ} is read off the
/// Levin-Wen identity t_sl t_js t_sk = e^{iΘ} t_sk t_js t_sl at a vertex s with three distinct
/// neighbours j, k, l (+1 bosons, -1 fermions). The command checks it at every vertex and all 20
/// triples of the 6 legs, checks that the twisted model is a consistent model (hops commute with
/// every twisted plaquette, Gauss's law holds, closed-surface products are +1 without charges) and
/// that the twist leaves the photon (the zero-charge sector) untouched.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model: rotor (bosonic string ends), rotor-fermionic (twisted plaquettes), toric-code or
    /// double-semion (2D anyon anchors).
    #[arg(long, value_enum, default_value = "rotor-fermionic")]
    model: ModelName,
    /// Periodic lattice, extents separated by x. Rotor models: three extents, each >= 3 (at extent 2
    /// the neighbours r+e_a and r-e_a coincide and the exchange test is ill-posed); default 3x3x3.
    /// Toric code: two extents >= 3; default 4x4. Not used by double-semion.
    #[arg(long)]
    lattice: Option<String>,
    /// Method for the rotor models: algebra (default), states or spectrum. The anyon models use
    /// their own routes (lattice hop algebra, group cohomology).
    #[arg(long, value_enum, default_value = "algebra")]
    method: Method,
    /// Spin S of each link for --method states (integer; L = S^z runs from -S to S). The test state
    /// carries |L| <= 1 and each hop changes L by one, so S >= 2 is needed.
    #[arg(long, default_value_t = 2)]
    spin: i64,
    /// Open box of vertices (n0xn1xn2, no wrap-around) for --method spectrum: two charges hop on it
    /// in the flux-free sector of the Z2 version. At most 14 independent plaquettes, and it must be
    /// able to tell fermions from bosons (a junction or a loop: not a straight chain). The zero-charge
    /// (photon) comparison always uses the Z2 version on a 3x2x2 box.
    #[arg(long, default_value = "3x2x2")]
    cluster: String,
    /// Seed for the random amplitudes of the test states (--method states).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    out: OutputArgs,
}

/// Parse an open box `n0xn1xn2` (each extent >= 1).
fn parse_cluster(s: &str) -> Result<[usize; 3]> {
    let parts: Vec<Option<usize>> = s.split(['x', 'X']).map(|p| p.trim().parse().ok()).collect();
    match parts.as_slice() {
        [Some(a), Some(b), Some(c)] if *a >= 1 && *b >= 1 && *c >= 1 => Ok([*a, *b, *c]),
        _ => usage(format!("--cluster {s}: give three extents >= 1 separated by x, e.g. 3x2x2")),
    }
}

/// One row of the results table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// What was checked.
    pub check: String,
    /// Measured value.
    pub measured: String,
    /// Expected value and its source.
    pub expected: String,
    /// Verdict.
    pub pass: bool,
}

fn row(check: &str, measured: String, expected: &str, pass: bool) -> Row {
    Row { check: check.into(), measured, expected: expected.into(), pass }
}

/// Everything computed for a rotor model.
#[derive(Debug)]
pub struct RotorResult {
    twist: Twist,
    lattice: Lattice,
    method: Method,
    census: ExchangeCensus,
    checks: Vec<Check>,
    states: Option<StatesCensus>,
    spectrum: Option<SpectrumComparison>,
    photon: PhotonComparison,
    exchange_sign: i8,
    alg: HopAlgebra,
}

/// Tolerance of the spectrum comparisons: the matrices have entries ±1 and dimension <= ~100, so
/// rounding in the dense eigensolver is ~1e-14; 1e-9 leaves room and is far below the ~0.1-1
/// splitting between fermion and boson spectra.
const SPECTRUM_TOL: f64 = 1e-9;

/// Compute everything for the rotor models (no output).
pub fn rotor_compute(
    twist: Twist,
    lattice: &Lattice,
    method: Method,
    spin: i64,
    cluster: [usize; 3],
    seed: u64,
) -> Result<RotorResult> {
    let model = TwistedRotorModel::on(lattice.clone(), twist)?;
    let alg = hop_algebra(&model)?;
    let census = exchange_census(&alg)?;
    let algebra_sign = census.uniform_sign()?;
    let mut checks = consistency_checks(&alg);
    let mut states = None;
    let mut spectrum = None;
    let exchange_sign = match method {
        Method::Algebra => algebra_sign,
        Method::States => {
            let s = states_census(&alg, spin, seed)?;
            let sign = if s.minus == 0 && s.plus > 0 {
                1
            } else if s.plus == 0 && s.minus > 0 {
                -1
            } else {
                anyhow::bail!(
                    "state test: {} triples gave +1 and {} gave -1; the statistics is not well defined",
                    s.plus,
                    s.minus
                )
            };
            // |overlap| = 1 and |A| = |B| to rounding (products of <= 6 square roots): 1e-12
            checks.push(Check {
                name: "states_overlap_is_unimodular".into(),
                description: "|<B|A>|/(|A||B|) = 1 and |A| = |B| on every test state (to 1e-12)".into(),
                cases: s.triples_checked,
                failures: usize::from(s.max_overlap_error > 1e-12 || s.max_norm_mismatch > 1e-12),
                pass: s.max_overlap_error <= 1e-12 && s.max_norm_mismatch <= 1e-12,
            });
            states = Some(s);
            sign
        }
        Method::Spectrum => {
            let s = two_charge_spectrum(cluster, twist)?;
            let sign = match s.verdict(SPECTRUM_TOL) {
                "fermions" => -1,
                "bosons" => 1,
                _ => anyhow::bail!(
                    "two-charge spectrum matches neither free fermions (max deviation {:.3e}) nor hard-core bosons ({:.3e})",
                    s.deviation_from_fermions,
                    s.deviation_from_bosons
                ),
            };
            checks.push(Check {
                name: "free_fermion_cross_check".into(),
                description: "single-particle sums equal the Jordan-Wigner two-particle spectrum (to 1e-9)".into(),
                cases: s.dim,
                failures: usize::from(s.fermion_cross_check > SPECTRUM_TOL),
                pass: s.fermion_cross_check <= SPECTRUM_TOL,
            });
            spectrum = Some(s);
            sign
        }
    };
    if exchange_sign != algebra_sign {
        anyhow::bail!(
            "the {method:?} method gives exchange sign {exchange_sign} but the operator algebra gives {algebra_sign}"
        );
    }
    let photon = compare_zero_charge(PHOTON_BOX, 2, 1.0, 1.5)?;
    checks.push(Check {
        name: "photon_spectrum_unchanged".into(),
        description: format!(
            "twisted and untwisted H = J sum L^2 - g sum (B + B^dag) (Z2, J = 1, g = 1.5) have the same zero-charge \
             spectrum on the {} (to 1e-9) although the twist flips {} of {} matrix elements",
            photon.cluster, photon.changed_matrix_elements, photon.matrix_elements
        ),
        cases: photon.dim,
        failures: usize::from(photon.max_spectrum_difference > SPECTRUM_TOL || photon.w_violations > 0),
        pass: photon.max_spectrum_difference <= SPECTRUM_TOL
            && photon.w_violations == 0
            && photon.changed_matrix_elements > 0,
    });
    checks.push(Check {
        name: "photon_modes_unchanged".into(),
        description: "the linearized modes (quadratic form in the W frame) of both models agree (to 1e-9)".into(),
        cases: photon.omega2_untwisted.len(),
        failures: usize::from(photon.max_mode_difference > SPECTRUM_TOL),
        pass: photon.max_mode_difference <= SPECTRUM_TOL,
    });
    Ok(RotorResult {
        twist,
        lattice: lattice.clone(),
        method,
        census,
        checks,
        states,
        spectrum,
        photon,
        exchange_sign,
        alg,
    })
}

/// The open box of the zero-charge comparison: 3x2x2 (20 links, 2 cubes, 512 zero-charge states
/// of the Z2 version), small enough for dense ED and large enough that the twist changes half of
/// the plaquette matrix elements.
const PHOTON_BOX: [usize; 3] = [3, 2, 2];

fn model_label(t: Twist) -> &'static str {
    match t {
        Twist::Untwisted => "rotor",
        Twist::Twisted => "rotor-fermionic",
    }
}

fn checks_json(checks: &[Check]) -> Value {
    let mut m = serde_json::Map::new();
    for c in checks {
        m.insert(
            c.name.clone(),
            json!({"pass": c.pass, "cases": c.cases, "failures": c.failures, "description": c.description}),
        );
    }
    Value::Object(m)
}

/// The results table of a rotor run.
pub fn rotor_table(r: &RotorResult) -> Vec<Row> {
    let want = r.twist.expected_sign();
    let mut t = vec![row(
        "exchange sign, operator algebra (eq. 3.1 = eq. 3.2)",
        format!(
            "{:+} at {} of {} triples ({} vertices x 20), {} orderings",
            r.exchange_sign,
            if r.exchange_sign > 0 { r.census.plus } else { r.census.minus },
            r.census.triples_checked,
            r.census.vertices,
            r.census.orderings_checked
        ),
        if want < 0 { "-1 everywhere (rotor note 3.4, 7.1)" } else { "+1 everywhere (rotor note 3.4)" },
        r.census.uniform_sign().ok() == Some(want),
    )];
    if let Some(s) = &r.states {
        t.push(row(
            "exchange sign, spin-S state vectors",
            format!(
                "{} +1, {} -1 of {} (S = {}, max ||overlap|-1| = {:.1e})",
                s.plus, s.minus, s.triples_checked, s.spin, s.max_overlap_error
            ),
            "same sign as the algebra (rotor note 3.6 B)",
            (if want < 0 { s.minus } else { s.plus }) == s.triples_checked,
        ));
    }
    if let Some(s) = &r.spectrum {
        t.push(row(
            "two charges, flux-free Z2 sector",
            format!(
                "{}: {} levels; max |dE| vs free fermions {:.1e}, vs hard-core bosons {:.1e}",
                s.cluster, s.dim, s.deviation_from_fermions, s.deviation_from_bosons
            ),
            if want < 0 {
                "equals two free fermions (rotor note 3.6 C)"
            } else {
                "equals two hard-core bosons (3.6 C)"
            },
            s.verdict(SPECTRUM_TOL) == if want < 0 { "fermions" } else { "bosons" },
        ));
    }
    for c in &r.checks {
        t.push(row(&c.name, format!("{} of {} fail", c.failures, c.cases), "0 fail (rotor note 3.4)", c.pass));
    }
    t
}

/// One drawn hop: from, to, label.
type Move = ((f64, f64), (f64, f64), &'static str);

/// The picture of the three hops of the exchange test at one vertex, projected to 2D.
pub fn exchange_figure(r: &RotorResult) -> Figure {
    let alg = &r.alg;
    let cx = &alg.complex;
    let s = 0usize;
    let legs = [0usize, 1, 3]; // j = +x, k = +y, l = -x: a T-junction
    let ext = cx.extents;
    let rel = |v: usize| -> [f64; 3] {
        let mut o = [0.0; 3];
        for a in 0..3 {
            let d = (cx.coords[v][a] as isize - cx.coords[s][a] as isize).rem_euclid(ext[a] as isize);
            o[a] = if d > ext[a] as isize / 2 { (d - ext[a] as isize) as f64 } else { d as f64 };
        }
        o
    };
    let proj = |p: [f64; 3]| (p[0] + 0.35 * p[2], p[1] + 0.25 * p[2]);
    let link_seg = |l: usize| {
        let (t, h, a) = cx.links[l];
        let pt = rel(t);
        let mut ph = pt;
        ph[a] += 1.0;
        let _ = h;
        let (x0, y0) = proj(pt);
        let (x1, y1) = proj(ph);
        [x0, y0, x1, y1]
    };
    let offsets = [(0.0, "t_sl t_js t_sk"), (3.6, "t_sk t_js t_sl")];
    let mut fig = Figure::new(
        format!("Exchange test ({}): t_sl t_js t_sk = ({:+}) t_sk t_js t_sl", model_label(r.twist), r.exchange_sign),
        "x + 0.35 z",
        "y + 0.25 z",
    );
    fig.equal_aspect = true;
    fig.note = if r.twist == Twist::Twisted {
        "left: k to s, s to j, l to s; right: l to s first; orange: links whose parity the hops read".into()
    } else {
        "left: k to s, s to j, l to s; right: l to s first; plain hops L+- (no twist sets)".into()
    };
    // background: links of the 3x3x3 neighbourhood of s
    let mut grid = Vec::new();
    for x in -1..=1 {
        for y in -1..=1 {
            for z in -1..=1 {
                for a in 0..3 {
                    let p = [x as f64, y as f64, z as f64];
                    let mut q = p;
                    q[a] += 1.0;
                    if q[a] <= 1.0 {
                        let (x0, y0) = proj(p);
                        let (x1, y1) = proj(q);
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
    let g = |i: usize| cx.legs[s][i].unwrap_or(ether::lattice::Leg { link: 0, neighbour: 0 });
    let (gj, gk, gl) = (g(legs[0]), g(legs[1]), g(legs[2]));
    let mut tsegs = Vec::new();
    for leg in [gj, gk, gl] {
        for &m in &alg.twist_sets[leg.link] {
            let sg = link_seg(m);
            if sg.iter().all(|v| v.abs() <= 2.5) {
                for (dx, _) in offsets {
                    tsegs.push([sg[0] + dx, sg[1], sg[2] + dx, sg[3]]);
                }
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
    let (ps, pj, pk, pl) = (proj(rel(s)), proj(rel(gj.neighbour)), proj(rel(gk.neighbour)), proj(rel(gl.neighbour)));
    let colors = ["#1f77b4", "#d62728", "#2ca02c"];
    for (ci, (dx, label)) in offsets.iter().enumerate() {
        // order of the hops on each side
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

/// Levels of the two-charge spectrum against free fermions and hard-core bosons.
pub fn spectrum_figure(s: &SpectrumComparison) -> Figure {
    let idx: Vec<f64> = (0..s.dim).map(|i| i as f64).collect();
    Figure::new(
        format!("Two charges on the {} ({:?} Z2 model), flux-free sector", s.cluster, s.twist),
        "level index",
        "energy / t",
    )
    .line("two free fermions", idx.clone(), s.fermions.clone(), "C0", false)
    .line("two hard-core bosons", idx.clone(), s.bosons.clone(), "C1", true)
    .points("gauge model (exact)", idx, s.gauge.clone(), "#000000")
}

/// Anyon exchange phases on the unit circle.
pub fn anyon_figure(r: &AnyonReport) -> Figure {
    let n = 181;
    let cx: Vec<f64> = (0..n).map(|i| (i as f64 * 2.0 * std::f64::consts::PI / (n - 1) as f64).cos()).collect();
    let cy: Vec<f64> = (0..n).map(|i| (i as f64 * 2.0 * std::f64::consts::PI / (n - 1) as f64).sin()).collect();
    let mut fig = Figure::new(format!("Exchange phases e^(i Theta) of the {} anyons", r.model), "Re", "Im").line(
        "unit circle",
        cx,
        cy,
        "#bbbbbb",
        true,
    );
    fig.equal_aspect = true;
    for (i, p) in r.particles.iter().enumerate() {
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

fn rotor_json(r: &RotorResult, table: &[Row]) -> Value {
    let lat = r.lattice.to_string();
    let table_vec = vertex_commutation_table(&r.alg, 0);
    json!({
        "model": model_label(r.twist),
        "lattice": lat,
        "method": format!("{:?}", r.method).to_lowercase(),
        "exchange_sign": r.exchange_sign,
        "triples_checked": r.census.triples_checked,
        "orderings_checked": r.census.orderings_checked,
        "vertices": r.census.vertices,
        "consistency": checks_json(&r.checks),
        "hop_commutation_signs_at_vertex_0": table_vec,
        "legs": ["+x", "+y", "+z", "-x", "-y", "-z"],
        "states": r.states.as_ref().map(|s| json!({
            "spin": s.spin, "required_spin": s.required_spin, "triples_checked": s.triples_checked,
            "plus": s.plus, "minus": s.minus, "max_overlap_error": s.max_overlap_error,
            "max_norm_mismatch": s.max_norm_mismatch})),
        "spectrum": r.spectrum.as_ref().map(|s| json!({
            "cluster": s.cluster, "dim": s.dim, "gauge": s.gauge, "fermions": s.fermions, "bosons": s.bosons,
            "deviation_from_fermions": s.deviation_from_fermions, "deviation_from_bosons": s.deviation_from_bosons,
            "fermion_cross_check": s.fermion_cross_check, "plaquette_loop_signs": s.plaquette_loop_signs})),
        "photon": {
            "cluster": r.photon.cluster, "clock_order": r.photon.n_clock, "J": r.photon.j, "g": r.photon.g,
            "zero_charge_dim": r.photon.dim, "changed_matrix_elements": r.photon.changed_matrix_elements,
            "matrix_elements": r.photon.matrix_elements, "max_spectrum_difference": r.photon.max_spectrum_difference,
            "lowest_untwisted": r.photon.low_untwisted, "lowest_twisted": r.photon.low_twisted,
            "w_violations": r.photon.w_violations, "max_mode_difference": r.photon.max_mode_difference,
        },
        "table": table,
    })
}

fn anyon_json(r: &AnyonReport, lattice: Option<&Lattice>, table: &[Row]) -> Value {
    json!({
        "model": r.model,
        "lattice": lattice.map(|l| l.to_string()),
        "method": "algebra",
        "exchange_sign": Value::Null,
        "triples_checked": r.triples_checked,
        "consistency": checks_json(&r.consistency),
        "particles": r.particles,
        "mutual": r.mutual,
        "table": table,
    })
}

/// Published values (topological-order note C.1, C.5): θ = 1, 1, −1 for e, m, e×m and mutual
/// e-m braiding −1 (toric code); θ_s = i, θ_s̄ = −i, θ_b = 1 (double semion).
pub fn anyon_table(r: &AnyonReport) -> Vec<Row> {
    let expect: &[(&str, [f64; 2])] = if r.model == "toric-code" {
        &[("1", [1.0, 0.0]), ("e", [1.0, 0.0]), ("m", [1.0, 0.0]), ("e×m", [-1.0, 0.0])]
    } else {
        &[("1", [1.0, 0.0]), ("s", [0.0, 1.0]), ("s̄", [0.0, -1.0]), ("b", [1.0, 0.0])]
    };
    let mut t = Vec::new();
    for (name, want) in expect {
        let got = r.particles.iter().find(|p| p.name == *name);
        let pass = got.is_some_and(|p| {
            (p.exchange_phase[0] - want[0]).abs() < 1e-12 && (p.exchange_phase[1] - want[1]).abs() < 1e-12
        });
        t.push(row(
            &format!("exchange phase of {name}"),
            got.map(|p| format!("{:+.3} {:+.3}i", p.exchange_phase[0], p.exchange_phase[1]))
                .unwrap_or("missing".into()),
            &format!(
                "{:+} {:+}i (topological-order note {})",
                want[0],
                want[1],
                if r.model == "toric-code" { "C.1" } else { "C.5" }
            ),
            pass,
        ));
    }
    for m in &r.mutual {
        let want = if r.model == "toric-code" {
            [-1.0, 0.0]
        } else if m.pair[1] == "s̄" {
            [1.0, 0.0]
        } else {
            [-1.0, 0.0]
        };
        t.push(row(
            &format!("braiding {} around {}", m.pair[0], m.pair[1]),
            format!("{:+.3} {:+.3}i ({})", m.phase[0], m.phase[1], m.method),
            &format!("{:+} (mutual semions / theta_xy/(theta_x theta_y))", want[0]),
            (m.phase[0] - want[0]).abs() < 1e-12 && (m.phase[1] - want[1]).abs() < 1e-12,
        ));
    }
    for c in &r.consistency {
        t.push(row(&c.name, format!("{} of {} fail", c.failures, c.cases), "0 fail", c.pass));
    }
    t
}

fn print_table(out: &Output, t: &[Row]) {
    for r in t {
        out.say(format!("  [{}] {:<40} {}", if r.pass { "pass" } else { "FAIL" }, r.check, r.measured));
    }
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    match args.model {
        ModelName::Rotor | ModelName::RotorFermionic => {
            let twist = if args.model == ModelName::Rotor { Twist::Untwisted } else { Twist::Twisted };
            let lattice = Lattice::parse(args.lattice.as_deref().unwrap_or("3x3x3"))?;
            check_exchange_lattice(&lattice)?;
            if lattice.n_links() > 30_000 {
                return usage(format!("--lattice {lattice}: the exchange census is exact and small lattices suffice; use extents up to 20"));
            }
            let cluster = parse_cluster(&args.cluster)?;
            if !(1..=1_000_000).contains(&args.spin) {
                return usage(format!("--spin {}: give an integer spin 2 <= S <= 1000000", args.spin));
            }
            // Everything below is exact and takes well under a second on the default sizes; the
            // state test's truncation check (a user error, exit 2) happens here, before any output.
            let r = rotor_compute(twist, &lattice, args.method, args.spin, cluster, args.seed)?;
            let mut out = Output::new(&args.out, g)?;
            let table = rotor_table(&r);
            out.say(format!(
                "{} on {}: exchange sign {:+} at all {} leg triples ({})",
                model_label(twist),
                lattice,
                r.exchange_sign,
                r.census.triples_checked,
                if r.exchange_sign < 0 { "string ends are fermions" } else { "string ends are bosons" }
            ));
            print_table(&out, &table);
            out.json_file("table.json", "the results table: check, measured, expected, verdict", &table)?;
            out.figure(
                "exchange_paths",
                "the three hops of the exchange test at one vertex, both orderings",
                &exchange_figure(&r),
            )?;
            if let Some(s) = &r.spectrum {
                out.figure(
                    "two_charge_spectrum",
                    "two-charge levels vs free fermions and hard-core bosons",
                    &spectrum_figure(s),
                )?;
            }
            let failed: Vec<&str> = table.iter().filter(|t| !t.pass).map(|t| t.check.as_str()).collect();
            let params = json!({"model": model_label(twist), "lattice": lattice.to_string(),
                "method": format!("{:?}", args.method).to_lowercase(), "spin": args.spin, "cluster": args.cluster, "seed": args.seed});
            out.finish("statistics", params, Some(args.seed), &rotor_json(&r, &table))?;
            if !failed.is_empty() {
                anyhow::bail!("checks failed: {}", failed.join(", "));
            }
            Ok(())
        }
        ModelName::ToricCode | ModelName::DoubleSemion => {
            if args.method != Method::Algebra {
                return usage(
                    format!(
                    "--method {:?} applies to the rotor models; the anyon models are computed by their lattice hop \
                     algebra and group cohomology (drop --method)",
                    args.method
                )
                    .to_lowercase(),
                );
            }
            let (rep, lattice) = if args.model == ModelName::ToricCode {
                let lattice = Lattice::parse(args.lattice.as_deref().unwrap_or("4x4"))?;
                (toric_code(&ToricCode::new(lattice.clone(), 1.0, 1.0, 0.0)?)?, Some(lattice))
            } else {
                if let Some(l) = &args.lattice {
                    return usage(format!(
                        "--lattice {l}: double-semion is computed from its group 3-cocycle (the twisted quantum double of Z2) and takes no lattice; drop --lattice"
                    ));
                }
                (double_semion(), None)
            };
            let mut out = Output::new(&args.out, g)?;
            let table = anyon_table(&rep);
            out.say(format!("{}: exchange phases and braiding", rep.model));
            print_table(&out, &table);
            out.json_file("table.json", "the results table: check, measured, expected, verdict", &table)?;
            out.figure("exchange_phases", "exchange phases of the anyons on the unit circle", &anyon_figure(&rep))?;
            let failed: Vec<&str> = table.iter().filter(|t| !t.pass).map(|t| t.check.as_str()).collect();
            let params = json!({"model": rep.model, "lattice": lattice.as_ref().map(|l| l.to_string())});
            out.finish("statistics", params, None, &anyon_json(&rep, lattice.as_ref(), &table))?;
            if !failed.is_empty() {
                anyhow::bail!("checks failed: {}", failed.join(", "));
            }
            Ok(())
        }
    }
}

/// A figure of a demo run directory, relative to the demo directory.
fn figure_path(run: &str, name: &str) -> std::path::PathBuf {
    Path::new(run).join(format!("{name}.png"))
}

/// Chapter 4 of the demo: "Electrons from strings".
pub fn demo(ctx: &DemoContext) -> Result<Vec<Chapter>> {
    let title = "Electrons from strings";
    let lattice = Lattice::parse("3x3x3")?;
    let cluster = [3, 2, 2];
    let mut chapters = Vec::new();

    // Bosonic model: algebra.
    let bos = rotor_compute(Twist::Untwisted, &lattice, Method::Spectrum, 2, cluster, ctx.seed)?;
    let bos_table = rotor_table(&bos);
    let mut out = Output::to_dir(&ctx.dir.join("ch4-rotor"), ctx.quiet)?;
    out.json_file("table.json", "results table", &bos_table)?;
    out.figure("exchange_paths", "the exchange test at one vertex", &exchange_figure(&bos))?;
    if let Some(s) = &bos.spectrum {
        out.figure("two_charge_spectrum", "two charges vs free particles", &spectrum_figure(s))?;
    }
    out.finish(
        "statistics",
        json!({"model": "rotor", "lattice": "3x3x3", "method": "spectrum"}),
        Some(ctx.seed),
        &rotor_json(&bos, &bos_table),
    )?;

    // Fermionic model: algebra, states and spectrum.
    let fer = rotor_compute(Twist::Twisted, &lattice, Method::Spectrum, 2, cluster, ctx.seed)?;
    let fer_states = rotor_compute(Twist::Twisted, &lattice, Method::States, 2, cluster, ctx.seed)?;
    let fer_table = rotor_table(&fer);
    let mut out = Output::to_dir(&ctx.dir.join("ch4-rotor-fermionic"), ctx.quiet)?;
    out.json_file("table.json", "results table", &fer_table)?;
    out.figure("exchange_paths", "the exchange test at one vertex", &exchange_figure(&fer))?;
    if let Some(s) = &fer.spectrum {
        out.figure("two_charge_spectrum", "two charges vs free particles", &spectrum_figure(s))?;
    }
    out.finish(
        "statistics",
        json!({"model": "rotor-fermionic", "lattice": "3x3x3", "method": "spectrum"}),
        Some(ctx.seed),
        &rotor_json(&fer, &fer_table),
    )?;

    let all_pass = |t: &[Row]| t.iter().all(|r| r.pass);
    let bs = bos.spectrum.as_ref();
    chapters.push(Chapter {
        number: 4,
        title: title.into(),
        claim: "Plain rotor model: the ends of strings are bosons (exchange sign +1 at every vertex and leg triple)".into(),
        measured: format!(
            "+1 at {}/{} triples on 3x3x3; 2 charges on a 3x2x2 box match hard-core bosons to {:.0e} (fermions off by {:.2})",
            bos.census.plus,
            bos.census.triples_checked,
            bs.map_or(f64::NAN, |s| s.deviation_from_bosons),
            bs.map_or(f64::NAN, |s| s.deviation_from_fermions)
        ),
        pass: bos.exchange_sign == 1 && all_pass(&bos_table),
        text: vec![
            "A charge of the rotor model is the end of a string of electric flux. It moves with the hop L^+ on a link. Exchanging two charges at a vertex with three distinct neighbours compares t_sl t_js t_sk with t_sk t_js t_sl (Levin-Wen); the ratio is the exchange phase.".into(),
        ],
        figures: vec![figure_path("ch4-rotor", "exchange_paths")],
        seconds: 0.0,
    });
    let fs = fer.spectrum.as_ref();
    let st = fer_states.states.as_ref();
    chapters.push(Chapter {
        number: 4,
        title: title.into(),
        claim: "Twisted rotor model (-1)^(sum L) B_p: the ends of strings are fermions (exchange sign -1 everywhere; two charges = two free fermions)".into(),
        measured: format!(
            "-1 at {}/{} triples (algebra) and {}/{} (spin-2 state vectors); 2 charges on 3x2x2 match free fermions to {:.0e} (bosons off by {:.2}); {} consistency checks pass",
            fer.census.minus,
            fer.census.triples_checked,
            st.map_or(0, |s| s.minus),
            st.map_or(0, |s| s.triples_checked),
            fs.map_or(f64::NAN, |s| s.deviation_from_fermions),
            fs.map_or(f64::NAN, |s| s.deviation_from_bosons),
            fer.checks.iter().filter(|c| c.pass).count()
        ),
        pass: fer.exchange_sign == -1 && fer_states.exchange_sign == -1 && all_pass(&fer_table) && all_pass(&rotor_table(&fer_states)),
        text: vec![
            "The twist multiplies each hop by (-1)^(sum of L over a set T(l) of links at its ends), chosen so that all six hops at a vertex anticommute (section 3.3 of the rotor note). Twisted plaquettes are ordered products of four hops, so moving a charge never creates flux, and the closed-surface products stay +1.".into(),
            "The same sign appears three ways: as an operator identity between signed shifts, on explicit spin-2 state vectors, and in the spectrum of two charges, which equals that of two free spinless fermions and not of two hard-core bosons.".into(),
        ],
        figures: vec![figure_path("ch4-rotor-fermionic", "exchange_paths"), figure_path("ch4-rotor-fermionic", "two_charge_spectrum")],
        seconds: 0.0,
    });
    let ph = &fer.photon;
    chapters.push(Chapter {
        number: 4,
        title: title.into(),
        claim: "The twist leaves the photon untouched: identical zero-charge spectra and linearized modes".into(),
        measured: format!(
            "Z2 {} ({} states): max |dE| = {:.1e} although {} of {} matrix elements change sign; linearized modes differ by {:.1e}",
            ph.cluster, ph.dim, ph.max_spectrum_difference, ph.changed_matrix_elements, ph.matrix_elements, ph.max_mode_difference
        ),
        pass: ph.max_spectrum_difference < SPECTRUM_TOL && ph.changed_matrix_elements > 0 && ph.w_violations == 0 && ph.max_mode_difference < SPECTRUM_TOL,
        text: vec!["Without charges a diagonal sign change W maps every B_p to the twisted B~_p (constructed explicitly here), so the two Hamiltonians are unitarily equivalent in that sector: the photon cannot tell them apart.".into()],
        figures: vec![],
        seconds: 0.0,
    });

    // 2D anchors.
    let tc = toric_code(&ToricCode::new(Lattice::parse("4x4")?, 1.0, 1.0, 0.0)?)?;
    let ds = double_semion();
    let (tt, dt) = (anyon_table(&tc), anyon_table(&ds));
    let mut out = Output::to_dir(&ctx.dir.join("ch4-anyons"), ctx.quiet)?;
    out.figure("toric_code_phases", "toric code exchange phases", &anyon_figure(&tc))?;
    out.figure("double_semion_phases", "double semion exchange phases", &anyon_figure(&ds))?;
    out.finish(
        "statistics",
        json!({"model": ["toric-code", "double-semion"]}),
        None,
        &json!({"toric_code": anyon_json(&tc, Some(&Lattice::parse("4x4")?), &tt), "double_semion": anyon_json(&ds, None, &dt)}),
    )?;
    let ph = |r: &AnyonReport, n: &str| {
        r.particles.iter().find(|p| p.name == n).map(|p| p.exchange_phase).unwrap_or([f64::NAN; 2])
    };
    chapters.push(Chapter {
        number: 4,
        title: title.into(),
        claim: "2D anchors: toric code e, m bosons, e×m fermion, e and m mutual semions; double-semion semion phase i".into(),
        measured: format!(
            "toric code theta = {:+}, {:+}, {:+}, braiding {:+}; double semion theta_s = {:+}{:+}i",
            ph(&tc, "e")[0],
            ph(&tc, "m")[0],
            ph(&tc, "e×m")[0],
            tc.mutual.first().map_or(f64::NAN, |m| m.phase[0]),
            ph(&ds, "s")[0],
            ph(&ds, "s")[1]
        ),
        pass: all_pass(&tt) && all_pass(&dt),
        text: vec!["The same exchange identity on the toric code's string operators, checked against the twisted quantum double of Z2 computed from its group 3-cocycle (trivial: toric code; non-trivial: double semion).".into()],
        figures: vec![figure_path("ch4-anyons", "double_semion_phases")],
        seconds: 0.0,
    });
    Ok(chapters)
}
