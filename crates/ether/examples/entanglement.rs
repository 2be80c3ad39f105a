//! Chapter 6, "Long-range entanglement", from the public library API: the toric code's ground
//! state has topological entanglement entropy γ = ln 2 (Kitaev and Preskill, Phys. Rev. Lett. 96,
//! 110404 (2006); Levin and Wen, Phys. Rev. Lett. 96, 110405 (2006)), a product state has γ = 0.
//! The stabilizer entropies are exact integers times ln 2, so the tolerance is rounding.
//!
//! `cargo run --release -p ether --example entanglement` (about a second).

use ether::experiment::{Experiment, Quiet, Record};
use ether::experiments::entanglement::{Entanglement, Model, Params};

fn gamma(model: Model) -> ether::Result<f64> {
    let rec = Entanglement::run(&Params { model, ..Default::default() }, &mut Quiet)?;
    for claim in rec.claims() {
        println!("[{}] {}: {}", if claim.pass { "pass" } else { "FAIL" }, claim.claim, claim.measured);
        assert!(claim.pass, "{}", claim.measured);
    }
    Ok(rec.gamma)
}

fn main() -> ether::Result<()> {
    let toric = gamma(Model::ToricCode)?;
    let product = gamma(Model::Ferromagnet)?;
    println!("γ: toric code {toric:.12} (ln 2 = {:.12}), product state {product:.1e}", std::f64::consts::LN_2);
    assert!((toric - std::f64::consts::LN_2).abs() < 1e-9);
    assert!(product.abs() < 1e-9);
    Ok(())
}
