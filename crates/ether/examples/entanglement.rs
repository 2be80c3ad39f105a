//! Chapter 6, long-range entanglement, from the public library API: the toric code's
//! topological entanglement entropy is γ = ln 2 (Kitaev and Preskill, PRL 96, 110404 (2006);
//! Levin and Wen, PRL 96, 110405 (2006)), a product state has γ = 0, and in a field h the
//! toric code keeps γ = ln 2 at h = 0 and loses it past the transition at h_c = J_e/3.04438,
//! the 2D transverse-field Ising critical point of its dual (Blöte and Deng, PRE 66, 066110
//! (2002); docs/physics/topological-order.md §C.1, §C.7).
//!
//! `cargo run --release -p ether --example entanglement` (a few seconds).

use ether::experiment::{Experiment, Quiet, Record};
use ether::experiments::entanglement::{Entanglement, Model, Params};
use std::f64::consts::LN_2;

fn main() -> ether::Result<()> {
    // Fixed points: exact GF(2) ranks, so γ is an exact multiple of ln 2 (one rounding).
    for (model, lattice, want) in [(Model::ToricCode, "12x12", LN_2), (Model::Ferromagnet, "12x12", 0.0)] {
        let rec = Entanglement::run(&Params { model, lattice: Some(lattice.into()), ..Params::default() }, &mut Quiet)?;
        println!("{model:?} on {lattice}: gamma = {:.12} (expected {want:.12})", rec.gamma);
        assert!((rec.gamma - want).abs() < 1e-12);
        assert!(rec.claims().iter().all(|c| c.pass));
    }
    // The toric code in a field on the 4x4 torus, by ED of its dual Ising model.
    let p = Params {
        model: Model::ToricCodeField,
        lattice: Some("4x4".into()),
        fields: Some(vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1.0]),
        ..Params::default()
    };
    let rec = Entanglement::run(&p, &mut Quiet)?;
    let size = &rec.sizes.as_ref().expect("a field scan")[0];
    for pt in &size.points {
        println!("h = {:.2}: gamma / ln 2 = {:.4}", pt.h, pt.gamma / LN_2);
    }
    let h_c = rec.transition.as_ref().expect("the transition").h_c;
    println!("h_c = {h_c:.6} (J_e / 3.04438); gamma falls through ln 2 / 2 at h = {:?}", size.h_half);
    assert!((h_c - 1.0 / 3.04438).abs() < 1e-12);
    // h = 0 is the toric code (1e-9: Lanczos residual); h = 1 ≈ 3 h_c is close to the product state.
    assert!((size.points[0].gamma - LN_2).abs() < 1e-9);
    assert!(size.points.last().unwrap().gamma < 0.01 * LN_2);
    assert!(rec.claims().iter().all(|c| c.pass), "{:?}", rec.claims().iter().filter(|c| !c.pass).collect::<Vec<_>>());
    Ok(())
}
