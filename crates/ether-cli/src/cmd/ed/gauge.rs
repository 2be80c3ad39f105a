//! `ether ed` for the gauge models: toric code, rotor model, quantum link model.

use super::{Args, ModelKind};
use crate::common::{usage, Global, Output};
use anyhow::Result;
use ether::ed::gauge::{
    charge_pair_configuration, quantum_link, rotor_from, toric_code, winding_configuration, GaugeSector, Truncation,
};
use ether::ed::solve::{solve_operator, SolveOptions};
use ether::lattice::Lattice;
use ether::model::{QuantumLinkModel, RotorModel, ToricCode};
use serde_json::json;
use std::time::Instant;

/// A labelled, deferred sector construction.
type SectorBuilder = Box<dyn Fn() -> ether::Result<GaugeSector>>;

/// The gauge sector keys: a winding and a static charge pair (+1 site, −1 site).
type SectorKeys = (Option<Vec<i64>>, Option<(usize, usize)>);

/// Parse the gauge sector keys: `winding=a:b[:c]` and, for the rotor model, `charges=i:j`
/// (a static charge +1 at site i and −1 at site j; sites numbered with the first axis fastest).
fn parse_winding(s: Option<&str>, dim: usize) -> Result<SectorKeys> {
    let Some(s) = s else { return Ok((None, None)) };
    let mut w = None;
    let mut charges = None;
    for item in s.split(',').map(str::trim).filter(|x| !x.is_empty()) {
        match item.split_once('=') {
            Some(("charges", v)) => match v.split_once(':').map(|(a, b)| (a.trim().parse(), b.trim().parse())) {
                Some((Ok(a), Ok(b))) => charges = Some((a, b)),
                _ => return usage(format!("--sector {item}: give two site indices, e.g. charges=0:1 (+1 at site 0, −1 at site 1)")),
            },
            Some(("winding", v)) => {
                let parts: Result<Vec<i64>, _> = v.split(':').map(|p| p.trim().parse::<i64>()).collect();
                match parts {
                    Ok(p) if p.len() == dim => w = Some(p),
                    _ => return usage(format!("--sector {item}: give {dim} integers, e.g. winding={}", vec!["0"; dim].join(":"))),
                }
            }
            _ => {
                return usage(format!(
                    "--sector {item}: gauge models take a winding sector (winding=wx:wy[:wz]) and, for the rotor model, static charges (charges=i:j)"
                ))
            }
        }
    }
    Ok((w, charges))
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    let t0 = Instant::now();
    if !args.observables.is_empty() {
        return usage("--observables are computed for the spin models (heisenberg, transverse-ising); gauge models report energies and gaps");
    }
    if args.nev == 0 {
        return usage("--nev 0: ask for at least one level");
    }
    let lattice = Lattice::parse(&args.lattice)?;
    let d = lattice.dim();
    let (winding, charges) = parse_winding(args.sector.as_deref(), d)?;
    if charges.is_some() && !matches!(args.model, ModelKind::Rotor) {
        return usage("--sector charges=i:j: static charges are supported for the rotor model (--model rotor)");
    }
    let (label, sectors): (String, Vec<(String, SectorBuilder)>) = match args.model {
        ModelKind::ToricCode => {
            let m = ToricCode::new(lattice.clone(), args.coupling, args.coupling, args.field)?;
            let ws: Vec<[u8; 2]> = match &winding {
                Some(w) => {
                    if w.iter().any(|&x| x != 0 && x != 1) {
                        return usage(
                            "--sector winding: the toric code's Z2 windings are 0 or 1 (loop eigenvalue (−1)^w)",
                        );
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
            (
                if winding.is_some() { "one winding sector" } else { "all four flux-free winding sectors" }.to_string(),
                list,
            )
        }
        ModelKind::Rotor => {
            let m = RotorModel::new(lattice.clone(), args.u, args.g, args.j)?;
            let trunc = match (args.lmax, args.link_spin) {
                (Some(l), None) => Truncation::Lmax(l),
                (None, Some(s)) => {
                    let t = 2.0 * s;
                    if !(s > 0.0 && t.fract() == 0.0 && t <= 15.0) {
                        return usage(format!(
                            "--link-spin {s}: give S = 1/2, 1, 3/2, ... up to 15/2 (as 0.5, 1, 1.5, ...)"
                        ));
                    }
                    Truncation::Spin(t as u32)
                }
                _ => {
                    return usage("the rotor model needs exactly one truncation: --lmax N (|L| <= N) or --link-spin S")
                }
            };
            let w = winding.clone().unwrap_or_else(|| vec![0; d]);
            if let Truncation::Lmax(l) = trunc {
                if w.iter().any(|x| x.unsigned_abs() > l as u64) {
                    return usage(format!(
                        "--sector winding: a flux line of {w:?} needs |L| up to {}; raise --lmax",
                        w.iter().map(|x| x.abs()).max().unwrap_or(0)
                    ));
                }
            }
            let ws = w.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(":");
            let (lab, mut reference) = match charges {
                None => (format!("Q=0,winding={ws}"), vec![0.0; m.lattice.n_links()]),
                Some((p, q)) => (format!("charges={p}:{q},winding={ws}"), charge_pair_configuration(&m.lattice, p, q)?),
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
                return usage("--sector: the quantum link model is solved in the sector connected to the staggered reference (zero winding)");
            }
            let m = QuantumLinkModel::new(lattice.clone(), args.coupling, args.lambda)?;
            let lab = "Q=0,staggered-reference component".to_string();
            (lab.clone(), vec![(lab, Box::new(move || quantum_link(&m).map(|x| x.1)) as SectorBuilder)])
        }
        _ => unreachable!("spin models are handled in ed.rs"),
    };
    let out = Output::new(&args.out, g)?;
    let mut levels = Vec::new();
    let mut per = Vec::new();
    let mut dim_total = 0;
    for (lab, build) in &sectors {
        let sec = build()?;
        let dim = sec.states.len();
        dim_total += dim;
        if winding.is_some() && args.nev > dim {
            return usage(format!("--nev {}: sector {lab} has only {dim} states", args.nev));
        }
        let so = SolveOptions { nev: args.nev.min(dim), tol: args.tol, ..Default::default() };
        let (l, _) = solve_operator(&sec.hamiltonian, lab, &so)?;
        out.say(format!("  {lab}: {dim} states, E0 = {:.12}", l.energies[0]));
        for &e in &l.energies {
            levels.push((e, lab.clone()));
        }
        per.push(l);
    }
    levels.sort_by(|a, b| a.0.total_cmp(&b.0));
    levels.truncate(args.nev);
    let energies: Vec<f64> = levels.iter().map(|l| l.0).collect();
    let gap = (energies.len() > 1).then(|| energies[1] - energies[0]);
    let result = json!({
        "model": super::model_name(args.model),
        "lattice": args.lattice,
        "sector": if sectors.len() == 1 { sectors[0].0.clone() } else { label },
        "dimension": dim_total,
        "energies": energies,
        "levels": levels.iter().map(|(e, l)| json!({"energy": e, "sector": l})).collect::<Vec<_>>(),
        "converged": per.iter().all(|p| p.converged),
        "gap": gap,
        "sectors": per,
        "seconds": t0.elapsed().as_secs_f64(),
    });
    let params = json!({"model": result["model"], "lattice": args.lattice, "coupling": args.coupling, "field": args.field,
        "g": args.g, "J": args.j, "U": args.u, "lmax": args.lmax, "link_spin": args.link_spin, "lambda": args.lambda,
        "sector": args.sector, "nev": args.nev, "tol": args.tol});
    out.finish("ed", params, None, &result)?;
    Ok(())
}
