//! Exact diagonalization reproduces published numbers: the ground-state energy per site of the
//! 4x4 Heisenberg antiferromagnet and of the frustrated J1-J2 model at J2 = J1/2 (Schulz, Ziman &
//! Poilblanc, J. Phys. I France 6, 675 (1996): −0.701780 and −0.528620), and the 20-site chain
//! against the Bethe ansatz (Hulthén 1938: 1/4 − ln 2, with the conformal term π²/12N²).
//!
//! `cargo run --release --example ed` (about a second).

use ether::experiment::{Experiment, Quiet, Record};
use ether::experiments::ed::{Ed, EdParams, EdRecord};

fn lowest(p: &EdParams) -> ether::Result<(f64, EdRecord)> {
    let rec = Ed::run(p, &mut Quiet)?;
    let e0 = match &rec {
        EdRecord::Spin(r) => r.energies[0],
        EdRecord::Gauge(r) => r.energies[0],
    };
    Ok((e0, rec))
}

fn main() -> ether::Result<()> {
    // The ground state lies in the A1 sector of C4v at k = 0 (107 states instead of 12 870).
    let a1 = Some("sz=0,k=0:0,rotation=1,mirror=1,spinflip=1".to_string());
    for (j2, published) in [(None, -0.701780), (Some(0.5), -0.528620)] {
        let p = EdParams { lattice: "4x4".into(), sector: a1.clone(), j2, ..Default::default() };
        let (e0, rec) = lowest(&p)?;
        let per_site = e0 / 16.0;
        println!("4x4, J2 = {}: E0/N = {per_site:.8} (published {published:.6})", j2.unwrap_or(0.0));
        // Six published digits: half a unit of the last one.
        assert!((per_site - published).abs() < 5e-7, "E0/N = {per_site} vs {published}");
        assert!(rec.claims().iter().all(|c| c.pass), "the record's own claims agree");
    }
    // The whole Hilbert space of the 20-site chain, sector by sector.
    let p = EdParams { lattice: "20".into(), ..Default::default() };
    let (e0, _) = lowest(&p)?;
    let n = 20.0;
    let corrected = e0 / n + std::f64::consts::PI.powi(2) / (12.0 * n * n);
    let bethe = 0.25 - std::f64::consts::LN_2;
    println!("chain of 20: E0/N + π²/12N² = {corrected:.6} (Bethe ansatz {bethe:.6})");
    // Logarithmic corrections left after the conformal term are below 3.4e-5 for N ≥ 16.
    assert!((corrected - bethe).abs() < 1e-4);
    Ok(())
}
