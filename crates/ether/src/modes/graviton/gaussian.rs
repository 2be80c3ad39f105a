//! The talk's quantum-fluctuation criterion for the symmetric-tensor Z_n rotor models
//! (docs/physics/graviton.md B.9).
//!
//! In the helicity basis about K̂ each physical direction `e_s` (s = +2, −2, +1, −1, 0L, 0T,
//! after the constraints) has a kinetic coefficient `κ_s = e_s†𝒦e_s` and a potential coefficient
//! `ν_s = e_s†𝒱e_s`; the models' blocks are diagonal there, so each is an independent oscillator
//! of the Gaussian ground state, `⟨|q_s|²⟩ = ½√(κ/ν)`, `⟨|p_s|²⟩ = ½√(ν/κ)`. With the
//! orthonormal coordinates of B.2 (`Q_c = √M_c h_c`, `P_c = L_c/√M_c`, `M = (1,1,1,2,2,2)`) the
//! rotor angles and momenta get `|e_{s,c}|²/M_c ⟨|q|²⟩` and `M_c |e_{s,c}|² ⟨|p|²⟩`; summed over the
//! momenta k ≠ 0 and divided by the `6N` rotors this is the mean-square angle and angular momentum
//! of one rotor from helicity s.
//!
//! A Z_n rotor has a compact angle θ (period 2π, spacing 2π/n) and a compact conjugate L (period
//! n, spacing 1). The Gaussian estimate describes it when both rms values are small compared with
//! their periods ([`SMALL_FRACTION_OF_PERIOD`]); the spacings are the Fourier duals of the
//! periods, so two conditions cover all four. A classical zero mode is decided by which
//! coefficient survives and how it behaves as k → 0:
//! - `ν = 0, κ > 0` (free angle): θ delocalized, so its conjugate is an integer and the kinetic
//!   energy has discrete levels spaced by ~κ. If κ stays finite as k → 0 that is a gap; if κ
//!   vanishes like `|K|^q` the spacing closes at long wavelength and the Gaussian estimate cannot
//!   decide.
//! - `κ = 0, ν > 0` (frozen angle): L delocalized, compact (period n), so θ is discrete (spacing
//!   2π/n) and the potential has levels spaced by ~ν(2π/n)²: gapped if ν stays finite as k → 0,
//!   undecided if it grows like `|K|^q` from zero (the l-type model's 0T, `q = 4`).
//! - `κ = ν = 0`: the direction is absent from H; its states are exactly degenerate.

use super::{fro, GravitonModes, Sector, FIT_DIRECTION, FIT_POINTS, FIT_WINDOW, REL_TOL};
use crate::error::{Error, Result};
use crate::linalg::C64;
use crate::model::graviton::{lattice_k, FROBENIUS};
use crate::modes::graviton::helicity::{Helicity, HelicityBasis};
use serde::Serialize;
use std::f64::consts::TAU;

/// "Small compared with the period": at most this fraction of it (a tenth).
pub const SMALL_FRACTION_OF_PERIOD: f64 = 0.1;

/// A coefficient whose small-k exponent is at most this is taken as finite at k → 0 (the
/// exponents of the models are even integers: 0, 2, 4, 6).
pub const FINITE_EXPONENT: f64 = 0.5;

/// The angle weight `½√(κ/ν) ∝ |K|^{−a}` makes the per-rotor sum over the Brillouin zone converge
/// for `a < 3`; `a = 3` grows like ln L, `a > 3` like `L^{a−3}` (three dimensions).
pub const IR_MARGINAL: f64 = 3.0;

const CHUNK: usize = 1024;

/// How a physical direction enters the quadratic form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectionClass {
    /// Removed by a constraint (not a physical direction).
    Removed,
    /// κ > 0 and ν > 0: an oscillator.
    Propagating,
    /// ν = 0, κ > 0: no restoring force.
    FreeAngle,
    /// κ = 0, ν > 0: no kinetic term.
    FrozenAngle,
    /// κ = ν = 0: absent from the Hamiltonian.
    Absent,
    /// A negative coefficient.
    Unstable,
    /// The class differs between momenta, or the direction mixes with another one.
    Mixed,
}

/// The quantum verdict of one helicity direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantumVerdict {
    /// Small fluctuations of an oscillator: the linear theory holds, gapless.
    StaysGapless,
    /// A compact zero mode with a level spacing that stays finite as k → 0.
    Gapped,
    /// The Gaussian estimate cannot decide (the reason is in the words).
    Undecided,
    /// Not a physical mode.
    Removed,
}

/// The fluctuations and verdict of one helicity direction.
#[derive(Clone, Debug, Serialize)]
pub struct DirectionFluctuation {
    /// "+2", "-2", "+1", "-1", "0L", "0T".
    pub helicity: String,
    /// rms of one rotor's angle from this direction (radians); `None` if unbounded or removed.
    pub angle_rms: Option<f64>,
    /// rms of one rotor's angular momentum L from this direction; `None` if unbounded or removed.
    pub conjugate_rms: Option<f64>,
    /// Period of the angle, 2π.
    pub compact_period: f64,
    /// Period of the conjugate L, n (Z_n rotors).
    pub conjugate_period: f64,
    /// Classification from κ and ν.
    pub class: DirectionClass,
    /// Small-k exponent of κ (NaN if κ = 0 there).
    pub kinetic_exponent: f64,
    /// Small-k exponent of ν (NaN if ν = 0 there).
    pub potential_exponent: f64,
    /// Smallest κ over the momenta k ≠ 0 of the grid.
    pub kinetic_min: f64,
    /// Smallest ν over the momenta k ≠ 0 of the grid.
    pub potential_min: f64,
    /// The constraint that removes it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_by: Option<String>,
    /// The verdict.
    pub quantum: QuantumVerdict,
    /// The verdict in words, from the numbers above and the module's thresholds.
    pub verdict: String,
}

/// The Gaussian ground state of a graviton model per helicity direction.
#[derive(Clone, Debug, Serialize)]
pub struct GravitonFluctuations {
    /// The order n of the Z_n rotors.
    pub n: u32,
    /// One entry per helicity state, in the order +2, −2, +1, −1, 0L, 0T.
    pub directions: Vec<DirectionFluctuation>,
    /// Momenta summed (k ≠ 0).
    pub momenta: usize,
}

impl GravitonFluctuations {
    /// The entry of a helicity state by label ("+2", …, "0T").
    pub fn direction(&self, label: &str) -> Option<&DirectionFluctuation> {
        self.directions.iter().find(|d| d.helicity == label)
    }
}

/// Per-state sums over the momenta.
#[derive(Clone, Debug)]
struct Acc {
    angle: [f64; 6],
    conj: [f64; 6],
    class: [Option<DirectionClass>; 6],
    kin_min: [f64; 6],
    pot_min: [f64; 6],
    removed_by: [Option<String>; 6],
    momenta: usize,
}

impl Acc {
    fn new() -> Self {
        Acc {
            angle: [0.0; 6],
            conj: [0.0; 6],
            class: [None; 6],
            kin_min: [f64::INFINITY; 6],
            pot_min: [f64::INFINITY; 6],
            removed_by: Default::default(),
            momenta: 0,
        }
    }
    fn merge_class(&mut self, s: usize, c: DirectionClass) {
        self.class[s] = Some(match self.class[s] {
            None => c,
            Some(old) if old == c => c,
            Some(_) => DirectionClass::Mixed,
        });
    }
    fn add(&mut self, o: &Acc) {
        for s in 0..6 {
            self.angle[s] += o.angle[s];
            self.conj[s] += o.conj[s];
            if let Some(c) = o.class[s] {
                self.merge_class(s, c);
            }
            self.kin_min[s] = self.kin_min[s].min(o.kin_min[s]);
            self.pot_min[s] = self.pot_min[s].min(o.pot_min[s]);
            if self.removed_by[s].is_none() {
                self.removed_by[s] = o.removed_by[s].clone();
            }
        }
        self.momenta += o.momenta;
    }
}

fn quad(v: &[C64], m: &[C64]) -> C64 {
    let mut s = C64::new(0.0, 0.0);
    for i in 0..6 {
        for j in 0..6 {
            s += v[i].conj() * m[i * 6 + j] * v[j];
        }
    }
    s
}

/// The physical directions at k, each with the helicity state it is (index into
/// [`Helicity::ALL`]), or `None` for a direction that is not one state; and the states removed.
#[allow(clippy::type_complexity)]
fn directions_at(
    solver: &GravitonModes,
    kk: [f64; 3],
    basis: &HelicityBasis,
) -> Result<(Vec<(Option<usize>, Vec<C64>)>, Vec<(usize, String)>)> {
    let mut phys_all = Vec::new();
    let mut removed = Vec::new();
    for s in Sector::ALL {
        let cols: Vec<Vec<C64>> = s.columns().iter().map(|&c| basis.columns[c].to_vec()).collect();
        let (phys, _, names) = solver.physical(kk, &cols)?;
        let mut present = vec![false; cols.len()];
        let mut unlabelled = false;
        for v in phys {
            // which state of the block is it?
            let mut label = None;
            for (t, &c) in s.columns().iter().enumerate() {
                let o: C64 = (0..6).map(|i| basis.columns[c][i].conj() * v[i]).sum();
                if o.norm_sqr() > 1.0 - 1e-9 {
                    label = Some(c);
                    present[t] = true;
                }
            }
            unlabelled |= label.is_none();
            phys_all.push((label, v));
        }
        // a state with no physical direction of its own is removed, unless the block kept a
        // direction that mixes states (then the missing state is part of it, not removed)
        if !unlabelled {
            for (t, &c) in s.columns().iter().enumerate() {
                if !present[t] {
                    removed.push((c, names.join(" and ")));
                }
            }
        }
    }
    Ok((phys_all, removed))
}

fn at_momentum(solver: &GravitonModes, k: [f64; 3], acc: &mut Acc) -> Result<()> {
    let kk = lattice_k(k);
    let basis = HelicityBasis::about(kk).ok_or_else(|| Error::Invariant("helicity basis at K = 0".into()))?;
    let kin = solver.kinetic_at(k);
    let pot = solver.potential_at(k);
    let (sk, sv) = (fro(&kin), fro(&pot));
    let (dirs, removed) = directions_at(solver, kk, &basis)?;
    for (s, name) in removed {
        acc.merge_class(s, DirectionClass::Removed);
        if acc.removed_by[s].is_none() {
            acc.removed_by[s] = Some(name);
        }
    }
    // cross terms between physical directions (the models are diagonal in the helicity basis)
    let mut mixed = vec![false; dirs.len()];
    for i in 0..dirs.len() {
        for j in 0..dirs.len() {
            if i != j {
                let (a, b) = (&dirs[i].1, &dirs[j].1);
                let ck: C64 = (0..6).map(|x| (0..6).map(|y| a[x].conj() * kin[x * 6 + y] * b[y]).sum::<C64>()).sum();
                let cv: C64 = (0..6).map(|x| (0..6).map(|y| a[x].conj() * pot[x * 6 + y] * b[y]).sum::<C64>()).sum();
                if ck.norm() > REL_TOL * sk || cv.norm() > REL_TOL * sv {
                    mixed[i] = true;
                }
            }
        }
    }
    for (i, (label, v)) in dirs.iter().enumerate() {
        let Some(s) = *label else { continue };
        if mixed[i] {
            acc.merge_class(s, DirectionClass::Mixed);
            continue;
        }
        let kap = quad(v, &kin).re;
        let nu = quad(v, &pot).re;
        let kap = if kap.abs() <= REL_TOL * sk { 0.0 } else { kap };
        let nu = if nu.abs() <= REL_TOL * sv { 0.0 } else { nu };
        acc.kin_min[s] = acc.kin_min[s].min(kap);
        acc.pot_min[s] = acc.pot_min[s].min(nu);
        let class = if kap < 0.0 || nu < 0.0 {
            DirectionClass::Unstable
        } else if kap > 0.0 && nu > 0.0 {
            DirectionClass::Propagating
        } else if kap > 0.0 {
            DirectionClass::FreeAngle
        } else if nu > 0.0 {
            DirectionClass::FrozenAngle
        } else {
            DirectionClass::Absent
        };
        acc.merge_class(s, class);
        if class == DirectionClass::Propagating {
            let (q2, p2) = (0.5 * (kap / nu).sqrt(), 0.5 * (nu / kap).sqrt());
            let wq: f64 = (0..6).map(|c| v[c].norm_sqr() / FROBENIUS[c]).sum();
            let wp: f64 = (0..6).map(|c| v[c].norm_sqr() * FROBENIUS[c]).sum();
            acc.angle[s] += wq * q2;
            acc.conj[s] += wp * p2;
        }
    }
    acc.momenta += 1;
    Ok(())
}

/// Small-k exponents of κ_s and ν_s along [`FIT_DIRECTION`] over [`FIT_WINDOW`] (NaN where the
/// coefficient vanishes).
fn coefficient_exponents(solver: &GravitonModes) -> Result<[[f64; 2]; 6]> {
    let mut pts: Vec<[[f64; 2]; 6]> = Vec::with_capacity(FIT_POINTS);
    let mut qs = Vec::with_capacity(FIT_POINTS);
    for i in 0..FIT_POINTS {
        let q = FIT_WINDOW[0] * (FIT_WINDOW[1] / FIT_WINDOW[0]).powf(i as f64 / (FIT_POINTS - 1) as f64);
        let k = FIT_DIRECTION.map(|x| x * q);
        let kk = lattice_k(k);
        let basis = HelicityBasis::about(kk).ok_or_else(|| Error::Invariant("fit momentum at K = 0".into()))?;
        let kin = solver.kinetic_at(k);
        let pot = solver.potential_at(k);
        let (sk, sv) = (fro(&kin), fro(&pot));
        let (dirs, _) = directions_at(solver, kk, &basis)?;
        let mut row = [[0.0; 2]; 6];
        for (label, v) in &dirs {
            if let Some(s) = *label {
                let (a, b) = (quad(v, &kin).re, quad(v, &pot).re);
                row[s] = [if a.abs() <= REL_TOL * sk { 0.0 } else { a }, if b.abs() <= REL_TOL * sv { 0.0 } else { b }];
            }
        }
        pts.push(row);
        qs.push(q);
    }
    let mut out = [[f64::NAN; 2]; 6];
    for s in 0..6 {
        for c in 0..2 {
            let y: Vec<f64> = pts.iter().map(|r| r[s][c]).collect();
            if y.iter().all(|&v| v > 0.0) {
                out[s][c] = crate::modes::fit::fit_power_law(&qs, &y).map(|l| l.exponent).unwrap_or(f64::NAN);
            }
        }
    }
    Ok(out)
}

/// Momenta per progress report (a batch of chunks run in parallel).
const BATCH: usize = 16;

/// The Gaussian ground state per helicity direction for Z_n rotors (`n ≥ 2`), with the verdicts.
/// Memory O(N / 1024); fixed chunks summed in order (the same for any thread count).
/// `progress(done, total)` is called between batches; an error from it stops the pass.
pub fn graviton_fluctuations(
    solver: &GravitonModes,
    n: u32,
    progress: &mut dyn FnMut(usize, usize) -> Result<()>,
) -> Result<GravitonFluctuations> {
    use rayon::prelude::*;
    if n < 2 {
        return Err(Error::invalid("n", n.to_string(), "Z_n rotors need n ≥ 2 (n = 2 is a qubit)"));
    }
    let lat = &solver.model.lattice;
    let ns = lat.n_sites();
    let chunks = ns.div_ceil(CHUNK);
    let chunk = |c: usize| -> Result<Acc> {
        let mut acc = Acc::new();
        for i in (c * CHUNK).max(1)..((c + 1) * CHUNK).min(ns) {
            let m = lat.momentum_of_index(i);
            let kc = m.components();
            let k = [kc[0], kc[1], kc[2]];
            if lattice_k(k).iter().all(|x| x.abs() < 1e-12) {
                continue;
            }
            at_momentum(solver, k, &mut acc)?;
        }
        Ok(acc)
    };
    let mut acc = Acc::new();
    let mut c0 = 0;
    while c0 < chunks {
        let c1 = (c0 + BATCH).min(chunks);
        let parts: Vec<Acc> = (c0..c1).into_par_iter().map(chunk).collect::<Result<Vec<_>>>()?;
        for p in &parts {
            acc.add(p);
        }
        c0 = c1;
        progress((c1 * CHUNK).min(ns), ns)?;
    }
    let exps = coefficient_exponents(solver)?;
    let rotors = 6.0 * ns as f64;
    let directions = Helicity::ALL
        .iter()
        .enumerate()
        .map(|(s, h)| {
            let class = acc.class[s].unwrap_or(DirectionClass::Mixed);
            let prop = class == DirectionClass::Propagating;
            let mut d = DirectionFluctuation {
                helicity: h.label().to_string(),
                angle_rms: prop.then(|| (acc.angle[s] / rotors).sqrt()),
                conjugate_rms: prop.then(|| (acc.conj[s] / rotors).sqrt()),
                compact_period: TAU,
                conjugate_period: n as f64,
                class,
                kinetic_exponent: exps[s][0],
                potential_exponent: exps[s][1],
                kinetic_min: acc.kin_min[s],
                potential_min: acc.pot_min[s],
                removed_by: acc.removed_by[s].clone(),
                quantum: QuantumVerdict::Undecided,
                verdict: String::new(),
            };
            let (q, words) = direction_verdict(&d);
            d.quantum = q;
            d.verdict = words;
            d
        })
        .collect();
    Ok(GravitonFluctuations { n, directions, momenta: acc.momenta })
}

/// An exponent for people: an integer when it is one to 1e-2 (no "-0.00"), else two decimals.
fn fmt_exp(q: f64) -> String {
    if (q - q.round()).abs() < 1e-2 {
        format!("{}", q.round() as i64)
    } else {
        format!("{q:.2}")
    }
}

/// The verdict of one direction, from its numbers and the module's thresholds.
pub fn direction_verdict(d: &DirectionFluctuation) -> (QuantumVerdict, String) {
    let frac = SMALL_FRACTION_OF_PERIOD;
    let n = d.conjugate_period;
    match d.class {
        DirectionClass::Removed => (
            QuantumVerdict::Removed,
            format!("removed by the {}: not a physical mode", d.removed_by.as_deref().unwrap_or("constraints")),
        ),
        DirectionClass::Propagating => {
            let (a, l) = (d.angle_rms.unwrap_or(f64::NAN), d.conjugate_rms.unwrap_or(f64::NAN));
            let ir = (d.potential_exponent - d.kinetic_exponent) / 2.0;
            let growth = if (ir - IR_MARGINAL).abs() < 0.25 {
                format!(" (its angle weight ½√(κ/ν) ~ |K|^-{} makes δθ grow like ln L with the lattice)", fmt_exp(ir))
            } else if ir > IR_MARGINAL {
                format!(" (its angle weight ~ |K|^-{} makes δθ grow like L^{} with the lattice)", fmt_exp(ir), fmt_exp(ir - 3.0))
            } else {
                String::new()
            };
            if a <= frac * d.compact_period && l <= frac * n {
                (
                    QuantumVerdict::StaysGapless,
                    format!(
                        "oscillator with δθ = {a:.4} rad ≤ 2π/10 and δL = {l:.4} ≤ n/10 = {:.1}: fluctuations small compared with both periods, the Gaussian state is consistent with the Z_{n} compactness: stays gapless{growth}",
                        frac * n
                    ),
                )
            } else {
                (
                    QuantumVerdict::Undecided,
                    format!(
                        "oscillator with δθ = {a:.4} rad and δL = {l:.4}: not small compared with the periods 2π and n = {n} (a tenth of each: {:.3}, {:.1}), so compactness matters and the Gaussian estimate cannot decide{growth}",
                        frac * d.compact_period,
                        frac * n
                    ),
                )
            }
        }
        DirectionClass::FreeAngle => {
            let q = d.kinetic_exponent;
            if q <= FINITE_EXPONENT {
                (
                    QuantumVerdict::Gapped,
                    format!(
                        "no restoring force (ν = 0): δθ unbounded ≫ 2π; θ is compact, so its conjugate is an integer and the kinetic energy has discrete levels, spaced by the kinetic coefficient κ ≥ {:.4} that stays finite as k → 0 (κ ~ |K|^{}): gapped in the quantum theory",
                        d.kinetic_min,
                        fmt_exp(q)
                    ),
                )
            } else {
                (
                    QuantumVerdict::Undecided,
                    format!(
                        "no restoring force (ν = 0): δθ unbounded ≫ 2π, so the conjugate is an integer with discrete kinetic levels; but κ vanishes like |K|^{} as k → 0, so their spacing closes at long wavelength: the Gaussian estimate cannot decide whether it is gapped",
                        fmt_exp(q)
                    ),
                )
            }
        }
        DirectionClass::FrozenAngle => {
            let q = d.potential_exponent;
            if q <= FINITE_EXPONENT {
                (
                    QuantumVerdict::Gapped,
                    format!(
                        "no kinetic term (κ = 0): δL unbounded ≫ n; L is compact (Z_{n}), so θ is discrete with spacing 2π/{n} and the potential has discrete levels spaced by ~ν(2π/n)², with ν ≥ {:.4} finite as k → 0 (ν ~ |K|^{}): gapped in the quantum theory",
                        d.potential_min,
                        fmt_exp(q)
                    ),
                )
            } else {
                (
                    QuantumVerdict::Undecided,
                    format!(
                        "no kinetic term (κ = 0): δL unbounded ≫ n = {n}, so θ is discrete (spacing 2π/{n}) with potential levels spaced by ~ν(2π/n)²; but ν grows from zero like |K|^{}, so that spacing closes as k → 0: the Gaussian estimate cannot decide whether it is gapped",
                        fmt_exp(q)
                    ),
                )
            }
        }
        DirectionClass::Absent => (
            QuantumVerdict::Undecided,
            "neither its angle nor its momentum enters H (κ = ν = 0): its states are exactly degenerate and nothing removes them; the Gaussian estimate has no scale to decide with".to_string(),
        ),
        DirectionClass::Unstable => (QuantumVerdict::Undecided, "unstable (a negative coefficient): no ground state to expand about".to_string()),
        DirectionClass::Mixed => (
            QuantumVerdict::Undecided,
            "its class changes between momenta or it mixes with another helicity: the per-helicity Gaussian estimate does not apply".to_string(),
        ),
    }
}

/// The helicity states by verdict, for the summary sentence.
pub fn labels_with(f: &GravitonFluctuations, q: QuantumVerdict) -> Vec<&str> {
    f.directions.iter().filter(|d| d.quantum == q).map(|d| d.helicity.as_str()).collect()
}

/// Helicity labels joined for people: "+2" and "-2" become "±2" (likewise ±1).
fn join_labels(labels: &[&str]) -> String {
    let mut out: Vec<String> = Vec::new();
    for m in ["2", "1"] {
        let p = labels.contains(&format!("+{m}").as_str());
        let q = labels.contains(&format!("-{m}").as_str());
        match (p, q) {
            (true, true) => out.push(format!("±{m}")),
            (true, false) => out.push(format!("+{m}")),
            (false, true) => out.push(format!("-{m}")),
            _ => {}
        }
    }
    for z in ["0L", "0T"] {
        if labels.contains(&z) {
            out.push(z.to_string());
        }
    }
    out.join(", ")
}

/// A short reason for a verdict, for the one-line summary.
fn short_reason(d: &DirectionFluctuation) -> String {
    match (d.class, d.quantum) {
        (DirectionClass::Propagating, QuantumVerdict::StaysGapless) => format!(
            "δθ = {:.3} ≤ 2π/10, δL = {:.3} ≤ n/10",
            d.angle_rms.unwrap_or(f64::NAN),
            d.conjugate_rms.unwrap_or(f64::NAN)
        ),
        (DirectionClass::Propagating, _) => format!(
            "δθ = {:.3}, δL = {:.3}: not small against 2π, n",
            d.angle_rms.unwrap_or(f64::NAN),
            d.conjugate_rms.unwrap_or(f64::NAN)
        ),
        (DirectionClass::FreeAngle, QuantumVerdict::Gapped) => {
            format!("a free compact angle whose kinetic coefficient stays ≥ {:.3} as k → 0", d.kinetic_min)
        }
        (DirectionClass::FreeAngle, _) => {
            format!("a free compact angle whose kinetic coefficient vanishes like |K|^{}", fmt_exp(d.kinetic_exponent))
        }
        (DirectionClass::FrozenAngle, QuantumVerdict::Gapped) => {
            format!("a frozen angle whose potential stays ≥ {:.3} as k → 0", d.potential_min)
        }
        (DirectionClass::FrozenAngle, _) => {
            format!("a frozen angle whose potential grows like |K|^{} from zero", fmt_exp(d.potential_exponent))
        }
        (DirectionClass::Absent, _) => "absent from H".to_string(),
        (DirectionClass::Unstable, _) => "unstable".to_string(),
        (DirectionClass::Mixed, _) => "mixes helicities".to_string(),
        (DirectionClass::Removed, _) => "removed".to_string(),
    }
}

/// One sentence: which helicities stay gapless, which are gapped, which the Gaussian estimate
/// cannot decide, with the reason for each (the words follow from the entries' verdicts).
pub fn quantum_summary(f: &GravitonFluctuations) -> String {
    let mut parts = Vec::new();
    for (q, words) in [
        (QuantumVerdict::StaysGapless, "stays gapless"),
        (QuantumVerdict::Gapped, "gapped in the quantum theory"),
        (QuantumVerdict::Undecided, "the Gaussian estimate cannot decide"),
    ] {
        // group directions with the same verdict and the same reason
        let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
        for d in f.directions.iter().filter(|d| d.quantum == q) {
            let r = short_reason(d);
            match groups.iter_mut().find(|(gr, _)| *gr == r) {
                Some(g) => g.1.push(&d.helicity),
                None => groups.push((r, vec![&d.helicity])),
            }
        }
        for (r, labels) in groups {
            let verb = if q == QuantumVerdict::Undecided { format!(": {words}") } else { format!(" {words}") };
            parts.push(format!("helicity {}{verb} ({r})", join_labels(&labels)));
        }
    }
    format!("quantum theory of Z_{} rotors: {}", f.n, parts.join("; "))
}
