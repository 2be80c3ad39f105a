//! Chapter 2, "Light from qubits", from the public library API: the rotor model's linear waves
//! travel at c = 2√(gJ) (Levin and Wen, Phys. Rev. B 73, 035122 (2006); docs/physics/photon.md
//! §2.2), its Gaussian ground state has ⟨Φ_p²⟩ = 0.7959 √(J/g) per plaquette (§2.3), and at
//! g/J = 10 the talk's criterion says the photon survives (§3).
//!
//! `cargo run --release -p ether --example photon` (about a second).

use ether::experiment::{Experiment, Quiet, Record};
use ether::experiments::photon::{Params, Photon, PhotonRecord};

fn main() -> ether::Result<()> {
    let p = Params { lattice: "12x12x12".into(), ..Default::default() };
    let rec = Photon::run(&p, &mut Quiet)?;
    let PhotonRecord::Modes(m) = &rec else { unreachable!("the default method is modes") };
    let c = 2.0 * (p.g * p.j).sqrt();
    println!("speed of light {:.6} (2√(gJ) = {c:.6})", m.speed_of_light);
    assert!((m.speed_of_light - c).abs() < 1e-3 * c, "c = {}", m.speed_of_light);
    // ⟨Φ²⟩ = ⅓√(J/g)⟨|K|⟩_BZ = 0.795867 √(J/g) as L → ∞; 12³ is within 5e-5 of it
    let flux = m.gaussian.flux_variance / (p.j / p.g).sqrt();
    println!("⟨Φ²⟩ = {flux:.6} √(J/g) (L → ∞: 0.795867)");
    assert!((flux - 0.795867).abs() < 5e-5, "flux {flux}");
    assert!(m.gaussian.semiclassical);
    for claim in rec.claims() {
        println!("[{}] {}: {}", if claim.pass { "pass" } else { "FAIL" }, claim.claim, claim.measured);
        assert!(claim.pass, "{}", claim.measured);
    }
    Ok(())
}
