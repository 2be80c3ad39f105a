//! Ground-state observables of a spin run: correlations, structure factor, entanglement entropy
//! and the dynamic structure factor S^zz(q, ω), with the arrays (and axes) they are saved as.
//! S(q, ω) is saved with the axis order (q, ω), as every S(k, ω) of ether (docs/conventions.md).

use super::{EdParams, Observable, Shared};
use crate::ed::basis::SpinBasis;
use crate::ed::observables::{
    dynamic_structure_factor, entanglement_entropy, structure_factor, zz_correlations, DynamicStructureFactor,
};
use crate::ed::operator::Scalar;
use crate::ed::solve::Vectors;
use crate::ed::spin::SpinTerms;
use crate::error::Result;
use crate::experiment::{Axis, DataArray};
use crate::lattice::Lattice;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// The static structure factor on the momentum grid (alphabetical fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaticStructureFactor {
    /// Momenta (radians), grid index order (first axis fastest).
    pub q: Vec<Vec<f64>>,
    /// S(q).
    pub s: Vec<f64>,
}

/// The entanglement entropy of the first `n_a` sites (alphabetical fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entanglement {
    /// Von Neumann entropy (nats).
    pub entropy: f64,
    /// Sites in the subsystem (the first n_a in site order).
    pub n_a: usize,
}

/// S^zz(q, ω) at one momentum in pole form (alphabetical fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DynamicEntry {
    /// The lowest pole carrying at least 1 % of the weight (J).
    pub lowest_pole: Option<f64>,
    /// (ω_n, weight_n) of the poles with more than 1e-8 of the weight.
    pub poles: Vec<[f64; 2]>,
    /// Momentum (radians per axis).
    pub q: Vec<f64>,
    /// Total weight ∫ S(q, ω) dω = S(q).
    pub weight: f64,
}

/// The broadened S(q, ω) on a frequency grid (kept for the arrays, not in the JSON).
#[derive(Clone, Debug, PartialEq)]
pub struct DynamicGrid {
    /// Frequencies (J).
    pub omega: Vec<f64>,
    /// S(q, ω), row-major (q, ω).
    pub values: Vec<f64>,
    /// Position of each q: q itself on a chain, the index along the grid path otherwise.
    pub q_axis: Vec<f64>,
    /// Names of the momenta, e.g. "q = (π/2, 0)".
    pub q_labels: Vec<String>,
    /// The broadening η.
    pub eta: f64,
    /// Whether the lattice is a chain.
    pub chain: bool,
}

/// The observables of a ground state (alphabetical fields, skipped when not asked for).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Observables {
    /// C(r) = N⁻¹ Σ_i ⟨S^z_i S^z_{i+r}⟩ by displacement site index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlations_zz: Option<Vec<f64>>,
    /// S^zz(q, ω) at each momentum of the list (chain: 0 ≤ q ≤ π; else the grid path).
    #[serde(rename = "dynamic_structure_factor", skip_serializing_if = "Option::is_none")]
    pub dynamic: Option<Vec<DynamicEntry>>,
    /// Entanglement entropy of half the sites.
    #[serde(rename = "entanglement_entropy", skip_serializing_if = "Option::is_none")]
    pub entanglement: Option<Entanglement>,
    /// S(q).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structure_factor: Option<StaticStructureFactor>,
    /// The broadened S(q, ω) grid.
    #[serde(skip)]
    pub grid: Option<DynamicGrid>,
    /// Lattice extents (for the array shapes).
    #[serde(skip)]
    pub extents: Vec<usize>,
}

/// The momenta of S(q, ω): 0 ≤ m ≤ N/2 on a chain, the grid points of the high-symmetry path
/// otherwise (as index vectors m, k_a = 2π m_a/L_a).
pub fn momentum_list(l: &Lattice) -> Vec<Vec<usize>> {
    if l.dim() == 1 {
        return (0..=l.n_sites() / 2).map(|m| vec![m]).collect();
    }
    l.grid_path()
        .points
        .iter()
        .map(|k| {
            let c = l.coords(l.momentum_index(k));
            (0..l.dim()).map(|a| c[a]).collect()
        })
        .collect()
}

fn entry(d: &DynamicStructureFactor) -> DynamicEntry {
    DynamicEntry {
        lowest_pole: d.lowest_pole(0.01),
        poles: d.poles.iter().zip(&d.residues).filter(|(_, &r)| r > 1e-8 * d.weight).map(|(&w, &r)| [w, r]).collect(),
        q: d.q.clone(),
        weight: d.weight,
    }
}

/// A momentum in words: "q = 1.5708" on a chain, "q = (3.1416, 0)" on tori.
fn q_label(q: &[f64]) -> String {
    let f = |x: f64| crate::experiment::fmt_num(x);
    if q.len() == 1 {
        format!("q = {}", f(q[0]))
    } else {
        format!("q = ({})", q.iter().map(|&x| f(x)).collect::<Vec<_>>().join(", "))
    }
}

/// The broadened grid: 240 frequencies up to 1.1 × the highest pole with 1e-3 of its weight.
fn grid(l: &Lattice, dsf: &[DynamicStructureFactor], eta: f64) -> DynamicGrid {
    let wmax = dsf
        .iter()
        .flat_map(|d| d.poles.iter().zip(&d.residues).filter(|(_, &r)| r > 1e-3 * d.weight).map(|(w, _)| *w))
        .fold(1.0, f64::max)
        * 1.1;
    let nw = 240;
    let omega: Vec<f64> = (0..nw).map(|i| wmax * (i as f64 + 0.5) / nw as f64).collect();
    let chain = l.dim() == 1;
    let mut values = Vec::with_capacity(nw * dsf.len());
    for d in dsf {
        for &w in &omega {
            values.push(d.continued_fraction(w, eta).max(0.0));
        }
    }
    let q_axis = if chain { dsf.iter().map(|d| d.q[0]).collect() } else { (0..dsf.len()).map(|i| i as f64).collect() };
    DynamicGrid { omega, values, q_axis, q_labels: dsf.iter().map(|d| q_label(&d.q)).collect(), eta, chain }
}

fn compute_in<S: Scalar>(
    p: &EdParams,
    terms: &SpinTerms,
    basis: &SpinBasis,
    psi: &[S],
    e0: f64,
    shared: &Shared,
) -> Result<Observables> {
    let l = &terms.lattice;
    let n = l.n_sites();
    let has = |o: Observable| p.observables.contains(&o);
    let mut out = Observables {
        correlations_zz: None,
        dynamic: None,
        entanglement: None,
        structure_factor: None,
        grid: None,
        extents: l.extents().to_vec(),
    };
    if has(Observable::Correlations) || has(Observable::StructureFactor) {
        let c = zz_correlations(basis, psi);
        if has(Observable::StructureFactor) {
            let q = (0..n).map(|i| l.momentum_of_index(i).components().to_vec()).collect();
            out.structure_factor = Some(StaticStructureFactor { q, s: structure_factor(l, &c) });
        }
        if has(Observable::Correlations) {
            out.correlations_zz = Some(c);
        }
    }
    if has(Observable::Entanglement) {
        let n_a = n / 2;
        out.entanglement = Some(Entanglement { entropy: entanglement_entropy(basis, psi, n_a)?, n_a });
    }
    if has(Observable::Dynamic) {
        let qs = momentum_list(l);
        shared.obs.borrow_mut().stage("S(q, ω)", qs.len() as u64);
        let mut dsf = Vec::with_capacity(qs.len());
        for (i, q) in qs.iter().enumerate() {
            if shared.stop() {
                return Err(crate::Error::Interrupted {
                    what: "S(q, ω)".into(),
                    kept: "nothing of S(q, ω) (it is recomputed on a rerun)".into(),
                });
            }
            dsf.push(dynamic_structure_factor(terms, basis, psi, e0, q, p.dynamic_steps)?);
            shared.obs.borrow_mut().advance(i as u64 + 1);
        }
        out.grid = Some(grid(l, &dsf, p.eta));
        out.dynamic = Some(dsf.iter().map(entry).collect());
    }
    Ok(out)
}

/// The observables asked for in `p`, of the ground state `v` (energy `e0`) in `basis`.
pub fn compute(
    p: &EdParams,
    terms: &SpinTerms,
    basis: &SpinBasis,
    v: &Vectors,
    e0: f64,
    shared: &Shared,
) -> Result<Observables> {
    match v {
        Vectors::Real(x) => compute_in(p, terms, basis, &x[0], e0, shared),
        Vectors::Complex(x) => compute_in(p, terms, basis, &x[0], e0, shared),
    }
}

fn poles_in<S: Scalar>(
    p: &EdParams,
    terms: &SpinTerms,
    basis: &SpinBasis,
    psi: &[S],
    e0: f64,
    main: &Observables,
) -> Result<Vec<Option<f64>>> {
    let l = &terms.lattice;
    let mut out = Vec::new();
    for d in main.dynamic.iter().flatten() {
        // This lattice has q if q_a L_a / 2π is an integer on every axis.
        let m: Vec<f64> = d.q.iter().zip(l.extents()).map(|(&q, &e)| q * e as f64 / (2.0 * PI)).collect();
        if m.iter().all(|x| (x - x.round()).abs() < 1e-9) {
            let idx: Vec<usize> = m.iter().zip(l.extents()).map(|(x, &e)| (x.round() as usize) % e).collect();
            out.push(dynamic_structure_factor(terms, basis, psi, e0, &idx, p.dynamic_steps)?.lowest_pole(0.01));
        } else {
            out.push(None);
        }
    }
    Ok(out)
}

/// The lowest S(q, ω) poles of a smaller lattice at the momenta of the main run's list.
pub fn poles_at(
    p: &EdParams,
    terms: &SpinTerms,
    basis: &SpinBasis,
    v: &Vectors,
    e0: f64,
    main: &Observables,
) -> Result<Vec<Option<f64>>> {
    match v {
        Vectors::Real(x) => poles_in(p, terms, basis, &x[0], e0, main),
        Vectors::Complex(x) => poles_in(p, terms, basis, &x[0], e0, main),
    }
}

/// Axes of a field on the lattice (C order: the last lattice axis outermost), with `what` and
/// `values(a)` for the coordinate along axis a.
fn lattice_axes(
    extents: &[usize],
    what: &str,
    unit: &str,
    file: &str,
    values: impl Fn(usize, usize) -> f64,
) -> Vec<Axis> {
    (0..extents.len())
        .rev()
        .map(|a| {
            let name = if extents.len() == 1 { what.to_string() } else { format!("{what} along axis {a}") };
            let f = if extents.len() == 1 { format!("{file}.npy") } else { format!("{file}_{a}.npy") };
            Axis::new(name, unit, f, (0..extents[a]).map(|i| values(a, i)).collect())
        })
        .collect()
}

impl Observables {
    /// The arrays of the observables (each with its axes).
    pub fn arrays(&self) -> Vec<DataArray> {
        let ext = &self.extents;
        let mut v = Vec::new();
        if let Some(c) = &self.correlations_zz {
            let axes = lattice_axes(ext, "displacement r", "lattice spacings", "correlations_r", |_, i| i as f64);
            v.push(DataArray::real(
                "correlations_zz.npy",
                "C(r) = N⁻¹ Σ_i ⟨S^z_i S^z_{i+r}⟩ of the ground state (S^z in units of ħ = 1)",
                "1",
                axes,
                c.clone(),
            ));
        }
        if let Some(s) = &self.structure_factor {
            let axes = lattice_axes(ext, "momentum q", "radians", "structure_factor_q", |a, i| {
                2.0 * PI * i as f64 / ext[a] as f64
            });
            v.push(DataArray::real(
                "structure_factor.npy",
                "S(q) = Σ_r e^{−iq·r} C(r) of the ground state on the momentum grid",
                "1",
                axes,
                s.s.clone(),
            ));
        }
        if let Some(g) = &self.grid {
            let q = if g.chain {
                Axis {
                    labels: Some(g.q_labels.clone()),
                    ..Axis::new("q", "radians", "s_q_omega_q.npy", g.q_axis.clone())
                }
            } else {
                Axis::labelled("point of the grid path Γ-X-M-Γ", "s_q_omega_q.npy", g.q_labels.clone())
            };
            let w = Axis::new("omega", "J", "omega.npy", g.omega.clone());
            v.push(DataArray::real(
                "s_q_omega.npy",
                format!(
                    "S^zz(q, ω) of the ground state by the continued-fraction method, Lorentzian broadening η = {} J; axes (q, ω)",
                    g.eta
                ),
                "1/J",
                vec![q, w],
                g.values.clone(),
            ));
        }
        v
    }
}
