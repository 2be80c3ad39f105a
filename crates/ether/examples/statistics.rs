//! Chapter 3, "Electrons from strings", from the public library API: in the rotor model the ends
//! of strings are bosons; with the sign (−1)^(Σ L) in front of each plaquette term (the twisted
//! rotor model) they are fermions (Levin and Wen, Phys. Rev. B 67, 245316 (2003)). The exchange
//! sign is read from the algebra of the string-end hopping operators (Levin-Wen's T-junction
//! identity t₁₂t₁₃t₁₄ = ±t₁₄t₁₃t₁₂), an independent value: −1 for fermions, +1 for bosons.
//!
//! `cargo run --release -p ether --example statistics` (about a second).

use ether::experiment::{Experiment, Quiet, Record};
use ether::experiments::statistics::{Model, Params, Statistics, StatisticsRecord};

fn exchange_sign(model: Model) -> ether::Result<i8> {
    let rec = Statistics::run(&Params { model, ..Default::default() }, &mut Quiet)?;
    for claim in rec.claims() {
        println!("[{}] {}: {}", if claim.pass { "pass" } else { "FAIL" }, claim.claim, claim.measured);
        assert!(claim.pass, "{}", claim.measured);
    }
    let StatisticsRecord::Rotor(r) = rec else { unreachable!("a rotor model gives a rotor record") };
    Ok(r.exchange_sign)
}

fn main() -> ether::Result<()> {
    let twisted = exchange_sign(Model::RotorFermionic)?;
    let plain = exchange_sign(Model::Rotor)?;
    println!("exchange sign of string ends: twisted {twisted:+}, plain {plain:+}");
    assert_eq!(twisted, -1, "string ends of the twisted rotor model are fermions");
    assert_eq!(plain, 1, "string ends of the plain rotor model are bosons");
    Ok(())
}
