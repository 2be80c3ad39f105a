//! `ether ed` for the gauge models: toric code, rotor model, quantum link model, each solved in
//! the Gauss-law sector(s) connected to a reference configuration ([`crate::ed::gauge`]).

use super::{EdParams, ModelKind};
use crate::ed::gauge::{
    charge_pair_configuration, quantum_link, rotor_from, toric_code, winding_configuration, GaugeSector, LinkSystem,
    Truncation,
};
use crate::ed::solve::{solve_operator, Level, Levels, SolveOptions};
use crate::error::{Error, Result};
use crate::experiment::{Claim, Observer};
use crate::lattice::Lattice;
use crate::model::{QuantumLinkModel, RotorModel, ToricCode};
use serde::Serialize;
use std::time::Instant;

/// The result of a gauge-model run (`result.json`; alphabetical fields, as always).
#[derive(Clone, Debug, Serialize)]
pub struct GaugeRecord {
    /// Every level converged.
    pub converged: bool,
    /// States in the sectors solved (summed).
    pub dimension: usize,
    /// The lowest energies, ascending.
    pub energies: Vec<f64>,
    /// E1 − E0 (null with one level).
    pub gap: Option<f64>,
    /// The lattice as given.
    pub lattice: String,
    /// The lowest levels with their sectors.
    pub levels: Vec<Level>,
    /// The model.
    pub model: String,
    /// The sector (or, for several, what they are).
    pub sector: String,
    /// The levels of each sector solved.
    pub sectors: Vec<Levels>,
    /// Wall time (s).
    pub seconds: f64,
}

impl GaugeRecord {
    /// Gauge runs make no claim of their own (the rotor, quantum-link and toric-code anchors are
    /// validation tests, docs/validation.md).
    pub fn claims(&self) -> Vec<Claim> {
        Vec::new()
    }
}

/// The gauge sector keys: a winding and a static charge pair (+1 site, −1 site).
type SectorKeys = (Option<Vec<i64>>, Option<(usize, usize)>);

fn bad(item: &str, hint: impl Into<String>) -> Error {
    Error::invalid("sector", item, hint)
}

/// Parse the gauge sector keys: `winding=a:b[:c]` and, for the rotor model, `charges=i:j`
/// (a static charge +1 at site i and −1 at site j; sites numbered with the first axis fastest).
fn parse_keys(s: Option<&str>, dim: usize) -> Result<SectorKeys> {
    let Some(s) = s else { return Ok((None, None)) };
    if s.trim().is_empty() {
        return Err(bad(
            "''",
            "an empty sector fixes nothing: give winding=wx:wy (or charges=i:j), or leave --sector out",
        ));
    }
    let (mut w, mut charges) = (None, None);
    for item in s.split(',').map(str::trim) {
        match item.split_once('=') {
            Some(("charges", v)) => {
                if charges.is_some() {
                    return Err(bad(s, "charges is given twice; give one pair"));
                }
                match v.split_once(':').map(|(a, b)| (a.trim().parse(), b.trim().parse())) {
                    Some((Ok(a), Ok(b))) => charges = Some((a, b)),
                    _ => return Err(bad(item, "give two site indices, e.g. charges=0:1 (+1 at site 0, −1 at site 1)")),
                }
            }
            Some(("winding", v)) => {
                if w.is_some() {
                    return Err(bad(s, "winding is given twice; give one"));
                }
                let parts: std::result::Result<Vec<i64>, _> = v.split(':').map(|p| p.trim().parse::<i64>()).collect();
                match parts {
                    Ok(p) if p.len() == dim => w = Some(p),
                    _ => return Err(bad(item, format!("give {dim} integers, e.g. winding={}", vec!["0"; dim].join(":")))),
                }
            }
            _ => {
                return Err(bad(
                    item,
                    "gauge models take a winding sector (winding=wx:wy[:wz]) and, for the rotor model, static charges (charges=i:j)",
                ))
            }
        }
    }
    Ok((w, charges))
}

fn truncation(p: &EdParams) -> Result<Truncation> {
    match (p.lmax, p.link_spin) {
        (Some(l), None) => Ok(Truncation::Lmax(l)),
        (None, Some(s)) => {
            let t = 2.0 * s;
            if !(s > 0.0 && t.fract() == 0.0 && t <= 15.0) {
                return Err(Error::invalid(
                    "link-spin",
                    s.to_string(),
                    "give S = 1/2, 1, 3/2, ... up to 15/2 (as 0.5, 1, 1.5, ...)",
                ));
            }
            Ok(Truncation::Spin(t as u32))
        }
        _ => Err(Error::invalid(
            "truncation",
            "none or both",
            "the rotor model needs exactly one truncation: --lmax N (|L| <= N) or --link-spin S",
        )),
    }
}

/// A labelled, deferred sector construction.
type SectorBuilder = Box<dyn Fn() -> Result<GaugeSector>>;

/// The sectors a gauge run solves: a label for all of them and (label, builder) per sector.
fn sectors(p: &EdParams) -> Result<(String, Vec<(String, SectorBuilder)>)> {
    let lattice = super::parse_lattice(&p.lattice)?;
    let d = lattice.dim();
    let (winding, charges) = parse_keys(p.sector.as_deref(), d)?;
    if charges.is_some() && p.model != ModelKind::Rotor {
        return Err(Error::invalid(
            "sector",
            "charges=",
            "static charges are supported for the rotor model (--model rotor)",
        ));
    }
    for (flag, given) in [("delta", p.delta.is_some()), ("J2", p.j2.is_some())] {
        if given {
            return Err(super::no_such_term(flag, p.model));
        }
    }
    if p.field.is_some() && p.model != ModelKind::ToricCode {
        return Err(super::no_such_term("field", p.model));
    }
    Ok(match p.model {
        ModelKind::ToricCode => {
            let m = ToricCode::new(lattice.clone(), p.coupling, p.coupling, p.field.unwrap_or(0.0))?;
            let ws: Vec<[u8; 2]> = match &winding {
                Some(w) => {
                    if w.iter().any(|&x| x != 0 && x != 1) {
                        return Err(bad("winding", "the toric code's Z2 windings are 0 or 1 (loop eigenvalue (−1)^w)"));
                    }
                    vec![[w[0] as u8, w[1] as u8]]
                }
                None => vec![[0, 0], [1, 0], [0, 1], [1, 1]],
            };
            let list = ws
                .into_iter()
                .map(|w| {
                    let m = m.clone();
                    (format!("flux=0,winding={}:{}", w[0], w[1]), Box::new(move || toric_code(&m, w)) as SectorBuilder)
                })
                .collect();
            let what = if winding.is_some() { "one winding sector" } else { "all four flux-free winding sectors" };
            (what.to_string(), list)
        }
        ModelKind::Rotor => {
            let m = RotorModel::new(lattice.clone(), p.u, p.g, p.j)?;
            let trunc = truncation(p)?;
            LinkSystem::of_lattice(&m.lattice, trunc)?;
            let w = winding.clone().unwrap_or_else(|| vec![0; d]);
            let ws = w.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(":");
            if let Truncation::Lmax(l) = trunc {
                if w.iter().any(|x| x.unsigned_abs() > l as u64) {
                    return Err(Error::invalid(
                        "sector",
                        format!("winding={ws}"),
                        format!(
                            "a flux line of this winding needs |L| up to {}; raise --lmax",
                            w.iter().map(|x| x.abs()).max().unwrap_or(0)
                        ),
                    ));
                }
            }
            let (lab, mut reference) = match charges {
                None => (format!("Q=0,winding={ws}"), vec![0.0; m.lattice.n_links()]),
                Some((a, b)) => (format!("charges={a}:{b},winding={ws}"), charge_pair_configuration(&m.lattice, a, b)?),
            };
            for (r, x) in reference.iter_mut().zip(winding_configuration(&m.lattice, &w)) {
                *r += x;
            }
            (
                lab.clone(),
                vec![(lab, Box::new(move || rotor_from(&m, trunc, &reference).map(|x| x.1)) as SectorBuilder)],
            )
        }
        ModelKind::QuantumLink => {
            if winding.as_ref().is_some_and(|w| w.iter().any(|&x| x != 0)) {
                return Err(bad(
                    "winding",
                    "the quantum link model is solved in the sector connected to the staggered reference (zero winding)",
                ));
            }
            let m = QuantumLinkModel::new(lattice.clone(), p.coupling, p.lambda)?;
            LinkSystem::of_lattice(&m.lattice, Truncation::Spin(1))?;
            let lab = "Q=0,staggered-reference component".to_string();
            (lab.clone(), vec![(lab, Box::new(move || quantum_link(&m).map(|x| x.1)) as SectorBuilder)])
        }
        m => return Err(Error::invalid("model", m.name(), "not a gauge model")),
    })
}

/// Check a gauge run's parameters before anything is built.
pub fn validate(p: &EdParams) -> Result<()> {
    if !p.observables.is_empty() {
        return Err(Error::invalid(
            "observables",
            "given to a gauge model",
            "observables are computed for the spin models (heisenberg, transverse-ising, model files); gauge models report energies and gaps",
        ));
    }
    if p.model_file.is_some() {
        return Err(Error::invalid(
            "model-file",
            "given with a gauge model",
            "model files describe spin models: drop --model",
        ));
    }
    if !p.finite_size.is_empty() {
        return Err(Error::invalid(
            "finite-size",
            "given to a gauge model",
            "the finite-size series is for spin models",
        ));
    }
    if p.model != ModelKind::Rotor && (p.lmax.is_some() || p.link_spin.is_some()) {
        return Err(Error::invalid("lmax", "given", "--lmax and --link-spin truncate the rotor model (--model rotor)"));
    }
    if p.model != ModelKind::QuantumLink && p.lambda != 0.0 {
        return Err(Error::invalid("lambda", p.lambda.to_string(), "--lambda is the quantum link model's RK coupling"));
    }
    let _: Lattice = super::parse_lattice(&p.lattice)?;
    sectors(p).map(|_| ())
}

/// Solve the gauge sectors of `p`.
pub fn run(p: &EdParams, obs: &mut dyn Observer) -> Result<GaugeRecord> {
    let t0 = Instant::now();
    let (label, list) = sectors(p)?;
    let explicit = p.sector.is_some();
    obs.stage("gauge sectors", list.len() as u64);
    let (mut levels, mut per, mut dim_total) = (Vec::new(), Vec::new(), 0);
    for (i, (lab, build)) in list.iter().enumerate() {
        crate::experiment::check_stop(obs, "exact diagonalization of the gauge sectors", || {
            format!("nothing: {i} of {} sectors were done (they take seconds; rerun)", list.len())
        })?;
        let sec = build()?;
        let dim = sec.states.len();
        dim_total += dim;
        if explicit && p.nev > dim {
            return Err(Error::invalid("nev", p.nev.to_string(), format!("sector {lab} has only {dim} states")));
        }
        let so = SolveOptions { nev: p.nev.min(dim), tol: p.tol, ..Default::default() };
        let (l, _) = solve_operator(&sec.hamiltonian, lab, &so)?;
        obs.say(&format!("  {lab}: {dim} states, E0 = {:.12}", l.energies[0]));
        levels.extend(l.energies.iter().map(|&e| Level { energy: e, sector: lab.clone() }));
        per.push(l);
        obs.advance(i as u64 + 1);
    }
    levels.sort_by(|a, b| a.energy.total_cmp(&b.energy));
    levels.truncate(p.nev);
    let energies: Vec<f64> = levels.iter().map(|l| l.energy).collect();
    Ok(GaugeRecord {
        converged: per.iter().all(|l| l.converged),
        dimension: dim_total,
        gap: (energies.len() > 1).then(|| energies[1] - energies[0]),
        energies,
        lattice: p.lattice.clone(),
        levels,
        model: p.model.name().into(),
        sector: if list.len() == 1 { list[0].0.clone() } else { label },
        sectors: per,
        seconds: t0.elapsed().as_secs_f64(),
    })
}
