//! Chapter 4, electrons from strings, from the public library API: in the twisted rotor model
//! the ends of strings are fermions (exchange sign −1 at every vertex and leg triple, Levin and
//! Wen, PRB 67, 245316 (2003)), in the plain rotor model bosons (+1); and the 2D anchors: the
//! toric code's e×m is a fermion, θ = −1 (Kitaev, Ann. Phys. 303, 2 (2003)), the double
//! semion's s a semion, θ = i (docs/physics/statistics.md §3, topological-order.md §C.1, §C.5).
//!
//! `cargo run --release -p ether --example statistics` (about a second).

use ether::experiment::{Experiment, Quiet, Record};
use ether::experiments::statistics::{Model, Params, Statistics, StatisticsRecord};

fn main() -> ether::Result<()> {
    for (model, want) in [(Model::RotorFermionic, -1), (Model::Rotor, 1)] {
        let rec = Statistics::run(&Params { model, lattice: Some("4x4x4".into()), ..Params::default() }, &mut Quiet)?;
        let StatisticsRecord::Rotor(r) = &rec else { unreachable!("a rotor model gives a rotor record") };
        println!("{model:?} on 4x4x4: exchange sign {} over {} orderings", r.exchange_sign, r.orderings_checked);
        assert_eq!(r.exchange_sign, want);
        assert!(rec.claims().iter().all(|c| c.pass));
    }
    for (model, name, want) in [(Model::ToricCode, "e×m", [-1.0, 0.0]), (Model::DoubleSemion, "s", [0.0, 1.0])] {
        let rec = Statistics::run(&Params { model, ..Params::default() }, &mut Quiet)?;
        let StatisticsRecord::Anyons(r) = &rec else { unreachable!("an anyon model gives an anyon record") };
        let theta = r.particles.iter().find(|p| p.name == name).expect("the particle").exchange_phase;
        println!("{model:?}: theta_{name} = {:+.3} {:+.3} i", theta[0], theta[1]);
        // Products of exact phases: rounding only.
        assert!((theta[0] - want[0]).abs() < 1e-12 && (theta[1] - want[1]).abs() < 1e-12);
        assert!(rec.claims().iter().all(|c| c.pass));
    }
    Ok(())
}
