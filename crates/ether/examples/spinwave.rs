//! Chapter 1 through the public library API: the spin waves of the Heisenberg antiferromagnet
//! and ferromagnet, asserted against linear spin-wave theory's closed forms (Anderson, Phys. Rev.
//! 86, 694 (1952): the antiferromagnet's velocity c = 2√d J S; Bloch, Z. Phys. 61, 206 (1930):
//! the ferromagnet's ω ≈ |J| S k²), by LSWT and by classical dynamics.
//! `cargo run --release -p ether --example spinwave` (about 5 s).

use ether::experiment::{Experiment, Quiet};
use ether::experiments::spinwave::{Method, ModelKind, Spinwave, SpinwaveParams};

fn main() -> ether::Result<()> {
    let run = |model, lattice: &str, method| {
        let p = SpinwaveParams {
            model: Some(model),
            lattice: lattice.into(),
            method,
            frames: 1024,
            samples: 1,
            ..Default::default()
        };
        Spinwave::run(&p, &mut Quiet)
    };
    // The square-lattice antiferromagnet, S = 1/2, J = 1: c = 2√2 J S = √2 (LSWT, k → 0).
    let afm = run(ModelKind::Antiferro, "32x32", Method::Lswt)?;
    let c = afm.velocity.expect("an antiferromagnet reports its velocity");
    println!("antiferromagnet 32x32, LSWT: velocity c = {c:.9} (2√2 J S = {:.9})", 2f64.sqrt());
    assert!((c - 2f64.sqrt()).abs() < 1e-7, "velocity {c}");
    // The ferromagnetic chain: stiffness D = |J| S = 1/2.
    let fm = run(ModelKind::Ferro, "64", Method::Lswt)?;
    let d = fm.stiffness.expect("a ferromagnet reports its stiffness");
    println!("ferromagnet chain, LSWT: stiffness D = {d:.9} (|J| S = 0.5)");
    assert!((d - 0.5).abs() < 1e-7, "stiffness {d}");
    // Classical dynamics of the same antiferromagnet: ω ~ k, and the velocity within 3 % of LSWT.
    let dyn_afm = run(ModelKind::Antiferro, "32x32", Method::Dynamics)?;
    let cd = dyn_afm.velocity.unwrap_or(f64::NAN);
    println!(
        "antiferromagnet 32x32, classical dynamics: ω ≈ {:.4} |k|^{:.3}, velocity {cd:.4}",
        dyn_afm.coefficient, dyn_afm.exponent
    );
    assert!((dyn_afm.exponent - 1.0).abs() < 0.15, "exponent {}", dyn_afm.exponent);
    assert!((cd - 2f64.sqrt()).abs() < 0.03 * 2f64.sqrt(), "velocity {cd}");
    for claim in afm.claims.iter().chain(&fm.claims).chain(&dyn_afm.claims) {
        println!("  [{}] {}: {}", if claim.pass { "pass" } else { "FAIL" }, claim.claim, claim.measured);
        assert!(claim.pass);
    }
    Ok(())
}
