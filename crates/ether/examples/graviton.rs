//! Chapter 5, "Gravitons from qubits", from the public library API: in the talk's l-type model
//! (docs/physics/graviton.md B.5, M3) only helicity ±2 is gapless, with ω_{±2} = √(UJ)|K|³ (8 at
//! k = (0, 0, π)), and its Gaussian fluctuations are small against the Z_16 periods (B.9).
//!
//! `cargo run --release -p ether --example graviton` (about a second).

use ether::experiment::{Experiment, Quiet, Record};
use ether::experiments::graviton::{Graviton, Params};

fn main() -> ether::Result<()> {
    let p = Params { lattice: "6x6x6".into(), k: Some("0,0,pi".into()), ..Default::default() };
    let rec = Graviton::run(&p, &mut Quiet)?;
    println!("gapless helicities {:?}, exponent {:.4}", rec.gapless_helicities, rec.exponents[&2]);
    assert_eq!(rec.gapless_helicities, vec![-2, 2]);
    assert!((rec.exponents[&2] - 3.0).abs() < 1e-3);
    let modes = rec.modes.as_ref().expect("modes at the requested k");
    for m in modes.iter().filter(|m| m.helicity.abs() == 2) {
        // B.5: ω_{±2} = √(UJ)|K|³ with |K| = 2 sin(π/2) = 2
        assert!((m.omega - 8.0).abs() < 1e-12, "ω = {}", m.omega);
    }
    for claim in rec.claims() {
        println!("[{}] {}: {}", if claim.pass { "pass" } else { "FAIL" }, claim.claim, claim.measured);
        assert!(claim.pass, "{}", claim.measured);
    }
    Ok(())
}
